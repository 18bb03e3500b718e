/*
 * reauth module - REFER asking a UE to register again
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_REFER_H_
#define _REAUTH_REFER_H_

#include "reauth_proc.h"

extern str reauth_refer_to;

int reauth_refer_init(void);
/* distinct registered contacts of the procedure's set */
int reauth_refer_targets(reauth_procrec_t *rec);
/* a REFER to each of them (at most max); returns how many were sent */
int reauth_refer_send(reauth_procrec_t *rec, int max);

#endif
