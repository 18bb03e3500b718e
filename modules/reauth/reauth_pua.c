/*
 * reauth module - the reg event through a presence server (pua)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * reg_event_mode "pua" (see reauth_pua.h; the why of each choice is in
 * doc/reauth_admin.xml, "Through a Presence Server"). Every usrloc change
 * is published by the worker of its user for each identity of the user;
 * the procedure publishes its own changes (reauth_proc_run.c). Nobody
 * else publishes these identities: pua_reginfo's publish_reginfo must be
 * 0 (checked at start-up). Versions come from one counter (start-up time
 * x 8, one more per document). One PUBLISH of an identity is open at a
 * time: a table of the open ones keeps the newest document that waits,
 * which pua's answer callback sends; an answer that never came is given
 * up after PUB_STALE seconds by the tick.
 */

#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/hashes.h"
#include "core/locking.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/parser/msg_parser.h"
#include "core/sr_module.h"
#include "modules/pua/pua.h"
#include "modules/pua/pua_bind.h"

#include "pure/reginfo.h"

#include "reauth_mem.h"
#include "reauth_proc.h"
#include "reauth_pua.h"
#include "reauth_sets.h"
#include "reauth_snapshot.h"
#include "reauth_stats.h"
#include "reauth_str.h"
#include "reauth_table.h"

int reauth_reg_event_pua = 0;
int reauth_publish_wait = -1;
int reauth_publish_expires = 3600;

/* the pua records of the module: "reauth:" + the identity; the source
 * flag is one pua runs callbacks for (at most PUACB_MAX) and that no
 * publisher of the reg event uses (pua_usrloc publishes Event: presence) */
#define PUB_ID_PREFIX "reauth:"
#define PUB_ID_PREFIX_LEN (sizeof(PUB_ID_PREFIX) - 1)
#define PUB_FLAG UL_PUBLISH
/* an open PUBLISH unanswered this long is given up (tm answers 408
 * within fr_timer, 30 s by default) */
#define PUB_STALE 64
#define PUB_TABLE_SIZE 1024
#define PUB_VERSION_EPOCH 1700000000L

static pua_api_t pua;

/* an identity with a PUBLISH open */
typedef struct pua_pub
{
	reauth_tentry_t entry; /* hash: of the URI */
	time_t since;		   /* the open PUBLISH was sent then */
	str next;			   /* a newer document waiting (shm), or none */
	str uri;			   /* in buf */
	char buf[];
} pua_pub_t;

typedef struct pua_shared
{
	gen_lock_t lock;
	unsigned long version;
} pua_shared_t;

static reauth_table_t *pubs = NULL;
static pua_shared_t *shared = NULL;

int reauth_reg_event_mode_param(unsigned int type, void *val)
{
	char *s = (char *)val;

	if(s && strcasecmp(s, "own") == 0)
		reauth_reg_event_pua = 0;
	else if(s && strcasecmp(s, "pua") == 0)
		reauth_reg_event_pua = 1;
	else {
		LM_ERR("reg_event_mode must be own or pua, not '%s'\n", s ? s : "");
		return -1;
	}
	return 0;
}

static unsigned long next_version(void)
{
	unsigned long v, base;

	base = (unsigned long)(time(NULL) - PUB_VERSION_EPOCH) * 8;
	lock_get(&shared->lock);
	v = shared->version + 1;
	if(v < base)
		v = base;
	shared->version = v;
	lock_release(&shared->lock);
	return v;
}

/* --- the open PUBLISHes --- */

static pua_pub_t *pub_find(unsigned int hash, str *uri)
{
	reauth_tentry_t *e;
	pua_pub_t *p;

	for(e = reauth_table_first(pubs, hash); e; e = e->next) {
		p = (pua_pub_t *)e;
		if(e->hash == hash && reauth_str_ieq(&p->uri, uri))
			return p;
	}
	return NULL;
}

static void pub_free(reauth_tentry_t *e)
{
	pua_pub_t *p = (pua_pub_t *)e;

	if(p->next.s)
		shm_free(p->next.s);
	shm_free(p);
}

/* an entry leaves the table (its bucket locked): freed after unlocking */
static void pub_unlink(pua_pub_t *p)
{
	reauth_table_unlink(pubs, &p->entry);
	reauth_stats_add(REAUTH_STAT_PUBLISH_OPEN, -1);
}

/* one PUBLISH through pua; 0 sent, -1 not */
static int send_one(str *uri, char *body, int len)
{
	publ_info_t publ;
	char id_buf[REAUTH_AOR_MAX + PUB_ID_PREFIX_LEN];
	str b;

	if(uri->len > REAUTH_AOR_MAX)
		return -1;
	memset(&publ, 0, sizeof(publ));
	memcpy(id_buf, PUB_ID_PREFIX, PUB_ID_PREFIX_LEN);
	memcpy(id_buf + PUB_ID_PREFIX_LEN, uri->s, uri->len);
	publ.id.s = id_buf;
	publ.id.len = (int)PUB_ID_PREFIX_LEN + uri->len;
	b.s = body;
	b.len = len;
	publ.pres_uri = uri;
	publ.body = &b;
	publ.expires = reauth_publish_expires;
	/* an update of the record when pua has it, else a new one */
	publ.flag = UPDATE_TYPE;
	publ.source_flag = PUB_FLAG;
	publ.event = REGINFO_EVENT;
	publ.content_type.s = REGINFO_CONTENT_TYPE;
	publ.content_type.len = sizeof(REGINFO_CONTENT_TYPE) - 1;
	if(pua.send_publish(&publ) < 0) {
		LM_ERR("cannot PUBLISH the registration state of %.*s\n", uri->len,
				uri->s);
		reauth_stats_add(REAUTH_STAT_PUBLISH_FAILED, 1);
		return -1;
	}
	reauth_stats_add(REAUTH_STAT_PUBLISH_SENT, 1);
	return 0;
}

/* The open PUBLISH of uri is over (answered, or not sent): the document
 * that waits goes next, else the entry goes. */
static void pub_done(str *uri)
{
	unsigned int hash = core_case_hash(uri, NULL, 0);
	pua_pub_t *p;
	str next;
	int rc;

	for(;;) {
		reauth_table_lock(pubs, hash);
		p = pub_find(hash, uri);
		if(p == NULL) {
			reauth_table_unlock(pubs, hash);
			return;
		}
		if(p->next.s == NULL) {
			pub_unlink(p);
			reauth_table_unlock(pubs, hash);
			pub_free(&p->entry);
			return;
		}
		next = p->next;
		p->next.s = NULL;
		p->next.len = 0;
		p->since = time(NULL);
		reauth_table_unlock(pubs, hash);
		rc = send_one(uri, next.s, next.len);
		shm_free(next.s);
		if(rc == 0)
			return;
	}
}

/* pua: the final answer to a PUBLISH, in the process that got it */
static int pub_answered(ua_pres_t *hentity, struct sip_msg *msg)
{
	int code;

	if(pubs == NULL || hentity == NULL || hentity->pres_uri == NULL
			|| hentity->id.len <= (int)PUB_ID_PREFIX_LEN
			|| strncmp(hentity->id.s, PUB_ID_PREFIX, PUB_ID_PREFIX_LEN) != 0)
		return 0; /* not ours */
	code = (msg == NULL || msg == FAKED_REPLY)
				   ? 408
				   : (int)msg->first_line.u.reply.statuscode;
	/* pua sends it again as a new publication (its ETag was unknown):
	 * that one's answer comes here too */
	if(code == 412)
		return 0;
	if(code >= 300) {
		LM_WARN("PUBLISH of the registration state of %.*s answered %d\n",
				hentity->pres_uri->len, hentity->pres_uri->s, code);
		reauth_stats_add(REAUTH_STAT_PUBLISH_FAILED, 1);
	}
	pub_done(hentity->pres_uri);
	return 0;
}

static int publish_body(str *uri, char *body, int len)
{
	unsigned int hash = core_case_hash(uri, NULL, 0);
	pua_pub_t *p;
	char *copy;
	int rc;

	reauth_table_lock(pubs, hash);
	p = pub_find(hash, uri);
	if(p) {
		/* a PUBLISH is open: this one replaces any that waits (an answer
		 * that never comes: reauth_pua_tick sends it) */
		if((copy = shm_malloc(len)) == NULL) {
			reauth_table_unlock(pubs, hash);
			SHM_MEM_ERROR;
			return -1;
		}
		memcpy(copy, body, len);
		if(p->next.s)
			shm_free(p->next.s);
		p->next.s = copy;
		p->next.len = len;
		reauth_table_unlock(pubs, hash);
		return 0;
	}
	if((p = shm_malloc(sizeof(pua_pub_t) + uri->len)) == NULL) {
		reauth_table_unlock(pubs, hash);
		SHM_MEM_ERROR;
		return -1;
	}
	memset(p, 0, sizeof(pua_pub_t));
	p->entry.hash = hash;
	p->uri.s = p->buf;
	p->uri.len = uri->len;
	memcpy(p->buf, uri->s, uri->len);
	p->since = time(NULL);
	reauth_table_link(pubs, &p->entry);
	reauth_stats_add(REAUTH_STAT_PUBLISH_OPEN, 1);
	reauth_table_unlock(pubs, hash);
	rc = send_one(uri, body, len);
	if(rc < 0)
		pub_done(uri);
	return rc;
}

/* An open PUBLISH whose answer never came (pua runs no callback on some
 * of its error paths): the document that waits goes, or the entry. */
void reauth_pua_tick(time_t now, unsigned int slice, unsigned int slices)
{
	unsigned int idx, last;
	char buf[REAUTH_AOR_MAX];
	reauth_tentry_t *e;
	pua_pub_t *p;
	str uri, next;

	if(pubs == NULL || slices == 0)
		return;
	last = (unsigned int)((unsigned long)pubs->size * (slice + 1) / slices);
	for(idx = (unsigned int)((unsigned long)pubs->size * slice / slices);
			idx < last; idx++) {
		for(;;) {
			reauth_table_lock(pubs, idx);
			for(e = reauth_table_first(pubs, idx); e; e = e->next)
				if(now - ((pua_pub_t *)e)->since >= PUB_STALE)
					break;
			if(e == NULL) {
				reauth_table_unlock(pubs, idx);
				break;
			}
			p = (pua_pub_t *)e;
			if(p->next.s == NULL || p->uri.len > REAUTH_AOR_MAX) {
				pub_unlink(p);
				reauth_table_unlock(pubs, idx);
				pub_free(&p->entry);
				continue;
			}
			next = p->next;
			p->next.s = NULL;
			p->next.len = 0;
			p->since = now;
			memcpy(buf, p->uri.s, p->uri.len);
			uri.s = buf;
			uri.len = p->uri.len;
			reauth_table_unlock(pubs, idx);
			LM_WARN("PUBLISH of %.*s unanswered for %d s: sending the next\n",
					uri.len, uri.s, PUB_STALE);
			if(send_one(&uri, next.s, next.len) < 0)
				pub_done(&uri);
			shm_free(next.s);
		}
	}
}

int reauth_pua_publish(str *uri, regstate_identity_t *ids, int nids)
{
	char *body = NULL;
	size_t len = 0;
	int rc;

	if(pubs == NULL || uri == NULL || uri->len <= 0)
		return -1;
	/* presence hands the last document to every new watcher: full state */
	if(regstate_build_doc(ids, (size_t)nids, REGINFO_FULL, next_version(),
			   (long)time(NULL), &reauth_core_pkg_mem, &body, &len)
			< 0) {
		LM_ERR("cannot build the reginfo document of %.*s\n", uri->len, uri->s);
		reauth_stats_add(REAUTH_STAT_PUBLISH_FAILED, 1);
		return -1;
	}
	rc = publish_body(uri, body, (int)len);
	pkg_free(body);
	return rc;
}

int reauth_pua_publish_all(
		str *uris, int nuris, regstate_identity_t *ids, int nids)
{
	int i, sent = 0;

	for(i = 0; i < nuris; i++)
		if(reauth_pua_publish(&uris[i], ids, nids) == 0)
			sent++;
	return sent;
}

/* --- registration changes --- */

/* "sip:" + a usrloc key that names no scheme (use_domain 1: user@domain) */
static int aor_uri(str *aor, char *buf, int size, str *uri)
{
	if(aor->len >= 4
			&& (strncasecmp(aor->s, "sip:", 4) == 0
					|| strncasecmp(aor->s, "tel:", 4) == 0
					|| (aor->len >= 5
							&& strncasecmp(aor->s, "sips:", 5) == 0))) {
		if(aor->len >= size)
			return -1;
		memcpy(buf, aor->s, aor->len);
		uri->len = aor->len;
	} else {
		if(memchr(aor->s, '@', aor->len) == NULL || aor->len + 4 >= size)
			return -1; /* usrloc use_domain 0: no domain to publish for */
		memcpy(buf, "sip:", 4);
		memcpy(buf + 4, aor->s, aor->len);
		uri->len = aor->len + 4;
	}
	buf[uri->len] = '\0';
	uri->s = buf;
	return 0;
}

unsigned int reauth_pua_shard(str *aor)
{
	char buf[REAUTH_AOR_MAX + 8];
	str uri;

	if(aor_uri(aor, buf, sizeof(buf), &uri) < 0)
		return reauth_shard_of(core_case_hash(aor, NULL, 0));
	return reauth_sets_shard(&uri);
}

void reauth_pua_on_ul_change(reauth_job_t *job)
{
	char buf[REAUTH_AOR_MAX + 8];
	reauth_view_t *v;
	ul_change_t ch;
	str uri;
	int k;

	ch.uri = job->c_uri;
	ch.callid = job->c_callid;
	ch.cseq = job->c_cseq;
	ch.expires = job->c_expires;
	ch.event = job->event;
	if((v = reauth_view_take_change(&job->aor, &ch, &k)) == NULL)
		return;
	/* an identity the table does not list: named by its usrloc key */
	if(v->n == 1 && v->ids[0].uri == NULL) {
		if(aor_uri(&job->aor, buf, sizeof(buf), &uri) < 0) {
			LM_DBG("no URI to publish %.*s as\n", job->aor.len, job->aor.s);
			reauth_view_free(v);
			return;
		}
		v->ids[0].uri = uri.s;
	}
	for(k = 0; k < v->n; k++) {
		uri.s = (char *)v->ids[k].uri;
		uri.len = strlen(uri.s);
		reauth_pua_publish(&uri, v->ids, v->n);
	}
	reauth_view_free(v);
}

/* --- start and stop --- */

/* pua_reginfo publishing the same identities would undo ours */
static int check_pua_reginfo(void)
{
	struct sr_module *m = find_module_by_name("pua_reginfo");
	modparam_t type;
	int *publish;

	if(m == NULL)
		return 0;
	publish = find_param_export(m, "publish_reginfo", PARAM_INT, &type);
	if(publish && *publish != 0) {
		LM_ERR("reg_event_mode pua: the module publishes the registration"
			   " state itself; set modparam(\"pua_reginfo\","
			   " \"publish_reginfo\", 0) (pua_reginfo may stay loaded for"
			   " reginfo_subscribe() and reginfo_handle_notify())\n");
		return -1;
	}
	return 0;
}

int reauth_pua_init(void)
{
	bind_pua_t bind;

	if(reauth_publish_wait < 0)
		reauth_publish_wait = reauth_shortened_expires;
	if(!reauth_reg_event_pua)
		return 0;
	if(reauth_publish_expires < 10) {
		LM_ERR("publish_expires must be 10 s or more (is %d)\n",
				reauth_publish_expires);
		return -1;
	}
	bind = (bind_pua_t)find_export("bind_pua", 1, 0);
	if(bind == NULL || bind(&pua) < 0) {
		LM_ERR("reg_event_mode pua: cannot bind pua (load pua before"
			   " reauth)\n");
		return -1;
	}
	if(check_pua_reginfo() < 0)
		return -1;
	if(pua.register_puacb(PUB_FLAG, pub_answered, NULL) < 0) {
		LM_ERR("cannot register the pua callback\n");
		return -1;
	}
	pubs = reauth_table_new(PUB_TABLE_SIZE);
	shared = shm_malloc(sizeof(pua_shared_t));
	if(pubs == NULL || shared == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(shared, 0, sizeof(*shared));
	lock_init(&shared->lock);
	LM_INFO("reg_event_mode pua: registration state goes to the presence"
			" server through pua; publish_wait %d s\n",
			reauth_publish_wait);
	return 0;
}

void reauth_pua_destroy(void)
{
	if(pubs)
		reauth_table_destroy(pubs, pub_free);
	pubs = NULL;
	if(shared)
		shm_free(shared);
	shared = NULL;
}
