/*
 * reauth module - the reg event notifier: usrloc changes to NOTIFYs
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_NOTIFY_H_
#define _REAUTH_NOTIFY_H_

#include <time.h>

#include "core/str.h"
#include "modules/usrloc/usrloc.h"

#include "pure/regstate.h"

#include "reauth_notify_send.h"
#include "reauth_queue.h"

/* set while the module itself changes usrloc (shorten, de-register):
 * those changes are notified by the procedure, not as plain changes */
extern int reauth_ul_quiet;

/* modparam notify_state ("full" or "partial") and its value */
extern int reauth_notify_partial;
/* a param_func_t (type is a modparam_t: core/sr_module.h is not included
 * here, its run_actions would clash with the procedure's) */
int reauth_notify_state_param(unsigned int type, void *val);

/* usrloc callback (the process that changed the contact): post the change
 * when somebody watches the aor */
void reauth_notify_ul_changed(ucontact_t *c, int type);

/* post a job for subscription (hash, id) to its worker; 0 or -1 */
int reauth_notify_post(unsigned int hash, unsigned int id, unsigned int shard);
int reauth_notify_post_terminate(unsigned int hash, unsigned int id,
		unsigned int shard, reauth_term_reason_t reason);

/* the worker's handlers of the notifier's jobs */
void reauth_notify_on_ul_change(reauth_job_t *job);
/* full state to one subscription; terminate >= 0: the final one, reason */
void reauth_notify_on_sub(unsigned int hash, unsigned int id, int terminate);
/* the final answer to a NOTIFY: 481 and timeouts end the subscription */
void reauth_notify_on_reply(reauth_job_t *job);
/* expired subscriptions of this worker's shard, in slice of slices of the
 * table (every slice once a second: no long walk holds jobs up) */
void reauth_notify_tick(
		time_t now, unsigned int shard, unsigned int slice, unsigned int slices);

/* The procedure's NOTIFYs, each body listing ids: to one subscription
 * (0 sent, -1 not: gone, or not sent), and to every subscription of aors
 * with terminate as the Subscription-State reason (NULL: kept), which
 * removes them (returns how many were sent). */
int reauth_notify_one(unsigned int hash, unsigned int id,
		regstate_identity_t *ids, int nids, notify_origin_t *origin);
int reauth_notify_all(str *aors, int naors, regstate_identity_t *ids,
		int nids, const char *terminate);

#endif
