/*
 * reauth module - re-authentication procedures: the worker's side
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * At the trigger the worker lists who can be reached (every subscription
 * of the user's identities, every registered contact of the set:
 * reauth_proc_views.c) and hands the list to pure/procedure, which marks
 * whom to NOTIFY or REFER. The worker sends to exactly those, tells the
 * machine for each whether it was sent, and brings the answers back:
 * nothing is counted twice or guessed. The machine runs under its
 * record's bucket lock; everything that talks to usrloc, tm, dialog, the
 * DB or the script runs after it is released.
 */

#include "core/dprint.h"
#include "core/mem/shm_mem.h"

#include "pure/reginfo.h"

#include "reauth_db.h"
#include "reauth_dereg.h"
#include "reauth_sessions.h"
#include "reauth_events.h"
#include "reauth_notify.h"
#include "reauth_proc.h"
#include "reauth_proc_replica.h"
#include "reauth_proc_run.h"
#include "reauth_proc_views.h"
#include "reauth_pua.h"
#include "reauth_refer.h"
#include "reauth_snapshot.h"
#include "reauth_stats.h"
#include "reauth_subs.h"

static reauth_proc_cfg_t proc_cfg(void)
{
	reauth_proc_cfg_t cfg;

	cfg.timeout = reauth_timeout;
	cfg.refer_fallback = reauth_refer_fallback;
	cfg.end_sessions = reauth_terminate_sessions;
	cfg.publish_wait = reauth_publish_wait;
	return cfg;
}

static void run_actions(reauth_procrec_t *rec, reauth_actions_t *acts);

/* --- carrying the actions out --- */

static void do_shorten(reauth_procrec_t *rec)
{
	int i;

	reauth_ul_quiet = 1;
	for(i = 0; i < rec->nset; i++)
		reauth_dereg_shorten(&REAUTH_PROC_AOR(rec)[i], reauth_shortened_expires);
	reauth_ul_quiet = 0;
}

/* tell the machine what became of target i; run what it decides */
static void report_sent(reauth_procrec_t *rec, unsigned int i, int ok)
{
	reauth_proc_cfg_t cfg = proc_cfg();
	reauth_actions_t acts;

	reauth_proc_lock(rec);
	reauth_proc_sent(&rec->core, &cfg, time(NULL), i, ok, &acts);
	reauth_proc_unlock(rec);
	run_actions(rec, &acts);
}

/* the i-th target, if the machine wants it sent now */
static int to_send(reauth_procrec_t *rec, unsigned int i, int contact,
		reauth_target_t *t)
{
	int yes;

	reauth_proc_lock(rec);
	*t = rec->core.targets[i];
	reauth_proc_unlock(rec);
	yes = t->status == RT_TO_SEND;
	return yes && ((t->kind == RT_CONTACT) == contact);
}

static void do_send_notify(reauth_procrec_t *rec)
{
	notify_origin_t origin = {rec->entry.id, 0, rec->shard};
	reauth_target_t t;
	reauth_id_views_t v;
	unsigned int i;
	int rc, sent = 0;

	if(reauth_proc_views_take(rec, &v, REGINFO_EV_SHORTENED, "re-authenticate")
			< 0)
		v.n = 0; /* out of memory: every target reported unsent */
	for(i = 0; i < rec->core.ntargets; i++) {
		if(!to_send(rec, i, 0, &t))
			continue;
		origin.target = i;
		if(t.kind == RT_PUBLICATION)
			rc = v.n ? reauth_pua_publish(
							   &REAUTH_PROC_URI(rec)[t.identity], v.ids, v.n)
					 : -1;
		else
			rc = v.n ? reauth_notify_one(
						   reauth_subs_hash(&REAUTH_PROC_AOR(rec)[t.identity]), t.ref,
						   v.ids, v.n, &origin)
				 : -1;
		if(rc == 0)
			sent++;
		else
			reauth_stats_add(REAUTH_STAT_REAUTH_NOTIFY_FAILED, 1);
		report_sent(rec, i, rc == 0);
	}
	reauth_proc_views_free(&v);
	reauth_stats_add(REAUTH_STAT_REAUTH_NOTIFY, sent);
}

static void do_send_refer(reauth_procrec_t *rec)
{
	reauth_refer_dest_t dest;
	reauth_target_t t;
	unsigned int i;
	int rc;

	for(i = 0; i < rec->core.ntargets; i++) {
		if(!to_send(rec, i, 1, &t))
			continue;
		dest.proc_id = rec->entry.id;
		dest.target = i;
		dest.shard = rec->shard;
		dest.aor = &REAUTH_PROC_AOR(rec)[t.identity];
		dest.identity = &REAUTH_PROC_URI(rec)[t.identity];
		dest.uri_hash = t.ref;
		rc = reauth_refer_send(&dest);
		if(rc < 0)
			reauth_stats_add(REAUTH_STAT_REFER_FAILED, 1);
		report_sent(rec, i, rc == 0);
	}
}

/* contacts of the set removed; NOTIFY with the terminated state */
static void do_deregister(reauth_procrec_t *rec)
{
	reginfo_ct_event_t ev = REGINFO_EV_DEACTIVATED;
	const char *terminate = NULL;
	reauth_id_views_t v;
	int i, left = 0;

	reginfo_event_from_name(reauth_dereg_event.s, &ev);
	if(reauth_proc_views_take(rec, &v, ev, NULL) < 0)
		return;
	reauth_ul_quiet = 1;
	for(i = 0; i < rec->nset; i++)
		reauth_dereg_contacts(&REAUTH_PROC_AOR(rec)[i]);
	reauth_ul_quiet = 0;
	for(i = rec->nset; i < v.n; i++)
		left |= reauth_snapshot_active(&v.snap[i]);
	/* no identity left: UEs drop their security state only on this */
	if(!left)
		terminate = reauth_dereg_event.s;
	if(reauth_reg_event_pua)
		reauth_pua_publish_all(REAUTH_PROC_URI(rec), v.n, v.ids, v.n);
	else
		reauth_notify_all(REAUTH_PROC_AOR(rec), v.n, v.ids, v.n, terminate);
	reauth_proc_views_free(&v);
	reauth_stats_add(REAUTH_STAT_DEREGISTERED, 1);
	LM_NOTICE("re-authentication %u: <%.*s> de-registered (%s)\n",
			rec->entry.id, rec->trigger.len, rec->trigger.s,
			reauth_proc_reason_name(rec->core.reason));
}

static void do_end_sessions(reauth_procrec_t *rec)
{
	int n;

	n = reauth_sessions_end(REAUTH_PROC_AOR(rec), rec->nset);
	if(n > 0)
		reauth_stats_add(REAUTH_STAT_SESSIONS_ENDED, n);
	/* calls through the pool's other nodes are in their dialog modules */
	reauth_proc_replica_sessions(rec);
}

static void raise_event(reauth_procrec_t *rec, const char *name)
{
	reauth_event_ctx_t ctx;

	ctx.id = rec->entry.id;
	ctx.identity = rec->trigger;
	ctx.outcome = reauth_proc_outcome_name(rec->core.outcome);
	ctx.reason = reauth_proc_reason_name(rec->core.reason);
	reauth_event_raise(name, &ctx);
}

static void run_actions(reauth_procrec_t *rec, reauth_actions_t *acts)
{
	reauth_actions_t copy = *acts; /* actions may produce more actions */
	int i;

	for(i = 0; i < copy.n; i++) {
		switch(copy.a[i].type) {
			case RA_SHORTEN:
				do_shorten(rec);
				break;
			case RA_SEND_NOTIFY:
				do_send_notify(rec);
				break;
			case RA_SEND_REFER:
				do_send_refer(rec);
				break;
			case RA_DEREGISTER:
				do_deregister(rec);
				break;
			case RA_END_SESSIONS:
				do_end_sessions(rec);
				break;
			case RA_ARM_TIMER:
				break; /* reauth_proc_tick looks at every deadline */
			case RA_RAISE_COMPLETED:
				reauth_stats_add(REAUTH_STAT_COMPLETED, 1);
				raise_event(rec, "reauth:completed");
				break;
			case RA_RAISE_FAILED:
				reauth_stats_add(REAUTH_STAT_FAILED, 1);
				raise_event(rec, "reauth:failed");
				break;
			case RA_RAISE_DEREGISTERED:
				raise_event(rec, "reauth:deregistered");
				break;
		}
	}
}

/* the record's state to the DB batch (core: a copy, taken under its
 * lock); gone: its row is dropped. What the batch has no room for stays
 * marked, and the tick tries again (proc_tick_db). */
static void proc_persist(reauth_procrec_t *rec, reauth_proc_t *core, int gone)
{
	if(gone) {
		rec->db_dirty = rec->in_db && reauth_db_proc_del(rec->entry.id, 1) < 0;
		if(!rec->db_dirty)
			rec->in_db = 0;
	} else if(reauth_db_mode != REAUTH_DB_NONE) {
		rec->db_dirty = reauth_db_proc_put(
								rec->entry.id, &rec->trigger, core, rec->in_db)
						< 0;
		if(!rec->db_dirty)
			rec->in_db = 1;
	}
}

/* after each event: persist, and let a finished procedure go */
void reauth_proc_settle(reauth_procrec_t *rec)
{
	reauth_proc_t core;
	int done;

	reauth_proc_lock(rec);
	if(rec->owner) { /* a replica: its owner settles it */
		reauth_proc_unlock(rec);
		return;
	}
	done = rec->core.state == RP_DONE && !rec->settled;
	if(done)
		rec->settled = 1;
	core = rec->core;
	reauth_proc_unlock(rec);
	if(rec->settled && !done)
		return;
	/* the pool learns it before the next event can change it again */
	if(done)
		reauth_proc_replica_done(rec, &core);
	else
		reauth_proc_replica_put(rec, &core);
	if(done) {
		reauth_proc_unindex(rec);
		/* a line per success would be 100k lines for a mass
		 * re-authentication: event_route[reauth:completed] logs it
		 * where the operator wants it */
		LOG(core.outcome == RP_OUT_COMPLETED ? L_DBG : L_INFO,
				"re-authentication %u of <%.*s>: %s (%s)\n", rec->entry.id,
				rec->trigger.len, rec->trigger.s,
				reauth_proc_outcome_name(core.outcome),
				reauth_proc_reason_name(core.reason));
	}
	proc_persist(rec, &core, done);
}

/* a change the DB batch had no room for, once more */
static void proc_tick_db(reauth_procrec_t *rec)
{
	reauth_proc_t core;
	int gone;

	reauth_proc_lock(rec);
	core = rec->core;
	gone = rec->settled;
	reauth_proc_unlock(rec);
	proc_persist(rec, &core, gone);
}

void reauth_proc_on_trigger(unsigned int id)
{
	reauth_proc_cfg_t cfg = proc_cfg();
	reauth_procrec_t *rec;
	reauth_target_t *targets = NULL;
	reauth_actions_t acts;
	int n, rc;

	if((rec = reauth_proc_get(id)) == NULL)
		return;
	if(rec->owner) { /* handed to the node of the user's subscriptions */
		reauth_proc_replica_forward(rec);
		return;
	}
	n = reauth_proc_targets_take(rec, &targets);
	if(n < 0)
		n = 0; /* out of memory: no way to reach anybody */
	reauth_proc_lock(rec);
	rc = reauth_proc_trigger(&rec->core, &cfg, time(NULL), targets,
			(unsigned int)n, &acts);
	reauth_proc_unlock(rec);
	if(rc < 0) { /* cancelled before it ran */
		if(targets && targets != rec->inline_targets)
			shm_free(targets);
		reauth_proc_settle(rec);
		return;
	}
	reauth_stats_add(REAUTH_STAT_STARTED, 1);
	LM_DBG("re-authentication %u of <%.*s> (%d identities): %u UE and %u"
		   " other subscriptions, %u contacts\n",
			id, rec->trigger.len, rec->trigger.s, rec->nset,
			reauth_proc_count(&rec->core, RT_SUB_UE, RT_TO_SEND),
			reauth_proc_count(&rec->core, RT_SUB_OTHER, RT_TO_SEND),
			rec->core.contacts);
	run_actions(rec, &acts);
	reauth_proc_settle(rec);
}

static void on_answer(unsigned int id, unsigned int target, int code)
{
	reauth_proc_cfg_t cfg = proc_cfg();
	reauth_procrec_t *rec;
	reauth_actions_t acts;

	if((rec = reauth_proc_get(id)) == NULL || rec->owner)
		return;
	reauth_proc_lock(rec);
	reauth_proc_answered(&rec->core, &cfg, time(NULL), target, code, &acts);
	reauth_proc_unlock(rec);
	run_actions(rec, &acts);
	reauth_proc_settle(rec);
}

void reauth_proc_on_notify_answer(unsigned int id, unsigned int target, int code)
{
	if(code >= 300)
		reauth_stats_add(REAUTH_STAT_REAUTH_NOTIFY_FAILED, 1);
	LM_DBG("re-authentication %u: NOTIFY to target %u answered %d\n", id,
			target, code);
	on_answer(id, target, code);
}

void reauth_proc_on_refer_answer(unsigned int id, unsigned int target, int code)
{
	if(code >= 300)
		reauth_stats_add(REAUTH_STAT_REFER_FAILED, 1);
	LM_INFO("re-authentication %u: REFER answered %d\n", id, code);
	on_answer(id, target, code);
}

void reauth_proc_on_reregistered(unsigned int id, str *aor, int authenticated)
{
	reauth_procrec_t *rec;
	reauth_actions_t acts;

	if((rec = reauth_proc_get(id)) == NULL)
		return;
	if(rec->owner) { /* its owner decides */
		reauth_proc_replica_event(rec, aor, authenticated);
		return;
	}
	reauth_proc_lock(rec);
	reauth_proc_reregistered(&rec->core, time(NULL), authenticated, &acts);
	reauth_proc_unlock(rec);
	if(!authenticated) {
		LM_NOTICE("re-authentication %u: a REGISTER of %.*s that was not"
				  " authenticated does not complete it\n",
				id, aor->len, aor->s);
		return;
	}
	run_actions(rec, &acts);
	reauth_proc_settle(rec);
}

static void tick_one(reauth_procrec_t *rec, time_t now)
{
	reauth_proc_cfg_t cfg = proc_cfg();
	reauth_actions_t acts;
	int unsettled, expired, timed_out = 0, fell_back = 0;

	if(rec->db_dirty && !rec->owner)
		proc_tick_db(rec);
	reauth_proc_lock(rec);
	if(rec->owner) {
		/* a replica long past its deadline: its proc.done was lost */
		rec->core.state = RP_DONE;
		rec->core.outcome = RP_OUT_CANCELLED;
		rec->core.ended = now;
		rec->settled = 1;
		reauth_proc_unlock(rec);
		reauth_proc_unindex(rec);
		LM_NOTICE("re-authentication %u of <%.*s> of another node: no news"
				  " of it since its deadline, forgotten\n",
				rec->entry.id, rec->trigger.len, rec->trigger.s);
		return;
	}
	unsettled = rec->core.state == RP_DONE && !rec->settled;
	expired = rec->core.state != RP_DONE && rec->core.state != RP_IDLE
			  && reauth_proc_next_expiry(&rec->core) <= now;
	acts.n = 0;
	if(expired) {
		reauth_proc_deadline(&rec->core, &cfg, now, &acts);
		timed_out = rec->core.outcome == RP_OUT_DEREGISTERED;
		fell_back = rec->core.state == RP_REFERRING; /* publish_wait */
	}
	reauth_proc_unlock(rec);
	if(unsettled) /* ended elsewhere (a cancel) */
		reauth_proc_settle(rec);
	if(!expired)
		return;
	if(timed_out || fell_back)
		LM_NOTICE("re-authentication %u: no authenticated re-REGISTER"
				  " in %ld s%s\n",
				rec->entry.id, (long)(now - rec->core.started),
				fell_back ? ": REFER" : "");
	run_actions(rec, &acts);
	reauth_proc_settle(rec);
}

void reauth_proc_tick(
		time_t now, unsigned int shard, unsigned int slice, unsigned int slices)
{
	unsigned int lost = reauth_proc_each(shard, now, slice, slices, tick_one);

	if(lost) {
		reauth_stats_add(REAUTH_STAT_DB_ERRORS, lost);
		LM_ERR("reauth DB write failed: %u finished procedures freed before"
			   " the batch had room for their row's deletion: their rows"
			   " stay in the DB\n",
				lost);
	}
}
