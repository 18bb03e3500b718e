/*
 * reauth module - registration state of identities as a reginfo body
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Pure: turns a snapshot of the contacts of one or more public identities
 * (taken by the glue from usrloc) into an RFC 3680 document: contact state
 * from the event, expires left at `now`, registration state, and ids that
 * stay the same from one NOTIFY to the next.
 */

#ifndef _REAUTH_CORE_REGSTATE_H_
#define _REAUTH_CORE_REGSTATE_H_

#include <stddef.h>

#include "core_mem.h"
#include "reginfo.h"

typedef struct regstate_contact
{
	const char *uri;
	const char *callid;		  /* NULL = omit */
	long cseq;				  /* < 0 = omit */
	long expires_at;		  /* absolute time; 0 = does not expire */
	const char *q;			  /* NULL = omit */
	reginfo_ct_event_t event; /* REGISTERED for the steady state */
	/* RFC 5626, as the Contact carried them: NULL / 0 = none. Written as
	 * unknown-params "+sip.instance" (quoted, as in the Contact) and "reg-id" */
	const char *instance;
	unsigned int reg_id;
	/* RFC 5628: NULL = none */
	const char *pub_gruu;
	const char *temp_gruu;
	unsigned long temp_gruu_cseq;
	/* what a partial-state document lists (RFC 3680 4.7.2) */
	unsigned char changed;
} regstate_contact_t;

typedef struct regstate_identity
{
	const char *uri; /* public identity, the registration's aor */
	const regstate_contact_t *contacts;
	size_t ncontacts;
	/* body_format "draft" only, NULL otherwise: see reginfo.h */
	const char *draft_state;
	const char *detail;
} regstate_identity_t;

/* stable 32-bit FNV-1a, for registration and contact ids */
unsigned int regstate_hash(const char *s, unsigned int h);

/*
 * Build the full-state body for the identities at time `now` with the
 * given version. Same contract as reginfo_build(): 0 and *body allocated
 * with mem (caller frees), or < 0 and nothing allocated.
 */
int regstate_build_body(const regstate_identity_t *ids, size_t nids,
		unsigned long version, long now, const core_mem_t *mem, char **body,
		size_t *len);

/* The same with the document state: REGINFO_PARTIAL lists only the
 * registrations with a changed contact and only those contacts (their
 * registration state stays that of all their contacts); nothing changed
 * gives an empty partial document. */
int regstate_build_doc(const regstate_identity_t *ids, size_t nids,
		reginfo_doc_state_t st, unsigned long version, long now,
		const core_mem_t *mem, char **body, size_t *len);

#endif
