/*
 * reauth module - SUBSCRIBE handling for the reg event package
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_SUBSCRIBE_H_
#define _REAUTH_SUBSCRIBE_H_

#include "core/parser/msg_parser.h"
#include "core/str_list.h"

#include "pure/subscribe.h"

extern sub_policy_t reauth_sub_policy;
extern struct str_list *reauth_trusted_watchers;
/* 1: the watcher must be proven (digest, or a trusted source); 0: From */
extern int reauth_watcher_auth;
/* message flag the script sets on requests from trusted sources, -1 none */
extern int reauth_trusted_flag;

int reauth_subscribe_init(void);
/* answer the SUBSCRIBE (initial, refresh or unsubscribe): 1 on 2xx,
 * negative after an error answer */
int reauth_handle_subscribe(sip_msg_t *msg);
/* modparam trusted_watcher: one URI per call */
int reauth_add_trusted_watcher(modparam_t type, void *val);

#endif
