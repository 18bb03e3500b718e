/*
 * reauth module - SQL text for many rows in one statement (see sqlbulk.h)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdarg.h>
#include <stdio.h>

#include "sqlbulk.h"

typedef struct out
{
	char *buf;
	size_t size;
	size_t len;
	int full; /* something did not fit */
} out_t;

static void put(out_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if(o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if(n < 0 || (size_t)n >= o->size - o->len) {
		o->full = 1;
		return;
	}
	o->len += (size_t)n;
}

static void put_ids(out_t *o, sqlbulk_name_t id, const unsigned int *ids, int n)
{
	int i;

	put(o, " WHERE %.*s IN (", id.len, id.s);
	for(i = 0; i < n; i++)
		put(o, "%s%d", i ? "," : "", (int)ids[i]);
	put(o, ")");
}

static int done(out_t *o)
{
	if(o->full) {
		if(o->size)
			o->buf[0] = '\0';
		return -1;
	}
	return (int)o->len;
}

int sqlbulk_delete_in(char *buf, size_t size, sqlbulk_name_t table,
		sqlbulk_name_t id, const unsigned int *ids, int n)
{
	out_t o = {buf, size, 0, size == 0};

	if(n < 1)
		return -1;
	put(&o, "DELETE FROM %.*s", table.len, table.s);
	put_ids(&o, id, ids, n);
	return done(&o);
}

int sqlbulk_update_case(char *buf, size_t size, sqlbulk_name_t table,
		sqlbulk_name_t id, const sqlbulk_name_t *cols, int ncols,
		const unsigned int *ids, const int *vals, int n)
{
	out_t o = {buf, size, 0, size == 0};
	int c, i;

	if(n < 1 || ncols < 1)
		return -1;
	put(&o, "UPDATE %.*s SET ", table.len, table.s);
	for(c = 0; c < ncols; c++) {
		put(&o, "%s%.*s = CASE %.*s", c ? ", " : "", cols[c].len, cols[c].s,
				id.len, id.s);
		for(i = 0; i < n; i++)
			put(&o, " WHEN %d THEN %d", (int)ids[i], vals[i * ncols + c]);
		put(&o, " END");
	}
	put_ids(&o, id, ids, n);
	return done(&o);
}
