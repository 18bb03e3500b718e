/*
 * reauth module - RPC commands (kamcmd reauth.*)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_RPC_H_
#define _REAUTH_RPC_H_

int reauth_rpc_init(void);

#endif
