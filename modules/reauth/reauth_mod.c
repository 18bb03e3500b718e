/*
 * reauth module - network-initiated re-authentication (3GPP TS 24.229)
 * and the registration-state event package (RFC 3680) for a registrar
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Module exports only: parameters, functions, KEMI, init and destroy.
 */

#include <libxml/parser.h>

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/mod_fix.h"
#include "core/parser/parse_to.h"
#include "core/kemi.h"
#include "core/pt.h"
#include "core/cfg/cfg_struct.h"

#include "api.h"
#include "reauth_db.h"
#include "reauth_db_writer.h"
#include "reauth_dmq.h"
#include "reauth_events.h"
#include "reauth_identity.h"
#include "reauth_notify.h"
#include "reauth_proc.h"
#include "reauth_pua.h"
#include "reauth_refer.h"
#include "reauth_register.h"
#include "reauth_proc_replica.h"
#include "reauth_replica.h"
#include "reauth_takeover.h"
#include "reauth_sessions.h"
#include "reauth_sets.h"
#include "reauth_queue.h"
#include "reauth_rpc.h"
#include "reauth_stats.h"
#include "reauth_subs.h"
#include "reauth_subscribe.h"
#include "reauth_trigger.h"
#include "reauth_watcher.h"
#include "reauth_worker.h"

MODULE_VERSION

static char *usrloc_domain = "location";
static str db_url = str_init("sqlite:///var/lib/kamailio/reauth.sqlite");
static int hash_size = 4096;

static int mod_init(void);
static int child_init(int rank);
static void mod_destroy(void);
static int w_reauth_user(sip_msg_t *msg, char *identity, char *p2);
static int w_reauth_subscribe(sip_msg_t *msg, char *p1, char *p2);
static int w_reauth_pending(sip_msg_t *msg, char *p1, char *p2);

/* clang-format off */
static cmd_export_t cmds[] = {
	{"reauth_user", (cmd_function)w_reauth_user, 1, fixup_spve_null,
		fixup_free_spve_null, ANY_ROUTE},
	{"reauth_subscribe", (cmd_function)w_reauth_subscribe, 0, 0, 0,
		REQUEST_ROUTE},
	{"reauth_pending", (cmd_function)w_reauth_pending, 0, 0, 0,
		REQUEST_ROUTE},
	{"bind_reauth", (cmd_function)bind_reauth, 0, 0, 0, 0},
	{0, 0, 0, 0, 0, 0}
};

static param_export_t params[] = {
	{"usrloc_domain", PARAM_STRING, &usrloc_domain},
	{"db_url", PARAM_STR, &db_url},
	{"db_mode", PARAM_INT, &reauth_db_mode},
	{"hash_size", PARAM_INT, &hash_size},
	{"min_expires", PARAM_INT, &reauth_sub_policy.min_expires},
	{"max_expires", PARAM_INT, &reauth_sub_policy.max_expires},
	{"default_expires", PARAM_INT, &reauth_sub_policy.default_expires},
	{"trusted_watcher", PARAM_STRING | PARAM_USE_FUNC,
		(void *)reauth_add_trusted_watcher},
	{"watcher_auth", PARAM_INT, &reauth_watcher_auth},
	{"trusted_flag", PARAM_INT, &reauth_trusted_flag},
	{"max_subscriptions", PARAM_INT, &reauth_max_subscriptions},
	{"max_subscriptions_per_identity", PARAM_INT,
		&reauth_max_subscriptions_per_identity},
	{"max_notify_inflight", PARAM_INT, &reauth_max_notify_inflight},
	{"queue_size", PARAM_INT, &reauth_queue_size},
	{"workers", PARAM_INT, &reauth_workers},
	{"worker_nice", PARAM_INT, &reauth_worker_nice},
	{"start_rate", PARAM_INT, &reauth_start_rate},
	{"shortened_expires", PARAM_INT, &reauth_shortened_expires},
	{"reauth_timeout", PARAM_INT, &reauth_timeout},
	{"refer_fallback", PARAM_INT, &reauth_refer_fallback},
	{"refer_to", PARAM_STR, &reauth_refer_to},
	{"terminate_sessions", PARAM_INT, &reauth_terminate_sessions},
	{"body_format", PARAM_STR, &reauth_body_format},
	{"dereg_event", PARAM_STR, &reauth_dereg_event},
	{"notify_state", PARAM_STRING | USE_FUNC_PARAM, (void *)reauth_notify_state_param},
	{"keep_finished", PARAM_INT, &reauth_keep_finished},
	{"event_callback", PARAM_STR, &reauth_event_callback},
	{"reg_event_mode", PARAM_STRING | USE_FUNC_PARAM,
		(void *)reauth_reg_event_mode_param},
	{"publish_wait", PARAM_INT, &reauth_publish_wait},
	{"publish_expires", PARAM_INT, &reauth_publish_expires},
	{"dmq", PARAM_INT, &reauth_dmq_enable},
	{"node_timeout", PARAM_INT, &reauth_dmq_node_timeout},
	{"hello_interval", PARAM_INT, &reauth_dmq_hello_interval},
	{0, 0, 0}
};

static pv_export_t mod_pvs[] = {
	{{"reauth", sizeof("reauth") - 1}, PVT_OTHER, pv_get_reauth, 0,
		pv_parse_reauth_name, 0, 0, 0},
	{{0, 0}, 0, 0, 0, 0, 0, 0, 0}
};

struct module_exports exports = {
	"reauth",		 /* module name */
	DEFAULT_DLFLAGS, /* dlopen flags */
	cmds,			 /* exported functions */
	params,			 /* exported parameters */
	0,				 /* RPC methods: registered in mod_init */
	mod_pvs,		 /* exported pseudo-variables */
	0,				 /* response handling function */
	mod_init,		 /* module init function */
	child_init,		 /* per-child init function */
	mod_destroy		 /* module destroy function */
};
/* clang-format on */

static int api_pending(str *identity)
{
	reauth_identity_t id;

	if(reauth_identity_to_aor(identity, &id) != REAUTH_ID_OK)
		return -1;
	return reauth_proc_pending(&id.aor);
}

int bind_reauth(reauth_api_t *api)
{
	if(api == NULL) {
		LM_ERR("no API structure to fill\n");
		return -1;
	}
	api->start = reauth_proc_start;
	api->pending = api_pending;
	api->cancel = reauth_proc_cancel_request;
	return 0;
}

/* the DB writer process: one, when the module has a DB */
static int db_writers(void)
{
	return reauth_db_mode != REAUTH_DB_NONE ? 1 : 0;
}

static int mod_init(void)
{
	if(reauth_db_mode < REAUTH_DB_NONE
			|| reauth_db_mode > REAUTH_DB_WRITE_BACK) {
		LM_ERR("db_mode must be 0, 1 or 2 (is %d)\n", reauth_db_mode);
		return -1;
	}
	if(hash_size <= 0) {
		LM_ERR("hash_size must be positive (is %d)\n", hash_size);
		return -1;
	}
	if(reauth_start_rate < 0) {
		LM_ERR("start_rate must be 0 (no limit) or positive (is %d)\n",
				reauth_start_rate);
		return -1;
	}
	/* the seed contribution's event name is a subscription too (draft) */
	reauth_sub_policy.registration_state = reauth_proc_draft_format();
	if(reauth_identity_init(usrloc_domain) < 0 || reauth_subscribe_init() < 0
			|| reauth_subs_init(hash_size) < 0 || reauth_queue_init() < 0
			|| reauth_proc_init(hash_size) < 0 || reauth_sets_init(&db_url) < 0
			|| reauth_db_init(&db_url) < 0
			|| reauth_db_load_procs(reauth_proc_restore) < 0
			|| reauth_notify_send_init() < 0 || reauth_pua_init() < 0
			|| reauth_worker_init() < 0
			|| reauth_refer_init() < 0 || reauth_register_init() < 0
			|| reauth_sessions_init(reauth_terminate_sessions, hash_size) < 0
			|| reauth_events_init() < 0 || reauth_rpc_init() < 0
			|| reauth_stats_init() < 0 || reauth_dmq_init() < 0
			|| reauth_replica_init() < 0 || reauth_proc_replica_init() < 0
			|| reauth_takeover_init() < 0)
		return -1;

	/* libxml2 is shared with other modules: init once, never clean up */
	xmlInitParser();

	/* subscriptions loaded from the DB go to their user's worker */
	reauth_subs_set_shards(reauth_sets_shard);

	/* the worker processes, and the DB writer */
	if(reauth_db_mode != REAUTH_DB_NONE
			&& reauth_db_writer_init(reauth_workers) < 0)
		return -1;
	register_procs(reauth_workers + db_writers());
	cfg_register_child(reauth_workers + db_writers());

	LM_INFO("reauth module initialized (usrloc domain '%s', db_mode %d,"
			" %d workers, start_rate %d/s, %d subscriptions loaded)\n",
			usrloc_domain, reauth_db_mode, reauth_workers, reauth_start_rate,
			reauth_subs_count());
	return 0;
}

static int child_init(int rank)
{
	char name[32];
	int i, pid;

	if(reauth_dmq_child_init(rank) < 0)
		return -1;
	if(rank != PROC_MAIN)
		return 0;
	if(db_writers()) {
		pid = fork_process(PROC_XWORKER, "reauth db writer", 1);
		if(pid < 0) {
			LM_ERR("cannot fork the reauth DB writer\n");
			return -1;
		}
		if(pid == 0) {
			if(cfg_child_init())
				return -1;
			reauth_db_writer_loop(reauth_worker_nice); /* never returns */
		}
	}
	for(i = 0; i < reauth_workers; i++) {
		snprintf(name, sizeof(name), "reauth worker %d", i);
		pid = fork_process(PROC_XWORKER, name, 1);
		if(pid < 0) {
			LM_ERR("cannot fork reauth worker %d\n", i);
			return -1;
		}
		if(pid == 0) {
			if(cfg_child_init())
				return -1;
			reauth_sets_child_init();
			reauth_worker_loop((unsigned int)i); /* never returns */
		}
	}
	return 0;
}

static void mod_destroy(void)
{
	reauth_db_close();
	reauth_db_writer_destroy();
	reauth_proc_destroy();
	reauth_pua_destroy();
	reauth_sets_destroy();
	reauth_queue_destroy();
	reauth_subs_destroy();
	reauth_dmq_destroy();
}

/* Trigger re-authentication of a public identity; returns 1 when the
 * procedure started, a negative code otherwise (see doc). */
static int ki_reauth_user(sip_msg_t *msg, str *identity)
{
	reauth_trigger_result_t res;

	reauth_proc_start(identity, &res);
	if(res.code == 200)
		return 1;
	LM_ERR("reauth_user(%.*s): %s\n", identity->len, identity->s, res.reason);
	switch(res.code) {
		case 400:
			return -2;
		case 404:
			return -3;
		case 409:
			return -4;
		case 503:
			return -5;
		default:
			return -1;
	}
}

/* Is a re-authentication pending for the identity of this REGISTER (To)?
 * The script then challenges it even when it would not otherwise. */
static int ki_reauth_pending(sip_msg_t *msg)
{
	reauth_identity_t id;
	struct to_body *to;

	if(parse_to_header(msg) < 0 || (to = get_to(msg)) == NULL) {
		LM_ERR("no To header\n");
		return -1;
	}
	if(reauth_identity_to_aor(&to->uri, &id) != REAUTH_ID_OK)
		return -1;
	return reauth_proc_pending(&id.aor) ? 1 : -1;
}

static int w_reauth_pending(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_reauth_pending(msg);
}

static int w_reauth_user(sip_msg_t *msg, char *identity, char *p2)
{
	str id;

	if(fixup_get_svalue(msg, (gparam_t *)identity, &id) < 0) {
		LM_ERR("cannot get the identity parameter\n");
		return -1;
	}
	return ki_reauth_user(msg, &id);
}

/* Answer a reg event SUBSCRIBE (initial, refresh or unsubscribe). */
static int ki_reauth_subscribe(sip_msg_t *msg)
{
	if(reauth_reg_event_pua) {
		LM_ERR("reg_event_mode pua: reg event subscriptions are the presence"
			   " server's (handle_subscribe()), not reauth_subscribe()'s\n");
		return -1;
	}
	return reauth_handle_subscribe(msg);
}

static int w_reauth_subscribe(sip_msg_t *msg, char *p1, char *p2)
{
	return ki_reauth_subscribe(msg);
}

/* clang-format off */
static sr_kemi_t sr_kemi_reauth_exports[] = {
	{ str_init("reauth"), str_init("reauth_user"),
		SR_KEMIP_INT, ki_reauth_user,
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("reauth"), str_init("reauth_pending"),
		SR_KEMIP_INT, ki_reauth_pending,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("reauth"), str_init("reauth_subscribe"),
		SR_KEMIP_INT, ki_reauth_subscribe,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},

	{ {0, 0}, {0, 0}, 0, NULL, { 0, 0, 0, 0, 0, 0 } }
};
/* clang-format on */

int mod_register(char *path, int *dlflags, void *p1, void *p2)
{
	sr_kemi_modules_add(sr_kemi_reauth_exports);
	return 0;
}
