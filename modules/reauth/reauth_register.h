/*
 * reauth module - was the REGISTER being saved authenticated?
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_REGISTER_H_
#define _REAUTH_REGISTER_H_

#include "core/parser/msg_parser.h"

#include "reauth_identity.h"

int reauth_register_init(void);
/* 1 when the request this process is routing is a REGISTER whose digest
 * credentials were verified (auth_check & co. mark them authorized) */
int reauth_register_authenticated(void);

/* the usrloc key of the identity whose digest credentials passed the
 * script's check in msg (auth_check, www_authorize...): 0, or -1 if none */
int reauth_authorized_aor(sip_msg_t *msg, reauth_identity_t *id);

#endif
