/*
 * reauth module - the reg event notifier: usrloc changes to NOTIFYs
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Runs in the module's own process (reauth_worker.c), fed by the job
 * queue: usrloc callbacks, SUBSCRIBE handling and tm reply callbacks only
 * post jobs. Each NOTIFY carries the full state of the subscribed
 * identity (RFC 3680) built by pure/regstate from a usrloc snapshot, and
 * is sent with tm inside the stored dialog; its final answer comes back
 * as a job (481 and timeouts remove the subscription, RFC 6665).
 */

#include <string.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/parser/parse_rr.h"
#include "core/qvalue.h"
#include "core/socket_info.h"
#include "core/sr_module.h"
#include "core/ut.h"
#include "modules/tm/tm_load.h"

#include "pure/reginfo.h"
#include "pure/regstate.h"

#include "reauth_db.h"
#include "reauth_identity.h"
#include "reauth_sets.h"
#include "reauth_mem.h"
#include "reauth_notify.h"
#include "reauth_queue.h"
#include "reauth_stats.h"
#include "reauth_str.h"
#include "reauth_subs.h"

int reauth_notifier_pid = 0;
int reauth_ul_quiet = 0;
int reauth_max_notify_inflight = 1000;

static struct tm_binds tmb;
static str notify_method = str_init("NOTIFY");

/* a subscription's dialog and counters, copied out of its bucket so that
 * building and sending happen without holding the lock */
typedef struct notify_out
{
	unsigned int hash;
	unsigned int id;
	unsigned int cseq; /* the last CSeq used; tm sends cseq + 1 */
	unsigned int version;
	time_t expires;
	str identity, watcher, callid, rem_tag, loc_tag, rem_target, route_set,
			loc_contact, socket;
	char *buf;
} notify_out_t;


static const char *term_reason_name(reauth_term_reason_t r)
{
	switch(r) {
		case REAUTH_TERM_TIMEOUT:
			return "timeout";
		case REAUTH_TERM_NORESOURCE:
			return "noresource";
		case REAUTH_TERM_DEACTIVATED:
			return "deactivated";
		case REAUTH_TERM_REJECTED:
			return "rejected";
		default:
			return NULL;
	}
}

/* --- jobs posted by other processes --- */

void reauth_notify_ul_changed(ucontact_t *c, int type)
{
	reauth_job_t *job;
	unsigned int hash;
	int watched;
	char *p;
	int ev;

	if(type & UL_CONTACT_INSERT)
		ev = REGINFO_EV_CREATED;
	else if(type & UL_CONTACT_UPDATE)
		ev = REGINFO_EV_REFRESHED;
	else if(type & UL_CONTACT_EXPIRE)
		ev = REGINFO_EV_EXPIRED;
	else
		ev = REGINFO_EV_UNREGISTERED;

	/* nobody watches this aor: nothing to do (the common case) */
	hash = reauth_subs_hash(c->aor);
	reauth_subs_lock(hash);
	watched = reauth_subs_first(hash, c->aor) != NULL;
	reauth_subs_unlock(hash);
	if(!watched)
		return;

	job = reauth_job_new(
			REAUTH_JOB_UL_CHANGE, c->aor->len + c->c.len + c->callid.len + 3);
	if(job == NULL)
		return;
	/* NUL-terminated copies: the snapshot hands them to pure/ as is */
	p = job->buf;
	reauth_str_pack(&job->aor, c->aor, &p);
	reauth_str_pack(&job->c_uri, &c->c, &p);
	reauth_str_pack(&job->c_callid, &c->callid, &p);
	job->c_cseq = c->cseq;
	job->c_expires = c->expires;
	job->event = ev;
	reauth_queue_push(job);
}

static int post_sub_job(
		reauth_job_type_t type, unsigned int hash, unsigned int id, int code)
{
	reauth_job_t *job;

	job = reauth_job_new(type, 0);
	if(job == NULL)
		return -1;
	job->hash = hash;
	job->id = id;
	job->code = code;
	reauth_queue_push(job);
	return 0;
}

int reauth_notify_post(unsigned int hash, unsigned int id)
{
	return post_sub_job(REAUTH_JOB_NOTIFY, hash, id, 0);
}

int reauth_notify_post_terminate(
		unsigned int hash, unsigned int id, reauth_term_reason_t reason)
{
	return post_sub_job(REAUTH_JOB_TERMINATE, hash, id, reason);
}

/* what the final answer to a NOTIFY must find again */
typedef struct notify_key
{
	unsigned int hash;
	unsigned int id;
	unsigned int proc_id; /* 0: not a re-authentication NOTIFY */
	int is_ue;
} notify_key_t;

/* tm: the final answer to a NOTIFY, in whichever process got it */
static void notify_completed(struct cell *t, int type, struct tmcb_params *ps)
{
	notify_key_t *key;
	reauth_job_t *job;

	if(ps->param == NULL || *ps->param == NULL)
		return;
	key = (notify_key_t *)*ps->param;
	reauth_stats_inflight_add(-1);
	job = reauth_job_new(REAUTH_JOB_NOTIFY_REPLY, 0);
	if(job) {
		job->hash = key->hash;
		job->id = key->id;
		job->proc_id = key->proc_id;
		job->is_ue = key->is_ue;
		job->code = ps->code;
		reauth_queue_push(job);
	}
	shm_free(key);
	*ps->param = NULL;
}

int reauth_notify_init(void)
{
	if(load_tm_api(&tmb) < 0) {
		LM_ERR("cannot bind tm: load the tm module before reauth\n");
		return -1;
	}
	return 0;
}

/* --- the notifier process --- */

void reauth_snapshot_free(ul_snapshot_t *snap)
{
	if(snap->buf)
		pkg_free(snap->buf);
	if(snap->cts)
		pkg_free(snap->cts);
	memset(snap, 0, sizeof(*snap));
}


/* pack s into the snapshot's buffer; the copy is NUL-terminated */
static const char *snap_str(char **p, str *s)
{
	str copy;

	reauth_str_pack(&copy, s, p);
	return copy.s;
}

/* Copy the valid contacts of aor, plus room for `extra` more. */
int reauth_snapshot_take(str *aor, ul_snapshot_t *snap, size_t extra)
{
	urecord_t *rec = NULL;
	ucontact_t *c;
	size_t n = 0, len = 0, i = 0;
	time_t now = time(NULL);
	unsigned int qlen;
	char *p, *q;
	str qs;

	memset(snap, 0, sizeof(*snap));
	reauth_ul.lock_udomain(reauth_udomain, aor);
	if(reauth_ul.get_urecord(reauth_udomain, aor, &rec) == 0) {
		for(c = rec->contacts; c; c = c->next) {
			if(!VALID_CONTACT(c, now))
				continue;
			n++;
			len += c->c.len + c->callid.len + 8 + 2;
		}
	}
	snap->cts = pkg_malloc((n + extra + 1) * sizeof(regstate_contact_t));
	snap->buf = pkg_malloc(len + 1);
	if(snap->cts == NULL || snap->buf == NULL) {
		if(rec)
			reauth_ul.release_urecord(rec);
		reauth_ul.unlock_udomain(reauth_udomain, aor);
		PKG_MEM_ERROR;
		reauth_snapshot_free(snap);
		return -1;
	}
	p = snap->buf;
	for(c = rec ? rec->contacts : NULL; c && i < n; c = c->next) {
		if(!VALID_CONTACT(c, now))
			continue;
		memset(&snap->cts[i], 0, sizeof(regstate_contact_t));
		snap->cts[i].uri = snap_str(&p, &c->c);
		snap->cts[i].callid = snap_str(&p, &c->callid);
		snap->cts[i].cseq = c->cseq;
		snap->cts[i].expires_at = c->expires;
		snap->cts[i].event = REGINFO_EV_REGISTERED;
		if(c->q != Q_UNSPECIFIED) {
			q = q2str(c->q, &qlen);
			qs.s = q;
			qs.len = qlen;
			snap->cts[i].q = snap_str(&p, &qs);
		}
		i++;
	}
	snap->n = i;
	if(rec)
		reauth_ul.release_urecord(rec);
	reauth_ul.unlock_udomain(reauth_udomain, aor);
	return 0;
}

static int same(const char *a, str *b)
{
	return a && (int)strlen(a) == b->len && memcmp(a, b->s, b->len) == 0;
}

/* Put what usrloc reported into the snapshot: the contact's event, or the
 * contact itself when it is already gone (expired, unregistered). */
static void snapshot_apply(ul_snapshot_t *snap, reauth_job_t *job)
{
	regstate_contact_t *c;
	size_t i;

	for(i = 0; i < snap->n; i++) {
		c = &snap->cts[i];
		if(same(c->uri, &job->c_uri) && same(c->callid, &job->c_callid)) {
			c->event = job->event;
			return;
		}
	}
	if(reginfo_event_ct_state(job->event) == REGINFO_CT_ACTIVE)
		return; /* changed again since: the snapshot is newer */
	c = &snap->cts[snap->n++];
	memset(c, 0, sizeof(*c));
	/* job strings are NUL-terminated and live until the job is freed */
	c->uri = job->c_uri.s;
	c->callid = job->c_callid.s;
	c->cseq = job->c_cseq;
	c->expires_at = job->c_expires;
	c->event = job->event;
}

int reauth_snapshot_active(ul_snapshot_t *snap)
{
	size_t i;

	for(i = 0; i < snap->n; i++)
		if(reginfo_event_ct_state(snap->cts[i].event) == REGINFO_CT_ACTIVE)
			return 1;
	return 0;
}

/* copy the subscription out and take the next CSeq and version */
static int notify_out_take(reauth_sub_t *sub, notify_out_t *out)
{
	size_t len;
	char *p;

	len = sub->identity.len + sub->watcher.len + sub->callid.len
		  + sub->rem_tag.len + sub->loc_tag.len + sub->rem_target.len
		  + sub->route_set.len + sub->loc_contact.len + sub->socket.len + 9;
	memset(out, 0, sizeof(*out));
	out->buf = pkg_malloc(len);
	if(out->buf == NULL) {
		PKG_MEM_ERROR;
		return -1;
	}
	p = out->buf;
#define OUT_COPY(f)                            \
	do {                                       \
		reauth_str_pack(&out->f, &sub->f, &p); \
	} while(0)
	OUT_COPY(identity);
	OUT_COPY(watcher);
	OUT_COPY(callid);
	OUT_COPY(rem_tag);
	OUT_COPY(loc_tag);
	OUT_COPY(rem_target);
	OUT_COPY(route_set);
	OUT_COPY(loc_contact);
	OUT_COPY(socket);
#undef OUT_COPY
	out->hash = sub->hash;
	out->id = sub->id;
	out->cseq = sub->loc_cseq++;
	out->version = sub->version++;
	out->expires = sub->expires;
	sub->dirty = 1;
	return 0;
}

static void notify_out_free(notify_out_t *out)
{
	if(out->buf)
		pkg_free(out->buf);
	out->buf = NULL;
}

static struct socket_info *socket_of(str *sock)
{
	char *host;
	int hlen, port, proto;
	str h;
	char buf[128];

	if(sock->len <= 0 || sock->len >= (int)sizeof(buf))
		return NULL;
	memcpy(buf, sock->s, sock->len);
	buf[sock->len] = '\0';
	if(parse_phostport(buf, &host, &hlen, &port, &proto) < 0)
		return NULL;
	h.s = host;
	h.len = hlen;
	return grep_sock_info(&h, (unsigned short)port, (unsigned short)proto);
}

/* Never more NOTIFY transactions open than max_notify_inflight: a large
 * fan-out waits for answers (or tm's timeouts) instead of filling shared
 * memory with transactions. */
#define REAUTH_PACE_STEP_US 10000
#define REAUTH_PACE_MAX_US 30000000
static void notify_pace(void)
{
	long waited = 0;

	if(reauth_max_notify_inflight <= 0
			|| reauth_stats_inflight() < reauth_max_notify_inflight)
		return;
	reauth_stats_add(REAUTH_STAT_NOTIFY_PACED, 1);
	while(reauth_stats_inflight() >= reauth_max_notify_inflight
			&& waited < REAUTH_PACE_MAX_US) {
		sleep_us(REAUTH_PACE_STEP_US);
		waited += REAUTH_PACE_STEP_US;
	}
	if(waited >= REAUTH_PACE_MAX_US)
		LM_WARN("%ld NOTIFY transactions still open after %d s: sending on\n",
				reauth_stats_inflight(), REAUTH_PACE_MAX_US / 1000000);
}

/* Build and send one NOTIFY listing the identities. terminated: NULL
 * for an active subscription, else the reason ("" for none). */
static int notify_send_ids(notify_out_t *out, regstate_identity_t *ids,
		int nids, const char *terminated, unsigned int proc_id, int is_ue)
{
	char *body_s = NULL;
	size_t body_len = 0;
	char hdrs_buf[1024];
	str hdrs, body;
	dlg_t dlg;
	uac_req_t uac_r;
	notify_key_t *key;
	time_t now = time(NULL);
	long left;
	int len, rc;

	if(regstate_build_body(ids, nids, out->version, (long)now,
			   &reauth_core_pkg_mem, &body_s, &body_len)
			< 0) {
		LM_ERR("cannot build the reginfo body for %.*s\n", out->identity.len,
				out->identity.s);
		return -1;
	}

	left = (long)(out->expires - now);
	if(terminated == NULL)
		len = snprintf(hdrs_buf, sizeof(hdrs_buf),
				"Event: reg\r\nContact: %.*s\r\n"
				"Subscription-State: active;expires=%ld\r\n"
				"Content-Type: " REGINFO_CONTENT_TYPE "\r\n",
				out->loc_contact.len, out->loc_contact.s, left > 0 ? left : 0);
	else
		len = snprintf(hdrs_buf, sizeof(hdrs_buf),
				"Event: reg\r\nContact: %.*s\r\n"
				"Subscription-State: terminated%s%s\r\n"
				"Content-Type: " REGINFO_CONTENT_TYPE "\r\n",
				out->loc_contact.len, out->loc_contact.s,
				*terminated ? ";reason=" : "", terminated);
	if(len <= 0 || len >= (int)sizeof(hdrs_buf)) {
		pkg_free(body_s);
		return -1;
	}
	hdrs.s = hdrs_buf;
	hdrs.len = len;
	body.s = body_s;
	body.len = (int)body_len;

	memset(&dlg, 0, sizeof(dlg));
	dlg.id.call_id = out->callid;
	dlg.id.rem_tag = out->rem_tag;
	dlg.id.loc_tag = out->loc_tag;
	dlg.loc_seq.value = out->cseq;
	dlg.loc_seq.is_set = 1;
	dlg.loc_uri = out->identity;
	dlg.rem_uri = out->watcher;
	dlg.rem_target = out->rem_target;
	dlg.state = DLG_CONFIRMED;
	dlg.send_sock = socket_of(&out->socket);
	if(out->route_set.len > 0
			&& parse_rr_body(
					   out->route_set.s, out->route_set.len, &dlg.route_set)
					   < 0) {
		LM_ERR("bad route set of subscription %u\n", out->id);
		pkg_free(body_s);
		return -1;
	}

	key = shm_malloc(sizeof(notify_key_t));
	if(key == NULL) {
		SHM_MEM_ERROR;
		rc = -1;
		goto done;
	}
	key->hash = out->hash;
	key->id = out->id;
	key->proc_id = proc_id;
	key->is_ue = is_ue;
	set_uac_req(&uac_r, &notify_method, &hdrs, &body, &dlg,
			TMCB_LOCAL_COMPLETED, notify_completed, (void *)key);
	notify_pace();
	/* counted before sending: the answer may come before we return */
	reauth_stats_inflight_add(1);
	rc = tmb.t_request_within(&uac_r);
	if(rc < 0) {
		reauth_stats_inflight_add(-1);
		LM_ERR("cannot send NOTIFY to %.*s (subscription %u)\n",
				out->rem_target.len, out->rem_target.s, out->id);
		shm_free(key);
		reauth_stats_notify_failed();
	} else {
		LM_DBG("NOTIFY version %u sent on subscription %u of %.*s\n",
				out->version, out->id, out->identity.len, out->identity.s);
		reauth_stats_notify_sent();
	}
done:
	if(dlg.route_set)
		free_rr(&dlg.route_set);
	pkg_free(body_s);
	return rc < 0 ? -1 : 0;
}

/* the plain case: the subscribed identity alone */
static int notify_send(
		notify_out_t *out, ul_snapshot_t *snap, const char *terminated)
{
	regstate_identity_t ident;

	memset(&ident, 0, sizeof(ident));
	ident.uri = out->identity.s;
	ident.contacts = snap->cts;
	ident.ncontacts = snap->n;
	return notify_send_ids(out, &ident, 1, terminated, 0, 0);
}

static void sub_persist(reauth_sub_t *sub)
{
	if(reauth_db_mode == REAUTH_DB_WRITE_THROUGH)
		reauth_db_save(sub);
}

/* remove a subscription (bucket locked) and its row */
static void sub_drop(reauth_sub_t *sub)
{
	unsigned int id = sub->id;
	int in_db = sub->in_db;

	reauth_subs_remove(sub);
	if(in_db)
		reauth_db_delete(id);
}

/* Full state to every subscription of aor; the last contact gone ends
 * them (Subscription-State: terminated;reason=noresource). */
void reauth_notify_on_ul_change(reauth_job_t *job)
{
	ul_snapshot_t snap;
	reauth_sub_t *sub, *next;
	notify_out_t *outs = NULL;
	int n = 0, cap = 0, i, ended;

	if(reauth_snapshot_take(&job->aor, &snap, 1) < 0)
		return;
	snapshot_apply(&snap, job);
	ended = !reauth_snapshot_active(&snap);

	reauth_subs_lock(reauth_subs_hash(&job->aor));
	for(sub = reauth_subs_first(reauth_subs_hash(&job->aor), &job->aor); sub;
			sub = next) {
		next = reauth_subs_next(sub, &job->aor);
		if(n == cap) {
			notify_out_t *grown;
			cap = cap ? cap * 2 : 4;
			grown = pkg_realloc(outs, cap * sizeof(*outs));
			if(grown == NULL) {
				PKG_MEM_ERROR;
				break;
			}
			outs = grown;
		}
		if(notify_out_take(sub, &outs[n]) < 0)
			break;
		n++;
		if(ended)
			sub_drop(sub);
		else
			sub_persist(sub);
	}
	reauth_subs_unlock(reauth_subs_hash(&job->aor));

	for(i = 0; i < n; i++) {
		notify_send(&outs[i], &snap, ended ? "noresource" : NULL);
		notify_out_free(&outs[i]);
	}
	if(outs)
		pkg_free(outs);
	reauth_snapshot_free(&snap);
}

/* Full state to one subscription: initial NOTIFY, refresh, or the final
 * one (terminate >= 0: the reason; the subscription is then removed). */
void reauth_notify_on_sub(unsigned int hash, unsigned int id, int terminate)
{
	ul_snapshot_t snap;
	reauth_sub_t *sub;
	notify_out_t out;
	str aor;
	char aor_buf[REAUTH_AOR_MAX];
	const char *reason;

	reauth_subs_lock(hash);
	sub = reauth_subs_find(hash, id);
	if(sub == NULL || sub->aor.len >= (int)sizeof(aor_buf)) {
		reauth_subs_unlock(hash);
		return; /* gone meanwhile */
	}
	memcpy(aor_buf, sub->aor.s, sub->aor.len);
	aor.s = aor_buf;
	aor.len = sub->aor.len;
	reauth_subs_unlock(hash);

	if(reauth_snapshot_take(&aor, &snap, 0) < 0)
		return;

	reauth_subs_lock(hash);
	sub = reauth_subs_find(hash, id);
	if(sub == NULL || notify_out_take(sub, &out) < 0) {
		reauth_subs_unlock(hash);
		reauth_snapshot_free(&snap);
		return;
	}
	if(terminate < 0 && !reauth_snapshot_active(&snap))
		terminate = REAUTH_TERM_NORESOURCE;
	if(terminate >= 0)
		sub_drop(sub);
	else
		sub_persist(sub);
	reauth_subs_unlock(hash);

	reason = terminate >= 0 ? term_reason_name(terminate) : NULL;
	if(terminate >= 0 && reason == NULL)
		reason = "";
	notify_send(&out, &snap, reason);
	notify_out_free(&out);
	reauth_snapshot_free(&snap);
}

void reauth_notify_on_reply(reauth_job_t *job)
{
	reauth_sub_t *sub;

	if(job->code < 300)
		return;
	reauth_stats_notify_failed();
	/* RFC 6665 4.2.2: 481 and a timeout end the subscription */
	if(job->code != 481 && job->code != 408) {
		LM_INFO("NOTIFY of subscription %u answered %d\n", job->id, job->code);
		return;
	}
	reauth_subs_lock(job->hash);
	sub = reauth_subs_find(job->hash, job->id);
	if(sub) {
		LM_INFO("NOTIFY answered %d: removing subscription %u of %.*s by"
				" %.*s\n",
				job->code, sub->id, sub->identity.len, sub->identity.s,
				sub->watcher.len, sub->watcher.s);
		sub_drop(sub);
	}
	reauth_subs_unlock(job->hash);
}

void reauth_notify_count(
		reauth_id_view_t *views, int n, unsigned int *ue, unsigned int *other)
{
	reauth_sub_t *sub;
	unsigned int hash;
	int i;

	*ue = *other = 0;
	for(i = 0; i < n; i++) {
		hash = reauth_subs_hash(&views[i].aor);
		reauth_subs_lock(hash);
		for(sub = reauth_subs_first(hash, &views[i].aor); sub;
				sub = reauth_subs_next(sub, &views[i].aor)) {
			if(sub->kind == REAUTH_SUB_UE)
				(*ue)++;
			else
				(*other)++;
		}
		reauth_subs_unlock(hash);
	}
}

int reauth_notify_user(reauth_id_view_t *views, int n, unsigned int proc_id,
		const char *terminate, unsigned int *other_sent)
{
	regstate_identity_t ids[REAUTH_USER_MAX_IDS];
	notify_out_t *outs = NULL;
	int *kinds = NULL;
	int nout = 0, cap = 0, i;
	unsigned int hash, ue_sent = 0;
	reauth_sub_t *sub, *next;

	*other_sent = 0;
	if(n > REAUTH_USER_MAX_IDS)
		n = REAUTH_USER_MAX_IDS;
	for(i = 0; i < n; i++) {
		memset(&ids[i], 0, sizeof(ids[i]));
		ids[i].uri = views[i].uri.s;
		ids[i].contacts = views[i].snap.cts;
		ids[i].ncontacts = views[i].snap.n;
		ids[i].draft_state = views[i].draft_state;
		ids[i].detail = views[i].detail;
	}
	for(i = 0; i < n; i++) {
		hash = reauth_subs_hash(&views[i].aor);
		reauth_subs_lock(hash);
		for(sub = reauth_subs_first(hash, &views[i].aor); sub; sub = next) {
			next = reauth_subs_next(sub, &views[i].aor);
			if(nout == cap) {
				void *g1, *g2;
				cap = cap ? cap * 2 : 8;
				g1 = pkg_realloc(outs, cap * sizeof(*outs));
				if(g1)
					outs = g1;
				g2 = pkg_realloc(kinds, cap * sizeof(*kinds));
				if(g2)
					kinds = g2;
				if(g1 == NULL || g2 == NULL) {
					PKG_MEM_ERROR;
					break;
				}
			}
			if(notify_out_take(sub, &outs[nout]) < 0)
				break;
			kinds[nout++] = sub->kind;
			if(terminate)
				sub_drop(sub);
			else
				sub_persist(sub);
		}
		reauth_subs_unlock(hash);
	}
	for(i = 0; i < nout; i++) {
		if(notify_send_ids(&outs[i], ids, n, terminate, proc_id,
				   kinds[i] == REAUTH_SUB_UE)
				== 0) {
			if(kinds[i] == REAUTH_SUB_UE)
				ue_sent++;
			else
				(*other_sent)++;
		}
		notify_out_free(&outs[i]);
	}
	if(outs)
		pkg_free(outs);
	if(kinds)
		pkg_free(kinds);
	return (int)ue_sent;
}

/* once a second: subscriptions not refreshed in time end with a final
 * NOTIFY (reason=timeout); write-back mode flushes dirty rows */
void reauth_notify_tick(time_t now)
{
	unsigned int idx, size = reauth_subs_size();
	reauth_sub_t *sub;
	unsigned int *expired = NULL;
	int n = 0, cap = 0, i;

	for(idx = 0; idx < size; idx++) {
		if(reauth_subs_bucket(idx) == NULL)
			continue;
		reauth_subs_lock_idx(idx);
		for(sub = reauth_subs_bucket(idx); sub; sub = sub->next) {
			if(sub->expires <= now) {
				if(n + 2 > cap) {
					unsigned int *grown;
					cap = cap ? cap * 2 : 32;
					grown = pkg_realloc(expired, cap * sizeof(unsigned int));
					if(grown == NULL)
						break;
					expired = grown;
				}
				expired[n++] = sub->hash;
				expired[n++] = sub->id;
			} else if(sub->dirty && reauth_db_mode == REAUTH_DB_WRITE_BACK) {
				reauth_db_save(sub);
			}
		}
		reauth_subs_unlock_idx(idx);
	}
	for(i = 0; i < n; i += 2)
		reauth_notify_on_sub(expired[i], expired[i + 1], REAUTH_TERM_TIMEOUT);
	if(expired)
		pkg_free(expired);
}
