/*
 * reauth module - the user's ongoing sessions (calls), ended on
 * de-registration
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Calls are learnt from the dialog module: a confirmed dialog is indexed
 * under the usrloc key (aor) of its caller and of its callee, one entry
 * per (dialog, aor), until it ends. Entries hold the dialog's
 * h_entry/h_id, never a pointer to it: the dialog is looked up again,
 * with a reference, when it is to be ended.
 */

#ifndef _REAUTH_SESSIONS_H_
#define _REAUTH_SESSIONS_H_

#include "core/str.h"

/* at most this many (dialog, aor) entries; calls set up past it are not
 * tracked (logged, counted in sessions_untracked) */
#define REAUTH_SESSIONS_MAX (1 << 17)

/* mod_init: follow dialogs if track and the dialog module is loaded;
 * size: buckets of the index (rounded up to a power of two) */
int reauth_sessions_init(int track, unsigned int size);

/* End with BYE every call of these aors, both legs. Returns how many calls
 * were ended (a BYE sent to each leg); the calls that could not be are
 * counted in sessions_end_failed. Takes dialog locks: call it with no
 * lock of this module held. */
int reauth_sessions_end(str *aors, int n);

/* (dialog, aor) entries tracked now (RPC, tests) */
int reauth_sessions_count(void);

#endif
