/*
 * reauth module - the one path into the notifier process
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <errno.h>
#include <semaphore.h>
#include <string.h>
#include <time.h>

#include "core/dprint.h"
#include "core/locking.h"
#include "core/mem/shm_mem.h"

#include "reauth_queue.h"

typedef struct reauth_queue
{
	gen_lock_t lock;
	sem_t ready; /* one post per job: the notifier sleeps on it */
	reauth_job_t *head;
	reauth_job_t *tail;
	int length;			   /* jobs queued now */
	unsigned long refused; /* entries refused because it was full */
} reauth_queue_t;

static reauth_queue_t *queue = NULL;

int reauth_queue_size = 20000;

int reauth_queue_init(void)
{
	queue = shm_malloc(sizeof(reauth_queue_t));
	if(queue == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(queue, 0, sizeof(*queue));
	if(lock_init(&queue->lock) == NULL) {
		shm_free(queue);
		queue = NULL;
		return -1;
	}
	/* shared between processes */
	if(sem_init(&queue->ready, 1, 0) < 0) {
		LM_ERR("sem_init: %s\n", strerror(errno));
		lock_destroy(&queue->lock);
		shm_free(queue);
		queue = NULL;
		return -1;
	}
	return 0;
}

void reauth_queue_destroy(void)
{
	reauth_job_t *j, *next;

	if(queue == NULL)
		return;
	for(j = queue->head; j; j = next) {
		next = j->next;
		shm_free(j);
	}
	sem_destroy(&queue->ready);
	lock_destroy(&queue->lock);
	shm_free(queue);
	queue = NULL;
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
	if(queue == NULL) { /* shutting down */
		shm_free(job);
		return;
	}
	job->next = NULL;
	lock_get(&queue->lock);
	if(queue->tail)
		queue->tail->next = job;
	else
		queue->head = job;
	queue->tail = job;
	queue->length++;
	lock_release(&queue->lock);
	sem_post(&queue->ready);
}

int reauth_queue_admit(void)
{
	int full;

	if(queue == NULL)
		return -1;
	lock_get(&queue->lock);
	full = reauth_queue_size > 0 && queue->length >= reauth_queue_size;
	if(full)
		queue->refused++;
	lock_release(&queue->lock);
	return full ? -1 : 0;
}

int reauth_queue_length(void)
{
	return queue ? queue->length : 0;
}

unsigned long reauth_queue_refused(void)
{
	return queue ? queue->refused : 0;
}

reauth_job_t *reauth_queue_pop(int wait_ms)
{
	struct timespec ts;
	reauth_job_t *job;

	if(wait_ms > 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wait_ms / 1000;
		ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
		if(ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while(sem_timedwait(&queue->ready, &ts) < 0) {
			if(errno != EINTR)
				return NULL; /* timed out */
		}
	} else if(sem_trywait(&queue->ready) < 0) {
		return NULL;
	}
	lock_get(&queue->lock);
	job = queue->head;
	if(job) {
		queue->head = job->next;
		if(queue->head == NULL)
			queue->tail = NULL;
		queue->length--;
	}
	lock_release(&queue->lock);
	return job;
}
