/*
 * reauth module - procedures replicated to the pool's nodes over DMQ:
 * receiving and applying
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Who runs what:
 * - dmq's workers check a received proc.* here
 *   (reauth_proc_replica_recv(), the handler reauth_proc_replica_init()
 *   registers): proc.start becomes a trigger (its answer is the KDMQ
 *   reply), proc.event a REREGISTERED job of the owner's record,
 *   proc.put/done/sessions a REAUTH_JOB_PROC_REPLICA job of the worker of
 *   the user's shard;
 * - that worker applies it (reauth_proc_replica_on_job()) under the
 *   record's bucket lock, or ends the calls of a proc.sessions.
 */

#include <string.h>
#include <time.h>

#include "core/dprint.h"
#include "core/utils/srjson.h"

#include "pure/owner.h"

#include "reauth_db.h"
#include "reauth_dmq.h"
#include "reauth_proc.h"
#include "reauth_proc_replica.h"
#include "reauth_queue.h"
#include "reauth_sessions.h"
#include "reauth_sets.h"
#include "reauth_stats.h"
#include "reauth_str.h"
#include "reauth_trigger.h"

#include "reauth_proc_replica_msg.h"

#define STR_MAX 1024
/* times travel as seconds from now; a procedure lasts a day at most */
#define AGE_MAX 86400.0

/* ---- receiving (a dmq worker) ---- */

static int get_str(srjson_doc_t *doc, srjson_t *root, const char *name, str *out)
{
	srjson_t *j = srjson_GetObjectItem(doc, root, name);

	if(j == NULL || j->type != srjson_String || j->valuestring == NULL)
		return -1;
	out->s = j->valuestring;
	out->len = (int)strlen(j->valuestring);
	return out->len > 0 && out->len <= STR_MAX ? 0 : -1;
}

/* an integer member in [min, max]; absent: *out = dflt when dflt_ok */
static int get_num(srjson_doc_t *doc, srjson_t *root, const char *name,
		double min, double max, long *out, int optional)
{
	srjson_t *j = srjson_GetObjectItem(doc, root, name);

	if(j == NULL && optional) {
		*out = 0;
		return 0;
	}
	if(j == NULL || j->type != srjson_Number || !(j->valuedouble >= min)
			|| j->valuedouble > max
			|| j->valuedouble != (double)(long long)j->valuedouble)
		return -1;
	*out = (long)j->valuedouble;
	return 0;
}

/* a time member: seconds from now, back to this node's clock */
static int get_time(srjson_doc_t *doc, srjson_t *root, const char *name,
		long now, long *out)
{
	long v;

	if(srjson_GetObjectItem(doc, root, name) == NULL) {
		*out = 0;
		return 0;
	}
	if(get_num(doc, root, name, -AGE_MAX, AGE_MAX, &v, 0) < 0)
		return -1;
	*out = now + v;
	return 0;
}

static int get_core(srjson_doc_t *doc, srjson_t *root, reauth_proc_t *c)
{
	long st, out, rs, np, rp, ct, now = (long)time(NULL);

	memset(c, 0, sizeof(*c));
	if(get_num(doc, root, "state", RP_IDLE, RP_DONE, &st, 0) < 0
			|| get_num(doc, root, "outcome", RP_OUT_NONE, RP_OUT_CANCELLED,
					   &out, 0)
					   < 0
			|| get_num(doc, root, "reason", 0, 64, &rs, 0) < 0
			|| get_num(doc, root, "notify_pending", 0, 65535, &np, 0) < 0
			|| get_num(doc, root, "refer_pending", 0, 65535, &rp, 0) < 0
			|| get_num(doc, root, "contacts", 0, 65535, &ct, 0) < 0
			|| get_time(doc, root, "started", now, &c->started) < 0
			|| get_time(doc, root, "deadline", now, &c->deadline) < 0
			|| get_time(doc, root, "ended", now, &c->ended) < 0
			|| get_time(doc, root, "reregistered", now, &c->reregistered_at) < 0
			|| get_time(doc, root, "wait_until", now, &c->wait_until) < 0)
		return -1;
	c->state = (reauth_proc_state_t)st;
	c->outcome = (reauth_proc_outcome_t)out;
	c->reason = (reauth_proc_reason_t)rs;
	c->notify_pending = (unsigned int)np;
	c->refer_pending = (unsigned int)rp;
	c->contacts = (unsigned int)ct;
	return 0;
}

/* proc.sessions: a job with the aors (a dmq worker) */
static int sessions_recv(srjson_doc_t *doc, srjson_t *root, unsigned int id,
		const char **why)
{
	srjson_t *arr = srjson_GetObjectItem(doc, root, "aors"), *it;
	str aors[SESSIONS_MAX], *dst;
	reauth_job_t *job;
	size_t extra = 0;
	int n = 0, i;
	char *p;

	if(arr == NULL || arr->type != srjson_Array) {
		*why = "proc.sessions without an \"aors\" array";
		return REAUTH_DMQ_BAD;
	}
	for(it = arr->child; it; it = it->next) {
		if(n >= SESSIONS_MAX || it->type != srjson_String
				|| it->valuestring == NULL || it->valuestring[0] == '\0'
				|| strlen(it->valuestring) > STR_MAX) {
			*why = "proc.sessions with an aor that is not a string, or more"
				   " than 16";
			return REAUTH_DMQ_BAD;
		}
		aors[n].s = it->valuestring;
		aors[n].len = (int)strlen(it->valuestring);
		extra += aors[n].len + 1;
		n++;
	}
	if(n == 0)
		return 0;
	if(reauth_queue_admit() < 0) {
		*why = "the job queue is full";
		return REAUTH_DMQ_UNAVAILABLE;
	}
	job = reauth_job_new(REAUTH_JOB_PROC_REPLICA,
			sizeof(proc_msg_t) + n * sizeof(str) + extra);
	if(job == NULL) {
		*why = "out of shared memory";
		return REAUTH_DMQ_UNAVAILABLE;
	}
	memset(job->buf, 0, sizeof(proc_msg_t));
	((proc_msg_t *)job->buf)->id = id;
	((proc_msg_t *)job->buf)->slot = (unsigned int)n; /* reused: how many */
	dst = (str *)(job->buf + sizeof(proc_msg_t));
	p = (char *)(dst + n);
	for(i = 0; i < n; i++)
		reauth_str_pack(&dst[i], &aors[i], &p);
	job->shard = reauth_shard_of(id);
	job->code = PROC_SESSIONS;
	job->id = id;
	reauth_queue_push(job);
	return 0;
}

/* the owner (this node): an authenticated re-REGISTER saved elsewhere */
typedef struct event_arg
{
	int authenticated;
	unsigned int shard;
	int found;
} event_arg_t;

static int note_event(reauth_procrec_t *rec, void *arg)
{
	event_arg_t *a = (event_arg_t *)arg;

	if(rec == NULL || rec->owner != 0 || rec->core.state == RP_DONE)
		return 0;
	/* noted at once, as reauth_proc_contact_saved does */
	if(a->authenticated)
		reauth_proc_register_seen(&rec->core, (long)time(NULL));
	a->shard = rec->shard;
	a->found = 1;
	return 0;
}

static int on_event(unsigned int id, str *aor, int authenticated, const char **why)
{
	event_arg_t a = {authenticated, 0, 0};

	reauth_proc_with(id, note_event, &a);
	if(!a.found) {
		*why = "no pending procedure of this node with this id";
		return 404;
	}
	if(reauth_proc_post_reregistered(id, a.shard, aor, authenticated) < 0) {
		*why = "out of shared memory";
		return REAUTH_DMQ_UNAVAILABLE;
	}
	return 0;
}

int reauth_proc_replica_recv(srjson_doc_t *doc, srjson_t *root,
		const char *type, int slot, const char **why)
{
	reauth_trigger_result_t res;
	reauth_job_t *job;
	proc_msg_t m, *dst;
	str uri, aor;
	long id, epoch, seq, authenticated;
	char *p;
	int op;

	if(strcmp(type, "proc.put") == 0)
		op = PROC_PUT;
	else if(strcmp(type, "proc.done") == 0)
		op = PROC_DONE;
	else if(strcmp(type, "proc.start") != 0 && strcmp(type, "proc.event") != 0
			&& strcmp(type, "proc.sessions") != 0)
		return REAUTH_DMQ_UNKNOWN;
	else
		op = 0;
	memset(&m, 0, sizeof(m));
	if(get_num(doc, root, "id", 1, 4294967295.0, &id, 0) < 0
			|| get_num(doc, root, "epoch", 0, 4294967295.0, &epoch, 0) < 0
			|| get_str(doc, root, "identity", &m.identity) < 0
			|| get_str(doc, root, "uri", &uri) < 0) {
		*why = "proc.* without \"id\", \"epoch\", \"identity\" and \"uri\"";
		return REAUTH_DMQ_BAD;
	}
	if(strcmp(type, "proc.sessions") == 0)
		return sessions_recv(doc, root, (unsigned int)id, why);
	if(strcmp(type, "proc.start") == 0) {
		reauth_proc_start_forwarded(&m.identity, (unsigned int)id, &res);
		if(res.code == 200)
			return 0;
		*why = res.reason;
		return res.code;
	}
	if(strcmp(type, "proc.event") == 0) {
		if(get_str(doc, root, "aor", &aor) < 0
				|| get_num(doc, root, "authenticated", 0, 1, &authenticated, 0)
						   < 0) {
			*why = "proc.event without \"aor\" and \"authenticated\"";
			return REAUTH_DMQ_BAD;
		}
		return on_event((unsigned int)id, &aor, (int)authenticated, why);
	}
	if(get_core(doc, root, &m.core) < 0) {
		*why = "proc.put/done without a valid state, outcome, reason, times";
		return REAUTH_DMQ_BAD;
	}
	if(get_num(doc, root, "seq", 0, 4294967295.0, &seq, 1) < 0) {
		*why = "proc.put/done with a \"seq\" that is not an integer";
		return REAUTH_DMQ_BAD;
	}
	m.id = (unsigned int)id;
	m.epoch = (unsigned int)epoch;
	m.seq = (unsigned int)seq;
	m.slot = (unsigned int)slot;
	if(reauth_queue_admit() < 0) {
		*why = "the job queue is full";
		return REAUTH_DMQ_UNAVAILABLE;
	}
	job = reauth_job_new(REAUTH_JOB_PROC_REPLICA, sizeof(m) + m.identity.len + 1);
	if(job == NULL) {
		*why = "out of shared memory";
		return REAUTH_DMQ_UNAVAILABLE;
	}
	job->shard = reauth_sets_shard(&uri);
	job->code = op;
	job->id = m.id;
	dst = (proc_msg_t *)job->buf;
	*dst = m;
	p = job->buf + sizeof(m);
	reauth_str_pack(&dst->identity, &m.identity, &p);
	reauth_queue_push(job);
	return 0;
}

/* ---- applying (the worker of the user's shard) ---- */

/* a replica ends: out of the index, freed after keep_finished */
static void replica_end(reauth_procrec_t *rec, const reauth_proc_t *core)
{
	reauth_proc_lock(rec);
	rec->core.state = RP_DONE;
	rec->core.outcome = core->outcome;
	rec->core.reason = core->reason;
	rec->core.ended = core->ended ? core->ended : (long)time(NULL);
	rec->settled = 1;
	reauth_proc_unlock(rec);
	reauth_proc_unindex(rec);
}

/* a replica takes its owner's state (the targets stay the owner's) */
static void apply_core(reauth_procrec_t *rec, const reauth_proc_t *c)
{
	rec->core.state = c->state;
	rec->core.outcome = c->outcome;
	rec->core.reason = c->reason;
	rec->core.started = c->started;
	rec->core.deadline = c->deadline;
	rec->core.notify_pending = c->notify_pending;
	rec->core.refer_pending = c->refer_pending;
	rec->core.contacts = c->contacts;
	rec->core.wait_until = c->wait_until;
	/* a re-REGISTER seen here stays noted for a takeover */
	if(c->reregistered_at)
		rec->core.reregistered_at = c->reregistered_at;
}

void reauth_proc_replica_on_job(reauth_job_t *job)
{
	proc_msg_t *m = (proc_msg_t *)job->buf;
	reauth_procrec_t *rec = reauth_proc_get(m->id);
	const char *what = NULL;
	owner_put_t verdict;
	int drop_row = 0;

	if(job->code == PROC_SESSIONS) {
		int n = reauth_sessions_end(
				(str *)(job->buf + sizeof(proc_msg_t)), (int)m->slot);

		if(n > 0)
			reauth_stats_add(REAUTH_STAT_SESSIONS_ENDED, n);
		LM_INFO("re-authentication %u of a peer de-registered its user: %d"
				" calls through this node ended\n",
				m->id, n);
		return;
	}
	if(job->code == PROC_DROP) {
		if(rec && rec->owner && rec->forwarded && rec->core.state != RP_DONE) {
			m->core.outcome = RP_OUT_CANCELLED;
			replica_end(rec, &m->core);
		}
		return;
	}
	if(rec == NULL) {
		if(job->code == PROC_DONE || m->core.state == RP_DONE)
			return; /* never seen here: nothing to end */
		rec = reauth_proc_replica_new(&m->identity, m->id, (int)m->slot);
		if(rec == NULL)
			return;
	}
	reauth_proc_lock(rec);
	verdict = owner_check_put(rec->owner, rec->epoch, rec->pseq, m->slot + 1,
			m->epoch, m->seq);
	if(verdict == OWNER_PUT_TAKEN) {
		/* taken over while this node was away (it restarted): the
		 * sender runs it now */
		drop_row = rec->in_db;
		rec->in_db = 0;
		rec->db_dirty = 0; /* its row is the sender's to keep now */
		what = "was this node's; taken over by its sender (a newer epoch)";
	} else if(verdict == OWNER_PUT_OWN) {
		what = "is run by this node: ignored";
	} else if(verdict == OWNER_PUT_STALE) {
		what = "comes from a node that does not run it (epoch): ignored";
	} else if(verdict == OWNER_PUT_OLD && job->code == PROC_PUT) {
		what = "is older than what this node has (reordered): ignored";
	}
	if(verdict == OWNER_PUT_TAKEN || verdict == OWNER_PUT_APPLY
			|| (verdict == OWNER_PUT_OLD && job->code == PROC_DONE)) {
		if(rec->core.state == RP_DONE) {
			what = "has ended here already: ignored";
		} else {
			if(m->epoch != rec->epoch)
				rec->pseq = 0;
			rec->owner = (unsigned char)(m->slot + 1);
			rec->epoch = m->epoch;
			if(m->seq > rec->pseq)
				rec->pseq = m->seq;
			rec->forwarded = 0;
			if(job->code == PROC_PUT)
				apply_core(rec, &m->core);
		}
	}
	reauth_proc_unlock(rec);
	if(drop_row)
		reauth_db_proc_del(rec->entry.id, 0);
	if(job->code == PROC_DONE && (what == NULL || verdict == OWNER_PUT_TAKEN))
		replica_end(rec, &m->core);
	if(what)
		LM_INFO("proc.%s of procedure %u of %.*s %s\n",
				job->code == PROC_PUT ? "put" : "done", m->id,
				m->identity.len, m->identity.s, what);
}
