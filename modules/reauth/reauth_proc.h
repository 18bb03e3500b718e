/*
 * reauth module - re-authentication procedures: the table, entry points
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A procedure is created where it is triggered (script, KEMI, RPC, API;
 * reauth_proc_entry.c) so that a second trigger is refused at once, in the
 * tables of reauth_proc.c; everything after that runs in the worker of its
 * shard (reauth_proc_run.c): pure/procedure decides, the worker carries
 * the actions out.
 *
 * Two tables (reauth_table.h): records hashed by their id (the bucket is
 * part of the id), and an index of the re-authenticated identities' usrloc
 * keys to the id of their pending procedure. A record's core state is read
 * and changed only with its bucket locked; a record is freed only by its
 * worker, after it left the index.
 */

#ifndef _REAUTH_PROC_H_
#define _REAUTH_PROC_H_

#include <time.h>

#include "core/rpc.h"
#include "core/str.h"

#include "pure/procedure.h"
#include "reauth_table.h"
#include "reauth_trigger.h"

/* module parameters */
extern int reauth_shortened_expires;
extern int reauth_timeout;
extern int reauth_refer_fallback;
extern int reauth_terminate_sessions;
extern int reauth_keep_finished;
extern str reauth_body_format;
extern str reauth_dereg_event;

/* an identity under re-authentication: usrloc key -> procedure id */
typedef struct reauth_proc_idx
{
	reauth_tentry_t entry; /* hash: of the aor; id: the procedure's */
	str *aor;			   /* in the record, which outlives the entry */
	int in_record;		   /* the record's own first entry: not freed alone */
} reauth_proc_idx_t;

/* targets a record holds itself: most users have one subscription and
 * one contact, more take an allocation of their own */
#define REAUTH_PROC_INLINE_TARGETS 4

typedef struct reauth_procrec
{
	reauth_tentry_t entry; /* hash == id */
	reauth_proc_t core;	   /* core.targets: shm, the worker's */
	unsigned int shard;	   /* the worker that runs it */
	unsigned short nset;   /* identities re-authenticated: uri[0..nset) */
	unsigned short nall;   /* every public identity of the user */
	unsigned char by_private;
	unsigned char in_db;
	/* the DB batch had no room for its last change: the worker's tick
	 * puts it again (the deletion too, while the record is kept) */
	unsigned char db_dirty;
	unsigned char settled; /* done, its outcome logged, its row dropped */
	/* 0: this node runs it; else a replica of the pool's node in slot
	 * owner - 1 of the DMQ peers (reauth_proc_replica.c): no deadline,
	 * no action here, until a takeover makes it this node's */
	unsigned char owner;
	unsigned char restored; /* loaded from this node's DB at start */
	unsigned char forwarded; /* a replica made here by a trigger that was
							  * handed to its owner (proc.start) */
	unsigned int epoch;
	unsigned int pseq; /* proc.put/done sent (owner), applied (replica):
						* DMQ may deliver them out of order */
	str trigger;
	str impi;
	reauth_proc_idx_t idx0; /* the index entry of aor[0] */
	reauth_target_t inline_targets[REAUTH_PROC_INLINE_TARGETS];
	/* buf: nall str of the public identities (the re-authenticated ones
	 * first), nall str of their usrloc keys, then the strings */
	char buf[];
} reauth_procrec_t;

/* the public identities of a record, and their usrloc keys */
#define REAUTH_PROC_URI(rec) ((str *)(rec)->buf)
#define REAUTH_PROC_AOR(rec) (REAUTH_PROC_URI(rec) + (rec)->nall)

int reauth_proc_init(unsigned int size);
void reauth_proc_destroy(void);
int reauth_proc_draft_format(void);

/* any process */
void reauth_proc_start(str *identity, reauth_trigger_result_t *res);
/* a trigger handed over by the pool's node in slot with the id it gave
 * (proc.start, a dmq worker): runs here, never handed on */
void reauth_proc_start_forwarded(
		str *identity, unsigned int id, reauth_trigger_result_t *res);
/* a replica of a procedure of the node in slot (proc.put): created with
 * its id, not indexed twice; NULL when it cannot be (logged) */
reauth_procrec_t *reauth_proc_replica_new(
		str *identity, unsigned int id, int slot);
/* the id tag of this node (dmq 1): procedure ids are unique in the pool
 * as subscription ids are (pure/owner.h owner_sub_id) */
extern unsigned int reauth_proc_node_tag;
int reauth_proc_pending(str *aor);
void reauth_proc_contact_saved(str *aor);
void reauth_proc_cancel_request(str *identity, reauth_trigger_result_t *res);
/* reauth.list / reauth.show (reauth_proc_rpc.c) */
void reauth_proc_rpc_list(rpc_t *rpc, void *ctx, str *identity);
/* DB load: a pending procedure as it was stored */
int reauth_proc_restore(unsigned int id, str *identity, reauth_proc_t *core);

/* the table's side of the entry points (reauth_proc_entry.c): resolve,
 * check and index a new procedure, id 0 = take the next one, 404 unless
 * an identity of the set is registered when need_registered; fills res,
 * returns the record (NULL: refused, res says why) */
reauth_procrec_t *reauth_proc_create(str *identity, unsigned int id,
		int need_registered, reauth_trigger_result_t *res);
/* take back a record nobody else has seen (out of the index and table) */
void reauth_proc_drop(reauth_procrec_t *rec);

/* the worker's access: a record stays valid until its worker frees it */
reauth_procrec_t *reauth_proc_get(unsigned int id);
void reauth_proc_lock(reauth_procrec_t *rec);
void reauth_proc_unlock(reauth_procrec_t *rec);
/* the pending procedure of an identity (usrloc key): its id, or 0 */
unsigned int reauth_proc_id_of(str *aor);
/* the record of id, its bucket locked, unlocked after fn(rec, arg)
 * (rec NULL when not found); returns fn's value */
int reauth_proc_with(unsigned int id,
		int (*fn)(reauth_procrec_t *rec, void *arg), void *arg);
/* a REREGISTERED job for procedure id's worker (shard): a contact of aor
 * saved by a REGISTER, authenticated or not; 0, -1 out of memory */
int reauth_proc_post_reregistered(
		unsigned int id, unsigned int shard, str *aor, int authenticated);
/* a done procedure leaves the index: a new trigger may start */
void reauth_proc_unindex(reauth_procrec_t *rec);
/* every record, its bucket locked: take copies (no I/O), 1 stops */
void reauth_proc_walk(
		int (*take)(reauth_procrec_t *rec, void *arg), void *arg);
/* The records of shard in slice of slices of the table that need the
 * worker (a deadline passed, ended elsewhere and not settled, or a DB
 * change to put again) are handed to fn (unlocked; only their own worker
 * frees records); records done and settled longer than keep_finished are
 * freed. Returns how many of those still had their row's deletion to
 * put (the DB keeps their rows). */
unsigned int reauth_proc_each(unsigned int shard, time_t now,
		unsigned int slice, unsigned int slices,
		void (*fn)(reauth_procrec_t *rec, time_t now));

#endif
