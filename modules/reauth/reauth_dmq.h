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
 * (doc/cluster-replication.md, "Takeover"). Nothing is replicated yet.
 */

#ifndef _REAUTH_DMQ_H_
#define _REAUTH_DMQ_H_

#include "core/rpc.h"

/* at most this many peers are tracked (more are refused, logged) */
#define REAUTH_DMQ_MAX_PEERS 64
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

/* RPC reauth.nodes */
extern const char *reauth_dmq_rpc_nodes_doc[2];
void reauth_dmq_rpc_nodes(rpc_t *rpc, void *ctx);
/* RPC reauth.owner */
extern const char *reauth_dmq_rpc_owner_doc[2];
void reauth_dmq_rpc_owner(rpc_t *rpc, void *ctx);

#endif
