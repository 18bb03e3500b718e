/*
 * reauth module - one shared memory table helper
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Subscriptions, procedures and sessions live in tables of this kind:
 * a power-of-two number of buckets, one lock per bucket, records linked
 * into the bucket of their hash. A record embeds reauth_tentry_t as its
 * first member. Whoever owns a table chooses the hash: the subscribed
 * identity's for subscriptions (the id travels with it in rsub=), the id
 * itself for procedures (the bucket is part of the id), the identity's
 * for sessions. Lookup by (hash, id) touches one bucket.
 *
 * Rules: no I/O while a bucket is locked; never two buckets locked at
 * once (copy out under one lock, act after releasing it).
 */

#ifndef _REAUTH_TABLE_H_
#define _REAUTH_TABLE_H_

#include "core/atomic_ops.h"
#include "core/locking.h"

typedef struct reauth_tentry
{
	struct reauth_tentry *next;
	struct reauth_tentry *prev;
	unsigned int hash;
	unsigned int id;
} reauth_tentry_t;

typedef struct reauth_tbucket
{
	reauth_tentry_t *first;
	gen_lock_t lock;
	/* a hint for the owner's periodic walk: no record of the bucket needs
	 * it before this time (s; 0: now). Lowered, bucket locked, by whoever
	 * gives a record an earlier deadline (reauth_table_due); set by the
	 * walk to what it found. With futex locks it fits the padding: a
	 * bucket stays 16 bytes */
	unsigned int due;
} reauth_tbucket_t;

typedef struct reauth_table
{
	unsigned int size; /* buckets, a power of two */
	atomic_t next_id;
	atomic_t count;
	reauth_tbucket_t b[];
} reauth_table_t;

/* size is rounded up to a power of two (at most 2^20); NULL on error */
reauth_table_t *reauth_table_new(unsigned int size);
/* frees every record with free_entry, then the table */
void reauth_table_destroy(
		reauth_table_t *t, void (*free_entry)(reauth_tentry_t *));

static inline unsigned int reauth_table_idx(reauth_table_t *t, unsigned int h)
{
	return h & (t->size - 1);
}

static inline void reauth_table_lock(reauth_table_t *t, unsigned int hash)
{
	lock_get(&t->b[reauth_table_idx(t, hash)].lock);
}

static inline void reauth_table_unlock(reauth_table_t *t, unsigned int hash)
{
	lock_release(&t->b[reauth_table_idx(t, hash)].lock);
}

/* first record of the bucket of hash (locked), then e->next */
static inline reauth_tentry_t *reauth_table_first(
		reauth_table_t *t, unsigned int hash)
{
	return t->b[reauth_table_idx(t, hash)].first;
}

/* a new id, never 0, never given before by this table */
unsigned int reauth_table_new_id(reauth_table_t *t);
/* an id given elsewhere (loaded from the DB): later ids come after it */
void reauth_table_seen_id(reauth_table_t *t, unsigned int id);

/* link / unlink a record, its bucket locked by the caller */
void reauth_table_link(reauth_table_t *t, reauth_tentry_t *e);
void reauth_table_unlink(reauth_table_t *t, reauth_tentry_t *e);
/* the record (hash, id) in its locked bucket, or NULL */
reauth_tentry_t *reauth_table_find(
		reauth_table_t *t, unsigned int hash, unsigned int id);

/* a record of the bucket of hash (locked) needs the walk at time at (s;
 * 0: at once) */
static inline void reauth_table_due(
		reauth_table_t *t, unsigned int hash, unsigned int at)
{
	reauth_tbucket_t *b = &t->b[reauth_table_idx(t, hash)];

	if(at < b->due)
		b->due = at;
}

static inline int reauth_table_count(reauth_table_t *t)
{
	return t ? atomic_get(&t->count) : 0;
}

#endif
