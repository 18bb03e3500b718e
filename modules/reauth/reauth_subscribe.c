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
#include "core/flags.h"
#include "core/forward.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/parser/contact/parse_contact.h"
#include "core/parser/parse_expires.h"
#include "core/parser/parse_from.h"
#include "core/parser/parse_param.h"
#include "core/parser/parse_ppi_pai.h"
#include "core/parser/parse_rr.h"
#include "core/parser/parse_to.h"
#include "core/parser/parse_uri.h"
#include "core/sr_module.h"
#include "core/resolve.h"
#include "core/ut.h"
#include "modules/sl/sl.h"

#include "reauth_identity.h"
#include "reauth_notify.h"
#include "reauth_queue.h"
#include "reauth_register.h"
#include "reauth_stats.h"
#include "reauth_subs.h"
#include "reauth_subscribe.h"

#define REAUTH_HDRS_MAX 512

sub_policy_t reauth_sub_policy = {60, 3600, 3600};
struct str_list *reauth_trusted_watchers = NULL;
int reauth_watcher_auth = 1;
int reauth_trusted_flag = -1;

static sl_api_t slb;
static str rsub_param = str_init("rsub");

/* trusted watchers as they are compared: user@host (the usrloc key form)
 * for a URI, the name itself for a bare host; built once in mod_init */
#define REAUTH_MAX_TRUSTED 32
static const char *trusted_keys[REAUTH_MAX_TRUSTED];
static int trusted_n = 0;

static int trusted_prepare(void)
{
	reauth_identity_t tw;
	struct str_list *t;
	char *key;

	for(t = reauth_trusted_watchers; t; t = t->next) {
		if(trusted_n == REAUTH_MAX_TRUSTED) {
			LM_ERR("more than %d trusted_watcher values\n", REAUTH_MAX_TRUSTED);
			return -1;
		}
		if(reauth_identity_to_aor(&t->s, &tw) != REAUTH_ID_OK) {
			trusted_keys[trusted_n++] = t->s.s; /* a bare host */
			continue;
		}
		key = pkg_malloc(tw.aor.len + 1);
		if(key == NULL) {
			PKG_MEM_ERROR;
			return -1;
		}
		memcpy(key, tw.aor.s, tw.aor.len);
		key[tw.aor.len] = '\0';
		trusted_keys[trusted_n++] = key;
	}
	return 0;
}

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
	if(reauth_trusted_flag != -1 && !flag_in_range(reauth_trusted_flag)) {
		LM_ERR("trusted_flag %d out of range\n", reauth_trusted_flag);
		return -1;
	}
	if(!reauth_watcher_auth)
		LM_WARN("watcher_auth is 0: the From header of a SUBSCRIBE is taken"
				" as its watcher, which anyone can forge\n");
	return trusted_prepare();
}

int reauth_add_trusted_watcher(modparam_t type, void *val)
{
	struct str_list *w;
	char *s = (char *)val;

	if(s == NULL || *s == '\0')
		return -1;
	w = pkg_malloc(sizeof(*w));
	if(w == NULL) {
		PKG_MEM_ERROR;
		return -1;
	}
	w->s.s = s;
	w->s.len = strlen(s);
	w->next = reauth_trusted_watchers;
	reauth_trusted_watchers = w;
	return 0;
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
		len = snprintf(hdrs, sizeof(hdrs), "Allow-Events: reg\r\n");
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

/* the first URI of a Path value: the P-CSCF next to the UE */
static int path_first_uri(str *path, struct sip_uri *puri)
{
	rr_t *rr = NULL;
	int rc = -1;

	if(path->len <= 0 || parse_rr_body(path->s, path->len, &rr) < 0 || !rr)
		return -1;
	/* the URI points into path, which outlives rr */
	if(parse_uri(rr->nameaddr.uri.s, rr->nameaddr.uri.len, puri) == 0)
		rc = 0;
	free_rr(&rr);
	return rc;
}

/* host (an IP address, maybe in brackets) is the source address of msg;
 * host names are not resolved */
static int is_source(sip_msg_t *msg, str *host)
{
	ip_addr_t ip;
	str h = *host;

	if(h.len > 2 && h.s[0] == '[' && h.s[h.len - 1] == ']') {
		h.s++;
		h.len -= 2;
	}
	return str2ipxbuf(&h, &ip) == 0 && ip_addr_cmp(&ip, &msg->rcv.src_ip);
}

/* The address a contact sends from: its received URI (NAT), else its URI.
 * The IP address alone: a UE may subscribe from another port than the one
 * it registered (it is authenticated as the user already). */
static int contact_is_source(sip_msg_t *msg, ucontact_t *c)
{
	struct sip_uri puri;
	str *uri = c->received.len > 0 ? &c->received : &c->c;

	if(parse_uri(uri->s, uri->len, &puri) < 0)
		return 0;
	return is_source(msg, &puri.host);
}

/* Did msg come over a registered flow of aor: from a contact's own
 * address, or (trusted source) from the P-CSCF of a contact's Path? */
static void read_user_flows(sip_msg_t *msg, str *aor, sub_watcher_facts_t *f)
{
	urecord_t *rec = NULL;
	ucontact_t *c;
	struct sip_uri puri;
	time_t now = time(NULL);

	reauth_ul.lock_udomain(reauth_udomain, aor);
	if(reauth_ul.get_urecord(reauth_udomain, aor, &rec) == 0) {
		for(c = rec->contacts; c; c = c->next) {
			if(!VALID_CONTACT(c, now))
				continue;
			if(f->trusted_source && path_first_uri(&c->path, &puri) == 0
					&& is_source(msg, &puri.host))
				f->via_user_path = 1;
			else if(contact_is_source(msg, c))
				f->on_user_flow = 1;
		}
		reauth_ul.release_urecord(rec);
	}
	reauth_ul.unlock_udomain(reauth_udomain, aor);
}

/* the usrloc keys the watcher's identities are compared as */
typedef struct watcher_ids
{
	reauth_identity_t auth, asserted, from;
} watcher_ids_t;

static const char *aor_of(str *uri, reauth_identity_t *id)
{
	return reauth_identity_to_aor(uri, id) == REAUTH_ID_OK ? id->aor_buf
														   : NULL;
}

/* What the request proves about its watcher, before any registration
 * state is read: credentials, trusted source, P-Asserted-Identity. */
static void read_watcher_facts(
		sip_msg_t *msg, sub_watcher_facts_t *f, watcher_ids_t *ids)
{
	p_id_body_t *pai;

	memset(f, 0, sizeof(*f));
	f->require_auth = reauth_watcher_auth;
	f->trusted_source =
			reauth_trusted_flag >= 0 && isflagset(msg, reauth_trusted_flag) == 1;
	if(reauth_authorized_aor(msg, &ids->auth) == 0)
		f->auth_aor = ids->auth.aor_buf;
	if(f->trusted_source && parse_pai_header(msg) == 0 && msg->pai
			&& (pai = get_pai(msg)) != NULL && pai->id)
		f->asserted_aor = aor_of(&pai->id->uri, &ids->asserted);
	f->from_aor = aor_of(&get_from(msg)->uri, &ids->from);
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
	char contact[REAUTH_HDRS_MAX];
	str c;
	int rc;

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
	if(sub == NULL || !str_eq(&sub->callid, &msg->callid->body)
			|| !str_eq(&sub->rem_tag, &from->tag_value)
			|| !str_eq(&sub->loc_tag, &to->tag_value)) {
		reauth_subs_unlock(hash);
		return reply_error(msg, 481, "Subscription Does Not Exist");
	}
	if(sub->loc_contact.len >= (int)sizeof(contact)) {
		reauth_subs_unlock(hash);
		return reply_error(msg, 500, "Server Internal Error");
	}
	memcpy(contact, sub->loc_contact.s, sub->loc_contact.len);
	c.s = contact;
	c.len = sub->loc_contact.len;
	sub->rem_cseq = get_cseq(msg)->number.len > 0
							? (unsigned int)atoi(get_cseq(msg)->number.s)
							: sub->rem_cseq;
	if(dec.expires > 0)
		sub->expires = time(NULL) + dec.expires;
	sub->dirty = 1;
	reauth_subs_unlock(hash);

	rc = reply_ok(msg, &c, dec.expires);
	if(dec.expires == 0)
		reauth_notify_post_terminate(hash, id, REAUTH_TERM_UNSUBSCRIBED);
	else
		reauth_notify_post(hash, id);
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
	sub_watcher_facts_t facts;
	watcher_ids_t ids;
	const char *user_aors[1];
	char contact[REAUTH_HDRS_MAX];
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
	read_watcher_facts(msg, &facts, &ids);
	if(sub_watcher_identity(&facts) == NULL) {
		req->watcher = SUB_WATCHER_UNAUTHENTICATED;
	} else {
		st = reauth_identity_lookup(&identity, &ident);
		if(st == REAUTH_ID_ERROR)
			return reply_error(msg, 500, "Server Internal Error");
		req->identity_registered = st == REAUTH_ID_OK;
		if(req->identity_registered)
			read_user_flows(msg, &ident.aor, &facts);
		user_aors[0] = ident.aor_buf;
		req->watcher = sub_classify_watcher(
				&facts, user_aors, 1, trusted_keys, trusted_n);
	}

	sub_decide(req, &reauth_sub_policy, &dec);
	if(dec.code != 200) {
		if(req->watcher == SUB_WATCHER_UNAUTHENTICATED)
			reauth_stats_add(REAUTH_STAT_SUBSCRIBE_UNAUTHENTICATED, 1);
		LM_INFO("SUBSCRIBE to <%.*s> from %s (%s, From <%.*s>): %d %s\n",
				identity.len, identity.s, ip_addr2a(&msg->rcv.src_ip),
				req->watcher == SUB_WATCHER_UNAUTHENTICATED
						? "unauthenticated"
						: sub_watcher_identity(&facts),
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
	len = snprintf(contact, sizeof(contact),
			"<sip:%.*s:%.*s;transport=%s;rsub=%x.%x>", si->address_str.len,
			si->address_str.s, si->port_no_str.len, si->port_no_str.s,
			get_proto_name(si->proto), hash, d.id);
	if(len <= 0 || len >= (int)sizeof(contact)) {
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
	d.loc_cseq = 1;
	d.rem_cseq = (unsigned int)atoi(get_cseq(msg)->number.s);
	d.version = 0;
	d.expires = time(NULL) + dec.expires;

	reauth_subs_lock(hash);
	if(dec.expires > 0
			&& reauth_subs_room(hash, &ident.aor, time(NULL), &retry_after)
					   < 0) {
		reauth_subs_unlock(hash);
		if(route_set.s)
			pkg_free(route_set.s);
		LM_NOTICE("SUBSCRIBE to <%.*s> from %s: subscription table full"
				  " (max_subscriptions %d, per identity %d): 503\n",
				identity.len, identity.s, ip_addr2a(&msg->rcv.src_ip),
				reauth_max_subscriptions, reauth_max_subscriptions_per_identity);
		reauth_stats_add(REAUTH_STAT_SUBSCRIBE_REFUSED_FULL, 1);
		return reply_retry_after(msg, retry_after);
	}
	sub = reauth_subs_add(&d);
	reauth_subs_unlock(hash);
	if(route_set.s)
		pkg_free(route_set.s);
	if(sub == NULL)
		return reply_error(msg, 500, "Server Internal Error");

	LM_INFO("subscription %u: %s <%.*s> (%s) watches <%.*s> for %ld s\n",
			d.id, d.kind == REAUTH_SUB_UE ? "UE" : "watcher", from->uri.len,
			from->uri.s, sub_watcher_identity(&facts), identity.len,
			identity.s, dec.expires);
	rc = reply_ok(msg, &d.loc_contact, dec.expires);
	/* after the 200: the initial NOTIFY, or the only one for a fetch */
	if(dec.expires == 0)
		reauth_notify_post_terminate(hash, d.id, REAUTH_TERM_TIMEOUT);
	else
		reauth_notify_post(hash, d.id);
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
