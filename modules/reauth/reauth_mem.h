/*
 * reauth module - pure/ allocator and log ops backed by Kamailio
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_MEM_H_
#define _REAUTH_MEM_H_

#include "pure/core_mem.h"

/* pkg_malloc/pkg_free and LM_* logging */
extern const core_mem_t reauth_core_pkg_mem;
/* shm_malloc/shm_free and LM_* logging */
extern const core_mem_t reauth_core_shm_mem;

#endif
