/*
 * reauth module - statistics (kamcmd stats.get_statistics reauth:)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_STATS_H_
#define _REAUTH_STATS_H_

typedef enum reauth_stat
{
	REAUTH_STAT_STARTED = 0,
	REAUTH_STAT_COMPLETED,
	REAUTH_STAT_FAILED,
	REAUTH_STAT_CANCELLED,
	REAUTH_STAT_DEREGISTERED,
	REAUTH_STAT_REAUTH_NOTIFY,
	REAUTH_STAT_REAUTH_NOTIFY_FAILED,
	REAUTH_STAT_REFER_SENT,
	REAUTH_STAT_REFER_FAILED,
	REAUTH_STAT_SESSIONS_ENDED,
	REAUTH_STAT_SESSIONS_END_FAILED,
	REAUTH_STAT_SESSIONS_UNTRACKED,
	REAUTH_STAT_SUBSCRIBE_UNAUTHENTICATED,
	REAUTH_STAT_SUBSCRIBE_REFUSED_FULL,
	REAUTH_STAT_NOTIFY_PACED,
	REAUTH_STAT_DB_ERRORS,		  /* failed batch writes, rows not kept */
	REAUTH_STAT_NOTIFY_OVER_TCP,  /* too large for UDP: sent over TCP */
	REAUTH_STAT_NOTIFY_TOO_LARGE, /* too large for UDP, no TCP: not sent */
	REAUTH_STAT_PUBLISH_SENT,	  /* reg_event_mode pua: PUBLISHes sent */
	REAUTH_STAT_PUBLISH_FAILED,	  /* not sent, or answered >= 300 */
	REAUTH_STAT_PUBLISH_OPEN,	  /* identities with a PUBLISH open (gauge) */
	REAUTH_STAT_DMQ_PEERS_UP,	  /* dmq: peers whose hellos arrive (gauge) */
	REAUTH_STAT_DMQ_PEER_DOWN,	  /* dmq: a peer's hellos stopped */
	REAUTH_STAT_DMQ_PEER_UP,	  /* dmq: a peer's hellos (re)started */
	REAUTH_STAT_DMQ_BAD_MESSAGES, /* dmq: KDMQ reauth messages refused */
	REAUTH_STAT_TAKEN_SUBSCRIPTIONS, /* dmq: a dead peer's, taken over */
	REAUTH_STAT_TAKEN_PROCEDURES,	 /* dmq: a dead peer's, taken over */
	REAUTH_STAT_DMQ_SENT,			 /* dmq: KDMQ reauth requests sent */
	REAUTH_STAT_DMQ_RECEIVED,		 /* dmq: KDMQ reauth requests received */
	REAUTH_STAT_STARTS_HELD,		 /* triggers kept back for start_rate */
	REAUTH_STAT_DB_DEFERRED, /* changes the DB batch had no room for yet */
	REAUTH_STAT_COUNT
} reauth_stat_t;

int reauth_stats_init(void);
void reauth_stats_notify_sent(void);
void reauth_stats_notify_failed(void);
void reauth_stats_add(reauth_stat_t which, int n);
/* NOTIFY transactions sent and not yet completed (pacing) */
void reauth_stats_inflight_add(int delta);
long reauth_stats_inflight(void);

#endif
