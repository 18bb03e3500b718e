/*
 * reauth module - the one entry point shared by cfg, KEMI and RPC triggers
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "core/dprint.h"

#include "reauth_identity.h"
#include "reauth_trigger.h"

void reauth_trigger(str *identity, reauth_trigger_result_t *res)
{
	reauth_identity_t id;
	reauth_id_status_t st;

	st = reauth_identity_lookup(identity, &id);
	res->reason = reauth_identity_reason(st);
	switch(st) {
		case REAUTH_ID_OK:
			break;
		case REAUTH_ID_EMPTY:
		case REAUTH_ID_UNPARSABLE:
			res->code = 400;
			return;
		case REAUTH_ID_NOT_REGISTERED:
			res->code = 404;
			return;
		default:
			res->code = 500;
			return;
	}
	/* The identity is valid and registered; the procedure itself
	 * (NOTIFY, REFER, de-registration) is not part of this version. */
	LM_NOTICE("re-authentication of <%.*s> (aor %.*s, %d contacts)"
			  " requested, but the procedure is not available yet\n",
			identity->len, identity->s, id.aor.len, id.aor.s, id.contacts);
	res->code = 501;
	res->reason = "re-authentication procedure not implemented yet";
}
