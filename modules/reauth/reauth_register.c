/*
 * reauth module - was the REGISTER being saved authenticated?
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * usrloc callbacks do not carry the message that caused them. A script
 * callback remembers, per process, the request being routed; when save()
 * changes a contact under re-authentication, the procedure asks whether
 * that request's credentials passed the digest check: only then does the
 * re-REGISTER complete the procedure (TS 24.229 5.4.1.6).
 *
 * The same credentials name the watcher of a SUBSCRIBE: the identity the
 * script authenticated, never the From header.
 */

#include "core/dprint.h"
#include "core/parser/digest/digest.h"
#include "core/parser/msg_parser.h"
#include "core/script_cb.h"

#include "reauth_identity.h"
#include "reauth_register.h"

static sip_msg_t *routed_msg = NULL;

static int remember_msg(sip_msg_t *msg, unsigned int flags, void *param)
{
	routed_msg = msg;
	return 1;
}

static int forget_msg(sip_msg_t *msg, unsigned int flags, void *param)
{
	routed_msg = NULL;
	return 1;
}

int reauth_register_init(void)
{
	if(register_script_cb(remember_msg, PRE_SCRIPT_CB | REQUEST_CB, 0) < 0
			|| register_script_cb(forget_msg, POST_SCRIPT_CB | REQUEST_CB, 0)
					   < 0) {
		LM_ERR("cannot register script callbacks\n");
		return -1;
	}
	return 0;
}

/* the credentials of msg that passed the digest check, or NULL */
static auth_body_t *authorized_cred(sip_msg_t *msg)
{
	struct hdr_field *h = NULL;

	if(msg->authorization && get_authorized_cred(msg->authorization, &h) == 0
			&& h)
		return (auth_body_t *)h->parsed;
	h = NULL;
	if(msg->proxy_auth && get_authorized_cred(msg->proxy_auth, &h) == 0 && h)
		return (auth_body_t *)h->parsed;
	return NULL;
}

int reauth_authorized_aor(sip_msg_t *msg, reauth_identity_t *id)
{
	auth_body_t *cred = authorized_cred(msg);
	str *host;
	char uri[REAUTH_AOR_MAX + 8];
	str u;

	if(cred == NULL || cred->digest.username.user.len <= 0)
		return -1;
	/* username "user@domain" or "user" of the realm */
	host = cred->digest.username.domain.len > 0 ? &cred->digest.username.domain
												: &cred->digest.realm;
	u.len = snprintf(uri, sizeof(uri), "sip:%.*s@%.*s",
			cred->digest.username.user.len, cred->digest.username.user.s,
			host->len, host->s);
	if(u.len <= 0 || u.len >= (int)sizeof(uri))
		return -1;
	u.s = uri;
	return reauth_identity_to_aor(&u, id) == REAUTH_ID_OK ? 0 : -1;
}

int reauth_register_authenticated(void)
{
	sip_msg_t *msg = routed_msg;

	if(msg == NULL || msg->first_line.type != SIP_REQUEST
			|| msg->first_line.u.request.method_value != METHOD_REGISTER)
		return 0;
	return authorized_cred(msg) != NULL;
}
