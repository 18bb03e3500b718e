/*
 * reauth module - event routes and the $reauth(...) variable
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_EVENTS_H_
#define _REAUTH_EVENTS_H_

#include "core/pvar.h"
#include "core/str.h"

/* what the script sees through $reauth(...) while an event route runs */
typedef struct reauth_event_ctx
{
	unsigned int id;
	str identity;
	const char *outcome;
	const char *reason;
} reauth_event_ctx_t;

extern str reauth_event_callback;

int reauth_events_init(void);
/* run event_route[name] (or the KEMI event_callback) */
void reauth_event_raise(const char *name, reauth_event_ctx_t *ctx);

int pv_parse_reauth_name(pv_spec_p sp, str *in);
int pv_get_reauth(sip_msg_t *msg, pv_param_t *param, pv_value_t *res);

#endif
