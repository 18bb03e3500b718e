/*
 * reauth module - a token bucket (see pace.h)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "pace.h"

#define PACE_ONE 1000000ULL /* one token, in millionths */

void pace_init(pace_t *p, uint64_t rate_milli, uint32_t burst, uint64_t now_ms)
{
	p->rate_milli = rate_milli;
	p->cap = (uint64_t)(burst ? burst : 1) * PACE_ONE;
	p->held = p->cap;
	p->last_ms = now_ms;
}

/* the tokens at now_ms: rate_milli millionths of a token per ms */
static uint64_t pace_level(const pace_t *p, uint64_t now_ms)
{
	uint64_t elapsed;

	if(now_ms <= p->last_ms)
		return p->held;
	elapsed = now_ms - p->last_ms;
	/* past a full refill the product could only overflow */
	if(elapsed >= (p->cap - p->held) / p->rate_milli + 1)
		return p->cap;
	return p->held + elapsed * p->rate_milli;
}

int pace_take(pace_t *p, uint64_t now_ms)
{
	if(p->rate_milli == 0)
		return 1;
	p->held = pace_level(p, now_ms);
	if(now_ms > p->last_ms)
		p->last_ms = now_ms;
	if(p->held < PACE_ONE)
		return 0;
	p->held -= PACE_ONE;
	return 1;
}

uint64_t pace_wait_ms(const pace_t *p, uint64_t now_ms)
{
	uint64_t level;

	if(p->rate_milli == 0)
		return 0;
	level = pace_level(p, now_ms);
	if(level >= PACE_ONE)
		return 0;
	return (PACE_ONE - level + p->rate_milli - 1) / p->rate_milli;
}

uint32_t pace_burst_of(uint64_t rate_milli)
{
	uint64_t b = rate_milli / 10000; /* events per 0.1 s */

	if(b < 1)
		return 1;
	return b > UINT32_MAX ? UINT32_MAX : (uint32_t)b;
}
