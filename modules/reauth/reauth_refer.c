/*
 * reauth module - REFER asking a UE to register again
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * When no reg event subscription of the UE accepted the re-authentication
 * NOTIFY, each registered contact of the set gets an out-of-dialog REFER
 * (RFC 3515) whose Refer-To asks for a REGISTER to this registrar,
 * routed like any request to that contact: through its Path, from the
 * socket it registered on, to its received address (NAT, or the TCP
 * connection it registered over: tm then reuses that connection).
 * "Refer-Sub: false" with "Supported: norefersub" (RFC 4488) spares the
 * UE the implicit subscription; not "Require": a UE without the
 * extension would refuse the REFER with 420 instead of registering.
 * The final answer comes back as a job.
 */

#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/hashes.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/parser/parse_rr.h"
#include "core/parser/parse_uri.h"
#include "core/rand/kam_rand.h"
#include "core/socket_info.h"
#include "modules/tm/tm_load.h"

#include "reauth_identity.h"
#include "reauth_queue.h"
#include "reauth_refer.h"
#include "reauth_stats.h"
#include "reauth_str.h"

/* "" = <sip:DOMAIN;method=REGISTER>, DOMAIN of the re-authenticated
 * identity; else the URI to put in Refer-To */
str reauth_refer_to = STR_NULL;

static struct tm_binds tmb;
static str refer_method = str_init("REFER");

typedef struct refer_target
{
	str uri;
	str path;
	str sock; /* proto:ip:port it registered on */
	str received;
	str identity;
} refer_target_t;

int reauth_refer_init(void)
{
	if(load_tm_api(&tmb) < 0) {
		LM_ERR("cannot bind tm\n");
		return -1;
	}
	return 0;
}

typedef struct contacts_walk
{
	reauth_contact_ref_t *refs;
	int n, max, identity;
} contacts_walk_t;

static int contact_ref(urecord_t *r, ucontact_t *c, void *arg)
{
	contacts_walk_t *w = arg;
	unsigned int h = core_hash(&c->c, NULL, 0);
	int j;

	for(j = 0; j < w->n; j++)
		if(w->refs[j].uri_hash == h)
			return 0; /* one REFER per UE, whatever it registered */
	if(w->n >= w->max)
		return 1;
	w->refs[w->n].uri_hash = h;
	w->refs[w->n].identity = w->identity;
	w->n++;
	return 0;
}

int reauth_refer_contacts(
		str *aors, int naors, reauth_contact_ref_t *refs, int max)
{
	contacts_walk_t w = {refs, 0, max, 0};

	for(w.identity = 0; w.identity < naors; w.identity++)
		reauth_ul_each(&aors[w.identity], REAUTH_UL_VALID, contact_ref, &w);
	return w.n;
}

/* copy the contact with that URI hash into t (pkg strings in *buf) */
typedef struct contact_find
{
	unsigned int uri_hash;
	refer_target_t *t;
	char *buf;
} contact_find_t;

static int contact_copy(urecord_t *r, ucontact_t *c, void *arg)
{
	contact_find_t *f = arg;
	char *p;

	if(core_hash(&c->c, NULL, 0) != f->uri_hash)
		return 0;
	f->buf = pkg_malloc(c->c.len + c->path.len + c->received.len
						+ (c->sock ? c->sock->sock_str.len : 0) + 4);
	if(f->buf == NULL) {
		PKG_MEM_ERROR;
		return 1;
	}
	p = f->buf;
	reauth_str_pack(&f->t->uri, &c->c, &p);
	reauth_str_pack(&f->t->path, &c->path, &p);
	reauth_str_pack(&f->t->received, &c->received, &p);
	if(c->sock)
		reauth_str_pack(&f->t->sock, &c->sock->sock_str, &p);
	else
		f->t->sock.len = 0;
	return 1;
}

/* tm: the final answer to a REFER */
static void refer_completed(struct cell *t, int type, struct tmcb_params *ps)
{
	reauth_refer_dest_t *key;
	reauth_job_t *job;

	if(ps->param == NULL || *ps->param == NULL)
		return;
	key = (reauth_refer_dest_t *)*ps->param;
	job = reauth_job_new(REAUTH_JOB_REFER_REPLY, 0);
	if(job) {
		job->shard = key->shard;
		job->proc_id = key->proc_id;
		job->target = key->target;
		job->code = ps->code;
		reauth_queue_push(job);
	}
	shm_free(key);
	*ps->param = NULL;
}

/* the host of an identity URI: the registrar's domain */
static int identity_domain(str *identity, str *host)
{
	struct sip_uri puri;

	if(parse_uri(identity->s, identity->len, &puri) < 0 || puri.host.len <= 0)
		return -1;
	*host = puri.host;
	return 0;
}

static int refer_one(reauth_refer_dest_t *dest, refer_target_t *t)
{
	char hdrs_buf[2048], from_buf[REAUTH_AOR_MAX + 16], callid_buf[128];
	str hdrs, from, domain, next_hop = STR_NULL, callid;
	str hostport = STR_NULL, proto = STR_NULL;
	char *colon;
	rr_t *rr = NULL;
	uac_req_t uac_r;
	reauth_refer_dest_t *param;
	struct socket_info *si, *csi;
	int len, rc;

	if(identity_domain(&t->identity, &domain) < 0)
		return -1;
	len = snprintf(
			from_buf, sizeof(from_buf), "sip:%.*s", domain.len, domain.s);
	if(len <= 0 || len >= (int)sizeof(from_buf))
		return -1;
	from.s = from_buf;
	from.len = len;

	si = t->sock.len > 0 ? lookup_local_socket(&t->sock) : NULL;
	/* our Contact from the socket ("proto:host:port", IPv6 in brackets),
	 * as the subscriptions build theirs */
	csi = si ? si : get_first_socket();
	if(csi && (colon = memchr(csi->sock_str.s, ':', csi->sock_str.len))) {
		proto.s = csi->sock_str.s;
		proto.len = (int)(colon - proto.s);
		hostport.s = colon + 1;
		hostport.len = csi->sock_str.len - proto.len - 1;
	}
	len = snprintf(hdrs_buf, sizeof(hdrs_buf),
			"%s%.*s%s"
			"Refer-To: <%.*s%.*s%s>\r\n"
			"Refer-Sub: false\r\n"
			"Supported: norefersub\r\n"
			"Referred-By: <%.*s>\r\n"
			"Contact: <sip:%.*s;transport=%.*s>\r\n",
			t->path.len ? "Route: " : "", t->path.len, t->path.s,
			t->path.len ? "\r\n" : "", reauth_refer_to.len ? 0 : 4,
			"sip:", reauth_refer_to.len ? reauth_refer_to.len : domain.len,
			reauth_refer_to.len ? reauth_refer_to.s : domain.s,
			reauth_refer_to.len ? "" : ";method=REGISTER", from.len, from.s,
			hostport.len, hostport.s, proto.len, proto.s);
	if(len <= 0 || len >= (int)sizeof(hdrs_buf))
		return -1;
	hdrs.s = hdrs_buf;
	hdrs.len = len;

	/* the first Path hop, else where the REGISTER came from (NAT) */
	if(t->path.len > 0) {
		if(parse_rr_body(t->path.s, t->path.len, &rr) < 0 || rr == NULL)
			return -1;
		next_hop = rr->nameaddr.uri;
	} else if(t->received.len > 0) {
		next_hop = t->received;
	}

	param = shm_malloc(sizeof(*param));
	if(param == NULL) {
		SHM_MEM_ERROR;
		if(rr)
			free_rr(&rr);
		return -1;
	}
	*param = *dest;
	param->aor = param->identity = NULL; /* the caller's */
	set_uac_req(&uac_r, &refer_method, &hdrs, NULL, NULL, TMCB_LOCAL_COMPLETED,
			refer_completed, (void *)param);
	if(t->sock.len > 0)
		uac_r.ssock = &t->sock;
	/* a Call-ID the script can tell: NOTIFYs of an implicit refer
	 * subscription (a UE that ignored Refer-Sub: false) are answered, not
	 * refused, in this dialog (etc/kamailio.cfg, route[REFER_NOTIFY]) */
	len = snprintf(callid_buf, sizeof(callid_buf),
			REAUTH_REFER_CALLID_PREFIX "%x.%x.%x@%.*s", dest->proc_id,
			dest->target, (unsigned int)kam_rand(), domain.len, domain.s);
	if(len > 0 && len < (int)sizeof(callid_buf)) {
		callid.s = callid_buf;
		callid.len = len;
		uac_r.callid = &callid;
	}
	rc = tmb.t_request(&uac_r, &t->uri, &t->identity, &from,
			next_hop.len ? &next_hop : NULL);
	if(rr)
		free_rr(&rr);
	if(rc < 0) {
		LM_ERR("cannot send REFER to %.*s\n", t->uri.len, t->uri.s);
		shm_free(param);
		return -1;
	}
	LM_INFO("re-authentication %u: REFER sent to %.*s\n", dest->proc_id,
			t->uri.len, t->uri.s);
	return 0;
}

int reauth_refer_send(reauth_refer_dest_t *dest)
{
	refer_target_t t;
	contact_find_t f;
	int rc;

	memset(&t, 0, sizeof(t));
	memset(&f, 0, sizeof(f));
	f.uri_hash = dest->uri_hash;
	f.t = &t;
	reauth_ul_each(dest->aor, REAUTH_UL_VALID, contact_copy, &f);
	if(f.buf == NULL)
		return -1; /* gone since the trigger */
	t.identity = *dest->identity;
	rc = refer_one(dest, &t);
	pkg_free(f.buf);
	if(rc == 0)
		reauth_stats_add(REAUTH_STAT_REFER_SENT, 1);
	return rc;
}
