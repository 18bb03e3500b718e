/*
 * reauth module - the DB connection and names, shared by reauth_db.c
 * (connection, schema, loading) and reauth_db_rows.c (the DB writer's
 * statements) only
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_DB_CON_H_
#define _REAUTH_DB_CON_H_

#include "core/str.h"
#include "lib/srdb1/db.h"

extern db_func_t reauth_dbf;
extern db1_con_t *reauth_dbh; /* this process's connection, NULL: none */

extern str reauth_sub_table;
extern str reauth_proc_table;
extern str reauth_col_id;
extern str reauth_col_aor;
extern str reauth_col_identity;
extern str reauth_col_watcher;
extern str reauth_col_callid;
extern str reauth_col_rem_tag;
extern str reauth_col_loc_tag;
extern str reauth_col_rem_target;
extern str reauth_col_route_set;
extern str reauth_col_loc_contact;
extern str reauth_col_socket;
extern str reauth_col_kind;
extern str reauth_col_loc_cseq;
extern str reauth_col_rem_cseq;
extern str reauth_col_version;
extern str reauth_col_expires;
extern str reauth_col_event;
extern str reauth_col_state;
extern str reauth_col_reason;
extern str reauth_col_started;
extern str reauth_col_deadline;
extern str reauth_col_notify_pending;
extern str reauth_col_refer_pending;
extern str reauth_col_contacts;

#define SUB_COLS 17
#define PROC_COLS 9

/* the URL names sqlite and the driver takes raw statements */
int reauth_db_is_sqlite(void);
/* run one statement; its first column of the first row into out (when
 * given, NUL-terminated, cut to len); -1 on error */
int reauth_db_raw(const char *sql, char *out, int len);

static inline void set_str(db_val_t *v, str *s)
{
	VAL_TYPE(v) = DB1_STR;
	VAL_NULL(v) = 0;
	VAL_STR(v) = *s;
}

static inline void set_int(db_val_t *v, int i)
{
	VAL_TYPE(v) = DB1_INT;
	VAL_NULL(v) = 0;
	VAL_INT(v) = i;
}

#endif
