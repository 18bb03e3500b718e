/*
 * reauth module - one NOTIFY inside a stored subscription dialog
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include "core/atomic_ops.h"
#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/parser/parse_rr.h"
#include "core/socket_info.h"
#include "core/ut.h"
#include "modules/tm/tm_load.h"

#include "pure/reginfo.h"
#include "pure/subscribe.h"

#include "reauth_db.h"
#include "reauth_mem.h"
#include "reauth_notify_send.h"
#include "reauth_queue.h"
#include "reauth_stats.h"
#include "reauth_str.h"
#include "reauth_subs.h"

int reauth_max_notify_inflight = 1000;

static struct tm_binds tmb;
static str notify_method = str_init("NOTIFY");
/* NOTIFY transactions open, per worker: each paces its own fan-out */
static atomic_t *inflight = NULL;

/* what the final answer to a NOTIFY must find again */
typedef struct notify_key
{
	unsigned int hash;
	unsigned int id;
	notify_origin_t origin;
} notify_key_t;

int reauth_notify_send_init(void)
{
	if(load_tm_api(&tmb) < 0) {
		LM_ERR("cannot bind tm: load the tm module before reauth\n");
		return -1;
	}
	inflight = shm_malloc(reauth_workers * sizeof(atomic_t));
	if(inflight == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(inflight, 0, reauth_workers * sizeof(atomic_t));
	return 0;
}

static atomic_t *inflight_of(unsigned int shard)
{
	return &inflight[shard % (unsigned int)reauth_workers];
}

/* tm: the final answer to a NOTIFY, in whichever process got it */
static void notify_completed(struct cell *t, int type, struct tmcb_params *ps)
{
	notify_key_t *key;
	reauth_job_t *job;

	if(ps->param == NULL || *ps->param == NULL)
		return;
	key = (notify_key_t *)*ps->param;
	reauth_stats_inflight_add(-1);
	atomic_dec(inflight_of(key->origin.shard));
	job = reauth_job_new(REAUTH_JOB_NOTIFY_REPLY, 0);
	if(job) {
		job->shard = key->origin.shard;
		job->hash = key->hash;
		job->id = key->id;
		job->proc_id = key->origin.proc_id;
		job->target = key->origin.target;
		job->code = ps->code;
		reauth_queue_push(job);
	}
	shm_free(key);
	*ps->param = NULL;
}

int reauth_notify_take(
		unsigned int hash, unsigned int id, int remove, notify_out_t *out)
{
	reauth_sub_t *sub;

	memset(out, 0, sizeof(*out));
	reauth_subs_lock(hash);
	sub = reauth_subs_find(hash, id);
	if(sub == NULL) {
		reauth_subs_unlock(hash);
		return -1;
	}
	out->buf = reauth_sub_copy(sub, &out->d);
	if(out->buf == NULL) {
		reauth_subs_unlock(hash);
		return -1;
	}
	out->hash = sub->hash;
	sub->loc_cseq++;
	sub->version++;
	sub->dirty = 1;
	if(remove) {
		if(sub->in_db)
			reauth_db_sub_del(sub->id);
		reauth_subs_remove(sub);
	} else if(reauth_db_mode != REAUTH_DB_NONE) {
		reauth_db_sub_put(sub); /* a copy: the worker writes it, unlocked */
	}
	reauth_subs_unlock(hash);
	return 0;
}

void reauth_notify_out_free(notify_out_t *out)
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

/* Never more NOTIFY transactions of one worker open than
 * max_notify_inflight: a large fan-out waits for answers (or tm's
 * timeouts) instead of filling shared memory with transactions, and holds
 * up only its own worker. */
#define REAUTH_PACE_STEP_US 10000
#define REAUTH_PACE_MAX_US 30000000
static void notify_pace(atomic_t *open)
{
	long waited = 0;

	if(reauth_max_notify_inflight <= 0
			|| atomic_get(open) < reauth_max_notify_inflight)
		return;
	reauth_stats_add(REAUTH_STAT_NOTIFY_PACED, 1);
	while(atomic_get(open) >= reauth_max_notify_inflight
			&& waited < REAUTH_PACE_MAX_US) {
		sleep_us(REAUTH_PACE_STEP_US);
		waited += REAUTH_PACE_STEP_US;
	}
	if(waited >= REAUTH_PACE_MAX_US)
		LM_WARN("%d NOTIFY transactions still open after %d s: sending on\n",
				atomic_get(open), REAUTH_PACE_MAX_US / 1000000);
}

static int notify_headers(notify_out_t *out, const char *terminated,
		time_t now, char *buf, int size)
{
	long left = (long)(out->d.expires - now);
	/* RFC 6665 8.2.1: the package the subscription named */
	const char *ev = sub_event_name((sub_event_pkg_t)out->d.event);

	if(terminated == NULL)
		return snprintf(buf, size,
				"Event: %s\r\nContact: %.*s\r\n"
				"Subscription-State: active;expires=%ld\r\n"
				"Content-Type: " REGINFO_CONTENT_TYPE "\r\n",
				ev, out->d.loc_contact.len, out->d.loc_contact.s, left > 0 ? left : 0);
	return snprintf(buf, size,
			"Event: %s\r\nContact: %.*s\r\n"
			"Subscription-State: terminated%s%s\r\n"
			"Content-Type: " REGINFO_CONTENT_TYPE "\r\n",
			ev, out->d.loc_contact.len, out->d.loc_contact.s,
			*terminated ? ";reason=" : "", terminated);
}

int reauth_notify_send(notify_out_t *out, regstate_identity_t *ids, int nids,
		const char *terminated, notify_origin_t *origin)
{
	char *body_s = NULL;
	size_t body_len = 0;
	char hdrs_buf[1024];
	str hdrs, body;
	dlg_t dlg;
	uac_req_t uac_r;
	notify_key_t *key;
	time_t now = time(NULL);
	int len, rc = -1;

	if(regstate_build_doc(ids, nids,
			   origin->partial ? REGINFO_PARTIAL : REGINFO_FULL,
			   out->d.version, (long)now, &reauth_core_pkg_mem, &body_s,
			   &body_len)
			< 0) {
		LM_ERR("cannot build the reginfo body for %.*s\n", out->d.identity.len,
				out->d.identity.s);
		return -1;
	}
	len = notify_headers(out, terminated, now, hdrs_buf, sizeof(hdrs_buf));
	if(len <= 0 || len >= (int)sizeof(hdrs_buf)) {
		pkg_free(body_s);
		return -1;
	}
	hdrs.s = hdrs_buf;
	hdrs.len = len;
	body.s = body_s;
	body.len = (int)body_len;

	memset(&dlg, 0, sizeof(dlg));
	dlg.id.call_id = out->d.callid;
	dlg.id.rem_tag = out->d.rem_tag;
	dlg.id.loc_tag = out->d.loc_tag;
	dlg.loc_seq.value = out->d.loc_cseq;
	dlg.loc_seq.is_set = 1;
	dlg.loc_uri = out->d.identity;
	dlg.rem_uri = out->d.watcher;
	dlg.rem_target = out->d.rem_target;
	dlg.state = DLG_CONFIRMED;
	dlg.send_sock = socket_of(&out->d.socket);
	if(out->d.route_set.len > 0
			&& parse_rr_body(
					   out->d.route_set.s, out->d.route_set.len, &dlg.route_set)
					   < 0) {
		LM_ERR("bad route set of subscription %u\n", out->d.id);
		pkg_free(body_s);
		return -1;
	}

	key = shm_malloc(sizeof(notify_key_t));
	if(key == NULL) {
		SHM_MEM_ERROR;
		goto done;
	}
	key->hash = out->hash;
	key->id = out->d.id;
	key->origin = *origin;
	set_uac_req(&uac_r, &notify_method, &hdrs, &body, &dlg,
			TMCB_LOCAL_COMPLETED, notify_completed, (void *)key);
	notify_pace(inflight_of(origin->shard));
	/* counted before sending: the answer may come before we return */
	reauth_stats_inflight_add(1);
	atomic_inc(inflight_of(origin->shard));
	rc = tmb.t_request_within(&uac_r);
	if(rc < 0) {
		reauth_stats_inflight_add(-1);
		atomic_dec(inflight_of(origin->shard));
		LM_ERR("cannot send NOTIFY to %.*s (subscription %u)\n",
				out->d.rem_target.len, out->d.rem_target.s, out->d.id);
		shm_free(key);
		reauth_stats_notify_failed();
	} else {
		LM_DBG("NOTIFY version %u sent on subscription %u of %.*s\n",
				out->d.version, out->d.id, out->d.identity.len, out->d.identity.s);
		reauth_stats_notify_sent();
	}
done:
	if(dlg.route_set)
		free_rr(&dlg.route_set);
	pkg_free(body_s);
	return rc < 0 ? -1 : 0;
}
