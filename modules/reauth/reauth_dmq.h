/*
 * reauth module - the pool's nodes over DMQ (peer "reauth")
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * With modparam("reauth", "dmq", 1) the module registers a DMQ peer
 * "reauth" (KDMQ sip:reauth@<node>), and a timer process of its own
 * broadcasts a JSON hello every hello_interval ms. Received hellos fill a
 * bounded shm table of peers; a peer silent for node_timeout ms is down
 * (doc/cluster-replication.md, "Takeover"). Other messages (sub.*) go to
 * the handler reauth_replica.c sets.
 */

#ifndef _REAUTH_DMQ_H_
#define _REAUTH_DMQ_H_

#include "core/rpc.h"
#include "core/str.h"
#include "core/utils/srjson.h"

/* at most this many peers are tracked (more are refused, logged) */
#define REAUTH_DMQ_MAX_PEERS 64
/* a message's body at most (a larger one is refused, and not sent) */
#define REAUTH_DMQ_BODY_MAX 4096
/* longest DMQ server_address accepted in a hello */
#define REAUTH_DMQ_ADDR_MAX 128

/* module parameters */
extern int reauth_dmq_enable;		  /* "dmq": 0 off (default), 1 on */
extern int reauth_dmq_node_timeout;	  /* "node_timeout", ms */
extern int reauth_dmq_hello_interval; /* "hello_interval", ms */

/* mod_init: checks the parameters, binds the dmq API, allocates the
 * table, registers the timer process; nothing when dmq is 0 */
int reauth_dmq_init(void);
/* child_init: PROC_INIT registers the DMQ peer (dmq's mod_init has run by
 * then, whatever the load order), PROC_MAIN forks the timer process */
int reauth_dmq_child_init(int rank);
void reauth_dmq_destroy(void);

/* broadcast body (JSON) to the active nodes over the "reauth" peer; from
 * a process of the module (worker, timer), never under a lock. 0 or -1 */
int reauth_dmq_bcast(str *body);
/* this node's DMQ server_address (NUL-terminated), NULL when dmq is 0 */
const char *reauth_dmq_self(int *len);
/* the slot of peer addr in the table of nodes, -1 when not known (no
 * hello from it yet) */
int reauth_dmq_peer_slot(const char *addr, int len);
/* the address of slot (copied into buf) and whether it is up; -1 when
 * the slot is empty */
int reauth_dmq_peer_addr(int slot, char *buf, int size, int *up);

/* Messages of other types than hello go to the handler registered in
 * mod_init for the start of their type ("sub.": reauth_replica.c,
 * "proc.": reauth_proc_replica_recv.c), called in a dmq worker with the
 * parsed body and the sender's slot in the table of peers; it returns 0
 * (200), REAUTH_DMQ_BAD (400, why says it), REAUTH_DMQ_UNKNOWN (501),
 * REAUTH_DMQ_UNAVAILABLE (503, why) or a SIP code >= 300 of its own
 * (why: the reason). A message from a node not heard yet (no hello) is
 * answered 503 before any handler sees it. */
#define REAUTH_DMQ_BAD -1
#define REAUTH_DMQ_UNKNOWN -2
#define REAUTH_DMQ_UNAVAILABLE -3
typedef int (*reauth_dmq_recv_f)(srjson_doc_t *doc, srjson_t *root,
		const char *type, int slot, const char **why);
int reauth_dmq_add_handler(const char *prefix, reauth_dmq_recv_f f);

/* send body to the peer in slot only; answered(code, param) runs with its
 * final answer in whichever process gets it (408 when none came), may be
 * NULL. From a process of the module, never under a lock. 0 or -1 */
typedef void (*reauth_dmq_answer_f)(int code, void *param);
int reauth_dmq_send(int slot, str *body, reauth_dmq_answer_f answered,
		void *param);
/* the peer in slot is up (a hello within node_timeout) */
int reauth_dmq_peer_is_up(int slot);
/* who acts for key among this node and the peers up (rendezvous hashing,
 * pure/owner.c): -1 this node, else the chosen peer's slot */
int reauth_dmq_pick(const char *key, int klen);

/* a peer went down (no hello for node_timeout: the timer process), or
 * came (back) up or restarted (its hello: a dmq worker). Called after the
 * table's lock is released; set in mod_init (reauth_takeover.c) */
#define REAUTH_PEER_DOWN 1
#define REAUTH_PEER_UP 2
typedef void (*reauth_dmq_peer_f)(int slot, int event, int took_over);
void reauth_dmq_set_peer_handler(reauth_dmq_peer_f f);
/* the peer in slot was found down while it owned records here: they were
 * taken over (reauth_takeover.c), and it hears so when it comes back */
void reauth_dmq_peer_taken(int slot, int taken);

/* RPC reauth.nodes */
extern const char *reauth_dmq_rpc_nodes_doc[2];
void reauth_dmq_rpc_nodes(rpc_t *rpc, void *ctx);
/* RPC reauth.owner */
extern const char *reauth_dmq_rpc_owner_doc[2];
void reauth_dmq_rpc_owner(rpc_t *rpc, void *ctx);

#endif
