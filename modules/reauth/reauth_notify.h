/*
 * reauth module - the reg event notifier: usrloc changes to NOTIFYs
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_NOTIFY_H_
#define _REAUTH_NOTIFY_H_

#include "core/str.h"

/* why a subscription ends: the reason of "Subscription-State: terminated" */
typedef enum reauth_term_reason {
	REAUTH_TERM_UNSUBSCRIBED = 0, /* the watcher asked (Expires: 0) */
	REAUTH_TERM_TIMEOUT,		  /* not refreshed in time */
	REAUTH_TERM_NORESOURCE,		  /* nothing left registered */
	REAUTH_TERM_DEACTIVATED,
	REAUTH_TERM_REJECTED
} reauth_term_reason_t;

extern int reauth_notifier_pid;

/* mod_init: tm and the usrloc callbacks */
int reauth_notify_init(void);
/* the notifier process: never returns */
void reauth_notifier_loop(void);

/* post a job for subscription (hash, id); 0 or -1 (out of shm) */
int reauth_notify_post(unsigned int hash, unsigned int id);
int reauth_notify_post_terminate(
		unsigned int hash, unsigned int id, reauth_term_reason_t reason);

#endif
