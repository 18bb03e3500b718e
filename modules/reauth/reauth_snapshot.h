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

#endif
