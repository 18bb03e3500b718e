/*
 * reauth module - the module's own processes run below the SIP workers
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_PRIO_H_
#define _REAUTH_PRIO_H_

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "core/dprint.h"

#ifndef SCHED_IDLE
#define SCHED_IDLE 5 /* Linux; <sched.h> names it only with _GNU_SOURCE */
#endif

/* parameter worker_nice: 0 the SIP workers' priority, 1..19 a nice(2)
 * increment, 20 SCHED_IDLE (the CPU only when nothing else wants it) */
#define REAUTH_NICE_IDLE 20

static inline void reauth_lower_priority(int nice_value, const char *who)
{
	struct sched_param sp;
	int policy;

	memset(&sp, 0, sizeof(sp));
	if(nice_value >= REAUTH_NICE_IDLE) {
		if(sched_setscheduler(0, SCHED_IDLE, &sp) < 0)
			LM_WARN("%s: SCHED_IDLE: %s\n", who, strerror(errno));
		return;
	}
	/* Kamailio's real_time=4 (rt_prio, rt_policy) gives every process a
	 * real-time policy, inherited here: a nice value means nothing to it,
	 * and the worker would compete with the SIP workers as their equal.
	 * Below them is one real-time priority lower, not the normal policy:
	 * SIP workers wait for locks the workers hold (job queue, buckets),
	 * and a normal process preempted inside one would keep them waiting
	 * behind every other normal process of the machine. One priority
	 * lower, it gets a CPU as soon as a SIP worker blocks. */
	policy = sched_getscheduler(0);
	if(nice_value > 0 && (policy == SCHED_FIFO || policy == SCHED_RR)) {
		if(sched_getparam(0, &sp) == 0
				&& sp.sched_priority > sched_get_priority_min(policy)) {
			sp.sched_priority--;
			if(sched_setscheduler(0, policy, &sp) == 0)
				return;
			LM_WARN("%s: real-time priority %d: %s\n", who, sp.sched_priority,
					strerror(errno));
		}
		/* already the lowest real-time priority: the normal policy */
		memset(&sp, 0, sizeof(sp));
		if(sched_setscheduler(0, SCHED_OTHER, &sp) < 0)
			LM_WARN("%s: SCHED_OTHER: %s\n", who, strerror(errno));
	}
	errno = 0;
	if(nice_value > 0 && nice(nice_value) == -1 && errno)
		LM_WARN("%s: nice(%d): %s\n", who, nice_value, strerror(errno));
}

#endif
