/*
 * reauth module - a pool's node that goes down, comes back, restarts
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>
#include <time.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/utils/srjson.h"

#include "reauth_db.h"
#include "reauth_dmq.h"
#include "reauth_dmq_msg.h"
#include "reauth_proc.h"
#include "reauth_proc_replica.h"
#include "reauth_proc_run.h"
#include "reauth_queue.h"
#include "reauth_replica_walk.h"
#include "reauth_sets.h"
#include "reauth_stats.h"
#include "reauth_subs.h"
#include "reauth_takeover.h"

/* job->code beside REAUTH_PEER_DOWN and REAUTH_PEER_UP */
#define PEER_TAKEN 3

/* procedures handled per walk of the table (more: the next walk) */
#define PROC_BATCH 1024

/* ---- events: a job for every worker ---- */

static void post(int event, int slot, int took_over)
{
	reauth_job_t *job;
	int shard;

	for(shard = 0; shard < reauth_workers; shard++) {
		if((job = reauth_job_new(REAUTH_JOB_PEER, 0)) == NULL)
			return; /* logged by the allocator */
		job->shard = (unsigned int)shard;
		job->code = event;
		job->id = (unsigned int)slot;
		/* the peer hears "taken" once, from the first worker */
		job->is_ue = took_over && shard == 0;
		reauth_queue_push(job);
	}
}

/* reauth_dmq.c: the timer process (down) or a dmq worker (up) */
static void on_peer(int slot, int event, int took_over)
{
	post(event, slot, took_over);
}

/* sync.taken: the sender carried this node's records on while it was
 * away */
static int sync_recv(srjson_doc_t *doc, srjson_t *root, const char *type,
		int slot, const char **why)
{
	if(strcmp(type, "sync.taken") != 0)
		return REAUTH_DMQ_UNKNOWN;
	/* what was loaded at start is this node's once the wait is over */
	if(time(NULL) < reauth_loaded_hold_until)
		post(PEER_TAKEN, slot, 0);
	else
		LM_INFO("sync.taken long after this node started: what it loaded"
				" from its DB is its own by now, nothing dropped\n");
	return 0;
}

int reauth_takeover_init(void)
{
	if(!reauth_dmq_enable)
		return 0;
	/* a peer hears this node's first hello within a hello_interval and
	 * answers (sync.taken) at once; twice node_timeout is ample */
	reauth_loaded_hold_until =
			time(NULL) + (2 * reauth_dmq_node_timeout + 999) / 1000;
	reauth_dmq_set_peer_handler(on_peer);
	return reauth_dmq_add_handler("sync.", sync_recv);
}

static void send_taken(int slot)
{
	srjson_doc_t jdoc;

	if(reauth_dmq_msg_init(&jdoc, "sync.taken") == 0)
		reauth_dmq_msg_send(&jdoc, slot, NULL, NULL, "sync.taken");
}

/* ---- procedures of a shard ---- */

typedef struct proc_walk
{
	unsigned int shard;
	int slot, op;
	unsigned int *ids;
	int n;
} proc_walk_t;

/* under the record's bucket lock: takes the record's id when op wants it,
 * changing what op changes (no I/O) */
static int proc_take(reauth_procrec_t *rec, void *arg)
{
	proc_walk_t *w = (proc_walk_t *)arg;
	unsigned int user;

	if(rec->shard != w->shard || rec->core.state == RP_DONE)
		return 0;
	switch(w->op) {
		case REAUTH_PEER_DOWN:
			/* any peer that is down: see reauth_replica_walk */
			if(rec->owner == 0 || reauth_dmq_peer_is_up(rec->owner - 1))
				return 0;
			/* keyed by the user, as its subscriptions are */
			user = reauth_sets_user_hash(&REAUTH_PROC_URI(rec)[0]);
			if(reauth_dmq_pick((char *)&user, sizeof(user)) >= 0)
				return 0; /* another survivor's */
			rec->owner = 0;
			rec->epoch++;
			rec->forwarded = 0;
			rec->restored = 0;
			rec->in_db = 0;
			break;
		case REAUTH_PEER_UP:
			if(rec->owner != 0 || rec->core.state == RP_IDLE)
				return 0;
			break;
		case PEER_TAKEN:
			if(rec->owner != 0 || !rec->restored)
				return 0;
			rec->core.state = RP_DONE;
			rec->core.outcome = RP_OUT_CANCELLED;
			rec->core.ended = (long)time(NULL);
			rec->settled = 1;
			break;
	}
	w->ids[w->n++] = rec->entry.id;
	return w->n >= PROC_BATCH;
}

static int procs_walk(unsigned int shard, int op, int slot)
{
	proc_walk_t w = {shard, slot, op, NULL, 0};
	reauth_procrec_t *rec;
	reauth_proc_t core;
	int i, total = 0;

	if((w.ids = pkg_malloc(PROC_BATCH * sizeof(unsigned int))) == NULL) {
		PKG_MEM_ERROR;
		return 0;
	}
	do {
		w.n = 0;
		reauth_proc_walk(proc_take, &w);
		for(i = 0; i < w.n; i++) {
			if((rec = reauth_proc_get(w.ids[i])) == NULL)
				continue;
			if(op == REAUTH_PEER_DOWN) {
				/* an authenticated re-REGISTER seen while the owner was
				 * dying completes it now */
				if(rec->core.reregistered_at)
					reauth_proc_on_reregistered(
							rec->entry.id, &REAUTH_PROC_AOR(rec)[0], 1);
				else
					reauth_proc_settle(rec);
			} else if(op == REAUTH_PEER_UP) {
				reauth_proc_lock(rec);
				core = rec->core;
				reauth_proc_unlock(rec);
				reauth_proc_replica_put_to(rec, &core, slot);
			} else {
				reauth_proc_unindex(rec);
				if(rec->in_db)
					reauth_db_proc_del(rec->entry.id, 0);
				rec->in_db = 0;
				/* a replica the peers made of it from this node's own
				 * stale put ends too */
				reauth_proc_lock(rec);
				core = rec->core;
				reauth_proc_unlock(rec);
				reauth_proc_replica_done(rec, &core);
			}
		}
		total += w.n;
		/* resends take each record once: one batch is all a walk gives */
	} while(w.n == PROC_BATCH && op != REAUTH_PEER_UP);
	pkg_free(w.ids);
	return total;
}

/* ---- the worker's job ---- */

void reauth_takeover_on_job(reauth_job_t *job)
{
	char addr[REAUTH_DMQ_ADDR_MAX];
	int slot = (int)job->id, nsub, nproc, up;

	if(reauth_dmq_peer_addr(slot, addr, sizeof(addr), &up) < 0)
		strcpy(addr, "?");
	switch(job->code) {
		case REAUTH_PEER_DOWN:
			nsub = reauth_replica_walk(job->shard, REAUTH_WALK_ADOPT, slot);
			nproc = procs_walk(job->shard, REAUTH_PEER_DOWN, slot);
			if(nsub + nproc == 0) {
				LM_INFO("worker %u: nothing of dmq peer %s (down) to take"
						" over\n",
						job->shard, addr);
				break;
			}
			reauth_dmq_peer_taken(slot, 1);
			reauth_stats_add(REAUTH_STAT_TAKEN_SUBSCRIPTIONS, nsub);
			reauth_stats_add(REAUTH_STAT_TAKEN_PROCEDURES, nproc);
			LM_NOTICE("worker %u took over %d subscriptions and %d pending"
					  " procedures of dmq peer %s (down)\n",
					job->shard, nsub, nproc, addr);
			break;
		case REAUTH_PEER_UP:
			nsub = reauth_replica_walk(job->shard, REAUTH_WALK_RESEND, slot);
			nproc = procs_walk(job->shard, REAUTH_PEER_UP, slot);
			LM_INFO("worker %u sent its %d subscriptions and %d pending"
					" procedures to dmq peer %s, which came up\n",
					job->shard, nsub, nproc, addr);
			if(job->is_ue) {
				send_taken(slot);
				reauth_dmq_peer_taken(slot, 0);
			}
			break;
		case PEER_TAKEN:
			nsub = reauth_replica_walk(job->shard, REAUTH_WALK_DROP, slot);
			nproc = procs_walk(job->shard, PEER_TAKEN, slot);
			LM_NOTICE("worker %u: dmq peer %s carried this node's records on"
					  " while it was away: %d subscriptions and %d procedures"
					  " loaded from the DB dropped\n",
					job->shard, addr, nsub, nproc);
			break;
	}
}
