/*
 * reauth module - subscriptions replicated to the pool's nodes over DMQ
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * With modparam dmq 1, the owner of a subscription (the node that took
 * its initial SUBSCRIBE) broadcasts over the DMQ peer "reauth":
 *   sub.put  on create and refresh: the whole row, owner and epoch;
 *   sub.seq  before each NOTIFY ("bump, then send"): its CSeq and the
 *            next version, as the owner's record has them now;
 *   sub.del  when the subscription goes;
 * and a node that gets an in-dialog SUBSCRIBE of a replica hands it to
 * the owner (sub.refresh), which notifies.
 * Every other node keeps a replica (reauth_sub_t.owner != 0): never
 * notified from there, never written to its DB, removed on sub.del or at
 * its expiry; a replica whose owner is down stays (takeover is the next
 * step, doc/cluster-replication.md). The messages are sent by the
 * module's workers after the bucket lock is released; received ones are
 * checked in the dmq worker (400 when malformed) and applied as a job of
 * the worker of the user's shard, in order with the user's other jobs.
 */

#ifndef _REAUTH_REPLICA_H_
#define _REAUTH_REPLICA_H_

#include "reauth_queue.h"
#include "reauth_subs.h"

/* mod_init, after reauth_dmq_init: the id tag of this node, the handler
 * of sub.* messages; nothing when dmq is 0 */
int reauth_replica_init(void);

/* the owner's broadcasts (a worker, no lock held); d: the subscription
 * as it is now (after the bump of its CSeq and version); nothing when dmq
 * is 0 */
void reauth_replica_send_put(const reauth_sub_data_t *d);
/* the same put to the peer in slot only (a peer that came up) */
void reauth_replica_send_put_to(const reauth_sub_data_t *d, int slot);
void reauth_replica_send_seq(const reauth_sub_data_t *d);
void reauth_replica_send_del(const reauth_sub_data_t *d);

/* an in-dialog SUBSCRIBE that reached this node for a replica (any
 * process, the bucket locked): a job sends it to the owner
 * ("sub.refresh": expires seconds, 0 unsubscribes), which sends the
 * NOTIFY; 0, -1 out of memory */
int reauth_replica_forward_refresh(const reauth_sub_t *sub, int expires);

/* the worker's side of a received sub.* (REAUTH_JOB_REPLICA) */
void reauth_replica_on_job(reauth_job_t *job);

/* who owns sub, for listings: "self" or the owner's address into buf;
 * *up: the owner is up (this node: always) */
const char *reauth_replica_owner(
		const reauth_sub_t *sub, char *buf, int size, int *up);

#endif
