/*
 * reauth module - unit tests of pure/pace (the token bucket of start_rate)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../modules/reauth/pure/pace.h"

/* no limit: every event goes, nothing to wait for */
static void test_unlimited(void **state)
{
	pace_t p;
	int i;

	(void)state;
	pace_init(&p, 0, 1, 1000);
	for(i = 0; i < 100000; i++)
		assert_true(pace_take(&p, 1000));
	assert_int_equal(pace_wait_ms(&p, 1000), 0);
}

/* a full bucket lets the burst go at once, then one event per 1/rate */
static void test_burst_then_rate(void **state)
{
	pace_t p;
	int i;

	(void)state;
	pace_init(&p, 100 * 1000, 10, 5000); /* 100/s, burst 10 */
	for(i = 0; i < 10; i++)
		assert_true(pace_take(&p, 5000));
	assert_false(pace_take(&p, 5000));
	assert_int_equal(pace_wait_ms(&p, 5000), 10);
	assert_false(pace_take(&p, 5009));
	assert_int_equal(pace_wait_ms(&p, 5009), 1);
	assert_true(pace_take(&p, 5010));
	assert_false(pace_take(&p, 5010));
}

/* over a long run the count is rate x time (+ the burst), whatever the
 * polling step within the burst's tenth of a second, and a pause refills
 * no more than the burst */
static void test_long_run(void **state)
{
	static const uint64_t steps[] = {1, 3, 7, 50, 100};
	pace_t p;
	uint64_t t, n;
	size_t s;

	(void)state;
	for(s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		pace_init(&p, 3500 * 1000, pace_burst_of(3500 * 1000), 0);
		n = 0;
		for(t = 0; t <= 10000; t += steps[s])
			while(pace_take(&p, t))
				n++;
		assert_true(n >= 35000 && n <= 35000 + 350);
		/* an hour of silence: one burst, not an hour's worth */
		n = 0;
		while(pace_take(&p, 10000 + 3600 * 1000ULL))
			n++;
		assert_int_equal(n, 350);
	}
}

/* a rate below one per second (start_rate shared by workers) keeps its
 * precision: 2.5/s gives 25 events in 10 s */
static void test_fractional_rate(void **state)
{
	pace_t p;
	uint64_t t, n = 0;

	(void)state;
	pace_init(&p, 2500, pace_burst_of(2500), 0);
	assert_int_equal(pace_burst_of(2500), 1);
	assert_true(pace_take(&p, 0)); /* the full bucket's one */
	for(t = 1; t <= 10000; t++)
		while(pace_take(&p, t))
			n++;
	assert_int_equal(n, 25);
	assert_int_equal(pace_wait_ms(&p, 10000), 400);
}

/* the clock does not go back; a time before the last one changes nothing */
static void test_time_before_last(void **state)
{
	pace_t p;

	(void)state;
	pace_init(&p, 1000, 1, 100000); /* 1/s */
	assert_true(pace_take(&p, 100000));
	assert_false(pace_take(&p, 99000));
	assert_int_equal(pace_wait_ms(&p, 99000), 1000);
	assert_true(pace_take(&p, 101000));
}

static void test_burst_of(void **state)
{
	(void)state;
	assert_int_equal(pace_burst_of(0), 1);
	assert_int_equal(pace_burst_of(9999), 1);
	assert_int_equal(pace_burst_of(3500 * 1000), 350);
	assert_int_equal(pace_burst_of(UINT64_MAX), UINT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_unlimited),
			cmocka_unit_test(test_burst_then_rate),
			cmocka_unit_test(test_long_run),
			cmocka_unit_test(test_fractional_rate),
			cmocka_unit_test(test_time_before_last),
			cmocka_unit_test(test_burst_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
