/*
 * reauth module - statistics (kamcmd stats.get_statistics reauth:)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_STATS_H_
#define _REAUTH_STATS_H_

int reauth_stats_init(void);
void reauth_stats_notify_sent(void);
void reauth_stats_notify_failed(void);

#endif
