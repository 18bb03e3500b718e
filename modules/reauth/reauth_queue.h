/*
 * reauth module - the one path into the module's worker processes
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * SIP workers, usrloc callbacks and tm callbacks never send NOTIFYs or
 * touch the DB themselves: they post a job here and return at once. Each
 * worker process has its own queue; a job goes to the queue of its
 * shard, which follows the user (reauth_shard_of), so that one user's
 * jobs are taken in order by one process: the CSeq and version of a
 * subscription only grow in the order they are sent.
 */

#ifndef _REAUTH_QUEUE_H_
#define _REAUTH_QUEUE_H_

#include <time.h>

#include "core/str.h"

typedef enum reauth_job_type
{
	REAUTH_JOB_UL_CHANGE = 1, /* a contact of aor changed in usrloc */
	REAUTH_JOB_NOTIFY,		  /* (re)send the full state to one subscription */
	REAUTH_JOB_TERMINATE,	  /* final NOTIFY, then remove the subscription */
	REAUTH_JOB_NOTIFY_REPLY,  /* final answer to a NOTIFY we sent */
	REAUTH_JOB_PROC_TRIGGER,  /* start procedure proc_id */
	REAUTH_JOB_REFER_REPLY,	  /* final answer to a REFER of proc_id */
	REAUTH_JOB_REREGISTERED,  /* a contact of aor saved by a REGISTER */
	REAUTH_JOB_REPLICA,		  /* sub.put/seq/del of a peer (reauth_replica.c):
							   * code the message, buf its data */
	REAUTH_JOB_PROC_REPLICA,  /* proc.put/done of a peer
							   * (reauth_proc_replica_recv.c) */
	REAUTH_JOB_PEER			  /* a peer went down or came up
							   * (reauth_takeover.c): code the event, id its
							   * slot, is_ue its records were taken over */
} reauth_job_type_t;

/* why a subscription ends (job->code of a REAUTH_JOB_TERMINATE): the
 * reason of "Subscription-State: terminated" */
typedef enum reauth_term_reason
{
	REAUTH_TERM_UNSUBSCRIBED = 0, /* the watcher asked (Expires: 0) */
	REAUTH_TERM_TIMEOUT,		  /* not refreshed in time */
	REAUTH_TERM_NORESOURCE,		  /* nothing left registered */
	REAUTH_TERM_DEACTIVATED,
	REAUTH_TERM_REJECTED
} reauth_term_reason_t;

typedef struct reauth_job
{
	struct reauth_job *next;
	reauth_job_type_t type;
	unsigned int shard; /* the worker that takes it: reauth_shard_of() */
	unsigned int hash;	/* subscription (NOTIFY, TERMINATE, REPLY) */
	unsigned int id;
	int code;			  /* REPLY: SIP code; TERMINATE: reauth_term_reason */
	unsigned int proc_id; /* re-authentication procedure, 0 = none */
	unsigned int target;  /* REPLY: the procedure's target answering */
	int is_ue;			  /* NOTIFY_REPLY: sent on a UE's subscription;
						* REREGISTERED: the REGISTER was authenticated */
	int event;			  /* UL_CHANGE: reginfo_ct_event_t of the contact */
	str aor;			  /* UL_CHANGE */
	str c_uri;			  /* UL_CHANGE: the contact that changed */
	str c_callid;
	int c_cseq;
	time_t c_expires;
	char buf[];
} reauth_job_t;

/* jobs queued at most, all queues together, before entries are refused
 * (module parameter) */
extern int reauth_queue_size;
/* worker processes, one queue each (module parameter) */
extern int reauth_workers;

/* the shard of a user: hash of the key that names the user (its first
 * public identity, see reauth_sets_home) */
unsigned int reauth_shard_of(unsigned int user_hash);

/* the shard of the worker process running now (0 elsewhere) */
extern unsigned int reauth_my_shard;

int reauth_queue_init(void);
void reauth_queue_destroy(void);

/* allocate a job with room for extra bytes of strings (shm) */
reauth_job_t *reauth_job_new(reauth_job_type_t type, size_t extra);
/* hand the job to the worker of job->shard; it owns it from then on */
void reauth_queue_push(reauth_job_t *job);
/* the worker keeps a popped job back for later (start_rate): n = 1 while
 * it is kept, -1 when it runs, so that a held job still counts against
 * queue_size and in queue_length */
void reauth_queue_hold(int n);
/* a job about subscription (hash, id) for the worker of shard: type
 * REAUTH_JOB_NOTIFY (code 0) or REAUTH_JOB_TERMINATE (code: a
 * reauth_term_reason_t); 0, or -1 out of memory */
int reauth_queue_post_sub(reauth_job_type_t type, unsigned int hash,
		unsigned int id, unsigned int shard, int code);
/* an entry point may queue work: 0; -1 when full (counted as refused) */
int reauth_queue_admit(void);
int reauth_queue_length(void);
unsigned long reauth_queue_refused(void);
/* worker side: the oldest job of queue shard or NULL; waits up to ms
 * when empty */
reauth_job_t *reauth_queue_pop(unsigned int shard, int wait_ms);

#endif
