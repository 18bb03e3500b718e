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

/* the Call-ID of every REFER starts so: the script recognises the
 * dialog of our REFER when a UE sends NOTIFYs in it (Event: refer) */
#define REAUTH_REFER_CALLID_PREFIX "reauth-refer-"

/* a registered contact of the user, as the procedure lists it */
typedef struct reauth_contact_ref
{
	unsigned int uri_hash; /* of the Contact URI */
	int identity;		   /* index into the aors it was found under */
} reauth_contact_ref_t;

/* where a REFER goes and who waits for its answer */
typedef struct reauth_refer_dest
{
	unsigned int proc_id;
	unsigned int target; /* the procedure's target index */
	unsigned int shard;	 /* the worker that gets the answer */
	str *aor;			 /* usrloc key the contact is registered under */
	str *identity;		 /* public identity: To of the REFER */
	unsigned int uri_hash;
} reauth_refer_dest_t;

int reauth_refer_init(void);
/* the distinct valid contacts of aors, at most max; returns how many */
int reauth_refer_contacts(
		str *aors, int naors, reauth_contact_ref_t *refs, int max);
/* a REFER to that contact if it is still registered: 0 sent, -1 not */
int reauth_refer_send(reauth_refer_dest_t *dest);

#endif
