/*
 * reauth module - RPC commands (kamcmd reauth.*)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "core/dprint.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"

#include "reauth_rpc.h"
#include "reauth_trigger.h"

static const char *reauth_rpc_user_doc[2] = {
		"Start network-initiated re-authentication of a registered public"
		" identity: reauth.user <identity>",
		0};

static void reauth_rpc_user(rpc_t *rpc, void *ctx)
{
	str identity = STR_NULL;
	reauth_trigger_result_t res;
	void *th;

	if(rpc->scan(ctx, "S", &identity) < 1) {
		rpc->fault(ctx, 400, "missing identity");
		return;
	}
	reauth_trigger(&identity, &res);
	if(res.code != 200) {
		LM_INFO("reauth.user <%.*s>: %d %s\n", identity.len, identity.s,
				res.code, res.reason);
		rpc->fault(ctx, res.code, "%s: %.*s", res.reason, identity.len,
				identity.s);
		return;
	}
	if(rpc->add(ctx, "{", &th) < 0) {
		rpc->fault(ctx, 500, "internal error creating response");
		return;
	}
	rpc->struct_add(th, "Ss", "identity", &identity, "status", res.reason);
}

/* clang-format off */
static rpc_export_t reauth_rpc_cmds[] = {
	{"reauth.user", reauth_rpc_user, reauth_rpc_user_doc, 0},
	{0, 0, 0, 0}
};
/* clang-format on */

int reauth_rpc_init(void)
{
	if(rpc_register_array(reauth_rpc_cmds) != 0) {
		LM_ERR("failed to register RPC commands\n");
		return -1;
	}
	return 0;
}
