/*
 * reauth module - unit tests of core/procedure (re-authentication state
 * machine)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every transition is driven from a fresh procedure and checked in full:
 * the action list (types, order, `at` of RA_ARM_TIMER, nothing else set),
 * and every field of the procedure (state, outcome, reason, counters,
 * started, deadline, ended). The action list is filled with garbage
 * before each call, so a call that forgets to reset or fill it fails.
 */

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../modules/reauth/pure/procedure.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define NOW 1700000000L
#define TIMEOUT 30L
#define DEADLINE (NOW + TIMEOUT)

/* ---- configurations ---- */

static const reauth_proc_cfg_t CFG_ALL = {TIMEOUT, 1, 1, 0};
static const reauth_proc_cfg_t CFG_NO_REFER = {TIMEOUT, 0, 1, 0};
static const reauth_proc_cfg_t CFG_NO_END = {TIMEOUT, 1, 0, 0};
static const reauth_proc_cfg_t CFG_NONE = {TIMEOUT, 0, 0, 0};

/* ---- action lists ---- */

static const char *action_name(reauth_action_type_t t)
{
	switch(t) {
		case RA_SHORTEN:
			return "SHORTEN";
		case RA_SEND_NOTIFY:
			return "SEND_NOTIFY";
		case RA_SEND_REFER:
			return "SEND_REFER";
		case RA_DEREGISTER:
			return "DEREGISTER";
		case RA_END_SESSIONS:
			return "END_SESSIONS";
		case RA_ARM_TIMER:
			return "ARM_TIMER";
		case RA_RAISE_COMPLETED:
			return "RAISE_COMPLETED";
		case RA_RAISE_FAILED:
			return "RAISE_FAILED";
		case RA_RAISE_DEREGISTERED:
			return "RAISE_DEREGISTERED";
	}
	return "?";
}

static void list_str(
		const reauth_action_type_t *t, int n, char *buf, size_t size)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for(i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(
				buf + len, size - len, "%s%s", i ? " " : "", action_name(t[i]));
	if(n == 0)
		snprintf(buf, size, "(none)");
}

/* garbage everywhere: a call must reset n and write what it emits */
static void poison(reauth_actions_t *out)
{
	memset(out, 0x5a, sizeof(*out));
	out->n = 77;
}

/* the list is exactly exp[0..n-1], in that order; RA_ARM_TIMER has `at`
 * equal to timer_at, every other action has 0 there */
static void check_actions(const reauth_actions_t *out, long timer_at,
		const reauth_action_type_t *exp, int n, int line)
{
	reauth_action_type_t got[REAUTH_ACTIONS_MAX];
	char sgot[256], sexp[256];
	int i, ok;

	if(out->n < 0 || out->n > REAUTH_ACTIONS_MAX)
		fail_msg("line %d: %d actions (out of range)", line, out->n);
	for(i = 0; i < out->n; i++)
		got[i] = out->a[i].type;
	ok = out->n == n;
	for(i = 0; ok && i < n; i++)
		ok = got[i] == exp[i];
	if(!ok) {
		list_str(got, out->n, sgot, sizeof(sgot));
		list_str(exp, n, sexp, sizeof(sexp));
		fail_msg("line %d: actions [%s], expected [%s]", line, sgot, sexp);
	}
	for(i = 0; i < n; i++) {
		if(exp[i] == RA_ARM_TIMER && out->a[i].at != timer_at)
			fail_msg("line %d: ARM_TIMER at %ld, expected %ld", line,
					out->a[i].at, timer_at);
		if(exp[i] != RA_ARM_TIMER && out->a[i].at != 0)
			fail_msg("line %d: %s has at %ld, expected 0", line,
					action_name(exp[i]), out->a[i].at);
	}
}

#define ACTS(...) ((const reauth_action_type_t[]){__VA_ARGS__})
#define N_ACTS(...) ((int)N_ELEMS(ACTS(__VA_ARGS__)))

/* assert_actions(&out, timer_at, RA_..., RA_...) */
#define assert_actions(out, timer_at, ...)                                   \
	check_actions((out), (timer_at), ACTS(__VA_ARGS__), N_ACTS(__VA_ARGS__), \
			__LINE__)
#define assert_no_actions(out) check_actions((out), 0, NULL, 0, __LINE__)

/* the de-registration list, with or without ending the sessions */
static void check_dereg_actions(
		const reauth_actions_t *out, const reauth_proc_cfg_t *cfg, int line)
{
	static const reauth_action_type_t with_end[] = {RA_RAISE_FAILED,
			RA_DEREGISTER, RA_END_SESSIONS, RA_RAISE_DEREGISTERED};
	static const reauth_action_type_t without_end[] = {
			RA_RAISE_FAILED, RA_DEREGISTER, RA_RAISE_DEREGISTERED};

	if(cfg->end_sessions)
		check_actions(out, 0, with_end, (int)N_ELEMS(with_end), line);
	else
		check_actions(out, 0, without_end, (int)N_ELEMS(without_end), line);
}
#define assert_dereg_actions(out, cfg) \
	check_dereg_actions((out), (cfg), __LINE__)

/* ---- the procedure ---- */

/* every field equals the expected one */
static void check_proc(const reauth_proc_t *p, const reauth_proc_t *e, int line)
{
	if(p->state != e->state)
		fail_msg("line %d: state %s, expected %s", line,
				reauth_proc_state_name(p->state),
				reauth_proc_state_name(e->state));
	if(p->outcome != e->outcome)
		fail_msg("line %d: outcome %s, expected %s", line,
				reauth_proc_outcome_name(p->outcome),
				reauth_proc_outcome_name(e->outcome));
	if(p->reason != e->reason)
		fail_msg("line %d: reason %s, expected %s", line,
				reauth_proc_reason_name(p->reason),
				reauth_proc_reason_name(e->reason));
	if(p->started != e->started)
		fail_msg("line %d: started %ld, expected %ld", line, p->started,
				e->started);
	if(p->deadline != e->deadline)
		fail_msg("line %d: deadline %ld, expected %ld", line, p->deadline,
				e->deadline);
	if(p->ended != e->ended)
		fail_msg("line %d: ended %ld, expected %ld", line, p->ended, e->ended);
	if(p->notify_pending != e->notify_pending)
		fail_msg("line %d: notify_pending %u, expected %u", line,
				p->notify_pending, e->notify_pending);
	if(p->refer_pending != e->refer_pending)
		fail_msg("line %d: refer_pending %u, expected %u", line,
				p->refer_pending, e->refer_pending);
	if(p->contacts != e->contacts)
		fail_msg("line %d: contacts %u, expected %u", line, p->contacts,
				e->contacts);
	if(p->wait_until != e->wait_until)
		fail_msg("line %d: wait_until %ld, expected %ld", line, p->wait_until,
				e->wait_until);
}

/* assert_proc(&p, .state = ..., ...): unnamed fields must be 0 */
#define assert_proc(p, ...) \
	check_proc((p), &(const reauth_proc_t){__VA_ARGS__}, __LINE__)
/* nothing changed since the copy `before` */
#define assert_unchanged(p, before) check_proc((p), (before), __LINE__)

/* ---- events, each on a poisoned action list ---- */

/* The glue's side, as the module does it: targets listed at the trigger
 * (ue UE subscriptions, other watchers, contacts, in this order), every
 * target marked RT_TO_SEND reported sent at once. Arrays come from a
 * static pool that wraps around: a test uses a few dozen targets. */
static void send_marked(reauth_proc_t *p, const reauth_proc_cfg_t *cfg,
		long now)
{
	reauth_actions_t more;
	unsigned int i;

	for(i = 0; i < p->ntargets; i++)
		if(p->targets[i].status == RT_TO_SEND) {
			poison(&more);
			reauth_proc_sent(p, cfg, now, i, 1, &more);
			assert_no_actions(&more);
		}
}

static reauth_target_t *targets_new(
		unsigned int ue, unsigned int other, unsigned int contacts)
{
	static reauth_target_t pool[4096];
	static unsigned int used;
	reauth_target_t *t;
	unsigned int i, n = ue + other + contacts;

	assert_true(n <= 64);
	if(used + n > 4096)
		used = 0;
	t = &pool[used];
	used += n;
	for(i = 0; i < n; i++) {
		t[i].ref = 100 + i;
		t[i].kind = i < ue ? RT_SUB_UE : i < ue + other ? RT_SUB_OTHER
														: RT_CONTACT;
		t[i].status = RT_ACCEPTED; /* garbage: the trigger resets it */
	}
	return t;
}

static int ev_trigger(reauth_proc_t *p, const reauth_proc_cfg_t *cfg, long now,
		unsigned int ue, unsigned int other, unsigned int contacts,
		reauth_actions_t *out)
{
	int rc;

	poison(out);
	rc = reauth_proc_trigger(
			p, cfg, now, targets_new(ue, other, contacts), ue + other + contacts,
			out);
	if(rc == 0)
		send_marked(p, cfg, now);
	return rc;
}

/* the first target of kind still waiting for its answer, else one out of
 * range (an answer nobody waits for) */
static unsigned int waiting(reauth_proc_t *p, reauth_target_kind_t kind)
{
	unsigned int i;

	for(i = 0; i < p->ntargets; i++)
		if(p->targets[i].kind == kind && p->targets[i].status == RT_SENT)
			return i;
	return p->ntargets;
}

static void ev_notify(reauth_proc_t *p, const reauth_proc_cfg_t *cfg, long now,
		int is_ue, int code, reauth_actions_t *out)
{
	poison(out);
	reauth_proc_answered(p, cfg, now,
			waiting(p, is_ue ? RT_SUB_UE : RT_SUB_OTHER), code, out);
	send_marked(p, cfg, now);
}

static void ev_refer(reauth_proc_t *p, const reauth_proc_cfg_t *cfg, long now,
		int code, reauth_actions_t *out)
{
	poison(out);
	reauth_proc_answered(p, cfg, now, waiting(p, RT_CONTACT), code, out);
	send_marked(p, cfg, now);
}

static void ev_rereg(
		reauth_proc_t *p, long now, int authenticated, reauth_actions_t *out)
{
	poison(out);
	reauth_proc_reregistered(p, now, authenticated, out);
}

static void ev_deadline(reauth_proc_t *p, const reauth_proc_cfg_t *cfg,
		long now, reauth_actions_t *out)
{
	poison(out);
	reauth_proc_deadline(p, cfg, now, out);
}

static int ev_cancel(reauth_proc_t *p, long now, reauth_actions_t *out)
{
	poison(out);
	return reauth_proc_cancel(p, now, out);
}

/* ---- reaching a state (each step checked by the tests below) ---- */

/* pending states, by every way into them */
typedef enum pending_kind {
	PK_NOTIFYING,		 /* 2 UE subscriptions, no answer yet */
	PK_REFERRING,		 /* no subscription: REFER at once */
	PK_REFERRING_NOTIFY, /* the UE NOTIFY failed */
	PK_AWAITING_NOTIFY,	 /* a UE accepted the NOTIFY */
	PK_AWAITING_REFER,	 /* a REFER was accepted */
	PK_COUNT
} pending_kind_t;

static const char *pending_name[PK_COUNT] = {
		"notifying",
		"referring",
		"referring after NOTIFY",
		"awaiting after NOTIFY",
		"awaiting after REFER",
};

static const reauth_proc_state_t pending_state[PK_COUNT] = {
		RP_NOTIFYING,
		RP_REFERRING,
		RP_REFERRING,
		RP_AWAITING,
		RP_AWAITING,
};

/* with CFG_ALL, from idle at NOW; the answers at NOW + 1 */
static void reach_pending(reauth_proc_t *p, pending_kind_t k)
{
	reauth_actions_t out;

	memset(p, 0, sizeof(*p));
	switch(k) {
		case PK_NOTIFYING:
			assert_int_equal(ev_trigger(p, &CFG_ALL, NOW, 2, 1, 2, &out), 0);
			break;
		case PK_REFERRING:
			assert_int_equal(ev_trigger(p, &CFG_ALL, NOW, 0, 0, 2, &out), 0);
			break;
		case PK_REFERRING_NOTIFY:
			assert_int_equal(ev_trigger(p, &CFG_ALL, NOW, 1, 0, 2, &out), 0);
			ev_notify(p, &CFG_ALL, NOW + 1, 1, 500, &out);
			break;
		case PK_AWAITING_NOTIFY:
			assert_int_equal(ev_trigger(p, &CFG_ALL, NOW, 2, 0, 2, &out), 0);
			ev_notify(p, &CFG_ALL, NOW + 1, 1, 200, &out);
			break;
		case PK_AWAITING_REFER:
			assert_int_equal(ev_trigger(p, &CFG_ALL, NOW, 0, 1, 2, &out), 0);
			ev_refer(p, &CFG_ALL, NOW + 1, 202, &out);
			break;
		case PK_COUNT:
			fail();
	}
	if(p->state != pending_state[k])
		fail_msg("%s: reached %s", pending_name[k],
				reauth_proc_state_name(p->state));
}

/* finished states, by every way into them */
typedef enum done_kind {
	DK_COMPLETED,
	DK_TIMEOUT,
	DK_NO_WAY,
	DK_CANCELLED,
	DK_COUNT
} done_kind_t;

static const char *done_name[DK_COUNT] = {
		"completed",
		"timed out",
		"no way",
		"cancelled",
};

/* with CFG_ALL, triggered at NOW */
static void reach_done(reauth_proc_t *p, done_kind_t k)
{
	reauth_actions_t out;

	memset(p, 0, sizeof(*p));
	switch(k) {
		case DK_COMPLETED:
			reach_pending(p, PK_AWAITING_NOTIFY);
			ev_rereg(p, NOW + 2, 1, &out);
			break;
		case DK_TIMEOUT:
			reach_pending(p, PK_NOTIFYING);
			ev_deadline(p, &CFG_ALL, DEADLINE, &out);
			break;
		case DK_NO_WAY:
			assert_int_equal(ev_trigger(p, &CFG_ALL, NOW, 0, 0, 0, &out), 0);
			break;
		case DK_CANCELLED:
			reach_pending(p, PK_REFERRING);
			assert_int_equal(ev_cancel(p, NOW + 2, &out), 0);
			break;
		case DK_COUNT:
			fail();
	}
	if(p->state != RP_DONE)
		fail_msg("%s: reached %s", done_name[k],
				reauth_proc_state_name(p->state));
}

/* ---- trigger ---- */

static void test_trigger_ue_subs(void **state)
{
	static const reauth_proc_cfg_t *cfgs[] = {
			&CFG_ALL, &CFG_NO_REFER, &CFG_NO_END, &CFG_NONE};
	reauth_proc_t p;
	reauth_actions_t out;
	size_t i;

	(void)state;
	/* refer_fallback and end_sessions change nothing at the start */
	for(i = 0; i < N_ELEMS(cfgs); i++) {
		memset(&p, 0, sizeof(p));
		assert_int_equal(ev_trigger(&p, cfgs[i], NOW, 2, 1, 3, &out), 0);
		assert_actions(
				&out, DEADLINE, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER);
		assert_proc(&p, .state = RP_NOTIFYING, .started = NOW,
				.deadline = DEADLINE, .notify_pending = 2, .contacts = 3);
	}

	/* UE subscriptions only, no contact to REFER */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 1, 0, 0, &out), 0);
	assert_actions(&out, DEADLINE, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER);
	assert_proc(&p, .state = RP_NOTIFYING, .started = NOW, .deadline = DEADLINE,
			.notify_pending = 1);

	/* the timer follows the configured timeout */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &(reauth_proc_cfg_t){3600, 1, 1, 0}, NOW + 5,
							 1, 0, 1, &out),
			0);
	assert_actions(
			&out, NOW + 5 + 3600, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER);
	assert_proc(&p, .state = RP_NOTIFYING, .started = NOW + 5,
			.deadline = NOW + 5 + 3600, .notify_pending = 1, .contacts = 1);
}

/* an idle record left over from an earlier use starts clean */
static void test_trigger_resets_idle(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0x7f, sizeof(p));
	p.state = RP_IDLE;
	assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 1, 0, 1, &out), 0);
	assert_actions(&out, DEADLINE, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER);
	assert_proc(&p, .state = RP_NOTIFYING, .started = NOW, .deadline = DEADLINE,
			.notify_pending = 1, .contacts = 1);
}

/* The machine decides who: every subscription listed at the trigger and
 * only those get the NOTIFY; contacts only when REFER is the way. */
static void test_targets_marked(void **state)
{
	reauth_target_t t[4] = {{1, 0, RT_SUB_UE, RT_REFUSED},
			{2, 0, RT_SUB_OTHER, RT_SENT}, {3, 0, RT_CONTACT, RT_TO_SEND},
			{4, 1, RT_CONTACT, RT_UNSENT}};
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	poison(&out);
	assert_int_equal(reauth_proc_trigger(&p, &CFG_ALL, NOW, t, 4, &out), 0);
	assert_actions(&out, DEADLINE, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER);
	assert_int_equal(t[0].status, RT_TO_SEND);
	assert_int_equal(t[1].status, RT_TO_SEND);
	assert_int_equal(t[2].status, RT_KNOWN);
	assert_int_equal(t[3].status, RT_KNOWN);
	assert_int_equal(t[0].ref, 1); /* the glue's keys are kept */
	assert_int_equal(t[3].identity, 1);
	assert_int_equal(reauth_proc_count(&p, RT_CONTACT, RT_KNOWN), 2);
	assert_proc(&p, .state = RP_NOTIFYING, .started = NOW, .deadline = DEADLINE,
			.notify_pending = 1, .contacts = 2);

	/* the watcher's NOTIFY could not be sent: no way failed */
	poison(&out);
	reauth_proc_sent(&p, &CFG_ALL, NOW, 1, 0, &out);
	assert_no_actions(&out);
	assert_int_equal(t[1].status, RT_UNSENT);
	/* the UE's could not be sent either: REFER to both contacts, no
	 * answer invented for it */
	poison(&out);
	reauth_proc_sent(&p, &CFG_ALL, NOW, 0, 0, &out);
	assert_actions(&out, 0, RA_SEND_REFER);
	assert_int_equal(t[0].status, RT_UNSENT);
	assert_int_equal(t[2].status, RT_TO_SEND);
	assert_int_equal(t[3].status, RT_TO_SEND);
	assert_proc(&p, .state = RP_REFERRING, .started = NOW,
			.deadline = DEADLINE, .refer_pending = 2, .contacts = 2);

	/* reports twice, or of a target not asked for: ignored */
	poison(&out);
	reauth_proc_sent(&p, &CFG_ALL, NOW, 0, 1, &out);
	assert_no_actions(&out);
	assert_int_equal(t[0].status, RT_UNSENT);
	poison(&out);
	reauth_proc_answered(&p, &CFG_ALL, NOW, 9, 200, &out);
	assert_no_actions(&out);

	/* one REFER sent, one not: the sent one's 202 decides */
	poison(&out);
	reauth_proc_sent(&p, &CFG_ALL, NOW, 2, 1, &out);
	assert_no_actions(&out);
	poison(&out);
	reauth_proc_sent(&p, &CFG_ALL, NOW, 3, 0, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_REFERRING, .started = NOW,
			.deadline = DEADLINE, .refer_pending = 1, .contacts = 2);
	poison(&out);
	reauth_proc_answered(&p, &CFG_ALL, NOW + 1, 2, 202, &out);
	assert_no_actions(&out);
	assert_int_equal(t[2].status, RT_ACCEPTED);
	assert_proc(&p, .state = RP_AWAITING, .started = NOW, .deadline = DEADLINE,
			.contacts = 2);
	/* a retransmitted answer changes nothing */
	poison(&out);
	reauth_proc_answered(&p, &CFG_ALL, NOW + 1, 2, 500, &out);
	assert_no_actions(&out);
	assert_int_equal(t[2].status, RT_ACCEPTED);
}

/* A subscription made after the trigger is not a target: its answer
 * (the glue has no index for it) does not move the procedure, and the
 * UE target's refusal still falls back to REFER. */
static void test_targets_late_subscription(void **state)
{
	reauth_target_t t[2] = {{7, 0, RT_SUB_UE, 0}, {8, 0, RT_CONTACT, 0}};
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	poison(&out);
	assert_int_equal(reauth_proc_trigger(&p, &CFG_ALL, NOW, t, 2, &out), 0);
	reauth_proc_sent(&p, &CFG_ALL, NOW, 0, 1, &out);
	poison(&out);
	reauth_proc_answered(&p, &CFG_ALL, NOW, 2, 200, &out); /* not a target */
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_NOTIFYING, .started = NOW, .deadline = DEADLINE,
			.notify_pending = 1, .contacts = 1);
	poison(&out);
	reauth_proc_answered(&p, &CFG_ALL, NOW, 0, 488, &out);
	assert_actions(&out, 0, RA_SEND_REFER);
	assert_int_equal(t[0].status, RT_REFUSED);
	assert_int_equal(t[1].status, RT_TO_SEND);
	/* the answer may overtake the report that it was sent */
	poison(&out);
	reauth_proc_answered(&p, &CFG_ALL, NOW, 1, 202, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_AWAITING, .started = NOW, .deadline = DEADLINE,
			.contacts = 1);
	poison(&out);
	reauth_proc_sent(&p, &CFG_ALL, NOW, 1, 1, &out);
	assert_no_actions(&out);
	assert_int_equal(t[1].status, RT_ACCEPTED);
}

/* only watchers like the P-CSCF: they get the NOTIFY, the UE a REFER */
static void test_trigger_other_subs_refer(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 0, 2, 3, &out), 0);
	assert_actions(&out, DEADLINE, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER,
			RA_SEND_REFER);
	assert_proc(&p, .state = RP_REFERRING, .started = NOW, .deadline = DEADLINE,
			.refer_pending = 3, .contacts = 3);

	/* end_sessions plays no part */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_NO_END, NOW, 0, 1, 1, &out), 0);
	assert_actions(&out, DEADLINE, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER,
			RA_SEND_REFER);
	assert_proc(&p, .state = RP_REFERRING, .started = NOW, .deadline = DEADLINE,
			.refer_pending = 1, .contacts = 1);
}

/* only watchers, and no REFER possible: de-registered at once */
static void test_trigger_other_subs_no_way(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	/* REFER off */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_NO_REFER, NOW, 0, 2, 3, &out), 0);
	assert_actions(&out, DEADLINE, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER,
			RA_RAISE_FAILED, RA_DEREGISTER, RA_END_SESSIONS,
			RA_RAISE_DEREGISTERED);
	assert_proc(&p, .state = RP_DONE, .outcome = RP_OUT_DEREGISTERED,
			.reason = RP_WHY_NO_WAY, .started = NOW, .deadline = DEADLINE,
			.ended = NOW, .contacts = 3);

	/* REFER on, no contact */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_NO_END, NOW, 0, 1, 0, &out), 0);
	assert_actions(&out, DEADLINE, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER,
			RA_RAISE_FAILED, RA_DEREGISTER, RA_RAISE_DEREGISTERED);
	assert_proc(&p, .state = RP_DONE, .outcome = RP_OUT_DEREGISTERED,
			.reason = RP_WHY_NO_WAY, .started = NOW, .deadline = DEADLINE,
			.ended = NOW);
}

/* no subscription at all: the REFER is the only way */
static void test_trigger_no_subs_refer(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 0, 0, 2, &out), 0);
	assert_actions(&out, DEADLINE, RA_SHORTEN, RA_ARM_TIMER, RA_SEND_REFER);
	assert_proc(&p, .state = RP_REFERRING, .started = NOW, .deadline = DEADLINE,
			.refer_pending = 2, .contacts = 2);

	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_NO_END, NOW, 0, 0, 1, &out), 0);
	assert_actions(&out, DEADLINE, RA_SHORTEN, RA_ARM_TIMER, RA_SEND_REFER);
	assert_proc(&p, .state = RP_REFERRING, .started = NOW, .deadline = DEADLINE,
			.refer_pending = 1, .contacts = 1);
}

/* no subscription, no REFER: de-registered at once */
static void test_trigger_no_subs_no_way(void **state)
{
	static const struct
	{
		const reauth_proc_cfg_t *cfg;
		unsigned int contacts;
	} cases[] = {
			{&CFG_NO_REFER, 2}, /* REFER off */
			{&CFG_NONE, 2},
			{&CFG_ALL, 0}, /* REFER on, nobody to REFER */
			{&CFG_NO_END, 0},
			{&CFG_NO_REFER, 0},
	};
	reauth_proc_t p;
	reauth_actions_t out;
	size_t i;

	(void)state;
	for(i = 0; i < N_ELEMS(cases); i++) {
		memset(&p, 0, sizeof(p));
		assert_int_equal(ev_trigger(&p, cases[i].cfg, NOW, 0, 0,
								 cases[i].contacts, &out),
				0);
		if(cases[i].cfg->end_sessions)
			assert_actions(&out, DEADLINE, RA_SHORTEN, RA_ARM_TIMER,
					RA_RAISE_FAILED, RA_DEREGISTER, RA_END_SESSIONS,
					RA_RAISE_DEREGISTERED);
		else
			assert_actions(&out, DEADLINE, RA_SHORTEN, RA_ARM_TIMER,
					RA_RAISE_FAILED, RA_DEREGISTER, RA_RAISE_DEREGISTERED);
		assert_proc(&p, .state = RP_DONE, .outcome = RP_OUT_DEREGISTERED,
				.reason = RP_WHY_NO_WAY, .started = NOW, .deadline = DEADLINE,
				.ended = NOW, .contacts = cases[i].contacts);
		assert_string_equal(
				reauth_proc_reason_name(p.reason), "no subscription");
	}
}

/* a second trigger, in any state but idle, is refused and does nothing */
static void test_trigger_twice(void **state)
{
	reauth_proc_t p, before;
	reauth_actions_t out;
	int k;

	(void)state;
	for(k = 0; k < PK_COUNT; k++) {
		reach_pending(&p, k);
		before = p;
		assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW + 3, 1, 1, 1, &out), -1);
		assert_no_actions(&out);
		assert_unchanged(&p, &before);
	}
	for(k = 0; k < DK_COUNT; k++) {
		reach_done(&p, k);
		before = p;
		assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW + 3, 1, 1, 1, &out), -1);
		assert_no_actions(&out);
		assert_unchanged(&p, &before);
	}
}

/* ---- NOTIFY answers ---- */

static void test_notify_ue_2xx(void **state)
{
	static const int codes[] = {200, 202, 204, 299};
	reauth_proc_t p;
	reauth_actions_t out;
	size_t i;

	(void)state;
	for(i = 0; i < N_ELEMS(codes); i++) {
		memset(&p, 0, sizeof(p));
		assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 2, 1, 3, &out), 0);
		ev_notify(&p, &CFG_ALL, NOW + 1, 1, codes[i], &out);
		assert_no_actions(&out);
		assert_proc(&p, .state = RP_AWAITING, .started = NOW,
				.deadline = DEADLINE, .notify_pending = 1, .contacts = 3);

		/* the other UE answers later: AWAITING already, nothing more */
		ev_notify(&p, &CFG_ALL, NOW + 2, 1, 500, &out);
		assert_no_actions(&out);
		ev_notify(&p, &CFG_ALL, NOW + 2, 1, 200, &out);
		assert_no_actions(&out);
		assert_proc(&p, .state = RP_AWAITING, .started = NOW,
				.deadline = DEADLINE, .notify_pending = 1, .contacts = 3);
	}

	/* after one failure */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 2, 0, 1, &out), 0);
	ev_notify(&p, &CFG_ALL, NOW + 1, 1, 481, &out);
	assert_no_actions(&out);
	ev_notify(&p, &CFG_ALL, NOW + 2, 1, 200, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_AWAITING, .started = NOW, .deadline = DEADLINE,
			.contacts = 1);
}

/* a watcher's answer cannot re-register the UE: ignored either way */
static void test_notify_non_ue_ignored(void **state)
{
	static const int codes[] = {200, 202, 408, 500, 603};
	reauth_proc_t p;
	reauth_actions_t out;
	size_t i;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 1, 3, 2, &out), 0);
	for(i = 0; i < N_ELEMS(codes); i++) {
		ev_notify(&p, &CFG_ALL, NOW + 1, 0, codes[i], &out);
		assert_no_actions(&out);
		assert_proc(&p, .state = RP_NOTIFYING, .started = NOW,
				.deadline = DEADLINE, .notify_pending = 1, .contacts = 2);
	}

	/* nor while REFERRING for want of a UE subscription */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 0, 1, 2, &out), 0);
	for(i = 0; i < N_ELEMS(codes); i++) {
		ev_notify(&p, &CFG_ALL, NOW + 1, 0, codes[i], &out);
		assert_no_actions(&out);
		assert_proc(&p, .state = RP_REFERRING, .started = NOW,
				.deadline = DEADLINE, .refer_pending = 2, .contacts = 2);
	}
}

/* one UE failed, another has not answered: wait */
static void test_notify_one_fails_other_pending(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 3, 0, 2, &out), 0);
	ev_notify(&p, &CFG_ALL, NOW + 1, 1, 500, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_NOTIFYING, .started = NOW, .deadline = DEADLINE,
			.notify_pending = 2, .contacts = 2);
	ev_notify(&p, &CFG_ALL, NOW + 2, 1, 408, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_NOTIFYING, .started = NOW, .deadline = DEADLINE,
			.notify_pending = 1, .contacts = 2);

	/* with REFER off too */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_NO_REFER, NOW, 2, 0, 0, &out), 0);
	ev_notify(&p, &CFG_NO_REFER, NOW + 1, 1, 480, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_NOTIFYING, .started = NOW, .deadline = DEADLINE,
			.notify_pending = 1);
}

/* every UE NOTIFY failed: REFER every contact */
static void test_notify_all_fail_refer(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 2, 1, 3, &out), 0);
	ev_notify(&p, &CFG_ALL, NOW + 1, 1, 500, &out);
	assert_no_actions(&out);
	/* a watcher's 200 in between changes nothing */
	ev_notify(&p, &CFG_ALL, NOW + 1, 0, 200, &out);
	assert_no_actions(&out);
	ev_notify(&p, &CFG_ALL, NOW + 2, 1, 403, &out);
	assert_actions(&out, 0, RA_SEND_REFER);
	assert_proc(&p, .state = RP_REFERRING, .started = NOW, .deadline = DEADLINE,
			.refer_pending = 3, .contacts = 3);

	/* end_sessions plays no part */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_NO_END, NOW, 1, 0, 1, &out), 0);
	ev_notify(&p, &CFG_NO_END, NOW + 1, 1, 500, &out);
	assert_actions(&out, 0, RA_SEND_REFER);
	assert_proc(&p, .state = RP_REFERRING, .started = NOW, .deadline = DEADLINE,
			.refer_pending = 1, .contacts = 1);
}

/* every UE NOTIFY failed, no REFER: de-registered */
static void test_notify_all_fail_no_way(void **state)
{
	static const struct
	{
		const reauth_proc_cfg_t *cfg;
		unsigned int contacts;
	} cases[] = {
			{&CFG_NO_REFER, 2}, /* REFER off */
			{&CFG_NONE, 2},
			{&CFG_ALL, 0}, /* REFER on, nobody to REFER */
			{&CFG_NO_END, 0},
	};
	reauth_proc_t p;
	reauth_actions_t out;
	size_t i;

	(void)state;
	for(i = 0; i < N_ELEMS(cases); i++) {
		memset(&p, 0, sizeof(p));
		assert_int_equal(ev_trigger(&p, cases[i].cfg, NOW, 2, 1,
								 cases[i].contacts, &out),
				0);
		ev_notify(&p, cases[i].cfg, NOW + 1, 1, 408, &out);
		assert_no_actions(&out);
		ev_notify(&p, cases[i].cfg, NOW + 4, 1, 500, &out);
		assert_dereg_actions(&out, cases[i].cfg);
		assert_proc(&p, .state = RP_DONE, .outcome = RP_OUT_DEREGISTERED,
				.reason = RP_WHY_NOTIFY_FAILED, .started = NOW,
				.deadline = DEADLINE, .ended = NOW + 4,
				.contacts = cases[i].contacts);
		assert_string_equal(reauth_proc_reason_name(p.reason), "notify failed");
	}
}

/* only a 2xx is a success: 408 (the transaction timed out) and every
 * other final code is a failure */
static void test_notify_failure_codes(void **state)
{
	static const int codes[] = {
			300, 302, 400, 403, 404, 408, 480, 481, 489, 500, 503, 600, 603};
	reauth_proc_t p;
	reauth_actions_t out;
	size_t i;

	(void)state;
	for(i = 0; i < N_ELEMS(codes); i++) {
		memset(&p, 0, sizeof(p));
		assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 1, 0, 1, &out), 0);
		ev_notify(&p, &CFG_ALL, NOW + 1, 1, codes[i], &out);
		if(p.state != RP_REFERRING)
			fail_msg("NOTIFY answered %d: %s, expected referring", codes[i],
					reauth_proc_state_name(p.state));
		assert_actions(&out, 0, RA_SEND_REFER);
		assert_proc(&p, .state = RP_REFERRING, .started = NOW,
				.deadline = DEADLINE, .refer_pending = 1, .contacts = 1);
	}
}

/* answers to NOTIFYs when no NOTIFY is awaited are ignored */
static void test_notify_wrong_state(void **state)
{
	static const int codes[] = {200, 408, 500};
	reauth_proc_t p, before;
	reauth_actions_t out;
	size_t i;
	int k;

	(void)state;
	for(k = 0; k < PK_COUNT; k++) {
		if(pending_state[k] == RP_NOTIFYING)
			continue;
		for(i = 0; i < N_ELEMS(codes); i++) {
			reach_pending(&p, k);
			before = p;
			ev_notify(&p, &CFG_ALL, NOW + 3, 1, codes[i], &out);
			assert_no_actions(&out);
			assert_unchanged(&p, &before);
			ev_notify(&p, &CFG_NO_REFER, NOW + 3, 1, codes[i], &out);
			assert_no_actions(&out);
			assert_unchanged(&p, &before);
		}
	}
	for(k = 0; k < DK_COUNT; k++) {
		for(i = 0; i < N_ELEMS(codes); i++) {
			reach_done(&p, k);
			before = p;
			ev_notify(&p, &CFG_ALL, NOW + 3, 1, codes[i], &out);
			assert_no_actions(&out);
			assert_unchanged(&p, &before);
		}
	}
	/* idle */
	memset(&p, 0, sizeof(p));
	ev_notify(&p, &CFG_ALL, NOW, 1, 500, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_IDLE);
	ev_notify(&p, &CFG_ALL, NOW, 1, 200, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_IDLE);
}

/* ---- REFER answers ---- */

static void test_refer_2xx(void **state)
{
	static const int codes[] = {202, 200, 299};
	reauth_proc_t p;
	reauth_actions_t out;
	size_t i;

	(void)state;
	for(i = 0; i < N_ELEMS(codes); i++) {
		memset(&p, 0, sizeof(p));
		assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 0, 0, 2, &out), 0);
		ev_refer(&p, &CFG_ALL, NOW + 1, codes[i], &out);
		assert_no_actions(&out);
		assert_proc(&p, .state = RP_AWAITING, .started = NOW,
				.deadline = DEADLINE, .refer_pending = 1, .contacts = 2);
	}

	/* REFERRING after the NOTIFYs failed */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 1, 0, 3, &out), 0);
	ev_notify(&p, &CFG_ALL, NOW + 1, 1, 408, &out);
	assert_actions(&out, 0, RA_SEND_REFER);
	ev_refer(&p, &CFG_ALL, NOW + 2, 202, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_AWAITING, .started = NOW, .deadline = DEADLINE,
			.refer_pending = 2, .contacts = 3);
}

/* one REFER failed, another has not answered: wait */
static void test_refer_one_fails_other_pending(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 0, 0, 3, &out), 0);
	ev_refer(&p, &CFG_ALL, NOW + 1, 408, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_REFERRING, .started = NOW, .deadline = DEADLINE,
			.refer_pending = 2, .contacts = 3);
	ev_refer(&p, &CFG_ALL, NOW + 2, 603, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_REFERRING, .started = NOW, .deadline = DEADLINE,
			.refer_pending = 1, .contacts = 3);
	ev_refer(&p, &CFG_ALL, NOW + 3, 202, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_AWAITING, .started = NOW, .deadline = DEADLINE,
			.contacts = 3);
}

/* every REFER failed: de-registered */
static void test_refer_all_fail(void **state)
{
	static const reauth_proc_cfg_t *cfgs[] = {&CFG_ALL, &CFG_NO_END};
	static const int codes[] = {300, 403, 404, 405, 408, 481, 500, 503, 603};
	reauth_proc_t p;
	reauth_actions_t out;
	size_t i;

	(void)state;
	for(i = 0; i < N_ELEMS(cfgs); i++) {
		memset(&p, 0, sizeof(p));
		assert_int_equal(ev_trigger(&p, cfgs[i], NOW, 0, 1, 2, &out), 0);
		ev_refer(&p, cfgs[i], NOW + 1, 500, &out);
		assert_no_actions(&out);
		ev_refer(&p, cfgs[i], NOW + 5, 408, &out);
		assert_dereg_actions(&out, cfgs[i]);
		assert_proc(&p, .state = RP_DONE, .outcome = RP_OUT_DEREGISTERED,
				.reason = RP_WHY_REFER_FAILED, .started = NOW,
				.deadline = DEADLINE, .ended = NOW + 5, .contacts = 2);
		assert_string_equal(reauth_proc_reason_name(p.reason), "refer failed");
	}

	/* REFERRING after the NOTIFYs failed; every failure code */
	for(i = 0; i < N_ELEMS(codes); i++) {
		memset(&p, 0, sizeof(p));
		assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 1, 0, 1, &out), 0);
		ev_notify(&p, &CFG_ALL, NOW + 1, 1, 500, &out);
		assert_actions(&out, 0, RA_SEND_REFER);
		ev_refer(&p, &CFG_ALL, NOW + 2, codes[i], &out);
		if(p.state != RP_DONE)
			fail_msg("REFER answered %d: %s, expected done", codes[i],
					reauth_proc_state_name(p.state));
		assert_dereg_actions(&out, &CFG_ALL);
		assert_proc(&p, .state = RP_DONE, .outcome = RP_OUT_DEREGISTERED,
				.reason = RP_WHY_REFER_FAILED, .started = NOW,
				.deadline = DEADLINE, .ended = NOW + 2, .contacts = 1);
	}
}

/* answers to REFERs when no REFER is awaited are ignored */
static void test_refer_wrong_state(void **state)
{
	static const int codes[] = {202, 408, 500};
	reauth_proc_t p, before;
	reauth_actions_t out;
	size_t i;
	int k;

	(void)state;
	for(k = 0; k < PK_COUNT; k++) {
		if(pending_state[k] == RP_REFERRING)
			continue;
		for(i = 0; i < N_ELEMS(codes); i++) {
			reach_pending(&p, k);
			before = p;
			ev_refer(&p, &CFG_ALL, NOW + 3, codes[i], &out);
			assert_no_actions(&out);
			assert_unchanged(&p, &before);
		}
	}
	for(k = 0; k < DK_COUNT; k++) {
		for(i = 0; i < N_ELEMS(codes); i++) {
			reach_done(&p, k);
			before = p;
			ev_refer(&p, &CFG_ALL, NOW + 3, codes[i], &out);
			assert_no_actions(&out);
			assert_unchanged(&p, &before);
		}
	}
	memset(&p, 0, sizeof(p));
	ev_refer(&p, &CFG_ALL, NOW, 500, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_IDLE);
	ev_refer(&p, &CFG_ALL, NOW, 202, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_IDLE);
}

/* ---- re-REGISTER ---- */

/* an authenticated re-REGISTER completes, in every pending state (a UE
 * may re-register before its 2xx reaches us) */
static void test_reregistered_completes(void **state)
{
	reauth_proc_t p, before;
	reauth_actions_t out;
	int k;

	(void)state;
	for(k = 0; k < PK_COUNT; k++) {
		reach_pending(&p, k);
		before = p;
		ev_rereg(&p, NOW + 7, 1, &out);
		assert_actions(&out, 0, RA_RAISE_COMPLETED);
		/* the counters stay as they were */
		before.state = RP_DONE;
		before.outcome = RP_OUT_COMPLETED;
		before.reason = RP_WHY_REREGISTERED;
		before.ended = NOW + 7;
		assert_unchanged(&p, &before);
		assert_int_equal(reauth_proc_next_expiry(&p), 0);
	}

	/* at the deadline, before the timer fired */
	reach_pending(&p, PK_AWAITING_REFER);
	ev_rereg(&p, DEADLINE, 1, &out);
	assert_actions(&out, 0, RA_RAISE_COMPLETED);
	assert_proc(&p, .state = RP_DONE, .outcome = RP_OUT_COMPLETED,
			.reason = RP_WHY_REREGISTERED, .started = NOW, .deadline = DEADLINE,
			.ended = DEADLINE, .refer_pending = 1, .contacts = 2);
	/* and the timer then finds it done */
	ev_deadline(&p, &CFG_ALL, DEADLINE, &out);
	assert_no_actions(&out);
	assert_int_equal(p.outcome, RP_OUT_COMPLETED);
}

/* a REGISTER that was not authenticated is not the re-authentication */
static void test_reregistered_unauthenticated(void **state)
{
	reauth_proc_t p, before;
	reauth_actions_t out;
	int k;

	(void)state;
	for(k = 0; k < PK_COUNT; k++) {
		reach_pending(&p, k);
		before = p;
		ev_rereg(&p, NOW + 7, 0, &out);
		assert_no_actions(&out);
		assert_unchanged(&p, &before);
	}
	memset(&p, 0, sizeof(p));
	ev_rereg(&p, NOW, 0, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_IDLE);
}

/* nothing to complete when idle or already done */
static void test_reregistered_idle_done(void **state)
{
	reauth_proc_t p, before;
	reauth_actions_t out;
	int k;

	(void)state;
	for(k = 0; k < DK_COUNT; k++) {
		reach_done(&p, k);
		before = p;
		ev_rereg(&p, NOW + 9, 1, &out);
		assert_no_actions(&out);
		assert_unchanged(&p, &before);
		ev_rereg(&p, NOW + 9, 0, &out);
		assert_no_actions(&out);
		assert_unchanged(&p, &before);
	}
	memset(&p, 0, sizeof(p));
	ev_rereg(&p, NOW, 1, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_IDLE);
}

/* ---- deadline ---- */

static void test_deadline_before(void **state)
{
	static const long times[] = {NOW - 1, NOW, NOW + 1, DEADLINE - 1};
	reauth_proc_t p, before;
	reauth_actions_t out;
	size_t i;
	int k;

	(void)state;
	for(k = 0; k < PK_COUNT; k++) {
		reach_pending(&p, k);
		before = p;
		for(i = 0; i < N_ELEMS(times); i++) {
			ev_deadline(&p, &CFG_ALL, times[i], &out);
			assert_no_actions(&out);
			assert_unchanged(&p, &before);
		}
	}
}

/* at or past the deadline, in every pending state: de-registered */
static void test_deadline_reached(void **state)
{
	static const reauth_proc_cfg_t *cfgs[] = {
			&CFG_ALL, &CFG_NO_END, &CFG_NO_REFER, &CFG_NONE};
	static const long times[] = {DEADLINE, DEADLINE + 1, DEADLINE + 3600};
	reauth_proc_t p, before;
	reauth_actions_t out;
	size_t i, j;
	int k;

	(void)state;
	for(k = 0; k < PK_COUNT; k++) {
		for(i = 0; i < N_ELEMS(cfgs); i++) {
			for(j = 0; j < N_ELEMS(times); j++) {
				reach_pending(&p, k);
				before = p;
				ev_deadline(&p, cfgs[i], times[j], &out);
				assert_dereg_actions(&out, cfgs[i]);
				before.state = RP_DONE;
				before.outcome = RP_OUT_DEREGISTERED;
				before.reason = RP_WHY_TIMEOUT;
				before.ended = times[j];
				assert_unchanged(&p, &before);
				assert_string_equal(
						reauth_proc_reason_name(p.reason), "timeout");
			}
		}
	}

	/* a timeout of 0 expires at the trigger time */
	memset(&p, 0, sizeof(p));
	assert_int_equal(
			ev_trigger(&p, &(reauth_proc_cfg_t){0, 1, 1, 0}, NOW, 1, 0, 1, &out),
			0);
	assert_actions(&out, NOW, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER);
	ev_deadline(&p, &CFG_ALL, NOW, &out);
	assert_dereg_actions(&out, &CFG_ALL);
	assert_proc(&p, .state = RP_DONE, .outcome = RP_OUT_DEREGISTERED,
			.reason = RP_WHY_TIMEOUT, .started = NOW, .deadline = NOW,
			.ended = NOW, .notify_pending = 1, .contacts = 1);
}

/* An authenticated REGISTER saved before the deadline wins, however late
 * its event reaches the procedure: the deadline completes it instead. */
static void test_deadline_after_register_seen(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;
	int k;

	(void)state;
	for(k = 0; k < PK_COUNT; k++) {
		reach_pending(&p, k);
		reauth_proc_register_seen(&p, DEADLINE - 1);
		assert_int_equal(p.reregistered_at, DEADLINE - 1);
		/* a second one keeps the first time */
		reauth_proc_register_seen(&p, DEADLINE);
		assert_int_equal(p.reregistered_at, DEADLINE - 1);
		ev_deadline(&p, &CFG_ALL, DEADLINE + 5, &out);
		assert_actions(&out, 0, RA_RAISE_COMPLETED);
		assert_int_equal(p.state, RP_DONE);
		assert_int_equal(p.outcome, RP_OUT_COMPLETED);
		assert_int_equal(p.reason, RP_WHY_REREGISTERED);
		assert_int_equal(p.ended, DEADLINE + 5);
		/* its late event then finds the procedure done */
		ev_rereg(&p, DEADLINE + 6, 1, &out);
		assert_int_equal(out.n, 0);
	}
	/* a REGISTER after the deadline does not count */
	reach_pending(&p, PK_NOTIFYING);
	reauth_proc_register_seen(&p, DEADLINE + 1);
	assert_int_equal(p.reregistered_at, 0);
	ev_deadline(&p, &CFG_ALL, DEADLINE + 1, &out);
	assert_dereg_actions(&out, &CFG_ALL);
	/* nor one seen by a procedure that is done */
	reach_done(&p, DK_CANCELLED);
	reauth_proc_register_seen(&p, NOW + 3);
	assert_int_equal(p.reregistered_at, 0);
}

/* the timer of a finished or never started procedure does nothing */
static void test_deadline_done_idle(void **state)
{
	static const long times[] = {NOW, DEADLINE - 1, DEADLINE, DEADLINE + 60};
	reauth_proc_t p, before;
	reauth_actions_t out;
	size_t i;
	int k;

	(void)state;
	for(k = 0; k < DK_COUNT; k++) {
		reach_done(&p, k);
		before = p;
		for(i = 0; i < N_ELEMS(times); i++) {
			ev_deadline(&p, &CFG_ALL, times[i], &out);
			assert_no_actions(&out);
			assert_unchanged(&p, &before);
		}
	}
	memset(&p, 0, sizeof(p));
	ev_deadline(&p, &CFG_ALL, NOW, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_IDLE);
}

/* ---- cancel ---- */

static void test_cancel_pending(void **state)
{
	reauth_proc_t p, before;
	reauth_actions_t out;
	int k;

	(void)state;
	for(k = 0; k < PK_COUNT; k++) {
		reach_pending(&p, k);
		before = p;
		assert_int_equal(ev_cancel(&p, NOW + 8, &out), 0);
		assert_no_actions(&out);
		before.state = RP_DONE;
		before.outcome = RP_OUT_CANCELLED;
		before.reason = RP_WHY_CANCELLED;
		before.ended = NOW + 8;
		assert_unchanged(&p, &before);
		assert_int_equal(reauth_proc_next_expiry(&p), 0);

		/* nothing moves it any more */
		ev_deadline(&p, &CFG_ALL, DEADLINE, &out);
		assert_no_actions(&out);
		ev_rereg(&p, NOW + 9, 1, &out);
		assert_no_actions(&out);
		ev_notify(&p, &CFG_ALL, NOW + 9, 1, 200, &out);
		assert_no_actions(&out);
		ev_refer(&p, &CFG_ALL, NOW + 9, 202, &out);
		assert_no_actions(&out);
		assert_unchanged(&p, &before);
	}
}

static void test_cancel_idle_done(void **state)
{
	reauth_proc_t p, before;
	reauth_actions_t out;
	int k;

	(void)state;
	/* not triggered yet (its trigger is on its way): cancelled, and the
	 * trigger then finds it done */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_cancel(&p, NOW, &out), 0);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_DONE, .outcome = RP_OUT_CANCELLED,
			.reason = RP_WHY_CANCELLED, .ended = NOW);
	assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW + 1, 1, 0, 1, &out), -1);
	assert_no_actions(&out);
	for(k = 0; k < DK_COUNT; k++) {
		reach_done(&p, k);
		before = p;
		assert_int_equal(ev_cancel(&p, NOW + 9, &out), -1);
		assert_no_actions(&out);
		assert_unchanged(&p, &before);
	}
}

/* ---- next expiry ---- */

static void test_next_expiry(void **state)
{
	reauth_proc_t p;
	int k;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(reauth_proc_next_expiry(&p), 0);
	for(k = 0; k < PK_COUNT; k++) {
		reach_pending(&p, k);
		if(reauth_proc_next_expiry(&p) != DEADLINE)
			fail_msg("%s: next expiry %ld, expected %ld", pending_name[k],
					reauth_proc_next_expiry(&p), DEADLINE);
	}
	for(k = 0; k < DK_COUNT; k++) {
		reach_done(&p, k);
		if(reauth_proc_next_expiry(&p) != 0)
			fail_msg("%s: next expiry %ld, expected 0", done_name[k],
					reauth_proc_next_expiry(&p));
	}
}

/* ---- a whole run ---- */

/* UE NOTIFY fails, a REFER fails, the other is accepted, the UE
 * re-registers without then with authentication */
static void test_full_run(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger(&p, &CFG_ALL, NOW, 1, 1, 2, &out), 0);
	assert_actions(&out, DEADLINE, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER);
	ev_notify(&p, &CFG_ALL, NOW + 1, 0, 200, &out);
	assert_no_actions(&out);
	ev_notify(&p, &CFG_ALL, NOW + 2, 1, 408, &out);
	assert_actions(&out, 0, RA_SEND_REFER);
	ev_refer(&p, &CFG_ALL, NOW + 3, 403, &out);
	assert_no_actions(&out);
	ev_refer(&p, &CFG_ALL, NOW + 4, 202, &out);
	assert_no_actions(&out);
	assert_proc(&p, .state = RP_AWAITING, .started = NOW, .deadline = DEADLINE,
			.contacts = 2);
	ev_deadline(&p, &CFG_ALL, DEADLINE - 1, &out);
	assert_no_actions(&out);
	ev_rereg(&p, NOW + 10, 0, &out);
	assert_no_actions(&out);
	ev_rereg(&p, NOW + 11, 1, &out);
	assert_actions(&out, 0, RA_RAISE_COMPLETED);
	assert_proc(&p, .state = RP_DONE, .outcome = RP_OUT_COMPLETED,
			.reason = RP_WHY_REREGISTERED, .started = NOW, .deadline = DEADLINE,
			.ended = NOW + 11, .contacts = 2);
	assert_int_equal(reauth_proc_next_expiry(&p), 0);
	ev_deadline(&p, &CFG_ALL, DEADLINE, &out);
	assert_no_actions(&out);
}

/* ---- names ---- */

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(reauth_proc_state_name(RP_IDLE), "idle");
	assert_string_equal(reauth_proc_state_name(RP_NOTIFYING), "notifying");
	assert_string_equal(reauth_proc_state_name(RP_REFERRING), "referring");
	assert_string_equal(
			reauth_proc_state_name(RP_AWAITING), "awaiting-register");
	assert_string_equal(reauth_proc_state_name(RP_DONE), "done");
	assert_string_equal(reauth_proc_state_name(RP_PUBLISHED), "published");
	/* the DB keeps the pending states, all before RP_DONE */
	assert_true(RP_PUBLISHED < RP_DONE);
	assert_string_equal(
			reauth_proc_state_name((reauth_proc_state_t)(RP_DONE + 1)),
			"unknown");
	assert_string_equal(
			reauth_proc_state_name((reauth_proc_state_t)-1), "unknown");
}

static void test_outcome_names(void **state)
{
	(void)state;
	assert_string_equal(reauth_proc_outcome_name(RP_OUT_NONE), "pending");
	assert_string_equal(
			reauth_proc_outcome_name(RP_OUT_COMPLETED), "completed");
	assert_string_equal(
			reauth_proc_outcome_name(RP_OUT_DEREGISTERED), "deregistered");
	assert_string_equal(
			reauth_proc_outcome_name(RP_OUT_CANCELLED), "cancelled");
	assert_string_equal(reauth_proc_outcome_name(
								(reauth_proc_outcome_t)(RP_OUT_CANCELLED + 1)),
			"unknown");
	assert_string_equal(
			reauth_proc_outcome_name((reauth_proc_outcome_t)-1), "unknown");
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(reauth_proc_reason_name(RP_WHY_NONE), "none");
	assert_string_equal(
			reauth_proc_reason_name(RP_WHY_REREGISTERED), "re-registered");
	assert_string_equal(
			reauth_proc_reason_name(RP_WHY_NOTIFY_FAILED), "notify failed");
	assert_string_equal(
			reauth_proc_reason_name(RP_WHY_REFER_FAILED), "refer failed");
	assert_string_equal(
			reauth_proc_reason_name(RP_WHY_NO_WAY), "no subscription");
	assert_string_equal(reauth_proc_reason_name(RP_WHY_TIMEOUT), "timeout");
	assert_string_equal(reauth_proc_reason_name(RP_WHY_CANCELLED), "cancelled");
	assert_string_equal(reauth_proc_reason_name(RP_WHY_NOT_REREGISTERED),
			"not re-registered");
	assert_string_equal(reauth_proc_reason_name((reauth_proc_reason_t)(
								RP_WHY_NOT_REREGISTERED + 1)),
			"unknown");
	assert_string_equal(
			reauth_proc_reason_name((reauth_proc_reason_t)-1), "unknown");
}

/* ---- through a presence server (reg_event_mode pua) ---- */

#define WAIT 10L
static const reauth_proc_cfg_t CFG_PUB = {TIMEOUT, 1, 1, WAIT};
static const reauth_proc_cfg_t CFG_PUB_NO_REFER = {TIMEOUT, 0, 0, WAIT};

/* pub publications (one per identity), then contacts, all reported sent */
static int ev_trigger_pub(reauth_proc_t *p, const reauth_proc_cfg_t *cfg,
		long now, unsigned int pub, unsigned int contacts,
		reauth_actions_t *out)
{
	reauth_target_t *t = targets_new(0, 0, pub + contacts);
	unsigned int i;
	int rc;

	for(i = 0; i < pub; i++)
		t[i].kind = RT_PUBLICATION;
	poison(out);
	rc = reauth_proc_trigger(p, cfg, now, t, pub + contacts, out);
	if(rc == 0)
		send_marked(p, cfg, now);
	return rc;
}

static void test_pub_trigger(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ev_trigger_pub(&p, &CFG_PUB, NOW, 2, 1, &out), 0);
	/* publish, and wake up when the wait is over, not at the deadline */
	assert_actions(&out, NOW + WAIT, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER);
	assert_proc(&p, .state = RP_PUBLISHED, .started = NOW,
			.deadline = DEADLINE, .notify_pending = 2, .contacts = 1,
			.wait_until = NOW + WAIT);
	assert_int_equal(reauth_proc_count(&p, RT_PUBLICATION, RT_SENT), 2);
	/* the REFER waits for the fallback */
	assert_int_equal(reauth_proc_count(&p, RT_CONTACT, RT_KNOWN), 1);
	assert_int_equal(reauth_proc_next_expiry(&p), NOW + WAIT);
}

/* a UE subscription's answer decides: publications are not listed then */
static void test_pub_ignored_with_ue_sub(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;
	reauth_target_t *t = targets_new(1, 0, 2);

	(void)state;
	t[1].kind = RT_PUBLICATION;
	memset(&p, 0, sizeof(p));
	poison(&out);
	assert_int_equal(reauth_proc_trigger(&p, &CFG_PUB, NOW, t, 3, &out), 0);
	assert_actions(&out, DEADLINE, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER);
	assert_proc(&p, .state = RP_NOTIFYING, .started = NOW,
			.deadline = DEADLINE, .notify_pending = 1, .contacts = 1);
	assert_int_equal(t[1].status, RT_KNOWN);
}

/* the UE re-registers while published: completed, one outcome */
static void test_pub_reregistered(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	ev_trigger_pub(&p, &CFG_PUB, NOW, 1, 1, &out);
	ev_rereg(&p, NOW + 3, 0, &out); /* not authenticated: nothing */
	assert_no_actions(&out);
	assert_int_equal(p.state, RP_PUBLISHED);
	ev_rereg(&p, NOW + 4, 1, &out);
	assert_actions(&out, 0, RA_RAISE_COMPLETED);
	assert_proc(&p, .state = RP_DONE, .outcome = RP_OUT_COMPLETED,
			.reason = RP_WHY_REREGISTERED, .started = NOW,
			.deadline = DEADLINE, .ended = NOW + 4, .notify_pending = 1,
			.contacts = 1, .wait_until = NOW + WAIT);
	ev_deadline(&p, &CFG_PUB, NOW + WAIT, &out);
	assert_no_actions(&out);
	ev_rereg(&p, NOW + 5, 1, &out);
	assert_no_actions(&out);
}

/* the wait passes without a re-REGISTER: REFER, then the deadline */
static void test_pub_wait_refer(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	ev_trigger_pub(&p, &CFG_PUB, NOW, 1, 2, &out);
	ev_deadline(&p, &CFG_PUB, NOW + WAIT - 1, &out);
	assert_no_actions(&out);
	assert_int_equal(p.state, RP_PUBLISHED);
	poison(&out);
	reauth_proc_deadline(&p, &CFG_PUB, NOW + WAIT, &out);
	assert_actions(&out, DEADLINE, RA_SEND_REFER, RA_ARM_TIMER);
	assert_proc(&p, .state = RP_REFERRING, .started = NOW,
			.deadline = DEADLINE, .notify_pending = 1, .refer_pending = 2,
			.contacts = 2);
	assert_int_equal(reauth_proc_count(&p, RT_CONTACT, RT_TO_SEND), 2);
	assert_int_equal(reauth_proc_next_expiry(&p), DEADLINE);
	send_marked(&p, &CFG_PUB, NOW + WAIT);
	/* one REFER accepted: awaiting the REGISTER until the deadline */
	ev_refer(&p, &CFG_PUB, NOW + WAIT + 1, 202, &out);
	assert_no_actions(&out);
	assert_int_equal(p.state, RP_AWAITING);
	ev_deadline(&p, &CFG_PUB, DEADLINE, &out);
	assert_dereg_actions(&out, &CFG_PUB);
	assert_int_equal(p.outcome, RP_OUT_DEREGISTERED);
	assert_int_equal(p.reason, RP_WHY_TIMEOUT);
}

/* the wait passes, every REFER fails: de-registered at once */
static void test_pub_wait_refer_fails(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	ev_trigger_pub(&p, &CFG_PUB, NOW, 2, 1, &out);
	ev_deadline(&p, &CFG_PUB, NOW + WAIT + 2, &out);
	assert_actions(&out, DEADLINE, RA_SEND_REFER, RA_ARM_TIMER);
	send_marked(&p, &CFG_PUB, NOW + WAIT + 2);
	ev_refer(&p, &CFG_PUB, NOW + WAIT + 3, 603, &out);
	assert_dereg_actions(&out, &CFG_PUB);
	assert_proc(&p, .state = RP_DONE, .outcome = RP_OUT_DEREGISTERED,
			.reason = RP_WHY_REFER_FAILED, .started = NOW,
			.deadline = DEADLINE, .ended = NOW + WAIT + 3,
			.notify_pending = 2, .contacts = 1);
}

/* no REFER (switched off, or no contact): de-registered when the wait
 * passes, not at the deadline */
static void test_pub_wait_no_refer(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	ev_trigger_pub(&p, &CFG_PUB_NO_REFER, NOW, 1, 1, &out);
	ev_deadline(&p, &CFG_PUB_NO_REFER, NOW + WAIT, &out);
	assert_dereg_actions(&out, &CFG_PUB_NO_REFER);
	assert_proc(&p, .state = RP_DONE, .outcome = RP_OUT_DEREGISTERED,
			.reason = RP_WHY_NOT_REREGISTERED, .started = NOW,
			.deadline = DEADLINE, .ended = NOW + WAIT, .notify_pending = 1,
			.contacts = 1);

	memset(&p, 0, sizeof(p));
	ev_trigger_pub(&p, &CFG_PUB, NOW, 1, 0, &out);
	ev_deadline(&p, &CFG_PUB, NOW + WAIT, &out);
	assert_dereg_actions(&out, &CFG_PUB);
	assert_int_equal(p.reason, RP_WHY_NOT_REREGISTERED);
}

/* an authenticated REGISTER saved before the wait passed, its event still
 * queued: completed, no REFER */
static void test_pub_wait_after_register_seen(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	ev_trigger_pub(&p, &CFG_PUB, NOW, 1, 1, &out);
	reauth_proc_register_seen(&p, NOW + WAIT - 1);
	ev_deadline(&p, &CFG_PUB, NOW + WAIT, &out);
	assert_actions(&out, 0, RA_RAISE_COMPLETED);
	assert_int_equal(p.outcome, RP_OUT_COMPLETED);
	assert_int_equal(p.reason, RP_WHY_REREGISTERED);
}

/* every publication failed (not sent, or refused): the next way at once */
static void test_pub_all_failed(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;
	reauth_target_t *t = targets_new(0, 0, 3);

	(void)state;
	t[0].kind = t[1].kind = RT_PUBLICATION;
	memset(&p, 0, sizeof(p));
	poison(&out);
	reauth_proc_trigger(&p, &CFG_PUB, NOW, t, 3, &out);
	poison(&out);
	reauth_proc_sent(&p, &CFG_PUB, NOW, 0, 0, &out);
	assert_no_actions(&out);
	assert_int_equal(p.notify_pending, 1);
	poison(&out);
	reauth_proc_sent(&p, &CFG_PUB, NOW, 1, 1, &out);
	assert_no_actions(&out);
	/* the presence server taking one is not the UE accepting it */
	poison(&out);
	reauth_proc_answered(&p, &CFG_PUB, NOW + 1, 1, 200, &out);
	assert_no_actions(&out);
	assert_int_equal(p.state, RP_PUBLISHED);
	assert_int_equal(p.notify_pending, 1);

	memset(&p, 0, sizeof(p));
	poison(&out);
	reauth_proc_trigger(&p, &CFG_PUB, NOW, t, 3, &out);
	poison(&out);
	reauth_proc_sent(&p, &CFG_PUB, NOW, 0, 0, &out);
	poison(&out);
	reauth_proc_sent(&p, &CFG_PUB, NOW, 1, 1, &out);
	poison(&out);
	reauth_proc_answered(&p, &CFG_PUB, NOW + 1, 1, 500, &out);
	assert_actions(&out, 0, RA_SEND_REFER);
	assert_proc(&p, .state = RP_REFERRING, .started = NOW,
			.deadline = DEADLINE, .refer_pending = 1, .contacts = 1,
			.wait_until = NOW + WAIT);
	/* the wait is over: the deadline is next */
	assert_int_equal(reauth_proc_next_expiry(&p), DEADLINE);
}

/* a wait as long as the timeout or more: the deadline decides; a record
 * restored from the DB (no wait_until) too */
static void test_pub_wait_past_deadline(void **state)
{
	static const reauth_proc_cfg_t cfg = {TIMEOUT, 1, 1, TIMEOUT};
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	ev_trigger_pub(&p, &cfg, NOW, 1, 1, &out);
	assert_actions(&out, DEADLINE, RA_SHORTEN, RA_SEND_NOTIFY, RA_ARM_TIMER);
	assert_int_equal(p.wait_until, 0);
	assert_int_equal(reauth_proc_next_expiry(&p), DEADLINE);
	ev_deadline(&p, &cfg, DEADLINE - 1, &out);
	assert_no_actions(&out);
	ev_deadline(&p, &cfg, DEADLINE, &out);
	assert_dereg_actions(&out, &cfg);
	assert_int_equal(p.reason, RP_WHY_TIMEOUT);
}

/* cancelled while published: no de-registration */
static void test_pub_cancel(void **state)
{
	reauth_proc_t p;
	reauth_actions_t out;

	(void)state;
	memset(&p, 0, sizeof(p));
	ev_trigger_pub(&p, &CFG_PUB, NOW, 1, 1, &out);
	assert_int_equal(ev_cancel(&p, NOW + 1, &out), 0);
	assert_no_actions(&out);
	assert_int_equal(p.outcome, RP_OUT_CANCELLED);
	ev_deadline(&p, &CFG_PUB, NOW + WAIT, &out);
	assert_no_actions(&out);
	assert_int_equal(reauth_proc_next_expiry(&p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_trigger_ue_subs),
			cmocka_unit_test(test_trigger_resets_idle),
			cmocka_unit_test(test_targets_marked),
			cmocka_unit_test(test_targets_late_subscription),
			cmocka_unit_test(test_trigger_other_subs_refer),
			cmocka_unit_test(test_trigger_other_subs_no_way),
			cmocka_unit_test(test_trigger_no_subs_refer),
			cmocka_unit_test(test_trigger_no_subs_no_way),
			cmocka_unit_test(test_trigger_twice),
			cmocka_unit_test(test_notify_ue_2xx),
			cmocka_unit_test(test_notify_non_ue_ignored),
			cmocka_unit_test(test_notify_one_fails_other_pending),
			cmocka_unit_test(test_notify_all_fail_refer),
			cmocka_unit_test(test_notify_all_fail_no_way),
			cmocka_unit_test(test_notify_failure_codes),
			cmocka_unit_test(test_notify_wrong_state),
			cmocka_unit_test(test_refer_2xx),
			cmocka_unit_test(test_refer_one_fails_other_pending),
			cmocka_unit_test(test_refer_all_fail),
			cmocka_unit_test(test_refer_wrong_state),
			cmocka_unit_test(test_reregistered_completes),
			cmocka_unit_test(test_reregistered_unauthenticated),
			cmocka_unit_test(test_reregistered_idle_done),
			cmocka_unit_test(test_deadline_before),
			cmocka_unit_test(test_deadline_reached),
			cmocka_unit_test(test_deadline_after_register_seen),
			cmocka_unit_test(test_deadline_done_idle),
			cmocka_unit_test(test_cancel_pending),
			cmocka_unit_test(test_cancel_idle_done),
			cmocka_unit_test(test_next_expiry),
			cmocka_unit_test(test_full_run),
			cmocka_unit_test(test_state_names),
			cmocka_unit_test(test_outcome_names),
			cmocka_unit_test(test_reason_names),
			cmocka_unit_test(test_pub_trigger),
			cmocka_unit_test(test_pub_ignored_with_ue_sub),
			cmocka_unit_test(test_pub_reregistered),
			cmocka_unit_test(test_pub_wait_refer),
			cmocka_unit_test(test_pub_wait_refer_fails),
			cmocka_unit_test(test_pub_wait_no_refer),
			cmocka_unit_test(test_pub_wait_after_register_seen),
			cmocka_unit_test(test_pub_all_failed),
			cmocka_unit_test(test_pub_wait_past_deadline),
			cmocka_unit_test(test_pub_cancel),
	};

	return cmocka_run_group_tests_name("procedure", tests, NULL, NULL);
}
