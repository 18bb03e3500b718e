/*
 * reauth module - the pool's nodes over DMQ: received messages
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dmq's workers run reauth_dmq_handle() for every KDMQ sip:reauth@...
 * that the script handed to dmq_handle_message(): a hello updates the
 * peer table, any other type goes to the handler set by
 * reauth_dmq_set_handler() (reauth_replica.c); a malformed message is
 * answered 400, logged and counted.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/ip_addr.h"
#include "core/locking.h"
#include "core/mem/mem.h"
#include "core/parser/msg_parser.h"
#include "core/parser/parse_content.h"
#include "core/timer.h"
#include "core/timer_ticks.h"
#include "core/utils/srjson.h"
#include "modules/dmq/bind_dmq.h"

#include "pure/owner.h"

#include "reauth_dmq.h"
#include "reauth_stats.h"

#include "reauth_dmq_peers.h"

static str rpl_200 = str_init("OK");
static str rpl_400 = str_init("Bad reauth message");
static str rpl_501 = str_init("Unknown reauth message type");
static str rpl_503 = str_init("Too many reauth peers");
static str rpl_503_busy = str_init("Cannot take the reauth message now");
#define HANDLERS_MAX 4
static struct
{
	const char *prefix;
	reauth_dmq_recv_f fn;
} handlers[HANDLERS_MAX];
static int nhandlers = 0;

int reauth_dmq_add_handler(const char *prefix, reauth_dmq_recv_f f)
{
	if(nhandlers >= HANDLERS_MAX) {
		LM_BUG("too many reauth dmq handlers\n");
		return -1;
	}
	handlers[nhandlers].prefix = prefix;
	handlers[nhandlers].fn = f;
	nhandlers++;
	return 0;
}

static reauth_dmq_recv_f handler_of(const char *type)
{
	int i;

	for(i = 0; i < nhandlers; i++)
		if(strncmp(type, handlers[i].prefix, strlen(handlers[i].prefix)) == 0)
			return handlers[i].fn;
	return NULL;
}

/* the slot of the sender named by "node" (not this node), -1 when it is
 * not known yet (no hello), -2 when there is no such member */
static int sender_slot(srjson_doc_t *doc, srjson_t *root)
{
	srjson_t *j = srjson_GetObjectItem(doc, root, "node");
	int len;

	if(j == NULL || j->type != srjson_String || j->valuestring == NULL
			|| strncmp(j->valuestring, "sip:", 4) != 0)
		return -2;
	len = (int)strlen(j->valuestring);
	if(len <= 4 || len >= REAUTH_DMQ_ADDR_MAX
			|| (len == reauth_dmq_self_len
					&& memcmp(j->valuestring, reauth_dmq_self_addr, len) == 0))
		return -2;
	return reauth_dmq_peer_slot(j->valuestring, len);
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
		int len, uint64_t epoch, uint64_t boot)
{
	reauth_dmq_peer_t *p = NULL;
	int i, was_up = 1, full = 0, restarted = 0, slot = -1, taken = 0;
	unsigned long hellos = 0;
	uint32_t silence = 0, now = now_ms();
	char forgotten[REAUTH_DMQ_ADDR_MAX];

	forgotten[0] = '\0';

	if(len == reauth_dmq_self_len && memcmp(node, reauth_dmq_self_addr, len) == 0)
		return refuse(msg, resp, 400, &rpl_400, "a hello in this node's name");

	lock_get(&reauth_dmq_tab->lock);
	reauth_dmq_tab->epoch_seen = owner_epoch_max(reauth_dmq_tab->epoch_seen, epoch);
	for(i = 0; i < reauth_dmq_tab->n; i++) {
		if(reauth_dmq_tab->peers[i].addr_len == len
				&& memcmp(reauth_dmq_tab->peers[i].addr, node, len) == 0) {
			p = &reauth_dmq_tab->peers[i];
			break;
		}
	}
	if(p == NULL && reauth_dmq_tab->n < REAUTH_DMQ_MAX_PEERS) {
		p = &reauth_dmq_tab->peers[reauth_dmq_tab->n++];
	} else if(p == NULL) {
		/* full: a new node takes the place of the one down the longest
		 * (nodes that moved to other addresses do not fill the table) */
		for(i = 0; i < reauth_dmq_tab->n; i++) {
			if(!reauth_dmq_tab->peers[i].up
					&& (p == NULL
							|| ms_since(reauth_dmq_tab->peers[i].last_seen, now)
									   > ms_since(p->last_seen, now)))
				p = &reauth_dmq_tab->peers[i];
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
		/* a new boot: it lost what it held (takeover resends it all) */
		restarted = p->boot != 0 && boot != p->boot;
		p->boot = boot;
		slot = (int)(p - reauth_dmq_tab->peers);
		taken = p->taken;
		silence = ms_since(p->last_seen, now);
		p->up = 1;
		p->last_seen = now;
		p->epoch = owner_epoch_max(p->epoch, epoch);
		hellos = ++p->hellos;
	}
	lock_release(&reauth_dmq_tab->lock);

	if(full)
		return refuse(msg, resp, 503, &rpl_503,
				"the table of peers is full of nodes that are up");
	if(forgotten[0] != '\0')
		LM_NOTICE("dmq peer %s forgotten (down the longest) for the new peer"
				  " %.*s: the table holds %d\n",
				forgotten, len, node, REAUTH_DMQ_MAX_PEERS);
	if(!was_up) {
		if(hellos == 1)
			LM_NOTICE("dmq peer %.*s is up (first %s, epoch %llu)\n", len,
					node, boot ? "hello" : "message", (unsigned long long)epoch);
		if(hellos == 1
				&& owner_node_tag(node, len)
						   == owner_node_tag(reauth_dmq_self_addr, reauth_dmq_self_len))
			LM_ERR("dmq peer %.*s has this node's subscription id tag %u:"
				   " ids of both may collide (change one's"
				   " server_address)\n",
					len, node, owner_node_tag(node, len));
		else if(hellos > 1)
			LM_NOTICE("dmq peer %.*s is up again after %u ms of silence"
					  " (epoch %llu)\n",
					len, node, silence, (unsigned long long)epoch);
		reauth_stats_add(REAUTH_STAT_DMQ_PEERS_UP, 1);
		reauth_stats_add(REAUTH_STAT_DMQ_PEER_UP, 1);
	} else if(restarted) {
		LM_NOTICE("dmq peer %.*s restarted (a new boot in its hello)\n", len,
				node);
	}
	/* it came up, back or anew: what this node owns is sent to it */
	if((!was_up || restarted) && slot >= 0 && reauth_dmq_peer_handler)
		reauth_dmq_peer_handler(slot, REAUTH_PEER_UP, taken);
	resp->resp_code = 200;
	resp->reason = rpl_200;
	return 0;
}

int reauth_dmq_handle(
		struct sip_msg *msg, peer_reponse_t *resp, dmq_node_t *node)
{
	srjson_doc_t jdoc;
	srjson_t *type, *from, *epoch, *boot;
	reauth_dmq_recv_f handler;
	uint64_t boot_v = 0;
	int slot;
	char *buf = NULL, *body;
	int len, rc;
	const char *why;
	char what[64];

	reauth_stats_add(REAUTH_STAT_DMQ_RECEIVED, 1);
	if(reauth_dmq_tab == NULL) /* not initialised: cannot happen with dmq 1 */
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
	if(strcmp(type->valuestring, "hello") != 0
			&& (handler = handler_of(type->valuestring)) != NULL) {
		slot = sender_slot(&jdoc, jdoc.root);
		if(slot == -2) {
			why = "a message without the \"node\" SIP URI of a peer";
			goto bad;
		}
		if(slot < 0) {
			/* a node not heard yet (its first hello is on its way): its
			 * message says it is up */
			peer_reponse_t hello_resp;
			srjson_t *j = srjson_GetObjectItem(&jdoc, jdoc.root, "node");

			memset(&hello_resp, 0, sizeof(hello_resp));
			on_hello(msg, &hello_resp, j->valuestring, strlen(j->valuestring),
					0, 0);
			slot = sender_slot(&jdoc, jdoc.root);
		}
		if(slot < 0) {
			rc = refuse(msg, resp, 503, &rpl_503,
					"the table of peers is full of nodes that are up");
			goto done;
		}
		why = NULL;
		rc = handler(&jdoc, jdoc.root, type->valuestring, slot, &why);
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
		if(rc >= 300 && rc <= 699) {
			/* the handler's own answer (a refused trigger: 409...) */
			LM_INFO("KDMQ reauth %s answered %d: %s\n", type->valuestring,
					rc, why ? why : "");
			resp->resp_code = rc;
			resp->reason.s = (char *)(why ? why : "Refused");
			resp->reason.len = strlen(resp->reason.s);
			rc = 0;
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
	boot = srjson_GetObjectItem(&jdoc, jdoc.root, "boot");
	if(boot != NULL && boot->type == srjson_Number && boot->valuedouble >= 0
			&& boot->valuedouble <= REAUTH_DMQ_EPOCH_MAX)
		boot_v = (uint64_t)boot->valuedouble;
	rc = on_hello(msg, resp, from->valuestring, strlen(from->valuestring),
			(uint64_t)epoch->valuedouble, boot_v);
	goto done;

bad:
	rc = refuse(msg, resp, 400, &rpl_400, why);
done:
	srjson_DestroyDoc(&jdoc);
	pkg_free(buf);
	return rc;
}
