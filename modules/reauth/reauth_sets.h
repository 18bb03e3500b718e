/*
 * reauth module - implicit registration sets and the users they belong to
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Table reauth_identity (etc/reauth-create.sql): one row per public
 * identity with its private identity (the user) and its implicit
 * registration set. Loaded into shared memory at start-up and by the RPC
 * reauth.reload. An identity that is not listed forms a set of its own.
 */

#ifndef _REAUTH_SETS_H_
#define _REAUTH_SETS_H_

#include "core/str.h"

#define REAUTH_USER_MAX_IDS 32

/* what a trigger resolves to, copied out (pkg) */
typedef struct reauth_user
{
	str trigger;	/* as given: a public or a private identity */
	str impi;		/* private identity, empty when unknown */
	int by_private; /* the trigger named the private identity */
	int nset;		/* identities re-authenticated: set[0..nset) */
	int nall;		/* every public identity of the user: all[0..nall) */
	str set[REAUTH_USER_MAX_IDS];
	str all[REAUTH_USER_MAX_IDS];
	char *buf;
} reauth_user_t;

int reauth_sets_init(str *db_url);
int reauth_sets_child_init(void);
/* (re)load the table; returns the number of identities or -1 */
int reauth_sets_reload(void);
void reauth_sets_destroy(void);

/* Resolve a trigger. Returns 0, -1 (not a URI nor a known private
 * identity), -2 (out of memory). */
int reauth_sets_resolve(str *trigger, reauth_user_t *user);
/* The user of a usrloc key (sip:, sips: or tel: in front of it), as
 * reauth_sets_resolve; -1 when the table does not list it. */
#define REAUTH_SETS_AOR_MAX 256
int reauth_sets_resolve_aor(str *aor, reauth_user_t *user);
void reauth_user_free(reauth_user_t *user);

/* index of uri in the user's set / all identities, -1 when absent */
int reauth_user_in_set(reauth_user_t *user, str *uri);

int reauth_sets_count(void);

/* A hash naming the user of a public identity: of the user's first public
 * identity in the table, of the identity itself when it is not listed.
 * Every identity of one user gives the same: reauth_shard_of() of it
 * puts all of a user's work on one worker. */
unsigned int reauth_sets_user_hash(str *identity);
/* the worker of the user of identity: reauth_shard_of(user hash) */
unsigned int reauth_sets_shard(str *identity);

#endif
