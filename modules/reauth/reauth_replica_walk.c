/*
 * reauth module - walks over a worker's subscriptions for the pool
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Run by a worker for its own shard (reauth_takeover.c): each bucket is
 * locked while the records are changed and copied, the copies are sent
 * (sub.put, reauth_replica.c) after the lock.
 */

#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/socket_info.h"

#include "reauth_db.h"
#include "reauth_dmq.h"
#include "reauth_replica.h"
#include "reauth_replica_walk.h"
#include "reauth_sets.h"
#include "reauth_subs.h"

#define WALK_BATCH 64

typedef enum walk_op
{
	WALK_ADOPT,	 /* replicas of a down peer that this node takes over */
	WALK_RESEND, /* this node's own: sub.put to the pool */
	WALK_DROP	 /* own, loaded from the DB, taken over meanwhile */
} walk_op_t;

/* under the bucket lock: does op take sub (and change it)? */
static int walk_take(reauth_sub_t *sub, walk_op_t op, int slot)
{
	unsigned int user;
	str identity;

	switch(op) {
		case WALK_ADOPT:
			/* the peer that went down, and any other that is down: a
			 * survivor chosen before may have died since */
			if(sub->owner == 0 || reauth_dmq_peer_is_up(sub->owner - 1))
				return 0;
			/* keyed by the user: a user's subscriptions and procedure
			 * go to the same survivor */
			identity = reauth_sub_str(sub, RS_IDENTITY);
			user = reauth_sets_user_hash(&identity);
			return reauth_dmq_pick((char *)&user, sizeof(user)) < 0;
		case WALK_RESEND:
			return sub->owner == 0;
		case WALK_DROP:
			return sub->owner == 0 && sub->loaded;
	}
	return 0;
}

/* a listening socket of this node like sock (its protocol and address
 * family) as "proto:addr:port", NULL when it has none */
static str *local_socket(str *sock)
{
	struct socket_info **list, *si;
	int proto = PROTO_UDP, v6 = memchr(sock->s, '[', sock->len) != NULL;

	if(sock->len > 4 && strncasecmp(sock->s, "tcp:", 4) == 0)
		proto = PROTO_TCP;
	else if(sock->len > 4 && strncasecmp(sock->s, "tls:", 4) == 0)
		proto = PROTO_TLS;
	if((list = get_sock_info_list((unsigned short)proto)) == NULL)
		return NULL;
	for(si = *list; si; si = si->next)
		if((si->address.af == AF_INET6) == v6)
			return &si->sock_str;
	return NULL;
}

/* under the bucket lock: the replica becomes this node's, at the next
 * epoch, on this node's socket (the Contact of its next NOTIFY names
 * this node: the watcher's refreshes come here); the new record, NULL
 * when out of memory (the replica then stays) */
static reauth_sub_t *adopt(reauth_sub_t *old)
{
	reauth_sub_data_t d;
	reauth_sub_t *sub;
	char *buf;
	str *sock;

	if((buf = reauth_sub_copy(old, &d)) == NULL)
		return NULL;
	d.owner = 0;
	d.epoch = old->epoch + 1;
	if((sock = local_socket(&d.socket)) != NULL)
		d.socket = *sock;
	reauth_subs_remove(old);
	sub = reauth_subs_add(&d);
	pkg_free(buf);
	if(sub == NULL) {
		LM_ERR("subscription %u of a node that is down lost in its takeover"
			   " (out of shared memory)\n",
				d.id);
		return NULL;
	}
	sub->dirty = 1;
	if(reauth_db_mode != REAUTH_DB_NONE)
		reauth_db_sub_put(sub);
	return sub;
}

int reauth_replica_walk(unsigned int shard, int op, int slot)
{
	reauth_sub_data_t d[WALK_BATCH];
	char *bufs[WALK_BATCH];
	reauth_sub_t *sub, *next;
	unsigned int idx, size = reauth_subs_size();
	int n, i, total = 0;

	for(idx = 0; idx < size; idx++) {
		if(reauth_subs_bucket(idx) == NULL)
			continue;
		n = 0;
		reauth_subs_lock_idx(idx);
		for(sub = reauth_subs_bucket(idx); sub && n < WALK_BATCH; sub = next) {
			next = sub->next;
			if(sub->shard != shard || !walk_take(sub, (walk_op_t)op, slot))
				continue;
			if(op == WALK_DROP) {
				if(sub->in_db)
					reauth_db_sub_del(sub->id);
				reauth_subs_remove(sub);
				total++;
				continue;
			}
			if(op == WALK_ADOPT && (sub = adopt(sub)) == NULL)
				continue;
			if((bufs[n] = reauth_sub_copy(sub, &d[n])) != NULL)
				n++;
		}
		reauth_subs_unlock_idx(idx);
		/* sent after the lock (a bucket with more than WALK_BATCH: the
		 * rest is resent by their next change) */
		for(i = 0; i < n; i++) {
			/* a peer that came up hears this node's own; a takeover
			 * tells every node */
			if(op == WALK_RESEND)
				reauth_replica_send_put_to(&d[i], slot);
			else
				reauth_replica_send_put(&d[i]);
			pkg_free(bufs[i]);
		}
		total += n;
	}
	return total;
}
