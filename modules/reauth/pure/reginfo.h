/*
 * reauth module - RFC 3680 application/reginfo+xml document builder
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

/*
 * Builds reg event bodies from plain structs with libxml2, so that every
 * value (URIs, display names, Call-IDs taken from the network) is escaped
 * by libxml2 and never pasted into markup. The glue fills the structs from
 * usrloc; the strings are only borrowed for the duration of the call.
 *
 * Output, shown indented here (the real body is compact and pure ASCII:
 * non-ASCII characters are written as character references):
 *
 *   <?xml version="1.0"?>
 *   <reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="N" state="full">
 *    <registration aor="sip:alice@example.com" id="r1" state="active">
 *     <contact id="c1" state="active" event="registered" expires="3600"
 *         callid="..." cseq="7" q="0.5">
 *      <uri>sip:alice@192.0.2.1</uri><display-name>Alice</display-name>
 *      <unknown-param name="reg-id">1</unknown-param>  (params, RFC 5626)
 *      <gr:pub-gruu uri="..."/>  (RFC 5628, xmlns:gr on the root)
 *     </contact>
 *    </registration>
 *   </reginfo>
 *
 * Element order and names follow the RFC 3680 schema (reginfo.xsd).
 * Building never depends on schema validation (libxml2's anyURI check
 * rejects e.g. IPv6 references inside <uri>, which are valid SIP URIs).
 */

#ifndef _REAUTH_CORE_REGINFO_H_
#define _REAUTH_CORE_REGINFO_H_

#include <stddef.h>

#include "core_mem.h"

#define REGINFO_NS "urn:ietf:params:xml:ns:reginfo"
#define REGINFO_CONTENT_TYPE "application/reginfo+xml"

/* input limits: more is refused with REGINFO_ERR_INVAL */
#define REGINFO_MAX_REGS 10000	   /* registrations in one document */
#define REGINFO_MAX_CONTACTS 10000 /* contacts in one document, all regs */
#define REGINFO_MAX_STR 8192	   /* bytes in one string value */

/* return codes */
#define REGINFO_OK 0
#define REGINFO_ERR_INVAL -1 /* bad input (logged), nothing built */
#define REGINFO_ERR_NOMEM -2 /* allocation failed (mem or libxml2) */
#define REGINFO_ERR_XML -3	 /* not a well-formed reginfo document (parse) */

typedef enum
{
	REGINFO_FULL,
	REGINFO_PARTIAL
} reginfo_doc_state_t;

typedef enum
{
	REGINFO_REG_INIT,
	REGINFO_REG_ACTIVE,
	REGINFO_REG_TERMINATED
} reginfo_reg_state_t;

typedef enum
{
	REGINFO_CT_ACTIVE,
	REGINFO_CT_TERMINATED
} reginfo_ct_state_t;

/* RFC 3680 contact events; the first four lead to "active", the others
 * to "terminated" (see reginfo_event_ct_state()) */
typedef enum
{
	REGINFO_EV_REGISTERED,
	REGINFO_EV_CREATED,
	REGINFO_EV_REFRESHED,
	REGINFO_EV_SHORTENED,
	REGINFO_EV_EXPIRED,
	REGINFO_EV_DEACTIVATED,
	REGINFO_EV_PROBATION,
	REGINFO_EV_UNREGISTERED,
	REGINFO_EV_REJECTED
} reginfo_ct_event_t;

/* a Contact header parameter kept by the registrar, written as
 * <unknown-param name="...">value</unknown-param> (RFC 3680) */
typedef struct reginfo_param
{
	const char *name;  /* required, non-empty */
	const char *value; /* NULL = a parameter without a value */
} reginfo_param_t;

#define REGINFO_MAX_PARAMS 16 /* per contact */
#define REGINFO_GRUU_NS "urn:ietf:params:xml:ns:gruuinfo"

typedef struct reginfo_contact
{
	const char *id;			  /* required, unique in the whole document */
	const char *uri;		  /* required, non-empty */
	const char *display_name; /* NULL = omit */
	reginfo_ct_state_t state; /* must match event, see above */
	reginfo_ct_event_t event;
	long expires;		/* < 0 = omit */
	long retry_after;	/* < 0 = omit */
	const char *callid; /* NULL = omit */
	long cseq;			/* < 0 = omit */
	const char *q;		/* NULL = omit; RFC 3261 qvalue, e.g. "0.5" */
	const reginfo_param_t *params; /* e.g. +sip.instance, reg-id (RFC 5626) */
	size_t nparams;
	/* RFC 5628 <gr:pub-gruu uri/>, <gr:temp-gruu uri first-cseq/>:
	 * NULL = omit */
	const char *pub_gruu;
	const char *temp_gruu;
	unsigned long temp_gruu_cseq;
} reginfo_contact_t;

typedef struct reginfo_registration
{
	const char *aor;		   /* required, non-empty */
	const char *id;			   /* required, unique among registrations */
	reginfo_reg_state_t state; /* init/terminated: no active contact */
	const reginfo_contact_t *contacts;
	size_t ncontacts;
	/* the seed contribution's notation (body_format "draft"), outside
	 * RFC 3680: NULL = omit. A document with a draft_state on any
	 * registration is written in that notation (pure/reginfo_draft.h):
	 * one <tuple> per registration, draft_state (e.g. "re-authenticate")
	 * or else its state as <status><value>, detail (e.g. "automatically by
	 * sip:alice@ims.test") as <detail>, no contacts. */
	const char *draft_state;
	const char *detail;
} reginfo_registration_t;

typedef struct reginfo_doc
{
	unsigned long version; /* per-subscription counter, RFC 3680 4.1 */
	reginfo_doc_state_t state;
	const reginfo_registration_t *regs;
	size_t nregs; /* 0 is valid: an empty <reginfo/> */
} reginfo_doc_t;

/*
 * Build the document. mem may be NULL (= core_mem_libc); errors are logged
 * through mem->log. On success returns REGINFO_OK, *body is allocated with
 * mem->alloc, NUL-terminated, *len is its length without the NUL, and the
 * caller frees it with mem->free. On error returns < 0, *body is NULL and
 * *len is 0; nothing is left allocated.
 */
int reginfo_build(const reginfo_doc_t *doc, const core_mem_t *mem, char **body,
		size_t *len);

/*
 * Parse a reginfo body (no network, no DTD, no entity expansion) and
 * return its version attribute. REGINFO_OK, REGINFO_ERR_INVAL for bad
 * arguments, REGINFO_ERR_XML for anything that is not a well-formed
 * reginfo document with a decimal version that fits an unsigned long.
 */
int reginfo_parse_version(const char *body, size_t len, unsigned long *version);

/* names as written in documents; NULL for a value out of range */
const char *reginfo_doc_state_name(reginfo_doc_state_t st);
const char *reginfo_reg_state_name(reginfo_reg_state_t st);
const char *reginfo_ct_state_name(reginfo_ct_state_t st);
const char *reginfo_event_name(reginfo_ct_event_t ev);

/* name (exact, case-sensitive as in the schema) to value: 0 ok, -1 unknown */
int reginfo_reg_state_from_name(const char *name, reginfo_reg_state_t *st);
int reginfo_ct_state_from_name(const char *name, reginfo_ct_state_t *st);
int reginfo_event_from_name(const char *name, reginfo_ct_event_t *ev);

/* the contact state an event leads to (RFC 3680 5.2 state machine) */
reginfo_ct_state_t reginfo_event_ct_state(reginfo_ct_event_t ev);

#endif /* _REAUTH_CORE_REGINFO_H_ */
