/*
 * reauth module - the reg event notifier: usrloc changes to NOTIFYs
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_NOTIFY_H_
#define _REAUTH_NOTIFY_H_

#include "core/str.h"
#include "modules/usrloc/usrloc.h"

#include "reauth_queue.h"

#include "pure/regstate.h"

/* why a subscription ends: the reason of "Subscription-State: terminated" */
typedef enum reauth_term_reason
{
	REAUTH_TERM_UNSUBSCRIBED = 0, /* the watcher asked (Expires: 0) */
	REAUTH_TERM_TIMEOUT,		  /* not refreshed in time */
	REAUTH_TERM_NORESOURCE,		  /* nothing left registered */
	REAUTH_TERM_DEACTIVATED,
	REAUTH_TERM_REJECTED
} reauth_term_reason_t;

extern int reauth_notifier_pid;
/* set while the module itself changes usrloc (shorten, de-register):
 * those changes are notified by the procedure, not as plain changes */
extern int reauth_ul_quiet;
/* NOTIFY transactions open at once, at most (0: no bound) */
extern int reauth_max_notify_inflight;

/* the contacts of one aor, copied out of usrloc (pkg) */
typedef struct ul_snapshot
{
	regstate_contact_t *cts;
	size_t n;
	char *buf;
} ul_snapshot_t;

/* one public identity of a user as a re-authentication NOTIFY shows it */
typedef struct reauth_id_view
{
	str uri;
	str aor;
	ul_snapshot_t snap;
	const char *draft_state; /* body_format draft only */
	const char *detail;
} reauth_id_view_t;

/* valid contacts of aor, with room for extra more; 0 or -1 */
int reauth_snapshot_take(str *aor, ul_snapshot_t *snap, size_t extra);
void reauth_snapshot_free(ul_snapshot_t *snap);
int reauth_snapshot_active(ul_snapshot_t *snap);

/* subscriptions to the identities (aors): how many of kind UE, others */
void reauth_notify_count(
		reauth_id_view_t *views, int n, unsigned int *ue, unsigned int *other);
/*
 * One NOTIFY on every subscription to any of the identities, each body
 * listing all of them. terminate: NULL keeps the subscriptions, else it
 * is the Subscription-State reason and they are removed. The answers come
 * back to the procedure proc_id. Returns the UE NOTIFYs sent.
 */
int reauth_notify_user(reauth_id_view_t *views, int n, unsigned int proc_id,
		const char *terminate, unsigned int *other_sent);

/* mod_init: tm */
int reauth_notify_init(void);

/* usrloc callback (the process that changed the contact): post the change
 * when somebody watches the aor */
void reauth_notify_ul_changed(ucontact_t *c, int type);

/* the worker's handlers of the notifier's jobs */
void reauth_notify_on_ul_change(reauth_job_t *job);
/* full state to one subscription; terminate >= 0: the final one, reason */
void reauth_notify_on_sub(unsigned int hash, unsigned int id, int terminate);
/* the final answer to a NOTIFY: 481 and timeouts end the subscription */
void reauth_notify_on_reply(reauth_job_t *job);
/* once a second: expired subscriptions, write-back */
void reauth_notify_tick(time_t now);

/* post a job for subscription (hash, id); 0 or -1 (out of shm) */
int reauth_notify_post(unsigned int hash, unsigned int id);
int reauth_notify_post_terminate(
		unsigned int hash, unsigned int id, reauth_term_reason_t reason);

#endif
