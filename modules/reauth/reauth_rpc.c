/*
 * reauth module - RPC commands (kamcmd reauth.*)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "core/dprint.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"

#include <time.h>

#include "pure/subscribe.h"

#include "reauth_dmq.h"
#include "reauth_identity.h"
#include "reauth_proc.h"
#include "reauth_replica.h"
#include "reauth_rpc.h"
#include "reauth_sets.h"
#include "reauth_str.h"
#include "reauth_subs.h"
#include "reauth_trigger.h"

/* the identity parameter every command but list takes; a 400 without it */
static int rpc_identity(rpc_t *rpc, void *ctx, str *identity)
{
	if(rpc->scan(ctx, "S", identity) < 1 || identity->len <= 0) {
		rpc->fault(ctx, 400, "missing identity");
		return -1;
	}
	return 0;
}

static const char *reauth_rpc_user_doc[2] = {
		"Start network-initiated re-authentication of a registered public"
		" identity (its implicit registration set follows) or of a private"
		" identity: reauth.user <identity>",
		0};

static void reauth_rpc_user(rpc_t *rpc, void *ctx)
{
	str identity = STR_NULL;
	reauth_trigger_result_t res;
	void *th;

	if(rpc_identity(rpc, ctx, &identity) < 0)
		return;
	reauth_proc_start(&identity, &res);
	if(res.code != 200) {
		LM_INFO("reauth.user <%.*s%s>: %d %s\n", REAUTH_STR_SHORT(&identity),
				res.code, res.reason);
		rpc->fault(ctx, res.code, "%s: %.*s%s", res.reason,
				REAUTH_STR_SHORT(&identity));
		return;
	}
	if(rpc->add(ctx, "{", &th) < 0) {
		rpc->fault(ctx, 500, "internal error creating response");
		return;
	}
	rpc->struct_add(th, "JSs", "id", (unsigned long long)res.id, "identity", &identity,
			"status", res.reason);
}

static const char *reauth_rpc_list_doc[2] = {
		"List re-authentication procedures, pending and recently finished", 0};

static void reauth_rpc_list(rpc_t *rpc, void *ctx)
{
	reauth_proc_rpc_list(rpc, ctx, NULL);
}

static const char *reauth_rpc_show_doc[2] = {
		"Show the re-authentication procedure of an identity:"
		" reauth.show <identity>",
		0};

static void reauth_rpc_show(rpc_t *rpc, void *ctx)
{
	str identity = STR_NULL;

	if(rpc_identity(rpc, ctx, &identity) < 0)
		return;
	reauth_proc_rpc_list(rpc, ctx, &identity);
}

static const char *reauth_rpc_cancel_doc[2] = {
		"Cancel the pending re-authentication of an identity (no"
		" de-registration): reauth.cancel <identity>",
		0};

static void reauth_rpc_cancel(rpc_t *rpc, void *ctx)
{
	str identity = STR_NULL;
	reauth_trigger_result_t res;
	void *th;

	if(rpc_identity(rpc, ctx, &identity) < 0)
		return;
	reauth_proc_cancel_request(&identity, &res);
	if(res.code != 200) {
		rpc->fault(ctx, res.code, "%s: %.*s%s", res.reason,
				REAUTH_STR_SHORT(&identity));
		return;
	}
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "JSs", "id", (unsigned long long)res.id, "identity", &identity,
			"status", res.reason);
}

static const char *reauth_rpc_reload_doc[2] = {
		"Reload the implicit registration sets from the DB", 0};

static void reauth_rpc_reload(rpc_t *rpc, void *ctx)
{
	void *th;
	int n;

	n = reauth_sets_reload();
	if(n < 0) {
		rpc->fault(ctx, 500, "cannot reload implicit registration sets");
		return;
	}
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "d", "identities", n);
}

static const char *reauth_rpc_subscriptions_doc[2] = {
		"List reg event subscriptions, all (\"*\") or those of one identity,"
		" a page at a time: reauth.subscriptions [identity|*] [offset]"
		" [limit] (limit 50 by default, 500 at most); when more follow, the"
		" last entry says next_offset",
		0};

#define REAUTH_RPC_PAGE 50
#define REAUTH_RPC_PAGE_MAX 500

static int rpc_add_sub(rpc_t *rpc, void *ctx, reauth_sub_t *sub, time_t now)
{
	char contact[REAUTH_SUB_CONTACT_MAX];
	char owner_buf[REAUTH_DMQ_ADDR_MAX];
	const char *owner;
	reauth_sub_data_t v;
	void *th;
	str ev;
	int up;

	if(rpc->add(ctx, "{", &th) < 0)
		return -1;
	reauth_sub_view(sub, &v, contact);
	ev.s = (char *)sub_event_name((sub_event_pkg_t)sub->event);
	ev.len = strlen(ev.s);
	owner = reauth_replica_owner(sub, owner_buf, sizeof(owner_buf), &up);
	return rpc->struct_add(th, "JSSSSSSSSdddddsdsd", "id",
			(unsigned long long)sub->id, "identity",
			&v.identity, "watcher", &v.watcher, "kind",
			sub->kind == REAUTH_SUB_UE ? &(str)str_init("ue")
									   : &(str)str_init("other"),
			"event", &ev,
			"callid", &v.callid, "from_tag", &v.rem_tag, "to_tag", &v.loc_tag,
			"contact", &v.rem_target, "cseq", (int)sub->loc_cseq, "version",
			(int)sub->version, "expires",
			(int)(sub->expires > now ? sub->expires - now : 0), "in_db",
			(int)sub->in_db, "worker", (int)sub->shard, "owner", owner,
			"replica", sub->owner ? 1 : 0, "owner_state", up ? "up" : "down",
			"epoch", (int)sub->epoch);
}

/* one page of a walk: entries before offset are skipped, limit are added */
typedef struct rpc_page
{
	int offset, limit, seen, more;
} rpc_page_t;

static int page_add(
		rpc_t *rpc, void *ctx, rpc_page_t *pg, reauth_sub_t *sub, time_t now)
{
	if(pg->seen++ < pg->offset)
		return 0;
	if(pg->seen > pg->offset + pg->limit) {
		pg->more = 1;
		return -1;
	}
	return rpc_add_sub(rpc, ctx, sub, now) < 0 ? -1 : 0;
}

static void reauth_rpc_subscriptions(rpc_t *rpc, void *ctx)
{
	str identity = STR_NULL;
	reauth_identity_t id;
	reauth_sub_t *sub;
	unsigned int idx, hash;
	rpc_page_t pg = {0, REAUTH_RPC_PAGE, 0, 0};
	time_t now = time(NULL);
	void *th;
	int all;

	if(rpc->scan(ctx, "*S", &identity) < 1)
		identity.len = 0;
	if(rpc->scan(ctx, "*d", &pg.offset) < 1)
		pg.offset = 0;
	if(rpc->scan(ctx, "*d", &pg.limit) < 1)
		pg.limit = REAUTH_RPC_PAGE;
	if(pg.offset < 0 || pg.limit <= 0 || pg.limit > REAUTH_RPC_PAGE_MAX) {
		rpc->fault(ctx, 400, "offset must be >= 0, limit 1..%d",
				REAUTH_RPC_PAGE_MAX);
		return;
	}
	all = identity.len <= 0 || (identity.len == 1 && identity.s[0] == '*');
	if(!all) {
		if(reauth_identity_to_aor(&identity, &id) != REAUTH_ID_OK) {
			rpc->fault(ctx, 400, "%s: %.*s%s",
					reauth_identity_reason(REAUTH_ID_UNPARSABLE),
					REAUTH_STR_SHORT(&identity));
			return;
		}
		hash = reauth_subs_hash(&id.aor);
		reauth_subs_lock(hash);
		for(sub = reauth_subs_first(hash, &id.aor); sub;
				sub = reauth_subs_next(sub, &id.aor))
			if(page_add(rpc, ctx, &pg, sub, now) < 0)
				break;
		reauth_subs_unlock(hash);
	} else {
		for(idx = 0; idx < reauth_subs_size() && !pg.more; idx++) {
			if(reauth_subs_bucket(idx) == NULL)
				continue;
			reauth_subs_lock_idx(idx);
			for(sub = reauth_subs_bucket(idx); sub; sub = sub->next)
				if(page_add(rpc, ctx, &pg, sub, now) < 0)
					break;
			reauth_subs_unlock_idx(idx);
		}
	}
	if(pg.more && rpc->add(ctx, "{", &th) == 0)
		rpc->struct_add(th, "d", "next_offset", pg.offset + pg.limit);
}

/* clang-format off */
static rpc_export_t reauth_rpc_cmds[] = {
	{"reauth.user", reauth_rpc_user, reauth_rpc_user_doc, 0},
	{"reauth.subscriptions", reauth_rpc_subscriptions,
		reauth_rpc_subscriptions_doc, RET_ARRAY},
	{"reauth.list", reauth_rpc_list, reauth_rpc_list_doc, RET_ARRAY},
	{"reauth.show", reauth_rpc_show, reauth_rpc_show_doc, RET_ARRAY},
	{"reauth.cancel", reauth_rpc_cancel, reauth_rpc_cancel_doc, 0},
	{"reauth.reload", reauth_rpc_reload, reauth_rpc_reload_doc, 0},
	{"reauth.nodes", reauth_dmq_rpc_nodes, reauth_dmq_rpc_nodes_doc,
		RET_ARRAY},
	{"reauth.owner", reauth_dmq_rpc_owner, reauth_dmq_rpc_owner_doc, 0},
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
