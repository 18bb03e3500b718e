/*
 * reauth module - procedures replicated to the pool's nodes over DMQ
 * (reauth_proc_replica.c sends, reauth_proc_replica_recv.c receives)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * With modparam dmq 1, the node that runs a procedure (its owner)
 * broadcasts over the DMQ peer "reauth":
 *   proc.put   after each change of its state: identity, state, times
 *              (as seconds from now: the nodes' clocks need not agree),
 *              what it waits for, epoch;
 *   proc.done  when it ended: outcome and reason;
 *   proc.sessions  when it de-registers: the usrloc keys of the set,
 *              whose calls every node ends through its own dialog module.
 * and sends to one node:
 *   proc.start a trigger taken on a node that does not hold the user's
 *              subscriptions, to the node that does (answered 200, or
 *              the trigger's refusal: 409, 404...);
 *   proc.event an authenticated re-REGISTER of the set saved on a node
 *              that holds a replica, to the owner.
 * Every other node keeps a replica (reauth_procrec_t.owner != 0): in the
 * index, so that a second trigger anywhere is refused (409), listed by
 * reauth.list with its owner, never acted on until a takeover
 * (reauth_takeover.c) makes it this node's.
 */

#ifndef _REAUTH_PROC_REPLICA_H_
#define _REAUTH_PROC_REPLICA_H_

#include "reauth_proc.h"
#include "reauth_queue.h"

/* mod_init, after reauth_dmq_init: the id tag, the proc.* handler */
int reauth_proc_replica_init(void);

/* the owner's worker, no lock held; nothing when dmq is 0 */
void reauth_proc_replica_put(reauth_procrec_t *rec, const reauth_proc_t *core);
/* the same put to the peer in slot only (a peer that came up) */
void reauth_proc_replica_put_to(
		reauth_procrec_t *rec, const reauth_proc_t *core, int slot);
void reauth_proc_replica_done(reauth_procrec_t *rec, const reauth_proc_t *core);
/* a replica's worker: the trigger to its owner (proc.start); a refusal
 * drops the replica */
void reauth_proc_replica_forward(reauth_procrec_t *rec);
/* a replica's worker: an (authenticated) re-REGISTER of aor to the owner */
void reauth_proc_replica_event(reauth_procrec_t *rec, str *aor, int authenticated);

/* the owner's worker, de-registering: every peer ends the calls of the
 * set's identities that its own dialog module holds (proc.sessions) */
void reauth_proc_replica_sessions(reauth_procrec_t *rec);

/* the worker's side of a received proc.put/done/sessions
 * (REAUTH_JOB_PROC_REPLICA; reauth_proc_replica_recv.c) */
void reauth_proc_replica_on_job(reauth_job_t *job);

#endif
