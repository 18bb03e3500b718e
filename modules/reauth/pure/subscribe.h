/*
 * reauth module - reg event SUBSCRIBE decisions (RFC 3680, RFC 6665)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Pure: the glue extracts the facts of a SUBSCRIBE (headers, whether the
 * identity is ours and registered, who the watcher is) and this unit says
 * which SIP answer they deserve and which Expires is granted.
 */

#ifndef _REAUTH_CORE_SUBSCRIBE_H_
#define _REAUTH_CORE_SUBSCRIBE_H_

#include <stddef.h>

typedef struct sub_policy
{
	long min_expires;	  /* below this (and not 0): 423 */
	long max_expires;	  /* above this: granted max_expires */
	long default_expires; /* no Expires header */
	/* also accept Event: registration-state (body_format "draft") */
	int registration_state;
} sub_policy_t;

/* the event packages a SUBSCRIBE may name */
typedef enum sub_event_pkg
{
	SUB_PKG_NONE = 0, /* anything else: 489 */
	SUB_PKG_REG,	  /* RFC 3680 "reg" */
	SUB_PKG_REGSTATE  /* "registration-state", the seed contribution's
					   * name (accepted with body_format "draft") */
} sub_event_pkg_t;

typedef enum sub_watcher_kind
{
	SUB_WATCHER_FORBIDDEN = 0,	/* known, but may not watch this user */
	SUB_WATCHER_UE,				/* the user's own UE, on a registered flow */
	SUB_WATCHER_OTHER,			/* the user elsewhere, a P-CSCF, an AS */
	SUB_WATCHER_UNAUTHENTICATED /* nothing proves who is watching */
} sub_watcher_kind_t;

typedef struct sub_request
{
	const char *event; /* Event header value, NULL when absent */
	size_t event_len;
	const char *accept; /* Accept header value(s), NULL when absent */
	size_t accept_len;
	int has_expires;
	long expires;
	int in_dialog;			 /* refresh or unsubscribe of a known dialog */
	int identity_ours;		 /* Request-URI is served by this registrar */
	int identity_registered; /* the identity has a valid contact */
	sub_watcher_kind_t watcher;
} sub_request_t;

typedef struct sub_decision
{
	int code;			   /* SIP status to answer */
	const char *reason;	   /* SIP reason phrase */
	long expires;		   /* granted, when code is 2xx */
	long min_expires;	   /* Min-Expires, when code is 423 */
	sub_event_pkg_t event; /* the package subscribed to, when code is 2xx */
} sub_decision_t;

/* 1 when the Event header value names the reg package (params allowed) */
int sub_event_is_reg(const char *ev, size_t len);

/* the package an Event header value names (params allowed), and its name
 * as the NOTIFYs of that subscription carry it (RFC 6665 8.2.1) */
sub_event_pkg_t sub_event_package(const char *ev, size_t len);
const char *sub_event_name(sub_event_pkg_t pkg);

/* 1 when an Accept value admits application/reginfo+xml (or is empty) */
int sub_accept_has_reginfo(const char *accept, size_t len);

void sub_decide(const sub_request_t *req, const sub_policy_t *policy,
		sub_decision_t *dec);

/*
 * What a SUBSCRIBE proves about its watcher, as the glue reads it. Every
 * identity is a usrloc key (user@host with use_domain), compared exactly,
 * as usrloc compares them.
 */
typedef struct sub_watcher_facts
{
	/* the identity whose digest credentials the script checked in this
	 * request (auth_check, www_authorize...), or NULL */
	const char *auth_aor;
	/* the request comes from a trusted network element (P-CSCF, AS), as
	 * the script decided by its source address */
	int trusted_source;
	/* P-Asserted-Identity: counted only from a trusted source */
	const char *asserted_aor;
	/* From: proves nothing; counted only from a trusted source that
	 * asserts nothing, or when authentication is not required */
	const char *from_aor;
	int require_auth;
	/* the request came from the address of one of the user's registered
	 * contacts (the UE's own flow) */
	int on_user_flow;
	/* trusted source whose address is the first Path hop of one of the
	 * user's contacts: the P-CSCF the user registered through */
	int via_user_path;
} sub_watcher_facts_t;

/* The watcher's identity that the facts prove (user@host), or NULL */
const char *sub_watcher_identity(const sub_watcher_facts_t *f);

/*
 * Who is watching (TS 24.229 5.4.2.1.1, RFC 3680 6):
 * - UNAUTHENTICATED: nothing proves an identity (refused before the
 *   registration state is looked at);
 * - UE: the user itself (one of user_aors), authenticated by digest and
 *   on a registered flow of the user, or asserted by the P-CSCF of the
 *   user's Path;
 * - OTHER: the user itself from anywhere else; from a trusted source, a
 *   listed trusted watcher (user@host, or a bare host for anyone there)
 *   or the P-CSCF of the user's Path;
 * - FORBIDDEN: any other identity.
 */
sub_watcher_kind_t sub_classify_watcher(const sub_watcher_facts_t *f,
		const char *const *user_aors, size_t n_user, const char *const *trusted,
		size_t n_trusted);

#endif
