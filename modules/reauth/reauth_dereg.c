/*
 * reauth module - usrloc changes of the procedure and the user's sessions
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Shortening and removing contacts go through usrloc's API (so DB and
 * replication follow). Calls are learnt from the dialog module: every
 * confirmed dialog is indexed by the caller's and the callee's usrloc key
 * until it ends, so that a de-registration can end the user's calls with
 * the dialog module's own BYE (terminate_dlg).
 */

#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/hashes.h"
#include "core/locking.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/parser/parse_uri.h"
#include "modules/dialog/dlg_hash.h"
#include "modules/dialog/dlg_load.h"

#include "reauth_dereg.h"
#include "reauth_identity.h"

#define SESS_SIZE 256 /* power of two */

/* one call leg owner: a dialog and the usrloc key of one of its users */
typedef struct sess
{
	struct sess *next;
	struct dlg_cell *dlg;
	unsigned int hash;
	str aor;
	char buf[];
} sess_t;

typedef struct sess_table
{
	gen_lock_t lock;
	int count;
	sess_t *slots[SESS_SIZE];
} sess_table_t;

static struct dlg_binds dlgb;
static sess_table_t *sessions = NULL;

/* --- usrloc --- */

static void fill_info(ucontact_t *c, ucontact_info_t *ci)
{
	memset(ci, 0, sizeof(*ci));
	ci->ruid = c->ruid;
	ci->c = &c->c;
	ci->received = c->received;
	ci->path = &c->path;
	ci->expires = c->expires;
	ci->q = c->q;
	ci->callid = &c->callid;
	ci->cseq = c->cseq;
	ci->flags = c->flags;
	ci->cflags = c->cflags;
	ci->user_agent = &c->user_agent;
	ci->sock = c->sock;
	ci->methods = c->methods;
	ci->instance = c->instance;
	ci->reg_id = c->reg_id;
	ci->server_id = c->server_id;
	ci->tcpconn_id = c->tcpconn_id;
	ci->keepalive = c->keepalive;
	ci->last_modified = c->last_modified;
}

int reauth_dereg_shorten(str *aor, int expires)
{
	urecord_t *rec = NULL;
	ucontact_t *c;
	ucontact_info_t ci;
	time_t now = time(NULL), until = now + expires;
	int n = 0;

	reauth_ul.lock_udomain(reauth_udomain, aor);
	if(reauth_ul.get_urecord(reauth_udomain, aor, &rec) == 0) {
		for(c = rec->contacts; c; c = c->next) {
			if(!VALID_CONTACT(c, now)
					|| (c->expires != 0 && c->expires <= until))
				continue;
			fill_info(c, &ci);
			ci.expires = until;
			if(reauth_ul.update_ucontact(rec, c, &ci) < 0)
				LM_ERR("cannot shorten contact %.*s of %.*s\n", c->c.len,
						c->c.s, aor->len, aor->s);
			else
				n++;
		}
		reauth_ul.release_urecord(rec);
	}
	reauth_ul.unlock_udomain(reauth_udomain, aor);
	LM_DBG("%d contacts of %.*s expire in %d s\n", n, aor->len, aor->s,
			expires);
	return n;
}

int reauth_dereg_contacts(str *aor)
{
	urecord_t *rec = NULL;
	ucontact_t *c, *next;
	int n = 0;

	reauth_ul.lock_udomain(reauth_udomain, aor);
	if(reauth_ul.get_urecord(reauth_udomain, aor, &rec) == 0) {
		for(c = rec->contacts; c; c = next) {
			next = c->next;
			if(reauth_ul.delete_ucontact(rec, c) < 0)
				LM_ERR("cannot remove a contact of %.*s\n", aor->len, aor->s);
			else
				n++;
		}
		reauth_ul.release_urecord(rec);
	}
	reauth_ul.unlock_udomain(reauth_udomain, aor);
	return n;
}

/* --- sessions --- */

static int uri_to_aor(str *uri, reauth_identity_t *id)
{
	return reauth_identity_to_aor(uri, id) == REAUTH_ID_OK ? 0 : -1;
}

static void sess_add(struct dlg_cell *dlg, str *aor)
{
	sess_t *s;
	unsigned int slot;

	s = shm_malloc(sizeof(sess_t) + aor->len);
	if(s == NULL) {
		SHM_MEM_ERROR;
		return;
	}
	s->dlg = dlg;
	s->hash = core_case_hash(aor, NULL, 0);
	s->aor.s = s->buf;
	s->aor.len = aor->len;
	memcpy(s->buf, aor->s, aor->len);
	slot = s->hash & (SESS_SIZE - 1);
	lock_get(&sessions->lock);
	s->next = sessions->slots[slot];
	sessions->slots[slot] = s;
	sessions->count++;
	lock_release(&sessions->lock);
}

static void sess_forget(struct dlg_cell *dlg)
{
	sess_t **pp, *s;
	int i;

	lock_get(&sessions->lock);
	for(i = 0; i < SESS_SIZE; i++) {
		pp = &sessions->slots[i];
		while((s = *pp) != NULL) {
			if(s->dlg == dlg) {
				*pp = s->next;
				shm_free(s);
				sessions->count--;
			} else {
				pp = &s->next;
			}
		}
	}
	lock_release(&sessions->lock);
}

static void dlg_gone(struct dlg_cell *dlg, int type, struct dlg_cb_params *p)
{
	sess_forget(dlg);
}

static void dlg_confirmed(
		struct dlg_cell *dlg, int type, struct dlg_cb_params *p)
{
	reauth_identity_t caller, callee;

	memset(&caller, 0, sizeof(caller));
	/* the caller by From, the callee by the Request-URI it dialled
	 * (To when the R-URI is a contact without a user) */
	if(uri_to_aor(&dlg->from_uri, &caller) == 0)
		sess_add(dlg, &caller.aor);
	if(uri_to_aor(&dlg->req_uri, &callee) == 0
			|| uri_to_aor(&dlg->to_uri, &callee) == 0)
		if(caller.aor.len != callee.aor.len
				|| strncasecmp(caller.aor.s, callee.aor.s, callee.aor.len))
			sess_add(dlg, &callee.aor);
}

static void dlg_created(struct dlg_cell *dlg, int type, struct dlg_cb_params *p)
{
	if(dlgb.register_dlgcb(dlg, DLGCB_CONFIRMED, dlg_confirmed, 0, 0) < 0
			|| dlgb.register_dlgcb(dlg,
					   DLGCB_TERMINATED | DLGCB_FAILED | DLGCB_EXPIRED
							   | DLGCB_DESTROY,
					   dlg_gone, 0, 0)
					   < 0)
		LM_ERR("cannot follow a dialog\n");
}

int reauth_dereg_init(int track_sessions)
{
	if(!track_sessions)
		return 0;
	if(load_dlg_api(&dlgb) < 0) {
		LM_WARN("dialog module not loaded: sessions will not be ended on"
				" de-registration\n");
		return 0;
	}
	sessions = shm_malloc(sizeof(sess_table_t));
	if(sessions == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(sessions, 0, sizeof(*sessions));
	if(lock_init(&sessions->lock) == NULL)
		return -1;
	if(dlgb.register_dlgcb(NULL, DLGCB_CREATED, dlg_created, 0, 0) < 0) {
		LM_ERR("cannot register dialog callbacks\n");
		return -1;
	}
	return 0;
}

int reauth_sessions_end(str *aors, int n)
{
	struct dlg_cell *found[64];
	unsigned int hash;
	sess_t *s;
	int nf = 0, i, j, dup, ended = 0;

	if(sessions == NULL)
		return 0;
	lock_get(&sessions->lock);
	for(i = 0; i < n; i++) {
		hash = core_case_hash(&aors[i], NULL, 0);
		for(s = sessions->slots[hash & (SESS_SIZE - 1)]; s && nf < 64;
				s = s->next) {
			if(s->hash != hash || s->aor.len != aors[i].len
					|| strncasecmp(s->aor.s, aors[i].s, aors[i].len))
				continue;
			for(dup = 0, j = 0; j < nf; j++)
				dup |= found[j] == s->dlg;
			if(!dup)
				found[nf++] = s->dlg;
		}
	}
	lock_release(&sessions->lock);
	/* Not under our lock: the dialog module takes its own locks, and its
	 * callbacks take ours. A dialog leaves the index on TERMINATED before
	 * it can be destroyed, so these stay valid unless the call ends in this
	 * very instant by itself. */
	for(i = 0; i < nf; i++) {
		if(dlgb.terminate_dlg(found[i], NULL) < 0) {
			LM_WARN("cannot end a dialog of the de-registered user\n");
			continue;
		}
		ended++;
	}
	return ended;
}

int reauth_sessions_count(void)
{
	int n;

	if(sessions == NULL)
		return 0;
	lock_get(&sessions->lock);
	n = sessions->count;
	lock_release(&sessions->lock);
	return n;
}
