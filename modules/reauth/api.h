/*
 * reauth module - the API other modules call (bind_reauth)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A Diameter or HTTP front end (an HSS adapter) starts, checks and
 * cancels network-initiated re-authentication without the routing script:
 *
 *   #include "../reauth/api.h"
 *   static reauth_api_t reauth;
 *   mod_init: if(reauth_load_api(&reauth) < 0) return -1;
 *   reauth.start(&identity, &res);  res.code: 200 (res.id), 400, 404, 409, 503
 *
 * The answers are those of reauth.user and reauth.cancel.
 */

#ifndef _REAUTH_API_H_
#define _REAUTH_API_H_

#include "core/dprint.h"
#include "core/sr_module.h"
#include "core/str.h"

#include "reauth_trigger.h"

typedef struct reauth_api
{
	/* start a procedure for a public identity (its implicit set follows)
	 * or a private identity; any process */
	void (*start)(str *identity, reauth_trigger_result_t *res);
	/* 1 when a procedure of this public identity is pending, 0 when none,
	 * -1 for an identity that is not a sip:, sips: or tel: URI */
	int (*pending)(str *identity);
	/* cancel the pending procedure of an identity: code 200 or 404 */
	void (*cancel)(str *identity, reauth_trigger_result_t *res);
} reauth_api_t;

typedef int (*bind_reauth_f)(reauth_api_t *api);
int bind_reauth(reauth_api_t *api);

/* for the module that uses the API, in its mod_init */
static inline int reauth_load_api(reauth_api_t *api)
{
	bind_reauth_f bindf;

	bindf = (bind_reauth_f)find_export("bind_reauth", 0, 0);
	if(bindf == NULL) {
		LM_ERR("cannot find bind_reauth: load the reauth module first\n");
		return -1;
	}
	return bindf(api);
}

#endif
