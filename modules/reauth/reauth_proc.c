/*
 * reauth module - re-authentication procedures: table and glue
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/hashes.h"
#include "core/locking.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"

#include "reauth_db.h"
#include "reauth_dereg.h"
#include "reauth_events.h"
#include "reauth_identity.h"
#include "reauth_notify.h"
#include "reauth_proc.h"
#include "reauth_queue.h"
#include "reauth_refer.h"
#include "reauth_register.h"
#include "reauth_sessions.h"
#include "reauth_stats.h"
#include "reauth_str.h"

int reauth_shortened_expires = 60;
int reauth_timeout = 120;
int reauth_refer_fallback = 1;
int reauth_terminate_sessions = 1;
int reauth_keep_finished = 60;
str reauth_body_format = str_init("3gpp");
str reauth_dereg_event = str_init("deactivated");

#define PROC_IDX_SIZE 1024 /* power of two */

/* aor -> pending procedure, for triggers, reauth_pending() and REGISTERs */
typedef struct proc_idx
{
	struct proc_idx *next;
	unsigned int hash;
	str *aor;
	reauth_procrec_t *rec;
} proc_idx_t;

typedef struct proc_table
{
	gen_lock_t lock;
	reauth_procrec_t *first;
	unsigned int next_id;
	proc_idx_t *idx[PROC_IDX_SIZE];
} proc_table_t;

static proc_table_t *procs = NULL;

static reauth_proc_cfg_t proc_cfg(void)
{
	reauth_proc_cfg_t cfg;

	cfg.timeout = reauth_timeout;
	cfg.refer_fallback = reauth_refer_fallback;
	cfg.end_sessions = reauth_terminate_sessions;
	return cfg;
}

static int draft_format(void)
{
	return reauth_body_format.len == 5
		   && strncasecmp(reauth_body_format.s, "draft", 5) == 0;
}

int reauth_proc_init(void)
{
	if(reauth_shortened_expires <= 0 || reauth_timeout <= 0) {
		LM_ERR("shortened_expires and reauth_timeout must be positive\n");
		return -1;
	}
	if(!draft_format()
			&& !(reauth_body_format.len == 4
					&& strncasecmp(reauth_body_format.s, "3gpp", 4) == 0)) {
		LM_ERR("body_format must be 3gpp or draft, not '%.*s'\n",
				reauth_body_format.len, reauth_body_format.s);
		return -1;
	}
	/* RFC 3680: deactivated = re-register, rejected = do not */
	if(strcmp(reauth_dereg_event.s, "deactivated") != 0
			&& strcmp(reauth_dereg_event.s, "rejected") != 0) {
		LM_ERR("dereg_event must be deactivated or rejected, not '%s'\n",
				reauth_dereg_event.s);
		return -1;
	}
	procs = shm_malloc(sizeof(proc_table_t));
	if(procs == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(procs, 0, sizeof(*procs));
	procs->next_id = 1;
	if(lock_init(&procs->lock) == NULL)
		return -1;
	return 0;
}

static void rec_free(reauth_procrec_t *rec)
{
	shm_free(rec);
}

void reauth_proc_destroy(void)
{
	reauth_procrec_t *r, *next;
	proc_idx_t *e, *enext;
	int i;

	if(procs == NULL)
		return;
	for(i = 0; i < PROC_IDX_SIZE; i++)
		for(e = procs->idx[i]; e; e = enext) {
			enext = e->next;
			shm_free(e);
		}
	for(r = procs->first; r; r = next) {
		next = r->next;
		rec_free(r);
	}
	lock_destroy(&procs->lock);
	shm_free(procs);
	procs = NULL;
}

/* --- the table (procs->lock held) --- */

static int str_ieq(str *a, str *b)
{
	return a->len == b->len && strncasecmp(a->s, b->s, a->len) == 0;
}

static proc_idx_t **idx_slot(unsigned int hash)
{
	return &procs->idx[hash & (PROC_IDX_SIZE - 1)];
}

static reauth_procrec_t *idx_find(str *aor)
{
	unsigned int hash = core_case_hash(aor, NULL, 0);
	proc_idx_t *e;

	for(e = *idx_slot(hash); e; e = e->next)
		if(e->hash == hash && str_ieq(e->aor, aor))
			return e->rec;
	return NULL;
}

static int idx_add(reauth_procrec_t *rec, str *aor)
{
	proc_idx_t *e;

	e = shm_malloc(sizeof(*e));
	if(e == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	e->hash = core_case_hash(aor, NULL, 0);
	e->aor = aor;
	e->rec = rec;
	e->next = *idx_slot(e->hash);
	*idx_slot(e->hash) = e;
	return 0;
}

/* a finished procedure leaves the index: a new trigger may start */
static void idx_remove(reauth_procrec_t *rec)
{
	proc_idx_t **pp, *e;
	int i;

	for(i = 0; i < rec->user.nset; i++) {
		pp = idx_slot(core_case_hash(&rec->set_aor[i], NULL, 0));
		while((e = *pp) != NULL) {
			if(e->rec == rec) {
				*pp = e->next;
				shm_free(e);
			} else {
				pp = &e->next;
			}
		}
	}
}

static reauth_procrec_t *rec_find(unsigned int id)
{
	reauth_procrec_t *r;

	for(r = procs->first; r; r = r->next)
		if(r->id == id)
			return r;
	return NULL;
}

static void rec_unlink(reauth_procrec_t *rec)
{
	reauth_procrec_t **pp;

	for(pp = &procs->first; *pp; pp = &(*pp)->next)
		if(*pp == rec) {
			*pp = rec->next;
			return;
		}
}

/* a shm record from the resolved user and its aors */
static reauth_procrec_t *rec_new(reauth_user_t *u, reauth_identity_t *set_ids,
		reauth_identity_t *all_ids)
{
	reauth_procrec_t *rec;
	size_t len;
	char *p;
	int i;

	len = u->trigger.len + u->impi.len + 2;
	for(i = 0; i < u->nset; i++)
		len += u->set[i].len + set_ids[i].aor.len + 2;
	for(i = 0; i < u->nall; i++)
		len += u->all[i].len + all_ids[i].aor.len + 2;
	rec = shm_malloc(sizeof(reauth_procrec_t) + len);
	if(rec == NULL) {
		SHM_MEM_ERROR;
		return NULL;
	}
	memset(rec, 0, sizeof(reauth_procrec_t));
	p = rec->buf;
	reauth_str_pack(&rec->user.trigger, &u->trigger, &p);
	reauth_str_pack(&rec->user.impi, &u->impi, &p);
	rec->user.by_private = u->by_private;
	rec->user.nset = u->nset;
	rec->user.nall = u->nall;
	for(i = 0; i < u->nset; i++) {
		reauth_str_pack(&rec->user.set[i], &u->set[i], &p);
		reauth_str_pack(&rec->set_aor[i], &set_ids[i].aor, &p);
	}
	for(i = 0; i < u->nall; i++) {
		reauth_str_pack(&rec->user.all[i], &u->all[i], &p);
		reauth_str_pack(&rec->all_aor[i], &all_ids[i].aor, &p);
	}
	return rec;
}

/* Resolve, check and index a new procedure; id 0 = take the next one
 * (restore from the DB passes its own). Fills res; returns the record. */
static reauth_procrec_t *proc_create(str *identity, unsigned int id,
		int need_registered, reauth_trigger_result_t *res)
{
	reauth_identity_t set_ids[REAUTH_USER_MAX_IDS];
	reauth_identity_t all_ids[REAUTH_USER_MAX_IDS];
	reauth_user_t u;
	reauth_procrec_t *rec = NULL, *other;
	int i, registered = 0, rc;

	res->code = 400;
	res->reason = reauth_identity_reason(REAUTH_ID_UNPARSABLE);
	if(identity == NULL || identity->s == NULL || identity->len <= 0) {
		res->reason = reauth_identity_reason(REAUTH_ID_EMPTY);
		return NULL;
	}
	rc = reauth_sets_resolve(identity, &u);
	if(rc == -2) {
		res->code = 500;
		res->reason = "out of memory";
		return NULL;
	}
	if(rc < 0) {
		res->reason = "identity is neither a sip:, sips: or tel: URI nor a"
					  " known private identity";
		return NULL;
	}
	for(i = 0; i < u.nset; i++) {
		rc = reauth_identity_lookup(&u.set[i], &set_ids[i]);
		if(rc == REAUTH_ID_OK)
			registered = 1;
		else if(rc != REAUTH_ID_NOT_REGISTERED)
			goto bad;
	}
	for(i = 0; i < u.nall; i++)
		if(reauth_identity_to_aor(&u.all[i], &all_ids[i]) != REAUTH_ID_OK)
			goto bad;
	if(need_registered && !registered) {
		res->code = 404;
		res->reason = reauth_identity_reason(REAUTH_ID_NOT_REGISTERED);
		goto done;
	}

	lock_get(&procs->lock);
	for(i = 0; i < u.nset; i++) {
		other = idx_find(&set_ids[i].aor);
		if(other) {
			lock_release(&procs->lock);
			res->code = 409;
			res->reason = "a re-authentication of this identity is pending";
			LM_INFO("%.*s: procedure %u is pending already\n", identity->len,
					identity->s, other->id);
			goto done;
		}
	}
	rec = rec_new(&u, set_ids, all_ids);
	if(rec == NULL) {
		lock_release(&procs->lock);
		res->code = 500;
		res->reason = "out of memory";
		goto done;
	}
	rec->id = id ? id : procs->next_id++;
	if(procs->next_id <= rec->id)
		procs->next_id = rec->id + 1;
	for(i = 0; i < rec->user.nset; i++)
		if(idx_add(rec, &rec->set_aor[i]) < 0) {
			idx_remove(rec);
			lock_release(&procs->lock);
			rec_free(rec);
			rec = NULL;
			res->code = 500;
			res->reason = "out of memory";
			goto done;
		}
	rec->next = procs->first;
	procs->first = rec;
	lock_release(&procs->lock);
	res->code = 200;
	res->reason = "started";
	goto done;

bad:
	res->code = 400;
	res->reason = reauth_identity_reason(REAUTH_ID_UNPARSABLE);
done:
	reauth_user_free(&u);
	return rec;
}

void reauth_proc_start(str *identity, reauth_trigger_result_t *res)
{
	reauth_procrec_t *rec;
	reauth_job_t *job;

	if(reauth_queue_admit() < 0) {
		res->code = 503;
		res->reason = "too much work queued, try again later";
		LM_NOTICE("re-authentication of <%.*s%s> refused: the job queue is"
				  " full (queue_size %d)\n",
				REAUTH_STR_SHORT(identity), reauth_queue_size);
		return;
	}
	rec = proc_create(identity, 0, 1, res);
	if(rec == NULL)
		return;
	res->id = rec->id;
	job = reauth_job_new(REAUTH_JOB_PROC_TRIGGER, 0);
	if(job == NULL) {
		/* the notifier never sees it: take it back */
		lock_get(&procs->lock);
		idx_remove(rec);
		rec_unlink(rec);
		lock_release(&procs->lock);
		rec_free(rec);
		res->code = 500;
		res->reason = "out of memory";
		return;
	}
	job->proc_id = rec->id;
	reauth_queue_push(job);
	LM_INFO("re-authentication %u of <%.*s> started (%d identities)\n", res->id,
			identity->len, identity->s, rec->user.nset);
}

int reauth_proc_restore(unsigned int id, str *identity, reauth_proc_t *core)
{
	reauth_trigger_result_t res;
	reauth_procrec_t *rec;

	rec = proc_create(identity, id, 0, &res);
	if(rec == NULL) {
		LM_WARN("procedure %u of %.*s not restored: %s\n", id, identity->len,
				identity->s, res.reason);
		return -1;
	}
	lock_get(&procs->lock);
	rec->core = *core;
	rec->in_db = 1;
	lock_release(&procs->lock);
	return 0;
}

int reauth_proc_pending(str *aor)
{
	int pending;

	if(procs == NULL)
		return 0;
	lock_get(&procs->lock);
	pending = idx_find(aor) != NULL;
	lock_release(&procs->lock);
	return pending;
}

/* usrloc callback (the process that saves): hand REGISTERs of identities
 * under re-authentication to the procedure */
void reauth_proc_contact_saved(str *aor)
{
	reauth_job_t *job;
	reauth_procrec_t *rec;
	int authenticated;

	if(procs == NULL)
		return;
	authenticated = reauth_register_authenticated();
	lock_get(&procs->lock);
	rec = idx_find(aor);
	/* noted at once: the job below may come after the deadline */
	if(rec && authenticated)
		reauth_proc_register_seen(&rec->core, (long)time(NULL));
	lock_release(&procs->lock);
	if(rec == NULL)
		return;
	job = reauth_job_new(REAUTH_JOB_REREGISTERED, aor->len + 1);
	if(job == NULL)
		return;
	job->aor.s = job->buf;
	job->aor.len = aor->len;
	memcpy(job->buf, aor->s, aor->len);
	job->buf[aor->len] = '\0';
	job->is_ue = authenticated;
	reauth_queue_push(job);
}

/* Cancelled at once, in the caller's process: the answer is true when it
 * is given, and a new trigger right after is accepted. The notifier's
 * next tick settles the record (log line, DB row). */
void reauth_proc_cancel_request(str *identity, reauth_trigger_result_t *res)
{
	reauth_identity_t id;
	reauth_procrec_t *rec = NULL;
	reauth_actions_t acts;
	reauth_user_t u;
	int i, rc = -1;

	res->id = 0;
	if(reauth_sets_resolve(identity, &u) < 0) {
		res->code = 400;
		res->reason = reauth_identity_reason(REAUTH_ID_UNPARSABLE);
		return;
	}
	lock_get(&procs->lock);
	for(i = 0; i < u.nset && rec == NULL; i++)
		if(reauth_identity_to_aor(&u.set[i], &id) == REAUTH_ID_OK)
			rec = idx_find(&id.aor);
	if(rec) {
		res->id = rec->id;
		rc = reauth_proc_cancel(&rec->core, (long)time(NULL), &acts);
		if(rc == 0)
			idx_remove(rec);
	}
	lock_release(&procs->lock);
	reauth_user_free(&u);
	if(rc < 0) {
		res->code = 404;
		res->reason = "no pending re-authentication of this identity";
		return;
	}
	reauth_stats_add(REAUTH_STAT_CANCELLED, 1);
	res->code = 200;
	res->reason = "cancelled";
}

/* --- carrying the actions out (notifier process) --- */

static void run_actions(reauth_procrec_t *rec, reauth_actions_t *acts);

static void views_free(reauth_id_view_t *views, int n)
{
	int i;

	for(i = 0; i < n; i++)
		reauth_snapshot_free(&views[i].snap);
}

/* every identity of the user with its contacts as usrloc has them now */
static int views_take(reauth_procrec_t *rec, reauth_id_view_t *views)
{
	int i;

	memset(views, 0, rec->user.nall * sizeof(*views));
	for(i = 0; i < rec->user.nall; i++) {
		views[i].uri = rec->user.all[i];
		views[i].aor = rec->all_aor[i];
		if(reauth_snapshot_take(&views[i].aor, &views[i].snap, 0) < 0) {
			views_free(views, i);
			return -1;
		}
	}
	return 0;
}

static str *leader(reauth_procrec_t *rec)
{
	return rec->user.by_private ? &rec->user.set[0] : &rec->user.trigger;
}

static void do_shorten(reauth_procrec_t *rec)
{
	int i;

	reauth_ul_quiet = 1;
	for(i = 0; i < rec->user.nset; i++)
		reauth_dereg_shorten(&rec->set_aor[i], reauth_shortened_expires);
	reauth_ul_quiet = 0;
}

/* NOTIFY on every subscription of the user: the set re-authenticates */
static void do_send_notify(reauth_procrec_t *rec)
{
	reauth_id_view_t views[REAUTH_USER_MAX_IDS];
	reauth_proc_cfg_t cfg = proc_cfg();
	reauth_actions_t acts;
	char detail[REAUTH_AOR_MAX + 32];
	unsigned int expected, sent, other = 0;
	size_t j;
	int i;

	if(views_take(rec, views) < 0)
		return;
	snprintf(detail, sizeof(detail), "automatically by %.*s", leader(rec)->len,
			leader(rec)->s);
	for(i = 0; i < rec->user.nall; i++) {
		if(reauth_user_in_set(&rec->user, &views[i].uri) < 0)
			continue;
		for(j = 0; j < views[i].snap.n; j++)
			views[i].snap.cts[j].event = REGINFO_EV_SHORTENED;
		if(draft_format()) {
			views[i].draft_state = "re-authenticate";
			if(!str_ieq(&views[i].uri, leader(rec)))
				views[i].detail = detail;
		}
	}
	lock_get(&procs->lock);
	expected = rec->core.notify_pending;
	lock_release(&procs->lock);
	sent = (unsigned int)reauth_notify_user(
			views, rec->user.nall, rec->id, NULL, &other);
	views_free(views, rec->user.nall);
	reauth_stats_add(REAUTH_STAT_REAUTH_NOTIFY, (int)(sent + other));
	/* a NOTIFY that could not be sent is a failed one */
	for(; sent < expected; sent++) {
		lock_get(&procs->lock);
		reauth_proc_notify_answered(
				&rec->core, &cfg, time(NULL), 1, 500, &acts);
		lock_release(&procs->lock);
		run_actions(rec, &acts);
	}
}

/* the procedure's set, as the REFER sender takes it */
static reauth_refer_set_t refer_set_of(reauth_procrec_t *rec)
{
	reauth_refer_set_t set = {
			rec->id, rec->user.nset, rec->set_aor, rec->user.set};
	return set;
}

static void do_send_refer(reauth_procrec_t *rec)
{
	reauth_refer_set_t refer_set = refer_set_of(rec);
	reauth_proc_cfg_t cfg = proc_cfg();
	reauth_actions_t acts;
	unsigned int expected, sent;

	lock_get(&procs->lock);
	expected = rec->core.refer_pending;
	lock_release(&procs->lock);
	sent = (unsigned int)reauth_refer_send(&refer_set, (int)expected);
	for(; sent < expected; sent++) {
		reauth_stats_add(REAUTH_STAT_REFER_FAILED, 1);
		lock_get(&procs->lock);
		reauth_proc_refer_answered(&rec->core, &cfg, time(NULL), 500, &acts);
		lock_release(&procs->lock);
		run_actions(rec, &acts);
	}
}

/* contacts of the set removed; NOTIFY with the terminated state */
static void do_deregister(reauth_procrec_t *rec)
{
	reauth_id_view_t views[REAUTH_USER_MAX_IDS];
	reginfo_ct_event_t ev = REGINFO_EV_DEACTIVATED;
	unsigned int other = 0;
	const char *terminate = NULL;
	int i, left = 0;
	size_t j;

	reginfo_event_from_name(reauth_dereg_event.s, &ev);
	if(views_take(rec, views) < 0)
		return;
	reauth_ul_quiet = 1;
	for(i = 0; i < rec->user.nall; i++) {
		if(reauth_user_in_set(&rec->user, &views[i].uri) < 0) {
			left |= reauth_snapshot_active(&views[i].snap);
			continue;
		}
		for(j = 0; j < views[i].snap.n; j++)
			views[i].snap.cts[j].event = ev;
		reauth_dereg_contacts(&views[i].aor);
	}
	reauth_ul_quiet = 0;
	/* no identity left: UEs drop their security state only on this */
	if(!left)
		terminate = reauth_dereg_event.s;
	reauth_notify_user(views, rec->user.nall, 0, terminate, &other);
	views_free(views, rec->user.nall);
	reauth_stats_add(REAUTH_STAT_DEREGISTERED, 1);
	LM_NOTICE("re-authentication %u: <%.*s> de-registered (%s)\n", rec->id,
			rec->user.trigger.len, rec->user.trigger.s,
			reauth_proc_reason_name(rec->core.reason));
}

static void do_end_sessions(reauth_procrec_t *rec)
{
	int n;

	n = reauth_sessions_end(rec->set_aor, rec->user.nset);
	if(n > 0)
		reauth_stats_add(REAUTH_STAT_SESSIONS_ENDED, n);
}

static void raise_event(reauth_procrec_t *rec, const char *name)
{
	reauth_event_ctx_t ctx;

	ctx.id = rec->id;
	ctx.identity = rec->user.trigger;
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

/* after each event: persist, and let a finished procedure go */
static void settle(reauth_procrec_t *rec)
{
	int done;

	lock_get(&procs->lock);
	done = rec->core.state == RP_DONE;
	if(done) {
		idx_remove(rec);
		rec->settled = 1;
	}
	lock_release(&procs->lock);
	if(done) {
		LM_INFO("re-authentication %u of <%.*s>: %s (%s)\n", rec->id,
				rec->user.trigger.len, rec->user.trigger.s,
				reauth_proc_outcome_name(rec->core.outcome),
				reauth_proc_reason_name(rec->core.reason));
		if(rec->in_db)
			reauth_db_proc_delete(rec->id);
		rec->in_db = 0;
	} else if(reauth_db_mode != REAUTH_DB_NONE) {
		if(reauth_db_proc_save(
				   rec->id, &rec->user.trigger, &rec->core, rec->in_db)
				== 0)
			rec->in_db = 1;
	}
}

/* find by id for the notifier: records are freed only by the notifier,
 * so the pointer stays good after the lock is released */
static reauth_procrec_t *proc_get(unsigned int id)
{
	reauth_procrec_t *rec;

	lock_get(&procs->lock);
	rec = rec_find(id);
	lock_release(&procs->lock);
	return rec;
}

void reauth_proc_on_trigger(unsigned int id)
{
	reauth_proc_cfg_t cfg = proc_cfg();
	reauth_id_view_t views[REAUTH_USER_MAX_IDS];
	reauth_refer_set_t refer_set;
	reauth_procrec_t *rec;
	reauth_actions_t acts;
	unsigned int ue, other, contacts;
	int i, rc;

	if((rec = proc_get(id)) == NULL)
		return;
	memset(views, 0, sizeof(views));
	for(i = 0; i < rec->user.nall; i++)
		views[i].aor = rec->all_aor[i];
	reauth_notify_count(views, rec->user.nall, &ue, &other);
	refer_set = refer_set_of(rec);
	contacts = (unsigned int)reauth_refer_targets(&refer_set);

	lock_get(&procs->lock);
	rc = reauth_proc_trigger(
			&rec->core, &cfg, time(NULL), ue, other, contacts, &acts);
	lock_release(&procs->lock);
	if(rc < 0)
		return;
	reauth_stats_add(REAUTH_STAT_STARTED, 1);
	LM_INFO("re-authentication %u of <%.*s>: %u UE and %u other"
			" subscriptions, %u contacts\n",
			id, rec->user.trigger.len, rec->user.trigger.s, ue, other,
			contacts);
	run_actions(rec, &acts);
	settle(rec);
}

void reauth_proc_notify_answer(unsigned int id, int is_ue, int code)
{
	reauth_proc_cfg_t cfg = proc_cfg();
	reauth_procrec_t *rec;
	reauth_actions_t acts;

	if(code >= 300)
		reauth_stats_add(REAUTH_STAT_REAUTH_NOTIFY_FAILED, 1);
	if((rec = proc_get(id)) == NULL)
		return;
	lock_get(&procs->lock);
	reauth_proc_notify_answered(
			&rec->core, &cfg, time(NULL), is_ue, code, &acts);
	lock_release(&procs->lock);
	LM_DBG("re-authentication %u: NOTIFY answered %d (%s)\n", id, code,
			is_ue ? "ue" : "other");
	run_actions(rec, &acts);
	settle(rec);
}

void reauth_proc_on_refer_answer(unsigned int id, int code)
{
	reauth_proc_cfg_t cfg = proc_cfg();
	reauth_procrec_t *rec;
	reauth_actions_t acts;

	if(code >= 300)
		reauth_stats_add(REAUTH_STAT_REFER_FAILED, 1);
	if((rec = proc_get(id)) == NULL)
		return;
	lock_get(&procs->lock);
	reauth_proc_refer_answered(&rec->core, &cfg, time(NULL), code, &acts);
	lock_release(&procs->lock);
	LM_INFO("re-authentication %u: REFER answered %d\n", id, code);
	run_actions(rec, &acts);
	settle(rec);
}

void reauth_proc_on_reregistered(str *aor, int authenticated)
{
	reauth_procrec_t *rec;
	reauth_actions_t acts;

	lock_get(&procs->lock);
	rec = idx_find(aor);
	if(rec)
		reauth_proc_reregistered(&rec->core, time(NULL), authenticated, &acts);
	lock_release(&procs->lock);
	if(rec == NULL)
		return;
	if(!authenticated) {
		LM_NOTICE("re-authentication %u: a REGISTER of %.*s that was not"
				  " authenticated does not complete it\n",
				rec->id, aor->len, aor->s);
		return;
	}
	run_actions(rec, &acts);
	settle(rec);
}

void reauth_proc_tick(time_t now)
{
	reauth_proc_cfg_t cfg = proc_cfg();
	reauth_procrec_t *rec, *next, *expired[64], *unsettled[64];
	reauth_actions_t acts;
	int n = 0, nu = 0, i;

	lock_get(&procs->lock);
	for(rec = procs->first; rec; rec = next) {
		next = rec->next;
		if(rec->core.state == RP_DONE) {
			/* ended elsewhere (a cancel): settled here, then kept a while */
			if(!rec->settled) {
				if(nu < 64)
					unsettled[nu++] = rec;
			} else if(now - rec->core.ended >= reauth_keep_finished) {
				rec_unlink(rec);
				rec_free(rec);
			}
		} else if(rec->core.state != RP_IDLE && n < 64
				  && reauth_proc_next_expiry(&rec->core) <= now) {
			expired[n++] = rec;
		}
	}
	lock_release(&procs->lock);
	for(i = 0; i < nu; i++)
		settle(unsettled[i]);
	for(i = 0; i < n; i++) {
		lock_get(&procs->lock);
		reauth_proc_deadline(&expired[i]->core, &cfg, now, &acts);
		lock_release(&procs->lock);
		if(acts.n > 0)
			LM_NOTICE("re-authentication %u: no authenticated re-REGISTER"
					  " in %d s\n",
					expired[i]->id, reauth_timeout);
		run_actions(expired[i], &acts);
		settle(expired[i]);
	}
}

/* --- RPC views --- */

static int rpc_add_proc(
		rpc_t *rpc, void *ctx, reauth_procrec_t *rec, time_t now)
{
	void *th, *ih;
	int i;

	if(rpc->add(ctx, "{", &th) < 0)
		return -1;
	rpc->struct_add(th, "dSssss", "id", (int)rec->id, "identity",
			&rec->user.trigger, "state",
			reauth_proc_state_name(rec->core.state), "outcome",
			reauth_proc_outcome_name(rec->core.outcome), "reason",
			reauth_proc_reason_name(rec->core.reason), "private_identity",
			rec->user.impi.len ? rec->user.impi.s : "");
	rpc->struct_add(th, "ddddd", "started", (int)rec->core.started,
			"deadline_in",
			(int)(rec->core.state == RP_DONE
							? 0
							: (rec->core.deadline > now
											? rec->core.deadline - now
											: 0)),
			"notify_pending", (int)rec->core.notify_pending, "refer_pending",
			(int)rec->core.refer_pending, "contacts", (int)rec->core.contacts);
	if(rpc->struct_add(th, "[", "identities", &ih) < 0)
		return -1;
	for(i = 0; i < rec->user.nset; i++)
		rpc->array_add(ih, "S", &rec->user.set[i]);
	return 0;
}

void reauth_proc_rpc_list(rpc_t *rpc, void *ctx, str *identity)
{
	reauth_identity_t id;
	reauth_user_t u;
	reauth_procrec_t *rec;
	time_t now = time(NULL);
	int found = 0, i, known;

	/* a public identity (URI), or a private one of the implicit sets */
	if(identity && reauth_identity_to_aor(identity, &id) != REAUTH_ID_OK) {
		known = reauth_sets_resolve(identity, &u) == 0;
		if(known)
			reauth_user_free(&u);
	} else {
		known = 1;
	}
	if(!known) {
		rpc->fault(ctx, 400, "%s: %.*s%s",
				reauth_identity_reason(REAUTH_ID_UNPARSABLE),
				REAUTH_STR_SHORT(identity));
		return;
	}
	lock_get(&procs->lock);
	for(rec = procs->first; rec; rec = rec->next) {
		if(identity) {
			int match = str_ieq(&rec->user.trigger, identity);
			for(i = 0; i < rec->user.nset && !match; i++)
				match = str_ieq(&rec->user.set[i], identity);
			if(!match)
				continue;
		}
		found++;
		if(rpc_add_proc(rpc, ctx, rec, now) < 0)
			break;
	}
	lock_release(&procs->lock);
	if(identity && !found)
		rpc->fault(ctx, 404, "no re-authentication of this identity: %.*s%s",
				REAUTH_STR_SHORT(identity));
}
