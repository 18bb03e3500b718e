/*
 * reauth module - unit tests of pure/sqlbulk (the DB writer's statements
 * for many rows)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../modules/reauth/pure/sqlbulk.h"

#define NAME(x) ((sqlbulk_name_t){x, (int)sizeof(x) - 1})

static void test_delete_in(void **state)
{
	unsigned int ids[] = {7, 12, 3000000000u};
	char buf[256];
	int len;

	(void)state;
	len = sqlbulk_delete_in(
			buf, sizeof(buf), NAME("reauth_procedure"), NAME("id"), ids, 3);
	/* an id past INT_MAX as the row holds it: a signed int */
	assert_string_equal(buf,
			"DELETE FROM reauth_procedure WHERE id IN (7,12,-1294967296)");
	assert_int_equal(len, (int)strlen(buf));
	len = sqlbulk_delete_in(buf, sizeof(buf), NAME("t"), NAME("id"), ids, 1);
	assert_string_equal(buf, "DELETE FROM t WHERE id IN (7)");
	assert_int_equal(sqlbulk_delete_in(buf, sizeof(buf), NAME("t"), NAME("id"),
							 ids, 0),
			-1);
}

static void test_update_case(void **state)
{
	sqlbulk_name_t cols[] = {NAME("version"), NAME("loc_cseq")};
	unsigned int ids[] = {5, 9};
	int vals[] = {2, 20, 3, 30}; /* row 5: 2, 20; row 9: 3, 30 */
	char buf[512];
	int len;

	(void)state;
	len = sqlbulk_update_case(buf, sizeof(buf), NAME("reauth_subscription"),
			NAME("id"), cols, 2, ids, vals, 2);
	assert_string_equal(buf,
			"UPDATE reauth_subscription SET"
			" version = CASE id WHEN 5 THEN 2 WHEN 9 THEN 3 END,"
			" loc_cseq = CASE id WHEN 5 THEN 20 WHEN 9 THEN 30 END"
			" WHERE id IN (5,9)");
	assert_int_equal(len, (int)strlen(buf));
	assert_int_equal(sqlbulk_update_case(buf, sizeof(buf), NAME("t"),
							 NAME("id"), cols, 0, ids, vals, 2),
			-1);
}

/* a buffer too small gives -1 and an empty string, never a cut statement */
static void test_too_small(void **state)
{
	sqlbulk_name_t cols[] = {NAME("version")};
	unsigned int ids[] = {5, 9};
	int vals[] = {2, 3};
	char buf[64];
	size_t size;

	(void)state;
	for(size = 0; size < 40; size++) {
		memset(buf, 'x', sizeof(buf));
		assert_int_equal(sqlbulk_delete_in(buf, size,
								 NAME("reauth_subscription"), NAME("id"), ids, 2),
				-1);
		if(size)
			assert_int_equal(buf[0], '\0');
		assert_int_equal(sqlbulk_update_case(buf, size, NAME("t"), NAME("id"),
								 cols, 1, ids, vals, 2),
				-1);
	}
}

/* the bound macros hold for the widest values: 64 rows of 7 columns */
static void test_bounds(void **state)
{
	static char buf[SQLBULK_UPDATE_MAX(32, 7, 64)];
	sqlbulk_name_t cols[7];
	char colname[33];
	unsigned int ids[64];
	int vals[64 * 7], i, len;

	(void)state;
	memset(colname, 'c', 32);
	colname[32] = '\0';
	for(i = 0; i < 7; i++)
		cols[i] = (sqlbulk_name_t){colname, 32};
	for(i = 0; i < 64; i++)
		ids[i] = 0x80000000u; /* -2147483648: the longest */
	for(i = 0; i < 64 * 7; i++)
		vals[i] = INT_MIN;
	len = sqlbulk_update_case(buf, sizeof(buf), cols[0], cols[0], cols, 7, ids,
			vals, 64);
	assert_true(len > 0);
	assert_true((size_t)len < sizeof(buf));
	len = sqlbulk_delete_in(buf, SQLBULK_DELETE_MAX(32, 64), cols[0], cols[0],
			ids, 64);
	assert_true(len > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_delete_in),
			cmocka_unit_test(test_update_case),
			cmocka_unit_test(test_too_small),
			cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
