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
 * socket it registered on. "Refer-Sub: false" (RFC 4488) spares the UE
 * the implicit subscription. The final answer comes back as a job.
 */

#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/parser/parse_rr.h"
#include "core/parser/parse_uri.h"
#include "core/socket_info.h"
#include "modules/tm/tm_load.h"

#include "reauth_identity.h"
#include "reauth_queue.h"
#include "reauth_refer.h"
#include "reauth_stats.h"

#define REFER_MAX_TARGETS 32

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

/* copy the distinct valid contacts of the set into pkg */
static int targets_take(
		reauth_refer_set_t *set, refer_target_t *t, int max, char **buf)
{
	urecord_t *r;
	ucontact_t *c;
	time_t now = time(NULL);
	int n = 0, i, k;
	size_t len = 0;
	char *p = NULL;

	/* two passes: sizes first, so that one pkg block holds everything */
	*buf = NULL;
	for(k = 0; k < 2; k++) {
		if(k == 1) {
			*buf = pkg_malloc(len + 1);
			if(*buf == NULL) {
				PKG_MEM_ERROR;
				return -1;
			}
			p = *buf;
			n = 0;
		}
		for(i = 0; i < set->n; i++) {
			str *aor = &set->aors[i];
			reauth_ul.lock_udomain(reauth_udomain, aor);
			if(reauth_ul.get_urecord(reauth_udomain, aor, &r) == 0) {
				for(c = r->contacts; c; c = c->next) {
					int j, dup = 0;
					if(!VALID_CONTACT(c, now))
						continue;
					if(k == 0) {
						len += c->c.len + c->path.len + c->received.len
							   + set->identities[i].len
							   + (c->sock ? c->sock->sock_str.len : 0) + 5;
						continue;
					}
					for(j = 0; j < n; j++)
						dup |= t[j].uri.len == c->c.len
							   && memcmp(t[j].uri.s, c->c.s, c->c.len) == 0;
					if(dup || n >= max)
						continue;
#define T_COPY(f, src)                     \
	do {                                   \
		t[n].f.s = p;                      \
		t[n].f.len = (src).len;            \
		if((src).len)                      \
			memcpy(p, (src).s, (src).len); \
		p += (src).len;                    \
		*p++ = '\0';                       \
	} while(0)
					T_COPY(uri, c->c);
					T_COPY(path, c->path);
					T_COPY(received, c->received);
					T_COPY(identity, set->identities[i]);
					if(c->sock)
						T_COPY(sock, c->sock->sock_str);
					else
						t[n].sock.len = 0;
#undef T_COPY
					n++;
				}
				reauth_ul.release_urecord(r);
			}
			reauth_ul.unlock_udomain(reauth_udomain, aor);
		}
	}
	return n;
}

int reauth_refer_targets(reauth_refer_set_t *set)
{
	refer_target_t t[REFER_MAX_TARGETS];
	char *buf = NULL;
	int n;

	n = targets_take(set, t, REFER_MAX_TARGETS, &buf);
	if(buf)
		pkg_free(buf);
	return n < 0 ? 0 : n;
}

/* tm: the final answer to a REFER */
static void refer_completed(struct cell *t, int type, struct tmcb_params *ps)
{
	reauth_job_t *job;
	unsigned int *proc_id;

	if(ps->param == NULL || *ps->param == NULL)
		return;
	proc_id = (unsigned int *)*ps->param;
	job = reauth_job_new(REAUTH_JOB_REFER_REPLY, 0);
	if(job) {
		job->proc_id = *proc_id;
		job->code = ps->code;
		reauth_queue_push(job);
	}
	shm_free(proc_id);
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

static int refer_one(reauth_refer_set_t *set, refer_target_t *t)
{
	char hdrs_buf[2048], from_buf[REAUTH_AOR_MAX + 16];
	str hdrs, from, domain, next_hop = STR_NULL;
	rr_t *rr = NULL;
	uac_req_t uac_r;
	unsigned int *param;
	struct socket_info *si;
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
	len = snprintf(hdrs_buf, sizeof(hdrs_buf),
			"%s%.*s%s"
			"Refer-To: <%.*s%.*s%s>\r\n"
			"Refer-Sub: false\r\n"
			"Referred-By: <%.*s>\r\n"
			"Contact: <sip:%.*s:%.*s>\r\n",
			t->path.len ? "Route: " : "", t->path.len, t->path.s,
			t->path.len ? "\r\n" : "", reauth_refer_to.len ? 0 : 4,
			"sip:", reauth_refer_to.len ? reauth_refer_to.len : domain.len,
			reauth_refer_to.len ? reauth_refer_to.s : domain.s,
			reauth_refer_to.len ? "" : ";method=REGISTER", from.len, from.s,
			si ? si->address_str.len : 0, si ? si->address_str.s : "",
			si ? si->port_no_str.len : 0, si ? si->port_no_str.s : "");
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

	param = shm_malloc(sizeof(unsigned int));
	if(param == NULL) {
		SHM_MEM_ERROR;
		if(rr)
			free_rr(&rr);
		return -1;
	}
	*param = set->proc_id;
	set_uac_req(&uac_r, &refer_method, &hdrs, NULL, NULL, TMCB_LOCAL_COMPLETED,
			refer_completed, (void *)param);
	if(t->sock.len > 0)
		uac_r.ssock = &t->sock;
	rc = tmb.t_request(&uac_r, &t->uri, &t->identity, &from,
			next_hop.len ? &next_hop : NULL);
	if(rr)
		free_rr(&rr);
	if(rc < 0) {
		LM_ERR("cannot send REFER to %.*s\n", t->uri.len, t->uri.s);
		shm_free(param);
		return -1;
	}
	LM_INFO("re-authentication %u: REFER sent to %.*s\n", set->proc_id,
			t->uri.len, t->uri.s);
	return 0;
}

int reauth_refer_send(reauth_refer_set_t *set, int max)
{
	refer_target_t t[REFER_MAX_TARGETS];
	char *buf = NULL;
	int n, i, sent = 0;

	if(max > REFER_MAX_TARGETS)
		max = REFER_MAX_TARGETS;
	n = targets_take(set, t, max, &buf);
	for(i = 0; i < n; i++) {
		if(refer_one(set, &t[i]) == 0) {
			sent++;
			reauth_stats_add(REAUTH_STAT_REFER_SENT, 1);
		}
	}
	if(buf)
		pkg_free(buf);
	return sent;
}
