/*
 * reauth module - persistence of subscriptions through the Kamailio DB API
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One row per subscription in reauth_subscription and per pending
 * procedure in reauth_procedure (etc/reauth-create.sql). Rows are loaded
 * in mod_init, so a restart keeps every dialog, its CSeq and its reginfo
 * version. This file does the I/O; reauth_db_batch.c decides when: rows
 * are written in batches, one transaction each, by the worker processes.
 */

#include <string.h>

#include "core/dprint.h"
#include "core/ut.h"
#include "lib/srdb1/db.h"

#include "pure/subscribe.h"

#include "reauth_db.h"

/* 2: the event column (body_format "draft" accepts "registration-state") */
#define REAUTH_SUB_TABLE_VERSION 2
/* sqlite answers "busy" at once while another connection writes (another
 * worker, the sqlite3 shell): wait that long for its lock instead */
#define REAUTH_DB_BUSY_MS 1000

int reauth_db_mode = REAUTH_DB_WRITE_THROUGH;

static db_func_t dbf;
static db1_con_t *db_con = NULL;
static str db_url = STR_NULL;
static str sub_table = str_init("reauth_subscription");

static str col_id = str_init("id");
static str col_aor = str_init("aor");
static str col_identity = str_init("identity");
static str col_watcher = str_init("watcher");
static str col_callid = str_init("callid");
static str col_rem_tag = str_init("rem_tag");
static str col_loc_tag = str_init("loc_tag");
static str col_rem_target = str_init("rem_target");
static str col_route_set = str_init("route_set");
static str col_loc_contact = str_init("loc_contact");
static str col_socket = str_init("socket");
static str col_kind = str_init("kind");
static str col_loc_cseq = str_init("loc_cseq");
static str col_rem_cseq = str_init("rem_cseq");
static str col_version = str_init("version");
static str col_expires = str_init("expires");
static str col_event = str_init("event");

#define SUB_COLS 17

#define REAUTH_PROC_TABLE_VERSION 1
static str proc_table = str_init("reauth_procedure");
static str col_state = str_init("state");
static str col_reason = str_init("reason");
static str col_started = str_init("started");
static str col_deadline = str_init("deadline");
static str col_notify_pending = str_init("notify_pending");
static str col_refer_pending = str_init("refer_pending");
static str col_contacts = str_init("contacts");
#define PROC_COLS 9

static int is_sqlite(void);
static void sqlite_journal(void);
static void sqlite_busy(void);

static void set_str(db_val_t *v, str *s)
{
	VAL_TYPE(v) = DB1_STR;
	VAL_NULL(v) = 0;
	VAL_STR(v) = *s;
}

static void set_int(db_val_t *v, int i)
{
	VAL_TYPE(v) = DB1_INT;
	VAL_NULL(v) = 0;
	VAL_INT(v) = i;
}

void reauth_db_val_str(db_val_t *v, str *s)
{
	if(VAL_NULL(v)) {
		s->s = "";
		s->len = 0;
	} else if(VAL_TYPE(v) == DB1_STR || VAL_TYPE(v) == DB1_BLOB) {
		*s = VAL_STR(v);
	} else {
		s->s = (char *)VAL_STRING(v);
		s->len = s->s ? strlen(s->s) : 0;
	}
}

static int load_subscriptions(void)
{
	db_key_t cols[SUB_COLS] = {&col_id, &col_aor, &col_identity, &col_watcher,
			&col_callid, &col_rem_tag, &col_loc_tag, &col_rem_target,
			&col_route_set, &col_loc_contact, &col_socket, &col_kind,
			&col_loc_cseq, &col_rem_cseq, &col_version, &col_expires,
			&col_event};
	db1_res_t *res = NULL;
	reauth_sub_data_t d;
	reauth_sub_t *sub;
	db_val_t *v;
	str ev;
	int i, n = 0;

	if(dbf.use_table(db_con, &sub_table) < 0
			|| dbf.query(db_con, 0, 0, 0, cols, 0, SUB_COLS, 0, &res) < 0) {
		LM_ERR("cannot load %.*s\n", sub_table.len, sub_table.s);
		return -1;
	}
	for(i = 0; i < RES_ROW_N(res); i++) {
		v = ROW_VALUES(&RES_ROWS(res)[i]);
		memset(&d, 0, sizeof(d));
		d.id = (unsigned int)VAL_INT(&v[0]);
		reauth_db_val_str(&v[1], &d.aor);
		reauth_db_val_str(&v[2], &d.identity);
		reauth_db_val_str(&v[3], &d.watcher);
		reauth_db_val_str(&v[4], &d.callid);
		reauth_db_val_str(&v[5], &d.rem_tag);
		reauth_db_val_str(&v[6], &d.loc_tag);
		reauth_db_val_str(&v[7], &d.rem_target);
		reauth_db_val_str(&v[8], &d.route_set);
		reauth_db_val_str(&v[9], &d.loc_contact);
		reauth_db_val_str(&v[10], &d.socket);
		d.kind = VAL_INT(&v[11]);
		d.loc_cseq = (unsigned int)VAL_INT(&v[12]);
		d.rem_cseq = (unsigned int)VAL_INT(&v[13]);
		d.version = (unsigned int)VAL_INT(&v[14]);
		d.expires = (time_t)VAL_INT(&v[15]);
		reauth_db_val_str(&v[16], &ev);
		d.event = sub_event_package(ev.s, ev.len);
		if(d.event == SUB_PKG_NONE)
			d.event = SUB_PKG_REG; /* rows written before the column */
		if(d.aor.len == 0 || d.callid.len == 0) {
			LM_WARN("skipping incomplete subscription row %u\n", d.id);
			continue;
		}
		/* no other process runs yet: the lock only keeps the rule */
		reauth_subs_lock(reauth_subs_hash(&d.aor));
		sub = reauth_subs_add(&d);
		if(sub) {
			sub->in_db = 1;
			sub->dirty = 0;
			sub->loaded = 1;
		}
		reauth_subs_unlock(reauth_subs_hash(&d.aor));
		if(sub == NULL) {
			dbf.free_result(db_con, res);
			return -1;
		}
		n++;
	}
	dbf.free_result(db_con, res);
	LM_INFO("loaded %d reg event subscriptions from the DB\n", n);
	return 0;
}

int reauth_db_init(str *url)
{
	if(reauth_db_mode == REAUTH_DB_NONE)
		return 0;
	if(url->s == NULL || url->len <= 0) {
		LM_ERR("db_mode %d needs a db_url\n", reauth_db_mode);
		return -1;
	}
	db_url = *url;
	if(db_bind_mod(&db_url, &dbf) < 0) {
		LM_ERR("cannot bind a DB driver for %.*s\n", db_url.len, db_url.s);
		return -1;
	}
	if(!DB_CAPABILITY(dbf, DB_CAP_ALL)) {
		LM_ERR("the DB driver lacks query, insert, update or delete\n");
		return -1;
	}
	if((db_con = dbf.init(&db_url)) == NULL) {
		LM_ERR("cannot connect to the DB\n");
		return -1;
	}
	/* before any other process opens the file */
	if(is_sqlite()) {
		sqlite_journal();
		sqlite_busy();
	}
	if(db_check_table_version(
			   &dbf, db_con, &sub_table, REAUTH_SUB_TABLE_VERSION)
			< 0) {
		DB_TABLE_VERSION_ERROR(sub_table);
		reauth_db_close();
		return -1;
	}
	if(db_check_table_version(
			   &dbf, db_con, &proc_table, REAUTH_PROC_TABLE_VERSION)
			< 0) {
		DB_TABLE_VERSION_ERROR(proc_table);
		reauth_db_close();
		return -1;
	}
	if(load_subscriptions() < 0) {
		reauth_db_close();
		return -1;
	}
	/* forked processes open their own connection */
	reauth_db_close();
	return 0;
}

/* after the sets are loaded: each pending procedure's row to restore */
int reauth_db_load_procs(reauth_db_proc_row_f restore)
{
	db_key_t cols[PROC_COLS] = {&col_id, &col_identity, &col_state, &col_reason,
			&col_started, &col_deadline, &col_notify_pending,
			&col_refer_pending, &col_contacts};
	db1_res_t *res = NULL;
	reauth_proc_t core;
	db_val_t *v;
	str identity;
	int i, n = 0;

	if(reauth_db_mode == REAUTH_DB_NONE)
		return 0;
	if((db_con = dbf.init(&db_url)) == NULL) {
		LM_ERR("cannot connect to the DB\n");
		return -1;
	}
	if(dbf.use_table(db_con, &proc_table) < 0
			|| dbf.query(db_con, 0, 0, 0, cols, 0, PROC_COLS, 0, &res) < 0) {
		LM_ERR("cannot load %.*s\n", proc_table.len, proc_table.s);
		reauth_db_close();
		return -1;
	}
	for(i = 0; i < RES_ROW_N(res); i++) {
		v = ROW_VALUES(&RES_ROWS(res)[i]);
		memset(&core, 0, sizeof(core));
		reauth_db_val_str(&v[1], &identity);
		core.state = (reauth_proc_state_t)VAL_INT(&v[2]);
		core.reason = (reauth_proc_reason_t)VAL_INT(&v[3]);
		core.started = (long)VAL_INT(&v[4]);
		core.deadline = (long)VAL_INT(&v[5]);
		core.notify_pending = (unsigned int)VAL_INT(&v[6]);
		core.refer_pending = (unsigned int)VAL_INT(&v[7]);
		core.contacts = (unsigned int)VAL_INT(&v[8]);
		if(core.state <= RP_IDLE || core.state >= RP_DONE)
			continue;
		if(restore((unsigned int)VAL_INT(&v[0]), &identity, &core) == 0)
			n++;
	}
	dbf.free_result(db_con, res);
	reauth_db_close();
	LM_INFO("resumed %d pending re-authentication procedures\n", n);
	return 0;
}

/* ---------------------------------------------------------------- sqlite */

static int is_sqlite(void)
{
	return db_url.len >= 7 && strncmp(db_url.s, "sqlite:", 7) == 0
		   && DB_CAPABILITY(dbf, DB_CAP_RAW_QUERY);
}

/* run one statement; its first column of the first row into out (when
 * given, NUL-terminated, cut to len); -1 on error */
static int raw(const char *sql, char *out, int len)
{
	str q;
	db1_res_t *res = NULL;
	str v;
	int rc;

	q.s = (char *)sql;
	q.len = strlen(sql);
	/* db_sqlite runs a statement only when it is asked for a result */
	rc = dbf.raw_query(db_con, &q, &res);
	if(rc == 0 && out && len > 0) {
		out[0] = '\0';
		if(res && RES_ROW_N(res) > 0 && RES_COL_N(res) > 0) {
			reauth_db_val_str(&ROW_VALUES(&RES_ROWS(res)[0])[0], &v);
			if(v.len >= len)
				v.len = len - 1;
			memcpy(out, v.s, v.len);
			out[v.len] = '\0';
		}
	}
	if(res)
		dbf.free_result(db_con, res);
	return rc < 0 ? -1 : 0;
}

/* Rollback journal, not WAL. In WAL mode every connection maps the
 * shared-memory index (the -shm file) and writes to it through the
 * mapping; once the file cannot be written (read-only remount, chattr +i)
 * the kernel answers such a write with SIGBUS, and Kamailio ends the whole
 * server when one of its processes dies. A rollback journal is written
 * with write(2): a broken store then fails a transaction (an error we
 * count and retry), never a process. WAL stays in the file until changed:
 * mod_init changes it while no other process has the file open. */
static void sqlite_journal(void)
{
	char mode[16];

	if(raw("PRAGMA journal_mode", mode, sizeof(mode)) < 0) {
		LM_WARN("cannot read the journal mode of %.*s\n", db_url.len, db_url.s);
		return;
	}
	if(strcasecmp(mode, "wal") != 0)
		return;
	if(raw("PRAGMA journal_mode=DELETE", mode, sizeof(mode)) < 0
			|| strcasecmp(mode, "delete") != 0) {
		LM_WARN("%.*s stays in WAL mode (another process has it open?):"
				" a store that turns read-only may then kill Kamailio"
				" (SIGBUS in sqlite's shared memory)\n",
				db_url.len, db_url.s);
		return;
	}
	LM_INFO("%.*s: journal mode changed from WAL to DELETE\n", db_url.len,
			db_url.s);
}

/* every connection: wait for another writer's lock instead of failing */
static void sqlite_busy(void)
{
	char q[40];

	snprintf(q, sizeof(q), "PRAGMA busy_timeout=%d", REAUTH_DB_BUSY_MS);
	if(raw(q, NULL, 0) < 0)
		LM_WARN("cannot set %s on %.*s\n", q, db_url.len, db_url.s);
}

int reauth_db_child_init(void)
{
	if(reauth_db_mode == REAUTH_DB_NONE || db_con != NULL)
		return 0;
	if((db_con = dbf.init(&db_url)) == NULL) {
		LM_ERR("cannot connect to the DB\n");
		return -1;
	}
	if(is_sqlite())
		sqlite_busy();
	return 0;
}

void reauth_db_close(void)
{
	if(db_con) {
		dbf.close(db_con);
		db_con = NULL;
	}
}

/* ------------------------------------------------------- one transaction */

int reauth_db_tx_begin(void)
{
	if(db_con == NULL && reauth_db_child_init() < 0)
		return -1;
	if(dbf.start_transaction)
		return dbf.start_transaction(db_con, DB_LOCKING_NONE) < 0 ? -1 : 0;
	if(!DB_CAPABILITY(dbf, DB_CAP_RAW_QUERY))
		return 0; /* no transactions: each statement commits alone */
	/* IMMEDIATE: the write lock now (waiting busy_timeout for it), not at
	 * the first write, where two writers could only give up */
	return raw(is_sqlite() ? "BEGIN IMMEDIATE" : "BEGIN", NULL, 0);
}

int reauth_db_tx_end(int commit)
{
	if(db_con == NULL)
		return -1;
	if(dbf.start_transaction) {
		if(commit)
			return dbf.end_transaction(db_con) < 0 ? -1 : 0;
		dbf.abort_transaction(db_con);
		return 0;
	}
	if(!DB_CAPABILITY(dbf, DB_CAP_RAW_QUERY))
		return 0;
	if(commit)
		return raw("COMMIT", NULL, 0);
	/* sqlite may have rolled back already after an I/O error: no matter */
	raw("ROLLBACK", NULL, 0);
	return 0;
}

static int row_del(int proc, unsigned int id)
{
	db_key_t keys[1] = {&col_id};
	db_val_t vals[1];

	memset(vals, 0, sizeof(vals));
	set_int(&vals[0], (int)id);
	if(dbf.use_table(db_con, proc ? &proc_table : &sub_table) < 0
			|| dbf.delete(db_con, keys, 0, vals, 1) < 0)
		return -1;
	return 0;
}

/* One statement for many rows: with sqlite, parsing a statement costs
 * more than running it: one delete per row took a third of the DB
 * writer's time. The ids are integers: the raw statement quotes nothing. */
#define DEL_SQL_MAX (64 + 2 * 64 + REAUTH_DB_DEL_MAX * 11)

int reauth_db_rows_del(int proc, const unsigned int *ids, int n)
{
	static char sql[DEL_SQL_MAX];
	str *table = proc ? &proc_table : &sub_table;
	int i, len;

	if(n <= 0)
		return 0;
	if(n > REAUTH_DB_DEL_MAX || !DB_CAPABILITY(dbf, DB_CAP_RAW_QUERY)
			|| table->len > 64 || col_id.len > 64) {
		for(i = 0; i < n; i++)
			if(row_del(proc, ids[i]) < 0)
				return -1;
		return 0;
	}
	len = snprintf(sql, sizeof(sql), "DELETE FROM %.*s WHERE %.*s IN (",
			table->len, table->s, col_id.len, col_id.s);
	for(i = 0; i < n; i++)
		len += snprintf(sql + len, sizeof(sql) - len, "%s%d", i ? "," : "",
				(int)ids[i]); /* as the rows hold it (set_int) */
	len += snprintf(sql + len, sizeof(sql) - len, ")");
	if(len >= (int)sizeof(sql)) { /* cannot happen with the sizes above */
		LM_BUG("DELETE of %d rows: %d bytes\n", n, len);
		return -1;
	}
	return raw(sql, NULL, 0);
}

/* Insert or replace: the writer deletes the batch's rows first
 * (reauth_db_rows_del) and inserts the puts after, in the batch's
 * transaction. No flag says whether a row exists (an insert lost with a
 * broken store would turn later updates into no-ops), and every driver
 * has both. */
int reauth_db_row_sub(const reauth_sub_data_t *d)
{
	db_key_t keys[SUB_COLS] = {&col_id, &col_aor, &col_identity, &col_watcher,
			&col_callid, &col_rem_tag, &col_loc_tag, &col_rem_target,
			&col_route_set, &col_loc_contact, &col_socket, &col_kind,
			&col_loc_cseq, &col_rem_cseq, &col_version, &col_expires,
			&col_event};
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
	if(dbf.use_table(db_con, &sub_table) < 0)
		return -1;
	return dbf.insert(db_con, keys, vals, SUB_COLS) < 0 ? -1 : 0;
}

int reauth_db_row_proc(
		unsigned int id, const str *identity, const reauth_proc_t *core)
{
	db_key_t keys[PROC_COLS] = {&col_id, &col_identity, &col_state, &col_reason,
			&col_started, &col_deadline, &col_notify_pending,
			&col_refer_pending, &col_contacts};
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
	if(dbf.use_table(db_con, &proc_table) < 0)
		return -1;
	return dbf.insert(db_con, keys, vals, PROC_COLS) < 0 ? -1 : 0;
}
