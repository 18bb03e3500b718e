/*
 * reauth module - unit tests of pure/reginfo_draft (body_format "draft")
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The seed contribution's notation, point by point: one <tuple name=AOR>
 * per public identity, <status><value>re-authenticate</value></status>
 * for the re-authenticated ones, <detail>automatically by ...</detail>
 * after </status> for the covered ones, the current state of every other
 * identity, and nothing else (no contact). Bodies are parsed back and
 * checked element for element; they are not held to RFC 3680.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../../modules/reauth/pure/reginfo.h"
#include "../../modules/reauth/pure/reginfo_draft.h"
#include "../../modules/reauth/pure/regstate.h"
#include "test_helpers.h"

#define P1 "sip:user1_public1@home1.net"
#define P2 "sip:user1_public2@home1.net"
#define P3 "sip:user1_public3@home1.net"
#define P4 "sip:user1_public4@home1.net"
#define DETAIL "automatically by " P1

/* one active contact, for the identities that are registered */
static const reginfo_contact_t ct_active = {.id = "c1",
		.uri = "sip:ue@192.0.2.1",
		.state = REGINFO_CT_ACTIVE,
		.event = REGINFO_EV_SHORTENED,
		.expires = 60,
		.retry_after = -1,
		.cseq = -1};
static const reginfo_contact_t ct_active2 = {.id = "c2",
		.uri = "sip:ue@192.0.2.1",
		.state = REGINFO_CT_ACTIVE,
		.event = REGINFO_EV_SHORTENED,
		.expires = 60,
		.retry_after = -1,
		.cseq = -1};
static const reginfo_contact_t ct_active3 = {.id = "c3",
		.uri = "sip:ue@192.0.2.9",
		.state = REGINFO_CT_ACTIVE,
		.event = REGINFO_EV_REGISTERED,
		.expires = 3000,
		.retry_after = -1,
		.cseq = -1};

/* the seed's example, and two more identities of the user: P3
 * registered in another set, P4 never registered */
static reginfo_registration_t regs[4];

static reginfo_doc_t seed_doc(void)
{
	reginfo_doc_t d;

	memset(regs, 0, sizeof(regs));
	regs[0].aor = P1;
	regs[0].id = "r1";
	regs[0].state = REGINFO_REG_ACTIVE;
	regs[0].contacts = &ct_active;
	regs[0].ncontacts = 1;
	regs[0].draft_state = "re-authenticate";
	regs[1].aor = P2;
	regs[1].id = "r2";
	regs[1].state = REGINFO_REG_ACTIVE;
	regs[1].contacts = &ct_active2;
	regs[1].ncontacts = 1;
	regs[1].draft_state = "re-authenticate";
	regs[1].detail = DETAIL;
	regs[2].aor = P3;
	regs[2].id = "r3";
	regs[2].state = REGINFO_REG_ACTIVE;
	regs[2].contacts = &ct_active3;
	regs[2].ncontacts = 1;
	regs[3].aor = P4;
	regs[3].id = "r4";
	regs[3].state = REGINFO_REG_INIT;
	memset(&d, 0, sizeof(d));
	d.version = 3;
	d.state = REGINFO_FULL;
	d.regs = regs;
	d.nregs = 4;
	return d;
}

static xmlDocPtr build(const reginfo_doc_t *d, char **body)
{
	size_t len = 0;
	xmlDocPtr xdoc;

	assert_int_equal(reginfo_build(d, &test_mem, body, &len), REGINFO_OK);
	assert_int_equal(strlen(*body), len);
	assert_memory_equal(*body, BODY_HEAD, strlen(BODY_HEAD));
	xdoc = parse_body(*body, len); /* fails the test if not well-formed */
	assert_int_equal(tms.nlog, 0);
	return xdoc;
}

/* the whole body, byte for byte: the seed's example is its first two
 * tuples; the others carry their current RFC 3680 state */
static void test_seed_example_exact(void **state)
{
	reginfo_doc_t d = seed_doc();
	char *body = NULL;
	xmlDocPtr xdoc;

	(void)state;
	xdoc = build(&d, &body);
	assert_string_equal(body,
			"<?xml version=\"1.0\"?>\n"
			"<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"3\""
			" state=\"full\">"
			"<tuple name=\"" P1 "\"><status><value>re-authenticate</value>"
			"</status></tuple>"
			"<tuple name=\"" P2 "\"><status><value>re-authenticate</value>"
			"</status><detail>" DETAIL "</detail></tuple>"
			"<tuple name=\"" P3 "\"><status><value>active</value></status>"
			"</tuple>"
			"<tuple name=\"" P4 "\"><status><value>init</value></status>"
			"</tuple>"
			"</reginfo>\n");
	release(xdoc, body);
}

/* element names and nesting, as a receiver reads them */
static void test_seed_example_structure(void **state)
{
	reginfo_doc_t d = seed_doc();
	char *body = NULL;
	xmlDocPtr xdoc;

	(void)state;
	xdoc = build(&d, &body);
	/* root, then tuples only, in the order given */
	assert_int_equal(xpath_count(xdoc, "/r:reginfo"), 1);
	assert_int_equal(xpath_count(xdoc, "/r:reginfo/*"), 4);
	assert_int_equal(xpath_count(xdoc, "/r:reginfo/r:tuple"), 4);
	assert_xpath_str(xdoc, "/r:reginfo/r:tuple[1]/@name", P1);
	assert_xpath_str(xdoc, "/r:reginfo/r:tuple[2]/@name", P2);
	assert_xpath_str(xdoc, "/r:reginfo/r:tuple[3]/@name", P3);
	assert_xpath_str(xdoc, "/r:reginfo/r:tuple[4]/@name", P4);
	/* a tuple has its name only, a status first, a value in it */
	assert_int_equal(xpath_count(xdoc, "//r:tuple/@*"), 4);
	assert_int_equal(xpath_count(xdoc, "//r:tuple/*[1][self::r:status]"), 4);
	assert_int_equal(xpath_count(xdoc, "//r:status/*"), 4);
	assert_int_equal(xpath_count(xdoc, "//r:status/r:value"), 4);
	/* the re-authenticated identities */
	assert_xpath_str(xdoc,
			"/r:reginfo/r:tuple[@name='" P1 "']/r:status/r:value",
			"re-authenticate");
	assert_xpath_str(xdoc,
			"/r:reginfo/r:tuple[@name='" P2 "']/r:status/r:value",
			"re-authenticate");
	/* detail: only the covered one, after </status>, in the tuple */
	assert_int_equal(xpath_count(xdoc, "//r:detail"), 1);
	assert_int_equal(xpath_count(xdoc,
							 "/r:reginfo/r:tuple[@name='" P2 "']/*[2]"
							 "[self::r:detail][preceding-sibling::r:status]"),
			1);
	assert_xpath_str(
			xdoc, "/r:reginfo/r:tuple[@name='" P2 "']/r:detail", DETAIL);
	/* every other identity: its current state */
	assert_xpath_str(xdoc,
			"/r:reginfo/r:tuple[@name='" P3 "']/r:status/r:value", "active");
	assert_xpath_str(xdoc,
			"/r:reginfo/r:tuple[@name='" P4 "']/r:status/r:value", "init");
	/* nothing but these: 1 root + 4 x (tuple, status, value) + 1 detail */
	assert_int_equal(xpath_count(xdoc, "//*"), 14);
	assert_int_equal(xpath_count(xdoc, "//r:contact | //r:registration"), 0);
	/* version and state of the reg package's document */
	assert_xpath_str(xdoc, "/r:reginfo/@version", "3");
	assert_xpath_str(xdoc, "/r:reginfo/@state", "full");
	/* not RFC 3680 (only 3gpp bodies are held to the schema) */
	assert_int_not_equal(schema_validate(xdoc), 0);
	release(xdoc, body);
}

/* a terminated identity shows as terminated; partial keeps its state */
static void test_other_states(void **state)
{
	static const reginfo_contact_t gone = {.id = "c9",
			.uri = "sip:ue@192.0.2.7",
			.state = REGINFO_CT_TERMINATED,
			.event = REGINFO_EV_EXPIRED,
			.expires = 0,
			.retry_after = -1,
			.cseq = -1};
	reginfo_doc_t d = seed_doc();
	char *body = NULL;
	xmlDocPtr xdoc;

	(void)state;
	regs[3].state = REGINFO_REG_TERMINATED;
	regs[3].contacts = &gone;
	regs[3].ncontacts = 1;
	d.state = REGINFO_PARTIAL;
	d.version = 0;
	xdoc = build(&d, &body);
	assert_xpath_str(xdoc,
			"/r:reginfo/r:tuple[@name='" P4 "']/r:status/r:value",
			"terminated");
	assert_xpath_str(xdoc, "/r:reginfo/@state", "partial");
	assert_xpath_str(xdoc, "/r:reginfo/@version", "0");
	assert_int_equal(xpath_count(xdoc, "//r:contact"), 0);
	release(xdoc, body);
}

/* names and details from the network are text, escaped by libxml2 */
static void test_hostile_strings(void **state)
{
	reginfo_doc_t d = seed_doc();
	char *body = NULL;
	xmlDocPtr xdoc;

	(void)state;
	regs[0].aor = "sip:a\"b'<c>&d@x";
	regs[1].detail = "automatically by sip:a\"b'<c>&d@x</detail><x/>";
	xdoc = build(&d, &body);
	assert_int_equal(xpath_count(xdoc, "//*"), 14);
	assert_xpath_str(xdoc, "/r:reginfo/r:tuple[1]/@name", "sip:a\"b'<c>&d@x");
	assert_xpath_str(xdoc, "//r:detail",
			"automatically by sip:a\"b'<c>&d@x</detail><x/>");
	release(xdoc, body);
	/* what XML cannot carry is refused, as for 3gpp bodies */
	seed_doc();
	regs[1].detail = "automatically by \x01";
	assert_int_equal(reginfo_build(&d, &test_mem, &body, &(size_t){0}),
			REGINFO_ERR_INVAL);
	assert_null(body);
}

/* no draft_state anywhere: the RFC 3680 body, valid, without detail */
static void test_3gpp_unchanged(void **state)
{
	reginfo_doc_t d = seed_doc();
	char *body = NULL;
	xmlDocPtr xdoc;

	(void)state;
	regs[0].draft_state = NULL;
	regs[1].draft_state = NULL;
	assert_int_equal(reginfo_draft_wanted(&d), 0);
	xdoc = build(&d, &body);
	assert_valid(xdoc, body);
	assert_int_equal(xpath_count(xdoc, "//r:tuple | //r:detail"), 0);
	assert_int_equal(xpath_count(xdoc, "/r:reginfo/r:registration"), 4);
	assert_xpath_str(xdoc, "//r:registration[@aor='" P1 "']/@state", "active");
	release(xdoc, body);
	/* one draft_state is enough for the whole document */
	regs[3].draft_state = "re-authenticate";
	assert_int_equal(reginfo_draft_wanted(&d), 1);
}

/* the same through regstate, as the glue calls it */
static void test_through_regstate(void **state)
{
	regstate_contact_t c = {.uri = "sip:ue@192.0.2.1",
			.callid = "cid",
			.cseq = 2,
			.expires_at = 1060,
			.event = REGINFO_EV_SHORTENED};
	regstate_identity_t ids[3];
	char *body = NULL;
	size_t len = 0;
	xmlDocPtr xdoc;

	(void)state;
	memset(ids, 0, sizeof(ids));
	ids[0].uri = P1;
	ids[0].contacts = &c;
	ids[0].ncontacts = 1;
	ids[0].draft_state = "re-authenticate";
	ids[1].uri = P2;
	ids[1].draft_state = "re-authenticate";
	ids[1].detail = DETAIL;
	ids[2].uri = P3;
	assert_int_equal(
			regstate_build_body(ids, 3, 7, 1000, &test_mem, &body, &len),
			REGINFO_OK);
	xdoc = parse_body(body, len);
	assert_int_equal(xpath_count(xdoc, "/r:reginfo/r:tuple"), 3);
	assert_xpath_str(xdoc, "/r:reginfo/r:tuple[1]/r:status/r:value",
			"re-authenticate");
	/* a set identity without contact is re-authenticated all the same */
	assert_xpath_str(xdoc, "/r:reginfo/r:tuple[2]/r:status/r:value",
			"re-authenticate");
	assert_xpath_str(xdoc, "/r:reginfo/r:tuple[2]/r:detail", DETAIL);
	assert_xpath_str(xdoc, "/r:reginfo/r:tuple[3]/r:status/r:value", "init");
	assert_xpath_str(xdoc, "/r:reginfo/@version", "7");
	release(xdoc, body);
}

/* out of memory at any allocation: an error, nothing left allocated */
static void test_alloc_failure(void **state)
{
	reginfo_doc_t d = seed_doc();
	char *body = NULL;
	size_t len = 0;
	int n, i, rc;

	(void)state;
	tms.fail_at = 0;
	assert_int_equal(reginfo_build(&d, &test_mem, &body, &len), REGINFO_OK);
	test_free(body);
	n = tms.nalloc;
	for(i = 1; i <= n; i++) {
		tms.nalloc = 0;
		tms.fail_at = i;
		body = NULL;
		rc = reginfo_build(&d, &test_mem, &body, &len);
		assert_int_equal(rc, REGINFO_ERR_NOMEM);
		assert_null(body);
	}
	tms.fail_at = 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
			T(test_seed_example_exact),
			T(test_seed_example_structure),
			T(test_other_states),
			T(test_hostile_strings),
			T(test_3gpp_unchanged),
			T(test_through_regstate),
			T(test_alloc_failure),
	};

	return cmocka_run_group_tests_name(
			"reginfo_draft", tests, group_setup, group_teardown);
}
