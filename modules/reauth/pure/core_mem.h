/*
 * reauth module - allocator and log ops table of the sans-I/O core
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

/*
 * pure/ never includes a Kamailio header: everything it allocates or logs
 * goes through this table. The glue passes shm_malloc/shm_free and an LM_*
 * adapter, unit tests pass cmocka's test_malloc/test_free so that a leak
 * fails the test, and core_mem_libc is a plain malloc/free default.
 */

#ifndef _REAUTH_CORE_MEM_H_
#define _REAUTH_CORE_MEM_H_

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* log levels handed to core_mem_t.log; the glue maps them to LM_* */
#define CORE_LOG_ERR 0
#define CORE_LOG_WARN 1
#define CORE_LOG_INFO 2
#define CORE_LOG_DBG 3

/* longest log line; longer messages are truncated, never overflowed */
#define CORE_LOG_BUF_SIZE 256

typedef struct core_mem
{
	/* returns NULL on failure; n is never 0 when called by pure/ */
	void *(*alloc)(size_t n, void *ud);
	/* p may be NULL */
	void (*free)(void *p, void *ud);
	/* optional (NULL = silent); msg is NUL-terminated, no trailing newline */
	void (*log)(int level, const char *msg, void *ud);
	void *user_data;
} core_mem_t;

/* malloc/free, no log */
extern const core_mem_t core_mem_libc;

static inline void *core_alloc(const core_mem_t *mem, size_t n)
{
	return mem->alloc(n, mem->user_data);
}

static inline void core_free(const core_mem_t *mem, void *p)
{
	if(p != NULL)
		mem->free(p, mem->user_data);
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static inline void
core_log(const core_mem_t *mem, int level, const char *fmt, ...)
{
	char buf[CORE_LOG_BUF_SIZE];
	va_list ap;

	/* format only when somebody listens */
	if(mem == NULL || mem->log == NULL)
		return;
	va_start(ap, fmt);
	if(vsnprintf(buf, sizeof(buf), fmt, ap) < 0)
		buf[0] = '\0';
	va_end(ap);
	mem->log(level, buf, mem->user_data);
}

#endif /* _REAUTH_CORE_MEM_H_ */
