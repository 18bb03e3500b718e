/*
 * reauth module - batched DB writes: rows wait in pkg memory, the DB
 * writer process writes them in one transaction
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Why: a write used to happen at once, under the subscription's bucket
 * lock, and with sqlite every commit is a few fsyncs. Now the notifier
 * copies the row (cheap, allowed under the lock), and the worker loop
 * hands what gathered to the DB writer (reauth_db_writer.c) after each
 * burst of jobs or on its tick: no DB I/O under a lock nor in a worker,
 * one commit for many changes, and a broken store keeps the rows for
 * later instead of losing them or blocking.
 *
 * The batch belongs to the process that fills it; each row is keyed by
 * (table, id), so a later put or delete replaces the earlier one. A
 * record's first row is written whole (delete + insert); later ones,
 * whose strings cannot have changed, update its integers only (whole 0).
 */

#include <string.h>
#include <time.h>

#include "core/dprint.h"
#include "core/mem/mem.h"

#include "core/mem/shm_mem.h"

#include "reauth_db.h"
#include "reauth_db_writer.h"
#include "reauth_queue.h"
#include "reauth_stats.h"
#include "reauth_str.h"

/* subscription puts stop here (a refused one stays dirty and is put
 * again on the tick); procedures and deletes, which come in smaller
 * numbers and the first of which a busy store would see late, may use
 * the room up to BATCH_HARD */
#define BATCH_MAX 2048
#define BATCH_HARD (2 * BATCH_MAX)
#define BATCH_HASH 8192 /* power of two above BATCH_HARD */
/* write whatever the mode once the batch is this full */
#define BATCH_HIGH (BATCH_MAX / 2)
/* write-through: a change waits at most that long (ms) for others to
 * share its commit (a commit is some fsyncs: group commit) */
#ifndef REAUTH_DB_GROUP_MS
#define REAUTH_DB_GROUP_MS 20
#endif
typedef reauth_db_row_t brow_t;

static brow_t *rows = NULL;
static int *heads = NULL;
static int nrows = 0, cap = 0;
static long long first_ms; /* when the batch's oldest change came */

/* a change was refused since the last hand-over: logged once each */
static int deferred_logged, lost_logged;
static int shm_short; /* the last hand-over found no shared memory */

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

/* a change the batch has no room for: its caller keeps it (kept: the
 * record stays marked and is put again on a tick) or it is lost */
static void refused(const char *what, unsigned int id, int kept)
{
	if(kept) {
		reauth_stats_add(REAUTH_STAT_DB_DEFERRED, 1);
		if(deferred_logged)
			return;
		deferred_logged = 1;
		LM_WARN("reauth DB lags: batch full (%d rows waiting for the"
				" store), %s %u waits in memory and is put again on a"
				" tick\n",
				nrows, what, id);
		return;
	}
	reauth_stats_add(REAUTH_STAT_DB_ERRORS, 1);
	if(lost_logged)
		return;
	lost_logged = 1;
	LM_ERR("reauth DB write failed: batch full (%d rows waiting for the"
		   " store), %s %u not kept\n",
			nrows, what, id);
}

/* replace row r's content with buf of buflen bytes (r->buf freed) */
static void row_set_buf(brow_t *r, char *buf, int buflen, int del)
{
	if(r->buf)
		pkg_free(r->buf);
	r->buf = buf;
	r->buflen = buflen;
	r->del = (short)del;
}

/* the strings of a row: each points into its buf */
#define ROW_STRS 11
static void row_strs(brow_t *r, str **f)
{
	reauth_sub_data_t *d = &r->sub;
	str *all[ROW_STRS] = {&d->aor, &d->identity, &d->watcher, &d->callid,
			&d->rem_tag, &d->loc_tag, &d->rem_target, &d->route_set,
			&d->loc_contact, &d->socket, &r->identity};

	memcpy(f, all, sizeof(all));
}

/* bytes of a subscription's strings as reauth_sub_copy packs them */
static int sub_buflen(brow_t *r)
{
	str *f[ROW_STRS];
	int i, len = 0;

	row_strs(r, f);
	for(i = 0; i < ROW_STRS - 1; i++)
		len += f[i]->len + 1;
	return len;
}

int reauth_db_sub_put(reauth_sub_t *sub)
{
	reauth_sub_data_t d;
	brow_t *r;
	char *buf;

	if((buf = reauth_sub_copy(sub, &d)) == NULL) {
		refused("subscription", sub->id, 1);
		return -1;
	}
	if((r = row_get(0, sub->id, BATCH_MAX)) == NULL) {
		pkg_free(buf);
		refused("subscription", sub->id, 1);
		return -1;
	}
	if(r->buf == NULL && !r->del) /* the row's first change in this batch */
		r->fresh = r->whole = !sub->in_db;
	r->sub = d;
	row_set_buf(r, buf, sub_buflen(r), 0);
	/* the batch has it now: kept until written, whatever the store does */
	sub->dirty = 0;
	sub->in_db = 1;
	return 0;
}

static int row_del(int proc, unsigned int id, int kept)
{
	brow_t *r = row_get(proc, id, BATCH_HARD);

	if(r == NULL) {
		refused(proc ? "deletion of procedure" : "deletion of subscription", id,
				kept);
		return -1;
	}
	/* created and gone within one batch: the store never sees it */
	row_set_buf(r, NULL, 0, r->fresh ? 2 : 1);
	r->whole = 1; /* a record made again with this id is written whole */
	return 0;
}

int reauth_db_sub_del(unsigned int id)
{
	return row_del(0, id, 0);
}

int reauth_db_proc_del(unsigned int id, int retried)
{
	return row_del(1, id, retried);
}

int reauth_db_proc_put(
		unsigned int id, str *identity, reauth_proc_t *core, int in_db)
{
	brow_t *r;
	char *buf, *p;

	if((buf = pkg_malloc(identity->len + 1)) == NULL) {
		PKG_MEM_ERROR;
		refused("procedure", id, 1);
		return -1;
	}
	if((r = row_get(1, id, BATCH_HARD)) == NULL) {
		pkg_free(buf);
		refused("procedure", id, 1);
		return -1;
	}
	if(r->buf == NULL && !r->del)
		r->fresh = r->whole = !in_db;
	row_set_buf(r, buf, identity->len + 1, 0);
	p = buf;
	reauth_str_pack(&r->identity, identity, &p);
	r->core = *core;
	return 0;
}

/* while the writer holds this worker's last block, the rows gather */
int reauth_db_flush_due(void)
{
	if(nrows == 0 || reauth_db_writer_busy(reauth_my_shard))
		return 0;
	if(nrows >= BATCH_HIGH)
		return 1;
	return reauth_db_mode == REAUTH_DB_WRITE_THROUGH
		   && now_ms() - first_ms >= REAUTH_DB_GROUP_MS;
}

/* the writer's last block is looked at again that soon (ms) */
#define WRITER_POLL_MS 5

int reauth_db_flush_in(int max_ms)
{
	long long left;

	if(nrows == 0 || reauth_db_mode != REAUTH_DB_WRITE_THROUGH)
		return max_ms;
	if(reauth_db_writer_busy(reauth_my_shard))
		return max_ms < WRITER_POLL_MS ? max_ms : WRITER_POLL_MS;
	left = REAUTH_DB_GROUP_MS - (now_ms() - first_ms);
	if(left <= 0)
		return 0;
	return left < max_ms ? (int)left : max_ms;
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

static int nrows_live(void)
{
	int i, n = 0;

	for(i = 0; i < nrows; i++)
		n += rows[i].del != 2;
	return n;
}

/* the batch as one shm block: the rows, then their strings */
static reauth_db_block_t *batch_block(void)
{
	reauth_db_block_t *b;
	str *f[ROW_STRS];
	brow_t *r;
	size_t len;
	char *p;
	int i, j, k, n;

	for(i = 0, n = 0, len = sizeof(reauth_db_block_t); i < nrows; i++)
		if(rows[i].del != 2) {
			len += sizeof(brow_t) + rows[i].buflen;
			n++;
		}
	if(n == 0)
		return NULL;
	if((b = shm_malloc(len)) == NULL)
		return NULL;
	b->n = n;
	p = (char *)&b->rows[n];
	for(i = 0, k = 0; i < nrows; i++) {
		if(rows[i].del == 2)
			continue;
		r = &b->rows[k++];
		*r = rows[i];
		if(r->buf == NULL)
			continue;
		memcpy(p, rows[i].buf, rows[i].buflen);
		row_strs(r, f);
		for(j = 0; j < ROW_STRS; j++)
			if(f[j]->s >= rows[i].buf
					&& f[j]->s <= rows[i].buf + rows[i].buflen)
				f[j]->s = p + (f[j]->s - rows[i].buf);
		r->buf = p;
		p += rows[i].buflen;
	}
	return b;
}

int reauth_db_flush(void)
{
	reauth_db_block_t *b;

	if(nrows == 0 || reauth_db_mode == REAUTH_DB_NONE)
		return 0;
	if(reauth_db_writer_busy(reauth_my_shard))
		return -1; /* kept: handed over once the writer is done */
	if(nrows_live() == 0) {
		batch_clear(); /* every row cancelled out */
		return 0;
	}
	if((b = batch_block()) == NULL) {
		if(!shm_short)
			LM_ERR("reauth DB: no shared memory to hand %d rows to the"
				   " writer: kept, tried again\n",
					nrows);
		shm_short = 1;
		first_ms = now_ms(); /* the next try after a group interval */
		return -1;
	}
	shm_short = 0;
	if(reauth_db_writer_offer(reauth_my_shard, b) < 0) {
		shm_free(b);
		return -1;
	}
	deferred_logged = lost_logged = 0;
	batch_clear();
	return 0;
}
