/*
 * reauth module - subscriptions replicated to the pool's nodes over DMQ
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Who runs what:
 * - the module's workers encode and broadcast sub.put/seq/del (srjson, as
 *   the hello) after they released the subscription's bucket;
 * - dmq's workers run replica_recv() for a received sub.*: every field is
 *   checked there (a malformed message is answered 400 by reauth_dmq.c),
 *   and the decoded row becomes a REAUTH_JOB_REPLICA job of the worker of
 *   the user's shard (reauth_sets_shard of the identity), so that one
 *   user's events keep their order; a full queue or a node not heard yet
 *   is 503 (the owner's next put repairs the replica);
 * - that worker applies it to the table under the bucket lock.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/utils/srjson.h"

#include "pure/owner.h"
#include "pure/subscribe.h"

#include "reauth_db.h"
#include "reauth_dmq.h"
#include "reauth_dmq_msg.h"
#include "reauth_queue.h"
#include "reauth_replica.h"
#include "reauth_sets.h"
#include "reauth_str.h"
#include "reauth_subs.h"

/* job->code of a REAUTH_JOB_REPLICA */
#define REPLICA_PUT 1
#define REPLICA_SEQ 2
#define REPLICA_DEL 3
#define REPLICA_REFRESH_OUT 4 /* an in-dialog SUBSCRIBE of a replica: to
							   * its owner (sub.refresh) */

/* a subscription lives an hour by default; a day at most here */
#define REPLICA_EXPIRES_MAX 86400

static int replica_recv(srjson_doc_t *doc, srjson_t *root, const char *type,
		int slot, const char **why);

int reauth_replica_init(void)
{
	const char *self;
	int len;

	if(!reauth_dmq_enable)
		return 0;
	self = reauth_dmq_self(&len);
	if(self == NULL)
		return -1;
	reauth_subs_node_tag = owner_node_tag(self, (size_t)len);
	return reauth_dmq_add_handler("sub.", replica_recv);
}

/* ---- sending (the owner's worker) ---- */

static void add_str(srjson_doc_t *doc, const char *name, const str *v)
{
	srjson_AddStrToObject(doc, doc->root, name, v->s ? v->s : "", v->len);
}

static void add_num(srjson_doc_t *doc, const char *name, double v)
{
	srjson_AddNumberToObject(doc, doc->root, name, v);
}

static void send_msg(const char *type, const reauth_sub_data_t *d, int slot)
{
	srjson_doc_t jdoc;
	time_t now = time(NULL);
	char what[64];

	if(!reauth_dmq_enable || reauth_dmq_msg_init(&jdoc, type) < 0)
		return;
	add_num(&jdoc, "epoch", d->epoch);
	add_num(&jdoc, "id", d->id);
	add_str(&jdoc, "aor", &d->aor);
	add_str(&jdoc, "identity", &d->identity);
	if(strcmp(type, "sub.del") != 0) {
		add_num(&jdoc, "cseq", d->loc_cseq);
		add_num(&jdoc, "version", d->version);
	}
	if(strcmp(type, "sub.put") == 0) {
		add_str(&jdoc, "watcher", &d->watcher);
		add_str(&jdoc, "callid", &d->callid);
		add_str(&jdoc, "from_tag", &d->rem_tag);
		add_str(&jdoc, "to_tag", &d->loc_tag);
		add_str(&jdoc, "contact", &d->rem_target);
		add_str(&jdoc, "route_set", &d->route_set);
		add_str(&jdoc, "socket", &d->socket);
		add_num(&jdoc, "kind", d->kind);
		add_num(&jdoc, "event", d->event);
		add_num(&jdoc, "rem_cseq", d->rem_cseq);
		/* seconds left: the nodes' clocks need not agree */
		add_num(&jdoc, "expires", d->expires > now ? d->expires - now : 0);
	}
	snprintf(what, sizeof(what), "%s of subscription %u", type, d->id);
	reauth_dmq_msg_send(&jdoc, slot, NULL, NULL, what);
}

void reauth_replica_send_put(const reauth_sub_data_t *d)
{
	send_msg("sub.put", d, -1);
}

void reauth_replica_send_put_to(const reauth_sub_data_t *d, int slot)
{
	send_msg("sub.put", d, slot);
}

void reauth_replica_send_seq(const reauth_sub_data_t *d)
{
	send_msg("sub.seq", d, -1);
}

void reauth_replica_send_del(const reauth_sub_data_t *d)
{
	send_msg("sub.del", d, -1);
}

int reauth_replica_forward_refresh(const reauth_sub_t *sub, int expires)
{
	reauth_sub_data_t *dst;
	reauth_job_t *job;
	str aor = reauth_sub_str(sub, RS_AOR);
	str identity = reauth_sub_str(sub, RS_IDENTITY);
	char *p;

	job = reauth_job_new(REAUTH_JOB_REPLICA,
			sizeof(reauth_sub_data_t) + aor.len + identity.len + 2);
	if(job == NULL)
		return -1;
	dst = (reauth_sub_data_t *)job->buf;
	memset(dst, 0, sizeof(*dst));
	p = job->buf + sizeof(reauth_sub_data_t);
	reauth_str_pack(&dst->aor, &aor, &p);
	reauth_str_pack(&dst->identity, &identity, &p);
	dst->id = sub->id;
	dst->owner = sub->owner;
	dst->epoch = sub->epoch;
	dst->rem_cseq = sub->rem_cseq;
	dst->expires = expires; /* seconds, 0: unsubscribe */
	job->shard = sub->shard;
	job->code = REPLICA_REFRESH_OUT;
	job->id = sub->id;
	reauth_queue_push(job);
	return 0;
}

/* the worker: sub.refresh to the owner */
static void send_refresh(const reauth_sub_data_t *d)
{
	srjson_doc_t jdoc;
	char what[64];

	if(reauth_dmq_msg_init(&jdoc, "sub.refresh") < 0)
		return;
	add_num(&jdoc, "epoch", d->epoch);
	add_num(&jdoc, "id", d->id);
	add_str(&jdoc, "aor", &d->aor);
	add_str(&jdoc, "identity", &d->identity);
	add_num(&jdoc, "rem_cseq", d->rem_cseq);
	add_num(&jdoc, "expires", (double)d->expires);
	snprintf(what, sizeof(what), "sub.refresh of subscription %u", d->id);
	if(reauth_dmq_msg_send(&jdoc, (int)d->owner - 1, NULL, NULL, what) == 0)
		LM_INFO("refresh of subscription %u of %.*s handed to its owner"
				" (expires %ld)\n",
				d->id, d->identity.len, d->identity.s, (long)d->expires);
}

/* ---- receiving (a dmq worker): check, then post to the user's worker ---- */

/* a string member; NULL when missing, not a string, or longer than max */
static int get_str(srjson_doc_t *doc, srjson_t *root, const char *name,
		int max, str *out)
{
	srjson_t *j = srjson_GetObjectItem(doc, root, name);

	if(j == NULL || j->type != srjson_String || j->valuestring == NULL)
		return -1;
	out->s = j->valuestring;
	out->len = (int)strlen(j->valuestring);
	return out->len <= max ? 0 : -1;
}

/* an integer member in [0, max] */
static int get_uint(srjson_doc_t *doc, srjson_t *root, const char *name,
		double max, unsigned int *out)
{
	srjson_t *j = srjson_GetObjectItem(doc, root, name);

	if(j == NULL || j->type != srjson_Number || !(j->valuedouble >= 0)
			|| j->valuedouble > max
			|| j->valuedouble != (double)(uint64_t)j->valuedouble)
		return -1;
	*out = (unsigned int)j->valuedouble;
	return 0;
}

#define STR_MAX 1024 /* any one string; the whole body is bounded too */

/* sub.refresh (a dmq worker): the owner's record refreshed as if the
 * SUBSCRIBE had come here, then its NOTIFY (or the final one) */
static int on_refresh(srjson_doc_t *doc, srjson_t *root, const char **why)
{
	unsigned int id, rem_cseq, expires, hash, shard = 0;
	reauth_sub_t *sub;
	str aor;
	int found = 0, fresh = 0;

	if(get_uint(doc, root, "id", 4294967295.0, &id) < 0 || id == 0
			|| get_str(doc, root, "aor", STR_MAX, &aor) < 0 || aor.len == 0
			|| get_uint(doc, root, "rem_cseq", 4294967295.0, &rem_cseq) < 0
			|| get_uint(doc, root, "expires", REPLICA_EXPIRES_MAX, &expires)
					   < 0) {
		*why = "sub.refresh without id, aor, rem_cseq, expires";
		return REAUTH_DMQ_BAD;
	}
	/* as a SUBSCRIBE that reaches this node directly (503 when full) */
	if(reauth_queue_admit() < 0) {
		*why = "the job queue is full";
		return REAUTH_DMQ_UNAVAILABLE;
	}
	hash = reauth_subs_hash(&aor);
	reauth_subs_lock(hash);
	sub = reauth_subs_find(hash, id);
	if(sub != NULL && sub->owner == 0) {
		found = 1;
		/* a copy of a refresh already applied (dmq answers statelessly:
		 * tm's retransmission is handled again) has no newer CSeq */
		fresh = owner_seq_advance(&sub->rem_cseq, rem_cseq);
		if(fresh && expires > 0)
			sub->expires = time(NULL) + expires;
		sub->dirty |= fresh;
		shard = sub->shard;
	}
	reauth_subs_unlock(hash);
	if(!found) {
		*why = "no subscription of this node with this id";
		return 481;
	}
	if(!fresh)
		return 0;
	if(expires == 0)
		reauth_queue_post_sub(
				REAUTH_JOB_TERMINATE, hash, id, shard, REAUTH_TERM_UNSUBSCRIBED);
	else
		reauth_queue_post_sub(REAUTH_JOB_NOTIFY, hash, id, shard, 0);
	return 0;
}

static int replica_recv(srjson_doc_t *doc, srjson_t *root, const char *type,
		int slot, const char **why)
{
	reauth_sub_data_t d, *dst;
	reauth_job_t *job;
	str *v[] = {&d.aor, &d.identity, &d.watcher, &d.callid, &d.rem_tag,
			&d.loc_tag, &d.rem_target, &d.route_set, &d.socket};
	unsigned int op, kind, event, expires;
	int i, n = (int)(sizeof(v) / sizeof(v[0]));
	size_t extra;
	char *p;

	if(strcmp(type, "sub.put") == 0)
		op = REPLICA_PUT;
	else if(strcmp(type, "sub.seq") == 0)
		op = REPLICA_SEQ;
	else if(strcmp(type, "sub.del") == 0)
		op = REPLICA_DEL;
	else if(strcmp(type, "sub.refresh") == 0)
		return on_refresh(doc, root, why);
	else
		return REAUTH_DMQ_UNKNOWN;

	memset(&d, 0, sizeof(d));
	if(get_uint(doc, root, "epoch", 4294967295.0, &d.epoch) < 0
			|| get_uint(doc, root, "id", 4294967295.0, &d.id) < 0 || d.id == 0) {
		*why = "sub.* without an integer \"epoch\" and a non-zero \"id\"";
		return REAUTH_DMQ_BAD;
	}
	if(get_str(doc, root, "aor", STR_MAX, &d.aor) < 0 || d.aor.len == 0
			|| get_str(doc, root, "identity", STR_MAX, &d.identity) < 0
			|| d.identity.len == 0) {
		*why = "sub.* without \"aor\" and \"identity\"";
		return REAUTH_DMQ_BAD;
	}
	if(op != REPLICA_DEL
			&& (get_uint(doc, root, "cseq", 4294967295.0, &d.loc_cseq) < 0
					|| get_uint(doc, root, "version", 4294967295.0, &d.version)
							   < 0)) {
		*why = "sub.put/seq without integer \"cseq\" and \"version\"";
		return REAUTH_DMQ_BAD;
	}
	if(op == REPLICA_PUT) {
		if(get_str(doc, root, "watcher", STR_MAX, &d.watcher) < 0
				|| get_str(doc, root, "callid", STR_MAX, &d.callid) < 0
				|| d.callid.len == 0
				|| get_str(doc, root, "from_tag", STR_MAX, &d.rem_tag) < 0
				|| get_str(doc, root, "to_tag", STR_MAX, &d.loc_tag) < 0
				|| get_str(doc, root, "contact", STR_MAX, &d.rem_target) < 0
				|| get_str(doc, root, "route_set", STR_MAX, &d.route_set) < 0
				|| get_str(doc, root, "socket", STR_MAX, &d.socket) < 0) {
			*why = "sub.put without its dialog's strings";
			return REAUTH_DMQ_BAD;
		}
		if(get_uint(doc, root, "kind", REAUTH_SUB_OTHER, &kind) < 0
				|| kind < REAUTH_SUB_UE
				|| get_uint(doc, root, "event", SUB_PKG_REGSTATE, &event) < 0
				|| event < SUB_PKG_REG
				|| get_uint(doc, root, "rem_cseq", 4294967295.0, &d.rem_cseq)
						   < 0
				|| get_uint(doc, root, "expires", REPLICA_EXPIRES_MAX,
						   &expires)
						   < 0) {
			*why = "sub.put without a valid kind, event, rem_cseq, expires";
			return REAUTH_DMQ_BAD;
		}
		d.kind = (int)kind;
		d.event = (int)event;
		d.expires = time(NULL) + expires;
	}
	d.owner = (unsigned int)slot + 1;
	d.shard = reauth_sets_shard(&d.identity);
	if(reauth_queue_admit() < 0) {
		*why = "the job queue is full";
		return REAUTH_DMQ_UNAVAILABLE;
	}

	/* the job: the row, then its strings */
	extra = sizeof(reauth_sub_data_t);
	for(i = 0; i < n; i++)
		extra += v[i]->len + 1;
	job = reauth_job_new(REAUTH_JOB_REPLICA, extra);
	if(job == NULL) {
		*why = "out of shared memory";
		return REAUTH_DMQ_UNAVAILABLE;
	}
	job->shard = d.shard;
	job->code = (int)op;
	job->id = d.id;
	dst = (reauth_sub_data_t *)job->buf;
	*dst = d;
	p = job->buf + sizeof(reauth_sub_data_t);
	{
		str *to[] = {&dst->aor, &dst->identity, &dst->watcher, &dst->callid,
				&dst->rem_tag, &dst->loc_tag, &dst->rem_target,
				&dst->route_set, &dst->socket};
		for(i = 0; i < n; i++)
			reauth_str_pack(to[i], v[i], &p);
	}
	reauth_queue_push(job);
	return 0;
}

/* ---- applying (the worker of the user's shard) ---- */

static const char *op_name(int op)
{
	return op == REPLICA_PUT ? "sub.put" : op == REPLICA_SEQ ? "sub.seq" : "sub.del";
}

void reauth_replica_on_job(reauth_job_t *job)
{
	reauth_sub_data_t d;
	reauth_sub_t *sub;
	unsigned int hash;
	long retry_after;
	const char *what = NULL;
	owner_put_t verdict;
	int op = job->code;

	memcpy(&d, job->buf, sizeof(d));
	if(op == REPLICA_REFRESH_OUT) {
		send_refresh(&d);
		return;
	}
	hash = reauth_subs_hash(&d.aor);
	reauth_subs_lock(hash);
	sub = reauth_subs_find(hash, d.id);
	/* sub.* carry no sequence: CSeq and version only grow (sub.seq) */
	verdict = sub ? owner_check_put(
							sub->owner, sub->epoch, 0, d.owner, d.epoch, 0)
				  : OWNER_PUT_APPLY;
	if(verdict == OWNER_PUT_TAKEN && op == REPLICA_PUT) {
		/* taken over while this node was away (it restarted): the
		 * sender notifies it now, this node keeps a replica */
		if(sub->in_db)
			reauth_db_sub_del(sub->id);
		reauth_subs_remove(sub);
		sub = NULL;
		if(reauth_subs_add(&d) == NULL)
			what = "was this node's, taken over by its sender, and cannot"
				   " be kept (out of shared memory)";
		else
			what = "was this node's: taken over by its sender (a newer"
				   " epoch), kept as a replica";
	} else if(verdict == OWNER_PUT_OWN || verdict == OWNER_PUT_TAKEN) {
		what = "is this node's own subscription: ignored";
	} else if(verdict == OWNER_PUT_STALE) {
		what = "comes from a node that does not own it (epoch): ignored";
	} else if(op == REPLICA_PUT) {
		if(sub != NULL)
			reauth_subs_remove(sub);
		if(reauth_subs_room(hash, &d.aor, time(NULL), &retry_after) < 0)
			what = "finds the table full: not kept";
		else if(reauth_subs_add(&d) == NULL)
			what = "cannot be kept (out of shared memory)";
	} else if(sub == NULL) {
		/* its put was lost, or it went meanwhile: the next put repairs */
		what = "names no replica here: ignored";
	} else if(op == REPLICA_SEQ) {
		owner_seq_advance(&sub->loc_cseq, d.loc_cseq);
		owner_seq_advance(&sub->version, d.version);
		sub->epoch = d.epoch;
	} else {
		reauth_subs_remove(sub);
	}
	reauth_subs_unlock(hash);
	if(what)
		LM_INFO("%s of subscription %u of %.*s (owner slot %u) %s\n",
				op_name(op), d.id, d.identity.len, d.identity.s, d.owner, what);
	else
		LM_DBG("%s of subscription %u of %.*s applied (cseq %u, version"
			   " %u)\n",
				op_name(op), d.id, d.identity.len, d.identity.s, d.loc_cseq,
				d.version);
}

const char *reauth_replica_owner(
		const reauth_sub_t *sub, char *buf, int size, int *up)
{
	*up = 1;
	if(sub->owner == 0)
		return "self";
	if(reauth_dmq_peer_addr((int)sub->owner - 1, buf, size, up) < 0) {
		*up = 0;
		return "unknown";
	}
	return buf;
}
