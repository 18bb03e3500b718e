/*
 * reauth module - the module's worker processes: take jobs, hand them on
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The top of the one-way flow: entry points (usrloc callback here, SIP,
 * RPC, tm callbacks elsewhere) post jobs; each worker takes the jobs of
 * its shard in order and hands each to the notifier or the procedure,
 * and ticks both once a second for its shard. Nothing below this file
 * calls up into it.
 */

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cfg/cfg_struct.h"
#include "core/dprint.h"
#include "core/mem/shm_mem.h"

#include "pure/pace.h"

#include "reauth_db.h"
#include "reauth_identity.h"
#include "reauth_notify.h"
#include "reauth_proc.h"
#include "reauth_prio.h"
#include "reauth_proc_run.h"
#include "reauth_queue.h"
#include "reauth_proc_replica.h"
#include "reauth_replica.h"
#include "reauth_takeover.h"
#include "reauth_stats.h"
#include "reauth_subs.h"
#include "reauth_worker.h"

/* usrloc: a contact changed, in the process that changed it */
static void ul_changed(ucontact_t *c, int type, void *param)
{
	/* usrloc flushes and expires contacts at shutdown too, after our
	 * mod_destroy: nothing is left to notify then */
	if(c == NULL || c->aor == NULL || reauth_ul_quiet || !reauth_subs_ready())
		return;
	if(type & (UL_CONTACT_INSERT | UL_CONTACT_UPDATE))
		reauth_proc_contact_saved(c->aor);
	reauth_notify_ul_changed(c, type);
}

int reauth_worker_init(void)
{
	if(reauth_ul.register_ulcb(UL_CONTACT_INSERT | UL_CONTACT_UPDATE
									   | UL_CONTACT_DELETE | UL_CONTACT_EXPIRE,
			   ul_changed, NULL)
			< 0) {
		LM_ERR("cannot register usrloc callbacks\n");
		return -1;
	}
	return 0;
}

static void run_job(reauth_job_t *job)
{
	switch(job->type) {
		case REAUTH_JOB_UL_CHANGE:
			reauth_notify_on_ul_change(job);
			break;
		case REAUTH_JOB_NOTIFY:
			reauth_notify_on_sub(job->hash, job->id, -1);
			break;
		case REAUTH_JOB_TERMINATE:
			reauth_notify_on_sub(job->hash, job->id, job->code);
			break;
		case REAUTH_JOB_NOTIFY_REPLY:
			if(job->proc_id)
				reauth_proc_on_notify_answer(
						job->proc_id, job->target, job->code);
			reauth_notify_on_reply(job);
			break;
		case REAUTH_JOB_PROC_TRIGGER:
			reauth_proc_on_trigger(job->proc_id);
			break;
		case REAUTH_JOB_REFER_REPLY:
			reauth_proc_on_refer_answer(job->proc_id, job->target, job->code);
			break;
		case REAUTH_JOB_REREGISTERED:
			reauth_proc_on_reregistered(job->proc_id, &job->aor, job->is_ue);
			break;
		case REAUTH_JOB_REPLICA:
			reauth_replica_on_job(job);
			break;
		case REAUTH_JOB_PROC_REPLICA:
			reauth_proc_replica_on_job(job);
			break;
		case REAUTH_JOB_PEER:
			reauth_takeover_on_job(job);
			break;
	}
}

int reauth_worker_nice = 10;
int reauth_start_rate = 0;

/* every bucket of the tables once a second, a tenth every 100 ms */
#define TICK_SLICES 10
#define TICK_SLICE_MS (1000 / TICK_SLICES)

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- start_rate: procedures started per second, all workers together ---
 * A trigger past this worker's share waits in the worker's own FIFO (still
 * counted in queue_length, so queue_size bounds it) while every other job
 * goes on: answers, re-REGISTERs and SUBSCRIBEs are never held back, and
 * a procedure's deadline counts from its start. */
static pace_t start_pace;
static reauth_job_t *held_head, *held_tail;

static void start_pace_init(void)
{
	uint64_t rate_milli;

	if(reauth_start_rate <= 0)
		return;
	rate_milli = (uint64_t)reauth_start_rate * 1000
				 / (uint64_t)(reauth_workers > 0 ? reauth_workers : 1);
	if(rate_milli == 0)
		rate_milli = 1;
	pace_init(&start_pace, rate_milli, pace_burst_of(rate_milli),
			(uint64_t)mono_ms());
}

/* non-zero when the trigger is kept back for later */
static int start_hold(reauth_job_t *job)
{
	if(job->type != REAUTH_JOB_PROC_TRIGGER || start_pace.rate_milli == 0)
		return 0;
	/* in order: none overtakes a trigger already waiting */
	if(held_head == NULL && pace_take(&start_pace, (uint64_t)mono_ms()))
		return 0;
	job->next = NULL;
	if(held_tail)
		held_tail->next = job;
	else
		held_head = job;
	held_tail = job;
	reauth_queue_hold(1);
	reauth_stats_add(REAUTH_STAT_STARTS_HELD, 1);
	LM_DBG("re-authentication %u waits for start_rate\n", job->proc_id);
	return 1;
}

/* the waiting triggers whose turn came */
static void start_held(void)
{
	reauth_job_t *job;

	while(held_head && pace_take(&start_pace, (uint64_t)mono_ms())) {
		job = held_head;
		held_head = job->next;
		if(held_head == NULL)
			held_tail = NULL;
		reauth_queue_hold(-1);
		run_job(job);
		shm_free(job);
	}
}

/* how long the worker may wait for a job: until the DB flush is due, and
 * while triggers wait, until the next one's turn */
static int pop_wait_ms(void)
{
	int wait = reauth_db_flush_in(TICK_SLICE_MS);
	uint64_t turn;

	if(held_head == NULL)
		return wait;
	turn = pace_wait_ms(&start_pace, (uint64_t)mono_ms());
	return turn < (uint64_t)wait ? (int)(turn ? turn : 1) : wait;
}

void reauth_worker_loop(unsigned int shard)
{
	reauth_job_t *job;
	long long next_slice = 0, ms;
	unsigned int slice = 0;
	time_t now;

	reauth_my_shard = shard;
	start_pace_init();
	/* SIP workers first: when the CPU is short, a mass re-authentication
	 * waits, not the REGISTERs and calls of everybody else */
	reauth_lower_priority(reauth_worker_nice, "reauth worker");
	LM_INFO("reauth worker %u started\n", shard);
	for(;;) {
		job = reauth_queue_pop(shard, pop_wait_ms());
		cfg_update();
		if(job && !start_hold(job)) {
			run_job(job);
			shm_free(job);
		}
		start_held();
		/* the rows the jobs changed, to the DB writer after a burst */
		if(reauth_db_flush_due())
			reauth_db_flush();
		/* the tables a slice at a time: a walk of 100k records at once
		 * would hold every job up for milliseconds */
		ms = mono_ms();
		if(ms >= next_slice) {
			now = time(NULL);
			reauth_notify_tick(now, shard, slice, TICK_SLICES);
			reauth_proc_tick(now, shard, slice, TICK_SLICES);
			slice = (slice + 1) % TICK_SLICES;
			if(slice == 0)
				reauth_db_flush();
			next_slice = ms + TICK_SLICE_MS;
		}
	}
}
