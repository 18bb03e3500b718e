/*
 * reauth_apitest - a module that drives reauth through its API
 *
 * This file is part of the reauth module's tests.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * As a Diameter or HTTP front end would: bind_reauth() in mod_init, then
 * start, pending and cancel, here behind three RPC commands so that a test
 * calls them with kamcmd.
 */

#include "core/dprint.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"
#include "core/sr_module.h"

#include "reauth/api.h"

MODULE_VERSION

static reauth_api_t reauth;

static int mod_init(void);

static void rpc_answer(rpc_t *rpc, void *ctx, reauth_trigger_result_t *res)
{
	void *th;

	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "dsd", "code", res->code, "reason", res->reason, "id",
			(int)res->id);
}

/* start and cancel: an identity in, a trigger result out */
static void call_with_identity(rpc_t *rpc, void *ctx,
		void (*fn)(str *identity, reauth_trigger_result_t *res))
{
	reauth_trigger_result_t res = {0, "", 0};
	str id = STR_NULL;

	if(rpc->scan(ctx, "S", &id) < 1)
		return;
	fn(&id, &res);
	rpc_answer(rpc, ctx, &res);
}

static const char *apitest_start_doc[2] = {"reauth API: start <identity>", 0};
static void apitest_start(rpc_t *rpc, void *ctx)
{
	call_with_identity(rpc, ctx, reauth.start);
}

static const char *apitest_cancel_doc[2] = {"reauth API: cancel <identity>", 0};
static void apitest_cancel(rpc_t *rpc, void *ctx)
{
	call_with_identity(rpc, ctx, reauth.cancel);
}

static const char *apitest_pending_doc[2] = {
		"reauth API: pending <identity>", 0};
static void apitest_pending(rpc_t *rpc, void *ctx)
{
	str id = STR_NULL;
	void *th;

	if(rpc->scan(ctx, "S", &id) < 1)
		return;
	if(rpc->add(ctx, "{", &th) == 0)
		rpc->struct_add(th, "d", "pending", reauth.pending(&id));
}

/* clang-format off */
static rpc_export_t apitest_rpc[] = {
	{"apitest.start", apitest_start, apitest_start_doc, 0},
	{"apitest.pending", apitest_pending, apitest_pending_doc, 0},
	{"apitest.cancel", apitest_cancel, apitest_cancel_doc, 0},
	{0, 0, 0, 0}
};

struct module_exports exports = {
	"reauth_apitest", DEFAULT_DLFLAGS, 0, 0, 0, 0, 0, mod_init, 0, 0
};
/* clang-format on */

static int mod_init(void)
{
	if(reauth_load_api(&reauth) < 0)
		return -1;
	if(rpc_register_array(apitest_rpc) != 0) {
		LM_ERR("cannot register RPC commands\n");
		return -1;
	}
	return 0;
}
