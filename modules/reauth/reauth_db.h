/*
 * reauth module - persistence of subscriptions through the Kamailio DB API
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_DB_H_
#define _REAUTH_DB_H_

#include "core/str.h"

#include "pure/procedure.h"
#include "reauth_subs.h"

#define REAUTH_DB_NONE 0		  /* memory only */
#define REAUTH_DB_WRITE_THROUGH 1 /* every change at once */
#define REAUTH_DB_WRITE_BACK 2	  /* changes flushed by the timer */

extern int reauth_db_mode;

/* mod_init: bind the driver, check the table, load every subscription */
int reauth_db_init(str *url);
/* mod_init, after the implicit sets: resume pending procedures */
/* a pending procedure's row; 0 when it was restored */
typedef int (*reauth_db_proc_row_f)(
		unsigned int id, str *identity, reauth_proc_t *core);
/* hands every pending procedure's row to restore (the DB layer never
 * calls into the procedure table itself) */
int reauth_db_load_procs(reauth_db_proc_row_f restore);
/* a process that writes (the notifier) opens its own connection */
int reauth_db_child_init(void);
void reauth_db_close(void);

#include "lib/srdb1/db_val.h"
/* a string column of a result row, "" for NULL */
void reauth_db_val_str(db_val_t *v, str *s);

/* Batched writes (reauth_db_batch.c). The put/del functions only copy a
 * row into this process's pending batch (pkg memory, bounded, no I/O):
 * callers may hold a bucket lock. A later put/del of the same row replaces
 * the earlier one in the batch; a row created and deleted within one
 * batch is not written at all. reauth_db_flush() hands the batch to the
 * DB writer process, which writes it in one transaction; only the process
 * that puts flushes, never under a lock. A batch that cannot be written
 * is kept and retried (reauth:db_errors counts the failures).
 * 0: in the batch; -1: not in it (batch full: counted in
 * reauth:db_deferred when the caller puts it again, else lost, db_errors).
 * reauth_db_sub_put marks the subscription written (dirty 0, in_db 1):
 * one not kept stays dirty, and the notifier's tick puts it again; a
 * procedure's put or deletion not kept is the caller's to do again. */
int reauth_db_sub_put(reauth_sub_t *sub);
int reauth_db_sub_del(unsigned int id);
/* in_db: the procedure was put before (else a delete in the same batch
 * cancels both) */
int reauth_db_proc_put(
		unsigned int id, str *identity, reauth_proc_t *core, int in_db);
/* retried: the caller tries again when it fails (the worker's tick, while
 * the record is kept): counted as deferred, not as lost */
int reauth_db_proc_del(unsigned int id, int retried);
/* is a flush due? write-through: when the oldest change waited 20 ms
 * (group commit: a burst of jobs shares one transaction); either mode:
 * when the batch is half full. Write-back: else on the tick only. */
int reauth_db_flush_due(void);
/* how long the worker may wait for a job before a flush is due, at most
 * max_ms (its wait when nothing is pending) */
int reauth_db_flush_in(int max_ms);
/* hand the batch to the DB writer now (the worker calls it on its 1 s
 * tick too); 0 when nothing is left, -1 when it is kept (the writer still
 * holds the previous one) */
int reauth_db_flush(void);

/* for the DB writer: one transaction of row writes, on this process's
 * connection (opened again when it is missing); -1 on error. A put is
 * an insert: the writer deletes the rows of a batch first, at most
 * REAUTH_DB_DEL_MAX ids of one table (proc 1: procedures) a statement. */
#define REAUTH_DB_DEL_MAX 256
int reauth_db_tx_begin(void);
int reauth_db_tx_end(int commit);
int reauth_db_rows_del(int proc, const unsigned int *ids, int n);
/* A row already in the DB whose integers alone changed: at most
 * REAUTH_DB_UPD_MAX of them in one UPDATE. Returns how many rows it
 * changed (fewer than n: some row is missing, write those rows whole),
 * -1 on error. Only where reauth_db_can_update() (the driver tells how
 * many rows a statement changed). */
#define REAUTH_DB_UPD_MAX 64
int reauth_db_can_update(void);
int reauth_db_subs_update(const reauth_sub_data_t *const *subs, int n);
int reauth_db_procs_update(
		const unsigned int *ids, const reauth_proc_t *const *cores, int n);
int reauth_db_row_sub(const reauth_sub_data_t *d);
int reauth_db_row_proc(
		unsigned int id, const str *identity, const reauth_proc_t *core);

#endif
