/*
 * reauth module - what a trigger (cfg, KEMI, RPC) is answered
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_TRIGGER_H_
#define _REAUTH_TRIGGER_H_

#include "core/str.h"

/* Outcome of a trigger, as the status code an RPC fault would carry. */
typedef struct reauth_trigger_result
{
	int code;			/* 200, 400, 404, 409, 500 */
	const char *reason; /* static text for logs and RPC faults */
	unsigned int id;	/* the procedure, when code is 200 */
} reauth_trigger_result_t;


#endif
