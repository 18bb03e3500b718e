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
} sub_policy_t;

typedef enum sub_watcher_kind
{
	SUB_WATCHER_FORBIDDEN = 0,
	SUB_WATCHER_UE,	  /* the user itself (one of its identities) */
	SUB_WATCHER_OTHER /* a trusted entity: P-CSCF, application server */
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
	int code;			/* SIP status to answer */
	const char *reason; /* SIP reason phrase */
	long expires;		/* granted, when code is 2xx */
	long min_expires;	/* Min-Expires, when code is 423 */
} sub_decision_t;

/* 1 when the Event header value names the reg package (params allowed) */
int sub_event_is_reg(const char *ev, size_t len);

/* 1 when an Accept value admits application/reginfo+xml (or is empty) */
int sub_accept_has_reginfo(const char *accept, size_t len);

void sub_decide(const sub_request_t *req, const sub_policy_t *policy,
		sub_decision_t *dec);

/*
 * Who may watch: the user's own identities (kind UE), the trusted entities
 * (kind OTHER): listed URIs and the hosts named in the Path of the user's
 * contacts (the P-CSCF). Strings compare case-insensitively.
 * watcher_aor: user@host of the watcher; watcher_host: its host part.
 */
sub_watcher_kind_t sub_classify_watcher(const char *watcher_aor,
		const char *watcher_host, const char *const *user_aors, size_t n_user,
		const char *const *trusted, size_t n_trusted,
		const char *const *path_hosts, size_t n_path);

#endif
