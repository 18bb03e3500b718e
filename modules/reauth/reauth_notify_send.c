/*
 * reauth module - one NOTIFY inside a stored subscription dialog
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The dialog is rebuilt from the stored subscription: its socket, its
 * route set, its remote target (which may carry the ;alias of a TCP
 * connection, restored by tm). A NOTIFY too large for UDP goes over TCP
 * (RFC 3261 18.1.1), or is not sent and is counted.
 */

#include <errno.h>
#include <semaphore.h>
#include <string.h>
#include <time.h>

#include "core/atomic_ops.h"
#include "core/cfg_core.h"
#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/parser/parse_rr.h"
#include "core/parser/parse_uri.h"
#include "core/socket_info.h"
#include "core/ut.h"
#include "modules/tm/tm_load.h"

#include "pure/reginfo.h"
#include "pure/subscribe.h"

#include "reauth_db.h"
#include "reauth_dmq.h"
#include "reauth_mem.h"
#include "reauth_notify_send.h"
#include "reauth_queue.h"
#include "reauth_replica.h"
#include "reauth_stats.h"
#include "reauth_str.h"
#include "reauth_subs.h"

int reauth_max_notify_inflight = 1000;

static struct tm_binds tmb;
static str notify_method = str_init("NOTIFY");
/* NOTIFY transactions open, per worker: each paces its own fan-out; a
 * worker waiting for room sleeps on room, posted by the answers */
typedef struct notify_window
{
	atomic_t open;
	atomic_t waiting;
	sem_t room;
} notify_window_t;
static notify_window_t *windows = NULL;

/* what the final answer to a NOTIFY must find again */
typedef struct notify_key
{
	unsigned int hash;
	unsigned int id;
	notify_origin_t origin;
} notify_key_t;

int reauth_notify_send_init(void)
{
	int i;

	if(load_tm_api(&tmb) < 0) {
		LM_ERR("cannot bind tm: load the tm module before reauth\n");
		return -1;
	}
	windows = shm_malloc(reauth_workers * sizeof(notify_window_t));
	if(windows == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(windows, 0, reauth_workers * sizeof(notify_window_t));
	for(i = 0; i < reauth_workers; i++) {
		if(sem_init(&windows[i].room, 1, 0) < 0) {
			LM_ERR("sem_init: %s\n", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static notify_window_t *window_of(unsigned int shard)
{
	return &windows[shard % (unsigned int)reauth_workers];
}

/* a NOTIFY of the window got its final answer (or was never sent) */
static void window_close_one(notify_window_t *w)
{
	reauth_stats_inflight_add(-1);
	atomic_dec(&w->open);
	if(atomic_get(&w->waiting))
		sem_post(&w->room);
}

/* tm: the final answer to a NOTIFY, in whichever process got it */
static void notify_completed(struct cell *t, int type, struct tmcb_params *ps)
{
	notify_key_t *key;
	reauth_job_t *job;

	if(ps->param == NULL || *ps->param == NULL)
		return;
	key = (notify_key_t *)*ps->param;
	window_close_one(window_of(key->origin.shard));
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
	/* a replica gets its NOTIFYs from its owner only; a record loaded at
	 * start waits for the pool's word on it */
	if(sub == NULL || sub->owner
			|| reauth_loaded_on_hold(sub->loaded, time(NULL))) {
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
	if(remove == REAUTH_TAKE_REMOVE) {
		if(sub->in_db)
			reauth_db_sub_del(sub->id);
		reauth_subs_remove(sub);
	} else if(reauth_db_mode != REAUTH_DB_NONE) {
		reauth_db_sub_put(sub); /* a copy: the worker writes it, unlocked */
		reauth_subs_due(sub);	/* still dirty when the batch refused it */
	}
	reauth_subs_unlock(hash);

	/* the pool learns it before the NOTIFY goes ("bump, then send"):
	 * the record as it is now */
	if(reauth_dmq_enable) {
		reauth_sub_data_t now = out->d;

		now.loc_cseq++;
		now.version++;
		if(remove == REAUTH_TAKE_REMOVE)
			reauth_replica_send_del(&now);
		else if(remove == REAUTH_TAKE_PUT)
			reauth_replica_send_put(&now);
		else
			reauth_replica_send_seq(&now);
	}
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
 * max_notify_inflight: a large fan-out is clocked by the answers (or tm's
 * timeouts) instead of flooding the SIP workers and filling shared memory
 * with transactions, and holds up only its own worker. */
#define REAUTH_PACE_STEP_MS 10
#define REAUTH_PACE_MAX_MS 30000
static void notify_pace(notify_window_t *w)
{
	struct timespec ts;
	long waited = 0;

	if(reauth_max_notify_inflight <= 0
			|| atomic_get(&w->open) < reauth_max_notify_inflight)
		return;
	reauth_stats_add(REAUTH_STAT_NOTIFY_PACED, 1);
	atomic_set(&w->waiting, 1);
	while(atomic_get(&w->open) >= reauth_max_notify_inflight
			&& waited < REAUTH_PACE_MAX_MS) {
		/* an answer posts room; the step bounds a missed post */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += REAUTH_PACE_STEP_MS * 1000000L;
		if(ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if(sem_timedwait(&w->room, &ts) < 0 && errno == ETIMEDOUT)
			waited += REAUTH_PACE_STEP_MS;
	}
	atomic_set(&w->waiting, 0);
	if(waited >= REAUTH_PACE_MAX_MS)
		LM_WARN("%d NOTIFY transactions still open after %d s: sending on\n",
				atomic_get(&w->open), REAUTH_PACE_MAX_MS / 1000);
}

static int notify_headers(notify_out_t *out, const char *terminated, time_t now,
		char *buf, int size)
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

/* --- RFC 3261 18.1.1: a NOTIFY too large for UDP goes over TCP ---
 * Kamailio's udp_mtu / udp_mtu_try_proto apply this rule to forwarded
 * requests only, not to tm's own; the same rule here, for the NOTIFY.
 * Past the largest UDP datagram the NOTIFY can only go over TCP: without
 * a TCP socket it is not sent at all (udp_send would fail with "Message
 * too long" and the watcher would wait in vain), and that is said. */
#define REAUTH_UDP_MAX 65507 /* the UDP payload of an IPv4 datagram */
/* what tm adds to the NOTIFY besides our headers and body: start line,
 * Via, Max-Forwards, From, To, Call-ID, CSeq, Route, User-Agent,
 * Content-Length */
#define REAUTH_NOTIFY_OVERHEAD 400
#define REAUTH_HOP_MAX 320

static int notify_size(notify_out_t *out, int hdrs_len, int body_len)
{
	return hdrs_len + body_len + 2 * out->d.rem_target.len + out->d.identity.len
		   + out->d.watcher.len + out->d.callid.len + out->d.rem_tag.len
		   + out->d.loc_tag.len + out->d.route_set.len + REAUTH_NOTIFY_OVERHEAD;
}

/* a TCP socket to send from: the one on the UDP socket's address and
 * port, else the first of the same address family */
static struct socket_info *tcp_socket_for(struct socket_info *udp)
{
	struct socket_info **list, *si;

	if(udp == NULL)
		return NULL;
	si = find_si(&udp->address, udp->port_no, PROTO_TCP);
	if(si)
		return si;
	list = get_sock_info_list(PROTO_TCP);
	for(si = list ? *list : NULL; si; si = si->next)
		if(si->address.af == udp->address.af)
			return si;
	return NULL;
}

/* "sip:HOST[:PORT];transport=tcp[;lr]" for a next hop URI */
static int tcp_next_hop(str *hop, int lr, char *buf, int size, str *out)
{
	struct sip_uri u;
	int len;

	if(parse_uri(hop->s, hop->len, &u) < 0 || u.host.len <= 0)
		return -1;
	if(u.transport_val.len > 0
			&& (u.transport_val.len != 3
					|| strncasecmp(u.transport_val.s, "udp", 3) != 0))
		return -1; /* it names a transport already: not ours to change */
	len = snprintf(buf, size, "sip:%.*s%s%.*s;transport=tcp%s", u.host.len,
			u.host.s, u.port.len ? ":" : "", u.port.len, u.port.s,
			lr ? ";lr" : "");
	if(len <= 0 || len >= size)
		return -1;
	out->s = buf;
	out->len = len;
	return 0;
}

/* 0: send as it is; 1: dlg now goes over TCP (hop in buf); -1: too large,
 * no way to send it */
static int notify_transport(notify_out_t *out, dlg_t *dlg, int size, char *buf,
		int buf_size, str *hop)
{
	struct socket_info *tcp;
	struct sip_uri ru;
	int mtu = cfg_get(core, core_cfg, udp_mtu);
	int try_proto = cfg_get(core, core_cfg, udp_mtu_try_proto);

	if(dlg->send_sock && dlg->send_sock->proto != PROTO_UDP)
		return 0;
	if(!(mtu > 0 && try_proto == PROTO_TCP && size > mtu)
			&& size <= REAUTH_UDP_MAX)
		return 0;
	/* the next hop: the first route (loose routing only; tm prints the
	 * Route headers from their raw text, so the rr's URI is ours to point
	 * at TCP) or the remote target */
	tcp = tcp_socket_for(dlg->send_sock);
	if(tcp && dlg->route_set) {
		if(parse_uri(dlg->route_set->nameaddr.uri.s,
				   dlg->route_set->nameaddr.uri.len,
				   &ru) < 0
				|| ru.lr.s == NULL
				|| tcp_next_hop(
						   &dlg->route_set->nameaddr.uri, 1, buf, buf_size, hop)
						   < 0)
			tcp = NULL;
	} else if(tcp
			  && tcp_next_hop(&dlg->rem_target, 0, buf, buf_size, hop) < 0) {
		tcp = NULL;
	}
	if(tcp == NULL) {
		if(size <= REAUTH_UDP_MAX)
			return 0; /* over udp_mtu only: UDP still carries it */
		LM_ERR("NOTIFY of about %d bytes on subscription %u of %.*s does not"
			   " fit a UDP datagram and cannot go over TCP (%s): not sent"
			   " (RFC 3261 18.1.1; bound the contacts with registrar"
			   " max_contacts, or listen on TCP)\n",
				size, out->d.id, out->d.identity.len, out->d.identity.s,
				tcp_socket_for(dlg->send_sock)
						? "its next hop names another transport"
						: "no TCP socket");
		reauth_stats_add(REAUTH_STAT_NOTIFY_TOO_LARGE, 1);
		return -1;
	}
	dlg->send_sock = tcp;
	if(dlg->route_set)
		dlg->route_set->nameaddr.uri = *hop;
	else
		dlg->dst_uri = *hop;
	/* past udp_mtu it is the rule (every large NOTIFY): debug only */
	LOG(size > REAUTH_UDP_MAX ? L_INFO : L_DBG,
			"NOTIFY of about %d bytes on subscription %u: over TCP to %.*s"
			" (RFC 3261 18.1.1)\n",
			size, out->d.id, hop->len, hop->s);
	reauth_stats_add(REAUTH_STAT_NOTIFY_OVER_TCP, 1);
	return 1;
}

int reauth_notify_send(notify_out_t *out, regstate_identity_t *ids, int nids,
		const char *terminated, notify_origin_t *origin)
{
	char *body_s = NULL;
	size_t body_len = 0;
	char hdrs_buf[1024];
	str hdrs, body;
	dlg_t dlg;
	char hop_buf[REAUTH_HOP_MAX];
	str hop;
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
	if(notify_transport(out, &dlg, notify_size(out, hdrs.len, body.len),
			   hop_buf, sizeof(hop_buf), &hop)
			< 0) {
		reauth_stats_notify_failed();
		goto done;
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
	notify_pace(window_of(origin->shard));
	/* counted before sending: the answer may come before we return */
	reauth_stats_inflight_add(1);
	atomic_inc(&window_of(origin->shard)->open);
	rc = tmb.t_request_within(&uac_r);
	if(rc < 0) {
		window_close_one(window_of(origin->shard));
		LM_ERR("cannot send NOTIFY to %.*s (subscription %u)\n",
				out->d.rem_target.len, out->d.rem_target.s, out->d.id);
		shm_free(key);
		reauth_stats_notify_failed();
	} else {
		LM_DBG("NOTIFY version %u sent on subscription %u of %.*s\n",
				out->d.version, out->d.id, out->d.identity.len,
				out->d.identity.s);
		reauth_stats_notify_sent();
	}
done:
	if(dlg.route_set)
		free_rr(&dlg.route_set);
	pkg_free(body_s);
	return rc < 0 ? -1 : 0;
}
