/*
 * reauth module - persistence of subscriptions through the Kamailio DB API
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * One row per subscription in reauth_subscription and per pending
 * procedure in reauth_procedure (etc/reauth-create.sql). Rows are loaded
 * in mod_init, so a restart keeps every dialog, its CSeq and its reginfo
 * version. This file connects and loads; reauth_db_rows.c writes (the DB
 * writer process, one transaction per batch) and reauth_db_batch.c
 * decides when.
 */

#include <string.h>

#include "core/dprint.h"
#include "core/ut.h"
#include "lib/srdb1/db.h"

#include "pure/subscribe.h"

#include "reauth_db.h"
#include "reauth_db_con.h"

/* 2: the event column (body_format "draft" accepts "registration-state") */
#define REAUTH_SUB_TABLE_VERSION 2
/* sqlite answers "busy" at once while another connection writes (another
 * worker, the sqlite3 shell): wait that long for its lock instead */
#define REAUTH_DB_BUSY_MS 1000

int reauth_db_mode = REAUTH_DB_WRITE_THROUGH;

db_func_t reauth_dbf;
db1_con_t *reauth_dbh = NULL;
static str db_url = STR_NULL;
str reauth_sub_table = str_init("reauth_subscription");

str reauth_col_id = str_init("id");
str reauth_col_aor = str_init("aor");
str reauth_col_identity = str_init("identity");
str reauth_col_watcher = str_init("watcher");
str reauth_col_callid = str_init("callid");
str reauth_col_rem_tag = str_init("rem_tag");
str reauth_col_loc_tag = str_init("loc_tag");
str reauth_col_rem_target = str_init("rem_target");
str reauth_col_route_set = str_init("route_set");
str reauth_col_loc_contact = str_init("loc_contact");
str reauth_col_socket = str_init("socket");
str reauth_col_kind = str_init("kind");
str reauth_col_loc_cseq = str_init("loc_cseq");
str reauth_col_rem_cseq = str_init("rem_cseq");
str reauth_col_version = str_init("version");
str reauth_col_expires = str_init("expires");
str reauth_col_event = str_init("event");


#define REAUTH_PROC_TABLE_VERSION 1
str reauth_proc_table = str_init("reauth_procedure");
str reauth_col_state = str_init("state");
str reauth_col_reason = str_init("reason");
str reauth_col_started = str_init("started");
str reauth_col_deadline = str_init("deadline");
str reauth_col_notify_pending = str_init("notify_pending");
str reauth_col_refer_pending = str_init("refer_pending");
str reauth_col_contacts = str_init("contacts");

static void sqlite_journal(void);
static void sqlite_busy(void);

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
	db_key_t cols[SUB_COLS] = {&reauth_col_id, &reauth_col_aor,
			&reauth_col_identity, &reauth_col_watcher, &reauth_col_callid,
			&reauth_col_rem_tag, &reauth_col_loc_tag, &reauth_col_rem_target,
			&reauth_col_route_set, &reauth_col_loc_contact, &reauth_col_socket,
			&reauth_col_kind, &reauth_col_loc_cseq, &reauth_col_rem_cseq,
			&reauth_col_version, &reauth_col_expires, &reauth_col_event};
	db1_res_t *res = NULL;
	reauth_sub_data_t d;
	reauth_sub_t *sub;
	db_val_t *v;
	str ev;
	int i, n = 0;

	if(reauth_dbf.use_table(reauth_dbh, &reauth_sub_table) < 0
			|| reauth_dbf.query(reauth_dbh, 0, 0, 0, cols, 0, SUB_COLS, 0, &res)
					   < 0) {
		LM_ERR("cannot load %.*s\n", reauth_sub_table.len, reauth_sub_table.s);
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
			reauth_dbf.free_result(reauth_dbh, res);
			return -1;
		}
		n++;
	}
	reauth_dbf.free_result(reauth_dbh, res);
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
	if(db_bind_mod(&db_url, &reauth_dbf) < 0) {
		LM_ERR("cannot bind a DB driver for %.*s\n", db_url.len, db_url.s);
		return -1;
	}
	if(!DB_CAPABILITY(reauth_dbf, DB_CAP_ALL)) {
		LM_ERR("the DB driver lacks query, insert, update or delete\n");
		return -1;
	}
	if((reauth_dbh = reauth_dbf.init(&db_url)) == NULL) {
		LM_ERR("cannot connect to the DB\n");
		return -1;
	}
	/* before any other process opens the file */
	if(reauth_db_is_sqlite()) {
		sqlite_journal();
		sqlite_busy();
	}
	if(db_check_table_version(&reauth_dbf, reauth_dbh, &reauth_sub_table,
			   REAUTH_SUB_TABLE_VERSION)
			< 0) {
		DB_TABLE_VERSION_ERROR(reauth_sub_table);
		reauth_db_close();
		return -1;
	}
	if(db_check_table_version(&reauth_dbf, reauth_dbh, &reauth_proc_table,
			   REAUTH_PROC_TABLE_VERSION)
			< 0) {
		DB_TABLE_VERSION_ERROR(reauth_proc_table);
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
	db_key_t cols[PROC_COLS] = {&reauth_col_id, &reauth_col_identity,
			&reauth_col_state, &reauth_col_reason, &reauth_col_started,
			&reauth_col_deadline, &reauth_col_notify_pending,
			&reauth_col_refer_pending, &reauth_col_contacts};
	db1_res_t *res = NULL;
	reauth_proc_t core;
	db_val_t *v;
	str identity;
	int i, n = 0;

	if(reauth_db_mode == REAUTH_DB_NONE)
		return 0;
	if((reauth_dbh = reauth_dbf.init(&db_url)) == NULL) {
		LM_ERR("cannot connect to the DB\n");
		return -1;
	}
	if(reauth_dbf.use_table(reauth_dbh, &reauth_proc_table) < 0
			|| reauth_dbf.query(
					   reauth_dbh, 0, 0, 0, cols, 0, PROC_COLS, 0, &res)
					   < 0) {
		LM_ERR("cannot load %.*s\n", reauth_proc_table.len,
				reauth_proc_table.s);
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
	reauth_dbf.free_result(reauth_dbh, res);
	reauth_db_close();
	LM_INFO("resumed %d pending re-authentication procedures\n", n);
	return 0;
}

/* ---------------------------------------------------------------- sqlite */

int reauth_db_is_sqlite(void)
{
	return db_url.len >= 7 && strncmp(db_url.s, "sqlite:", 7) == 0
		   && DB_CAPABILITY(reauth_dbf, DB_CAP_RAW_QUERY);
}

/* run one statement; its first column of the first row into out (when
 * given, NUL-terminated, cut to len); -1 on error */
int reauth_db_raw(const char *sql, char *out, int len)
{
	str q;
	db1_res_t *res = NULL;
	str v;
	int rc;

	q.s = (char *)sql;
	q.len = strlen(sql);
	/* db_sqlite runs a statement only when it is asked for a result */
	rc = reauth_dbf.raw_query(reauth_dbh, &q, &res);
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
		reauth_dbf.free_result(reauth_dbh, res);
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

	if(reauth_db_raw("PRAGMA journal_mode", mode, sizeof(mode)) < 0) {
		LM_WARN("cannot read the journal mode of %.*s\n", db_url.len, db_url.s);
		return;
	}
	if(strcasecmp(mode, "wal") != 0)
		return;
	if(reauth_db_raw("PRAGMA journal_mode=DELETE", mode, sizeof(mode)) < 0
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
	if(reauth_db_raw(q, NULL, 0) < 0)
		LM_WARN("cannot set %s on %.*s\n", q, db_url.len, db_url.s);
}

int reauth_db_child_init(void)
{
	if(reauth_db_mode == REAUTH_DB_NONE || reauth_dbh != NULL)
		return 0;
	if((reauth_dbh = reauth_dbf.init(&db_url)) == NULL) {
		LM_ERR("cannot connect to the DB\n");
		return -1;
	}
	if(reauth_db_is_sqlite())
		sqlite_busy();
	return 0;
}

void reauth_db_close(void)
{
	if(reauth_dbh) {
		reauth_dbf.close(reauth_dbh);
		reauth_dbh = NULL;
	}
}
