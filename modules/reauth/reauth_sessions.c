/*
 * reauth module - the user's ongoing sessions (calls), ended on
 * de-registration
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The index: a reauth_table hashed by aor, one entry per (dialog, aor).
 * The keys of a dialog's entries travel with the dialog as the parameter
 * of its end callback, so forgetting a dialog touches its own buckets
 * only.
 *
 * Ending a call: the dialog module's terminate_dlg() (dlg_bye_all) runs
 * the dialog's TERMINATED callbacks and sends the BYE to the caller, then
 * to the callee. It refuses a leg once the dialog is no longer confirmed,
 * and the 200 of the first leg does exactly that when it is back before
 * the second BYE has left (Kamailio issues #4169, #4268): the callee
 * would stay in the call. So we watch which BYEs it hands to tm in this
 * process (TMCB_LOCAL_REQUEST_IN, matched by Call-ID and To-tag), and send
 * the BYE of a leg it skipped ourselves, built by the dialog module's own
 * build_dlg_t() while we hold a reference to the dialog.
 *
 * The 5.6 dialog API (struct dlg_binds) offers neither a lookup by
 * h_entry/h_id nor build_dlg_t(): dlg_lookup(), dlg_release(),
 * build_dlg_t() and free_tm_dlg() are taken from the loaded dialog module
 * by name, typed by the headers of the Kamailio source we build against.
 */

#include <dlfcn.h>
#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/hashes.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/sr_module.h"
#include "modules/dialog/dlg_hash.h"
#include "modules/dialog/dlg_load.h"
#include "modules/dialog/dlg_req_within.h"
#include "modules/tm/tm_load.h"

#include "reauth_identity.h"
#include "reauth_sessions.h"
#include "reauth_stats.h"
#include "reauth_str.h"
#include "reauth_table.h"

/* one (dialog, aor) */
typedef struct reauth_sess
{
	reauth_tentry_t entry; /* hash: core_case_hash(aor); id: the table's */
	unsigned int h_entry;  /* the dialog, as the dialog module names it */
	unsigned int h_id;
	str aor;
	char buf[];
} reauth_sess_t;

/* where a dialog's entries are: its end callback's parameter */
typedef struct sess_keys
{
	int n;
	unsigned int hash[3];
	unsigned int id[3];
} sess_keys_t;

/* a dialog to end, copied out of the index */
typedef struct sess_ref
{
	unsigned int h_entry;
	unsigned int h_id;
} sess_ref_t;

typedef enum sess_end
{
	SESS_ENDED,	 /* a BYE went to each leg */
	SESS_GONE,	 /* no longer there, or ending by itself */
	SESS_FAILED, /* a leg got no BYE */
} sess_end_t;

#define DLG_END_TYPES                                              \
	(DLGCB_TERMINATED | DLGCB_TERMINATED_CONFIRMED | DLGCB_EXPIRED \
			| DLGCB_DESTROY)

static reauth_table_t *sessions = NULL;
static struct dlg_binds dlgb;
static struct tm_binds tmb;
static __typeof__(dlg_lookup) *x_dlg_lookup;
static __typeof__(dlg_release) *x_dlg_release;
static __typeof__(build_dlg_t) *x_build_dlg_t;
static __typeof__(free_tm_dlg) *x_free_tm_dlg;

/* the dialog (referenced) terminate_dlg() is ending in this process, and
 * the legs it has handed a BYE to tm for (process-local: tm runs the
 * callback in the process that creates the transaction, during
 * terminate_dlg) */
static struct
{
	struct dlg_cell *dlg;
	int sent[2];
} watch;

static str bye_method = str_init("BYE");
static str bye_hdrs = str_init("Max-Forwards: 70\r\n");

static const char *leg_name(int leg)
{
	return leg == DLG_CALLER_LEG ? "caller" : "callee";
}

/* --- the index --- */

static void sess_forget(unsigned int hash, unsigned int id)
{
	reauth_tentry_t *e;

	reauth_table_lock(sessions, hash);
	e = reauth_table_find(sessions, hash, id);
	if(e)
		reauth_table_unlink(sessions, e);
	reauth_table_unlock(sessions, hash);
	if(e)
		shm_free(e);
}

static void keys_forget(sess_keys_t *keys)
{
	int i;

	for(i = 0; i < keys->n; i++)
		sess_forget(keys->hash[i], keys->id[i]);
}

/* every entry of dialog (h_entry, h_id) under these aors */
static void dlg_forget(
		str *aors, int n, unsigned int h_entry, unsigned int h_id)
{
	reauth_sess_t *s, *next;
	unsigned int hash;
	int i;

	for(i = 0; i < n; i++) {
		hash = core_case_hash(&aors[i], NULL, 0);
		reauth_table_lock(sessions, hash);
		for(s = (reauth_sess_t *)reauth_table_first(sessions, hash); s;
				s = next) {
			next = (reauth_sess_t *)s->entry.next;
			if(s->h_entry == h_entry && s->h_id == h_id) {
				reauth_table_unlink(sessions, &s->entry);
				shm_free(s);
			}
		}
		reauth_table_unlock(sessions, hash);
	}
}

static int sess_add(str *aor, struct dlg_cell *dlg, sess_keys_t *keys)
{
	reauth_sess_t *s;

	if(reauth_table_count(sessions) >= REAUTH_SESSIONS_MAX)
		return -1;
	s = shm_malloc(sizeof(reauth_sess_t) + aor->len);
	if(s == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(s, 0, sizeof(reauth_sess_t));
	s->entry.hash = core_case_hash(aor, NULL, 0);
	s->entry.id = reauth_table_new_id(sessions);
	s->h_entry = dlg->h_entry;
	s->h_id = dlg->h_id;
	s->aor.s = s->buf;
	s->aor.len = aor->len;
	memcpy(s->buf, aor->s, aor->len);
	reauth_table_lock(sessions, s->entry.hash);
	reauth_table_link(sessions, &s->entry);
	reauth_table_unlock(sessions, s->entry.hash);
	keys->hash[keys->n] = s->entry.hash;
	keys->id[keys->n] = s->entry.id;
	keys->n++;
	return 0;
}

/* the usrloc keys of the caller (From) and of the callee: the To, and
 * the Request-URI when the dialog was made (the dialog module takes $ru
 * when it creates the dialog: after lookup("location") the contact of the
 * callee, before it the identity dialled); each one once; returns how
 * many */
static int dlg_aors(struct dlg_cell *dlg, reauth_identity_t ids[3])
{
	str *uris[] = {&dlg->from_uri, &dlg->to_uri, &dlg->req_uri};
	int n = 0, i, j, dup;

	for(i = 0; i < 3; i++) {
		if(reauth_identity_to_aor(uris[i], &ids[n]) != REAUTH_ID_OK)
			continue;
		for(dup = 0, j = 0; j < n && !dup; j++)
			dup = reauth_str_ieq(&ids[j].aor, &ids[n].aor);
		if(!dup)
			n++;
	}
	return n;
}

static void untracked(struct dlg_cell *dlg)
{
	static unsigned int here = 0; /* this process's, to pace the log */

	reauth_stats_add(REAUTH_STAT_SESSIONS_UNTRACKED, 1);
	if(here++ % 1000 == 0)
		LM_WARN("session index full (%d entries) or out of memory: call"
				" %.*s will not be ended on de-registration (%u such calls"
				" in this process)\n",
				reauth_table_count(sessions), dlg->callid.len, dlg->callid.s,
				here);
}

/* --- dialog callbacks --- */

static void keys_free(void *keys)
{
	shm_free(keys);
}

static void dlg_gone(struct dlg_cell *dlg, int type, struct dlg_cb_params *p)
{
	keys_forget((sess_keys_t *)*p->param);
}

static void dlg_confirmed(
		struct dlg_cell *dlg, int type, struct dlg_cb_params *p)
{
	reauth_identity_t ids[3];
	sess_keys_t *keys;
	int n, i;

	n = dlg_aors(dlg, ids);
	if(n == 0)
		return;
	keys = shm_malloc(sizeof(sess_keys_t));
	if(keys == NULL) {
		SHM_MEM_ERROR;
		untracked(dlg);
		return;
	}
	memset(keys, 0, sizeof(sess_keys_t));
	for(i = 0; i < n; i++) {
		if(sess_add(&ids[i].aor, dlg, keys) < 0) {
			keys_forget(keys); /* both parties or none */
			shm_free(keys);
			untracked(dlg);
			return;
		}
	}
	if(dlgb.register_dlgcb(dlg, DLG_END_TYPES, dlg_gone, keys, keys_free) < 0) {
		LM_ERR("cannot follow the end of call %.*s\n", dlg->callid.len,
				dlg->callid.s);
		keys_forget(keys);
		shm_free(keys);
		return;
	}
	/* a BYE that passed while we were adding has ended it already */
	if(dlg->state == DLG_STATE_DELETED)
		keys_forget(keys);
}

static void dlg_created(struct dlg_cell *dlg, int type, struct dlg_cb_params *p)
{
	if(dlgb.register_dlgcb(dlg, DLGCB_CONFIRMED, dlg_confirmed, 0, 0) < 0)
		LM_ERR("cannot follow a dialog\n");
}

/* --- ending a call --- */

/* hdr, a header line as tm keeps it, ends with val (before its CRLF)
 * right after lead */
static int hdr_ends_with(str *hdr, const char *lead, str *val)
{
	int len = hdr->len, ll = strlen(lead);

	while(len > 0 && (hdr->s[len - 1] == '\n' || hdr->s[len - 1] == '\r'))
		len--;
	if(val->len <= 0 || len < ll + val->len)
		return 0;
	return memcmp(hdr->s + len - val->len, val->s, val->len) == 0
		   && strncasecmp(hdr->s + len - val->len - ll, lead, ll) == 0;
}

/* tm: a local request is about to become a transaction */
static void local_request(struct cell *t, int type, struct tmcb_params *ps)
{
	struct dlg_cell *dlg = watch.dlg;
	int leg;

	if(dlg == NULL || t->method.len != 3
			|| strncasecmp(t->method.s, "BYE", 3) != 0
			|| !hdr_ends_with(&t->callid, " ", &dlg->callid))
		return;
	for(leg = DLG_CALLER_LEG; leg <= DLG_CALLEE_LEG; leg++)
		if(hdr_ends_with(&t->to, ";tag=", &dlg->tag[leg]))
			watch.sent[leg] = 1;
}

static void own_bye_done(struct cell *t, int type, struct tmcb_params *ps)
{
	/* 481: that leg had left the call already */
	if(ps->code >= 300 && ps->code != 481)
		LM_NOTICE("BYE of the reauth module answered %d (%.*s)\n", ps->code,
				t->callid.len, t->callid.s);
}

/* a BYE to one leg of dlg (referenced by the caller), built as the dialog
 * module builds its own */
static int bye_leg(struct dlg_cell *dlg, int leg)
{
	uac_req_t uac_r;
	dlg_t *td;
	int rc;

	td = x_build_dlg_t(dlg, leg);
	if(td == NULL)
		return -1;
	/* the dialog module's own CSeq margin when PRACK was used */
	if(dlg->iflags & DLG_IFLAG_PRACK)
		td->loc_seq.value += 80;
	set_uac_req(&uac_r, &bye_method, &bye_hdrs, NULL, td, TMCB_LOCAL_COMPLETED,
			own_bye_done, NULL);
	rc = tmb.t_request_within(&uac_r);
	x_free_tm_dlg(td);
	return rc < 0 ? -1 : 0;
}

static sess_end_t end_one(sess_ref_t *ref)
{
	struct dlg_cell *dlg;
	int leg, failed = 0;

	dlg = x_dlg_lookup(ref->h_entry, ref->h_id); /* a reference */
	if(dlg == NULL)
		return SESS_GONE;
	if(dlg->state != DLG_STATE_CONFIRMED
			&& dlg->state != DLG_STATE_CONFIRMED_NA) {
		x_dlg_release(dlg);
		return SESS_GONE; /* ending by itself */
	}
	watch.dlg = dlg;
	watch.sent[0] = watch.sent[1] = 0;
	/* its return value does not say which leg failed: watch says */
	dlgb.terminate_dlg(dlg, NULL);
	watch.dlg = NULL;
	if(!watch.sent[0] && !watch.sent[1] && dlg->state == DLG_STATE_DELETED) {
		/* refused before any BYE: a BYE of a party passed meanwhile */
		x_dlg_release(dlg);
		return SESS_GONE;
	}
	for(leg = DLG_CALLER_LEG; leg <= DLG_CALLEE_LEG; leg++) {
		if(watch.sent[leg])
			continue;
		LM_INFO("call %.*s: no BYE to the %s from the dialog module (%s),"
				" sending it\n",
				dlg->callid.len, dlg->callid.s, leg_name(leg),
				dlg->state == DLG_STATE_DELETED ? "the other leg answered first"
												: "it failed");
		if(bye_leg(dlg, leg) < 0) {
			LM_ERR("call %.*s: cannot send a BYE to the %s\n", dlg->callid.len,
					dlg->callid.s, leg_name(leg));
			failed = 1;
		}
	}
	x_dlg_release(dlg);
	return failed ? SESS_FAILED : SESS_ENDED;
}

/* the dialogs of these aors, each once, into *refs (pkg); returns how
 * many */
static int sess_collect(str *aors, int n, sess_ref_t **refs)
{
	sess_ref_t *r = NULL, *more;
	reauth_sess_t *s;
	unsigned int hash;
	int cap = 0, cnt = 0, i, j;

	for(i = 0; i < n; i++) {
		hash = core_case_hash(&aors[i], NULL, 0);
		reauth_table_lock(sessions, hash);
		for(s = (reauth_sess_t *)reauth_table_first(sessions, hash); s;
				s = (reauth_sess_t *)s->entry.next) {
			if(s->entry.hash != hash || !reauth_str_ieq(&s->aor, &aors[i]))
				continue;
			for(j = 0; j < cnt; j++)
				if(r[j].h_entry == s->h_entry && r[j].h_id == s->h_id)
					break;
			if(j < cnt)
				continue;
			if(cnt == cap) {
				more = pkg_realloc(r, (cap + 16) * sizeof(sess_ref_t));
				if(more == NULL) {
					PKG_MEM_ERROR;
					break;
				}
				r = more;
				cap += 16;
			}
			r[cnt].h_entry = s->h_entry;
			r[cnt].h_id = s->h_id;
			cnt++;
		}
		reauth_table_unlock(sessions, hash);
	}
	*refs = r;
	return cnt;
}

int reauth_sessions_end(str *aors, int n)
{
	sess_ref_t *refs = NULL;
	int cnt, i, ended = 0, failed = 0;

	if(sessions == NULL)
		return 0;
	/* copied out: the dialog module takes its locks, its callbacks ours */
	cnt = sess_collect(aors, n, &refs);
	for(i = 0; i < cnt; i++) {
		switch(end_one(&refs[i])) {
			case SESS_ENDED:
				ended++;
				break;
			case SESS_FAILED:
				failed++;
				break;
			case SESS_GONE:
				/* its end callback has run, or is about to */
				dlg_forget(aors, n, refs[i].h_entry, refs[i].h_id);
				break;
		}
	}
	if(refs)
		pkg_free(refs);
	if(failed)
		reauth_stats_add(REAUTH_STAT_SESSIONS_END_FAILED, failed);
	if(cnt > 0)
		LM_INFO("%d calls: %d ended, %d failed; %d session entries left\n", cnt,
				ended, failed, reauth_table_count(sessions));
	return ended;
}

int reauth_sessions_count(void)
{
	return reauth_table_count(sessions);
}

/* the dialog module's functions that its API does not offer */
static int bind_dialog_internals(void)
{
	char name[] = "dialog";
	sr_module_t *m;

	m = find_module_by_name(name);
	if(m == NULL || m->handle == NULL)
		return -1;
	x_dlg_lookup = (__typeof__(x_dlg_lookup))dlsym(m->handle, "dlg_lookup");
	x_dlg_release = (__typeof__(x_dlg_release))dlsym(m->handle, "dlg_release");
	x_build_dlg_t = (__typeof__(x_build_dlg_t))dlsym(m->handle, "build_dlg_t");
	x_free_tm_dlg = (__typeof__(x_free_tm_dlg))dlsym(m->handle, "free_tm_dlg");
	return x_dlg_lookup && x_dlg_release && x_build_dlg_t && x_free_tm_dlg ? 0
																		   : -1;
}

int reauth_sessions_init(int track, unsigned int size)
{
	if(!track)
		return 0;
	if(load_dlg_api(&dlgb) < 0) {
		LM_WARN("dialog module not loaded: sessions will not be ended on"
				" de-registration\n");
		return 0;
	}
	if(bind_dialog_internals() < 0) {
		LM_ERR("dialog module without dlg_lookup, dlg_release, build_dlg_t"
			   " or free_tm_dlg: not the Kamailio version reauth was built"
			   " for?\n");
		return -1;
	}
	if(load_tm_api(&tmb) < 0) {
		LM_ERR("cannot bind tm\n");
		return -1;
	}
	if(tmb.register_tmcb(0, 0, TMCB_LOCAL_REQUEST_IN, local_request, 0, 0)
			<= 0) {
		LM_ERR("cannot register the tm callback\n");
		return -1;
	}
	sessions = reauth_table_new(size);
	if(sessions == NULL)
		return -1;
	if(dlgb.register_dlgcb(NULL, DLGCB_CREATED, dlg_created, 0, 0) < 0) {
		LM_ERR("cannot register dialog callbacks\n");
		return -1;
	}
	return 0;
}
