/*
 * reauth module - unit tests of core/subscribe (reg event SUBSCRIBE rules)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The unit allocates nothing; strings are handed over with explicit
 * lengths, so every case also runs on an exact-size heap copy (no NUL
 * after it) for AddressSanitizer to catch a read past the end.
 */

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../modules/reauth/pure/subscribe.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

typedef struct str_case {
	const char *s;
	int expected;
} str_case_t;

/* f(s, strlen(s)) on an exact-size copy without a terminating NUL */
static int call_exact(int (*f)(const char *, size_t), const char *s)
{
	size_t len = strlen(s);
	char *copy;
	int rc;

	copy = test_malloc(len > 0 ? len : 1);
	memcpy(copy, s, len);
	rc = f(copy, len);
	test_free(copy);
	return rc;
}

static void run_cases(int (*f)(const char *, size_t), const char *fname,
		const str_case_t *cases, size_t n)
{
	size_t i;
	int rc;

	for(i = 0; i < n; i++) {
		rc = f(cases[i].s, strlen(cases[i].s));
		if(rc != cases[i].expected)
			fail_msg("%s(\"%s\") = %d, expected %d", fname, cases[i].s, rc,
					cases[i].expected);
		rc = call_exact(f, cases[i].s);
		if(rc != cases[i].expected)
			fail_msg("%s(\"%s\") = %d on an unterminated copy, expected %d",
					fname, cases[i].s, rc, cases[i].expected);
	}
}

/* ---- sub_event_is_reg ---- */

static void test_event_is_reg(void **state)
{
	static const str_case_t cases[] = {
			{"reg", 1},
			/* event-type tokens of SIP are matched case-insensitively
			 * here, as Kamailio's own Event parser does */
			{"REG", 1},
			{"Reg", 1},
			{"reg;id=5", 1},
			{"reg ;id=5", 1},
			{"reg; id=5;foo", 1},
			{" reg ", 1},
			{"\treg\r\n", 1},
			{"presence", 0},
			{"regx", 0},
			{"re", 0},
			{"reg.winfo", 0}, /* a template package is another package */
			{"xreg", 0},
			{"message-summary", 0},
			{";reg", 0},
			{";id=5", 0},
			{"", 0},
			{"   ", 0},
	};

	(void)state;
	run_cases(sub_event_is_reg, "sub_event_is_reg", cases, N_ELEMS(cases));
	assert_int_equal(sub_event_is_reg(NULL, 0), 0);
	assert_int_equal(sub_event_is_reg(NULL, 3), 0);
	/* the length is honoured, not the NUL */
	assert_int_equal(sub_event_is_reg("registered", 3), 1);
	assert_int_equal(sub_event_is_reg("reg", 2), 0);
	assert_int_equal(sub_event_is_reg("reg", 0), 0);
}

/* ---- sub_event_package: reg, and the seed's registration-state ---- */

static int pkg_of(const char *s, size_t len)
{
	return (int)sub_event_package(s, len);
}

static void test_event_package(void **state)
{
	static const str_case_t cases[] = {
			{"reg", SUB_PKG_REG},
			{"reg;id=5", SUB_PKG_REG},
			{"registration-state", SUB_PKG_REGSTATE},
			{" registration-state ", SUB_PKG_REGSTATE},
			{"registration-state;id=7", SUB_PKG_REGSTATE},
			{"Registration-State", SUB_PKG_REGSTATE},
			{"registration", SUB_PKG_NONE},
			{"registration-states", SUB_PKG_NONE},
			{"registration_state", SUB_PKG_NONE},
			{"presence", SUB_PKG_NONE},
			{"", SUB_PKG_NONE},
	};

	(void)state;
	run_cases(pkg_of, "sub_event_package", cases, N_ELEMS(cases));
	assert_int_equal(sub_event_package(NULL, 4), SUB_PKG_NONE);
	/* "registration-state" is no reg package for sub_event_is_reg */
	assert_int_equal(sub_event_is_reg("registration-state", 18), 0);
	/* what the NOTIFYs of each subscription carry in Event */
	assert_string_equal(sub_event_name(SUB_PKG_REG), "reg");
	assert_string_equal(
			sub_event_name(SUB_PKG_REGSTATE), "registration-state");
}

/* ---- sub_accept_has_reginfo ---- */

static void test_accept_basic(void **state)
{
	static const str_case_t cases[] = {
			/* no media-range at all: the package default applies */
			{"", 1},
			{"   ", 1},
			{"application/reginfo+xml", 1},
			{" application/reginfo+xml ", 1},
			{"Application/RegInfo+XML", 1},
			{"APPLICATION/REGINFO+XML", 1},
			{"application/reginfo+xml;charset=UTF-8", 1},
			{"application/reginfo+xml ; level=1", 1},
			{"*/*", 1},
			{"application/*", 1},
			{"APPLICATION/*", 1},
			/* the type among others, wherever it stands */
			{"application/sdp, application/reginfo+xml, text/plain", 1},
			{"application/sdp,application/reginfo+xml,text/plain", 1},
			{"application/pidf+xml;q=0.9, application/reginfo+xml;q=0.8,"
			 " application/sdp",
					1},
			{"text/plain, */*", 1},
			{"text/plain,application/*;q=0.1", 1},
			{"application/sdp, application/reginfo+xml", 1},
			/* only other types */
			{"application/sdp", 0},
			{"application/pidf+xml, text/plain", 0},
			{"text/*", 0},
			{"application/reginfo", 0},
			{"application/reginfo+xmlx", 0},
			{"xapplication/reginfo+xml", 0},
			{"application/watcherinfo+xml, application/simple-message-summary",
					0},
			{"*/xml", 0},
			{",", 0},
	};

	(void)state;
	assert_int_equal(sub_accept_has_reginfo(NULL, 0), 1);
	assert_int_equal(sub_accept_has_reginfo(NULL, 10), 1);
	run_cases(sub_accept_has_reginfo, "sub_accept_has_reginfo", cases,
			N_ELEMS(cases));
	/* the length is honoured */
	assert_int_equal(
			sub_accept_has_reginfo("application/sdp, application/reginfo+xml",
					strlen("application/sdp")),
			0);
}

static void test_accept_qvalues(void **state)
{
	static const str_case_t cases[] = {
			/* q=0: "not acceptable" (RFC 3261 20.1, RFC 7231 5.3.1) */
			{"application/reginfo+xml;q=0", 0},
			{"application/reginfo+xml;q=0.0", 0},
			{"application/reginfo+xml;q=0.000", 0},
			{"application/reginfo+xml;q=0.", 0},
			{"application/reginfo+xml; q = 0 ", 0},
			{"application/reginfo+xml;Q=0", 0},
			{"application/reginfo+xml;level=1;q=0", 0},
			{"application/reginfo+xml;q=0;level=1", 0},
			{"application/sdp, application/reginfo+xml;q=0, text/plain", 0},
			{"*/*;q=0", 0},
			{"application/*;q=0", 0},
			/* q above 0 admits */
			{"application/reginfo+xml;q=0.5", 1},
			{"application/reginfo+xml;q=0.001", 1},
			{"application/reginfo+xml;q=1", 1},
			{"application/reginfo+xml;q=1.0", 1},
			{"application/sdp;q=0, application/reginfo+xml;q=0.5", 1},
			/* parameters that merely start with q are not q */
			{"application/reginfo+xml;qs=0", 1},
			{"application/reginfo+xml;quality=0", 1},
			/* a refused wildcard does not refuse a named type */
			{"*/*;q=0, application/reginfo+xml", 1},
			{"application/*;q=0, application/reginfo+xml;q=0.3", 1},
			{"*/*;q=0, application/*", 1},
			{"application/reginfo+xml;q=0, application/reginfo+xml", 1},
			/* and the most specific range wins (RFC 7231 5.3.2): an
			 * explicit refusal is not undone by a wildcard */
			{"application/reginfo+xml;q=0, */*", 0},
			{"*/*, application/reginfo+xml;q=0", 0},
			{"application/reginfo+xml;q=0, application/*", 0},
			{"application/*;q=0, */*", 0},
			{"application/*;q=0, */*, text/plain", 0},
	};

	(void)state;
	run_cases(sub_accept_has_reginfo, "sub_accept_has_reginfo", cases,
			N_ELEMS(cases));
}

/* ---- sub_decide ---- */

static const sub_policy_t policy = {
		.min_expires = 60,
		.max_expires = 7200,
		.default_expires = 3600,
};

/* a new subscription that deserves 200 with Expires: 1800 */
static sub_request_t good_request(void)
{
	sub_request_t r;

	memset(&r, 0, sizeof(r));
	r.event = "reg";
	r.event_len = 3;
	r.accept = "application/reginfo+xml";
	r.accept_len = strlen(r.accept);
	r.has_expires = 1;
	r.expires = 1800;
	r.in_dialog = 0;
	r.identity_ours = 1;
	r.identity_registered = 1;
	r.watcher = SUB_WATCHER_UE;
	return r;
}

/* decide, with the output filled with garbage first: every field is set */
static sub_decision_t decide(const sub_request_t *r, const sub_policy_t *p)
{
	sub_decision_t d;

	memset(&d, 0x5a, sizeof(d));
	sub_decide(r, p, &d);
	assert_non_null(d.reason);
	return d;
}

static void assert_answer(const sub_request_t *r, int code, const char *reason)
{
	sub_decision_t d = decide(r, &policy);

	if(d.code != code)
		fail_msg("answered %d %s, expected %d %s", d.code, d.reason, code,
				reason);
	assert_string_equal(d.reason, reason);
	if(code != 200)
		assert_int_equal(d.expires, 0);
	if(code != 423)
		assert_int_equal(d.min_expires, 0);
}

static void assert_granted(const sub_request_t *r, long expires)
{
	sub_decision_t d = decide(r, &policy);

	if(d.code != 200)
		fail_msg("answered %d %s, expected 200", d.code, d.reason);
	assert_string_equal(d.reason, "OK");
	assert_int_equal(d.expires, expires);
	assert_int_equal(d.min_expires, 0);
}

static void test_decide_ok(void **state)
{
	sub_request_t r = good_request();

	(void)state;
	assert_granted(&r, 1800);
	/* no Accept at all, event with parameters, a trusted watcher */
	r.accept = NULL;
	r.accept_len = 0;
	r.event = "reg;id=77";
	r.event_len = strlen(r.event);
	r.watcher = SUB_WATCHER_OTHER;
	assert_granted(&r, 1800);
}

/* one request wrong in every way, repaired one fault at a time: each
 * answer shows up in its order of precedence */
static void test_decide_precedence(void **state)
{
	sub_request_t r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.event = "presence";
	r.event_len = strlen(r.event);
	r.accept = "application/pidf+xml";
	r.accept_len = strlen(r.accept);
	r.has_expires = 1;
	r.expires = -5;
	r.identity_ours = 0;
	r.identity_registered = 0;
	r.watcher = SUB_WATCHER_FORBIDDEN;

	assert_answer(&r, 489, "Bad Event");
	r.event = "reg";
	r.event_len = 3;
	assert_answer(&r, 406, "Not Acceptable");
	r.accept = "application/reginfo+xml";
	r.accept_len = strlen(r.accept);
	assert_answer(&r, 400, "Bad Expires");
	r.expires = 30; /* below min_expires, and not 0 */
	assert_answer(&r, 404, "Not Found");
	r.identity_ours = 1;
	assert_answer(&r, 480, "Temporarily Unavailable");
	r.identity_registered = 1;
	assert_answer(&r, 403, "Forbidden");
	r.watcher = SUB_WATCHER_UE;
	assert_answer(&r, 423, "Interval Too Brief");
	r.expires = 60;
	assert_granted(&r, 60);
}

/* registration-state only when the policy takes it (body_format draft);
 * the decision says which package was subscribed to */
static void test_decide_registration_state(void **state)
{
	sub_request_t r = good_request();
	sub_policy_t p = policy;
	sub_decision_t d;

	(void)state;
	d = decide(&r, &p);
	assert_int_equal(d.code, 200);
	assert_int_equal(d.event, SUB_PKG_REG);
	r.event = "registration-state;id=1";
	r.event_len = strlen(r.event);
	d = decide(&r, &p);
	assert_int_equal(d.code, 489);
	p.registration_state = 1;
	d = decide(&r, &p);
	assert_int_equal(d.code, 200);
	assert_int_equal(d.event, SUB_PKG_REGSTATE);
	/* the other checks still apply to it */
	r.identity_ours = 0;
	d = decide(&r, &p);
	assert_int_equal(d.code, 404);
	r = good_request();
	d = decide(&r, &p);
	assert_int_equal(d.code, 200);
	assert_int_equal(d.event, SUB_PKG_REG);
}

static void test_decide_489(void **state)
{
	static const char *bad[] = {"presence", "regx", "reg.winfo", "", " "};
	sub_request_t r = good_request();
	size_t i;

	(void)state;
	r.event = NULL;
	r.event_len = 0;
	assert_answer(&r, 489, "Bad Event");
	r.event_len = 3; /* a length without a value is still no Event */
	assert_answer(&r, 489, "Bad Event");
	for(i = 0; i < N_ELEMS(bad); i++) {
		r.event = bad[i];
		r.event_len = strlen(bad[i]);
		assert_answer(&r, 489, "Bad Event");
	}
	/* also for a refresh: a dialog does not excuse a bad Event */
	r.in_dialog = 1;
	assert_answer(&r, 489, "Bad Event");
}

static void test_decide_406(void **state)
{
	sub_request_t r = good_request();

	(void)state;
	r.accept = "application/sdp";
	r.accept_len = strlen(r.accept);
	assert_answer(&r, 406, "Not Acceptable");
	r.accept = "application/reginfo+xml;q=0";
	r.accept_len = strlen(r.accept);
	assert_answer(&r, 406, "Not Acceptable");
	r.in_dialog = 1;
	assert_answer(&r, 406, "Not Acceptable");
	/* an empty Accept value is not a refusal */
	r.accept = "";
	r.accept_len = 0;
	assert_granted(&r, 1800);
}

static void test_decide_400(void **state)
{
	sub_request_t r = good_request();
	sub_policy_t p = policy;
	sub_decision_t d;

	(void)state;
	r.expires = -1;
	assert_answer(&r, 400, "Bad Expires");
	r.expires = LONG_MIN;
	assert_answer(&r, 400, "Bad Expires");
	r.in_dialog = 1;
	assert_answer(&r, 400, "Bad Expires");
	/* a negative default counts as the request's Expires */
	r.in_dialog = 0;
	r.has_expires = 0;
	r.expires = 100; /* ignored without has_expires */
	p.default_expires = -1;
	d = decide(&r, &p);
	assert_int_equal(d.code, 400);
}

static void test_decide_404_480(void **state)
{
	sub_request_t r = good_request();

	(void)state;
	r.identity_ours = 0;
	assert_answer(&r, 404, "Not Found");
	/* not ours comes before not registered, even for a fetch */
	r.identity_registered = 0;
	assert_answer(&r, 404, "Not Found");
	r.expires = 0;
	assert_answer(&r, 404, "Not Found");

	r.identity_ours = 1;
	r.expires = 1800;
	assert_answer(&r, 480, "Temporarily Unavailable");
	/* without Expires the default (> 0) applies: 480 too */
	r.has_expires = 0;
	assert_answer(&r, 480, "Temporarily Unavailable");
	/* a fetch (Expires: 0) of an unregistered identity is answered */
	r.has_expires = 1;
	r.expires = 0;
	assert_granted(&r, 0);
	/* ... but the watcher must still be allowed */
	r.watcher = SUB_WATCHER_FORBIDDEN;
	assert_answer(&r, 403, "Forbidden");
}

static void test_decide_403(void **state)
{
	sub_request_t r = good_request();

	(void)state;
	r.watcher = SUB_WATCHER_FORBIDDEN;
	assert_answer(&r, 403, "Forbidden");
	r.expires = 0;
	assert_answer(&r, 403, "Forbidden");
	/* 403 before 423 */
	r.expires = 1;
	assert_answer(&r, 403, "Forbidden");
	r.watcher = SUB_WATCHER_OTHER;
	assert_answer(&r, 423, "Interval Too Brief");
	r.watcher = SUB_WATCHER_UE;
	assert_answer(&r, 423, "Interval Too Brief");
}

/* strangers learn nothing of the registration state: the refusal comes
 * before 480, and whether or not the identity is registered */
static void test_decide_unauthenticated(void **state)
{
	sub_request_t r = good_request();

	(void)state;
	r.watcher = SUB_WATCHER_UNAUTHENTICATED;
	assert_answer(&r, 403, "Forbidden");
	r.identity_registered = 0;
	assert_answer(&r, 403, "Forbidden");
	r.expires = 0;
	assert_answer(&r, 403, "Forbidden");
	r.expires = 1;
	assert_answer(&r, 403, "Forbidden");
	/* protocol errors and foreign domains come first: they tell nothing */
	r.event = "presence";
	r.event_len = 8;
	assert_answer(&r, 489, "Bad Event");
	r = good_request();
	r.watcher = SUB_WATCHER_UNAUTHENTICATED;
	r.identity_ours = 0;
	assert_answer(&r, 404, "Not Found");
	/* a known but unauthorized watcher gets 480 first (TS 24.229
	 * 5.4.2.1.1), then 403 */
	r = good_request();
	r.watcher = SUB_WATCHER_FORBIDDEN;
	r.identity_registered = 0;
	assert_answer(&r, 480, "Temporarily Unavailable");
}

static void test_decide_423(void **state)
{
	sub_request_t r = good_request();
	sub_decision_t d;

	(void)state;
	r.expires = policy.min_expires - 1;
	d = decide(&r, &policy);
	assert_int_equal(d.code, 423);
	assert_string_equal(d.reason, "Interval Too Brief");
	assert_int_equal(d.min_expires, policy.min_expires);
	assert_int_equal(d.expires, 0);
	r.expires = 1;
	d = decide(&r, &policy);
	assert_int_equal(d.code, 423);
	assert_int_equal(d.min_expires, 60);
	/* exactly the minimum is enough */
	r.expires = policy.min_expires;
	assert_granted(&r, policy.min_expires);
	/* a refresh too short is refused the same way */
	r.in_dialog = 1;
	r.expires = 59;
	d = decide(&r, &policy);
	assert_int_equal(d.code, 423);
	assert_int_equal(d.min_expires, 60);
}

static void test_decide_expires(void **state)
{
	sub_request_t r = good_request();
	sub_policy_t p = policy;
	sub_decision_t d;

	(void)state;
	/* capped at max_expires */
	r.expires = policy.max_expires;
	assert_granted(&r, policy.max_expires);
	r.expires = policy.max_expires + 1;
	assert_granted(&r, policy.max_expires);
	r.expires = LONG_MAX;
	assert_granted(&r, policy.max_expires);

	/* no Expires header: default_expires, whatever r.expires holds */
	r.has_expires = 0;
	r.expires = 5;
	assert_granted(&r, policy.default_expires);
	/* a default above the maximum is capped too */
	p.default_expires = 100000;
	d = decide(&r, &p);
	assert_int_equal(d.code, 200);
	assert_int_equal(d.expires, p.max_expires);

	/* Expires: 0 is a fetch or an unsubscribe: 200 with 0, never 423 */
	r.has_expires = 1;
	r.expires = 0;
	assert_granted(&r, 0);
	r.in_dialog = 1;
	assert_granted(&r, 0);
}

/* refreshes and unsubscribes of a known dialog: the identity and the
 * watcher were checked when the dialog was created */
static void test_decide_in_dialog(void **state)
{
	sub_request_t r = good_request();

	(void)state;
	r.in_dialog = 1;
	r.identity_ours = 0;
	r.identity_registered = 0;
	r.watcher = SUB_WATCHER_FORBIDDEN;
	assert_granted(&r, 1800);
	r.expires = 0;
	assert_granted(&r, 0);
	r.expires = 99999;
	assert_granted(&r, policy.max_expires);
	r.has_expires = 0;
	assert_granted(&r, policy.default_expires);
	/* the same request outside a dialog */
	r.in_dialog = 0;
	assert_answer(&r, 404, "Not Found");
}

/* ---- sub_classify_watcher ---- */

static const char *const users[] = {
		"alice@example.com", NULL, "+15551230001@example.com"};
static const char *const trusted[] = {
		"as@apps.example.net", NULL, "scscf.example.net"};

static sub_watcher_kind_t classify(const sub_watcher_facts_t *f)
{
	return sub_classify_watcher(
			f, users, N_ELEMS(users), trusted, N_ELEMS(trusted));
}

/* digest-authenticated as aor, from nowhere in particular */
static sub_watcher_facts_t authenticated(const char *aor)
{
	sub_watcher_facts_t f;

	memset(&f, 0, sizeof(f));
	f.require_auth = 1;
	f.auth_aor = aor;
	return f;
}

/* a trusted source asserting aor (NULL: no P-Asserted-Identity) */
static sub_watcher_facts_t trusted_source(const char *asserted, const char *from)
{
	sub_watcher_facts_t f;

	memset(&f, 0, sizeof(f));
	f.require_auth = 1;
	f.trusted_source = 1;
	f.asserted_aor = asserted;
	f.from_aor = from;
	return f;
}

static void test_watcher_unauthenticated(void **state)
{
	sub_watcher_facts_t f;

	(void)state;
	/* From alone proves nothing: not the user, not a trusted watcher */
	memset(&f, 0, sizeof(f));
	f.require_auth = 1;
	f.from_aor = "alice@example.com";
	f.on_user_flow = 1;
	assert_null(sub_watcher_identity(&f));
	assert_int_equal(classify(&f), SUB_WATCHER_UNAUTHENTICATED);
	f.from_aor = "as@apps.example.net";
	assert_int_equal(classify(&f), SUB_WATCHER_UNAUTHENTICATED);
	/* nor does P-Asserted-Identity from an untrusted source */
	f.asserted_aor = "as@apps.example.net";
	assert_int_equal(classify(&f), SUB_WATCHER_UNAUTHENTICATED);
	/* an empty credential is none */
	f.auth_aor = "";
	assert_int_equal(classify(&f), SUB_WATCHER_UNAUTHENTICATED);
	/* a trusted source that names nobody */
	f = trusted_source(NULL, NULL);
	assert_int_equal(classify(&f), SUB_WATCHER_UNAUTHENTICATED);
	f = trusted_source("", "");
	assert_int_equal(classify(&f), SUB_WATCHER_UNAUTHENTICATED);
}

static void test_watcher_ue(void **state)
{
	sub_watcher_facts_t f;

	(void)state;
	/* authenticated as the user, on one of its registered flows */
	f = authenticated("alice@example.com");
	f.on_user_flow = 1;
	assert_int_equal(classify(&f), SUB_WATCHER_UE);
	f = authenticated("+15551230001@example.com");
	f.on_user_flow = 1;
	assert_int_equal(classify(&f), SUB_WATCHER_UE);
	/* whatever From says */
	f.from_aor = "mallory@evil.example.com";
	assert_int_equal(classify(&f), SUB_WATCHER_UE);
	/* the user, but not over a registered flow: an ordinary watcher */
	f = authenticated("alice@example.com");
	assert_int_equal(classify(&f), SUB_WATCHER_OTHER);
	/* the P-CSCF of the user's Path asserting the user */
	f = trusted_source("alice@example.com", "pcscf@pcscf.example.org");
	f.via_user_path = 1;
	assert_int_equal(classify(&f), SUB_WATCHER_UE);
	/* another trusted source asserting the user: not the UE */
	f.via_user_path = 0;
	f.on_user_flow = 1;
	assert_int_equal(classify(&f), SUB_WATCHER_OTHER);
	/* compared as usrloc compares keys: exactly */
	f = authenticated("ALICE@example.com");
	f.on_user_flow = 1;
	assert_int_equal(classify(&f), SUB_WATCHER_FORBIDDEN);
	f = authenticated("alice@Example.com");
	f.on_user_flow = 1;
	assert_int_equal(classify(&f), SUB_WATCHER_FORBIDDEN);
}

static void test_watcher_require_auth_off(void **state)
{
	sub_watcher_facts_t f;

	(void)state;
	/* From is believed, but never makes the UE nor a trusted watcher */
	memset(&f, 0, sizeof(f));
	f.from_aor = "alice@example.com";
	f.on_user_flow = 1;
	assert_string_equal(sub_watcher_identity(&f), "alice@example.com");
	assert_int_equal(classify(&f), SUB_WATCHER_OTHER);
	f.from_aor = "as@apps.example.net";
	assert_int_equal(classify(&f), SUB_WATCHER_FORBIDDEN);
	/* credentials still win over From */
	f.auth_aor = "alice@example.com";
	f.from_aor = "bob@example.com";
	assert_string_equal(sub_watcher_identity(&f), "alice@example.com");
	assert_int_equal(classify(&f), SUB_WATCHER_UE);
}

static void test_watcher_trusted(void **state)
{
	sub_watcher_facts_t f;

	(void)state;
	/* a listed watcher URI counts from a trusted source only */
	f = trusted_source("as@apps.example.net", NULL);
	assert_int_equal(classify(&f), SUB_WATCHER_OTHER);
	f = trusted_source(NULL, "as@apps.example.net");
	assert_int_equal(classify(&f), SUB_WATCHER_OTHER);
	f = authenticated("as@apps.example.net");
	assert_int_equal(classify(&f), SUB_WATCHER_FORBIDDEN);
	/* P-Asserted-Identity wins over From */
	f = trusted_source("eve@apps.example.net", "as@apps.example.net");
	assert_int_equal(classify(&f), SUB_WATCHER_FORBIDDEN);
	/* another user of that host is not trusted */
	f = trusted_source("eve@apps.example.net", NULL);
	assert_int_equal(classify(&f), SUB_WATCHER_FORBIDDEN);
	/* listed as a bare host: anyone there (hosts case-insensitively) */
	f = trusted_source("scscf@scscf.example.net", NULL);
	assert_int_equal(classify(&f), SUB_WATCHER_OTHER);
	f = trusted_source("x@SCSCF.Example.Net", NULL);
	assert_int_equal(classify(&f), SUB_WATCHER_OTHER);
	/* a host matches whole, not as a suffix */
	f = trusted_source("x@evil.scscf.example.net", NULL);
	assert_int_equal(classify(&f), SUB_WATCHER_FORBIDDEN);
	f = trusted_source("x@scscf.example.net.evil", NULL);
	assert_int_equal(classify(&f), SUB_WATCHER_FORBIDDEN);
	/* the P-CSCF of the user's Path, whatever it asserts */
	f = trusted_source("pcscf@pcscf.example.org", NULL);
	assert_int_equal(classify(&f), SUB_WATCHER_FORBIDDEN);
	f.via_user_path = 1;
	assert_int_equal(classify(&f), SUB_WATCHER_OTHER);
	/* another user asserted by a trusted source off the Path */
	f = trusted_source("bob@example.com", NULL);
	assert_int_equal(classify(&f), SUB_WATCHER_FORBIDDEN);
}

static void test_watcher_forbidden(void **state)
{
	sub_watcher_facts_t f;

	(void)state;
	f = authenticated("bob@example.com");
	f.on_user_flow = 1;
	assert_int_equal(classify(&f), SUB_WATCHER_FORBIDDEN);
	f = authenticated("alice@example.co");
	assert_int_equal(classify(&f), SUB_WATCHER_FORBIDDEN);
	f = authenticated("alice@example.com.evil.net");
	assert_int_equal(classify(&f), SUB_WATCHER_FORBIDDEN);
	/* empty lists (and no arrays at all) */
	f = authenticated("alice@example.com");
	assert_int_equal(
			sub_classify_watcher(&f, NULL, 0, NULL, 0), SUB_WATCHER_FORBIDDEN);
	/* the counts bound the lists: entries past them are not looked at */
	f = authenticated("+15551230001@example.com");
	assert_int_equal(sub_classify_watcher(&f, users, 2, trusted, 3),
			SUB_WATCHER_FORBIDDEN);
	f = trusted_source("x@scscf.example.net", NULL);
	assert_int_equal(sub_classify_watcher(&f, users, 3, trusted, 2),
			SUB_WATCHER_FORBIDDEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_event_is_reg),
			cmocka_unit_test(test_event_package),
			cmocka_unit_test(test_accept_basic),
			cmocka_unit_test(test_accept_qvalues),
			cmocka_unit_test(test_decide_ok),
			cmocka_unit_test(test_decide_precedence),
			cmocka_unit_test(test_decide_489),
			cmocka_unit_test(test_decide_registration_state),
			cmocka_unit_test(test_decide_406),
			cmocka_unit_test(test_decide_400),
			cmocka_unit_test(test_decide_404_480),
			cmocka_unit_test(test_decide_403),
			cmocka_unit_test(test_decide_423),
			cmocka_unit_test(test_decide_expires),
			cmocka_unit_test(test_decide_in_dialog),
			cmocka_unit_test(test_decide_unauthenticated),
			cmocka_unit_test(test_watcher_unauthenticated),
			cmocka_unit_test(test_watcher_ue),
			cmocka_unit_test(test_watcher_require_auth_off),
			cmocka_unit_test(test_watcher_trusted),
			cmocka_unit_test(test_watcher_forbidden),
	};

	return cmocka_run_group_tests_name("subscribe", tests, NULL, NULL);
}
