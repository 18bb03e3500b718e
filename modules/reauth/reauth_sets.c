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

/* Rows are found by hash: per column a bucket array and, per row, the
 * next row of the same bucket, both in table order, so that the first
 * match is the first row and a user's rows come in the order listed. */
enum
{
	COL_IMPU = 0,
	COL_IMPI,
	COL_SET,
	COL_COUNT
};

typedef struct set_table
{
	int n;
	unsigned int size;		  /* buckets, a power of two */
	set_entry_t *e;			  /* e, the arrays and the strings: one block */
	int *head[COL_COUNT];	  /* bucket -> first row + 1 (0: none) */
	int *next[COL_COUNT];	  /* row -> next row + 1 in its bucket */
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

static str *col_of(set_entry_t *e, int col)
{
	return col == COL_IMPU ? &e->impu : col == COL_IMPI ? &e->impi : &e->set_id;
}

static unsigned int bucket_of(set_table_t *t, str *key)
{
	return core_case_hash(key, NULL, 0) & (t->size - 1);
}

/* pushed from the last row to the first: chains come in table order */
static void index_build(set_table_t *t)
{
	unsigned int b;
	int col, i;

	for(col = 0; col < COL_COUNT; col++)
		for(i = t->n - 1; i >= 0; i--) {
			b = bucket_of(t, col_of(&t->e[i], col));
			t->next[col][i] = t->head[col][b];
			t->head[col][b] = i + 1;
		}
}

/* the first row whose column col equals key, after row `after` (-1: from
 * the start), or -1 */
static int row_find(set_table_t *t, int col, str *key, int after)
{
	int r;

	if(t == NULL || t->n == 0)
		return -1;
	r = after < 0 ? t->head[col][bucket_of(t, key)] : t->next[col][after];
	for(; r; r = t->next[col][r - 1])
		if(reauth_str_ieq(col_of(&t->e[r - 1], col), key))
			return r - 1;
	return -1;
}

/* the row a trigger names: the first row listing it as public or private
 * identity */
static int row_of_trigger(set_table_t *t, str *trigger)
{
	int a = row_find(t, COL_IMPU, trigger, -1);
	int b = row_find(t, COL_IMPI, trigger, -1);

	return a < 0 ? b : (b < 0 || a < b ? a : b);
}

/* the user of row h: the rows of its private identity, or of its set when
 * it has none; reauth_sets_resolve lists them in this order */
static int user_col(set_entry_t *h)
{
	return h->impi.len == 0 ? COL_SET : COL_IMPI;
}

static set_table_t *load_table(void)
{
	db_key_t cols[3] = {&col_impu, &col_impi, &col_set_id};
	db1_res_t *res = NULL;
	set_table_t *t;
	size_t len = 0;
	unsigned int size;
	db_val_t *v;
	str a, b, c;
	char *p;
	int i, n, col;

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
	for(size = 1; size < (unsigned int)n; size <<= 1)
		;
	t = shm_malloc(sizeof(set_table_t) + n * sizeof(set_entry_t)
				   + COL_COUNT * (size + n) * sizeof(int) + len);
	if(t == NULL) {
		SHM_MEM_ERROR;
		dbf.free_result(db_con, res);
		return NULL;
	}
	memset(t, 0, sizeof(set_table_t));
	t->size = size;
	t->e = (set_entry_t *)(t + 1);
	p = (char *)(t->e + n);
	for(col = 0; col < COL_COUNT; col++) {
		t->head[col] = (int *)p;
		t->next[col] = t->head[col] + size;
		memset(p, 0, (size + n) * sizeof(int));
		p += (size + n) * sizeof(int);
	}
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
	index_build(t);
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
	int r, col;

	memset(u, 0, sizeof(*u));
	lock_get(&sets->lock);
	t = sets->table;
	r = row_of_trigger(t, trigger);
	if(r >= 0)
		hit = &t->e[r];
	if(hit == NULL && !has_scheme(trigger)) {
		lock_release(&sets->lock);
		return -1; /* neither a URI nor a known private identity */
	}
	/* the trigger, and each identity of the user twice (set and all) */
	len = 3 * (size_t)(trigger->len + 1);
	if(hit) {
		col = user_col(hit);
		len += hit->impi.len + 1;
		for(r = row_find(t, col, col_of(hit, col), -1); r >= 0;
				r = row_find(t, col, col_of(hit, col), r))
			len += 2 * (size_t)(t->e[r].impu.len + 1);
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
	u->by_private = reauth_str_ieq(&hit->impi, trigger)
					&& !reauth_str_ieq(&hit->impu, trigger);
	/* a public identity first: it leads its set in NOTIFY bodies */
	if(!u->by_private)
		add_id(u->set, &u->nset, trigger, &p);
	col = user_col(hit);
	for(r = row_find(t, col, col_of(hit, col), -1); r >= 0;
			r = row_find(t, col, col_of(hit, col), r)) {
		add_id(u->all, &u->nall, &t->e[r].impu, &p);
		/* a private identity re-authenticates every identity it serves */
		if(u->by_private || reauth_str_ieq(&t->e[r].set_id, &hit->set_id))
			add_id(u->set, &u->nset, &t->e[r].impu, &p);
	}
	lock_release(&sets->lock);
	return 0;
}

unsigned int reauth_sets_user_hash(str *identity)
{
	set_table_t *t;
	unsigned int h;
	int r, col;

	lock_get(&sets->lock);
	t = sets->table;
	r = row_find(t, COL_IMPU, identity, -1);
	if(r >= 0) {
		/* the first row of the same user, as reauth_sets_resolve lists
		 * all[] */
		col = user_col(&t->e[r]);
		r = row_find(t, col, col_of(&t->e[r], col), -1);
	}
	h = core_case_hash(r >= 0 ? &t->e[r].impu : identity, NULL, 0);
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

/* The usrloc key carries no scheme: try the schemes the table may list
 * (sip: first, as registrar's save() keys sip:user@host as user@host). */
int reauth_sets_resolve_aor(str *aor, reauth_user_t *u)
{
	static const char *schemes[] = {"sip:", "sips:", "tel:"};
	char buf[REAUTH_SETS_AOR_MAX + 8];
	str cand;
	int i, r;

	memset(u, 0, sizeof(*u));
	if(aor->len <= 0 || aor->len > REAUTH_SETS_AOR_MAX)
		return -1;
	for(i = 0; i < 3; i++) {
		cand.len = snprintf(buf, sizeof(buf), "%s%.*s", schemes[i], aor->len,
				aor->s);
		cand.s = buf;
		lock_get(&sets->lock);
		r = row_find(sets->table, COL_IMPU, &cand, -1);
		lock_release(&sets->lock);
		if(r >= 0)
			return reauth_sets_resolve(&cand, u) == 0 ? 0 : -1;
	}
	return -1;
}
