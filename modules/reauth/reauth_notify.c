/*
 * reauth module - the reg event notifier: usrloc changes to NOTIFYs
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Runs in the module's worker processes (reauth_worker.c), fed by the job
 * queues: usrloc callbacks, SUBSCRIBE handling and tm reply callbacks only
 * post jobs. Each NOTIFY carries the full state of every identity of the
 * watched user (RFC 3680, TS 24.229) built by pure/regstate from usrloc
 * snapshots (reauth_view_take), and is sent with tm inside the stored
 * dialog (reauth_notify_send.c); its final answer comes back as a job
 * (481 and timeouts remove the subscription, RFC 6665).
 */

#include <limits.h>
#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"

#include "pure/reginfo.h"

#include "reauth_db.h"
#include "reauth_dmq.h"
#include "reauth_identity.h"
#include "reauth_notify.h"
#include "reauth_pua.h"
#include "reauth_replica.h"
#include "reauth_sets.h"
#include "reauth_snapshot.h"
#include "reauth_stats.h"
#include "reauth_str.h"
#include "reauth_subs.h"

int reauth_ul_quiet = 0;
/* modparam notify_state: NOTIFYs caused by a change carry only what
 * changed (RFC 3680 4.7.2); the first one, refreshes and fetches stay full */
int reauth_notify_partial = 0;

int reauth_notify_state_param(unsigned int type, void *val)
{
	str s;

	s.s = (char *)val;
	s.len = s.s ? strlen(s.s) : 0;
	if(s.len == 4 && strncasecmp(s.s, "full", 4) == 0)
		reauth_notify_partial = 0;
	else if(s.len == 7 && strncasecmp(s.s, "partial", 7) == 0)
		reauth_notify_partial = 1;
	else {
		LM_ERR("notify_state must be full or partial, not '%.*s'\n", s.len,
				s.s);
		return -1;
	}
	return 0;
}

#define SUBS_PER_AOR_MAX 256 /* a collect buffer; the table bounds it too */

static const char *term_reason_name(reauth_term_reason_t r)
{
	switch(r) {
		case REAUTH_TERM_TIMEOUT:
			return "timeout";
		case REAUTH_TERM_NORESOURCE:
			return "noresource";
		case REAUTH_TERM_DEACTIVATED:
			return "deactivated";
		case REAUTH_TERM_REJECTED:
			return "rejected";
		default:
			return "";
	}
}

/* --- jobs posted by other processes --- */

/* the worker of a subscription to aor that this node notifies (a replica
 * is its owner's to notify); 0, or -1 when nobody watches it here */
static int aor_watched(str *aor, unsigned int *shard)
{
	reauth_sub_t *sub;
	unsigned int hash;

	hash = reauth_subs_hash(aor);
	reauth_subs_lock(hash);
	for(sub = reauth_subs_first(hash, aor); sub && sub->owner;
			sub = reauth_subs_next(sub, aor))
		;
	if(sub)
		*shard = sub->shard;
	reauth_subs_unlock(hash);
	return sub ? 0 : -1;
}

/* Every NOTIFY lists the user's identities: a change of any of them goes
 * to the subscriptions of all (one user, one shard). 0 or -1 (nobody). */
static int watched_shard(str *aor, unsigned int *shard)
{
	reauth_identity_t key;
	reauth_user_t u;
	int i, rc = -1;

	/* no subscription at all: a REGISTER costs one atomic read */
	if(reauth_subs_count() == 0)
		return -1;
	if(aor_watched(aor, shard) == 0)
		return 0;
	if(reauth_sets_resolve_aor(aor, &u) < 0)
		return -1;
	for(i = 0; i < u.nall && rc < 0; i++)
		if(reauth_identity_to_aor(&u.all[i], &key) == REAUTH_ID_OK)
			rc = aor_watched(&key.aor, shard);
	reauth_user_free(&u);
	return rc;
}

void reauth_notify_ul_changed(ucontact_t *c, int type)
{
	reauth_job_t *job;
	unsigned int shard = 0;
	char *p;
	int ev;

	/* RFC 3680 5.2: a REGISTER creates a contact "registered"; "created"
	 * is for administrative creation and (TS 24.229) implicit registration */
	if(type & UL_CONTACT_INSERT)
		ev = REGINFO_EV_REGISTERED;
	else if(type & UL_CONTACT_UPDATE)
		ev = REGINFO_EV_REFRESHED;
	else if(type & UL_CONTACT_EXPIRE)
		ev = REGINFO_EV_EXPIRED;
	else
		ev = REGINFO_EV_UNREGISTERED;

	/* through a presence server every change is published, watched or
	 * not; else nobody watches this user: nothing to do (the common case) */
	if(reauth_reg_event_pua)
		shard = reauth_pua_shard(c->aor);
	else if(watched_shard(c->aor, &shard) < 0)
		return;

	job = reauth_job_new(
			REAUTH_JOB_UL_CHANGE, c->aor->len + c->c.len + c->callid.len + 3);
	if(job == NULL)
		return;
	job->shard = shard;
	/* NUL-terminated copies: the snapshot hands them to pure/ as is */
	p = job->buf;
	reauth_str_pack(&job->aor, c->aor, &p);
	reauth_str_pack(&job->c_uri, &c->c, &p);
	reauth_str_pack(&job->c_callid, &c->callid, &p);
	job->c_cseq = c->cseq;
	job->c_expires = c->expires;
	job->event = ev;
	reauth_queue_push(job);
}

int reauth_notify_post(unsigned int hash, unsigned int id, unsigned int shard)
{
	return reauth_queue_post_sub(REAUTH_JOB_NOTIFY, hash, id, shard, 0);
}

int reauth_notify_post_terminate(unsigned int hash, unsigned int id,
		unsigned int shard, reauth_term_reason_t reason)
{
	return reauth_queue_post_sub(REAUTH_JOB_TERMINATE, hash, id, shard, reason);
}

/* --- the worker's side --- */

static notify_origin_t plain_origin(void)
{
	notify_origin_t origin = {0, 0, reauth_my_shard};
	return origin;
}

/* the plain case: the user's identities as usrloc has them; an identity
 * the table does not list is named by the subscription */
static void send_view(notify_out_t *out, reauth_view_t *v,
		const char *terminated, int partial)
{
	notify_origin_t origin = plain_origin();

	/* the first NOTIFY of a subscription is full whatever caused it */
	origin.partial = partial && out->d.version > 0;

	if(v->n == 1 && v->ids[0].uri == NULL)
		v->ids[0].uri = out->d.identity.s;
	reauth_notify_send(out, v->ids, v->n, terminated, &origin);
	if(v->ids[0].uri == out->d.identity.s)
		v->ids[0].uri = NULL;
}

/* Full state to every subscription of the user's identities; a watched
 * identity left without an active contact ends its subscriptions
 * (Subscription-State: terminated;reason=noresource). */
void reauth_notify_on_ul_change(reauth_job_t *job)
{
	reauth_sub_ref_t refs[SUBS_PER_AOR_MAX];
	reauth_view_t *v;
	ul_change_t ch;
	notify_out_t out;
	int n, i, k, ended, partial = 0;

	if(reauth_reg_event_pua) {
		reauth_pua_on_ul_change(job);
		return;
	}
	ch.uri = job->c_uri;
	ch.callid = job->c_callid;
	ch.cseq = job->c_cseq;
	ch.expires = job->c_expires;
	ch.event = job->event;
	if((v = reauth_view_take_change(&job->aor, &ch, &k)) == NULL)
		return;
	if(k >= 0) {
		/* a contact changed again since is in the snapshot as it is now:
		 * nothing marked, a full NOTIFY */
		for(i = 0; i < (int)v->snap[k].n; i++)
			partial |= reauth_notify_partial && v->snap[k].cts[i].changed;
	}
	for(k = 0; k < v->n; k++) {
		ended = !reauth_snapshot_active(&v->snap[k]);
		n = reauth_subs_collect(&v->aor[k], refs, SUBS_PER_AOR_MAX);
		for(i = 0; i < n; i++) {
			if(reauth_notify_take(refs[i].hash, refs[i].id,
					   ended ? REAUTH_TAKE_REMOVE : REAUTH_TAKE_KEEP, &out)
					< 0)
				continue; /* gone meanwhile */
			send_view(&out, v, ended ? "noresource" : NULL, partial);
			reauth_notify_out_free(&out);
		}
	}
	reauth_view_free(v);
}

/* Full state to one subscription: initial NOTIFY, refresh, or the final
 * one (terminate >= 0: the reason; the subscription is then removed). */
void reauth_notify_on_sub(unsigned int hash, unsigned int id, int terminate)
{
	reauth_view_t *v;
	notify_out_t out;
	reauth_sub_t *sub;
	str aor, uri;
	char aor_buf[REAUTH_AOR_MAX], uri_buf[REAUTH_AOR_MAX];
	int k;

	reauth_subs_lock(hash);
	sub = reauth_subs_find(hash, id);
	if(sub == NULL || sub->len[RS_AOR] >= (int)sizeof(aor_buf)
			|| sub->len[RS_IDENTITY] >= (int)sizeof(uri_buf)) {
		reauth_subs_unlock(hash);
		return; /* gone meanwhile */
	}
	aor = reauth_sub_str(sub, RS_AOR);
	uri = reauth_sub_str(sub, RS_IDENTITY);
	memcpy(aor_buf, aor.s, aor.len);
	memcpy(uri_buf, uri.s, uri.len);
	aor.s = aor_buf;
	uri.s = uri_buf;
	reauth_subs_unlock(hash);

	if((v = reauth_view_take(&uri, &aor, 0)) == NULL)
		return;
	k = reauth_view_index(v, &aor);
	/* k < 0: the table lists it under a URI that keys usrloc otherwise */
	if(terminate < 0
			&& (k >= 0 ? !reauth_snapshot_active(&v->snap[k])
					   : reauth_ul_each(&aor, REAUTH_UL_VALID, NULL, NULL) <= 0))
		terminate = REAUTH_TERM_NORESOURCE;
	if(reauth_notify_take(hash, id,
			   terminate >= 0 ? REAUTH_TAKE_REMOVE : REAUTH_TAKE_PUT, &out)
			== 0) {
		send_view(&out, v, terminate >= 0 ? term_reason_name(terminate) : NULL,
				0);
		reauth_notify_out_free(&out);
	}
	reauth_view_free(v);
}

void reauth_notify_on_reply(reauth_job_t *job)
{
	reauth_sub_t *sub;
	reauth_sub_data_t gone;
	char *gone_buf = NULL;
	str identity, watcher;

	if(job->code < 300)
		return;
	reauth_stats_notify_failed();
	/* RFC 6665 4.2.2: 481 and a timeout end the subscription */
	if(job->code != 481 && job->code != 408) {
		LM_INFO("NOTIFY of subscription %u answered %d\n", job->id, job->code);
		return;
	}
	reauth_subs_lock(job->hash);
	sub = reauth_subs_find(job->hash, job->id);
	if(sub && sub->owner == 0) {
		identity = reauth_sub_str(sub, RS_IDENTITY);
		watcher = reauth_sub_str(sub, RS_WATCHER);
		LM_INFO("NOTIFY answered %d: removing subscription %u of %.*s by"
				" %.*s\n",
				job->code, sub->id, identity.len, identity.s, watcher.len,
				watcher.s);
		if(sub->in_db)
			reauth_db_sub_del(sub->id);
		if(reauth_dmq_enable)
			gone_buf = reauth_sub_copy(sub, &gone);
		reauth_subs_remove(sub);
	}
	reauth_subs_unlock(job->hash);
	if(gone_buf) {
		reauth_replica_send_del(&gone);
		pkg_free(gone_buf);
	}
}

int reauth_notify_one(unsigned int hash, unsigned int id,
		regstate_identity_t *ids, int nids, notify_origin_t *origin)
{
	notify_out_t out;
	int rc;

	if(reauth_notify_take(hash, id, REAUTH_TAKE_KEEP, &out) < 0)
		return -1;
	/* a change: partial if so configured, but never a first NOTIFY */
	origin->partial = reauth_notify_partial && out.d.version > 0;
	rc = reauth_notify_send(&out, ids, nids, NULL, origin);
	reauth_notify_out_free(&out);
	return rc;
}

int reauth_notify_all(str *aors, int naors, regstate_identity_t *ids,
		int nids, const char *terminate)
{
	reauth_sub_ref_t refs[SUBS_PER_AOR_MAX];
	notify_origin_t origin = plain_origin();
	notify_out_t out;
	int i, j, n, sent = 0;

	for(i = 0; i < naors; i++) {
		n = reauth_subs_collect(&aors[i], refs, SUBS_PER_AOR_MAX);
		for(j = 0; j < n; j++) {
			if(reauth_notify_take(refs[j].hash, refs[j].id,
					   terminate ? REAUTH_TAKE_REMOVE : REAUTH_TAKE_KEEP, &out)
					< 0)
				continue;
			origin.partial = reauth_notify_partial && out.d.version > 0;
			if(reauth_notify_send(&out, ids, nids, terminate, &origin) == 0)
				sent++;
			reauth_notify_out_free(&out);
		}
	}
	return sent;
}

/* the earlier of due and when sub needs the tick */
static unsigned int sub_due(reauth_sub_t *sub, unsigned int due)
{
	unsigned int at;

	at = sub->dirty && reauth_db_mode != REAUTH_DB_NONE
				 ? 0
				 : (unsigned int)sub->expires;
	return at < due ? at : due;
}

/* once a second: subscriptions of this shard not refreshed in time end
 * with a final NOTIFY (reason=timeout); a row not yet in the DB batch is
 * put again; replicas past their expiry are dropped silently. Only the
 * buckets whose hint says they may hold such work are walked. */
void reauth_notify_tick(
		time_t now, unsigned int shard, unsigned int slice, unsigned int slices)
{
	unsigned int idx, due, size = reauth_subs_size();
	unsigned int last = (unsigned int)((unsigned long)size * (slice + 1) / slices);
	reauth_sub_t *sub, *next;
	unsigned int *expired = NULL;
	int n = 0, cap = 0, i;

	if(reauth_reg_event_pua && shard == 0)
		reauth_pua_tick(now, slice, slices);
	for(idx = (unsigned int)((unsigned long)size * slice / slices); idx < last;
			idx++) {
		/* nothing expired nor waiting for its row: most buckets, most
		 * ticks (an unlocked read of the hint, reauth_subs.h) */
		if(reauth_subs_bucket(idx) == NULL
				|| reauth_subs_bucket_due(idx) > (unsigned int)now)
			continue;
		reauth_subs_lock_idx(idx);
		due = UINT_MAX;
		for(sub = reauth_subs_bucket(idx); sub; sub = next) {
			next = sub->next;
			if(sub->shard != shard) {
				/* another worker's: its tick walks this bucket too */
				due = sub_due(sub, due);
				continue;
			}
			/* a replica: no NOTIFY, no row here; it ends at its expiry
			 * (its owner's sub.del may have been lost, or its owner is
			 * down) */
			if(sub->owner) {
				if(sub->expires <= now)
					reauth_subs_remove(sub);
				else
					due = sub_due(sub, due);
				continue;
			}
			if(sub->expires <= now) {
				if(n + 2 > cap) {
					unsigned int *grown;
					cap = cap ? cap * 2 : 32;
					grown = pkg_realloc(expired, cap * sizeof(unsigned int));
					if(grown == NULL) {
						due = 0;
						break;
					}
					expired = grown;
				}
				expired[n++] = sub->hash;
				expired[n++] = sub->id;
			} else if(sub->dirty && reauth_db_mode != REAUTH_DB_NONE) {
				reauth_db_sub_put(sub);
			}
			/* an expired one is ended below; kept due until it is gone */
			due = sub_due(sub, due);
		}
		reauth_subs_set_bucket_due(idx, due);
		reauth_subs_unlock_idx(idx);
	}
	for(i = 0; i < n; i += 2)
		reauth_notify_on_sub(expired[i], expired[i + 1], REAUTH_TERM_TIMEOUT);
	if(expired)
		pkg_free(expired);
}
