/*
 * reauth module - the network-initiated re-authentication procedure
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include "procedure.h"

static void act(reauth_actions_t *out, reauth_action_type_t type, long at)
{
	if(out->n >= REAUTH_ACTIONS_MAX)
		return; /* cannot happen: no event emits more than the maximum */
	out->a[out->n].type = type;
	out->a[out->n].at = at;
	out->n++;
}

static void finish(reauth_proc_t *p, long now, reauth_proc_outcome_t outcome,
		reauth_proc_reason_t reason)
{
	p->state = RP_DONE;
	p->ended = now;
	p->outcome = outcome;
	p->reason = reason;
}

/* every way failed: the network de-registers the set */
static void deregister(reauth_proc_t *p, const reauth_proc_cfg_t *cfg, long now,
		reauth_proc_reason_t reason, reauth_actions_t *out)
{
	finish(p, now, RP_OUT_DEREGISTERED, reason);
	act(out, RA_RAISE_FAILED, 0);
	act(out, RA_DEREGISTER, 0);
	if(cfg->end_sessions)
		act(out, RA_END_SESSIONS, 0);
	act(out, RA_RAISE_DEREGISTERED, 0);
}

/* mark every target of kind RT_TO_SEND; returns how many */
static unsigned int mark_to_send(reauth_proc_t *p, reauth_target_kind_t kind)
{
	unsigned int i, n = 0;

	for(i = 0; i < p->ntargets; i++)
		if(p->targets[i].kind == kind && p->targets[i].status == RT_KNOWN) {
			p->targets[i].status = RT_TO_SEND;
			n++;
		}
	return n;
}

/* NOTIFY did not do it: REFER when allowed and possible, else give up */
static void fall_back(reauth_proc_t *p, const reauth_proc_cfg_t *cfg, long now,
		reauth_proc_reason_t reason, reauth_actions_t *out)
{
	if(cfg->refer_fallback && p->contacts > 0) {
		p->state = RP_REFERRING;
		p->refer_pending = mark_to_send(p, RT_CONTACT);
		act(out, RA_SEND_REFER, 0);
		return;
	}
	deregister(p, cfg, now, reason, out);
}

unsigned int reauth_proc_count(const reauth_proc_t *p,
		reauth_target_kind_t kind, reauth_target_status_t status)
{
	unsigned int i, n = 0;

	for(i = 0; i < p->ntargets; i++)
		n += p->targets[i].kind == kind && p->targets[i].status == status;
	return n;
}

int reauth_proc_trigger(reauth_proc_t *p, const reauth_proc_cfg_t *cfg,
		long now, reauth_target_t *targets, unsigned int ntargets,
		reauth_actions_t *out)
{
	unsigned int i, ue, other, pub = 0;

	out->n = 0;
	if(p->state != RP_IDLE)
		return -1;
	memset(p, 0, sizeof(*p));
	p->targets = targets;
	p->ntargets = ntargets;
	for(i = 0; i < ntargets; i++)
		targets[i].status = RT_KNOWN;
	p->started = now;
	p->deadline = now + cfg->timeout;
	p->contacts = reauth_proc_count(p, RT_CONTACT, RT_KNOWN);
	ue = mark_to_send(p, RT_SUB_UE);
	other = mark_to_send(p, RT_SUB_OTHER);
	/* no UE subscription: a presence server's watchers, unanswered */
	if(ue == 0)
		pub = mark_to_send(p, RT_PUBLICATION);
	p->notify_pending = ue;
	p->state = RP_NOTIFYING;
	if(pub > 0) {
		p->notify_pending = pub;
		p->state = RP_PUBLISHED;
		p->wait_until = now + cfg->publish_wait;
		if(p->wait_until >= p->deadline)
			p->wait_until = 0;
	}
	act(out, RA_SHORTEN, 0);
	if(ue > 0 || other > 0 || pub > 0)
		act(out, RA_SEND_NOTIFY, 0);
	act(out, RA_ARM_TIMER, reauth_proc_next_expiry(p));
	if(ue == 0 && pub == 0)
		fall_back(p, cfg, now, RP_WHY_NO_WAY, out);
	return 0;
}

/* target t of the current way ended without success (refused, unsent) */
static void way_failed(reauth_proc_t *p, const reauth_proc_cfg_t *cfg,
		long now, reauth_target_t *t, reauth_actions_t *out)
{
	if((t->kind == RT_SUB_UE && p->state == RP_NOTIFYING
			   && p->notify_pending > 0)
			|| (t->kind == RT_PUBLICATION && p->state == RP_PUBLISHED
					&& p->notify_pending > 0)) {
		if(--p->notify_pending == 0)
			fall_back(p, cfg, now, RP_WHY_NOTIFY_FAILED, out);
	} else if(t->kind == RT_CONTACT && p->state == RP_REFERRING
			  && p->refer_pending > 0) {
		if(--p->refer_pending == 0)
			deregister(p, cfg, now, RP_WHY_REFER_FAILED, out);
	}
}

/* target t of the current way was accepted (a presence server taking a
 * publication is not the UE: nothing changes) */
static void way_accepted(reauth_proc_t *p, reauth_target_t *t)
{
	if(t->kind == RT_SUB_UE && p->state == RP_NOTIFYING
			&& p->notify_pending > 0) {
		p->notify_pending--;
		p->state = RP_AWAITING;
	} else if(t->kind == RT_CONTACT && p->state == RP_REFERRING
			  && p->refer_pending > 0) {
		p->refer_pending--;
		p->state = RP_AWAITING;
	}
}

void reauth_proc_sent(reauth_proc_t *p, const reauth_proc_cfg_t *cfg,
		long now, unsigned int i, int ok, reauth_actions_t *out)
{
	reauth_target_t *t;

	out->n = 0;
	if(i >= p->ntargets || p->targets[i].status != RT_TO_SEND)
		return;
	t = &p->targets[i];
	if(ok) {
		t->status = RT_SENT;
		return;
	}
	t->status = RT_UNSENT;
	way_failed(p, cfg, now, t, out);
}

void reauth_proc_answered(reauth_proc_t *p, const reauth_proc_cfg_t *cfg,
		long now, unsigned int i, int code, reauth_actions_t *out)
{
	reauth_target_t *t;

	out->n = 0;
	/* an answer may overtake the glue's report that it was sent */
	if(i >= p->ntargets
			|| (p->targets[i].status != RT_SENT
					&& p->targets[i].status != RT_TO_SEND))
		return;
	t = &p->targets[i];
	if(code >= 200 && code < 300) {
		t->status = RT_ACCEPTED;
		way_accepted(p, t);
		return;
	}
	t->status = RT_REFUSED;
	way_failed(p, cfg, now, t, out);
}

void reauth_proc_reregistered(
		reauth_proc_t *p, long now, int authenticated, reauth_actions_t *out)
{
	out->n = 0;
	if(p->state == RP_IDLE || p->state == RP_DONE || !authenticated)
		return;
	/* a UE may re-register before its 2xx reaches us: any state will do */
	finish(p, now, RP_OUT_COMPLETED, RP_WHY_REREGISTERED);
	act(out, RA_RAISE_COMPLETED, 0);
}

void reauth_proc_register_seen(reauth_proc_t *p, long at)
{
	if(p->state == RP_IDLE || p->state == RP_DONE || p->reregistered_at != 0
			|| at > p->deadline)
		return;
	p->reregistered_at = at;
}

void reauth_proc_deadline(reauth_proc_t *p, const reauth_proc_cfg_t *cfg,
		long now, reauth_actions_t *out)
{
	out->n = 0;
	if(p->state == RP_IDLE || p->state == RP_DONE
			|| now < reauth_proc_next_expiry(p))
		return;
	/* the UE came back in time; however late its event is processed */
	if(p->reregistered_at != 0) {
		finish(p, now, RP_OUT_COMPLETED, RP_WHY_REREGISTERED);
		act(out, RA_RAISE_COMPLETED, 0);
		return;
	}
	/* published, nobody seen to answer, no re-REGISTER: the next way */
	if(p->state == RP_PUBLISHED && now < p->deadline) {
		p->wait_until = 0;
		fall_back(p, cfg, now, RP_WHY_NOT_REREGISTERED, out);
		if(p->state != RP_DONE)
			act(out, RA_ARM_TIMER, p->deadline);
		return;
	}
	deregister(p, cfg, now, RP_WHY_TIMEOUT, out);
}

int reauth_proc_cancel(reauth_proc_t *p, long now, reauth_actions_t *out)
{
	out->n = 0;
	/* a procedure not triggered yet (its trigger still queued) is
	 * cancelled too: the trigger then finds it done */
	if(p->state == RP_DONE)
		return -1;
	finish(p, now, RP_OUT_CANCELLED, RP_WHY_CANCELLED);
	return 0;
}

long reauth_proc_next_expiry(const reauth_proc_t *p)
{
	if(p->state == RP_IDLE || p->state == RP_DONE)
		return 0;
	if(p->state == RP_PUBLISHED && p->wait_until != 0
			&& p->wait_until < p->deadline)
		return p->wait_until;
	return p->deadline;
}

const char *reauth_proc_state_name(reauth_proc_state_t s)
{
	switch(s) {
		case RP_IDLE:
			return "idle";
		case RP_NOTIFYING:
			return "notifying";
		case RP_REFERRING:
			return "referring";
		case RP_AWAITING:
			return "awaiting-register";
		case RP_DONE:
			return "done";
		case RP_PUBLISHED:
			return "published";
	}
	return "unknown";
}

const char *reauth_proc_outcome_name(reauth_proc_outcome_t o)
{
	switch(o) {
		case RP_OUT_NONE:
			return "pending";
		case RP_OUT_COMPLETED:
			return "completed";
		case RP_OUT_DEREGISTERED:
			return "deregistered";
		case RP_OUT_CANCELLED:
			return "cancelled";
	}
	return "unknown";
}

const char *reauth_proc_reason_name(reauth_proc_reason_t r)
{
	switch(r) {
		case RP_WHY_NONE:
			return "none";
		case RP_WHY_REREGISTERED:
			return "re-registered";
		case RP_WHY_NOTIFY_FAILED:
			return "notify failed";
		case RP_WHY_REFER_FAILED:
			return "refer failed";
		case RP_WHY_NO_WAY:
			return "no subscription";
		case RP_WHY_TIMEOUT:
			return "timeout";
		case RP_WHY_CANCELLED:
			return "cancelled";
		case RP_WHY_NOT_REREGISTERED:
			return "not re-registered";
	}
	return "unknown";
}
