/*
 * reauth module - batched DB writes: rows wait in pkg memory, one
 * transaction writes them
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Why: a write used to happen at once, under the subscription's bucket
 * lock, and with sqlite every commit is a few fsyncs. Now the notifier
 * copies the row (cheap, allowed under the lock), and the worker loop
 * writes what gathered after each burst of jobs or on its tick: no DB I/O
 * under a lock, one commit for many changes, and a broken store keeps
 * the rows for later instead of losing them or blocking.
 *
 * The batch belongs to the process that fills it; each row is keyed by
 * (table, id), so a later put or delete replaces the earlier one. A
 * subscription's row is written whole (delete + insert): the batch needs
 * no idea of what the DB already holds.
 */

#include <string.h>
#include <time.h>

#include "core/dprint.h"
#include "core/mem/mem.h"

#include "reauth_db.h"
#include "reauth_stats.h"
#include "reauth_str.h"

/* subscription puts stop here (a refused one stays dirty and is put
 * again on the tick); procedures and deletes, which nothing would put
 * again, may use the room up to BATCH_HARD */
#define BATCH_MAX 1024
#define BATCH_HARD (2 * BATCH_MAX)
#define BATCH_HASH 4096 /* power of two above BATCH_HARD */
/* write whatever the mode once the batch is this full */
#define BATCH_HIGH (BATCH_MAX / 2)
/* write-through: a change waits at most that long (ms) for others to
 * share its commit (a commit is some fsyncs: group commit) */
#ifndef REAUTH_DB_GROUP_MS
#define REAUTH_DB_GROUP_MS 20
#endif
/* a failing store is tried again after 1, 2, 4... up to this (s) */
#define RETRY_MAX 8
/* while it keeps failing, one log line that often (s) */
#define WARN_EVERY 60

typedef struct brow
{
	unsigned int id;
	short proc; /* 0: reauth_subscription, 1: reauth_procedure */
	short del;
	int next;  /* hash chain (index), -1 */
	char *buf; /* pkg: the strings of sub or identity */
	reauth_sub_data_t sub;
	str identity;
	reauth_proc_t core;
} brow_t;

static brow_t *rows = NULL;
static int *heads = NULL;
static int nrows = 0, cap = 0;
static long long first_ms; /* when the batch's oldest change came */

static struct
{
	int failing;		 /* the last flush failed */
	int backoff;		 /* s until the next try */
	time_t retry_at;	 /* no try before */
	time_t warned;		 /* last "still failing" line */
	unsigned long tries; /* failed flushes since it started failing */
	int refused;		 /* a put was refused since the last flush */
} st;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned int row_hash(int proc, unsigned int id)
{
	return (id * 2u + (unsigned int)proc) & (BATCH_HASH - 1);
}

/* the row of (proc, id): the one in the batch, or a new one (NULL when
 * the batch may not grow to limit) */
static brow_t *row_get(int proc, unsigned int id, int limit)
{
	unsigned int h = row_hash(proc, id);
	brow_t *grown;
	int i;

	if(heads == NULL) {
		heads = pkg_malloc(BATCH_HASH * sizeof(int));
		if(heads == NULL) {
			PKG_MEM_ERROR;
			return NULL;
		}
		memset(heads, 0xff, BATCH_HASH * sizeof(int)); /* all -1 */
	}
	for(i = heads[h]; i >= 0; i = rows[i].next)
		if(rows[i].id == id && rows[i].proc == proc)
			return &rows[i];
	if(nrows >= limit)
		return NULL;
	if(nrows == cap) {
		grown = pkg_realloc(rows, (cap ? cap * 2 : 64) * sizeof(brow_t));
		if(grown == NULL) {
			PKG_MEM_ERROR;
			return NULL;
		}
		rows = grown;
		cap = cap ? cap * 2 : 64;
	}
	if(nrows == 0)
		first_ms = now_ms();
	memset(&rows[nrows], 0, sizeof(brow_t));
	rows[nrows].id = id;
	rows[nrows].proc = (short)proc;
	rows[nrows].next = heads[h];
	heads[h] = nrows;
	return &rows[nrows++];
}

static void refused(const char *what, unsigned int id)
{
	reauth_stats_add(REAUTH_STAT_DB_ERRORS, 1);
	if(st.refused)
		return;
	st.refused = 1;
	LM_ERR("reauth DB write failed: batch full (%d rows waiting for the"
		   " store), %s %u not kept: a subscription is written at the next"
		   " tick, a procedure at its next change\n",
			nrows, what, id);
}

/* replace row r's content with buf (r->buf freed) */
static void row_set_buf(brow_t *r, char *buf, int del)
{
	if(r->buf)
		pkg_free(r->buf);
	r->buf = buf;
	r->del = (short)del;
}

int reauth_db_sub_put(reauth_sub_t *sub)
{
	reauth_sub_data_t d;
	brow_t *r;
	char *buf;

	if((buf = reauth_sub_copy(sub, &d)) == NULL) {
		refused("subscription", sub->id);
		return -1;
	}
	if((r = row_get(0, sub->id, BATCH_MAX)) == NULL) {
		pkg_free(buf);
		refused("subscription", sub->id);
		return -1;
	}
	row_set_buf(r, buf, 0);
	r->sub = d;
	/* the batch has it now: kept until written, whatever the store does */
	sub->dirty = 0;
	sub->in_db = 1;
	return 0;
}

static int row_del(int proc, unsigned int id)
{
	brow_t *r = row_get(proc, id, BATCH_HARD);

	if(r == NULL) {
		refused(proc ? "deletion of procedure" : "deletion of subscription",
				id);
		return -1;
	}
	row_set_buf(r, NULL, 1);
	return 0;
}

int reauth_db_sub_del(unsigned int id)
{
	return row_del(0, id);
}

int reauth_db_proc_del(unsigned int id)
{
	return row_del(1, id);
}

int reauth_db_proc_put(unsigned int id, str *identity, reauth_proc_t *core)
{
	brow_t *r;
	char *buf, *p;

	if((buf = pkg_malloc(identity->len + 1)) == NULL) {
		PKG_MEM_ERROR;
		refused("procedure", id);
		return -1;
	}
	if((r = row_get(1, id, BATCH_HARD)) == NULL) {
		pkg_free(buf);
		refused("procedure", id);
		return -1;
	}
	row_set_buf(r, buf, 0);
	p = buf;
	reauth_str_pack(&r->identity, identity, &p);
	r->core = *core;
	return 0;
}

/* a failing store is tried again on the tick only (after its backoff) */
int reauth_db_flush_due(void)
{
	if(nrows == 0 || st.failing)
		return 0;
	if(nrows >= BATCH_HIGH)
		return 1;
	return reauth_db_mode == REAUTH_DB_WRITE_THROUGH
		   && now_ms() - first_ms >= REAUTH_DB_GROUP_MS;
}

int reauth_db_flush_in(int max_ms)
{
	long long left;

	if(nrows == 0 || st.failing || reauth_db_mode != REAUTH_DB_WRITE_THROUGH)
		return max_ms;
	left = REAUTH_DB_GROUP_MS - (now_ms() - first_ms);
	if(left <= 0)
		return 0;
	return left < max_ms ? (int)left : max_ms;
}

static int row_write(brow_t *r)
{
	if(r->del)
		return reauth_db_row_del(r->proc, r->id);
	if(r->proc)
		return reauth_db_row_proc(r->id, &r->identity, &r->core);
	return reauth_db_row_sub(&r->sub);
}

static void batch_clear(void)
{
	int i;

	for(i = 0; i < nrows; i++)
		if(rows[i].buf)
			pkg_free(rows[i].buf);
	nrows = 0;
	if(heads)
		memset(heads, 0xff, BATCH_HASH * sizeof(int));
}

static void flush_failed(time_t now)
{
	reauth_stats_add(REAUTH_STAT_DB_ERRORS, 1);
	st.tries++;
	if(!st.failing) {
		st.failing = 1;
		st.backoff = 1;
		st.warned = now;
		LM_ERR("reauth DB write failed: %d rows kept in memory and tried"
			   " again every few seconds (is the store read-only, full or"
			   " gone?); they are lost if Kamailio stops before\n",
				nrows);
	} else {
		st.backoff = st.backoff * 2 > RETRY_MAX ? RETRY_MAX : st.backoff * 2;
		if(now - st.warned >= WARN_EVERY) {
			st.warned = now;
			LM_ERR("reauth DB write still failing: %d rows waiting, %lu"
				   " failed tries\n",
					nrows, st.tries);
		}
	}
	st.retry_at = now + st.backoff;
}

int reauth_db_flush(void)
{
	time_t now;
	int i, rc;

	if(nrows == 0 || reauth_db_mode == REAUTH_DB_NONE)
		return 0;
	now = time(NULL);
	if(st.failing && now < st.retry_at)
		return -1;
	rc = reauth_db_tx_begin();
	for(i = 0; rc == 0 && i < nrows; i++)
		rc = row_write(&rows[i]);
	if(rc == 0)
		rc = reauth_db_tx_end(1);
	if(rc < 0) {
		reauth_db_tx_end(0);
		flush_failed(now);
		return -1;
	}
	if(st.failing)
		LM_NOTICE("reauth DB writable again: %d rows written after %lu"
				  " failed tries\n",
				nrows, st.tries);
	else
		LM_DBG("%d rows written in one transaction\n", nrows);
	memset(&st, 0, sizeof(st));
	batch_clear();
	return 0;
}
