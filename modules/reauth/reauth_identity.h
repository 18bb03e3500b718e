/*
 * reauth module - identities: parse a public identity and find it in usrloc
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_IDENTITY_H_
#define _REAUTH_IDENTITY_H_

#include "core/str.h"
#include "modules/usrloc/usrloc.h"

#define REAUTH_AOR_MAX 256

typedef enum reauth_id_status
{
	REAUTH_ID_OK = 0,
	REAUTH_ID_EMPTY = -1,		   /* no identity given */
	REAUTH_ID_UNPARSABLE = -2,	   /* not a sip:, sips: or tel: URI */
	REAUTH_ID_NOT_REGISTERED = -3, /* no valid contact in usrloc */
	REAUTH_ID_ERROR = -4		   /* internal error */
} reauth_id_status_t;

typedef struct reauth_identity
{
	str aor; /* usrloc key, points into aor_buf */
	char aor_buf[REAUTH_AOR_MAX];
	int contacts; /* valid contacts registered */
} reauth_identity_t;

extern usrloc_api_t reauth_ul;
extern udomain_t *reauth_udomain;

int reauth_identity_init(const char *domain_name);

/* what reauth_ul_each hands over for each contact: return 0 to go on,
 * anything else stops the walk (the contact may be deleted by fn) */
typedef int (*reauth_ul_contact_f)(urecord_t *r, ucontact_t *c, void *arg);
#define REAUTH_UL_VALID 0 /* only contacts valid now */
#define REAUTH_UL_ALL 1	  /* every contact, expired ones too */
/* The one walk over the contacts of aor, with its usrloc slot locked:
 * no I/O of ours in fn. Returns how many contacts fn saw, or -1 (usrloc
 * error). */
int reauth_ul_each(str *aor, int which, reauth_ul_contact_f fn, void *arg);
int reauth_identity_to_aor(str *identity, reauth_identity_t *id);
reauth_id_status_t reauth_identity_lookup(str *identity, reauth_identity_t *id);
const char *reauth_identity_reason(reauth_id_status_t status);

#endif
