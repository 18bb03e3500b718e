/*
 * reauth module - procedures replicated over DMQ: what
 * reauth_proc_replica.c (sending) and reauth_proc_replica_recv.c
 * (receiving, applying) share; no other file includes it
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_PROC_REPLICA_MSG_H_
#define _REAUTH_PROC_REPLICA_MSG_H_

#include "core/str.h"
#include "core/utils/srjson.h"

#include "pure/procedure.h"

/* job->code of a REAUTH_JOB_PROC_REPLICA */
#define PROC_PUT 1
#define PROC_DONE 2
#define PROC_DROP 3 /* the owner refused a handed-over trigger */
#define PROC_SESSIONS 4 /* end the calls of these aors (buf: str[], then
						 * the strings) */
#define SESSIONS_MAX 16 /* identities of a set a proc.sessions carries */

/* what a proc.put/done carries (the job's buf: this, then identity) */
typedef struct proc_msg
{
	unsigned int id, epoch, slot, seq;
	reauth_proc_t core; /* targets NULL */
	str identity;
} proc_msg_t;

/* the proc.* handler (reauth_dmq_recv_f), in a dmq worker */
int reauth_proc_replica_recv(srjson_doc_t *doc, srjson_t *root,
		const char *type, int slot, const char **why);

#endif
