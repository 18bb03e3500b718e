/*
 * reauth module - the pool's nodes over DMQ: RPC reauth.nodes and
 * reauth.owner (copies under the table's lock, answers after)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdint.h>
#include <string.h>

#include "core/dprint.h"
#include "core/locking.h"
#include "core/mem/mem.h"

#include "pure/owner.h"

#include "reauth_dmq.h"
#include "reauth_dmq_peers.h"

const char *reauth_dmq_rpc_nodes_doc[2] = {
		"The pool's nodes this node hears from over DMQ (modparam dmq 1):"
		" address, state (up: a hello within node_timeout; down), ms since"
		" the last hello, the highest epoch it announced, hellos received",
		0};

void reauth_dmq_rpc_nodes(rpc_t *rpc, void *ctx)
{
	reauth_dmq_peer_t *snap;
	int i, n;
	uint32_t now;
	void *th;

	if(reauth_dmq_tab == NULL) {
		rpc->fault(ctx, 503, "dmq is off (modparam reauth dmq 0)");
		return;
	}
	snap = pkg_malloc(sizeof(reauth_dmq_tab->peers));
	if(snap == NULL) {
		PKG_MEM_ERROR;
		rpc->fault(ctx, 500, "no memory");
		return;
	}
	lock_get(&reauth_dmq_tab->lock);
	n = reauth_dmq_tab->n;
	memcpy(snap, reauth_dmq_tab->peers, n * sizeof(*snap));
	lock_release(&reauth_dmq_tab->lock);
	now = now_ms();
	for(i = 0; i < n; i++) {
		if(rpc->add(ctx, "{", &th) < 0) {
			rpc->fault(ctx, 500, "internal error creating response");
			break;
		}
		rpc->struct_add(th, "ssuJu", "address", snap[i].addr, "state",
				snap[i].up ? "up" : "down", "last_seen_ms_ago",
				(unsigned int)ms_since(snap[i].last_seen, now), "epoch",
				(unsigned long long)snap[i].epoch, "hellos",
				(unsigned int)snap[i].hellos);
	}
	pkg_free(snap);
}

/* the owner of key among this node and the peers up (reauth_dmq_pick):
 * its address into owner (size bytes, NUL-terminated); *up: how many
 * nodes were counted. 1: this node, 0: another, -1 error */
static int owner_of(const str *key, char *owner, int size, int *up)
{
	int i, slot, peer_up;

	*up = 1;
	lock_get(&reauth_dmq_tab->lock);
	for(i = 0; i < reauth_dmq_tab->n; i++)
		*up += reauth_dmq_tab->peers[i].up ? 1 : 0;
	lock_release(&reauth_dmq_tab->lock);
	slot = reauth_dmq_pick(key->s, key->len);
	if(slot < 0) {
		if(reauth_dmq_self_len >= size)
			return -1;
		memcpy(owner, reauth_dmq_self_addr, reauth_dmq_self_len + 1);
		return 1;
	}
	return reauth_dmq_peer_addr(slot, owner, size, &peer_up) < 0 ? -1 : 0;
}

const char *reauth_dmq_rpc_owner_doc[2] = {
		"The node that owns a key (a subscription id or an identity, as"
		" given) by rendezvous hashing over this node and the nodes it sees"
		" up: owner, self (yes/no), nodes counted. A dead node's records"
		" are taken over by the node this names for their key",
		0};

void reauth_dmq_rpc_owner(rpc_t *rpc, void *ctx)
{
	char owner[REAUTH_DMQ_ADDR_MAX];
	str key = STR_NULL;
	int rc, up = 0;
	void *th;

	if(reauth_dmq_tab == NULL) {
		rpc->fault(ctx, 503, "dmq is off (modparam reauth dmq 0)");
		return;
	}
	if(rpc->scan(ctx, "S", &key) < 1 || key.len <= 0) {
		rpc->fault(ctx, 400, "missing key");
		return;
	}
	rc = owner_of(&key, owner, sizeof(owner), &up);
	if(rc < 0) {
		rpc->fault(ctx, 500, "no owner");
		return;
	}
	if(rpc->add(ctx, "{", &th) < 0) {
		rpc->fault(ctx, 500, "internal error creating response");
		return;
	}
	rpc->struct_add(th, "Sssd", "key", &key, "owner", owner, "self",
			rc == 1 ? "yes" : "no", "nodes", up);
}
