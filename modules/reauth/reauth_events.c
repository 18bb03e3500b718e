/*
 * reauth module - event routes and the $reauth(...) variable
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * event_route[reauth:completed], [reauth:failed], [reauth:deregistered]
 * run in the notifier process on a faked message, like dispatcher's
 * dst-up/dst-down; with the event_callback parameter a KEMI function gets
 * the event name instead.
 */

#include <string.h>

#include "core/action.h"
#include "core/dprint.h"
#include "core/fmsg.h"
#include "core/kemi.h"
#include "core/route.h"

#include "reauth_events.h"

str reauth_event_callback = STR_NULL;

static const char *event_names[] = {
		"reauth:completed", "reauth:failed", "reauth:deregistered"};
#define REAUTH_EVENTS (sizeof(event_names) / sizeof(event_names[0]))
static int event_rt_idx[REAUTH_EVENTS];

static reauth_event_ctx_t *current = NULL;

int reauth_events_init(void)
{
	unsigned int i;

	/* resolved once: the route table does not change after start-up */
	for(i = 0; i < REAUTH_EVENTS; i++) {
		event_rt_idx[i] = route_lookup(&event_rt, (char *)event_names[i]);
		if(event_rt_idx[i] >= 0 && event_rt.rlist[event_rt_idx[i]] == NULL)
			event_rt_idx[i] = -1;
	}
	return 0;
}

void reauth_event_raise(const char *name, reauth_event_ctx_t *ctx)
{
	struct run_act_ctx ra_ctx;
	sr_kemi_eng_t *keng = NULL;
	sip_msg_t *fmsg;
	int backup_rt, rt = -1;
	unsigned int i;
	str evname;

	for(i = 0; i < REAUTH_EVENTS; i++)
		if(strcmp(name, event_names[i]) == 0)
			rt = event_rt_idx[i];
	if(reauth_event_callback.len > 0) {
		keng = sr_kemi_eng_get();
		if(keng == NULL) {
			LM_DBG("event_callback set, but no KEMI engine\n");
			return;
		}
	} else if(rt < 0) {
		return; /* the script has no such route */
	}

	if(faked_msg_init() < 0) {
		LM_ERR("cannot init a faked message for %s\n", name);
		return;
	}
	fmsg = faked_msg_next();
	current = ctx;
	backup_rt = get_route_type();
	set_route_type(EVENT_ROUTE);
	init_run_actions_ctx(&ra_ctx);
	if(keng) {
		evname.s = (char *)name;
		evname.len = strlen(name);
		if(sr_kemi_route(
				   keng, fmsg, EVENT_ROUTE, &reauth_event_callback, &evname)
				< 0)
			LM_ERR("error running the KEMI event callback for %s\n", name);
	} else {
		run_top_route(event_rt.rlist[rt], fmsg, &ra_ctx);
	}
	set_route_type(backup_rt);
	current = NULL;
}

enum
{
	PV_REAUTH_ID = 1,
	PV_REAUTH_IDENTITY,
	PV_REAUTH_OUTCOME,
	PV_REAUTH_REASON
};

int pv_parse_reauth_name(pv_spec_p sp, str *in)
{
	if(sp == NULL || in == NULL || in->len <= 0)
		return -1;
	if(in->len == 2 && strncmp(in->s, "id", 2) == 0)
		sp->pvp.pvn.u.isname.name.n = PV_REAUTH_ID;
	else if(in->len == 8 && strncmp(in->s, "identity", 8) == 0)
		sp->pvp.pvn.u.isname.name.n = PV_REAUTH_IDENTITY;
	else if(in->len == 7 && strncmp(in->s, "outcome", 7) == 0)
		sp->pvp.pvn.u.isname.name.n = PV_REAUTH_OUTCOME;
	else if(in->len == 6 && strncmp(in->s, "reason", 6) == 0)
		sp->pvp.pvn.u.isname.name.n = PV_REAUTH_REASON;
	else {
		LM_ERR("unknown $reauth(%.*s): id, identity, outcome or reason\n",
				in->len, in->s);
		return -1;
	}
	sp->pvp.pvn.type = PV_NAME_INTSTR;
	sp->pvp.pvn.u.isname.type = 0;
	return 0;
}

int pv_get_reauth(sip_msg_t *msg, pv_param_t *param, pv_value_t *res)
{
	str s;

	if(current == NULL)
		return pv_get_null(msg, param, res);
	switch(param->pvn.u.isname.name.n) {
		case PV_REAUTH_ID:
			return pv_get_uintval(msg, param, res, current->id);
		case PV_REAUTH_IDENTITY:
			return pv_get_strval(msg, param, res, &current->identity);
		case PV_REAUTH_OUTCOME:
			s.s = (char *)current->outcome;
			s.len = strlen(s.s);
			return pv_get_strval(msg, param, res, &s);
		case PV_REAUTH_REASON:
			s.s = (char *)current->reason;
			s.len = strlen(s.s);
			return pv_get_strval(msg, param, res, &s);
	}
	return pv_get_null(msg, param, res);
}
