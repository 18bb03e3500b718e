/*
 * reauth module - re-authentication procedures: the worker's side
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_PROC_RUN_H_
#define _REAUTH_PROC_RUN_H_

#include <time.h>

#include "core/str.h"

#include "reauth_proc.h"

/* the handlers of the procedure's jobs, in the worker of its shard */
void reauth_proc_on_trigger(unsigned int id);
void reauth_proc_on_notify_answer(
		unsigned int id, unsigned int target, int code);
void reauth_proc_on_refer_answer(unsigned int id, unsigned int target, int code);
void reauth_proc_on_reregistered(unsigned int id, str *aor, int authenticated);
/* persist the record (DB, the pool), and let a finished one go: after
 * each event, and for a record taken over (reauth_takeover.c) */
void reauth_proc_settle(reauth_procrec_t *rec);
/* deadlines, and records ended elsewhere (a cancel), in slice of slices
 * of the table: every slice once a second */
void reauth_proc_tick(
		time_t now, unsigned int shard, unsigned int slice, unsigned int slices);

#endif
