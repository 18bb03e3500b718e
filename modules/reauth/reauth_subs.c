/*
 * reauth module - reg event subscriptions: the shared memory table
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/hashes.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"

#include "pure/owner.h"

#include "reauth_str.h"
#include "reauth_subs.h"

static reauth_table_t *subs_table = NULL;

int reauth_max_subscriptions = 20000;
int reauth_max_subscriptions_per_identity = 16;

int reauth_subs_init(unsigned int size)
{
	subs_table = reauth_table_new(size);
	return subs_table ? 0 : -1;
}

static void sub_free(reauth_tentry_t *e)
{
	shm_free(e);
}

void reauth_subs_destroy(void)
{
	reauth_table_destroy(subs_table, sub_free);
	subs_table = NULL;
}

unsigned int reauth_subs_hash(str *aor)
{
	return core_case_hash(aor, NULL, 0);
}

unsigned int reauth_subs_node_tag = 0;
time_t reauth_loaded_hold_until = 0;

unsigned int reauth_subs_new_id(void)
{
	unsigned int n;

	if(reauth_subs_node_tag == 0)
		return reauth_table_new_id(subs_table);
	do {
		n = reauth_table_new_id(subs_table);
	} while(owner_sub_id(reauth_subs_node_tag, n) == 0);
	return owner_sub_id(reauth_subs_node_tag, n);
}

void reauth_subs_lock(unsigned int hash)
{
	reauth_table_lock(subs_table, hash);
}

void reauth_subs_unlock(unsigned int hash)
{
	reauth_table_unlock(subs_table, hash);
}

reauth_sub_t *reauth_subs_add(reauth_sub_data_t *d)
{
	str *v[RS_FIELDS] = {&d->aor, &d->identity, &d->watcher, &d->callid,
			&d->rem_tag, &d->loc_tag, &d->rem_target, &d->route_set, &d->socket};
	reauth_sub_t *sub;
	size_t len = 0;
	char *p;
	str packed;
	int f;

	for(f = 0; f < RS_FIELDS; f++)
		len += v[f]->len + 1;
	if(len > 65535) {
		LM_ERR("subscription of %.*s: %zu bytes of dialog data, more than a"
			   " record holds\n",
				d->identity.len, d->identity.s, len);
		return NULL;
	}
	sub = shm_malloc(sizeof(reauth_sub_t) + len);
	if(sub == NULL) {
		SHM_MEM_ERROR;
		return NULL;
	}
	memset(sub, 0, sizeof(reauth_sub_t));
	p = sub->buf;
	for(f = 0; f < RS_FIELDS; f++) {
		sub->off[f] = (unsigned short)(p - sub->buf);
		sub->len[f] = (unsigned short)v[f]->len;
		reauth_str_pack(&packed, v[f], &p);
	}
	sub->hash = reauth_subs_hash(&d->aor);
	sub->id = d->id ? d->id : reauth_subs_new_id();
	/* ids loaded from the DB push the counter past them (owner_sub_id()
	 * keeps its low bits); another node's ids are its own business */
	if(d->owner == 0)
		reauth_table_seen_id(subs_table, sub->id);
	sub->kind = (unsigned char)d->kind;
	sub->event = (unsigned char)d->event;
	sub->shard = (unsigned short)d->shard;
	sub->owner = (unsigned char)d->owner;
	sub->epoch = d->epoch;
	sub->loc_cseq = d->loc_cseq;
	sub->rem_cseq = d->rem_cseq;
	sub->version = d->version;
	sub->expires = d->expires;
	sub->dirty = d->owner == 0; /* a replica is never written here */

	reauth_table_link(subs_table, &sub->entry);
	reauth_subs_due(sub);
	return sub;
}

int reauth_sub_contact(
		str *socket, unsigned int hash, unsigned int id, char *buf, int size)
{
	char *colon = socket->len > 0 ? memchr(socket->s, ':', socket->len) : NULL;
	int plen, len;

	if(colon == NULL)
		return -1;
	plen = (int)(colon - socket->s);
	len = snprintf(buf, size, "<sip:%.*s;transport=%.*s;rsub=%x.%x>",
			socket->len - plen - 1, colon + 1, plen, socket->s, hash, id);
	return len > 0 && len < size ? len : -1;
}

void reauth_sub_view(
		const reauth_sub_t *s, reauth_sub_data_t *d, char *contact_buf)
{
	str socket = reauth_sub_str(s, RS_SOCKET);
	int len;

	memset(d, 0, sizeof(*d));
	d->aor = reauth_sub_str(s, RS_AOR);
	d->identity = reauth_sub_str(s, RS_IDENTITY);
	d->watcher = reauth_sub_str(s, RS_WATCHER);
	d->callid = reauth_sub_str(s, RS_CALLID);
	d->rem_tag = reauth_sub_str(s, RS_REM_TAG);
	d->loc_tag = reauth_sub_str(s, RS_LOC_TAG);
	d->rem_target = reauth_sub_str(s, RS_REM_TARGET);
	d->route_set = reauth_sub_str(s, RS_ROUTE_SET);
	d->socket = socket;
	len = reauth_sub_contact(
			&socket, s->hash, s->id, contact_buf, REAUTH_SUB_CONTACT_MAX);
	d->loc_contact.s = contact_buf;
	d->loc_contact.len = len > 0 ? len : 0;
	d->kind = s->kind;
	d->event = s->event;
	d->shard = s->shard;
	d->id = s->id;
	d->loc_cseq = s->loc_cseq;
	d->rem_cseq = s->rem_cseq;
	d->version = s->version;
	d->owner = s->owner;
	d->epoch = s->epoch;
	d->expires = s->expires;
}

char *reauth_sub_copy(const reauth_sub_t *s, reauth_sub_data_t *d)
{
	char contact[REAUTH_SUB_CONTACT_MAX];
	reauth_sub_data_t v;
	str *from[] = {&v.aor, &v.identity, &v.watcher, &v.callid, &v.rem_tag,
			&v.loc_tag, &v.rem_target, &v.route_set, &v.loc_contact, &v.socket};
	str *to[] = {&d->aor, &d->identity, &d->watcher, &d->callid, &d->rem_tag,
			&d->loc_tag, &d->rem_target, &d->route_set, &d->loc_contact,
			&d->socket};
	size_t len = 0, i, n = sizeof(from) / sizeof(from[0]);
	char *buf, *p;

	reauth_sub_view(s, &v, contact);
	for(i = 0; i < n; i++)
		len += from[i]->len + 1;
	if((buf = pkg_malloc(len)) == NULL) {
		PKG_MEM_ERROR;
		return NULL;
	}
	*d = v;
	p = buf;
	for(i = 0; i < n; i++)
		reauth_str_pack(to[i], from[i], &p);
	return buf;
}

reauth_sub_t *reauth_subs_find(unsigned int hash, unsigned int id)
{
	return (reauth_sub_t *)reauth_table_find(subs_table, hash, id);
}

/* exact, as usrloc compares its keys */
static int same_aor(reauth_sub_t *s, str *aor)
{
	return s->len[RS_AOR] == aor->len
		   && memcmp(s->buf + s->off[RS_AOR], aor->s, aor->len) == 0;
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
			&& reauth_table_count(subs_table) >= reauth_max_subscriptions)
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

	for(s = (reauth_sub_t *)reauth_table_first(subs_table, hash); s;
			s = s->next)
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
	reauth_table_unlink(subs_table, &sub->entry);
	shm_free(sub);
}

unsigned int reauth_subs_size(void)
{
	return subs_table->size;
}

reauth_sub_t *reauth_subs_bucket(unsigned int idx)
{
	return (reauth_sub_t *)subs_table->b[idx].first;
}

void reauth_subs_lock_idx(unsigned int idx)
{
	lock_get(&subs_table->b[idx].lock);
}

void reauth_subs_unlock_idx(unsigned int idx)
{
	lock_release(&subs_table->b[idx].lock);
}

void reauth_subs_due(reauth_sub_t *sub)
{
	reauth_table_due(subs_table, sub->hash,
			sub->dirty ? 0 : (unsigned int)sub->expires);
}

unsigned int reauth_subs_bucket_due(unsigned int idx)
{
	return subs_table->b[idx].due;
}

void reauth_subs_set_bucket_due(unsigned int idx, unsigned int due)
{
	subs_table->b[idx].due = due;
}

int reauth_subs_ready(void)
{
	return subs_table != NULL;
}

int reauth_subs_count(void)
{
	return reauth_table_count(subs_table);
}

int reauth_subs_collect(str *aor, reauth_sub_ref_t *refs, int max)
{
	unsigned int hash = reauth_subs_hash(aor);
	reauth_sub_t *s;
	int n = 0;

	reauth_subs_lock(hash);
	for(s = reauth_subs_first(hash, aor); s && n < max;
			s = reauth_subs_next(s, aor)) {
		if(s->owner)
			continue;
		refs[n].hash = s->hash;
		refs[n].id = s->id;
		refs[n].kind = s->kind;
		n++;
	}
	reauth_subs_unlock(hash);
	return n;
}

int reauth_subs_owner_of(str *aors, int n)
{
	unsigned int hash;
	reauth_sub_t *s;
	int i, owner = 0, mixed = 0;

	for(i = 0; i < n && !mixed; i++) {
		hash = reauth_subs_hash(&aors[i]);
		reauth_subs_lock(hash);
		for(s = reauth_subs_first(hash, &aors[i]); s && !mixed;
				s = reauth_subs_next(s, &aors[i])) {
			if(s->owner == 0 || (owner && s->owner != owner))
				mixed = 1;
			owner = s->owner;
		}
		reauth_subs_unlock(hash);
	}
	return mixed ? 0 : owner;
}

void reauth_subs_set_shards(unsigned int (*shard_of_identity)(str *))
{
	reauth_tentry_t *e;
	unsigned int i;

	for(i = 0; i < subs_table->size; i++) {
		lock_get(&subs_table->b[i].lock);
		for(e = subs_table->b[i].first; e; e = e->next)
		{
			str identity = reauth_sub_str((reauth_sub_t *)e, RS_IDENTITY);
			((reauth_sub_t *)e)->shard = shard_of_identity(&identity);
		}
		lock_release(&subs_table->b[i].lock);
	}
}
