/*
 * reauth module - SQL text for many rows in one statement
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Pure: no I/O, no allocation. The DB writer deletes and updates the rows
 * of a batch with one statement per table and chunk instead of one per
 * row: with sqlite, parsing a statement costs more than running it. Only
 * integers go into the text (ids and values, printed as signed ints, as
 * the rows hold them), so nothing needs quoting; table and column names
 * come from the module, never from a message.
 */

#ifndef _REAUTH_CORE_SQLBULK_H_
#define _REAUTH_CORE_SQLBULK_H_

#include <stddef.h>

/* a table's or column's name (not NUL-terminated) */
typedef struct sqlbulk_name
{
	const char *s;
	int len;
} sqlbulk_name_t;

/* "DELETE FROM table WHERE id IN (ids...)" into buf (NUL-terminated).
 * Returns its length, or -1 when n < 1 or buf is too small. */
int sqlbulk_delete_in(char *buf, size_t size, sqlbulk_name_t table,
		sqlbulk_name_t id, const unsigned int *ids, int n);

/* "UPDATE table SET c1 = CASE id WHEN id1 THEN v WHEN ... END, c2 = ...
 * WHERE id IN (ids...)": row i's value of column c is vals[i * ncols + c].
 * Returns its length, or -1 when n or ncols < 1 or buf is too small. */
int sqlbulk_update_case(char *buf, size_t size, sqlbulk_name_t table,
		sqlbulk_name_t id, const sqlbulk_name_t *cols, int ncols,
		const unsigned int *ids, const int *vals, int n);

/* bytes sqlbulk_update_case needs at most, its NUL included, for names
 * of at most name_len bytes (an int prints in at most 11) */
#define SQLBULK_UPDATE_MAX(name_len, ncols, n) \
	(64 + 2 * (name_len) + (ncols) * (16 + 2 * (name_len) + (n)*34) + (n)*12)
/* bytes sqlbulk_delete_in needs at most, its NUL included */
#define SQLBULK_DELETE_MAX(name_len, n) (64 + 2 * (name_len) + (n)*12)

#endif
