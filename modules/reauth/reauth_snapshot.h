/*
 * reauth module - the contacts of an identity, copied out of usrloc
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A NOTIFY body is built from a copy (pkg) of the contacts as usrloc has
 * them, taken under usrloc's slot lock and used after it is released.
 */

#ifndef _REAUTH_SNAPSHOT_H_
#define _REAUTH_SNAPSHOT_H_

#include <time.h>

#include "core/str.h"

#include "pure/regstate.h"
#include "reauth_identity.h"
#include "reauth_sets.h"

typedef struct ul_snapshot
{
	regstate_contact_t *cts;
	size_t n;
	char *buf;
} ul_snapshot_t;

/* what usrloc reported about one contact (a usrloc callback's job) */
typedef struct ul_change
{
	str uri;	/* NUL-terminated */
	str callid; /* NUL-terminated */
	int cseq;
	time_t expires;
	int event; /* reginfo_ct_event_t */
} ul_change_t;

/* valid contacts of aor, with room for extra more; 0 or -1 */
int reauth_snapshot_take(str *aor, ul_snapshot_t *snap, size_t extra);
void reauth_snapshot_free(ul_snapshot_t *snap);
/* some contact is still active */
int reauth_snapshot_active(ul_snapshot_t *snap);
/* Put the change into the snapshot: the contact's event, or the contact
 * itself when it is gone already (expired, unregistered). The change's
 * strings must outlive the snapshot's use. Needs room for one extra. */
void reauth_snapshot_apply(ul_snapshot_t *snap, ul_change_t *ch);

/* Every public identity of the watched identity's user, each with its
 * contacts: what every NOTIFY lists (TS 24.229 5.4.2.1.2), so that the
 * registrations of a full document stay the same from one NOTIFY to the
 * next. The same order every time: the user's identities in
 * table order. */
typedef struct reauth_view
{
	int n;
	str aor[REAUTH_USER_MAX_IDS];
	regstate_identity_t ids[REAUTH_USER_MAX_IDS];
	ul_snapshot_t snap[REAUTH_USER_MAX_IDS];
	reauth_identity_t key[REAUTH_USER_MAX_IDS]; /* the aors' storage */
	reauth_user_t user;
} reauth_view_t;

/* identity: the watched URI, or NULL to find it from its usrloc key aor
 * (ids[0].uri stays NULL when the table does not list it: the caller
 * names it). Each snapshot has room for extra more. pkg; NULL on error. */
reauth_view_t *reauth_view_take(str *identity, str *aor, size_t extra);
void reauth_view_free(reauth_view_t *v);
/* index of the identity with usrloc key aor, -1 when absent */
int reauth_view_index(reauth_view_t *v, str *aor);
/* after reauth_snapshot_apply on snap[i]: the document sees it */
void reauth_view_sync(reauth_view_t *v, int i);
/* the view of the user of usrloc key aor with one contact's change
 * applied (its index in *k, -1 when the view does not list aor); NULL on
 * error */
reauth_view_t *reauth_view_take_change(str *aor, ul_change_t *ch, int *k);

#endif
