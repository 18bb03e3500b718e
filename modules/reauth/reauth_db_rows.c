/*
 * reauth module - the DB writer's statements: one transaction, rows
 * deleted, inserted and updated
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Called by the DB writer process only (reauth_db_writer.c), on its own
 * connection (reauth_db.c opens it).
 */

#include <stdlib.h>
#include <string.h>

#include "core/dprint.h"
#include "lib/srdb1/db.h"

#include "pure/sqlbulk.h"
#include "pure/subscribe.h"

#include "reauth_db.h"
#include "reauth_db_con.h"

/* ------------------------------------------------------- one transaction */

int reauth_db_tx_begin(void)
{
	if(reauth_dbh == NULL && reauth_db_child_init() < 0)
		return -1;
	if(reauth_dbf.start_transaction)
		return reauth_dbf.start_transaction(reauth_dbh, DB_LOCKING_NONE) < 0
					   ? -1
					   : 0;
	if(!DB_CAPABILITY(reauth_dbf, DB_CAP_RAW_QUERY))
		return 0; /* no transactions: each statement commits alone */
	/* IMMEDIATE: the write lock now (waiting busy_timeout for it), not at
	 * the first write, where two writers could only give up */
	return reauth_db_raw(
			reauth_db_is_sqlite() ? "BEGIN IMMEDIATE" : "BEGIN", NULL, 0);
}

int reauth_db_tx_end(int commit)
{
	if(reauth_dbh == NULL)
		return -1;
	if(reauth_dbf.start_transaction) {
		if(commit)
			return reauth_dbf.end_transaction(reauth_dbh) < 0 ? -1 : 0;
		reauth_dbf.abort_transaction(reauth_dbh);
		return 0;
	}
	if(!DB_CAPABILITY(reauth_dbf, DB_CAP_RAW_QUERY))
		return 0;
	if(commit)
		return reauth_db_raw("COMMIT", NULL, 0);
	/* sqlite may have rolled back already after an I/O error: no matter */
	reauth_db_raw("ROLLBACK", NULL, 0);
	return 0;
}

static int row_del(int proc, unsigned int id)
{
	db_key_t keys[1] = {&reauth_col_id};
	db_val_t vals[1];

	memset(vals, 0, sizeof(vals));
	set_int(&vals[0], (int)id);
	if(reauth_dbf.use_table(
			   reauth_dbh, proc ? &reauth_proc_table : &reauth_sub_table)
					< 0
			|| reauth_dbf.delete(reauth_dbh, keys, 0, vals, 1) < 0)
		return -1;
	return 0;
}

/* column and table names as pure/sqlbulk takes them */
#define BULK_NAME_MAX 64
static sqlbulk_name_t bulk_name(const str *s)
{
	sqlbulk_name_t n = {s->s, s->len};

	return n;
}

int reauth_db_rows_del(int proc, const unsigned int *ids, int n)
{
	static char sql[SQLBULK_DELETE_MAX(BULK_NAME_MAX, REAUTH_DB_DEL_MAX)];
	str *table = proc ? &reauth_proc_table : &reauth_sub_table;
	int i;

	if(n <= 0)
		return 0;
	if(n > REAUTH_DB_DEL_MAX || !DB_CAPABILITY(reauth_dbf, DB_CAP_RAW_QUERY)
			|| table->len > BULK_NAME_MAX
			|| reauth_col_id.len > BULK_NAME_MAX) {
		for(i = 0; i < n; i++)
			if(row_del(proc, ids[i]) < 0)
				return -1;
		return 0;
	}
	if(sqlbulk_delete_in(sql, sizeof(sql), bulk_name(table),
			   bulk_name(&reauth_col_id), ids, n)
			< 0) {
		LM_BUG("DELETE of %d rows does not fit\n", n);
		return -1;
	}
	return reauth_db_raw(sql, NULL, 0);
}

/* Rows already in the DB whose integers alone changed (a NOTIFY's
 * version and CSeq, a procedure's step): one UPDATE for up to
 * REAUTH_DB_UPD_MAX rows, each column a CASE on the id, costs a third of
 * as many inserts (sqlite). */
#define UPD_COLS_MAX 7

int reauth_db_can_update(void)
{
	return reauth_dbh != NULL && DB_CAPABILITY(reauth_dbf, DB_CAP_RAW_QUERY)
		   && (reauth_dbf.affected_rows != NULL || reauth_db_is_sqlite());
}

/* rows the last statement changed, -1 when unknown */
static int changed_rows(void)
{
	str q = str_init("SELECT changes()");
	db1_res_t *res = NULL;
	db_val_t *v;
	int n = -1;

	if(reauth_dbf.affected_rows)
		return reauth_dbf.affected_rows(reauth_dbh);
	if(reauth_dbf.raw_query(reauth_dbh, &q, &res) == 0 && res
			&& RES_ROW_N(res) > 0 && RES_COL_N(res) > 0) {
		v = &ROW_VALUES(&RES_ROWS(res)[0])[0];
		if(VAL_NULL(v))
			n = -1;
		else if(VAL_TYPE(v) == DB1_INT)
			n = VAL_INT(v);
		else if(VAL_TYPE(v) == DB1_BIGINT)
			n = (int)VAL_BIGINT(v);
		else if(VAL_TYPE(v) == DB1_STRING && VAL_STRING(v))
			n = atoi(VAL_STRING(v));
	}
	if(res)
		reauth_dbf.free_result(reauth_dbh, res);
	return n;
}

/* vals: n rows of ncols integers, in the order of cols */
static int rows_update(str *table, str **cols, int ncols,
		const unsigned int *ids, const int *vals, int n)
{
	static char sql[SQLBULK_UPDATE_MAX(
			BULK_NAME_MAX, UPD_COLS_MAX, REAUTH_DB_UPD_MAX)];
	sqlbulk_name_t names[UPD_COLS_MAX];
	int c;

	if(n <= 0)
		return 0;
	if(n > REAUTH_DB_UPD_MAX || ncols > UPD_COLS_MAX
			|| table->len > BULK_NAME_MAX || reauth_col_id.len > BULK_NAME_MAX)
		return -1;
	for(c = 0; c < ncols; c++) {
		if(cols[c]->len > BULK_NAME_MAX)
			return -1;
		names[c] = bulk_name(cols[c]);
	}
	if(sqlbulk_update_case(sql, sizeof(sql), bulk_name(table),
			   bulk_name(&reauth_col_id), names, ncols, ids, vals, n)
			< 0) {
		LM_BUG("UPDATE of %d rows does not fit\n", n);
		return -1;
	}
	if(reauth_db_raw(sql, NULL, 0) < 0)
		return -1;
	return changed_rows();
}

int reauth_db_subs_update(const reauth_sub_data_t *const *subs, int n)
{
	str *cols[] = {&reauth_col_kind, &reauth_col_loc_cseq, &reauth_col_rem_cseq,
			&reauth_col_version, &reauth_col_expires};
	unsigned int ids[REAUTH_DB_UPD_MAX];
	int vals[REAUTH_DB_UPD_MAX * 5], i;

	if(n > REAUTH_DB_UPD_MAX)
		return -1;
	for(i = 0; i < n; i++) {
		ids[i] = subs[i]->id;
		vals[i * 5 + 0] = subs[i]->kind;
		vals[i * 5 + 1] = (int)subs[i]->loc_cseq;
		vals[i * 5 + 2] = (int)subs[i]->rem_cseq;
		vals[i * 5 + 3] = (int)subs[i]->version;
		vals[i * 5 + 4] = (int)subs[i]->expires;
	}
	return rows_update(&reauth_sub_table, cols, 5, ids, vals, n);
}

int reauth_db_procs_update(
		const unsigned int *ids, const reauth_proc_t *const *cores, int n)
{
	str *cols[] = {&reauth_col_state, &reauth_col_reason, &reauth_col_started,
			&reauth_col_deadline, &reauth_col_notify_pending,
			&reauth_col_refer_pending, &reauth_col_contacts};
	int vals[REAUTH_DB_UPD_MAX * 7], i;

	if(n > REAUTH_DB_UPD_MAX)
		return -1;
	for(i = 0; i < n; i++) {
		vals[i * 7 + 0] = (int)cores[i]->state;
		vals[i * 7 + 1] = (int)cores[i]->reason;
		vals[i * 7 + 2] = (int)cores[i]->started;
		vals[i * 7 + 3] = (int)cores[i]->deadline;
		vals[i * 7 + 4] = (int)cores[i]->notify_pending;
		vals[i * 7 + 5] = (int)cores[i]->refer_pending;
		vals[i * 7 + 6] = (int)cores[i]->contacts;
	}
	return rows_update(&reauth_proc_table, cols, 7, ids, vals, n);
}

/* A row written whole: the writer deletes the old row first
 * (reauth_db_rows_del), in the batch's transaction; every driver has
 * delete and insert. */
int reauth_db_row_sub(const reauth_sub_data_t *d)
{
	db_key_t keys[SUB_COLS] = {&reauth_col_id, &reauth_col_aor,
			&reauth_col_identity, &reauth_col_watcher, &reauth_col_callid,
			&reauth_col_rem_tag, &reauth_col_loc_tag, &reauth_col_rem_target,
			&reauth_col_route_set, &reauth_col_loc_contact, &reauth_col_socket,
			&reauth_col_kind, &reauth_col_loc_cseq, &reauth_col_rem_cseq,
			&reauth_col_version, &reauth_col_expires, &reauth_col_event};
	db_val_t vals[SUB_COLS];
	reauth_sub_data_t c = *d;
	str ev;

	memset(vals, 0, sizeof(vals));
	set_int(&vals[0], (int)c.id);
	set_str(&vals[1], &c.aor);
	set_str(&vals[2], &c.identity);
	set_str(&vals[3], &c.watcher);
	set_str(&vals[4], &c.callid);
	set_str(&vals[5], &c.rem_tag);
	set_str(&vals[6], &c.loc_tag);
	set_str(&vals[7], &c.rem_target);
	set_str(&vals[8], &c.route_set);
	set_str(&vals[9], &c.loc_contact);
	set_str(&vals[10], &c.socket);
	set_int(&vals[11], c.kind);
	set_int(&vals[12], (int)c.loc_cseq);
	set_int(&vals[13], (int)c.rem_cseq);
	set_int(&vals[14], (int)c.version);
	set_int(&vals[15], (int)c.expires);
	ev.s = (char *)sub_event_name(c.event);
	ev.len = strlen(ev.s);
	set_str(&vals[16], &ev);
	if(reauth_dbf.use_table(reauth_dbh, &reauth_sub_table) < 0)
		return -1;
	return reauth_dbf.insert(reauth_dbh, keys, vals, SUB_COLS) < 0 ? -1 : 0;
}

int reauth_db_row_proc(
		unsigned int id, const str *identity, const reauth_proc_t *core)
{
	db_key_t keys[PROC_COLS] = {&reauth_col_id, &reauth_col_identity,
			&reauth_col_state, &reauth_col_reason, &reauth_col_started,
			&reauth_col_deadline, &reauth_col_notify_pending,
			&reauth_col_refer_pending, &reauth_col_contacts};
	db_val_t vals[PROC_COLS];
	str ident = *identity;

	memset(vals, 0, sizeof(vals));
	set_int(&vals[0], (int)id);
	set_str(&vals[1], &ident);
	set_int(&vals[2], (int)core->state);
	set_int(&vals[3], (int)core->reason);
	set_int(&vals[4], (int)core->started);
	set_int(&vals[5], (int)core->deadline);
	set_int(&vals[6], (int)core->notify_pending);
	set_int(&vals[7], (int)core->refer_pending);
	set_int(&vals[8], (int)core->contacts);
	if(reauth_dbf.use_table(reauth_dbh, &reauth_proc_table) < 0)
		return -1;
	return reauth_dbf.insert(reauth_dbh, keys, vals, PROC_COLS) < 0 ? -1 : 0;
}
