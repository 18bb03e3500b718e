/*
 * reauth module - re-authentication procedures: table and glue
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A procedure is created where it is triggered (script, KEMI, RPC) so that
 * a second trigger is refused at once; everything after that runs in the
 * notifier process: core/procedure decides, this file carries the actions
 * out (usrloc, NOTIFY, REFER, de-registration, event routes).
 */

#ifndef _REAUTH_PROC_H_
#define _REAUTH_PROC_H_

#include <time.h>

#include "core/rpc.h"
#include "core/str.h"

#include "pure/procedure.h"
#include "reauth_sets.h"
#include "reauth_trigger.h"

/* module parameters */
extern int reauth_shortened_expires;
extern int reauth_timeout;
extern int reauth_refer_fallback;
extern int reauth_terminate_sessions;
extern int reauth_keep_finished;
extern str reauth_body_format;
extern str reauth_dereg_event;

typedef struct reauth_procrec
{
	struct reauth_procrec *next;
	unsigned int id;
	reauth_proc_t core;
	reauth_user_t user; /* strings in buf below, not pkg */
	str set_aor[REAUTH_USER_MAX_IDS];
	str all_aor[REAUTH_USER_MAX_IDS];
	int in_db;
	int settled; /* done, its outcome logged and its row dropped */
	char buf[];
} reauth_procrec_t;

int reauth_proc_init(void);
void reauth_proc_destroy(void);

/* any process */
void reauth_proc_start(str *identity, reauth_trigger_result_t *res);
int reauth_proc_pending(str *aor);
void reauth_proc_contact_saved(str *aor);
void reauth_proc_cancel_request(str *identity, reauth_trigger_result_t *res);
void reauth_proc_rpc_list(rpc_t *rpc, void *ctx, str *identity);

/* the notifier process */
void reauth_proc_on_trigger(unsigned int id);
void reauth_proc_notify_answer(unsigned int id, int is_ue, int code);
void reauth_proc_on_refer_answer(unsigned int id, int code);
void reauth_proc_on_reregistered(str *aor, int authenticated);
void reauth_proc_tick(time_t now);

/* DB load: a pending procedure as it was stored */
int reauth_proc_restore(unsigned int id, str *identity, reauth_proc_t *core);

#endif
