/*
 * reauth module - usrloc changes of the procedure
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_DEREG_H_
#define _REAUTH_DEREG_H_

#include "core/str.h"

/* contacts of aor expiring later than now + expires expire then */
int reauth_dereg_shorten(str *aor, int expires);
/* remove every contact of aor; returns how many */
int reauth_dereg_contacts(str *aor);

#endif
