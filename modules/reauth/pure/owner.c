/*
 * reauth module - who acts for a record in a pool of nodes
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include "owner.h"

#define FNV64_OFFSET 0xcbf29ce484222325ULL
#define FNV64_PRIME 0x100000001b3ULL

static uint64_t fnv1a(uint64_t h, const char *s, size_t len)
{
	size_t i;

	for(i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= FNV64_PRIME;
	}
	return h;
}

/* MurmurHash3's 64-bit finalizer: every input bit reaches every output
 * bit, so weights of nodes with similar addresses are unrelated */
static uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

uint64_t owner_weight(
		const char *key, size_t klen, const char *node, size_t nlen)
{
	uint64_t h;

	/* the lengths are hashed too: ("ab", "c") and ("a", "bc") differ */
	h = fnv1a(FNV64_OFFSET, key, klen);
	h = fmix64(h ^ (uint64_t)klen);
	h = fnv1a(h, node, nlen);
	return fmix64(h ^ ((uint64_t)nlen << 32));
}

/* <0, 0, >0 as memcmp, then the shorter first */
static int addr_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c;

	c = memcmp(a, b, alen < blen ? alen : blen);
	if(c != 0)
		return c;
	return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

int owner_pick(
		const char *key, size_t klen, const owner_node_t *nodes, size_t n)
{
	size_t i;
	int best = -1;
	uint64_t w, best_w = 0;

	if(key == NULL || nodes == NULL)
		return -1;
	for(i = 0; i < n; i++) {
		if(!nodes[i].alive || nodes[i].addr == NULL || nodes[i].len == 0)
			continue;
		w = owner_weight(key, klen, nodes[i].addr, nodes[i].len);
		if(best < 0 || w > best_w
				|| (w == best_w
						&& addr_cmp(nodes[i].addr, nodes[i].len,
								   nodes[best].addr, nodes[best].len)
								   < 0)) {
			best = (int)i;
			best_w = w;
		}
	}
	return best;
}

int owner_peer_alive(
		uint32_t last_seen_ms, uint32_t now_ms, uint32_t timeout_ms)
{
	/* unsigned difference: right across a wrap of the clock; a last_seen
	 * "in the future" (another process's clock read a bit later) is a
	 * silence of 0 */
	uint32_t silence = now_ms - last_seen_ms;

	if(silence > UINT32_MAX / 2)
		return 1;
	return silence <= timeout_ms;
}

static int same_addr(const char *a, size_t alen, const char *b, size_t blen)
{
	return a != NULL && b != NULL && alen == blen && memcmp(a, b, alen) == 0;
}

owner_verdict_t owner_check_msg(const owner_rec_t *rec, const char *from,
		size_t from_len, uint64_t msg_epoch)
{
	if(rec == NULL)
		return OWNER_ADOPT;
	if(msg_epoch < rec->epoch)
		return OWNER_IGNORE_STALE;
	if(msg_epoch > rec->epoch)
		return OWNER_ADOPT;
	if(same_addr(rec->owner, rec->owner_len, from, from_len))
		return OWNER_ACCEPT;
	return OWNER_IGNORE_NOT_OWNER;
}

owner_put_t owner_check_put(uint32_t rec_owner, uint32_t rec_epoch,
		uint32_t rec_seq, uint32_t from, uint32_t msg_epoch, uint32_t msg_seq)
{
	if(rec_owner == 0)
		return msg_epoch > rec_epoch ? OWNER_PUT_TAKEN : OWNER_PUT_OWN;
	if(msg_epoch < rec_epoch)
		return OWNER_PUT_STALE;
	if(msg_epoch > rec_epoch)
		return OWNER_PUT_APPLY;
	if(rec_owner != from)
		return OWNER_PUT_STALE;
	if(msg_seq != 0 && msg_seq <= rec_seq)
		return OWNER_PUT_OLD;
	return OWNER_PUT_APPLY;
}

owner_claim_rc_t owner_claim(const char *key, size_t klen,
		const owner_rec_t *rec, const owner_node_t *nodes, size_t n,
		size_t self, owner_claim_t *claim)
{
	size_t i;
	int chosen;

	if(key == NULL || rec == NULL || rec->owner == NULL || rec->owner_len == 0
			|| nodes == NULL || self >= n || claim == NULL
			|| !nodes[self].alive)
		return OWNER_CLAIM_INVALID;
	for(i = 0; i < n; i++) {
		if(nodes[i].alive
				&& same_addr(nodes[i].addr, nodes[i].len, rec->owner,
						rec->owner_len))
			return OWNER_CLAIM_NOT_DEAD;
	}
	chosen = owner_pick(key, klen, nodes, n);
	if(chosen < 0 || (size_t)chosen != self)
		return OWNER_CLAIM_NOT_MINE;
	if(rec->epoch == UINT64_MAX)
		return OWNER_CLAIM_NO_EPOCH;
	claim->expect_owner = rec->owner;
	claim->expect_owner_len = rec->owner_len;
	claim->expect_epoch = rec->epoch;
	claim->new_epoch = rec->epoch + 1;
	return OWNER_CLAIM;
}

uint32_t owner_node_tag(const char *addr, size_t len)
{
	if(addr == NULL || len == 0)
		return 0;
	/* the weight of a fixed key for the node: any node computes it */
	return (uint32_t)(owner_weight("sub-id-tag", 10, addr, len) % 255) + 1;
}
