/*
 * reauth module - SUBSCRIBE handling for the reg event package
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_SUBSCRIBE_H_
#define _REAUTH_SUBSCRIBE_H_

#include "core/parser/msg_parser.h"

#include "pure/subscribe.h"

extern sub_policy_t reauth_sub_policy;


int reauth_subscribe_init(void);
/* answer the SUBSCRIBE (initial, refresh or unsubscribe): 1 on 2xx,
 * negative after an error answer */
int reauth_handle_subscribe(sip_msg_t *msg);

#endif
