/*
 * reauth module - who is watching: what a SUBSCRIBE proves about its watcher
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The glue reads the facts (credentials the script checked, the trusted
 * source flag, P-Asserted-Identity, whether the request came over one of
 * the user's registered flows); pure/subscribe.c decides who the watcher
 * is and whether it may watch. From proves nothing.
 */

#include <string.h>

#include "core/dprint.h"
#include "core/flags.h"
#include "core/mem/mem.h"
#include "core/parser/parse_from.h"
#include "core/parser/parse_ppi_pai.h"
#include "core/parser/parse_rr.h"
#include "core/parser/parse_uri.h"
#include "core/resolve.h"

#include "reauth_register.h"
#include "reauth_watcher.h"

struct str_list *reauth_trusted_watchers = NULL;
int reauth_watcher_auth = 1;
int reauth_trusted_flag = -1;

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

int reauth_watcher_init(void)
{
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

typedef struct flow_check
{
	sip_msg_t *msg;
	sub_watcher_facts_t *f;
} flow_check_t;

static int flow_of_contact(urecord_t *r, ucontact_t *c, void *arg)
{
	flow_check_t *fc = arg;
	struct sip_uri puri;

	if(fc->f->trusted_source && path_first_uri(&c->path, &puri) == 0
			&& is_source(fc->msg, &puri.host))
		fc->f->via_user_path = 1;
	else if(contact_is_source(fc->msg, c))
		fc->f->on_user_flow = 1;
	return 0;
}

/* Did msg come over a registered flow of aor: from a contact's own
 * address, or (trusted source) from the P-CSCF of a contact's Path? */
static void read_user_flows(sip_msg_t *msg, str *aor, sub_watcher_facts_t *f)
{
	flow_check_t fc = {msg, f};

	reauth_ul_each(aor, REAUTH_UL_VALID, flow_of_contact, &fc);
}

static const char *aor_of(str *uri, reauth_identity_t *id)
{
	return reauth_identity_to_aor(uri, id) == REAUTH_ID_OK ? id->aor_buf : NULL;
}

/* What the request proves about its watcher, before any registration
 * state is read: credentials, trusted source, P-Asserted-Identity. */
void reauth_watcher_read(sip_msg_t *msg, reauth_watcher_t *w)
{
	sub_watcher_facts_t *f = &w->facts;
	p_id_body_t *pai;

	memset(f, 0, sizeof(*f));
	f->require_auth = reauth_watcher_auth;
	f->trusted_source = reauth_trusted_flag >= 0
						&& isflagset(msg, reauth_trusted_flag) == 1;
	if(reauth_authorized_aor(msg, &w->auth) == 0)
		f->auth_aor = w->auth.aor_buf;
	if(f->trusted_source && parse_pai_header(msg) == 0 && msg->pai
			&& (pai = get_pai(msg)) != NULL && pai->id)
		f->asserted_aor = aor_of(&pai->id->uri, &w->asserted);
	f->from_aor = aor_of(&get_from(msg)->uri, &w->from);
}

sub_watcher_kind_t reauth_watcher_classify(sip_msg_t *msg, reauth_watcher_t *w,
		reauth_identity_t *ident, int registered)
{
	const char *user_aors[1] = {ident->aor_buf};

	if(registered)
		read_user_flows(msg, &ident->aor, &w->facts);
	return sub_classify_watcher(
			&w->facts, user_aors, 1, trusted_keys, trusted_n);
}
