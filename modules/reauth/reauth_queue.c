/*
 * reauth module - the one path into the module's worker processes
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <semaphore.h>
#include <string.h>
#include <time.h>

#include "core/atomic_ops.h"
#include "core/dprint.h"
#include "core/locking.h"
#include "core/mem/shm_mem.h"

#include "reauth_queue.h"

#define REAUTH_WORKERS_MAX 32

typedef struct job_queue
{
	gen_lock_t lock;
	sem_t ready; /* one post per job: the worker sleeps on it */
	reauth_job_t *head;
	reauth_job_t *tail;
} job_queue_t;

typedef struct queues
{
	atomic_t length;	   /* jobs queued now, every queue */
	atomic_t refused;	   /* entries refused because it was full */
	int n;
	job_queue_t q[];
} queues_t;

static queues_t *queues = NULL;

int reauth_queue_size = 20000;
int reauth_workers = 1;
unsigned int reauth_my_shard = 0;

unsigned int reauth_shard_of(unsigned int user_hash)
{
	int n = queues ? queues->n : 1;

	/* the low bits pick table buckets: mix before taking the modulo */
	user_hash ^= user_hash >> 16;
	user_hash *= 0x45d9f3bu;
	user_hash ^= user_hash >> 16;
	return user_hash % (unsigned int)n;
}

int reauth_queue_init(void)
{
	int i, n = reauth_workers;

	if(n < 1 || n > REAUTH_WORKERS_MAX) {
		LM_ERR("workers must be 1..%d (is %d)\n", REAUTH_WORKERS_MAX, n);
		return -1;
	}
	queues = shm_malloc(sizeof(queues_t) + n * sizeof(job_queue_t));
	if(queues == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(queues, 0, sizeof(queues_t) + n * sizeof(job_queue_t));
	for(i = 0; i < n; i++) {
		if(lock_init(&queues->q[i].lock) == NULL)
			goto error;
		/* shared between processes */
		if(sem_init(&queues->q[i].ready, 1, 0) < 0) {
			LM_ERR("sem_init: %s\n", strerror(errno));
			lock_destroy(&queues->q[i].lock);
			goto error;
		}
		queues->n = i + 1;
	}
	return 0;
error:
	reauth_queue_destroy();
	return -1;
}

void reauth_queue_destroy(void)
{
	reauth_job_t *j, *next;
	int i;

	if(queues == NULL)
		return;
	for(i = 0; i < queues->n; i++) {
		for(j = queues->q[i].head; j; j = next) {
			next = j->next;
			shm_free(j);
		}
		sem_destroy(&queues->q[i].ready);
		lock_destroy(&queues->q[i].lock);
	}
	shm_free(queues);
	queues = NULL;
}

reauth_job_t *reauth_job_new(reauth_job_type_t type, size_t extra)
{
	reauth_job_t *job;

	job = shm_malloc(sizeof(reauth_job_t) + extra);
	if(job == NULL) {
		SHM_MEM_ERROR;
		return NULL;
	}
	memset(job, 0, sizeof(reauth_job_t));
	job->type = type;
	return job;
}

void reauth_queue_push(reauth_job_t *job)
{
	job_queue_t *q;

	if(queues == NULL) { /* shutting down */
		shm_free(job);
		return;
	}
	q = &queues->q[job->shard % (unsigned int)queues->n];
	job->next = NULL;
	lock_get(&q->lock);
	if(q->tail)
		q->tail->next = job;
	else
		q->head = job;
	q->tail = job;
	lock_release(&q->lock);
	atomic_inc(&queues->length);
	sem_post(&q->ready);
}

void reauth_queue_hold(int n)
{
	if(queues)
		atomic_add(&queues->length, n);
}

int reauth_queue_admit(void)
{
	if(queues == NULL)
		return -1;
	if(reauth_queue_size > 0
			&& atomic_get(&queues->length) >= reauth_queue_size) {
		atomic_inc(&queues->refused);
		return -1;
	}
	return 0;
}

int reauth_queue_length(void)
{
	return queues ? atomic_get(&queues->length) : 0;
}

unsigned long reauth_queue_refused(void)
{
	return queues ? (unsigned long)atomic_get(&queues->refused) : 0;
}

reauth_job_t *reauth_queue_pop(unsigned int shard, int wait_ms)
{
	struct timespec ts;
	reauth_job_t *job;
	job_queue_t *q;

	if(queues == NULL || shard >= (unsigned int)queues->n)
		return NULL;
	q = &queues->q[shard];
	if(wait_ms > 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wait_ms / 1000;
		ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
		if(ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while(sem_timedwait(&q->ready, &ts) < 0) {
			if(errno != EINTR)
				return NULL; /* timed out */
		}
	} else if(sem_trywait(&q->ready) < 0) {
		return NULL;
	}
	lock_get(&q->lock);
	job = q->head;
	if(job) {
		q->head = job->next;
		if(q->head == NULL)
			q->tail = NULL;
	}
	lock_release(&q->lock);
	if(job)
		atomic_dec(&queues->length);
	return job;
}

int reauth_queue_post_sub(reauth_job_type_t type, unsigned int hash,
		unsigned int id, unsigned int shard, int code)
{
	reauth_job_t *job;

	job = reauth_job_new(type, 0);
	if(job == NULL)
		return -1;
	job->shard = shard;
	job->hash = hash;
	job->id = id;
	job->code = code;
	reauth_queue_push(job);
	return 0;
}
