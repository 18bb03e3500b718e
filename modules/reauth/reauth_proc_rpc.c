/*
 * reauth module - re-authentication procedures as the RPC shows them
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Records are copied (pkg) under their bucket lock, and the reply is
 * written after every lock is released.
 */

#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/mem/mem.h"

#include "reauth_dmq.h"
#include "reauth_identity.h"
#include "reauth_proc.h"
#include "reauth_sets.h"
#include "reauth_str.h"


typedef struct proc_view
{
	unsigned int id;
	unsigned int shard;
	unsigned int owner, epoch;
	reauth_proc_t core;
	str trigger, impi;
	int nset;
	str *set;
	char *buf;
} proc_view_t;

static int rec_matches(reauth_procrec_t *rec, str *identity)
{
	int i;

	if(identity == NULL || reauth_str_ieq(&rec->trigger, identity))
		return 1;
	for(i = 0; i < rec->nset; i++)
		if(reauth_str_ieq(&REAUTH_PROC_URI(rec)[i], identity))
			return 1;
	return 0;
}

static int view_take(reauth_procrec_t *rec, proc_view_t *v)
{
	size_t len;
	char *p;
	int i;

	len = rec->nset * sizeof(str) + rec->trigger.len + rec->impi.len + 2;
	for(i = 0; i < rec->nset; i++)
		len += REAUTH_PROC_URI(rec)[i].len + 1;
	v->buf = pkg_malloc(len);
	if(v->buf == NULL) {
		PKG_MEM_ERROR;
		return -1;
	}
	v->id = rec->entry.id;
	v->shard = rec->shard;
	v->owner = rec->owner;
	v->epoch = rec->epoch;
	v->core = rec->core;
	v->nset = rec->nset;
	v->set = (str *)v->buf;
	p = (char *)(v->set + v->nset);
	reauth_str_pack(&v->trigger, &rec->trigger, &p);
	reauth_str_pack(&v->impi, &rec->impi, &p);
	for(i = 0; i < rec->nset; i++)
		reauth_str_pack(&v->set[i], &REAUTH_PROC_URI(rec)[i], &p);
	return 0;
}

static int rpc_add_proc(rpc_t *rpc, void *ctx, proc_view_t *v, time_t now)
{
	char owner[REAUTH_DMQ_ADDR_MAX];
	void *th, *ih;
	int i, up = 1;

	if(rpc->add(ctx, "{", &th) < 0)
		return -1;
	/* the node that runs it (dmq 1: a replica's owner) */
	if(v->owner == 0)
		strcpy(owner, "self");
	else if(reauth_dmq_peer_addr((int)v->owner - 1, owner, sizeof(owner), &up)
			< 0)
		strcpy(owner, "unknown");
	rpc->struct_add(th, "JSssss", "id", (unsigned long long)v->id, "identity",
			&v->trigger,
			"state", reauth_proc_state_name(v->core.state), "outcome",
			reauth_proc_outcome_name(v->core.outcome), "reason",
			reauth_proc_reason_name(v->core.reason), "private_identity",
			v->impi.len ? v->impi.s : "");
	rpc->struct_add(th, "dddddd", "worker", (int)v->shard, "started",
			(int)v->core.started,
			"deadline_in",
			(int)(v->core.state == RP_DONE
							? 0
							: (v->core.deadline > now ? v->core.deadline - now
													  : 0)),
			"notify_pending", (int)v->core.notify_pending, "refer_pending",
			(int)v->core.refer_pending, "contacts", (int)v->core.contacts);
	rpc->struct_add(th, "sdsd", "owner", owner, "replica", v->owner ? 1 : 0,
			"owner_state", up ? "up" : "down", "epoch", (int)v->epoch);
	if(rpc->struct_add(th, "[", "identities", &ih) < 0)
		return -1;
	for(i = 0; i < v->nset; i++)
		rpc->array_add(ih, "S", &v->set[i]);
	return 0;
}

typedef struct views
{
	str *identity; /* NULL: every procedure */
	proc_view_t *v;
	int n, cap, failed;
} views_t;

/* under the record's bucket lock: copy, nothing else */
static int take_view(reauth_procrec_t *rec, void *arg)
{
	views_t *vs = arg;
	proc_view_t *grown;

	if(!rec_matches(rec, vs->identity))
		return 0;
	if(vs->n == vs->cap) {
		vs->cap = vs->cap ? 2 * vs->cap : 16;
		grown = pkg_realloc(vs->v, vs->cap * sizeof(*vs->v));
		if(grown == NULL) {
			PKG_MEM_ERROR;
			vs->failed = 1;
			return 1;
		}
		vs->v = grown;
	}
	if(view_take(rec, &vs->v[vs->n]) < 0) {
		vs->failed = 1;
		return 1;
	}
	vs->n++;
	return 0;
}

void reauth_proc_rpc_list(rpc_t *rpc, void *ctx, str *identity)
{
	reauth_identity_t id;
	reauth_user_t u;
	views_t vs;
	time_t now = time(NULL);
	int i, known;

	/* a public identity (URI), or a private one of the implicit sets */
	if(identity && reauth_identity_to_aor(identity, &id) != REAUTH_ID_OK) {
		known = reauth_sets_resolve(identity, &u) == 0;
		if(known)
			reauth_user_free(&u);
	} else {
		known = 1;
	}
	if(!known) {
		rpc->fault(ctx, 400, "%s: %.*s%s",
				reauth_identity_reason(REAUTH_ID_UNPARSABLE),
				REAUTH_STR_SHORT(identity));
		return;
	}
	memset(&vs, 0, sizeof(vs));
	vs.identity = identity;
	reauth_proc_walk(take_view, &vs);
	for(i = 0; i < vs.n; i++) {
		if(!vs.failed && rpc_add_proc(rpc, ctx, &vs.v[i], now) < 0)
			vs.failed = 1;
		pkg_free(vs.v[i].buf);
	}
	if(vs.v)
		pkg_free(vs.v);
	if(vs.failed)
		rpc->fault(ctx, 500, "out of memory");
	else if(identity && vs.n == 0)
		rpc->fault(ctx, 404, "no re-authentication of this identity: %.*s%s",
				REAUTH_STR_SHORT(identity));
}
