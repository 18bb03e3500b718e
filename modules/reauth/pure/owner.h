/*
 * reauth module - who acts for a record in a pool of nodes
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Pure functions of doc/cluster-replication.md: no I/O, no allocation,
 * no clock (time is given by the caller).
 *
 * - Rendezvous (highest random weight) hashing: a record's key (a
 *   subscription id, the identity of a procedure) is owned by the live
 *   node whose weight(key, node) is the highest. Every node that sees the
 *   same live nodes computes the same owner without a message, and when a
 *   node goes, only its keys move (each to the next best of the others).
 * - Liveness: a peer is up while its last hello is younger than the
 *   timeout.
 * - Epochs: every record carries (owner, epoch); the epoch is raised at
 *   each change of owner. A replica accepts a message of the current
 *   epoch from the owner, adopts a newer epoch (the record changed
 *   owner), and ignores an older one or one from a node that is not the
 *   owner at that epoch (fencing). A claim of a dead owner's record is the
 *   conditional update "owner = me, epoch = e + 1 where owner = dead and
 *   epoch = e": one row updated means the claim won.
 */

#ifndef _REAUTH_CORE_OWNER_H_
#define _REAUTH_CORE_OWNER_H_

#include <stddef.h>
#include <stdint.h>

/* a node of the pool as the glue sees it (addr: its DMQ server_address) */
typedef struct owner_node
{
	const char *addr;
	size_t len;
	int alive; /* non-zero: counted by owner_pick() */
} owner_node_t;

/* the weight of node for key: a 64-bit mix of both, stable across
 * processes, hosts and runs (no seed, no pointer) */
uint64_t owner_weight(
		const char *key, size_t klen, const char *node, size_t nlen);

/* index in nodes[] of the live node that owns key, -1 when none is alive
 * (or key/nodes are NULL). Equal weights (practically never) are broken by
 * the lower address, so the answer never depends on the order of nodes[]. */
int owner_pick(
		const char *key, size_t klen, const owner_node_t *nodes, size_t n);

/* non-zero while a peer last heard at last_seen_ms (a clock in ms that may
 * wrap at 2^32, as Kamailio's ticks do) is up at now_ms: its silence is at
 * most timeout_ms */
int owner_peer_alive(
		uint32_t last_seen_ms, uint32_t now_ms, uint32_t timeout_ms);

/* who acts for a record, as a replica knows it */
typedef struct owner_rec
{
	const char *owner;
	size_t owner_len;
	uint64_t epoch;
} owner_rec_t;

typedef enum owner_verdict
{
	OWNER_ACCEPT = 0,	   /* the owner, at the record's epoch: apply it */
	OWNER_ADOPT,		   /* a newer epoch (or a record not known yet): the
						  * sender is the owner from now on; apply it */
	OWNER_IGNORE_STALE,	   /* an older epoch: a fenced-out owner */
	OWNER_IGNORE_NOT_OWNER /* the record's epoch, but not its owner */
} owner_verdict_t;

/* what a replica does with a message about rec (NULL: not known here)
 * sent by from at msg_epoch */
owner_verdict_t owner_check_msg(const owner_rec_t *rec, const char *from,
		size_t from_len, uint64_t msg_epoch);

/* non-zero for OWNER_ACCEPT and OWNER_ADOPT */
static inline int owner_verdict_applies(owner_verdict_t v)
{
	return v == OWNER_ACCEPT || v == OWNER_ADOPT;
}

/* What a node does with a put (a record's state as its sender has it)
 * sent by node `from` (1..: the glue's number of a peer) at msg_epoch
 * with sequence msg_seq (0: the message type has none), about a record it
 * holds: rec_owner 0 when this node runs it, else the number of the node
 * that does; rec_epoch; rec_seq, the last sequence applied. */
typedef enum owner_put
{
	OWNER_PUT_APPLY = 0, /* the owner's newer state: apply it */
	OWNER_PUT_TAKEN, /* this node's record at a newer epoch: the sender
					  * took it over while this node was away; apply,
					  * a replica from now on */
	OWNER_PUT_OWN,	 /* this node runs it: ignore */
	OWNER_PUT_STALE, /* an older epoch, or not the owner at this epoch */
	OWNER_PUT_OLD	 /* the owner's, but not newer than what was applied
					  * (reordered or repeated delivery) */
} owner_put_t;

owner_put_t owner_check_put(uint32_t rec_owner, uint32_t rec_epoch,
		uint32_t rec_seq, uint32_t from, uint32_t msg_epoch, uint32_t msg_seq);

/* the highest epoch a node has seen (announced in its hello) */
static inline uint64_t owner_epoch_max(uint64_t seen, uint64_t msg_epoch)
{
	return msg_epoch > seen ? msg_epoch : seen;
}

/* a claim: the conditional update that takes a record over */
typedef struct owner_claim
{
	const char *expect_owner; /* WHERE owner = expect_owner */
	size_t expect_owner_len;
	uint64_t expect_epoch; /* AND epoch = expect_epoch */
	uint64_t new_epoch;	   /* SET owner = self, epoch = new_epoch */
} owner_claim_t;

typedef enum owner_claim_rc
{
	OWNER_CLAIM = 0,	  /* self takes it over: *claim is filled */
	OWNER_CLAIM_NOT_DEAD, /* its owner is alive: nothing to take over */
	OWNER_CLAIM_NOT_MINE, /* another survivor is chosen by the hashing */
	OWNER_CLAIM_NO_EPOCH, /* the epoch cannot be raised (at its maximum) */
	OWNER_CLAIM_INVALID	  /* NULL or empty argument, self not alive */
} owner_claim_rc_t;

/* whether self (an index in nodes[], alive) takes over the record of key
 * held by rec: only when rec's owner is not a live node of nodes[] and the
 * rendezvous hashing over the live nodes chooses self */
owner_claim_rc_t owner_claim(const char *key, size_t klen,
		const owner_rec_t *rec, const owner_node_t *nodes, size_t n,
		size_t self, owner_claim_t *claim);

/* the outcome of a claim's conditional update: non-zero when exactly one
 * row was updated (self owns it now); otherwise self keeps a replica */
static inline int owner_claim_won(long rows_updated)
{
	return rows_updated == 1;
}

/* Subscription ids unique in the pool without a round of messages: the
 * high 8 bits are the node's tag (1..255, from its address: stable across
 * restarts), the low 24 bits its own counter. Ids stay 32-bit, so the
 * rsub=HASH.ID Contact parameter and the DB rows keep their shape; ids of
 * a single node (tag 0) are still valid. Two nodes with the same tag are
 * detectable (owner_node_tag of each hello) and reported by the glue. */
#define OWNER_SUB_ID_BITS 24
uint32_t owner_node_tag(const char *addr, size_t len);
/* the id of counter value n at tag; 0 (not an id) when n's low bits are 0 */
static inline uint32_t owner_sub_id(uint32_t tag, uint32_t n)
{
	uint32_t low = n & ((1U << OWNER_SUB_ID_BITS) - 1);

	return low == 0 ? 0 : (tag << OWNER_SUB_ID_BITS) | low;
}
static inline uint32_t owner_sub_id_tag(uint32_t id)
{
	return id >> OWNER_SUB_ID_BITS;
}

/* "bump, then send": a replica's CSeq and version only grow; a sub.seq
 * older than what the replica has (reordered delivery) changes nothing.
 * Returns non-zero when *cur was raised to msg. Compared as serial
 * numbers (RFC 1982): a counter that wrapped is still newer. */
static inline int owner_seq_advance(uint32_t *cur, uint32_t msg)
{
	if(msg == *cur || (uint32_t)(msg - *cur) > 0x7fffffffU)
		return 0;
	*cur = msg;
	return 1;
}

#endif
