/*
 * reauth module - a pool's node that goes down, comes back, restarts
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * reauth_dmq.c reports peer events; this file turns each into a
 * REAUTH_JOB_PEER job for every worker, which acts on its own shard:
 *   down      the subscriptions and pending procedures of the dead node
 *             that rendezvous hashing gives this node become its own
 *             (epoch + 1, written to its DB, put to the pool): NOTIFYs go
 *             on with the next version, deadlines fire here;
 *   up        a peer came (back) up or restarted: this node puts what it
 *             owns, so the peer learns the current state; when it took
 *             the peer's records over, it tells it so ("sync.taken");
 *   taken     this node restarted and its peers carried its records on:
 *             what it loaded from its DB at start and nobody claimed is
 *             stale (ended or moved meanwhile): dropped, rows deleted.
 */

#ifndef _REAUTH_TAKEOVER_H_
#define _REAUTH_TAKEOVER_H_

#include "reauth_queue.h"

/* mod_init, after reauth_dmq_init; nothing when dmq is 0 */
int reauth_takeover_init(void);
/* a worker's REAUTH_JOB_PEER */
void reauth_takeover_on_job(reauth_job_t *job);

#endif
