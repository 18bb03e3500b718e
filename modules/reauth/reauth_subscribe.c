/*
 * reauth module - SUBSCRIBE handling for the reg event package
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The facts of a SUBSCRIBE are extracted here, core/subscribe decides the
 * answer, the reply goes out statelessly with sl (To-tag, Contact,
 * Expires), and the NOTIFY that must follow is posted to the notifier.
 */

#include <string.h>

#include "core/data_lump_rpl.h"
#include "core/dprint.h"
#include "core/forward.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/parser/contact/parse_contact.h"
#include "core/parser/parse_expires.h"
#include "core/parser/parse_from.h"
#include "core/parser/parse_param.h"
#include "core/parser/parse_rr.h"
#include "core/parser/parse_to.h"
#include "core/parser/parse_uri.h"
#include "core/sr_module.h"
#include "core/ut.h"
#include "modules/sl/sl.h"

#include "reauth_identity.h"
#include "reauth_notify.h"
#include "reauth_queue.h"
#include "reauth_replica.h"
#include "reauth_sets.h"
#include "reauth_stats.h"
#include "reauth_subs.h"
#include "reauth_subscribe.h"
#include "reauth_watcher.h"

#define REAUTH_HDRS_MAX 512

sub_policy_t reauth_sub_policy = {60, 3600, 3600};

static sl_api_t slb;
static str rsub_param = str_init("rsub");

int reauth_subscribe_init(void)
{
	if(sl_load_api(&slb) != 0) {
		LM_ERR("cannot bind sl: load the sl module before reauth\n");
		return -1;
	}
	if(reauth_sub_policy.min_expires < 0
			|| reauth_sub_policy.max_expires < reauth_sub_policy.min_expires) {
		LM_ERR("bad expires limits: min_expires %ld, max_expires %ld\n",
				reauth_sub_policy.min_expires, reauth_sub_policy.max_expires);
		return -1;
	}
	if(reauth_sub_policy.default_expires > reauth_sub_policy.max_expires)
		reauth_sub_policy.default_expires = reauth_sub_policy.max_expires;
	return reauth_watcher_init();
}

/* --- replies --- */

static int reply(sip_msg_t *msg, int code, const char *reason, const char *hdrs,
		int hdrs_len)
{
	str r;

	if(hdrs && hdrs_len > 0
			&& add_lump_rpl(msg, (char *)hdrs, hdrs_len, LUMP_RPL_HDR) == 0) {
		LM_ERR("cannot add reply headers\n");
		code = 500;
		reason = "Server Internal Error";
	}
	r.s = (char *)reason;
	r.len = strlen(reason);
	if(slb.freply(msg, code, &r) < 0) {
		LM_ERR("cannot send %d reply\n", code);
		return -1;
	}
	return 0;
}

static int reply_retry_after(sip_msg_t *msg, long seconds)
{
	char hdrs[64];
	int len;

	len = snprintf(hdrs, sizeof(hdrs), "Retry-After: %ld\r\n", seconds);
	reply(msg, 503, "Service Unavailable", hdrs, len);
	return -503;
}

static int reply_error(sip_msg_t *msg, int code, const char *reason)
{
	char hdrs[REAUTH_HDRS_MAX];
	int len = 0;

	if(code == 489)
		len = snprintf(hdrs, sizeof(hdrs), "Allow-Events: reg%s\r\n",
				reauth_sub_policy.registration_state ? ", registration-state"
													 : "");
	else if(code == 423)
		len = snprintf(hdrs, sizeof(hdrs), "Min-Expires: %ld\r\n",
				reauth_sub_policy.min_expires);
	else if(code == 406)
		len = snprintf(
				hdrs, sizeof(hdrs), "Accept: application/reginfo+xml\r\n");
	reply(msg, code, reason, hdrs, len);
	return -code;
}

static int reply_ok(sip_msg_t *msg, str *contact, long expires)
{
	char hdrs[REAUTH_HDRS_MAX];
	int len;

	len = snprintf(hdrs, sizeof(hdrs), "Contact: %.*s\r\nExpires: %ld\r\n",
			contact->len, contact->s, expires);
	if(len <= 0 || len >= (int)sizeof(hdrs))
		return reply_error(msg, 500, "Server Internal Error");
	return reply(msg, 200, "OK", hdrs, len) < 0 ? -1 : 1;
}

/* the NOTIFY a SUBSCRIBE calls for needs room in the job queue */
#define REAUTH_QUEUE_RETRY_AFTER 5
static int queue_full(sip_msg_t *msg)
{
	if(reauth_queue_admit() == 0)
		return 0;
	LM_NOTICE("SUBSCRIBE from %s: the job queue is full (queue_size %d): 503\n",
			ip_addr2a(&msg->rcv.src_ip), reauth_queue_size);
	return 1;
}

/* --- facts of the request --- */

static void read_event(sip_msg_t *msg, sub_request_t *req)
{
	if(msg->event && msg->event->body.len > 0) {
		req->event = msg->event->body.s;
		req->event_len = msg->event->body.len;
	}
}

/* Accept headers: each is checked, any that admits reginfo will do */
static void read_accept(sip_msg_t *msg, sub_request_t *req)
{
	hdr_field_t *h;

	for(h = msg->headers; h; h = h->next) {
		if(h->type != HDR_ACCEPT_T)
			continue;
		req->accept = h->body.s;
		req->accept_len = h->body.len;
		if(sub_accept_has_reginfo(h->body.s, h->body.len))
			return;
	}
}

static int read_expires(sip_msg_t *msg, sub_request_t *req)
{
	exp_body_t *eb;

	if(msg->expires == NULL)
		return 0;
	if(parse_expires(msg->expires) < 0)
		return -1;
	eb = (exp_body_t *)msg->expires->parsed;
	if(eb == NULL || !eb->valid)
		return -1;
	req->has_expires = 1;
	req->expires = eb->val;
	return 0;
}

/* the value of ;rsub=HASH.ID in the Request-URI of an in-dialog SUBSCRIBE */
static int read_rsub(sip_msg_t *msg, unsigned int *hash, unsigned int *id)
{
	param_hooks_t hooks;
	param_t *params = NULL, *p;
	char buf[64], *dot, *end;
	str list;
	int rc = -1;

	if(parse_sip_msg_uri(msg) < 0)
		return -1;
	list = msg->parsed_uri.params;
	if(list.len <= 0 || parse_params(&list, CLASS_ANY, &hooks, &params) < 0)
		return -1;
	for(p = params; p; p = p->next) {
		if(p->name.len != rsub_param.len
				|| strncasecmp(p->name.s, rsub_param.s, rsub_param.len) != 0)
			continue;
		/* HASH.ID, both hexadecimal */
		if(p->body.len <= 0 || p->body.len >= (int)sizeof(buf))
			break;
		memcpy(buf, p->body.s, p->body.len);
		buf[p->body.len] = '\0';
		if((dot = strchr(buf, '.')) == NULL)
			break;
		*dot = '\0';
		*hash = (unsigned int)strtoul(buf, &end, 16);
		if(*end != '\0' || end == buf)
			break;
		*id = (unsigned int)strtoul(dot + 1, &end, 16);
		if(*end == '\0' && end != dot + 1)
			rc = 0;
		break;
	}
	free_params(params);
	return rc;
}

static int str_eq(str *a, str *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* --- refresh and unsubscribe --- */

static int handle_in_dialog(sip_msg_t *msg, sub_request_t *req)
{
	unsigned int hash, id;
	reauth_sub_t *sub;
	sub_decision_t dec;
	struct to_body *from, *to;
	char contact[REAUTH_SUB_CONTACT_MAX];
	reauth_sub_data_t v;
	unsigned int shard;
	str c;
	int rc, replica;

	from = get_from(msg);
	to = get_to(msg);
	if(read_rsub(msg, &hash, &id) < 0) {
		LM_INFO("in-dialog SUBSCRIBE without a valid rsub parameter\n");
		return reply_error(msg, 481, "Subscription Does Not Exist");
	}
	sub_decide(req, &reauth_sub_policy, &dec);
	if(dec.code != 200)
		return reply_error(msg, dec.code, dec.reason);
	if(queue_full(msg))
		return reply_retry_after(msg, REAUTH_QUEUE_RETRY_AFTER);

	reauth_subs_lock(hash);
	sub = reauth_subs_find(hash, id);
	if(sub)
		reauth_sub_view(sub, &v, contact);
	if(sub == NULL || !str_eq(&v.callid, &msg->callid->body)
			|| !str_eq(&v.rem_tag, &from->tag_value)
			|| !str_eq(&v.loc_tag, &to->tag_value)) {
		reauth_subs_unlock(hash);
		return reply_error(msg, 481, "Subscription Does Not Exist");
	}
	if(v.loc_contact.len <= 0) {
		reauth_subs_unlock(hash);
		return reply_error(msg, 500, "Server Internal Error");
	}
	/* RFC 6665 4.1.2.1: a refresh names the package it refreshes */
	if(v.event != (int)dec.event) {
		reauth_subs_unlock(hash);
		return reply_error(msg, 489, "Bad Event");
	}
	c = v.loc_contact; /* in contact[], ours */
	sub->rem_cseq = get_cseq(msg)->number.len > 0
							? (unsigned int)atoi(get_cseq(msg)->number.s)
							: sub->rem_cseq;
	if(dec.expires > 0)
		sub->expires = time(NULL) + dec.expires;
	sub->dirty = 1;
	reauth_subs_due(sub);
	shard = sub->shard;
	/* another node's (the Contact of an older NOTIFY, a P-CSCF's route):
	 * the owner notifies */
	replica = sub->owner != 0
			  && reauth_replica_forward_refresh(sub, dec.expires) == 0;
	reauth_subs_unlock(hash);

	rc = reply_ok(msg, &c, dec.expires);
	if(replica)
		return rc;
	if(dec.expires == 0)
		reauth_notify_post_terminate(
				hash, id, shard, REAUTH_TERM_UNSUBSCRIBED);
	else
		reauth_notify_post(hash, id, shard);
	return rc;
}

/* --- a new subscription --- */

static int handle_initial(sip_msg_t *msg, sub_request_t *req)
{
	reauth_identity_t ident;
	reauth_id_status_t st;
	struct sip_uri *ruri;
	struct to_body *from;
	contact_body_t *cb;
	sub_decision_t dec;
	reauth_sub_data_t d;
	reauth_sub_t *sub;
	struct socket_info *si = msg->rcv.bind_address;
	reauth_watcher_t w;
	char contact[REAUTH_SUB_CONTACT_MAX];
	str route_set = STR_NULL, identity, totag;
	unsigned int nrr = 0, hash;
	long retry_after;
	int len, rc;

	if(parse_sip_msg_uri(msg) < 0)
		return reply_error(msg, 400, "Bad Request-URI");
	ruri = &msg->parsed_uri;
	identity = msg->new_uri.s ? msg->new_uri : msg->first_line.u.request.uri;
	req->identity_ours = check_self(&ruri->host, 0, 0) == 1;
	if(reauth_identity_to_aor(&identity, &ident) != REAUTH_ID_OK)
		return reply_error(msg, 400, "Bad Request-URI");
	from = get_from(msg);

	/* who is watching, before anything about the user is looked at */
	reauth_watcher_read(msg, &w);
	if(sub_watcher_identity(&w.facts) == NULL) {
		req->watcher = SUB_WATCHER_UNAUTHENTICATED;
	} else {
		st = reauth_identity_lookup(&identity, &ident);
		if(st == REAUTH_ID_ERROR)
			return reply_error(msg, 500, "Server Internal Error");
		req->identity_registered = st == REAUTH_ID_OK;
		req->watcher = reauth_watcher_classify(
				msg, &w, &ident, req->identity_registered);
	}

	sub_decide(req, &reauth_sub_policy, &dec);
	if(dec.code != 200) {
		if(req->watcher == SUB_WATCHER_UNAUTHENTICATED)
			reauth_stats_add(REAUTH_STAT_SUBSCRIBE_UNAUTHENTICATED, 1);
		LM_INFO("SUBSCRIBE to <%.*s> from %s (%s, From <%.*s>): %d %s\n",
				identity.len, identity.s, ip_addr2a(&msg->rcv.src_ip),
				req->watcher == SUB_WATCHER_UNAUTHENTICATED
						? "unauthenticated"
						: sub_watcher_identity(&w.facts),
				from->uri.len, from->uri.s, dec.code, dec.reason);
		return reply_error(msg, dec.code, dec.reason);
	}
	if(queue_full(msg))
		return reply_retry_after(msg, REAUTH_QUEUE_RETRY_AFTER);

	if(parse_contact(msg->contact) < 0
			|| (cb = (contact_body_t *)msg->contact->parsed) == NULL
			|| cb->contacts == NULL)
		return reply_error(msg, 400, "Missing Contact");
	if(parse_record_route_headers(msg) < 0
			|| (msg->record_route
					&& print_rr_body(msg->record_route, &route_set, 0, &nrr)
							   < 0))
		return reply_error(msg, 400, "Bad Record-Route");
	if(slb.get_reply_totag(msg, &totag) < 0) {
		if(route_set.s)
			pkg_free(route_set.s);
		return reply_error(msg, 500, "Server Internal Error");
	}

	memset(&d, 0, sizeof(d));
	d.id = reauth_subs_new_id();
	hash = reauth_subs_hash(&ident.aor);
	len = reauth_sub_contact(
			&si->sock_str, hash, d.id, contact, (int)sizeof(contact));
	if(len <= 0) {
		if(route_set.s)
			pkg_free(route_set.s);
		return reply_error(msg, 500, "Server Internal Error");
	}
	d.aor = ident.aor;
	d.identity = identity;
	d.watcher = from->uri;
	d.callid = msg->callid->body;
	d.rem_tag = from->tag_value;
	d.loc_tag = totag;
	d.rem_target = cb->contacts->uri;
	d.route_set = route_set;
	d.loc_contact.s = contact;
	d.loc_contact.len = len;
	d.socket = si->sock_str;
	d.kind = req->watcher == SUB_WATCHER_UE ? REAUTH_SUB_UE : REAUTH_SUB_OTHER;
	d.event = dec.event;
	d.shard = reauth_sets_shard(&d.identity);
	d.loc_cseq = 1;
	d.rem_cseq = (unsigned int)atoi(get_cseq(msg)->number.s);
	d.version = 0;
	d.expires = time(NULL) + dec.expires;

	reauth_subs_lock(hash);
	/* the id of another node's replica (two nodes with one id tag, said
	 * at their first hello): another id and Contact */
	while(reauth_subs_find(hash, d.id) != NULL) {
		d.id = reauth_subs_new_id();
		d.loc_contact.len = reauth_sub_contact(
				&si->sock_str, hash, d.id, contact, (int)sizeof(contact));
	}
	if(dec.expires > 0
			&& reauth_subs_room(hash, &ident.aor, time(NULL), &retry_after)
					   < 0) {
		reauth_subs_unlock(hash);
		if(route_set.s)
			pkg_free(route_set.s);
		LM_NOTICE("SUBSCRIBE to <%.*s> from %s: subscription table full"
				  " (max_subscriptions %d, per identity %d): 503\n",
				identity.len, identity.s, ip_addr2a(&msg->rcv.src_ip),
				reauth_max_subscriptions,
				reauth_max_subscriptions_per_identity);
		reauth_stats_add(REAUTH_STAT_SUBSCRIBE_REFUSED_FULL, 1);
		return reply_retry_after(msg, retry_after);
	}
	sub = reauth_subs_add(&d);
	reauth_subs_unlock(hash);
	if(route_set.s)
		pkg_free(route_set.s);
	if(sub == NULL)
		return reply_error(msg, 500, "Server Internal Error");

	LM_INFO("subscription %u: %s <%.*s> (%s) watches <%.*s> for %ld s\n", d.id,
			d.kind == REAUTH_SUB_UE ? "UE" : "watcher", from->uri.len,
			from->uri.s, sub_watcher_identity(&w.facts), identity.len,
			identity.s, dec.expires);
	rc = reply_ok(msg, &d.loc_contact, dec.expires);
	/* after the 200: the initial NOTIFY, or the only one for a fetch */
	if(dec.expires == 0)
		reauth_notify_post_terminate(hash, d.id, d.shard, REAUTH_TERM_TIMEOUT);
	else
		reauth_notify_post(hash, d.id, d.shard);
	return rc;
}

int reauth_handle_subscribe(sip_msg_t *msg)
{
	sub_request_t req;

	if(msg->first_line.type != SIP_REQUEST
			|| msg->first_line.u.request.method_value != METHOD_SUBSCRIBE) {
		LM_ERR("reauth_subscribe() called for a message that is not a"
			   " SUBSCRIBE\n");
		return -1;
	}
	if(parse_headers(msg, HDR_EOH_F, 0) < 0 || msg->callid == NULL
			|| msg->cseq == NULL || parse_from_header(msg) < 0
			|| msg->to == NULL || get_to(msg) == NULL) {
		LM_INFO("malformed SUBSCRIBE\n");
		return reply_error(msg, 400, "Bad Request");
	}
	memset(&req, 0, sizeof(req));
	read_event(msg, &req);
	read_accept(msg, &req);
	if(read_expires(msg, &req) < 0)
		return reply_error(msg, 400, "Bad Expires");
	if(get_to(msg)->tag_value.len > 0) {
		req.in_dialog = 1;
		return handle_in_dialog(msg, &req);
	}
	return handle_initial(msg, &req);
}
