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

/* insert or update one subscription (its bucket locked by the caller) */
int reauth_db_save(reauth_sub_t *sub);
int reauth_db_delete(unsigned int id);

#include "lib/srdb1/db_val.h"
/* a string column of a result row, "" for NULL */
void reauth_db_val_str(db_val_t *v, str *s);

/* pending re-authentication procedures (reauth_procedure) */
int reauth_db_proc_save(
		unsigned int id, str *identity, reauth_proc_t *core, int in_db);
int reauth_db_proc_delete(unsigned int id);

#endif
