/*
 * reauth module - packing strings into one allocated block
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_STR_H_
#define _REAUTH_STR_H_

#include <string.h>
#include <strings.h>

#include "core/str.h"

/* Copy src at *p as dst, followed by a NUL (for printf and pure/), and
 * move *p past it: records keep all their strings in one block, sized
 * with len + 1 per string. */
static inline void reauth_str_pack(str *dst, const str *src, char **p)
{
	dst->s = *p;
	dst->len = src->len;
	if(src->len > 0)
		memcpy(*p, src->s, src->len);
	*p += src->len;
	*(*p)++ = '\0';
}

/* equal, ignoring case (URIs' schemes and hosts, usrloc keys) */
static inline int reauth_str_ieq(const str *a, const str *b)
{
	return a->len == b->len && strncasecmp(a->s, b->s, a->len) == 0;
}

/* An input string in a log line or an RPC fault, cut to a fixed length:
 * "%.*s%s" with REAUTH_STR_SHORT(s). ctl's reply buffer is small and an
 * identity comes from whoever calls. */
#define REAUTH_SHORT_MAX 64
#define REAUTH_STR_SHORT(x)                                              \
	((x)->len > REAUTH_SHORT_MAX ? REAUTH_SHORT_MAX : (x)->len), (x)->s, \
			((x)->len > REAUTH_SHORT_MAX ? "..." : "")

#endif
