/*
 * reauth module - the pool's nodes over DMQ: the peer table and the
 * clock, shared by reauth_dmq.c (hellos, timer), reauth_dmq_recv.c
 * (received messages) and reauth_dmq_rpc.c; no other file includes it
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_DMQ_PEERS_H_
#define _REAUTH_DMQ_PEERS_H_

#include <stdint.h>

#include "core/locking.h"
#include "core/parser/msg_parser.h"
#include "core/timer.h"
#include "core/timer_ticks.h"
#include "modules/dmq/bind_dmq.h"

/* the sizes come from reauth_dmq.h, included first by every includer
 * (not from here: reauth_dmq.c includes this file) */
#ifndef REAUTH_DMQ_ADDR_MAX
#error "include reauth_dmq.h before reauth_dmq_peers.h"
#endif

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
	uint64_t boot; /* its start (hello's "boot"): a change is a restart */
	int taken;	   /* its records were taken over while it was down */
} reauth_dmq_peer_t;

typedef struct reauth_dmq_table
{
	gen_lock_t lock;
	uint64_t epoch_seen; /* the highest epoch this node has seen */
	int n;
	reauth_dmq_peer_t peers[REAUTH_DMQ_MAX_PEERS];
} reauth_dmq_table_t;

/* shm, NULL with dmq 0 */
extern reauth_dmq_table_t *reauth_dmq_tab;
/* this node's DMQ server_address */
extern char reauth_dmq_self_addr[REAUTH_DMQ_ADDR_MAX];
extern int reauth_dmq_self_len;

/* a clock in ms shared by every process (Kamailio's ticks are in shm),
 * wrapping at 2^32 ms as owner_peer_alive() expects */
static inline uint32_t now_ms(void)
{
	return (uint32_t)((uint64_t)get_ticks_raw() * 1000U / TIMER_TICKS_HZ);
}

/* ms from then to now; 0 when then is later (read by another process) */
static inline uint32_t ms_since(uint32_t then, uint32_t now)
{
	uint32_t d = now - then;

	return d > UINT32_MAX / 2 ? 0 : d;
}

/* when this node started (the hello's "boot") */
extern uint64_t reauth_dmq_boot;
/* the handler of peer events (reauth_dmq_set_peer_handler) */
extern reauth_dmq_peer_f reauth_dmq_peer_handler;

/* dmq's callback for every KDMQ sip:reauth@... (reauth_dmq_recv.c) */
int reauth_dmq_handle(
		struct sip_msg *msg, peer_reponse_t *resp, dmq_node_t *node);

#endif
