/*
 * reauth module - the DB writer process: writes the workers' batches
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Why a process of its own: a commit is some fsyncs and, with Kamailio's
 * db_sqlite, a parse of every statement. Done by a worker, it held up the
 * NOTIFYs of every user behind it (trigger to NOTIFY p99 9 ms at 2000
 * triggers/s, 3.6 ms without a DB). Each worker now gathers its rows
 * (reauth_db_batch.c) and, when its mailbox is empty, hands them over in
 * one shm block; this process writes the block in one transaction. While
 * it writes, or while the store fails, the worker's next rows gather in
 * its batch, where a later change of a row replaces the earlier one.
 */

#include <errno.h>
#include <semaphore.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/dprint.h"
#include "core/locking.h"
#include "core/mem/shm_mem.h"

#include "reauth_db.h"
#include "reauth_db_writer.h"
#include "reauth_prio.h"
#include "reauth_stats.h"

/* a failing store is tried again after 1, 2, 4... up to this (s) */
#define RETRY_MAX 8
/* while it keeps failing, one log line that often (s) */
#define WARN_EVERY 60

typedef struct mailboxes
{
	gen_lock_t lock;
	sem_t wake; /* one post per block handed over */
	int n;
	reauth_db_block_t *block[]; /* per worker: NULL or held by the writer */
} mailboxes_t;

static mailboxes_t *boxes = NULL;

int reauth_db_writer_init(int shards)
{
	size_t len = sizeof(mailboxes_t) + shards * sizeof(reauth_db_block_t *);

	boxes = shm_malloc(len);
	if(boxes == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(boxes, 0, len);
	boxes->n = shards;
	if(lock_init(&boxes->lock) == NULL) {
		shm_free(boxes);
		boxes = NULL;
		return -1;
	}
	if(sem_init(&boxes->wake, 1, 0) < 0) {
		LM_ERR("sem_init: %s\n", strerror(errno));
		lock_destroy(&boxes->lock);
		shm_free(boxes);
		boxes = NULL;
		return -1;
	}
	return 0;
}

void reauth_db_writer_destroy(void)
{
	int i;

	if(boxes == NULL)
		return;
	for(i = 0; i < boxes->n; i++)
		if(boxes->block[i])
			shm_free(boxes->block[i]);
	sem_destroy(&boxes->wake);
	lock_destroy(&boxes->lock);
	shm_free(boxes);
	boxes = NULL;
}

int reauth_db_writer_offer(unsigned int shard, reauth_db_block_t *block)
{
	int taken = 0;

	if(boxes == NULL || shard >= (unsigned int)boxes->n)
		return -1;
	lock_get(&boxes->lock);
	if(boxes->block[shard] == NULL) {
		boxes->block[shard] = block;
		taken = 1;
	}
	lock_release(&boxes->lock);
	if(!taken)
		return -1;
	sem_post(&boxes->wake);
	return 0;
}

int reauth_db_writer_busy(unsigned int shard)
{
	/* a pointer read: a stale answer only moves a hand-over by a loop */
	return boxes == NULL || shard >= (unsigned int)boxes->n
		   || boxes->block[shard] != NULL;
}

/* the batch's rows of one table (proc 1: procedures) written whole
 * (their old row deleted, the put inserted), in chunks of ids */
static int rows_whole(reauth_db_block_t *b, int proc, int all)
{
	unsigned int ids[REAUTH_DB_DEL_MAX];
	reauth_db_row_t *r;
	int i, n = 0;

	for(i = 0; i < b->n; i++) {
		r = &b->rows[i];
		if(r->proc != proc || !(all || r->del || r->whole))
			continue;
		ids[n++] = r->id;
		if(n == REAUTH_DB_DEL_MAX) {
			if(reauth_db_rows_del(proc, ids, n) < 0)
				return -1;
			n = 0;
		}
	}
	if(reauth_db_rows_del(proc, ids, n) < 0)
		return -1;
	for(i = 0; i < b->n; i++) {
		r = &b->rows[i];
		if(r->proc != proc || r->del || !(all || r->whole))
			continue;
		if((proc ? reauth_db_row_proc(r->id, &r->identity, &r->core)
				 : reauth_db_row_sub(&r->sub))
				< 0)
			return -1;
	}
	return 0;
}

/* n rows whose integers alone changed; 1 when one of them is not in the
 * DB (the caller writes the table whole) */
static int rows_update_chunk(int proc, reauth_db_row_t **rows, int n)
{
	const reauth_sub_data_t *subs[REAUTH_DB_UPD_MAX];
	const reauth_proc_t *cores[REAUTH_DB_UPD_MAX];
	unsigned int ids[REAUTH_DB_UPD_MAX];
	int i, changed;

	if(n == 0)
		return 0;
	for(i = 0; i < n; i++) {
		subs[i] = &rows[i]->sub;
		cores[i] = &rows[i]->core;
		ids[i] = rows[i]->id;
	}
	changed = proc ? reauth_db_procs_update(ids, cores, n)
				   : reauth_db_subs_update(subs, n);
	if(changed < 0)
		return -1;
	if(changed == n)
		return 0;
	LM_WARN("reauth DB: %d of %d %s rows to update are missing: the"
			" batch's rows are written whole\n",
			n - changed, n, proc ? "procedure" : "subscription");
	return 1;
}

/* the batch's rows of one table: whole where they must be, the others
 * updated, and every one whole when an update finds a row missing */
static int rows_write(reauth_db_block_t *b, int proc)
{
	reauth_db_row_t *chunk[REAUTH_DB_UPD_MAX];
	reauth_db_row_t *r;
	int i, n = 0, rc;

	if(!reauth_db_can_update())
		return rows_whole(b, proc, 1);
	if(rows_whole(b, proc, 0) < 0)
		return -1;
	for(i = 0; i < b->n; i++) {
		r = &b->rows[i];
		if(r->proc != proc || r->del || r->whole)
			continue;
		chunk[n++] = r;
		if(n == REAUTH_DB_UPD_MAX) {
			if((rc = rows_update_chunk(proc, chunk, n)) != 0)
				return rc < 0 ? -1 : rows_whole(b, proc, 1);
			n = 0;
		}
	}
	if((rc = rows_update_chunk(proc, chunk, n)) != 0)
		return rc < 0 ? -1 : rows_whole(b, proc, 1);
	return 0;
}

/* one transaction for the batch (it holds a row once); 0 when committed */
static int block_write(reauth_db_block_t *b)
{
	int rc;

	rc = reauth_db_tx_begin();
	if(rc == 0)
		rc = rows_write(b, 0);
	if(rc == 0)
		rc = rows_write(b, 1);
	if(rc == 0)
		rc = reauth_db_tx_end(1);
	if(rc < 0)
		reauth_db_tx_end(0);
	return rc;
}

static struct
{
	int failing;		 /* the last write failed */
	int backoff;		 /* s until the next try */
	time_t retry_at;	 /* no try before */
	time_t warned;		 /* last "still failing" line */
	unsigned long tries; /* failed writes since it started failing */
} st;

static void write_failed(int rows, time_t now)
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
				rows);
	} else {
		st.backoff = st.backoff * 2 > RETRY_MAX ? RETRY_MAX : st.backoff * 2;
		if(now - st.warned >= WARN_EVERY) {
			st.warned = now;
			LM_ERR("reauth DB write still failing: %d rows waiting, %lu"
				   " failed tries\n",
					rows, st.tries);
		}
	}
	st.retry_at = now + st.backoff;
}

/* write every block handed over; the time of the next try when the
 * store fails, else 0 */
static time_t write_all(void)
{
	reauth_db_block_t *b;
	time_t now;
	int i;

	for(i = 0; i < boxes->n; i++) {
		b = boxes->block[i]; /* only this process clears it */
		if(b == NULL)
			continue;
		now = time(NULL);
		if(st.failing && now < st.retry_at)
			return st.retry_at;
		if(block_write(b) < 0) {
			write_failed(b->n, now);
			return st.retry_at;
		}
		if(st.failing)
			LM_NOTICE("reauth DB writable again: %d rows written after %lu"
					  " failed tries\n",
					b->n, st.tries);
		else
			LM_DBG("%d rows written in one transaction\n", b->n);
		memset(&st, 0, sizeof(st));
		lock_get(&boxes->lock);
		boxes->block[i] = NULL;
		lock_release(&boxes->lock);
		shm_free(b);
	}
	return 0;
}

void reauth_db_writer_loop(int nice_value)
{
	struct timespec ts;
	time_t retry_at = 0;

	reauth_lower_priority(nice_value, "reauth DB writer");
	if(reauth_db_child_init() < 0)
		LM_ERR("reauth DB writer: no connection yet (tried again at each"
			   " write)\n");
	LM_INFO("reauth DB writer started\n");
	for(;;) {
		clock_gettime(CLOCK_REALTIME, &ts);
		/* a failing store: no block comes while the old ones are held */
		ts.tv_sec += retry_at > ts.tv_sec ? retry_at - ts.tv_sec : 1;
		if(sem_timedwait(&boxes->wake, &ts) < 0 && errno != ETIMEDOUT
				&& errno != EINTR)
			LM_ERR("reauth DB writer: sem_timedwait: %s\n", strerror(errno));
		retry_at = write_all();
	}
}
