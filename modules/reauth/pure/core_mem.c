/*
 * reauth module - default (libc) allocator of the sans-I/O core
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdlib.h>

#include "core_mem.h"

static void *core_libc_alloc(size_t n, void *ud)
{
	(void)ud;
	return malloc(n);
}

static void core_libc_free(void *p, void *ud)
{
	(void)ud;
	free(p);
}

const core_mem_t core_mem_libc = {
		.alloc = core_libc_alloc,
		.free = core_libc_free,
		.log = NULL,
		.user_data = NULL,
};
