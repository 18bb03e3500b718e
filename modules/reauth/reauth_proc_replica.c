/*
 * reauth module - procedures replicated to the pool's nodes over DMQ:
 * the id tag, the handler, and sending
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Who runs what:
 * - mod_init sets the node's id tag and registers the proc.* handler
 *   (reauth_proc_replica_recv.c: received messages, in a dmq worker, and
 *   their jobs, in the worker of the user's shard);
 * - the owner's worker encodes and sends proc.put/done after it settled
 *   the record (reauth_proc_run.c), no lock held, and proc.sessions;
 * - a replica's worker sends proc.start and proc.event to the owner; the
 *   owner's refusal of a proc.start (any process) becomes a PROC_DROP job
 *   of the replica's worker.
 */

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/utils/srjson.h"

#include "pure/owner.h"

#include "reauth_dmq.h"
#include "reauth_dmq_msg.h"
#include "reauth_proc.h"
#include "reauth_proc_replica.h"
#include "reauth_queue.h"

#include "reauth_proc_replica_msg.h"

int reauth_proc_replica_init(void)
{
	const char *self;
	int len;

	if(!reauth_dmq_enable)
		return 0;
	if((self = reauth_dmq_self(&len)) == NULL)
		return -1;
	reauth_proc_node_tag = owner_node_tag(self, (size_t)len);
	return reauth_dmq_add_handler("proc.", reauth_proc_replica_recv);
}

/* ---- sending ---- */

static srjson_doc_t *msg_new(srjson_doc_t *jdoc, const char *type,
		reauth_procrec_t *rec)
{
	if(!reauth_dmq_enable || reauth_dmq_msg_init(jdoc, type) < 0)
		return NULL;
	srjson_AddNumberToObject(jdoc, jdoc->root, "id", rec->entry.id);
	srjson_AddNumberToObject(jdoc, jdoc->root, "epoch", rec->epoch);
	srjson_AddStrToObject(jdoc, jdoc->root, "identity", rec->trigger.s,
			rec->trigger.len);
	/* the user's shard on the receiver: a public identity of the set */
	srjson_AddStrToObject(jdoc, jdoc->root, "uri", REAUTH_PROC_URI(rec)[0].s,
			REAUTH_PROC_URI(rec)[0].len);
	return jdoc;
}

/* a time as seconds from now (0: none) */
static void add_time(srjson_doc_t *jdoc, const char *name, long t, long now)
{
	if(t != 0)
		srjson_AddNumberToObject(jdoc, jdoc->root, name, (double)(t - now));
}

static void add_core(srjson_doc_t *jdoc, const reauth_proc_t *c)
{
	long now = (long)time(NULL);

	srjson_AddNumberToObject(jdoc, jdoc->root, "state", c->state);
	srjson_AddNumberToObject(jdoc, jdoc->root, "outcome", c->outcome);
	srjson_AddNumberToObject(jdoc, jdoc->root, "reason", c->reason);
	srjson_AddNumberToObject(
			jdoc, jdoc->root, "notify_pending", c->notify_pending);
	srjson_AddNumberToObject(jdoc, jdoc->root, "refer_pending", c->refer_pending);
	srjson_AddNumberToObject(jdoc, jdoc->root, "contacts", c->contacts);
	add_time(jdoc, "started", c->started, now);
	add_time(jdoc, "deadline", c->deadline, now);
	add_time(jdoc, "ended", c->ended, now);
	add_time(jdoc, "reregistered", c->reregistered_at, now);
	add_time(jdoc, "wait_until", c->wait_until, now);
}

/* send (slot >= 0) or to every peer up, freed */
static void msg_send(srjson_doc_t *jdoc, const char *type, unsigned int id,
		int slot, reauth_dmq_answer_f answered)
{
	char what[64];

	snprintf(what, sizeof(what), "%s of procedure %u", type, id);
	reauth_dmq_msg_send(jdoc, slot, answered, (void *)(uintptr_t)id, what);
}

void reauth_proc_replica_put_to(
		reauth_procrec_t *rec, const reauth_proc_t *core, int slot)
{
	srjson_doc_t jdoc;

	if(msg_new(&jdoc, "proc.put", rec) == NULL)
		return;
	/* the owner's worker only: in the order they are sent */
	srjson_AddNumberToObject(&jdoc, jdoc.root, "seq", ++rec->pseq);
	add_core(&jdoc, core);
	msg_send(&jdoc, "proc.put", rec->entry.id, slot, NULL);
}

void reauth_proc_replica_put(reauth_procrec_t *rec, const reauth_proc_t *core)
{
	reauth_proc_replica_put_to(rec, core, -1);
}

void reauth_proc_replica_done(reauth_procrec_t *rec, const reauth_proc_t *core)
{
	srjson_doc_t jdoc;

	if(msg_new(&jdoc, "proc.done", rec) == NULL)
		return;
	srjson_AddNumberToObject(&jdoc, jdoc.root, "seq", ++rec->pseq);
	add_core(&jdoc, core);
	msg_send(&jdoc, "proc.done", rec->entry.id, -1, NULL);
}

void reauth_proc_replica_sessions(reauth_procrec_t *rec)
{
	srjson_doc_t jdoc;
	srjson_t *arr;
	int i;

	if(msg_new(&jdoc, "proc.sessions", rec) == NULL)
		return;
	arr = srjson_CreateArray(&jdoc);
	if(arr == NULL) {
		srjson_DestroyDoc(&jdoc);
		return;
	}
	for(i = 0; i < rec->nset && i < SESSIONS_MAX; i++)
		srjson_AddItemToArray(&jdoc, arr,
				srjson_CreateStr(&jdoc, REAUTH_PROC_AOR(rec)[i].s,
						REAUTH_PROC_AOR(rec)[i].len));
	srjson_AddItemToObject(&jdoc, jdoc.root, "aors", arr);
	msg_send(&jdoc, "proc.sessions", rec->entry.id, -1, NULL);
}

/* the owner's answer to proc.start (any process): a refusal drops the
 * replica, in its worker */
static void forward_answered(int code, void *param)
{
	unsigned int id = (unsigned int)(uintptr_t)param;
	reauth_procrec_t *rec;
	reauth_job_t *job;

	if(code < 300)
		return;
	LM_NOTICE("re-authentication %u: the node of the user's subscriptions"
			  " refused it (%d)\n",
			id, code);
	if((rec = reauth_proc_get(id)) == NULL
			|| (job = reauth_job_new(REAUTH_JOB_PROC_REPLICA,
						sizeof(proc_msg_t)))
					   == NULL)
		return;
	memset(job->buf, 0, sizeof(proc_msg_t));
	((proc_msg_t *)job->buf)->id = id;
	job->shard = rec->shard;
	job->code = PROC_DROP;
	job->id = id;
	reauth_queue_push(job);
}

void reauth_proc_replica_forward(reauth_procrec_t *rec)
{
	srjson_doc_t jdoc;

	if(msg_new(&jdoc, "proc.start", rec) == NULL)
		return;
	msg_send(&jdoc, "proc.start", rec->entry.id, rec->owner - 1,
			forward_answered);
}

void reauth_proc_replica_event(
		reauth_procrec_t *rec, str *aor, int authenticated)
{
	srjson_doc_t jdoc;

	if(msg_new(&jdoc, "proc.event", rec) == NULL)
		return;
	srjson_AddStrToObject(&jdoc, jdoc.root, "aor", aor->s, aor->len);
	srjson_AddNumberToObject(&jdoc, jdoc.root, "authenticated", authenticated ? 1 : 0);
	msg_send(&jdoc, "proc.event", rec->entry.id, rec->owner - 1, NULL);
}
