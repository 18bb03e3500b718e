/*
 * reauth module - walks over a worker's subscriptions for the pool:
 * take a dead node's over, resend this node's own, drop stale ones
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_REPLICA_WALK_H_
#define _REAUTH_REPLICA_WALK_H_

/* Walk the subscriptions of the worker's shard (no lock held by the
 * caller; sub.put sent after each bucket's lock):
 *   REAUTH_WALK_ADOPT   replicas of peers that are down (the peer in slot
 *                       went down; a survivor chosen before may have died
 *                       since) that this node takes over (rendezvous
 *                       hashing over the nodes up): its own from now on,
 *                       epoch + 1, on this node's socket, put;
 *   REAUTH_WALK_RESEND  this node's own: put to the pool (a peer came up);
 *   REAUTH_WALK_DROP    own and loaded from the DB at start, the peers
 *                       took them over meanwhile: removed, row deleted.
 * Returns how many were taken. */
#define REAUTH_WALK_ADOPT 0
#define REAUTH_WALK_RESEND 1
#define REAUTH_WALK_DROP 2
int reauth_replica_walk(unsigned int shard, int op, int slot);

#endif
