/*
 * reauth module - who is watching: what a SUBSCRIBE proves about its watcher
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_WATCHER_H_
#define _REAUTH_WATCHER_H_

#include "core/parser/msg_parser.h"
#include "core/sr_module.h"
#include "core/str_list.h"

#include "pure/subscribe.h"
#include "reauth_identity.h"

/* modparams: trusted_watcher (one per call), watcher_auth, trusted_flag */
extern struct str_list *reauth_trusted_watchers;
/* 1: the watcher must be proven (digest, or a trusted source); 0: From */
extern int reauth_watcher_auth;
/* message flag the script sets on requests from trusted sources, -1 none */
extern int reauth_trusted_flag;

/* what a request proves, and the usrloc keys its facts point into */
typedef struct reauth_watcher
{
	sub_watcher_facts_t facts;
	reauth_identity_t auth, asserted, from;
} reauth_watcher_t;

int reauth_watcher_init(void);
int reauth_add_trusted_watcher(modparam_t type, void *val);

/* What msg proves about its watcher; no registration state is read. */
void reauth_watcher_read(sip_msg_t *msg, reauth_watcher_t *w);

/* Who the watcher is for the identity (registered: it has contacts, whose
 * flows are then compared with the request's source). */
sub_watcher_kind_t reauth_watcher_classify(sip_msg_t *msg, reauth_watcher_t *w,
		reauth_identity_t *ident, int registered);

#endif
