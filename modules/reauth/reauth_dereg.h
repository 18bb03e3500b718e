/*
 * reauth module - usrloc changes of the procedure and the user's sessions
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_DEREG_H_
#define _REAUTH_DEREG_H_

#include "core/str.h"

/* mod_init: track dialogs when the dialog module is loaded */
int reauth_dereg_init(int track_sessions);

/* contacts of aor expiring later than now + expires expire then */
int reauth_dereg_shorten(str *aor, int expires);
/* remove every contact of aor; returns how many */
int reauth_dereg_contacts(str *aor);
/* end with BYE (dialog module) every call of these aors; returns how many */
int reauth_sessions_end(str *aors, int n);
/* calls tracked now (RPC, tests) */
int reauth_sessions_count(void);

#endif
