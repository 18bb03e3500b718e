/*
 * reauth module - network-initiated re-authentication (3GPP TS 24.229)
 * and the registration-state event package (RFC 3680) for a registrar
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Module exports only: parameters, functions, KEMI, init and destroy.
 */

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/mod_fix.h"
#include "core/kemi.h"

#include "reauth_identity.h"
#include "reauth_rpc.h"
#include "reauth_trigger.h"

MODULE_VERSION

static char *usrloc_domain = "location";

static int mod_init(void);
static int child_init(int rank);
static void mod_destroy(void);
static int w_reauth_user(sip_msg_t *msg, char *identity, char *p2);

/* clang-format off */
static cmd_export_t cmds[] = {
	{"reauth_user", (cmd_function)w_reauth_user, 1, fixup_spve_null,
		fixup_free_spve_null, ANY_ROUTE},
	{0, 0, 0, 0, 0, 0}
};

static param_export_t params[] = {
	{"usrloc_domain", PARAM_STRING, &usrloc_domain},
	{0, 0, 0}
};

struct module_exports exports = {
	"reauth",		 /* module name */
	DEFAULT_DLFLAGS, /* dlopen flags */
	cmds,			 /* exported functions */
	params,			 /* exported parameters */
	0,				 /* RPC methods: registered in mod_init */
	0,				 /* exported pseudo-variables */
	0,				 /* response handling function */
	mod_init,		 /* module init function */
	child_init,		 /* per-child init function */
	mod_destroy		 /* module destroy function */
};
/* clang-format on */

static int mod_init(void)
{
	if(reauth_identity_init(usrloc_domain) < 0)
		return -1;
	if(reauth_rpc_init() < 0)
		return -1;
	LM_INFO("reauth module initialized (usrloc domain '%s')\n", usrloc_domain);
	return 0;
}

static int child_init(int rank)
{
	return 0;
}

static void mod_destroy(void)
{
}

/* Trigger re-authentication of a public identity; returns 1 when the
 * procedure started, a negative code otherwise (see doc). */
static int ki_reauth_user(sip_msg_t *msg, str *identity)
{
	reauth_trigger_result_t res;

	reauth_trigger(identity, &res);
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
		case 501:
			return -5;
		default:
			return -1;
	}
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

/* clang-format off */
static sr_kemi_t sr_kemi_reauth_exports[] = {
	{ str_init("reauth"), str_init("reauth_user"),
		SR_KEMIP_INT, ki_reauth_user,
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE,
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
