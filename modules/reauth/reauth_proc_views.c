/*
 * reauth module - re-authentication procedures: what the worker reads of
 * the user (targets, identity views)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Run by the worker of the procedure's shard (reauth_proc_run.c), no lock
 * of the record held: at the trigger, who can be reached (subscriptions,
 * contacts, publications); for a NOTIFY or a PUBLISH, every identity of
 * the user with its contacts as usrloc has them now.
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/mem/shm_mem.h"

#include "reauth_proc.h"
#include "reauth_proc_views.h"
#include "reauth_pua.h"
#include "reauth_refer.h"
#include "reauth_subs.h"

#define TARGETS_MAX 512 /* subscriptions and contacts of one user */

/* --- who can be reached, listed once at the trigger --- */

int reauth_proc_targets_take(reauth_procrec_t *rec, reauth_target_t **out)
{
	reauth_sub_ref_t subs[TARGETS_MAX];
	reauth_contact_ref_t cts[TARGETS_MAX];
	reauth_target_t *t;
	int n = 0, nc, ns, i, j, np = 0;

	/* through a presence server: one publication per identity, whose
	 * watchers the module does not know */
	if(reauth_reg_event_pua)
		np = rec->nall;
	/* every identity's watchers get the news; only the UE's count */
	for(i = 0; i < rec->nall && n < TARGETS_MAX && !np; i++) {
		ns = reauth_subs_collect(&REAUTH_PROC_AOR(rec)[i], subs + n, TARGETS_MAX - n);
		for(j = n; j < n + ns; j++)
			subs[j].hash = (unsigned int)i; /* reused: the identity */
		n += ns;
	}
	nc = reauth_refer_contacts(REAUTH_PROC_AOR(rec), rec->nset, cts, TARGETS_MAX);
	if(np + n + nc <= REAUTH_PROC_INLINE_TARGETS)
		*out = rec->inline_targets; /* only this worker touches them */
	else if((*out = shm_malloc((np + n + nc) * sizeof(reauth_target_t)))
			== NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	t = *out;
	for(i = 0; i < np; i++) {
		t[i].ref = (unsigned int)i;
		t[i].identity = (unsigned short)i;
		t[i].kind = RT_PUBLICATION;
	}
	t += np;
	for(i = 0; i < n; i++) {
		t[i].ref = subs[i].id;
		t[i].identity = (unsigned short)subs[i].hash;
		t[i].kind = subs[i].kind == REAUTH_SUB_UE ? RT_SUB_UE : RT_SUB_OTHER;
	}
	for(i = 0; i < nc; i++) {
		t[n + i].ref = cts[i].uri_hash;
		t[n + i].identity = (unsigned short)cts[i].identity;
		t[n + i].kind = RT_CONTACT;
	}
	return np + n + nc;
}

/* --- the identities as a re-authentication NOTIFY shows them --- */

void reauth_proc_views_free(reauth_id_views_t *v)
{
	int i;

	for(i = 0; i < v->n; i++)
		reauth_snapshot_free(&v->snap[i]);
	v->n = 0;
}

/* every identity of the user with its contacts as usrloc has them now;
 * the set's contacts get event ev and, in the draft notation, the
 * re-authenticate state (a covered identity: "automatically by") */
int reauth_proc_views_take(reauth_procrec_t *rec, reauth_id_views_t *v, int ev,
		const char *draft_state)
{
	str *leader = rec->by_private ? &REAUTH_PROC_URI(rec)[0] : &rec->trigger;
	size_t j;
	int i;

	memset(v->ids, 0, sizeof(v->ids));
	v->n = 0;
	snprintf(v->detail, sizeof(v->detail), "automatically by %.*s",
			leader->len, leader->s);
	for(i = 0; i < rec->nall && i < REAUTH_USER_MAX_IDS; i++) {
		if(reauth_snapshot_take(&REAUTH_PROC_AOR(rec)[i], &v->snap[i], 0) < 0) {
			reauth_proc_views_free(v);
			return -1;
		}
		v->n++;
		v->ids[i].uri = REAUTH_PROC_URI(rec)[i].s;
		v->ids[i].contacts = v->snap[i].cts;
		v->ids[i].ncontacts = v->snap[i].n;
		if(i >= rec->nset)
			continue;
		for(j = 0; j < v->snap[i].n; j++) {
			v->snap[i].cts[j].event = ev;
			v->snap[i].cts[j].changed = 1; /* what a partial NOTIFY lists */
		}
		if(draft_state && reauth_proc_draft_format()) {
			v->ids[i].draft_state = draft_state;
			if(REAUTH_PROC_URI(rec)[i].len != leader->len
					|| strncasecmp(REAUTH_PROC_URI(rec)[i].s, leader->s, leader->len))
				v->ids[i].detail = v->detail;
		}
	}
	return 0;
}
