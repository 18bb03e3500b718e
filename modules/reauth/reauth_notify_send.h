/*
 * reauth module - one NOTIFY inside a stored subscription dialog
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A subscription's dialog is copied out of its bucket together with the
 * next CSeq and version (reauth_notify_take), then the NOTIFY is built and
 * sent with tm without any lock held (reauth_notify_send). Its final
 * answer comes back to the worker that sent it as a NOTIFY_REPLY job.
 */

#ifndef _REAUTH_NOTIFY_SEND_H_
#define _REAUTH_NOTIFY_SEND_H_

#include <time.h>

#include "core/str.h"

#include "pure/regstate.h"
#include "reauth_subs.h"

/* NOTIFY transactions open at once, at most (0: no bound) */
extern int reauth_max_notify_inflight;

/* a subscription's dialog and counters, copied out of its bucket: d's
 * loc_cseq is the last CSeq used (tm sends one more), d's version the one
 * this NOTIFY carries */
typedef struct notify_out
{
	unsigned int hash;
	reauth_sub_data_t d;
	char *buf; /* d's strings */
} notify_out_t;

/* who waits for the answer of a NOTIFY */
typedef struct notify_origin
{
	unsigned int proc_id; /* 0: no procedure */
	unsigned int target;  /* the procedure's target index */
	unsigned int shard;	  /* the worker that gets the answer */
	unsigned int partial; /* RFC 3680 4.7.2: only the changed contacts */
} notify_origin_t;

#define REAUTH_TAKE_KEEP 0
#define REAUTH_TAKE_REMOVE 1 /* the last NOTIFY: the subscription goes */
#define REAUTH_TAKE_PUT 2	 /* kept, created or refreshed: with dmq 1 the
							  * whole row goes to the pool (sub.put), not
							  * only its CSeq and version (sub.seq) */

int reauth_notify_send_init(void);

/* Copy subscription (hash, id) out with the next CSeq and version, and
 * queue its row for the DB (or its removal); with dmq 1, tell the pool
 * (reauth_replica.c) before returning, so before the NOTIFY is sent.
 * 0, or -1 when it is gone or a replica (its owner notifies). */
int reauth_notify_take(
		unsigned int hash, unsigned int id, int remove, notify_out_t *out);
void reauth_notify_out_free(notify_out_t *out);

/* Build and send the NOTIFY listing ids. terminated: NULL for an active
 * subscription, else the reason ("" for none). 0 sent, -1 not. */
int reauth_notify_send(notify_out_t *out, regstate_identity_t *ids, int nids,
		const char *terminated, notify_origin_t *origin);

#endif
