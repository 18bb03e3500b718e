/*
 * reauth module - statistics (kamcmd stats.get_statistics reauth:)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "core/counters.h"
#include "core/dprint.h"
#include "core/sr_module.h"

#include "reauth_queue.h"
#include "reauth_stats.h"
#include "reauth_subs.h"

static stat_var *notify_sent;
static stat_var *notify_failed;
static stat_var *notify_inflight; /* NOTIFY transactions not yet answered */
static stat_var *proc_stats[REAUTH_STAT_COUNT];

/* gauges derived from the tables themselves */
static unsigned long reauth_stat_active(void)
{
	return (unsigned long)reauth_subs_count();
}

static unsigned long reauth_stat_queue_length(void)
{
	return (unsigned long)reauth_queue_length();
}

static unsigned long reauth_stat_queue_dropped(void)
{
	return reauth_queue_refused();
}

/* clang-format off */
static stat_export_t reauth_mod_stats[] = {
	{"active_subscriptions", STAT_IS_FUNC, (stat_var **)reauth_stat_active},
	{"notify_sent",          0, &notify_sent},
	{"notify_failed",        0, &notify_failed},
	{"reauth_started",       0, &proc_stats[REAUTH_STAT_STARTED]},
	{"reauth_completed",     0, &proc_stats[REAUTH_STAT_COMPLETED]},
	{"reauth_failed",        0, &proc_stats[REAUTH_STAT_FAILED]},
	{"reauth_cancelled",     0, &proc_stats[REAUTH_STAT_CANCELLED]},
	{"reauth_deregistered",  0, &proc_stats[REAUTH_STAT_DEREGISTERED]},
	{"reauth_notify_sent",   0, &proc_stats[REAUTH_STAT_REAUTH_NOTIFY]},
	{"reauth_notify_failed", 0, &proc_stats[REAUTH_STAT_REAUTH_NOTIFY_FAILED]},
	{"refer_sent",           0, &proc_stats[REAUTH_STAT_REFER_SENT]},
	{"refer_failed",         0, &proc_stats[REAUTH_STAT_REFER_FAILED]},
	{"sessions_ended",       0, &proc_stats[REAUTH_STAT_SESSIONS_ENDED]},
	{"sessions_end_failed",  0, &proc_stats[REAUTH_STAT_SESSIONS_END_FAILED]},
	{"sessions_untracked",   0, &proc_stats[REAUTH_STAT_SESSIONS_UNTRACKED]},
	{"subscribe_unauthenticated", 0,
		&proc_stats[REAUTH_STAT_SUBSCRIBE_UNAUTHENTICATED]},
	{"subscribe_refused_full", 0,
		&proc_stats[REAUTH_STAT_SUBSCRIBE_REFUSED_FULL]},
	{"queue_length",         STAT_IS_FUNC, (stat_var **)reauth_stat_queue_length},
	{"queue_dropped",        STAT_IS_FUNC, (stat_var **)reauth_stat_queue_dropped},
	{"notify_paced",         0, &proc_stats[REAUTH_STAT_NOTIFY_PACED]},
	{"notify_inflight",      STAT_NO_RESET, &notify_inflight},
	{"db_errors",            0, &proc_stats[REAUTH_STAT_DB_ERRORS]},
	{"db_deferred",          0, &proc_stats[REAUTH_STAT_DB_DEFERRED]},
	{"notify_over_tcp",      0, &proc_stats[REAUTH_STAT_NOTIFY_OVER_TCP]},
	{"notify_too_large",     0, &proc_stats[REAUTH_STAT_NOTIFY_TOO_LARGE]},
	{"publish_sent",         0, &proc_stats[REAUTH_STAT_PUBLISH_SENT]},
	{"publish_failed",       0, &proc_stats[REAUTH_STAT_PUBLISH_FAILED]},
	{"publish_open",         STAT_NO_RESET, &proc_stats[REAUTH_STAT_PUBLISH_OPEN]},
	{"dmq_peers_up",         STAT_NO_RESET, &proc_stats[REAUTH_STAT_DMQ_PEERS_UP]},
	{"dmq_peer_down_events", 0, &proc_stats[REAUTH_STAT_DMQ_PEER_DOWN]},
	{"dmq_peer_up_events",   0, &proc_stats[REAUTH_STAT_DMQ_PEER_UP]},
	{"dmq_bad_messages",     0, &proc_stats[REAUTH_STAT_DMQ_BAD_MESSAGES]},
	{"takeover_subscriptions", 0, &proc_stats[REAUTH_STAT_TAKEN_SUBSCRIPTIONS]},
	{"takeover_procedures",  0, &proc_stats[REAUTH_STAT_TAKEN_PROCEDURES]},
	{"dmq_sent",             0, &proc_stats[REAUTH_STAT_DMQ_SENT]},
	{"dmq_received",         0, &proc_stats[REAUTH_STAT_DMQ_RECEIVED]},
	{"starts_held",          0, &proc_stats[REAUTH_STAT_STARTS_HELD]},
	{0, 0, 0}
};
/* clang-format on */

int reauth_stats_init(void)
{
	if(register_module_stats("reauth", reauth_mod_stats) != 0) {
		LM_ERR("failed to register statistics\n");
		return -1;
	}
	return 0;
}

void reauth_stats_notify_sent(void)
{
	if(notify_sent)
		update_stat(notify_sent, 1);
}

void reauth_stats_notify_failed(void)
{
	if(notify_failed)
		update_stat(notify_failed, 1);
}

void reauth_stats_add(reauth_stat_t which, int n)
{
	if(which < REAUTH_STAT_COUNT && proc_stats[which])
		update_stat(proc_stats[which], n);
}

void reauth_stats_inflight_add(int delta)
{
	if(notify_inflight)
		update_stat(notify_inflight, delta);
}

long reauth_stats_inflight(void)
{
	return notify_inflight ? (long)get_stat_val(notify_inflight) : 0;
}
