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
 * - dmq's workers run reauth_dmq_handle() for every KDMQ sip:reauth@...
 *   that the script handed to dmq_handle_message() (the example
 *   configuration does so only for the pool's addresses, permissions
 *   group GRP_SCSCF); a malformed message is answered 400 and logged;
 * - RPC reauth.nodes copies the table under the lock and answers after.
 * Logs and statistics of a change of state come after the lock too.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

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
#include "reauth_stats.h"

int reauth_dmq_enable = 0;
int reauth_dmq_node_timeout = 3000;
int reauth_dmq_hello_interval = 1000;

/* the timer process wakes up this often at most (ms) */
#define REAUTH_DMQ_TICK_MS 100
/* srjson numbers are doubles: integers are exact up to 2^53 */
#define REAUTH_DMQ_EPOCH_MAX 9007199254740992.0

typedef struct reauth_dmq_peer
{
	char addr[REAUTH_DMQ_ADDR_MAX];
	int addr_len;
	uint32_t last_seen; /* ms, now_ms() of the receiving process */
	int up;
	uint64_t epoch; /* the highest epoch it announced */
	unsigned long hellos;
} reauth_dmq_peer_t;

typedef struct reauth_dmq_table
{
	gen_lock_t lock;
	uint64_t epoch_seen; /* the highest epoch this node has seen */
	int n;
	reauth_dmq_peer_t peers[REAUTH_DMQ_MAX_PEERS];
} reauth_dmq_table_t;

static reauth_dmq_table_t *dmq_table = NULL;
static dmq_api_t reauth_dmqb;
static dmq_peer_t *reauth_dmq_peer = NULL;
/* this node's DMQ server_address (dmq's parameter), copied in mod_init */
static char self_addr[REAUTH_DMQ_ADDR_MAX];
static int self_len = 0;

static str json_ct = str_init("application/json");
static str rpl_200 = str_init("OK");
static str rpl_400 = str_init("Bad reauth message");
static str rpl_501 = str_init("Unknown reauth message type");
static str rpl_503 = str_init("Too many reauth peers");
static str rpl_503_busy = str_init("Cannot take the reauth message now");
static reauth_dmq_recv_f other_handler = NULL;

/* a clock in ms shared by every process (Kamailio's ticks are in shm),
 * wrapping at 2^32 ms as owner_peer_alive() expects */
static uint32_t now_ms(void)
{
	return (uint32_t)((uint64_t)get_ticks_raw() * 1000U / TIMER_TICKS_HZ);
}

/* ms from then to now; 0 when then is later (read by another process) */
static uint32_t ms_since(uint32_t then, uint32_t now)
{
	uint32_t d = now - then;

	return d > UINT32_MAX / 2 ? 0 : d;
}

static int reauth_dmq_handle(
		struct sip_msg *msg, peer_reponse_t *resp, dmq_node_t *node);

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
	memcpy(self_addr, addr->s, addr->len);
	self_addr[addr->len] = '\0';
	self_len = addr->len;
	if(dmq_load_api(&reauth_dmqb) != 0) {
		LM_ERR("cannot bind the dmq API\n");
		return -1;
	}
	dmq_table = shm_malloc(sizeof(*dmq_table));
	if(dmq_table == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(dmq_table, 0, sizeof(*dmq_table));
	if(lock_init(&dmq_table->lock) == NULL) {
		LM_ERR("cannot init the dmq peers lock\n");
		shm_free(dmq_table);
		dmq_table = NULL;
		return -1;
	}
	if(register_basic_timers(1) < 0) {
		LM_ERR("cannot register the reauth dmq timer process\n");
		return -1;
	}
	LM_INFO("dmq: this node is %s, a hello every %d ms, a peer silent for"
			" %d ms is down\n",
			self_addr, reauth_dmq_hello_interval, reauth_dmq_node_timeout);
	return 0;
}

void reauth_dmq_destroy(void)
{
	if(dmq_table == NULL)
		return;
	lock_destroy(&dmq_table->lock);
	shm_free(dmq_table);
	dmq_table = NULL;
}

static int reauth_dmq_resp(
		struct sip_msg *msg, int code, dmq_node_t *node, void *param)
{
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

	lock_get(&dmq_table->lock);
	epoch = dmq_table->epoch_seen;
	lock_release(&dmq_table->lock);

	srjson_InitDoc(&jdoc, NULL);
	jdoc.root = srjson_CreateObject(&jdoc);
	if(jdoc.root == NULL) {
		LM_ERR("cannot build a hello (no memory)\n");
		return;
	}
	srjson_AddStringToObject(&jdoc, jdoc.root, "type", "hello");
	srjson_AddStrToObject(&jdoc, jdoc.root, "node", self_addr, self_len);
	srjson_AddNumberToObject(&jdoc, jdoc.root, "epoch", (double)epoch);
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

static int reauth_dmq_bcast_resp(
		struct sip_msg *msg, int code, dmq_node_t *node, void *param)
{
	if(code >= 300 && code != 408 && node != NULL)
		LM_WARN("dmq peer %.*s answered a reauth message with %d\n",
				node->orig_uri.len, node->orig_uri.s, code);
	return 0;
}

static dmq_resp_cback_t bcast_cb = {reauth_dmq_bcast_resp, 0};

int reauth_dmq_bcast(str *body)
{
	if(reauth_dmq_peer == NULL)
		return -1;
	if(reauth_dmqb.bcast_message(
			   reauth_dmq_peer, body, NULL, &bcast_cb, 1, &json_ct)
			< 0) {
		LM_ERR("cannot broadcast a reauth message\n");
		return -1;
	}
	return 0;
}

const char *reauth_dmq_self(int *len)
{
	if(dmq_table == NULL)
		return NULL;
	*len = self_len;
	return self_addr;
}

int reauth_dmq_peer_slot(const char *addr, int len)
{
	int i, slot = -1;

	if(dmq_table == NULL)
		return -1;
	lock_get(&dmq_table->lock);
	for(i = 0; i < dmq_table->n; i++) {
		if(dmq_table->peers[i].addr_len == len
				&& memcmp(dmq_table->peers[i].addr, addr, len) == 0) {
			slot = i;
			break;
		}
	}
	lock_release(&dmq_table->lock);
	return slot;
}

int reauth_dmq_peer_addr(int slot, char *buf, int size, int *up)
{
	int rc = -1;

	if(dmq_table == NULL || slot < 0 || slot >= REAUTH_DMQ_MAX_PEERS)
		return -1;
	lock_get(&dmq_table->lock);
	if(slot < dmq_table->n && dmq_table->peers[slot].addr_len < size) {
		memcpy(buf, dmq_table->peers[slot].addr,
				dmq_table->peers[slot].addr_len + 1);
		*up = dmq_table->peers[slot].up;
		rc = 0;
	}
	lock_release(&dmq_table->lock);
	return rc;
}

void reauth_dmq_set_handler(reauth_dmq_recv_f f)
{
	other_handler = f;
}

/* peers silent for longer than node_timeout go down (logged, counted
 * after the lock) */
static void check_peers(uint32_t now)
{
	struct
	{
		char addr[REAUTH_DMQ_ADDR_MAX];
		uint32_t silence;
	} down[REAUTH_DMQ_MAX_PEERS];
	int i, ndown = 0;
	reauth_dmq_peer_t *p;

	lock_get(&dmq_table->lock);
	for(i = 0; i < dmq_table->n; i++) {
		p = &dmq_table->peers[i];
		if(!p->up
				|| owner_peer_alive(
						p->last_seen, now, (uint32_t)reauth_dmq_node_timeout))
			continue;
		p->up = 0;
		memcpy(down[ndown].addr, p->addr, p->addr_len + 1);
		down[ndown].silence = ms_since(p->last_seen, now);
		ndown++;
	}
	lock_release(&dmq_table->lock);
	for(i = 0; i < ndown; i++) {
		LM_NOTICE("dmq peer %s is down: no hello for %u ms (node_timeout"
				  " %d ms)\n",
				down[i].addr, down[i].silence, reauth_dmq_node_timeout);
		reauth_stats_add(REAUTH_STAT_DMQ_PEERS_UP, -1);
		reauth_stats_add(REAUTH_STAT_DMQ_PEER_DOWN, 1);
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

/* ---- received messages (dmq worker processes) ---- */

/* a refused message: logged with its source, answered code, counted */
static int refuse(struct sip_msg *msg, peer_reponse_t *resp, int code,
		str *reason, const char *why)
{
	LM_ERR("KDMQ reauth message from %s:%d refused (%d): %s\n",
			ip_addr2a(&msg->rcv.src_ip), (int)msg->rcv.src_port, code, why);
	reauth_stats_add(REAUTH_STAT_DMQ_BAD_MESSAGES, 1);
	resp->resp_code = code;
	resp->reason = *reason;
	return 0;
}

/* a hello from node at epoch: the peer is up, heard now */
static int on_hello(struct sip_msg *msg, peer_reponse_t *resp, const char *node,
		int len, uint64_t epoch)
{
	reauth_dmq_peer_t *p = NULL;
	int i, was_up = 1, full = 0;
	unsigned long hellos = 0;
	uint32_t silence = 0, now = now_ms();
	char forgotten[REAUTH_DMQ_ADDR_MAX];

	forgotten[0] = '\0';

	if(len == self_len && memcmp(node, self_addr, len) == 0)
		return refuse(msg, resp, 400, &rpl_400, "a hello in this node's name");

	lock_get(&dmq_table->lock);
	dmq_table->epoch_seen = owner_epoch_max(dmq_table->epoch_seen, epoch);
	for(i = 0; i < dmq_table->n; i++) {
		if(dmq_table->peers[i].addr_len == len
				&& memcmp(dmq_table->peers[i].addr, node, len) == 0) {
			p = &dmq_table->peers[i];
			break;
		}
	}
	if(p == NULL && dmq_table->n < REAUTH_DMQ_MAX_PEERS) {
		p = &dmq_table->peers[dmq_table->n++];
	} else if(p == NULL) {
		/* full: a new node takes the place of the one down the longest
		 * (nodes that moved to other addresses do not fill the table) */
		for(i = 0; i < dmq_table->n; i++) {
			if(!dmq_table->peers[i].up
					&& (p == NULL
							|| ms_since(dmq_table->peers[i].last_seen, now)
									   > ms_since(p->last_seen, now)))
				p = &dmq_table->peers[i];
		}
		if(p == NULL)
			full = 1;
		else
			memcpy(forgotten, p->addr, p->addr_len + 1);
	}
	if(p != NULL && (p->addr_len != len || memcmp(p->addr, node, len) != 0)) {
		memset(p, 0, sizeof(*p));
		memcpy(p->addr, node, len);
		p->addr[len] = '\0';
		p->addr_len = len;
		p->last_seen = now;
	}
	if(p != NULL) {
		was_up = p->up;
		silence = ms_since(p->last_seen, now);
		p->up = 1;
		p->last_seen = now;
		p->epoch = owner_epoch_max(p->epoch, epoch);
		hellos = ++p->hellos;
	}
	lock_release(&dmq_table->lock);

	if(full)
		return refuse(msg, resp, 503, &rpl_503,
				"the table of peers is full of nodes that are up");
	if(forgotten[0] != '\0')
		LM_NOTICE("dmq peer %s forgotten (down the longest) for the new peer"
				  " %.*s: the table holds %d\n",
				forgotten, len, node, REAUTH_DMQ_MAX_PEERS);
	if(!was_up) {
		if(hellos == 1)
			LM_NOTICE("dmq peer %.*s is up (first hello, epoch %llu)\n", len,
					node, (unsigned long long)epoch);
		if(hellos == 1
				&& owner_node_tag(node, len)
						   == owner_node_tag(self_addr, self_len))
			LM_ERR("dmq peer %.*s has this node's subscription id tag %u:"
				   " ids of both may collide (change one's"
				   " server_address)\n",
					len, node, owner_node_tag(node, len));
		else
			LM_NOTICE("dmq peer %.*s is up again after %u ms of silence"
					  " (epoch %llu)\n",
					len, node, silence, (unsigned long long)epoch);
		reauth_stats_add(REAUTH_STAT_DMQ_PEERS_UP, 1);
		reauth_stats_add(REAUTH_STAT_DMQ_PEER_UP, 1);
	}
	resp->resp_code = 200;
	resp->reason = rpl_200;
	return 0;
}

static int reauth_dmq_handle(
		struct sip_msg *msg, peer_reponse_t *resp, dmq_node_t *node)
{
	srjson_doc_t jdoc;
	srjson_t *type, *from, *epoch;
	char *buf = NULL, *body;
	int len, rc;
	const char *why;
	char what[64];

	if(dmq_table == NULL) /* not initialised: cannot happen with dmq 1 */
		return refuse(msg, resp, 503, &rpl_503, "dmq is off");
	if(parse_headers(msg, HDR_EOH_F, 0) < 0)
		return refuse(msg, resp, 400, &rpl_400, "cannot parse the headers");
	body = get_body(msg);
	len = body ? msg->len - (int)(body - msg->buf) : 0;
	if(msg->content_length != NULL) {
		rc = get_content_length(msg);
		if(rc < len)
			len = rc;
	}
	if(body == NULL || len <= 0)
		return refuse(msg, resp, 400, &rpl_400, "no body");
	if(len > REAUTH_DMQ_BODY_MAX)
		return refuse(msg, resp, 400, &rpl_400, "body too large");
	/* srjson reads up to a NUL: a terminated copy */
	buf = pkg_malloc(len + 1);
	if(buf == NULL) {
		PKG_MEM_ERROR;
		resp->resp_code = 500;
		resp->reason.s = "Server Internal Error";
		resp->reason.len = sizeof("Server Internal Error") - 1;
		return 0;
	}
	memcpy(buf, body, len);
	buf[len] = '\0';

	srjson_InitDoc(&jdoc, NULL);
	why = NULL;
	jdoc.root = srjson_Parse(&jdoc, buf);
	if(jdoc.root == NULL || jdoc.root->type != srjson_Object) {
		why = "not a JSON object";
		goto bad;
	}
	type = srjson_GetObjectItem(&jdoc, jdoc.root, "type");
	if(type == NULL || type->type != srjson_String
			|| type->valuestring == NULL) {
		why = "no \"type\" string";
		goto bad;
	}
	if(strcmp(type->valuestring, "hello") != 0 && other_handler != NULL) {
		why = NULL;
		rc = other_handler(&jdoc, jdoc.root, type->valuestring, &why);
		if(rc == REAUTH_DMQ_BAD) {
			if(why == NULL)
				why = "malformed";
			goto bad;
		}
		if(rc == REAUTH_DMQ_UNAVAILABLE) {
			rc = refuse(msg, resp, 503, &rpl_503_busy, why ? why : "busy");
			goto done;
		}
		if(rc == 0) {
			resp->resp_code = 200;
			resp->reason = rpl_200;
			goto done;
		}
	}
	if(strcmp(type->valuestring, "hello") != 0) {
		/* a newer node's message (rolling upgrade): not malformed */
		snprintf(what, sizeof(what), "unknown type \"%.32s\"",
				type->valuestring);
		rc = refuse(msg, resp, 501, &rpl_501, what);
		goto done;
	}
	from = srjson_GetObjectItem(&jdoc, jdoc.root, "node");
	epoch = srjson_GetObjectItem(&jdoc, jdoc.root, "epoch");
	if(from == NULL || from->type != srjson_String || from->valuestring == NULL
			|| strlen(from->valuestring) >= REAUTH_DMQ_ADDR_MAX
			|| strncmp(from->valuestring, "sip:", 4) != 0
			|| strlen(from->valuestring) <= 4) {
		why = "hello without a \"node\" SIP URI";
		goto bad;
	}
	if(epoch == NULL || epoch->type != srjson_Number
			|| !(epoch->valuedouble >= 0)
			|| epoch->valuedouble > REAUTH_DMQ_EPOCH_MAX
			|| epoch->valuedouble != (double)(uint64_t)epoch->valuedouble) {
		why = "hello without a non-negative integer \"epoch\"";
		goto bad;
	}
	rc = on_hello(msg, resp, from->valuestring, strlen(from->valuestring),
			(uint64_t)epoch->valuedouble);
	goto done;

bad:
	rc = refuse(msg, resp, 400, &rpl_400, why);
done:
	srjson_DestroyDoc(&jdoc);
	pkg_free(buf);
	return rc;
}

/* ---- RPC ---- */

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

	if(dmq_table == NULL) {
		rpc->fault(ctx, 503, "dmq is off (modparam reauth dmq 0)");
		return;
	}
	snap = pkg_malloc(sizeof(dmq_table->peers));
	if(snap == NULL) {
		PKG_MEM_ERROR;
		rpc->fault(ctx, 500, "no memory");
		return;
	}
	lock_get(&dmq_table->lock);
	n = dmq_table->n;
	memcpy(snap, dmq_table->peers, n * sizeof(*snap));
	lock_release(&dmq_table->lock);
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

/* the owner of key among this node and the peers up (rendezvous hashing,
 * pure/owner.c): its address into owner (size bytes, NUL-terminated);
 * *up: how many nodes were counted. 1: this node, 0: another, -1 error */
static int owner_of(const str *key, char *owner, int size, int *up)
{
	owner_node_t nodes[REAUTH_DMQ_MAX_PEERS + 1];
	int i, n = 0, k, rc = -1;

	nodes[n].addr = self_addr;
	nodes[n].len = self_len;
	nodes[n].alive = 1;
	n++;
	/* only hashing under the lock; the chosen address is copied */
	lock_get(&dmq_table->lock);
	for(i = 0; i < dmq_table->n; i++) {
		if(!dmq_table->peers[i].up)
			continue;
		nodes[n].addr = dmq_table->peers[i].addr;
		nodes[n].len = dmq_table->peers[i].addr_len;
		nodes[n].alive = 1;
		n++;
	}
	k = owner_pick(key->s, key->len, nodes, n);
	if(k >= 0 && (int)nodes[k].len < size) {
		memcpy(owner, nodes[k].addr, nodes[k].len);
		owner[nodes[k].len] = '\0';
		rc = k == 0 ? 1 : 0;
	}
	lock_release(&dmq_table->lock);
	*up = n;
	return rc;
}

const char *reauth_dmq_rpc_owner_doc[2] = {
		"The node that owns a key (a subscription id or an identity, as"
		" given) by rendezvous hashing over this node and the nodes it sees"
		" up: owner, self (yes/no), nodes counted. Not acted on yet (for"
		" the takeover of a dead node's records)",
		0};

void reauth_dmq_rpc_owner(rpc_t *rpc, void *ctx)
{
	char owner[REAUTH_DMQ_ADDR_MAX];
	str key = STR_NULL;
	int rc, up = 0;
	void *th;

	if(dmq_table == NULL) {
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
