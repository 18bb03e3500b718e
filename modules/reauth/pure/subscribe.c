/*
 * reauth module - reg event SUBSCRIBE decisions (RFC 3680, RFC 6665)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "subscribe.h"

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* trim [*s, *s+*len) in place */
static void trim(const char **s, size_t *len)
{
	while(*len > 0 && is_ws(**s)) {
		(*s)++;
		(*len)--;
	}
	while(*len > 0 && is_ws((*s)[*len - 1]))
		(*len)--;
}

static int token_eq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

sub_event_pkg_t sub_event_package(const char *ev, size_t len)
{
	size_t n = 0;

	if(ev == NULL)
		return SUB_PKG_NONE;
	trim(&ev, &len);
	/* event-type up to the first parameter */
	while(n < len && ev[n] != ';' && !is_ws(ev[n]))
		n++;
	if(token_eq(ev, n, "reg"))
		return SUB_PKG_REG;
	if(token_eq(ev, n, "registration-state"))
		return SUB_PKG_REGSTATE;
	return SUB_PKG_NONE;
}

const char *sub_event_name(sub_event_pkg_t pkg)
{
	return pkg == SUB_PKG_REGSTATE ? "registration-state" : "reg";
}

int sub_event_is_reg(const char *ev, size_t len)
{
	return sub_event_package(ev, len) == SUB_PKG_REG;
}

/* q=0 in a media-range's parameters means "not acceptable" (RFC 3261) */
static int params_refuse(const char *p, size_t len)
{
	size_t i = 0, n;
	const char *v;

	while(i < len) {
		while(i < len && (p[i] == ';' || is_ws(p[i])))
			i++;
		n = i;
		while(n < len && p[n] != ';')
			n++;
		if(n - i >= 2 && (p[i] == 'q' || p[i] == 'Q')) {
			v = p + i + 1;
			while(v < p + n && is_ws(*v))
				v++;
			if(v < p + n && *v == '=') {
				v++;
				while(v < p + n && is_ws(*v))
					v++;
				while(v < p + n && (*v == '0' || *v == '.'))
					v++;
				/* only zeros and dots up to the end: q=0, q=0.0 */
				while(v < p + n && is_ws(*v))
					v++;
				if(v == p + n)
					return 1;
			}
		}
		i = n;
	}
	return 0;
}

/*
 * one media-range of Accept: how specifically it names reginfo (3 the
 * type itself, 2 the application/ wildcard, 1 the all-types wildcard,
 * 0 not at all) and, in *refused, whether its q refuses it
 */
static int media_range_match(const char *s, size_t len, int *refused)
{
	size_t n = 0;
	const char *type;
	size_t tlen;
	int spec;

	trim(&s, &len);
	while(n < len && s[n] != ';')
		n++;
	type = s;
	tlen = n;
	trim(&type, &tlen);
	if(token_eq(type, tlen, "application/reginfo+xml"))
		spec = 3;
	else if(token_eq(type, tlen, "application/*"))
		spec = 2;
	else if(token_eq(type, tlen, "*/*"))
		spec = 1;
	else
		return 0;
	*refused = params_refuse(s + n, len - n);
	return spec;
}

int sub_accept_has_reginfo(const char *accept, size_t len)
{
	size_t start = 0, i;
	int best = 0, admits = 0, spec, refused;

	if(accept == NULL)
		return 1;
	trim(&accept, &len);
	/* an empty Accept is not a refusal of the default type */
	if(len == 0)
		return 1;
	for(i = 0; i <= len; i++) {
		if(i == len || accept[i] == ',') {
			refused = 0;
			spec = media_range_match(accept + start, i - start, &refused);
			/* the most specific range decides (RFC 7231 5.3.2): reginfo
			 * with q=0 is refused even when a wildcard admits it */
			if(spec > best) {
				best = spec;
				admits = !refused;
			} else if(spec > 0 && spec == best && !refused) {
				admits = 1;
			}
			start = i + 1;
		}
	}
	return admits;
}

static void answer(sub_decision_t *dec, int code, const char *reason)
{
	dec->code = code;
	dec->reason = reason;
}

void sub_decide(const sub_request_t *req, const sub_policy_t *policy,
		sub_decision_t *dec)
{
	long expires;

	memset(dec, 0, sizeof(*dec));
	dec->event = sub_event_package(req->event, req->event_len);
	if(dec->event == SUB_PKG_NONE
			|| (dec->event == SUB_PKG_REGSTATE && !policy->registration_state))
		return answer(dec, 489, "Bad Event");
	if(!sub_accept_has_reginfo(req->accept, req->accept_len))
		return answer(dec, 406, "Not Acceptable");
	expires = req->has_expires ? req->expires : policy->default_expires;
	if(expires < 0)
		return answer(dec, 400, "Bad Expires");
	if(!req->in_dialog) {
		/* a new subscription must name a user of ours who is registered */
		if(!req->identity_ours)
			return answer(dec, 404, "Not Found");
		/* strangers learn nothing of the registration state */
		if(req->watcher == SUB_WATCHER_UNAUTHENTICATED)
			return answer(dec, 403, "Forbidden");
		if(!req->identity_registered && expires > 0)
			return answer(dec, 480, "Temporarily Unavailable");
		if(req->watcher == SUB_WATCHER_FORBIDDEN)
			return answer(dec, 403, "Forbidden");
	}
	if(expires > 0 && expires < policy->min_expires) {
		dec->min_expires = policy->min_expires;
		return answer(dec, 423, "Interval Too Brief");
	}
	if(expires > policy->max_expires)
		expires = policy->max_expires;
	dec->expires = expires;
	answer(dec, 200, "OK");
}

static int set_has(const char *aor, const char *const *set, size_t n)
{
	size_t i;

	for(i = 0; i < n; i++)
		if(set[i] && strcmp(aor, set[i]) == 0)
			return 1;
	return 0;
}

/* a trusted entry is user@host, or a bare host that stands for anyone
 * there (hosts compare case-insensitively) */
static int trusted_has(const char *aor, const char *const *trusted, size_t n)
{
	const char *host = strrchr(aor, '@');
	size_t i;

	for(i = 0; i < n; i++) {
		if(trusted[i] == NULL)
			continue;
		if(strchr(trusted[i], '@')
						? strcmp(aor, trusted[i]) == 0
						: host && strcasecmp(host + 1, trusted[i]) == 0)
			return 1;
	}
	return 0;
}

static const char *non_empty(const char *s)
{
	return s && *s ? s : NULL;
}

const char *sub_watcher_identity(const sub_watcher_facts_t *f)
{
	const char *id;

	if(f->trusted_source)
		return (id = non_empty(f->asserted_aor)) ? id : non_empty(f->from_aor);
	if((id = non_empty(f->auth_aor)) != NULL)
		return id;
	return f->require_auth ? NULL : non_empty(f->from_aor);
}

sub_watcher_kind_t sub_classify_watcher(const sub_watcher_facts_t *f,
		const char *const *user_aors, size_t n_user, const char *const *trusted,
		size_t n_trusted)
{
	const char *id = sub_watcher_identity(f);

	if(id == NULL)
		return SUB_WATCHER_UNAUTHENTICATED;
	if(set_has(id, user_aors, n_user)) {
		if(f->trusted_source)
			return f->via_user_path ? SUB_WATCHER_UE : SUB_WATCHER_OTHER;
		/* From alone (require_auth off) never makes the UE */
		if(non_empty(f->auth_aor) && f->on_user_flow)
			return SUB_WATCHER_UE;
		return SUB_WATCHER_OTHER;
	}
	if(f->trusted_source
			&& (f->via_user_path || trusted_has(id, trusted, n_trusted)))
		return SUB_WATCHER_OTHER;
	return SUB_WATCHER_FORBIDDEN;
}
