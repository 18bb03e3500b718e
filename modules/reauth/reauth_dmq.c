/*
 * reauth module - the pool's nodes over DMQ (peer "reauth")
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Who runs what:
 * - the module's timer process ("reauth dmq timer", a basic utimer)
 *   broadcasts the hello and marks silent peers down; it sends through
 *   dmq (tm), never while it holds the table's lock;
 * - dmq's workers run reauth_dmq_handle() (reauth_dmq_recv.c) for every
 *   KDMQ sip:reauth@... that the script handed to dmq_handle_message()
 *   (the example configuration does so only for the pool's addresses,
 *   permissions group GRP_SCSCF); a malformed message is answered 400
 *   and logged;
 * - RPC reauth.nodes (reauth_dmq_rpc.c) copies the table under the lock
 *   and answers after.
 * The peer table and the clock are in reauth_dmq_peers.h.
 * Logs and statistics of a change of state come after the lock too.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/dprint.h"
#include "core/ip_addr.h"
#include "core/locking.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/parser/msg_parser.h"
#include "core/parser/parse_content.h"
#include "core/pt.h"
#include "core/sr_module.h"
#include "core/timer.h"
#include "core/timer_proc.h"
#include "core/timer_ticks.h"
#include "core/utils/srjson.h"
#include "modules/dmq/bind_dmq.h"

#include "pure/owner.h"

#include "reauth_dmq.h"
#include "reauth_dmq_peers.h"
#include "reauth_stats.h"

int reauth_dmq_enable = 0;
int reauth_dmq_node_timeout = 3000;
int reauth_dmq_hello_interval = 1000;

/* the timer process wakes up this often at most (ms) */
#define REAUTH_DMQ_TICK_MS 100

reauth_dmq_table_t *reauth_dmq_tab = NULL;
/* this node's DMQ server_address (dmq's parameter), copied in mod_init */
char reauth_dmq_self_addr[REAUTH_DMQ_ADDR_MAX];
int reauth_dmq_self_len = 0;
uint64_t reauth_dmq_boot = 0;
reauth_dmq_peer_f reauth_dmq_peer_handler = NULL;
static dmq_api_t reauth_dmqb;
static dmq_peer_t *reauth_dmq_peer = NULL;


static str json_ct = str_init("application/json");


int reauth_dmq_init(void)
{
	struct sr_module *dmq_mod;
	modparam_t ptype;
	str *addr;

	if(!reauth_dmq_enable)
		return 0;
	if(reauth_dmq_enable != 1) {
		LM_ERR("dmq must be 0 or 1 (is %d)\n", reauth_dmq_enable);
		return -1;
	}
	if(reauth_dmq_hello_interval < 10) {
		LM_ERR("hello_interval must be at least 10 ms (is %d)\n",
				reauth_dmq_hello_interval);
		return -1;
	}
	if(reauth_dmq_node_timeout <= reauth_dmq_hello_interval) {
		LM_ERR("node_timeout (%d ms) must be longer than hello_interval"
			   " (%d ms)\n",
				reauth_dmq_node_timeout, reauth_dmq_hello_interval);
		return -1;
	}
	dmq_mod = find_module_by_name("dmq");
	if(dmq_mod == NULL) {
		LM_ERR("modparam(\"reauth\", \"dmq\", 1) needs the dmq module:"
			   " loadmodule \"dmq.so\" (and set its server_address)\n");
		return -1;
	}
	addr = (str *)find_param_export(
			dmq_mod, "server_address", PARAM_STR, &ptype);
	if(addr == NULL || addr->s == NULL || addr->len <= 0
			|| addr->len >= REAUTH_DMQ_ADDR_MAX) {
		LM_ERR("dmq's server_address is not set (or longer than %d)\n",
				REAUTH_DMQ_ADDR_MAX - 1);
		return -1;
	}
	memcpy(reauth_dmq_self_addr, addr->s, addr->len);
	reauth_dmq_self_addr[addr->len] = '\0';
	reauth_dmq_self_len = addr->len;
	if(dmq_load_api(&reauth_dmqb) != 0) {
		LM_ERR("cannot bind the dmq API\n");
		return -1;
	}
	reauth_dmq_tab = shm_malloc(sizeof(*reauth_dmq_tab));
	if(reauth_dmq_tab == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(reauth_dmq_tab, 0, sizeof(*reauth_dmq_tab));
	if(lock_init(&reauth_dmq_tab->lock) == NULL) {
		LM_ERR("cannot init the dmq peers lock\n");
		shm_free(reauth_dmq_tab);
		reauth_dmq_tab = NULL;
		return -1;
	}
	/* a restarted node says so in its hellos: its peers resend it what
	 * they own (reauth_takeover.c) */
	reauth_dmq_boot = (uint64_t)time(NULL) * 1000 + (uint64_t)getpid() % 1000;
	if(register_basic_timers(1) < 0) {
		LM_ERR("cannot register the reauth dmq timer process\n");
		return -1;
	}
	LM_INFO("dmq: this node is %s, a hello every %d ms, a peer silent for"
			" %d ms is down\n",
			reauth_dmq_self_addr, reauth_dmq_hello_interval, reauth_dmq_node_timeout);
	return 0;
}

void reauth_dmq_destroy(void)
{
	if(reauth_dmq_tab == NULL)
		return;
	lock_destroy(&reauth_dmq_tab->lock);
	shm_free(reauth_dmq_tab);
	reauth_dmq_tab = NULL;
}

/* dmq calls these once per KDMQ request sent to a node, when its
 * transaction completes (an answer, or 408): dmq_sent counts there,
 * bcast_message() does not say to how many nodes it sent */
static int reauth_dmq_resp(
		struct sip_msg *msg, int code, dmq_node_t *node, void *param)
{
	reauth_stats_add(REAUTH_STAT_DMQ_SENT, 1);
	if(code >= 300 && code != 408 && node != NULL)
		LM_WARN("dmq peer %.*s answered a reauth hello with %d\n",
				node->orig_uri.len, node->orig_uri.s, code);
	return 0;
}

static dmq_resp_cback_t hello_cb = {reauth_dmq_resp, 0};

/* the hello: {"type":"hello","node":"<server_address>","epoch":N} */
static void send_hello(void)
{
	srjson_doc_t jdoc;
	uint64_t epoch;
	str body;

	lock_get(&reauth_dmq_tab->lock);
	epoch = reauth_dmq_tab->epoch_seen;
	lock_release(&reauth_dmq_tab->lock);

	srjson_InitDoc(&jdoc, NULL);
	jdoc.root = srjson_CreateObject(&jdoc);
	if(jdoc.root == NULL) {
		LM_ERR("cannot build a hello (no memory)\n");
		return;
	}
	srjson_AddStringToObject(&jdoc, jdoc.root, "type", "hello");
	srjson_AddStrToObject(&jdoc, jdoc.root, "node", reauth_dmq_self_addr, reauth_dmq_self_len);
	srjson_AddNumberToObject(&jdoc, jdoc.root, "epoch", (double)epoch);
	srjson_AddNumberToObject(&jdoc, jdoc.root, "boot", (double)reauth_dmq_boot);
	body.s = srjson_PrintUnformatted(&jdoc, jdoc.root);
	if(body.s == NULL) {
		LM_ERR("cannot print a hello (no memory)\n");
		srjson_DestroyDoc(&jdoc);
		return;
	}
	body.len = strlen(body.s);
	if(reauth_dmqb.bcast_message(
			   reauth_dmq_peer, &body, NULL, &hello_cb, 1, &json_ct)
			< 0)
		LM_ERR("cannot broadcast the reauth hello\n");
	jdoc.free_fn(body.s);
	srjson_DestroyDoc(&jdoc);
}

int reauth_dmq_bcast(str *body)
{
	int slots[REAUTH_DMQ_MAX_PEERS];
	int i, n = 0, failed = 0;

	if(reauth_dmq_peer == NULL)
		return -1;
	/* to the peers this node sees up, one by one: a node that is down
	 * (or not heard yet) gets nothing, not even tm's late retransmissions
	 * of what it missed; it learns the state when it comes up
	 * (reauth_takeover.c) */
	lock_get(&reauth_dmq_tab->lock);
	for(i = 0; i < reauth_dmq_tab->n; i++)
		if(reauth_dmq_tab->peers[i].up)
			slots[n++] = i;
	lock_release(&reauth_dmq_tab->lock);
	for(i = 0; i < n; i++)
		if(reauth_dmq_send(slots[i], body, NULL, NULL) < 0)
			failed++;
	return failed ? -1 : 0;
}

/* the answer to a unicast: the caller's function and parameter, packed in
 * the callback's param (dmq copies the callback struct per message) */
typedef struct dmq_answer
{
	reauth_dmq_answer_f fn;
	void *param;
} dmq_answer_t;

static int reauth_dmq_send_resp(
		struct sip_msg *msg, int code, dmq_node_t *node, void *param)
{
	dmq_answer_t *a = (dmq_answer_t *)param;

	if(code >= 300 && code != 408 && node != NULL)
		LM_WARN("dmq peer %.*s answered a reauth message with %d\n",
				node->orig_uri.len, node->orig_uri.s, code);
	if(a == NULL)
		return 0;
	if(a->fn)
		a->fn(code, a->param);
	shm_free(a);
	return 0;
}

int reauth_dmq_send(int slot, str *body, reauth_dmq_answer_f answered,
		void *param)
{
	char addr[REAUTH_DMQ_ADDR_MAX];
	dmq_resp_cback_t cb = {reauth_dmq_send_resp, NULL};
	dmq_answer_t *a = NULL;
	dmq_node_t *node;
	str uri;
	int up;

	if(reauth_dmq_peer == NULL
			|| reauth_dmq_peer_addr(slot, addr, sizeof(addr), &up) < 0)
		return -1;
	uri.s = addr;
	uri.len = strlen(addr);
	node = reauth_dmqb.find_dmq_node_uri(&uri);
	if(node == NULL) {
		LM_ERR("dmq does not know the node %s: reauth message not sent\n",
				addr);
		return -1;
	}
	if(answered) {
		if((a = shm_malloc(sizeof(*a))) == NULL) {
			SHM_MEM_ERROR;
			return -1;
		}
		a->fn = answered;
		a->param = param;
		cb.param = a;
	}
	if(reauth_dmqb.send_message(reauth_dmq_peer, body, node, &cb, 1, &json_ct)
			< 0) {
		LM_ERR("cannot send a reauth message to %s\n", addr);
		if(a)
			shm_free(a);
		return -1;
	}
	reauth_stats_add(REAUTH_STAT_DMQ_SENT, 1);
	return 0;
}

int reauth_dmq_peer_is_up(int slot)
{
	int up = 0;

	if(reauth_dmq_tab == NULL || slot < 0)
		return 0;
	lock_get(&reauth_dmq_tab->lock);
	if(slot < reauth_dmq_tab->n)
		up = reauth_dmq_tab->peers[slot].up;
	lock_release(&reauth_dmq_tab->lock);
	return up;
}

int reauth_dmq_pick(const char *key, int klen)
{
	owner_node_t nodes[REAUTH_DMQ_MAX_PEERS + 1];
	int slots[REAUTH_DMQ_MAX_PEERS + 1];
	int i, n = 0, k, slot = -1;

	if(reauth_dmq_tab == NULL)
		return -1;
	nodes[n].addr = reauth_dmq_self_addr;
	nodes[n].len = reauth_dmq_self_len;
	nodes[n].alive = 1;
	slots[n++] = -1;
	/* only hashing under the lock */
	lock_get(&reauth_dmq_tab->lock);
	for(i = 0; i < reauth_dmq_tab->n; i++) {
		if(!reauth_dmq_tab->peers[i].up)
			continue;
		nodes[n].addr = reauth_dmq_tab->peers[i].addr;
		nodes[n].len = reauth_dmq_tab->peers[i].addr_len;
		nodes[n].alive = 1;
		slots[n++] = i;
	}
	k = owner_pick(key, (size_t)klen, nodes, n);
	if(k >= 0)
		slot = slots[k];
	lock_release(&reauth_dmq_tab->lock);
	return slot;
}

void reauth_dmq_set_peer_handler(reauth_dmq_peer_f f)
{
	reauth_dmq_peer_handler = f;
}

void reauth_dmq_peer_taken(int slot, int taken)
{
	if(reauth_dmq_tab == NULL || slot < 0)
		return;
	lock_get(&reauth_dmq_tab->lock);
	if(slot < reauth_dmq_tab->n)
		reauth_dmq_tab->peers[slot].taken = taken;
	lock_release(&reauth_dmq_tab->lock);
}

const char *reauth_dmq_self(int *len)
{
	if(reauth_dmq_tab == NULL)
		return NULL;
	*len = reauth_dmq_self_len;
	return reauth_dmq_self_addr;
}

int reauth_dmq_peer_slot(const char *addr, int len)
{
	int i, slot = -1;

	if(reauth_dmq_tab == NULL)
		return -1;
	lock_get(&reauth_dmq_tab->lock);
	for(i = 0; i < reauth_dmq_tab->n; i++) {
		if(reauth_dmq_tab->peers[i].addr_len == len
				&& memcmp(reauth_dmq_tab->peers[i].addr, addr, len) == 0) {
			slot = i;
			break;
		}
	}
	lock_release(&reauth_dmq_tab->lock);
	return slot;
}

int reauth_dmq_peer_addr(int slot, char *buf, int size, int *up)
{
	int rc = -1;

	if(reauth_dmq_tab == NULL || slot < 0 || slot >= REAUTH_DMQ_MAX_PEERS)
		return -1;
	lock_get(&reauth_dmq_tab->lock);
	if(slot < reauth_dmq_tab->n && reauth_dmq_tab->peers[slot].addr_len < size) {
		memcpy(buf, reauth_dmq_tab->peers[slot].addr,
				reauth_dmq_tab->peers[slot].addr_len + 1);
		*up = reauth_dmq_tab->peers[slot].up;
		rc = 0;
	}
	lock_release(&reauth_dmq_tab->lock);
	return rc;
}

/* peers silent for longer than node_timeout go down (logged, counted
 * after the lock) */
static void check_peers(uint32_t now)
{
	struct
	{
		char addr[REAUTH_DMQ_ADDR_MAX];
		uint32_t silence;
		int slot;
	} down[REAUTH_DMQ_MAX_PEERS];
	int i, ndown = 0;
	reauth_dmq_peer_t *p;

	lock_get(&reauth_dmq_tab->lock);
	for(i = 0; i < reauth_dmq_tab->n; i++) {
		p = &reauth_dmq_tab->peers[i];
		if(!p->up
				|| owner_peer_alive(
						p->last_seen, now, (uint32_t)reauth_dmq_node_timeout))
			continue;
		p->up = 0;
		memcpy(down[ndown].addr, p->addr, p->addr_len + 1);
		down[ndown].silence = ms_since(p->last_seen, now);
		down[ndown].slot = i;
		ndown++;
	}
	lock_release(&reauth_dmq_tab->lock);
	for(i = 0; i < ndown; i++) {
		LM_NOTICE("dmq peer %s is down: no hello for %u ms (node_timeout"
				  " %d ms)\n",
				down[i].addr, down[i].silence, reauth_dmq_node_timeout);
		reauth_stats_add(REAUTH_STAT_DMQ_PEERS_UP, -1);
		reauth_stats_add(REAUTH_STAT_DMQ_PEER_DOWN, 1);
		if(reauth_dmq_peer_handler)
			reauth_dmq_peer_handler(down[i].slot, REAUTH_PEER_DOWN, 0);
	}
}

static void reauth_dmq_timer(unsigned int ticks, void *param)
{
	static uint32_t last_hello;
	static int started = 0;
	uint32_t now = now_ms();

	if(!started || now - last_hello >= (uint32_t)reauth_dmq_hello_interval) {
		started = 1;
		last_hello = now;
		send_hello();
	}
	check_peers(now);
}

int reauth_dmq_child_init(int rank)
{
	dmq_peer_t peer;
	int tick;

	if(!reauth_dmq_enable)
		return 0;
	if(rank == PROC_INIT) {
		/* after every mod_init: dmq's peer list exists whatever the order
		 * of loadmodule */
		memset(&peer, 0, sizeof(peer));
		peer.callback = reauth_dmq_handle;
		peer.init_callback = NULL;
		peer.peer_id.s = "reauth";
		peer.peer_id.len = 6;
		peer.description.s = "reauth";
		peer.description.len = 6;
		reauth_dmq_peer = reauth_dmqb.register_dmq_peer(&peer);
		if(reauth_dmq_peer == NULL) {
			LM_ERR("cannot register the dmq peer \"reauth\"\n");
			return -1;
		}
		return 0;
	}
	if(rank != PROC_MAIN)
		return 0;
	tick = reauth_dmq_hello_interval < REAUTH_DMQ_TICK_MS
				   ? reauth_dmq_hello_interval
				   : REAUTH_DMQ_TICK_MS;
	if(fork_basic_utimer(PROC_TIMER, "reauth dmq timer", 1, reauth_dmq_timer,
			   NULL, tick * 1000)
			< 0) {
		LM_ERR("cannot fork the reauth dmq timer process\n");
		return -1;
	}
	return 0;
}
