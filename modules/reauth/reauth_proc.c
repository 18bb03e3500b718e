/*
 * reauth module - re-authentication procedures: the table (the entry
 * points are in reauth_proc_entry.c)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/hashes.h"
#include "core/locking.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"

#include "pure/owner.h"

#include "reauth_identity.h"
#include "reauth_proc.h"
#include "reauth_queue.h"
#include "reauth_sets.h"
#include "reauth_str.h"
#include "reauth_subs.h"

int reauth_shortened_expires = 60;
int reauth_timeout = 120;
int reauth_refer_fallback = 1;
int reauth_terminate_sessions = 1;
int reauth_keep_finished = 60;
str reauth_body_format = str_init("3gpp");
str reauth_dereg_event = str_init("deactivated");

static reauth_table_t *procs = NULL;   /* records, hash == id */
static reauth_table_t *proc_index = NULL; /* reauth_proc_idx_t, by aor */
static gen_lock_t *create_lock = NULL; /* check-then-index of a trigger */
unsigned int reauth_proc_node_tag = 0;

/* a new id; with a node tag, unique in the pool (pure/owner.h) */
static unsigned int new_id(void)
{
	unsigned int n;

	if(reauth_proc_node_tag == 0)
		return reauth_table_new_id(procs);
	do {
		n = reauth_table_new_id(procs);
	} while(owner_sub_id(reauth_proc_node_tag, n) == 0);
	return owner_sub_id(reauth_proc_node_tag, n);
}

int reauth_proc_draft_format(void)
{
	return reauth_body_format.len == 5
		   && strncasecmp(reauth_body_format.s, "draft", 5) == 0;
}

int reauth_proc_init(unsigned int size)
{
	if(reauth_shortened_expires <= 0 || reauth_timeout <= 0) {
		LM_ERR("shortened_expires and reauth_timeout must be positive\n");
		return -1;
	}
	if(!reauth_proc_draft_format()
			&& !(reauth_body_format.len == 4
					&& strncasecmp(reauth_body_format.s, "3gpp", 4) == 0)) {
		LM_ERR("body_format must be 3gpp or draft, not '%.*s'\n",
				reauth_body_format.len, reauth_body_format.s);
		return -1;
	}
	/* RFC 3680: deactivated = re-register, rejected = do not */
	if(strcmp(reauth_dereg_event.s, "deactivated") != 0
			&& strcmp(reauth_dereg_event.s, "rejected") != 0) {
		LM_ERR("dereg_event must be deactivated or rejected, not '%s'\n",
				reauth_dereg_event.s);
		return -1;
	}
	procs = reauth_table_new(size);
	proc_index = reauth_table_new(size);
	create_lock = lock_alloc();
	if(procs == NULL || proc_index == NULL || create_lock == NULL
			|| lock_init(create_lock) == NULL) {
		LM_ERR("cannot create the procedure tables\n");
		return -1;
	}
	return 0;
}

static void rec_free(reauth_tentry_t *e)
{
	reauth_procrec_t *rec = (reauth_procrec_t *)e;

	if(rec->core.targets && rec->core.targets != rec->inline_targets)
		shm_free(rec->core.targets);
	shm_free(rec);
}

static void idx_free(reauth_tentry_t *e)
{
	if(!((reauth_proc_idx_t *)e)->in_record)
		shm_free(e);
}

void reauth_proc_destroy(void)
{
	reauth_table_destroy(proc_index, idx_free);
	reauth_table_destroy(procs, rec_free);
	proc_index = procs = NULL;
	if(create_lock) {
		lock_destroy(create_lock);
		lock_dealloc(create_lock);
		create_lock = NULL;
	}
}

/* --- the index --- */

unsigned int reauth_proc_id_of(str *aor)
{
	unsigned int hash, id = 0;
	reauth_tentry_t *e;

	if(proc_index == NULL)
		return 0;
	hash = core_case_hash(aor, NULL, 0);
	reauth_table_lock(proc_index, hash);
	for(e = reauth_table_first(proc_index, hash); e && id == 0; e = e->next)
		if(e->hash == hash && reauth_str_ieq(((reauth_proc_idx_t *)e)->aor, aor))
			id = e->id;
	reauth_table_unlock(proc_index, hash);
	return id;
}

static int idx_add(reauth_procrec_t *rec, str *aor)
{
	reauth_proc_idx_t *x;

	if(aor == &REAUTH_PROC_AOR(rec)[0]) {
		x = &rec->idx0;
	} else if((x = shm_malloc(sizeof(*x))) == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(x, 0, sizeof(*x));
	x->in_record = x == &rec->idx0;
	x->entry.hash = core_case_hash(aor, NULL, 0);
	x->entry.id = rec->entry.id;
	x->aor = aor;
	reauth_table_lock(proc_index, x->entry.hash);
	reauth_table_link(proc_index, &x->entry);
	reauth_table_unlock(proc_index, x->entry.hash);
	return 0;
}

void reauth_proc_unindex(reauth_procrec_t *rec)
{
	reauth_tentry_t *e, *next;
	unsigned int hash;
	int i;

	for(i = 0; i < rec->nset; i++) {
		hash = core_case_hash(&REAUTH_PROC_AOR(rec)[i], NULL, 0);
		reauth_table_lock(proc_index, hash);
		for(e = reauth_table_first(proc_index, hash); e; e = next) {
			next = e->next;
			if(e->id == rec->entry.id
					&& ((reauth_proc_idx_t *)e)->aor == &REAUTH_PROC_AOR(rec)[i]) {
				reauth_table_unlink(proc_index, e);
				idx_free(e);
			}
		}
		reauth_table_unlock(proc_index, hash);
	}
}

/* --- records --- */

reauth_procrec_t *reauth_proc_get(unsigned int id)
{
	reauth_tentry_t *e;

	reauth_table_lock(procs, id);
	e = reauth_table_find(procs, id, id);
	reauth_table_unlock(procs, id);
	return (reauth_procrec_t *)e;
}

void reauth_proc_lock(reauth_procrec_t *rec)
{
	reauth_table_lock(procs, rec->entry.hash);
}

void reauth_proc_unlock(reauth_procrec_t *rec)
{
	reauth_table_unlock(procs, rec->entry.hash);
}

/* A compact shm record: the identities in order (re-authenticated first)
 * with their usrloc keys, strings packed after the two arrays. */
static reauth_procrec_t *rec_new(reauth_user_t *u, str *uri, str *aor, int n)
{
	reauth_procrec_t *rec;
	str *ruri, *raor;
	size_t len;
	char *p;
	int i, shared = -1;

	/* the trigger is most often the first identity: one copy for both */
	for(i = 0; i < n && shared < 0; i++)
		if(u->trigger.len == uri[i].len
				&& memcmp(u->trigger.s, uri[i].s, uri[i].len) == 0)
			shared = i;
	len = 2 * n * sizeof(str) + u->impi.len + 1
		  + (shared < 0 ? u->trigger.len + 1 : 0);
	for(i = 0; i < n; i++)
		len += uri[i].len + aor[i].len + 2;
	rec = shm_malloc(sizeof(reauth_procrec_t) + len);
	if(rec == NULL) {
		SHM_MEM_ERROR;
		return NULL;
	}
	memset(rec, 0, sizeof(reauth_procrec_t));
	rec->nall = (unsigned short)n;
	ruri = REAUTH_PROC_URI(rec);
	raor = REAUTH_PROC_AOR(rec);
	p = (char *)(raor + n);
	for(i = 0; i < n; i++) {
		reauth_str_pack(&ruri[i], &uri[i], &p);
		reauth_str_pack(&raor[i], &aor[i], &p);
	}
	if(shared >= 0)
		rec->trigger = ruri[shared];
	else
		reauth_str_pack(&rec->trigger, &u->trigger, &p);
	reauth_str_pack(&rec->impi, &u->impi, &p);
	rec->by_private = (unsigned char)u->by_private;
	rec->nset = (unsigned short)u->nset;
	rec->shard = reauth_shard_of(
			core_case_hash(u->nall ? &u->all[0] : &u->trigger, NULL, 0));
	return rec;
}

/* Resolve, check and index a new procedure; id 0 = take the next one
 * (restore from the DB passes its own). Fills res; returns the record. */
reauth_procrec_t *reauth_proc_create(str *identity, unsigned int id,
		int need_registered, reauth_trigger_result_t *res)
{
	reauth_identity_t ids[REAUTH_USER_MAX_IDS];
	str uri[REAUTH_USER_MAX_IDS], aor[REAUTH_USER_MAX_IDS];
	reauth_user_t u;
	reauth_procrec_t *rec = NULL;
	unsigned int other;
	int i, n = 0, registered = 0, rc;

	res->code = 400;
	res->reason = reauth_identity_reason(REAUTH_ID_UNPARSABLE);
	if(identity == NULL || identity->s == NULL || identity->len <= 0) {
		res->reason = reauth_identity_reason(REAUTH_ID_EMPTY);
		return NULL;
	}
	rc = reauth_sets_resolve(identity, &u);
	if(rc == -2) {
		res->code = 500;
		res->reason = "out of memory";
		return NULL;
	}
	if(rc < 0) {
		res->reason = "identity is neither a sip:, sips: or tel: URI nor a"
					  " known private identity";
		return NULL;
	}
	/* the set first, then the user's other identities */
	for(i = 0; i < u.nset; i++) {
		rc = reauth_identity_lookup(&u.set[i], &ids[n]);
		if(rc == REAUTH_ID_OK)
			registered = 1;
		else if(rc != REAUTH_ID_NOT_REGISTERED)
			goto bad;
		uri[n++] = u.set[i];
	}
	for(i = 0; i < u.nall && n < REAUTH_USER_MAX_IDS; i++) {
		if(reauth_user_in_set(&u, &u.all[i]) >= 0)
			continue;
		if(reauth_identity_to_aor(&u.all[i], &ids[n]) != REAUTH_ID_OK)
			goto bad;
		uri[n++] = u.all[i];
	}
	for(i = 0; i < n; i++)
		aor[i] = ids[i].aor;
	if(need_registered && !registered) {
		res->code = 404;
		res->reason = reauth_identity_reason(REAUTH_ID_NOT_REGISTERED);
		goto done;
	}

	lock_get(create_lock);
	for(i = 0; i < u.nset; i++) {
		other = reauth_proc_id_of(&aor[i]);
		if(other) {
			lock_release(create_lock);
			res->code = 409;
			res->reason = "a re-authentication of this identity is pending";
			LM_INFO("%.*s: procedure %u is pending already\n", identity->len,
					identity->s, other);
			goto done;
		}
	}
	rec = rec_new(&u, uri, aor, n);
	if(rec == NULL) {
		lock_release(create_lock);
		res->code = 500;
		res->reason = "out of memory";
		goto done;
	}
	rec->entry.id = id ? id : new_id();
	rec->entry.hash = rec->entry.id;
	if(id && (reauth_proc_node_tag == 0
					 || owner_sub_id_tag(id) == reauth_proc_node_tag))
		reauth_table_seen_id(procs, rec->entry.id); /* one of ours */
	for(i = 0; i < rec->nset; i++)
		if(idx_add(rec, &REAUTH_PROC_AOR(rec)[i]) < 0) {
			reauth_proc_unindex(rec);
			lock_release(create_lock);
			rec_free(&rec->entry);
			rec = NULL;
			res->code = 500;
			res->reason = "out of memory";
			goto done;
		}
	reauth_table_lock(procs, rec->entry.hash);
	reauth_table_link(procs, &rec->entry);
	reauth_table_unlock(procs, rec->entry.hash);
	lock_release(create_lock);
	res->code = 200;
	res->reason = "started";
	goto done;

bad:
	res->code = 400;
	res->reason = reauth_identity_reason(REAUTH_ID_UNPARSABLE);
done:
	reauth_user_free(&u);
	return rec;
}

/* take back a record nobody else has seen */
void reauth_proc_drop(reauth_procrec_t *rec)
{
	reauth_proc_unindex(rec);
	reauth_table_lock(procs, rec->entry.hash);
	reauth_table_unlink(procs, &rec->entry);
	reauth_table_unlock(procs, rec->entry.hash);
	rec_free(&rec->entry);
}

reauth_procrec_t *reauth_proc_replica_new(
		str *identity, unsigned int id, int slot)
{
	reauth_trigger_result_t res;
	reauth_procrec_t *rec;

	rec = reauth_proc_create(identity, id, 0, &res);
	if(rec == NULL) {
		LM_INFO("procedure %u of %.*s of a peer not replicated here: %s\n",
				id, identity->len, identity->s, res.reason);
		return NULL;
	}
	reauth_proc_lock(rec);
	rec->owner = (unsigned char)(slot + 1);
	reauth_proc_unlock(rec);
	return rec;
}

int reauth_proc_with(unsigned int id,
		int (*fn)(reauth_procrec_t *rec, void *arg), void *arg)
{
	int rc;

	reauth_table_lock(procs, id);
	rc = fn((reauth_procrec_t *)reauth_table_find(procs, id, id), arg);
	reauth_table_unlock(procs, id);
	return rc;
}

int reauth_proc_restore(unsigned int id, str *identity, reauth_proc_t *core)
{
	reauth_trigger_result_t res;
	reauth_procrec_t *rec;

	rec = reauth_proc_create(identity, id, 0, &res);
	if(rec == NULL) {
		LM_WARN("procedure %u of %.*s not restored: %s\n", id, identity->len,
				identity->s, res.reason);
		return -1;
	}
	reauth_proc_lock(rec);
	rec->core = *core;
	rec->core.targets = NULL; /* their answers died with the old process */
	rec->core.ntargets = 0;
	rec->in_db = 1;
	rec->restored = 1;
	reauth_proc_unlock(rec);
	return 0;
}

int reauth_proc_pending(str *aor)
{
	return reauth_proc_id_of(aor) != 0;
}

unsigned int reauth_proc_each(unsigned int shard, time_t now,
		unsigned int slice, unsigned int slices,
		void (*fn)(reauth_procrec_t *rec, time_t now))
{
	reauth_tentry_t *e, *next, *due[64];
	reauth_procrec_t *rec;
	unsigned int b, last, lost = 0;
	int n, i;

	last = (unsigned int)((unsigned long)procs->size * (slice + 1) / slices);
	for(b = (unsigned int)((unsigned long)procs->size * slice / slices);
			b < last; b++) {
		if(procs->b[b].first == NULL)
			continue;
		n = 0;
		lock_get(&procs->b[b].lock);
		for(e = procs->b[b].first; e; e = next) {
			next = e->next;
			rec = (reauth_procrec_t *)e;
			if(rec->shard != shard)
				continue;
			if(reauth_loaded_on_hold(rec->restored, now))
				continue; /* the pool may have carried it on */
			if(rec->owner && rec->core.state != RP_DONE) {
				/* its owner's deadline; a replica left long after it
				 * lost its proc.done */
				if(rec->core.deadline
						&& now > rec->core.deadline + reauth_timeout && n < 64)
					due[n++] = e;
				continue;
			}
			if(rec->core.state == RP_DONE) {
				if(!rec->settled) {
					if(n < 64)
						due[n++] = e; /* ended elsewhere: to settle */
				} else if(now - rec->core.ended >= reauth_keep_finished) {
					lost += rec->db_dirty; /* its row's deletion never fit */
					reauth_table_unlink(procs, e);
					rec_free(e);
				} else if(rec->db_dirty && n < 64) {
					due[n++] = e; /* its row's deletion, again */
				}
			} else if(n < 64
					  && (rec->db_dirty
							  || (rec->core.state != RP_IDLE
									  && reauth_proc_next_expiry(&rec->core)
												 <= now))) {
				due[n++] = e; /* more than 64 in a bucket: next time */
			}
		}
		lock_release(&procs->b[b].lock);
		for(i = 0; i < n; i++)
			fn((reauth_procrec_t *)due[i], now);
	}
	return lost;
}

void reauth_proc_walk(int (*take)(reauth_procrec_t *rec, void *arg), void *arg)
{
	reauth_tentry_t *e;
	unsigned int b;
	int stop = 0;

	for(b = 0; b < procs->size && !stop; b++) {
		if(procs->b[b].first == NULL)
			continue;
		lock_get(&procs->b[b].lock);
		for(e = procs->b[b].first; e && !stop; e = e->next)
			stop = take((reauth_procrec_t *)e, arg);
		lock_release(&procs->b[b].lock);
	}
}

int reauth_proc_post_reregistered(
		unsigned int id, unsigned int shard, str *aor, int authenticated)
{
	reauth_job_t *job;

	job = reauth_job_new(REAUTH_JOB_REREGISTERED, aor->len + 1);
	if(job == NULL)
		return -1;
	job->shard = shard;
	job->proc_id = id;
	job->aor.s = job->buf;
	job->aor.len = aor->len;
	memcpy(job->buf, aor->s, aor->len);
	job->buf[aor->len] = '\0';
	job->is_ue = authenticated;
	reauth_queue_push(job);
	return 0;
}
