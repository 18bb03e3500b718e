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
 */

#include "core/dprint.h"
#include "core/parser/digest/digest.h"
#include "core/parser/msg_parser.h"
#include "core/script_cb.h"

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

int reauth_register_authenticated(void)
{
	struct hdr_field *h = NULL;
	sip_msg_t *msg = routed_msg;

	if(msg == NULL || msg->first_line.type != SIP_REQUEST
			|| msg->first_line.u.request.method_value != METHOD_REGISTER)
		return 0;
	if(msg->authorization && get_authorized_cred(msg->authorization, &h) == 0
			&& h)
		return 1;
	h = NULL;
	if(msg->proxy_auth && get_authorized_cred(msg->proxy_auth, &h) == 0 && h)
		return 1;
	return 0;
}
