/*
 * reauth module - unit tests of pure/owner (rendezvous hashing, epochs)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Everything here is deterministic: the keys are generated, the hash has
 * no seed, so a bound that holds once holds on every run and host.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../modules/reauth/pure/owner.h"

#define N_KEYS 3000

static const char *addrs[] = {"sip:127.0.0.1:5060", "sip:127.0.0.1:5062",
		"sip:127.0.0.1:5064", "sip:127.0.0.2:5060"};

static void nodes_init(owner_node_t *nodes, size_t n)
{
	size_t i;

	for(i = 0; i < n; i++) {
		nodes[i].addr = addrs[i];
		nodes[i].len = strlen(addrs[i]);
		nodes[i].alive = 1;
	}
}

static int key_of(int i, char *buf, size_t size)
{
	return snprintf(buf, size, "sip:user%d@ims.test", i);
}

/* the owner's address (not its index) of key i */
static const char *owner_of(int i, const owner_node_t *nodes, size_t n)
{
	char key[64];
	int len, k;

	len = key_of(i, key, sizeof(key));
	k = owner_pick(key, (size_t)len, nodes, n);
	return k < 0 ? NULL : nodes[k].addr;
}

static void test_weight_stable(void **state)
{
	(void)state;
	/* pinned: every node of a pool (and every version of the module in
	 * a rolling upgrade) must compute the same weights */
	assert_int_equal(owner_weight("sip:alice@ims.test", 18, addrs[0], 18),
			owner_weight("sip:alice@ims.test", 18, addrs[0], 18));
	assert_true(owner_weight("sip:alice@ims.test", 18, addrs[0], 18)
				== UINT64_C(0x7e448ae4958b7403));
	/* the node and the key matter, and where one ends */
	assert_true(owner_weight("k", 1, addrs[0], 18)
				!= owner_weight("k", 1, addrs[1], 18));
	assert_true(owner_weight("ab", 2, "c", 1) != owner_weight("a", 1, "bc", 2));
	/* empty key: defined, no read */
	assert_true(owner_weight("", 0, addrs[0], 18)
				!= owner_weight("", 0, addrs[1], 18));
}

static void test_pick_spreads(void **state)
{
	owner_node_t nodes[3];
	int count[3] = {0, 0, 0};
	int i, j;
	const char *o;

	(void)state;
	nodes_init(nodes, 3);
	for(i = 0; i < N_KEYS; i++) {
		o = owner_of(i, nodes, 3);
		assert_non_null(o);
		for(j = 0; j < 3; j++)
			if(o == nodes[j].addr)
				count[j]++;
	}
	for(j = 0; j < 3; j++) {
		/* 1000 expected; a binomial's sd is ~26 */
		if(count[j] < 850 || count[j] > 1150)
			fail_msg("node %d owns %d of %d keys", j, count[j], N_KEYS);
	}
}

static void test_pick_order_independent(void **state)
{
	owner_node_t nodes[4], rev[4];
	int i;

	(void)state;
	nodes_init(nodes, 4);
	for(i = 0; i < 4; i++)
		rev[i] = nodes[3 - i];
	for(i = 0; i < N_KEYS; i++)
		assert_string_equal(owner_of(i, nodes, 4), owner_of(i, rev, 4));
}

/* a node goes down: only its keys move, and they spread over the others */
static void test_pick_remove_moves_only_its_keys(void **state)
{
	owner_node_t nodes[3];
	const char *before[N_KEYS];
	int moved_to[3] = {0, 0, 0};
	int i, j, moved = 0;
	const char *after;

	(void)state;
	nodes_init(nodes, 3);
	for(i = 0; i < N_KEYS; i++)
		before[i] = owner_of(i, nodes, 3);
	nodes[1].alive = 0;
	for(i = 0; i < N_KEYS; i++) {
		after = owner_of(i, nodes, 3);
		assert_non_null(after);
		assert_ptr_not_equal(after, nodes[1].addr);
		if(before[i] != nodes[1].addr) {
			if(after != before[i])
				fail_msg("key %d moved from %s to %s, its owner is alive", i,
						before[i], after);
			continue;
		}
		moved++;
		for(j = 0; j < 3; j++)
			if(after == nodes[j].addr)
				moved_to[j]++;
	}
	assert_true(moved > 850 && moved < 1150);
	/* the dead node's share is split, not handed to one survivor */
	assert_true(moved_to[0] > moved / 3);
	assert_true(moved_to[2] > moved / 3);
	assert_int_equal(moved_to[0] + moved_to[2], moved);

	/* it comes back: exactly its keys go back to it */
	nodes[1].alive = 1;
	for(i = 0; i < N_KEYS; i++)
		assert_ptr_equal(owner_of(i, nodes, 3), before[i]);
}

/* a fourth node joins: keys move only to it, about a quarter of them */
static void test_pick_add_moves_only_to_new(void **state)
{
	owner_node_t nodes[4];
	const char *before[N_KEYS];
	const char *after;
	int i, moved = 0;

	(void)state;
	nodes_init(nodes, 4);
	nodes[3].alive = 0;
	for(i = 0; i < N_KEYS; i++)
		before[i] = owner_of(i, nodes, 4);
	nodes[3].alive = 1;
	for(i = 0; i < N_KEYS; i++) {
		after = owner_of(i, nodes, 4);
		if(after != before[i]) {
			assert_ptr_equal(after, nodes[3].addr);
			moved++;
		}
	}
	assert_true(moved > 600 && moved < 900);
}

static void test_pick_edges(void **state)
{
	owner_node_t nodes[3];

	(void)state;
	nodes_init(nodes, 3);
	assert_int_equal(owner_pick("k", 1, NULL, 3), -1);
	assert_int_equal(owner_pick(NULL, 0, nodes, 3), -1);
	assert_int_equal(owner_pick("k", 1, nodes, 0), -1);
	nodes[0].alive = nodes[1].alive = nodes[2].alive = 0;
	assert_int_equal(owner_pick("k", 1, nodes, 3), -1);
	nodes[2].alive = 1;
	assert_int_equal(owner_pick("k", 1, nodes, 3), 2);
	/* a node without an address never owns anything */
	nodes[0].alive = 1;
	nodes[0].len = 0;
	assert_int_equal(owner_pick("k", 1, nodes, 3), 2);
}

static void test_peer_alive(void **state)
{
	(void)state;
	assert_true(owner_peer_alive(1000, 1000, 3000));
	assert_true(owner_peer_alive(1000, 4000, 3000));
	assert_false(owner_peer_alive(1000, 4001, 3000));
	assert_false(owner_peer_alive(0, 100000, 3000));
	/* the clock wraps between the hello and now */
	assert_true(owner_peer_alive(UINT32_MAX - 999, 2000, 3000));
	assert_false(owner_peer_alive(UINT32_MAX - 999, 2001, 3000));
	/* heard "after" now (another process read the clock later) */
	assert_true(owner_peer_alive(5000, 4990, 3000));
}

static void test_check_msg(void **state)
{
	const char *a = addrs[0], *b = addrs[1];
	owner_rec_t rec = {a, 18, 5};

	(void)state;
	assert_int_equal(owner_check_msg(NULL, b, 18, 0), OWNER_ADOPT);
	assert_int_equal(owner_check_msg(&rec, a, 18, 5), OWNER_ACCEPT);
	assert_int_equal(owner_check_msg(&rec, a, 18, 4), OWNER_IGNORE_STALE);
	assert_int_equal(owner_check_msg(&rec, b, 18, 4), OWNER_IGNORE_STALE);
	assert_int_equal(owner_check_msg(&rec, b, 18, 5), OWNER_IGNORE_NOT_OWNER);
	assert_int_equal(owner_check_msg(&rec, a, 17, 5), OWNER_IGNORE_NOT_OWNER);
	assert_int_equal(owner_check_msg(&rec, NULL, 0, 5), OWNER_IGNORE_NOT_OWNER);
	assert_int_equal(owner_check_msg(&rec, b, 18, 6), OWNER_ADOPT);
	assert_true(owner_verdict_applies(OWNER_ACCEPT));
	assert_true(owner_verdict_applies(OWNER_ADOPT));
	assert_false(owner_verdict_applies(OWNER_IGNORE_STALE));
	assert_false(owner_verdict_applies(OWNER_IGNORE_NOT_OWNER));
	assert_true(owner_epoch_max(3, 7) == 7);
	assert_true(owner_epoch_max(7, 3) == 7);
}

/* node 1 dies: for every one of its keys exactly one survivor claims it,
 * with the expected old owner and epoch and the epoch raised by one */
static void test_claim_one_survivor_each(void **state)
{
	owner_node_t nodes[3];
	owner_claim_t claim;
	owner_rec_t rec;
	char key[64];
	int i, len, claims, rc;
	size_t self;

	(void)state;
	nodes_init(nodes, 3);
	for(i = 0; i < N_KEYS; i++) {
		len = key_of(i, key, sizeof(key));
		rec.owner = owner_of(i, nodes, 3);
		rec.owner_len = strlen(rec.owner);
		rec.epoch = (uint64_t)i;
		/* all alive: nobody claims */
		for(self = 0; self < 3; self++)
			assert_int_equal(
					owner_claim(key, (size_t)len, &rec, nodes, 3, self, &claim),
					OWNER_CLAIM_NOT_DEAD);
		if(rec.owner != nodes[1].addr)
			continue;
		nodes[1].alive = 0;
		claims = 0;
		for(self = 0; self < 3; self += 2) {
			memset(&claim, 0, sizeof(claim));
			rc = owner_claim(key, (size_t)len, &rec, nodes, 3, self, &claim);
			if(rc == OWNER_CLAIM_NOT_MINE)
				continue;
			assert_int_equal(rc, OWNER_CLAIM);
			claims++;
			assert_ptr_equal(claim.expect_owner, nodes[1].addr);
			assert_int_equal(claim.expect_owner_len, nodes[1].len);
			assert_true(claim.expect_epoch == (uint64_t)i);
			assert_true(claim.new_epoch == (uint64_t)i + 1);
			/* the claimer is the node the hashing picks */
			assert_int_equal(owner_pick(key, (size_t)len, nodes, 3), (int)self);
		}
		assert_int_equal(claims, 1);
		/* the dead node cannot claim */
		assert_int_equal(
				owner_claim(key, (size_t)len, &rec, nodes, 3, 1, &claim),
				OWNER_CLAIM_INVALID);
		nodes[1].alive = 1;
	}
}

/* a put about a record held here: rec owner 0 = this node, peers 1.. */
static void test_check_put(void **state)
{
	(void)state;
	/* this node's record: ignored, unless a newer epoch took it over */
	assert_int_equal(owner_check_put(0, 3, 0, 1, 3, 7), OWNER_PUT_OWN);
	assert_int_equal(owner_check_put(0, 3, 0, 1, 2, 7), OWNER_PUT_OWN);
	assert_int_equal(owner_check_put(0, 3, 0, 1, 4, 1), OWNER_PUT_TAKEN);
	/* a replica of node 1 at epoch 3, seq 5 applied */
	assert_int_equal(owner_check_put(1, 3, 5, 1, 3, 6), OWNER_PUT_APPLY);
	assert_int_equal(owner_check_put(1, 3, 5, 1, 3, 5), OWNER_PUT_OLD);
	assert_int_equal(owner_check_put(1, 3, 5, 1, 3, 4), OWNER_PUT_OLD);
	assert_int_equal(owner_check_put(1, 3, 5, 1, 3, 0), OWNER_PUT_APPLY);
	assert_int_equal(owner_check_put(1, 3, 5, 1, 2, 9), OWNER_PUT_STALE);
	assert_int_equal(owner_check_put(1, 3, 5, 2, 3, 9), OWNER_PUT_STALE);
	/* a newer epoch: whoever took it over (sequences start again) */
	assert_int_equal(owner_check_put(1, 3, 5, 2, 4, 1), OWNER_PUT_APPLY);
	/* a replica made for a trigger handed to node 2: its first put */
	assert_int_equal(owner_check_put(2, 0, 0, 2, 0, 1), OWNER_PUT_APPLY);
	assert_int_equal(owner_check_put(2, 0, 0, 1, 0, 1), OWNER_PUT_STALE);
}

static void test_claim_edges(void **state)
{
	owner_node_t nodes[2];
	owner_claim_t claim;
	owner_rec_t rec = {"sip:gone:5060", 13, UINT64_MAX};
	int self;

	(void)state;
	nodes_init(nodes, 2);
	self = owner_pick("k", 1, nodes, 2);
	assert_true(self >= 0);
	assert_int_equal(owner_claim("k", 1, &rec, nodes, 2, (size_t)self, &claim),
			OWNER_CLAIM_NO_EPOCH);
	rec.epoch = 0;
	assert_int_equal(owner_claim("k", 1, &rec, nodes, 2, (size_t)self, &claim),
			OWNER_CLAIM);
	assert_int_equal(owner_claim("k", 1, &rec, nodes, 2, 2, &claim),
			OWNER_CLAIM_INVALID);
	assert_int_equal(owner_claim("k", 1, NULL, nodes, 2, 0, &claim),
			OWNER_CLAIM_INVALID);
	assert_int_equal(
			owner_claim("k", 1, &rec, nodes, 2, 0, NULL), OWNER_CLAIM_INVALID);
	assert_int_equal(owner_claim(NULL, 0, &rec, nodes, 2, 0, &claim),
			OWNER_CLAIM_INVALID);
	rec.owner_len = 0;
	assert_int_equal(owner_claim("k", 1, &rec, nodes, 2, 0, &claim),
			OWNER_CLAIM_INVALID);
	assert_true(owner_claim_won(1));
	assert_false(owner_claim_won(0));
	assert_false(owner_claim_won(-1));
	assert_false(owner_claim_won(2));
}

/* tags: 1..255, stable, and ids keep the tag and the counter's low bits */
static void test_sub_ids(void **state)
{
	uint32_t t, id, seen[256] = {0};
	size_t i;
	char a[64];
	int distinct = 0;

	(void)state;
	assert_int_equal(owner_node_tag(NULL, 0), 0);
	assert_int_equal(owner_node_tag("sip:x", 0), 0);
	for(i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		t = owner_node_tag(addrs[i], strlen(addrs[i]));
		assert_true(t >= 1 && t <= 255);
		assert_int_equal(t, owner_node_tag(addrs[i], strlen(addrs[i])));
	}
	/* spread: 200 addresses of a pool hit many of the 255 tags */
	for(i = 0; i < 200; i++) {
		snprintf(a, sizeof(a), "sip:10.0.%zu.%zu:5060", i / 250, i % 250);
		t = owner_node_tag(a, strlen(a));
		if(seen[t]++ == 0)
			distinct++;
	}
	assert_true(distinct > 120);
	id = owner_sub_id(7, 5);
	assert_int_equal(id, (7U << 24) | 5);
	assert_int_equal(owner_sub_id_tag(id), 7);
	/* the counter's high bits are dropped, a zero low part is no id */
	assert_int_equal(owner_sub_id(7, 0x12000005), (7U << 24) | 5);
	assert_int_equal(owner_sub_id(7, 0x01000000), 0);
	/* tag 0: a single node's ids, as before */
	assert_int_equal(owner_sub_id(0, 42), 42);
	assert_int_equal(owner_sub_id(255, 0xffffff), 0xffffffffU);
}

/* sub.seq: only forward, wrap-aware, a repeat or an older one is nothing */
static void test_seq_advance(void **state)
{
	uint32_t cur = 5;

	(void)state;
	assert_true(owner_seq_advance(&cur, 6));
	assert_int_equal(cur, 6);
	assert_false(owner_seq_advance(&cur, 6));
	assert_false(owner_seq_advance(&cur, 3));
	assert_int_equal(cur, 6);
	assert_true(owner_seq_advance(&cur, 100));
	cur = 0xfffffffeU;
	assert_true(owner_seq_advance(&cur, 2)); /* wrapped */
	assert_int_equal(cur, 2);
	assert_false(owner_seq_advance(&cur, 0xfffffff0U));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_weight_stable),
			cmocka_unit_test(test_pick_spreads),
			cmocka_unit_test(test_pick_order_independent),
			cmocka_unit_test(test_pick_remove_moves_only_its_keys),
			cmocka_unit_test(test_pick_add_moves_only_to_new),
			cmocka_unit_test(test_pick_edges),
			cmocka_unit_test(test_peer_alive),
			cmocka_unit_test(test_check_msg),
			cmocka_unit_test(test_check_put),
			cmocka_unit_test(test_claim_one_survivor_each),
			cmocka_unit_test(test_claim_edges),
			cmocka_unit_test(test_sub_ids),
			cmocka_unit_test(test_seq_advance),
	};

	return cmocka_run_group_tests_name("owner", tests, NULL, NULL);
}
