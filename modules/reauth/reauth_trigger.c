/*
 * reauth module - the one entry point shared by cfg, KEMI and RPC triggers
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "core/dprint.h"

#include "reauth_proc.h"
#include "reauth_trigger.h"

void reauth_trigger(str *identity, reauth_trigger_result_t *res)
{
	res->id = 0;
	reauth_proc_start(identity, res);
}
