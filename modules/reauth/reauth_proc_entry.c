/*
 * reauth module - re-authentication procedures: the entry points
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Run in the process where the trigger or the event happens:
 * reauth_proc_start() by the script, KEMI, RPC and the API (a SIP or RPC
 * process), reauth_proc_start_forwarded() by a dmq worker (proc.start),
 * reauth_proc_contact_saved() by usrloc's callback in the process that
 * saves a contact, reauth_proc_cancel_request() by RPC and the API. They
 * check and answer at once, create or change the record in reauth_proc.c's
 * tables (reauth_proc_create(), reauth_proc_with()) and post a job to the
 * worker of the user's shard.
 */

#include <string.h>
#include <time.h>

#include "core/dprint.h"

#include "reauth_dmq.h"
#include "reauth_identity.h"
#include "reauth_proc.h"
#include "reauth_queue.h"
#include "reauth_register.h"
#include "reauth_sets.h"
#include "reauth_stats.h"
#include "reauth_str.h"
#include "reauth_subs.h"

/* The pool's node that holds every subscription of the user, when it is
 * up and is not this node: the procedure runs there (its NOTIFYs keep the
 * dialogs' CSeq and version), this node keeps a replica. slot + 1, or 0 */
static int home_of(reauth_procrec_t *rec)
{
	int owner = reauth_subs_owner_of(REAUTH_PROC_AOR(rec), rec->nall);

	return owner > 0 && reauth_dmq_peer_is_up(owner - 1) ? owner : 0;
}

static void proc_start(str *identity, unsigned int id, int may_forward,
		reauth_trigger_result_t *res)
{
	reauth_procrec_t *rec;
	reauth_job_t *job;

	if(reauth_queue_admit() < 0) {
		res->code = 503;
		res->reason = "too much work queued, try again later";
		LM_NOTICE("re-authentication of <%.*s%s> refused: the job queue is"
				  " full (queue_size %d)\n",
				REAUTH_STR_SHORT(identity), reauth_queue_size);
		return;
	}
	rec = reauth_proc_create(identity, id, 1, res);
	if(rec == NULL)
		return;
	res->id = rec->entry.id;
	job = reauth_job_new(REAUTH_JOB_PROC_TRIGGER, 0);
	if(job == NULL) {
		reauth_proc_drop(rec); /* its worker never sees it */
		res->code = 500;
		res->reason = "out of memory";
		return;
	}
	/* before anyone else sees it: a replica whose worker hands the
	 * trigger over (proc.start) */
	if(may_forward && reauth_dmq_enable) {
		int home = home_of(rec);

		reauth_proc_lock(rec);
		rec->owner = (unsigned char)home;
		rec->forwarded = home != 0;
		reauth_proc_unlock(rec);
		if(home)
			res->reason = "started on the node of the user's subscriptions";
	}
	job->shard = rec->shard;
	job->proc_id = rec->entry.id;
	/* the caller's process (a SIP worker for the script): the worker logs
	 * the start, with what it sends (reauth_proc_on_trigger); a trigger
	 * handed to another node is logged here */
	if(rec->owner)
		LM_INFO("re-authentication %u of <%.*s> started (%d identities),"
				" handed to the node of its subscriptions\n",
				res->id, identity->len, identity->s, rec->nset);
	else
		LM_DBG("re-authentication %u of <%.*s> started (%d identities)\n",
				res->id, identity->len, identity->s, rec->nset);
	reauth_queue_push(job); /* rec is the worker's from here on */
}

void reauth_proc_start(str *identity, reauth_trigger_result_t *res)
{
	proc_start(identity, 0, 1, res);
}

void reauth_proc_start_forwarded(
		str *identity, unsigned int id, reauth_trigger_result_t *res)
{
	proc_start(identity, id, 0, res);
}

/* under the record's bucket lock (reauth_proc_with): rec NULL when the
 * procedure is gone; its shard, or -1 */
static int note_saved(reauth_procrec_t *rec, void *authenticated)
{
	if(rec == NULL)
		return -1;
	/* noted at once: the job below may come after the deadline */
	if(*(int *)authenticated)
		reauth_proc_register_seen(&rec->core, (long)time(NULL));
	return (int)rec->shard;
}

/* usrloc callback (the process that saves): hand REGISTERs of identities
 * under re-authentication to the procedure's worker */
void reauth_proc_contact_saved(str *aor)
{
	unsigned int id;
	int authenticated, shard;

	if((id = reauth_proc_id_of(aor)) == 0)
		return;
	authenticated = reauth_register_authenticated();
	shard = reauth_proc_with(id, note_saved, &authenticated);
	if(shard < 0)
		return;
	reauth_proc_post_reregistered(id, (unsigned int)shard, aor, authenticated);
}

/* under the record's bucket lock (reauth_proc_with): the record in *arg;
 * 0 cancelled, -1 not found or done already, CANCEL_REMOTE when another
 * node of the pool runs it */
#define CANCEL_REMOTE -2
static int cancel_locked(reauth_procrec_t *rec, void *arg)
{
	reauth_actions_t acts;

	*(reauth_procrec_t **)arg = rec;
	if(rec == NULL)
		return -1;
	if(rec->owner)
		return CANCEL_REMOTE;
	return reauth_proc_cancel(&rec->core, (long)time(NULL), &acts) < 0 ? -1 : 0;
}

/* Cancelled at once, in the caller's process: the answer is true when it
 * is given, and a new trigger right after is accepted. The worker's next
 * tick settles the record (log line, DB row). */
void reauth_proc_cancel_request(str *identity, reauth_trigger_result_t *res)
{
	reauth_identity_t ident;
	reauth_procrec_t *rec = NULL;
	reauth_user_t u;
	unsigned int id = 0;
	int i, rc = -1;

	res->id = 0;
	if(reauth_sets_resolve(identity, &u) < 0) {
		res->code = 400;
		res->reason = reauth_identity_reason(REAUTH_ID_UNPARSABLE);
		return;
	}
	for(i = 0; i < u.nset && id == 0; i++)
		if(reauth_identity_to_aor(&u.set[i], &ident) == REAUTH_ID_OK)
			id = reauth_proc_id_of(&ident.aor);
	reauth_user_free(&u);
	if(id)
		rc = reauth_proc_with(id, cancel_locked, &rec);
	if(rc == CANCEL_REMOTE) {
		res->code = 409;
		res->reason = "the re-authentication runs on another node of the"
					  " pool: cancel it there";
		return;
	}
	if(rc < 0) {
		res->code = 404;
		res->reason = "no pending re-authentication of this identity";
		return;
	}
	reauth_proc_unindex(rec);
	res->id = id;
	reauth_stats_add(REAUTH_STAT_CANCELLED, 1);
	res->code = 200;
	res->reason = "cancelled";
}
