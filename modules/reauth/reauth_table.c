/*
 * reauth module - one shared memory table helper
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include "core/dprint.h"
#include "core/mem/shm_mem.h"

#include "reauth_table.h"

reauth_table_t *reauth_table_new(unsigned int size)
{
	reauth_table_t *t;
	unsigned int n, i;
	size_t len;

	for(n = 1; n < size && n < (1u << 20); n <<= 1)
		;
	len = sizeof(reauth_table_t) + n * sizeof(reauth_tbucket_t);
	t = shm_malloc(len);
	if(t == NULL) {
		SHM_MEM_ERROR;
		return NULL;
	}
	memset(t, 0, len);
	t->size = n;
	atomic_set(&t->next_id, 1);
	for(i = 0; i < n; i++) {
		if(lock_init(&t->b[i].lock) == NULL) {
			LM_ERR("cannot init the lock of bucket %u\n", i);
			while(i-- > 0)
				lock_destroy(&t->b[i].lock);
			shm_free(t);
			return NULL;
		}
	}
	return t;
}

void reauth_table_destroy(
		reauth_table_t *t, void (*free_entry)(reauth_tentry_t *))
{
	reauth_tentry_t *e, *next;
	unsigned int i;

	if(t == NULL)
		return;
	for(i = 0; i < t->size; i++) {
		for(e = t->b[i].first; e; e = next) {
			next = e->next;
			free_entry(e);
		}
		lock_destroy(&t->b[i].lock);
	}
	shm_free(t);
}

unsigned int reauth_table_new_id(reauth_table_t *t)
{
	unsigned int id;

	do {
		id = (unsigned int)atomic_add(&t->next_id, 1) - 1;
	} while(id == 0); /* wrapped */
	return id;
}

void reauth_table_seen_id(reauth_table_t *t, unsigned int id)
{
	int cur;

	while((unsigned int)(cur = atomic_get(&t->next_id)) <= id)
		atomic_cmpxchg(&t->next_id, cur, (int)(id + 1));
}

void reauth_table_link(reauth_table_t *t, reauth_tentry_t *e)
{
	reauth_tbucket_t *b = &t->b[reauth_table_idx(t, e->hash)];

	e->prev = NULL;
	e->next = b->first;
	if(b->first)
		b->first->prev = e;
	b->first = e;
	atomic_inc(&t->count);
}

void reauth_table_unlink(reauth_table_t *t, reauth_tentry_t *e)
{
	reauth_tbucket_t *b = &t->b[reauth_table_idx(t, e->hash)];

	if(e->prev)
		e->prev->next = e->next;
	else
		b->first = e->next;
	if(e->next)
		e->next->prev = e->prev;
	e->next = e->prev = NULL;
	atomic_dec(&t->count);
}

reauth_tentry_t *reauth_table_find(
		reauth_table_t *t, unsigned int hash, unsigned int id)
{
	reauth_tentry_t *e;

	for(e = reauth_table_first(t, hash); e; e = e->next)
		if(e->hash == hash && e->id == id)
			return e;
	return NULL;
}
