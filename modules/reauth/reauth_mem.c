/*
 * reauth module - pure/ allocator and log ops backed by Kamailio
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"

#include "reauth_mem.h"

static void *pkg_alloc_op(size_t n, void *ud)
{
	return pkg_malloc(n);
}

static void pkg_free_op(void *p, void *ud)
{
	pkg_free(p);
}

static void *shm_alloc_op(size_t n, void *ud)
{
	return shm_malloc(n);
}

static void shm_free_op(void *p, void *ud)
{
	shm_free(p);
}

static void log_op(int level, const char *msg, void *ud)
{
	switch(level) {
		case CORE_LOG_ERR:
			LM_ERR("%s\n", msg);
			break;
		case CORE_LOG_WARN:
			LM_WARN("%s\n", msg);
			break;
		case CORE_LOG_INFO:
			LM_INFO("%s\n", msg);
			break;
		default:
			LM_DBG("%s\n", msg);
			break;
	}
}

const core_mem_t reauth_core_pkg_mem = {pkg_alloc_op, pkg_free_op, log_op, 0};
const core_mem_t reauth_core_shm_mem = {shm_alloc_op, shm_free_op, log_op, 0};
