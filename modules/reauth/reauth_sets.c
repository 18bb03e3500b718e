/*
 * reauth module - implicit registration sets and the users they belong to
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
#include "lib/srdb1/db.h"

#include "reauth_db.h"
#include "reauth_queue.h"
#include "reauth_sets.h"
#include "reauth_str.h"

#define REAUTH_SETS_TABLE_VERSION 1

typedef struct set_entry
{
	str impu;
	str impi;
	str set_id;
} set_entry_t;

typedef struct set_table
{
	int n;
	set_entry_t *e; /* e and the strings share one shm block */
} set_table_t;

typedef struct sets_shared
{
	gen_lock_t lock;
	set_table_t *table;
} sets_shared_t;

static sets_shared_t *sets = NULL;
static db_func_t dbf;
static db1_con_t *db_con = NULL;
static str db_url = STR_NULL;
static str sets_table_name = str_init("reauth_identity");
static str col_impu = str_init("impu");
static str col_impi = str_init("impi");
static str col_set_id = str_init("set_id");

static set_table_t *load_table(void)
{
	db_key_t cols[3] = {&col_impu, &col_impi, &col_set_id};
	db1_res_t *res = NULL;
	set_table_t *t;
	size_t len = 0;
	db_val_t *v;
	str a, b, c;
	char *p;
	int i, n;

	if(dbf.use_table(db_con, &sets_table_name) < 0
			|| dbf.query(db_con, 0, 0, 0, cols, 0, 3, 0, &res) < 0) {
		LM_ERR("cannot load %.*s\n", sets_table_name.len, sets_table_name.s);
		return NULL;
	}
	n = RES_ROW_N(res);
	for(i = 0; i < n; i++) {
		v = ROW_VALUES(&RES_ROWS(res)[i]);
		reauth_db_val_str(&v[0], &a);
		reauth_db_val_str(&v[1], &b);
		reauth_db_val_str(&v[2], &c);
		len += a.len + b.len + c.len + 3;
	}
	t = shm_malloc(sizeof(set_table_t) + n * sizeof(set_entry_t) + len);
	if(t == NULL) {
		SHM_MEM_ERROR;
		dbf.free_result(db_con, res);
		return NULL;
	}
	t->e = (set_entry_t *)(t + 1);
	p = (char *)(t->e + n);
	t->n = 0;
	for(i = 0; i < n; i++) {
		v = ROW_VALUES(&RES_ROWS(res)[i]);
		reauth_db_val_str(&v[0], &a);
		reauth_db_val_str(&v[1], &b);
		reauth_db_val_str(&v[2], &c);
		if(a.len == 0 || c.len == 0) {
			LM_WARN("%.*s: skipping a row without impu or set_id\n",
					sets_table_name.len, sets_table_name.s);
			continue;
		}
		reauth_str_pack(&t->e[t->n].impu, &a, &p);
		reauth_str_pack(&t->e[t->n].impi, &b, &p);
		reauth_str_pack(&t->e[t->n].set_id, &c, &p);
		t->n++;
	}
	dbf.free_result(db_con, res);
	return t;
}

int reauth_sets_init(str *url)
{
	sets = shm_malloc(sizeof(sets_shared_t));
	if(sets == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(sets, 0, sizeof(*sets));
	if(lock_init(&sets->lock) == NULL)
		return -1;
	if(url->s == NULL || url->len <= 0) {
		LM_INFO("no db_url: every identity is a set of its own\n");
		return 0;
	}
	db_url = *url;
	if(db_bind_mod(&db_url, &dbf) < 0 || (db_con = dbf.init(&db_url)) == NULL) {
		LM_ERR("cannot connect to the DB for %.*s\n", sets_table_name.len,
				sets_table_name.s);
		return -1;
	}
	if(db_check_table_version(
			   &dbf, db_con, &sets_table_name, REAUTH_SETS_TABLE_VERSION)
			< 0) {
		DB_TABLE_VERSION_ERROR(sets_table_name);
		dbf.close(db_con);
		db_con = NULL;
		return -1;
	}
	sets->table = load_table();
	dbf.close(db_con);
	db_con = NULL;
	if(sets->table == NULL)
		return -1;
	LM_INFO("loaded %d identities of implicit registration sets\n",
			sets->table->n);
	return 0;
}

int reauth_sets_child_init(void)
{
	if(db_url.len <= 0 || db_con != NULL)
		return 0;
	if((db_con = dbf.init(&db_url)) == NULL) {
		LM_ERR("cannot connect to the DB\n");
		return -1;
	}
	return 0;
}

int reauth_sets_reload(void)
{
	set_table_t *t, *old;
	int n;

	if(db_url.len <= 0) {
		LM_ERR("no db_url to reload implicit registration sets from\n");
		return -1;
	}
	if(reauth_sets_child_init() < 0 || (t = load_table()) == NULL)
		return -1;
	lock_get(&sets->lock);
	old = sets->table;
	sets->table = t;
	n = t->n;
	lock_release(&sets->lock);
	if(old)
		shm_free(old);
	LM_INFO("reloaded %d identities of implicit registration sets\n", n);
	return n;
}

void reauth_sets_destroy(void)
{
	if(sets == NULL)
		return;
	if(sets->table)
		shm_free(sets->table);
	lock_destroy(&sets->lock);
	shm_free(sets);
	sets = NULL;
}

int reauth_sets_count(void)
{
	int n;

	if(sets == NULL)
		return 0;
	lock_get(&sets->lock);
	n = sets->table ? sets->table->n : 0;
	lock_release(&sets->lock);
	return n;
}

static int has_scheme(str *s)
{
	return (s->len > 4 && strncasecmp(s->s, "sip:", 4) == 0)
		   || (s->len > 5 && strncasecmp(s->s, "sips:", 5) == 0)
		   || (s->len > 4 && strncasecmp(s->s, "tel:", 4) == 0);
}

/* add s to list (no duplicates), strings copied into the user's buffer */
static void add_id(str *list, int *n, str *s, char **p)
{
	int i;

	for(i = 0; i < *n; i++)
		if(reauth_str_ieq(&list[i], s))
			return;
	if(*n >= REAUTH_USER_MAX_IDS) {
		LM_WARN("more than %d identities for one user: %.*s left out\n",
				REAUTH_USER_MAX_IDS, s->len, s->s);
		return;
	}
	reauth_str_pack(&list[*n], s, p);
	(*n)++;
}

int reauth_sets_resolve(str *trigger, reauth_user_t *u)
{
	set_table_t *t;
	set_entry_t *hit = NULL;
	size_t len;
	char *p;
	int i;

	memset(u, 0, sizeof(*u));
	lock_get(&sets->lock);
	t = sets->table;
	/* trigger, set and all lists hold at most every impu and the trigger */
	len = 3 * (size_t)(trigger->len + 1);
	if(t) {
		for(i = 0; i < t->n; i++) {
			len += 2 * (size_t)(t->e[i].impu.len + 1);
			if(hit == NULL
					&& (reauth_str_ieq(&t->e[i].impu, trigger)
							|| reauth_str_ieq(&t->e[i].impi, trigger)))
				hit = &t->e[i];
		}
		if(hit)
			len += hit->impi.len + 1;
	}
	if(hit == NULL && !has_scheme(trigger)) {
		lock_release(&sets->lock);
		return -1; /* neither a URI nor a known private identity */
	}
	u->buf = pkg_malloc(len + 1);
	if(u->buf == NULL) {
		lock_release(&sets->lock);
		PKG_MEM_ERROR;
		return -2;
	}
	p = u->buf;
	reauth_str_pack(&u->trigger, trigger, &p);
	if(hit == NULL) {
		/* unknown to the table: a set of its own */
		add_id(u->set, &u->nset, trigger, &p);
		add_id(u->all, &u->nall, trigger, &p);
		lock_release(&sets->lock);
		return 0;
	}
	reauth_str_pack(&u->impi, &hit->impi, &p);
	u->by_private =
			reauth_str_ieq(&hit->impi, trigger) && !reauth_str_ieq(&hit->impu, trigger);
	/* a public identity first: it leads its set in NOTIFY bodies */
	if(!u->by_private)
		add_id(u->set, &u->nset, trigger, &p);
	for(i = 0; i < t->n; i++) {
		if(hit->impi.len == 0 ? !reauth_str_ieq(&t->e[i].set_id, &hit->set_id)
							  : !reauth_str_ieq(&t->e[i].impi, &hit->impi))
			continue;
		add_id(u->all, &u->nall, &t->e[i].impu, &p);
		/* a private identity re-authenticates every identity it serves */
		if(u->by_private || reauth_str_ieq(&t->e[i].set_id, &hit->set_id))
			add_id(u->set, &u->nset, &t->e[i].impu, &p);
	}
	lock_release(&sets->lock);
	return 0;
}

unsigned int reauth_sets_user_hash(str *identity)
{
	set_entry_t *hit = NULL, *e;
	set_table_t *t;
	unsigned int h;
	int i;

	lock_get(&sets->lock);
	t = sets->table;
	for(i = 0; t && i < t->n && hit == NULL; i++)
		if(reauth_str_ieq(&t->e[i].impu, identity))
			hit = &t->e[i];
	/* the first row of the same user, as reauth_sets_resolve lists all[] */
	for(i = 0; hit && i < t->n; i++) {
		e = &t->e[i];
		if(hit->impi.len == 0 ? reauth_str_ieq(&e->set_id, &hit->set_id)
							  : reauth_str_ieq(&e->impi, &hit->impi)) {
			hit = e;
			break;
		}
	}
	h = core_case_hash(hit ? &hit->impu : identity, NULL, 0);
	lock_release(&sets->lock);
	return h;
}

unsigned int reauth_sets_shard(str *identity)
{
	return reauth_shard_of(reauth_sets_user_hash(identity));
}

void reauth_user_free(reauth_user_t *u)
{
	if(u->buf)
		pkg_free(u->buf);
	u->buf = NULL;
}

int reauth_user_in_set(reauth_user_t *u, str *uri)
{
	int i;

	for(i = 0; i < u->nset; i++)
		if(reauth_str_ieq(&u->set[i], uri))
			return i;
	return -1;
}
