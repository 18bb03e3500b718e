/*
 * reauth module - the module's process: takes jobs, hands them on
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_WORKER_H_
#define _REAUTH_WORKER_H_

/* mod_init: the usrloc callbacks that feed the queue */
int reauth_worker_init(void);
/* the module's process: never returns */
/* how much lower the workers run than the SIP workers (module
 * parameter worker_nice, a nice(2) increment) */
extern int reauth_worker_nice;
/* procedures started per second at most, all workers together (module
 * parameter start_rate); 0: no limit */
extern int reauth_start_rate;

void reauth_worker_loop(unsigned int shard);

#endif
