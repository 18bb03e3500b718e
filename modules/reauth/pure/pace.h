/*
 * reauth module - a token bucket: at most so many events per second
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Pure: no I/O, no allocation, no clock (the caller gives a monotonic
 * time in ms). The glue uses it for start_rate: a mass re-authentication
 * starts its procedures at a steady pace instead of all at once, so that
 * the REGISTERs and NOTIFY answers of thousands of UEs do not reach the
 * SIP workers in one burst.
 *
 * The bucket holds at most `burst` tokens and gains `rate_milli` / 1000
 * tokens per second; an event takes one token. Tokens are counted in
 * millionths, so that a rate below one per second per worker (start_rate
 * shared by several workers) keeps its precision.
 */

#ifndef _REAUTH_CORE_PACE_H_
#define _REAUTH_CORE_PACE_H_

#include <stdint.h>

typedef struct pace
{
	uint64_t rate_milli; /* events per 1000 s (events/s x 1000); 0: no limit */
	uint64_t cap;		 /* burst, in millionths of a token */
	uint64_t held;		 /* tokens now, in millionths */
	uint64_t last_ms;	 /* when held was last brought up to date */
} pace_t;

/* a full bucket at now_ms; burst 0 counts as 1 */
void pace_init(pace_t *p, uint64_t rate_milli, uint32_t burst, uint64_t now_ms);

/* non-zero when an event may go at now_ms (its token is taken) */
int pace_take(pace_t *p, uint64_t now_ms);

/* ms from now_ms until pace_take() can succeed: 0 when it can now (or
 * there is no limit), at least 1 otherwise */
uint64_t pace_wait_ms(const pace_t *p, uint64_t now_ms);

/* the burst that goes with a rate: a tenth of a second's worth, at least
 * one event */
uint32_t pace_burst_of(uint64_t rate_milli);

#endif
