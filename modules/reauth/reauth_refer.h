/*
 * reauth module - REFER asking a UE to register again
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_REFER_H_
#define _REAUTH_REFER_H_

#include "core/str.h"

extern str reauth_refer_to;

/* the identities whose contacts are asked to register again */
typedef struct reauth_refer_set
{
	unsigned int proc_id; /* the answers go back to this procedure */
	int n;
	str *aors;		 /* usrloc keys */
	str *identities; /* the public identities (To of each REFER) */
} reauth_refer_set_t;

int reauth_refer_init(void);
/* distinct registered contacts of the set */
int reauth_refer_targets(reauth_refer_set_t *set);
/* a REFER to each of them (at most max); returns how many were sent */
int reauth_refer_send(reauth_refer_set_t *set, int max);

#endif
