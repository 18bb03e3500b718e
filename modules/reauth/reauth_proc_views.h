/*
 * reauth module - re-authentication procedures: what the worker reads of
 * the user (targets, identity views)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_PROC_VIEWS_H_
#define _REAUTH_PROC_VIEWS_H_

#include "pure/regstate.h"

#include "reauth_identity.h"
#include "reauth_proc.h"
#include "reauth_sets.h"
#include "reauth_snapshot.h"

/* the subscriptions of every identity of the user (or one publication
 * each, with reg_event_mode pua) and the registered contacts of the set:
 * the targets, in rec->inline_targets or shm; how many, -1 (no memory) */
int reauth_proc_targets_take(reauth_procrec_t *rec, reauth_target_t **out);

/* the identities as a re-authentication NOTIFY shows them */
typedef struct reauth_id_views
{
	regstate_identity_t ids[REAUTH_USER_MAX_IDS];
	ul_snapshot_t snap[REAUTH_USER_MAX_IDS];
	char detail[REAUTH_AOR_MAX + 32];
	int n;
} reauth_id_views_t;

/* every identity of the user with its contacts as usrloc has them now;
 * the set's contacts get event ev and, in the draft notation, the
 * re-authenticate state; 0, or -1 (nothing to free) */
int reauth_proc_views_take(reauth_procrec_t *rec, reauth_id_views_t *v, int ev,
		const char *draft_state);
void reauth_proc_views_free(reauth_id_views_t *v);

#endif
