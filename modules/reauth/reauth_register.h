/*
 * reauth module - was the REGISTER being saved authenticated?
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_REGISTER_H_
#define _REAUTH_REGISTER_H_

int reauth_register_init(void);
/* 1 when the request this process is routing is a REGISTER whose digest
 * credentials were verified (auth_check & co. mark them authorized) */
int reauth_register_authenticated(void);

#endif
