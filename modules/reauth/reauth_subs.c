/*
 * reauth module - reg event subscriptions: the shared memory table
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include "core/dprint.h"
#include "core/hashes.h"
#include "core/mem/shm_mem.h"
#include "core/atomic_ops.h"

#include "reauth_str.h"
#include "reauth_subs.h"

typedef struct reauth_subs_slot
{
	reauth_sub_t *first;
	gen_lock_t lock;
} reauth_subs_slot_t;

typedef struct reauth_subs_table
{
	unsigned int size; /* power of two */
	atomic_t next_id;
	atomic_t count;
	reauth_subs_slot_t slots[];
} reauth_subs_table_t;

static reauth_subs_table_t *subs_table = NULL;

int reauth_max_subscriptions = 20000;
int reauth_max_subscriptions_per_identity = 16;

int reauth_subs_init(unsigned int size)
{
	unsigned int n, i;

	/* core_hash_idx needs a power of two */
	for(n = 1; n < size && n < (1u << 20); n <<= 1)
		;
	subs_table = shm_malloc(
			sizeof(reauth_subs_table_t) + n * sizeof(reauth_subs_slot_t));
	if(subs_table == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(subs_table, 0,
			sizeof(reauth_subs_table_t) + n * sizeof(reauth_subs_slot_t));
	subs_table->size = n;
	atomic_set(&subs_table->next_id, 1);
	for(i = 0; i < n; i++) {
		if(lock_init(&subs_table->slots[i].lock) == NULL) {
			LM_ERR("cannot init the lock of bucket %u\n", i);
			while(i-- > 0)
				lock_destroy(&subs_table->slots[i].lock);
			shm_free(subs_table);
			subs_table = NULL;
			return -1;
		}
	}
	return 0;
}

void reauth_subs_destroy(void)
{
	reauth_sub_t *s, *next;
	unsigned int i;

	if(subs_table == NULL)
		return;
	for(i = 0; i < subs_table->size; i++) {
		for(s = subs_table->slots[i].first; s; s = next) {
			next = s->next;
			shm_free(s);
		}
		lock_destroy(&subs_table->slots[i].lock);
	}
	shm_free(subs_table);
	subs_table = NULL;
}

unsigned int reauth_subs_hash(str *aor)
{
	return core_case_hash(aor, NULL, 0);
}

unsigned int reauth_subs_new_id(void)
{
	return (unsigned int)atomic_add(&subs_table->next_id, 1) - 1;
}

static reauth_subs_slot_t *slot_of(unsigned int hash)
{
	return &subs_table->slots[core_hash_idx(hash, subs_table->size)];
}

void reauth_subs_lock(unsigned int hash)
{
	lock_get(&slot_of(hash)->lock);
}

void reauth_subs_unlock(unsigned int hash)
{
	lock_release(&slot_of(hash)->lock);
}

reauth_sub_t *reauth_subs_add(reauth_sub_data_t *d)
{
	reauth_subs_slot_t *slot;
	reauth_sub_t *sub;
	size_t len;
	char *p;

	len = d->aor.len + d->identity.len + d->watcher.len + d->callid.len
		  + d->rem_tag.len + d->loc_tag.len + d->rem_target.len
		  + d->route_set.len + d->loc_contact.len + d->socket.len + 10;
	sub = shm_malloc(sizeof(reauth_sub_t) + len);
	if(sub == NULL) {
		SHM_MEM_ERROR;
		return NULL;
	}
	memset(sub, 0, sizeof(reauth_sub_t));
	p = sub->buf;
	reauth_str_pack(&sub->aor, &d->aor, &p);
	reauth_str_pack(&sub->identity, &d->identity, &p);
	reauth_str_pack(&sub->watcher, &d->watcher, &p);
	reauth_str_pack(&sub->callid, &d->callid, &p);
	reauth_str_pack(&sub->rem_tag, &d->rem_tag, &p);
	reauth_str_pack(&sub->loc_tag, &d->loc_tag, &p);
	reauth_str_pack(&sub->rem_target, &d->rem_target, &p);
	reauth_str_pack(&sub->route_set, &d->route_set, &p);
	reauth_str_pack(&sub->loc_contact, &d->loc_contact, &p);
	reauth_str_pack(&sub->socket, &d->socket, &p);
	sub->hash = reauth_subs_hash(&sub->aor);
	sub->id = d->id ? d->id : reauth_subs_new_id();
	/* ids loaded from the DB push the counter past them */
	while((unsigned int)atomic_get(&subs_table->next_id) <= sub->id)
		atomic_inc(&subs_table->next_id);
	sub->kind = d->kind;
	sub->loc_cseq = d->loc_cseq;
	sub->rem_cseq = d->rem_cseq;
	sub->version = d->version;
	sub->expires = d->expires;
	sub->dirty = 1;

	slot = slot_of(sub->hash);
	sub->next = slot->first;
	if(slot->first)
		slot->first->prev = sub;
	slot->first = sub;
	atomic_inc(&subs_table->count);
	return sub;
}

reauth_sub_t *reauth_subs_find(unsigned int hash, unsigned int id)
{
	reauth_sub_t *s;

	for(s = slot_of(hash)->first; s; s = s->next)
		if(s->hash == hash && s->id == id)
			return s;
	return NULL;
}

/* exact, as usrloc compares its keys */
static int same_aor(reauth_sub_t *s, str *aor)
{
	return s->aor.len == aor->len && memcmp(s->aor.s, aor->s, aor->len) == 0;
}

int reauth_subs_room(unsigned int hash, str *aor, time_t now, long *retry_after)
{
	reauth_sub_t *s;
	time_t first_end = 0;
	int n = 0;

	/* the whole table: the next expiry is not known here, a minute is a
	 * fair guess for a client to come back */
	*retry_after = 60;
	if(reauth_max_subscriptions > 0
			&& atomic_get(&subs_table->count) >= reauth_max_subscriptions)
		return -1;
	if(reauth_max_subscriptions_per_identity <= 0)
		return 0;
	for(s = reauth_subs_first(hash, aor); s; s = reauth_subs_next(s, aor)) {
		if(first_end == 0 || s->expires < first_end)
			first_end = s->expires;
		n++;
	}
	if(n < reauth_max_subscriptions_per_identity)
		return 0;
	*retry_after = first_end > now ? (long)(first_end - now) : 1;
	return -1;
}

reauth_sub_t *reauth_subs_first(unsigned int hash, str *aor)
{
	reauth_sub_t *s;

	for(s = slot_of(hash)->first; s; s = s->next)
		if(same_aor(s, aor))
			return s;
	return NULL;
}

reauth_sub_t *reauth_subs_next(reauth_sub_t *sub, str *aor)
{
	reauth_sub_t *s;

	for(s = sub->next; s; s = s->next)
		if(same_aor(s, aor))
			return s;
	return NULL;
}

void reauth_subs_remove(reauth_sub_t *sub)
{
	reauth_subs_slot_t *slot = slot_of(sub->hash);

	if(sub->prev)
		sub->prev->next = sub->next;
	else
		slot->first = sub->next;
	if(sub->next)
		sub->next->prev = sub->prev;
	shm_free(sub);
	atomic_dec(&subs_table->count);
}

unsigned int reauth_subs_size(void)
{
	return subs_table->size;
}

reauth_sub_t *reauth_subs_bucket(unsigned int idx)
{
	return subs_table->slots[idx].first;
}

void reauth_subs_lock_idx(unsigned int idx)
{
	lock_get(&subs_table->slots[idx].lock);
}

void reauth_subs_unlock_idx(unsigned int idx)
{
	lock_release(&subs_table->slots[idx].lock);
}

int reauth_subs_ready(void)
{
	return subs_table != NULL;
}

int reauth_subs_count(void)
{
	return subs_table ? atomic_get(&subs_table->count) : 0;
}
