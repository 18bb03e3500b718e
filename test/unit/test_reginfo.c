/*
 * reauth module - unit tests of core/reginfo (RFC 3680 document builder)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every body built here is parsed back (no network) and validated against
 * the RFC 3680 schema offline, through the project's XML catalog. Memory
 * goes through cmocka's test_malloc/test_free, so a leak fails the test;
 * libxml2's own memory is watched by AddressSanitizer.
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

#include <libxml/catalog.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "../../modules/reauth/pure/core_mem.h"
#include "../../modules/reauth/pure/reginfo.h"
#include "test_helpers.h"

/* ---- helpers ---- */

/* build, check the framing, parse and validate; the caller frees both */
static xmlDocPtr build_valid(const reginfo_doc_t *doc, char **body)
{
	size_t len = 0;
	xmlDocPtr xdoc;

	*body = NULL;
	assert_int_equal(reginfo_build(doc, &test_mem, body, &len), REGINFO_OK);
	assert_non_null(*body);
	assert_int_equal(strlen(*body), len);
	assert_memory_equal(*body, BODY_HEAD, strlen(BODY_HEAD));
	xdoc = parse_body(*body, len);
	assert_valid(xdoc, *body);
	assert_int_equal(tms.nlog, 0);
	return xdoc;
}

/* a contact with every optional part omitted */
static reginfo_contact_t contact(const char *id, const char *uri,
		reginfo_ct_state_t st, reginfo_ct_event_t ev)
{
	reginfo_contact_t c;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.uri = uri;
	c.state = st;
	c.event = ev;
	c.expires = -1;
	c.retry_after = -1;
	c.cseq = -1;
	return c;
}

static reginfo_contact_t active_contact(const char *id, const char *uri)
{
	return contact(id, uri, REGINFO_CT_ACTIVE, REGINFO_EV_REGISTERED);
}

static reginfo_registration_t registration(const char *aor, const char *id,
		reginfo_reg_state_t st, const reginfo_contact_t *c, size_t n)
{
	reginfo_registration_t r;

	memset(&r, 0, sizeof(r));
	r.aor = aor;
	r.id = id;
	r.state = st;
	r.contacts = c;
	r.ncontacts = n;
	return r;
}

static reginfo_doc_t document(unsigned long version, reginfo_doc_state_t st,
		const reginfo_registration_t *regs, size_t n)
{
	reginfo_doc_t d;

	d.version = version;
	d.state = st;
	d.regs = regs;
	d.nregs = n;
	return d;
}

/* build must fail with code, leave *body NULL, allocate nothing, log */
static void assert_build_fails(const reginfo_doc_t *doc, int code)
{
	char *body = (char *)"sentinel";
	size_t len = 42;

	tms.nlog = 0;
	assert_int_equal(reginfo_build(doc, &test_mem, &body, &len), code);
	assert_null(body);
	assert_int_equal(len, 0);
	assert_true(tms.nlog > 0);
	assert_int_equal(tms.last_level, CORE_LOG_ERR);
}

/* ---- tests: documents ---- */

static void test_full_one_contact(void **state)
{
	reginfo_contact_t c = active_contact("c1", "sip:alice@192.0.2.10:5060");
	reginfo_registration_t r = registration("sip:alice@example.com", "r1",
			REGINFO_REG_ACTIVE, &c, 1);
	reginfo_doc_t d = document(0, REGINFO_FULL, &r, 1);
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	c.expires = 3600;
	xdoc = build_valid(&d, &body);
	/* the exact bytes: compact, no encoding declaration, schema order */
	assert_string_equal(body,
			BODY_HEAD " version=\"0\" state=\"full\">"
					  "<registration aor=\"sip:alice@example.com\" id=\"r1\""
					  " state=\"active\">"
					  "<contact id=\"c1\" state=\"active\" event=\"registered\""
					  " expires=\"3600\">"
					  "<uri>sip:alice@192.0.2.10:5060</uri>"
					  "</contact></registration></reginfo>\n");
	assert_xpath_str(xdoc, "/r:reginfo/r:registration/r:contact/r:uri",
			"sip:alice@192.0.2.10:5060");
	release(xdoc, body);
}

static void test_partial(void **state)
{
	reginfo_contact_t c = contact("c7", "sip:bob@198.51.100.7",
			REGINFO_CT_ACTIVE, REGINFO_EV_SHORTENED);
	reginfo_registration_t r = registration(
			"sip:bob@example.com", "r7", REGINFO_REG_ACTIVE, &c, 1);
	reginfo_doc_t d = document(12, REGINFO_PARTIAL, &r, 1);
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	c.expires = 60;
	xdoc = build_valid(&d, &body);
	assert_xpath_str(xdoc, "/r:reginfo/@state", "partial");
	assert_xpath_str(xdoc, "/r:reginfo/@version", "12");
	assert_xpath_str(xdoc, "//r:contact/@event", "shortened");
	assert_xpath_str(xdoc, "//r:contact/@expires", "60");
	release(xdoc, body);
}

/* each event in its own document, and all nine in one */
static void test_every_event(void **state)
{
	static const char *ids[] = {
			"e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8"};
	reginfo_contact_t all[9];
	reginfo_registration_t r;
	reginfo_doc_t d;
	reginfo_ct_event_t ev, back;
	reginfo_ct_state_t st;
	xmlDocPtr xdoc;
	char expr[64];
	char *body;
	int i;

	(void)state;
	for(i = 0; i < 9; i++) {
		ev = (reginfo_ct_event_t)i;
		st = reginfo_event_ct_state(ev);
		assert_non_null(reginfo_event_name(ev));
		assert_int_equal(reginfo_event_from_name(reginfo_event_name(ev), &back),
				0);
		assert_int_equal(back, ev);

		all[i] = contact(ids[i], "sip:carol@203.0.113.5", st, ev);
		/* an active registration may carry a terminated contact */
		r = registration("sip:carol@example.com", "r", REGINFO_REG_ACTIVE,
				&all[i], 1);
		d = document((unsigned long)i, REGINFO_PARTIAL, &r, 1);
		xdoc = build_valid(&d, &body);
		assert_xpath_str(xdoc, "//r:contact/@event", reginfo_event_name(ev));
		assert_xpath_str(xdoc, "//r:contact/@state", reginfo_ct_state_name(st));
		release(xdoc, body);
	}
	r = registration(
			"sip:carol@example.com", "r", REGINFO_REG_ACTIVE, all, 9);
	d = document(9, REGINFO_FULL, &r, 1);
	xdoc = build_valid(&d, &body);
	assert_int_equal(xpath_count(xdoc, "//r:contact"), 9);
	for(i = 0; i < 9; i++) {
		snprintf(expr, sizeof(expr), "//r:contact[%d]/@event", i + 1);
		assert_xpath_str(
				xdoc, expr, reginfo_event_name((reginfo_ct_event_t)i));
	}
	release(xdoc, body);
}

static void test_registration_states(void **state)
{
	reginfo_contact_t act = active_contact("a", "sip:d@192.0.2.1");
	reginfo_contact_t gone = contact("t", "sip:d@192.0.2.2",
			REGINFO_CT_TERMINATED, REGINFO_EV_UNREGISTERED);
	reginfo_registration_t regs[3];
	reginfo_doc_t d;
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	/* init: no contact yet; active: one of each; terminated: none active */
	regs[0] = registration(
			"sip:d1@example.com", "ri", REGINFO_REG_INIT, NULL, 0);
	regs[1] = registration(
			"sip:d2@example.com", "ra", REGINFO_REG_ACTIVE, &act, 1);
	regs[2] = registration(
			"sip:d3@example.com", "rt", REGINFO_REG_TERMINATED, &gone, 1);
	d = document(3, REGINFO_FULL, regs, 3);
	xdoc = build_valid(&d, &body);
	assert_xpath_str(xdoc, "/r:reginfo/r:registration[1]/@state", "init");
	assert_xpath_str(xdoc, "/r:reginfo/r:registration[2]/@state", "active");
	assert_xpath_str(
			xdoc, "/r:reginfo/r:registration[3]/@state", "terminated");
	assert_int_equal(xpath_count(xdoc, "/r:reginfo/r:registration[1]/*"), 0);
	release(xdoc, body);
}

/* network-initiated de-registration: every terminating event */
static void test_terminated_contacts(void **state)
{
	static const reginfo_ct_event_t evs[] = {REGINFO_EV_EXPIRED,
			REGINFO_EV_DEACTIVATED, REGINFO_EV_REJECTED,
			REGINFO_EV_UNREGISTERED};
	static const char *names[] = {
			"expired", "deactivated", "rejected", "unregistered"};
	reginfo_contact_t c;
	reginfo_registration_t r;
	reginfo_doc_t d;
	xmlDocPtr xdoc;
	char *body;
	size_t i;

	(void)state;
	for(i = 0; i < 4; i++) {
		c = contact("c", "sip:eve@192.0.2.9", REGINFO_CT_TERMINATED, evs[i]);
		c.expires = 0;
		r = registration("sip:eve@example.com", "r", REGINFO_REG_TERMINATED,
				&c, 1);
		d = document(100 + i, REGINFO_FULL, &r, 1);
		xdoc = build_valid(&d, &body);
		assert_xpath_str(xdoc, "//r:registration/@state", "terminated");
		assert_xpath_str(xdoc, "//r:contact/@state", "terminated");
		assert_xpath_str(xdoc, "//r:contact/@event", names[i]);
		assert_xpath_str(xdoc, "//r:contact/@expires", "0");
		release(xdoc, body);
	}
}

static void test_optional_present(void **state)
{
	reginfo_contact_t c = active_contact("c1", "sip:frank@192.0.2.3;ob");
	reginfo_registration_t r = registration(
			"sip:frank@example.com", "r1", REGINFO_REG_ACTIVE, &c, 1);
	reginfo_doc_t d = document(5, REGINFO_FULL, &r, 1);
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	c.display_name = "Frank";
	c.expires = 0; /* 0 is a value, not "omit" */
	c.retry_after = 30;
	c.callid = "a84b4c76e66710@pc33.example.com";
	c.cseq = 0;
	c.q = "0.5";
	xdoc = build_valid(&d, &body);
	assert_xpath_str(xdoc, "//r:contact/@expires", "0");
	assert_xpath_str(xdoc, "//r:contact/@retry-after", "30");
	assert_xpath_str(
			xdoc, "//r:contact/@callid", "a84b4c76e66710@pc33.example.com");
	assert_xpath_str(xdoc, "//r:contact/@cseq", "0");
	assert_xpath_str(xdoc, "//r:contact/@q", "0.5");
	assert_xpath_str(xdoc, "//r:contact/r:display-name", "Frank");
	/* schema sequence: uri first, then display-name */
	assert_int_equal(xpath_count(xdoc, "//r:contact/*[1][self::r:uri]"), 1);
	assert_int_equal(
			xpath_count(xdoc, "//r:contact/*[2][self::r:display-name]"), 1);
	assert_int_equal(xpath_count(xdoc, "//r:contact/@duration-registered"), 0);
	release(xdoc, body);

	/* large values and the other qvalue shapes */
	c.expires = LONG_MAX;
	c.cseq = 2147483647L;
	c.q = "1.000";
	c.display_name = "";
	xdoc = build_valid(&d, &body);
	assert_xpath_str(xdoc, "//r:contact/@q", "1.000");
	assert_xpath_str(xdoc, "//r:contact/@cseq", "2147483647");
	assert_int_equal(xpath_count(xdoc, "//r:contact/r:display-name"), 1);
	assert_xpath_str(xdoc, "//r:contact/r:display-name", "");
	release(xdoc, body);
}

/* RFC 5626 parameters as unknown-params, RFC 5628 GRUUs in the gr:
 * namespace, after uri and display-name as the schema's sequence asks */
static void test_params_and_gruu(void **state)
{
	reginfo_param_t p[2] = {{"+sip.instance", "\"<urn:uuid:f81d4fae>\""},
			{"reg-id", "1"}};
	reginfo_contact_t c[2] = {active_contact("c1", "sip:frank@192.0.2.3"),
			active_contact("c2", "sip:frank@192.0.2.4")};
	reginfo_registration_t r = registration(
			"sip:frank@example.com", "r1", REGINFO_REG_ACTIVE, c, 2);
	reginfo_doc_t d = document(1, REGINFO_FULL, &r, 1);
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	c[0].display_name = "Frank";
	c[0].params = p;
	c[0].nparams = 2;
	c[0].pub_gruu = "sip:frank@example.com;gr=urn:uuid:f81d4fae";
	c[0].temp_gruu = "sip:tgruu.7hs@example.com;gr";
	c[0].temp_gruu_cseq = 9;
	xdoc = build_valid(&d, &body);
	if(schema_validate_gruu(xdoc) != 0)
		fail_msg("not valid with gruuinfo.xsd (%s):\n%s", valid_err, body);
	assert_xpath_str(xdoc,
			"//r:contact[@id='c1']/r:unknown-param[@name='+sip.instance']",
			"\"<urn:uuid:f81d4fae>\"");
	assert_xpath_str(xdoc,
			"//r:contact[@id='c1']/r:unknown-param[@name='reg-id']", "1");
	assert_xpath_str(xdoc, "//r:contact[@id='c1']/gr:pub-gruu/@uri",
			"sip:frank@example.com;gr=urn:uuid:f81d4fae");
	assert_xpath_str(xdoc, "//r:contact[@id='c1']/gr:temp-gruu/@uri",
			"sip:tgruu.7hs@example.com;gr");
	assert_xpath_str(
			xdoc, "//r:contact[@id='c1']/gr:temp-gruu/@first-cseq", "9");
	/* uri, display-name, the two params, then the two GRUUs */
	assert_int_equal(xpath_count(xdoc, "//r:contact[@id='c1']/*"), 6);
	assert_int_equal(xpath_count(xdoc,
							 "//r:contact[@id='c1']/*[3][self::r:unknown-param]"
							 "/following-sibling::*[1][self::r:unknown-param]"
							 "/following-sibling::*[1][self::gr:pub-gruu]"
							 "/following-sibling::*[1][self::gr:temp-gruu]"),
			1);
	/* the namespace is declared once, on the root */
	assert_non_null(strstr(body,
			"<reginfo xmlns=\"" REGINFO_NS "\" xmlns:gr=\"" REGINFO_GRUU_NS
			"\""));
	assert_int_equal(xpath_count(xdoc, "//r:contact[@id='c2']/*"), 1);
	release(xdoc, body);

	/* a parameter without a value is an empty element */
	p[1].value = NULL;
	c[0].pub_gruu = c[0].temp_gruu = NULL;
	xdoc = build_valid(&d, &body);
	assert_int_equal(xpath_count(xdoc,
							 "//r:unknown-param[@name='reg-id'][not(node())]"),
			1);
	assert_null(strstr(body, "xmlns:gr"));
	release(xdoc, body);

	/* refused: a nameless parameter, a bad string, too many */
	p[1].name = "";
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	p[1].name = "reg-id";
	p[1].value = "\x01";
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	p[1].value = "1";
	c[0].nparams = REGINFO_MAX_PARAMS + 1;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	c[0].nparams = 1;
	c[0].params = NULL;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	c[0].params = p;
	c[0].temp_gruu = "";
	assert_build_fails(&d, REGINFO_ERR_INVAL);
}

static void test_optional_absent(void **state)
{
	reginfo_contact_t c = active_contact("c1", "sip:gina@192.0.2.4");
	reginfo_registration_t r = registration(
			"sip:gina@example.com", "r1", REGINFO_REG_ACTIVE, &c, 1);
	reginfo_doc_t d = document(1, REGINFO_FULL, &r, 1);
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	xdoc = build_valid(&d, &body);
	assert_int_equal(xpath_count(xdoc, "//r:contact/@*"), 3);
	assert_int_equal(xpath_count(xdoc, "//r:contact/@expires"), 0);
	assert_int_equal(xpath_count(xdoc, "//r:contact/@retry-after"), 0);
	assert_int_equal(xpath_count(xdoc, "//r:contact/@callid"), 0);
	assert_int_equal(xpath_count(xdoc, "//r:contact/@cseq"), 0);
	assert_int_equal(xpath_count(xdoc, "//r:contact/@q"), 0);
	assert_int_equal(xpath_count(xdoc, "//r:contact/*"), 1);
	assert_int_equal(xpath_count(xdoc, "//r:contact/r:display-name"), 0);
	assert_non_null(strstr(body,
			"<contact id=\"c1\" state=\"active\" event=\"registered\">"
			"<uri>sip:gina@192.0.2.4</uri></contact>"));
	release(xdoc, body);
}

/* an implicit set: the same UE contact under several identities, with a
 * distinct contact id each time (ids are unique per document) */
static void test_multiple_registrations(void **state)
{
	static const char *aors[] = {"sip:h@example.com", "tel:+15551230001",
			"sip:h.work@example.com"};
	static const char *rids[] = {"r0", "r1", "r2"};
	static const char *cids[3][3] = {{"c00", "c01", "c02"},
			{"c10", "c11", "c12"}, {"c20", "c21", "c22"}};
	static const char *uris[] = {
			"sip:h@192.0.2.1:5060", "sip:h@192.0.2.2;transport=tcp",
			"sips:h@192.0.2.3"};
	reginfo_contact_t cts[3][3];
	reginfo_registration_t regs[3];
	reginfo_doc_t d;
	xmlDocPtr xdoc;
	char expr[128];
	char *body;
	int i, j;

	(void)state;
	for(i = 0; i < 3; i++) {
		for(j = 0; j < 3; j++) {
			cts[i][j] = active_contact(cids[i][j], uris[j]);
			cts[i][j].expires = 600 * (j + 1);
		}
		regs[i] = registration(aors[i], rids[i], REGINFO_REG_ACTIVE, cts[i], 3);
	}
	d = document(77, REGINFO_FULL, regs, 3);
	xdoc = build_valid(&d, &body);
	assert_int_equal(xpath_count(xdoc, "/r:reginfo/r:registration"), 3);
	assert_int_equal(xpath_count(xdoc, "//r:contact"), 9);
	for(i = 0; i < 3; i++) {
		snprintf(expr, sizeof(expr), "/r:reginfo/r:registration[%d]/@aor",
				i + 1);
		assert_xpath_str(xdoc, expr, aors[i]);
		for(j = 0; j < 3; j++) {
			snprintf(expr, sizeof(expr),
					"/r:reginfo/r:registration[%d]/r:contact[%d]/@id", i + 1,
					j + 1);
			assert_xpath_str(xdoc, expr, cids[i][j]);
		}
	}
	release(xdoc, body);
}

static void test_versions(void **state)
{
	static const unsigned long versions[] = {
			0, 1, 4294967295UL, 4294967296UL, ULONG_MAX};
	reginfo_doc_t d;
	xmlDocPtr xdoc;
	char *body;
	char expected[32];
	unsigned long v;
	size_t i;

	(void)state;
	for(i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		d = document(versions[i], REGINFO_FULL, NULL, 0);
		xdoc = build_valid(&d, &body);
		snprintf(expected, sizeof(expected), "%lu", versions[i]);
		assert_xpath_str(xdoc, "/r:reginfo/@version", expected);
		assert_int_equal(
				reginfo_parse_version(body, strlen(body), &v), REGINFO_OK);
		assert_true(v == versions[i]);
		release(xdoc, body);
	}
}

static void test_zero_registrations(void **state)
{
	reginfo_doc_t d = document(3, REGINFO_FULL, NULL, 0);
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	xdoc = build_valid(&d, &body);
	assert_string_equal(
			body, BODY_HEAD " version=\"3\" state=\"full\"/>\n");
	assert_int_equal(xpath_count(xdoc, "/r:reginfo/node()"), 0);
	release(xdoc, body);
}

/*
 * Hostile strings, as they could arrive in a REGISTER: markup characters,
 * a CDATA terminator, line breaks, non-ASCII UTF-8, things that look like
 * entity references. Each goes into every string slot; the body must be
 * well-formed and give back the exact bytes. uri_ok: libxml2's anyURI
 * check accepts it in <uri> (it rejects '[' ']' and bad escapes); the
 * other slots are xs:string and must always validate.
 */
static const struct {
	const char *s;
	int uri_ok;
} hostile[] = {
		{"sip:<evil>@example.com", 1},
		{"sip:a&b@example.com;x=&amp;&lt;&#65;", 1},
		{"sip:\"quoted\"@example.com", 1},
		{"sip:'single'@example.com", 1},
		{"sip:</uri></contact><contact id=\"x\">@example.com", 1},
		{"sip:x@example.com]]>", 0},
		{"<![CDATA[sip:x]]>", 0},
		{"sip:line\nbreak@example.com\r\n", 1},
		{"sip:tab\there@example.com", 1},
		{"sip:caf\xc3\xa9@example.com", 1},
		{"sip:\xe2\x98\x83\xf0\x9f\x98\x80@example.com", 1},
		{" sip:padded@example.com ", 1},
		{"&lt;&gt;&quot;&apos;&#0;&#xD800;&unknown;", 0}, /* two '#' */
		{"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"x\">]>&e;", 0},
};

static void assert_round_trip(xmlDocPtr xdoc, const char *s)
{
	assert_xpath_str(xdoc, "//r:contact/r:uri", s);
	assert_xpath_str(xdoc, "//r:contact/r:display-name", s);
	assert_xpath_str(xdoc, "//r:contact/@callid", s);
	assert_xpath_str(xdoc, "//r:contact/@id", s);
	assert_xpath_str(xdoc, "//r:registration/@id", s);
}

static void test_hostile_strings(void **state)
{
	reginfo_contact_t c;
	reginfo_registration_t r;
	reginfo_doc_t d;
	xmlDocPtr xdoc;
	char *body;
	size_t len, i, k;

	(void)state;
	for(i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		c = active_contact(hostile[i].s, hostile[i].s);
		c.display_name = hostile[i].s;
		c.callid = hostile[i].s;
		r = registration(
				"sip:ivan@example.com", hostile[i].s, REGINFO_REG_ACTIVE, &c, 1);
		d = document(i, REGINFO_FULL, &r, 1);
		assert_int_equal(reginfo_build(&d, &test_mem, &body, &len), REGINFO_OK);
		/* one root element, nothing smuggled in */
		xdoc = parse_body(body, len);
		assert_int_equal(xpath_count(xdoc, "//r:contact"), 1);
		assert_int_equal(xpath_count(xdoc, "//r:contact/*"), 2);
		assert_int_equal(xpath_count(xdoc, "//processing-instruction()"), 0);
		assert_null(xdoc->intSubset);
		assert_round_trip(xdoc, hostile[i].s);
		if(hostile[i].uri_ok)
			assert_valid(xdoc, body);
		/* the body is pure ASCII: non-ASCII became character references */
		for(k = 0; k < len; k++)
			assert_true((unsigned char)body[k] < 0x80);
		release(xdoc, body);

		/* in the schema's xs:string slots alone it always validates */
		c.uri = "sip:ivan@192.0.2.77";
		xdoc = build_valid(&d, &body);
		assert_xpath_str(xdoc, "//r:contact/r:display-name", hostile[i].s);
		assert_xpath_str(xdoc, "//r:contact/@callid", hostile[i].s);
		release(xdoc, body);
	}
	/* the CLI check, by hand: keep one hostile body for xmllint */
	c = active_contact("c1", hostile[4].s);
	c.display_name = "Ren\xc3\xa9 <\"'&]]>\n";
	r = registration("sip:ivan@example.com", "r1", REGINFO_REG_ACTIVE, &c, 1);
	d = document(1, REGINFO_FULL, &r, 1);
	assert_int_equal(reginfo_build(&d, &test_mem, &body, &len), REGINFO_OK);
	if(getenv("REGINFO_DUMP") != NULL) {
		FILE *f = fopen(getenv("REGINFO_DUMP"), "w");
		if(f != NULL) {
			fwrite(body, 1, len, f);
			fclose(f);
		}
	}
	test_free(body);
}

/* DESIGN: libxml2 rejects IPv6 brackets in <uri> (anyURI), yet they are
 * valid SIP URIs: building never depends on validation */
static void test_ipv6_uri_not_schema_dependent(void **state)
{
	reginfo_contact_t c = active_contact("c1", "sip:[::1]:5060");
	reginfo_registration_t r = registration(
			"sip:judy@example.com", "r1", REGINFO_REG_ACTIVE, &c, 1);
	reginfo_doc_t d = document(1, REGINFO_FULL, &r, 1);
	xmlDocPtr xdoc;
	char *body;
	size_t len;

	(void)state;
	assert_int_equal(reginfo_build(&d, &test_mem, &body, &len), REGINFO_OK);
	assert_int_equal(tms.nlog, 0);
	xdoc = parse_body(body, len);
	assert_xpath_str(xdoc, "//r:contact/r:uri", "sip:[::1]:5060");
	assert_non_null(strstr(body, "<uri>sip:[::1]:5060</uri>"));
	/* record what this libxml2 says, without depending on it */
	if(schema_validate(xdoc) != 0)
		print_message("# libxml2 %s rejects the IPv6 <uri> (%s); body built"
					  " anyway\n",
				LIBXML_DOTTED_VERSION, valid_err);
	release(xdoc, body);
}

/* ---- tests: refused input ---- */

static void test_invalid_null_fields(void **state)
{
	reginfo_contact_t c = active_contact("c1", "sip:k@192.0.2.1");
	reginfo_registration_t r = registration(
			"sip:k@example.com", "r1", REGINFO_REG_ACTIVE, &c, 1);
	reginfo_doc_t d = document(1, REGINFO_FULL, &r, 1);
	char *body;
	size_t len;

	(void)state;
	r.aor = NULL;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	r.aor = "";
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	r.aor = "sip:k@example.com";

	r.id = NULL;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	r.id = "r1";

	c.uri = NULL;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	c.uri = "";
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	c.uri = "sip:k@192.0.2.1";

	c.id = NULL;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	c.id = "c1";

	/* counts without arrays */
	r.contacts = NULL;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	r.contacts = &c;
	d.regs = NULL;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	d.regs = &r;

	/* bad arguments */
	assert_int_equal(reginfo_build(NULL, &test_mem, &body, &len),
			REGINFO_ERR_INVAL);
	assert_null(body);
	assert_int_equal(reginfo_build(&d, &test_mem, NULL, &len),
			REGINFO_ERR_INVAL);
	assert_int_equal(reginfo_build(&d, &test_mem, &body, NULL),
			REGINFO_ERR_INVAL);
	assert_null(body);
	assert_int_equal(tms.nalloc, 0);

	/* and the fixed input builds */
	assert_int_equal(reginfo_build(&d, &test_mem, &body, &len), REGINFO_OK);
	test_free(body);
}

static void test_invalid_duplicate_ids(void **state)
{
	reginfo_contact_t c1[2], c2[2];
	reginfo_registration_t regs[2];
	reginfo_doc_t d;

	(void)state;
	c1[0] = active_contact("c1", "sip:l@192.0.2.1");
	c1[1] = active_contact("SECRET-dup", "sip:l@192.0.2.2");
	c2[0] = active_contact("c3", "sip:l@192.0.2.1");
	c2[1] = active_contact("c4", "sip:l@192.0.2.2");
	regs[0] = registration("sip:l@example.com", "r1", REGINFO_REG_ACTIVE, c1, 2);
	regs[1] = registration("tel:+15551230002", "r2", REGINFO_REG_ACTIVE, c2, 2);
	d = document(1, REGINFO_FULL, regs, 2);

	/* within one registration */
	c1[0].id = "SECRET-dup";
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	/* the id (network data) is not echoed into the log */
	assert_null(strstr(tms.last_log, "SECRET"));
	assert_non_null(strstr(tms.last_log, "duplicate contact id"));
	c1[0].id = "c1";

	/* across registrations: same UE contact, same id under two AoRs */
	c2[1].id = "c1";
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	c2[1].id = "c4";

	/* registration ids */
	regs[1].id = "r1";
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	assert_non_null(strstr(tms.last_log, "duplicate registration id"));
	regs[1].id = "r2";

	/* a contact id equal to a registration id is fine */
	c2[1].id = "r2";
	tms.nlog = 0;
	{
		xmlDocPtr xdoc;
		char *body;

		xdoc = build_valid(&d, &body);
		release(xdoc, body);
	}
}

static void test_invalid_values(void **state)
{
	static const char *bad_text[] = {
			"sip:ctl\x01@example.com",		  /* control character */
			"sip:esc\x1b[0m@example.com",	  /* terminal escape */
			"sip:bad\xc3@example.com",		  /* truncated sequence */
			"sip:bad\xc0\xaf@example.com",	  /* overlong "/" */
			"sip:bad\x80@example.com",		  /* lone continuation */
			"sip:bad\xed\xa0\x80@example.com", /* surrogate U+D800 */
			"sip:bad\xef\xbf\xbe@example.com", /* U+FFFE, no XML Char */
			"sip:bad\xf4\x90\x80\x80@example.com", /* above U+10FFFF */
			"sip:bad\xff@example.com",
	};
	static const char *bad_q[] = {
			"", "2", "0.5000", "1.5", "1.001", ".5", "0,5", "-0", "0.5 ", "a"};
	static const char *good_q[] = {"0", "1", "0.", "0.1", "0.12", "0.123",
			"1.", "1.0", "1.00", "1.000"};
	reginfo_contact_t c = active_contact("c1", "sip:m@192.0.2.1");
	reginfo_registration_t r = registration(
			"sip:m@example.com", "r1", REGINFO_REG_ACTIVE, &c, 1);
	reginfo_doc_t d = document(1, REGINFO_FULL, &r, 1);
	char *longstr, *body;
	size_t i, len;

	(void)state;
	for(i = 0; i < sizeof(bad_text) / sizeof(bad_text[0]); i++) {
		c.uri = bad_text[i];
		assert_build_fails(&d, REGINFO_ERR_INVAL);
		c.uri = "sip:m@192.0.2.1";
		c.display_name = bad_text[i];
		assert_build_fails(&d, REGINFO_ERR_INVAL);
		c.display_name = NULL;
		c.callid = bad_text[i];
		assert_build_fails(&d, REGINFO_ERR_INVAL);
		c.callid = NULL;
		r.aor = bad_text[i];
		assert_build_fails(&d, REGINFO_ERR_INVAL);
		r.aor = "sip:m@example.com";
	}
	for(i = 0; i < sizeof(bad_q) / sizeof(bad_q[0]); i++) {
		c.q = bad_q[i];
		assert_build_fails(&d, REGINFO_ERR_INVAL);
	}
	for(i = 0; i < sizeof(good_q) / sizeof(good_q[0]); i++) {
		c.q = good_q[i];
		assert_int_equal(reginfo_build(&d, &test_mem, &body, &len), REGINFO_OK);
		test_free(body);
	}
	c.q = NULL;

	/* enum values out of range */
	d.state = (reginfo_doc_state_t)2;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	d.state = REGINFO_FULL;
	r.state = (reginfo_reg_state_t)3;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	r.state = REGINFO_REG_ACTIVE;
	c.event = (reginfo_ct_event_t)9;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	c.event = (reginfo_ct_event_t)-1;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	c.event = REGINFO_EV_REGISTERED;

	/* event and state must agree (RFC 3680 5.2) */
	c.event = REGINFO_EV_EXPIRED;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	c.state = REGINFO_CT_TERMINATED;
	c.event = REGINFO_EV_SHORTENED;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	c.state = REGINFO_CT_ACTIVE;
	c.event = REGINFO_EV_REGISTERED;

	/* init and terminated registrations have no active contact */
	r.state = REGINFO_REG_TERMINATED;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	r.state = REGINFO_REG_INIT;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	r.state = REGINFO_REG_ACTIVE;

	/* string length limit, exactly at and one past */
	longstr = test_malloc(REGINFO_MAX_STR + 2);
	memset(longstr, 'a', REGINFO_MAX_STR + 1);
	longstr[REGINFO_MAX_STR + 1] = '\0';
	c.display_name = longstr;
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	/* a 2-byte character straddling the limit */
	longstr[REGINFO_MAX_STR - 1] = '\xc3';
	longstr[REGINFO_MAX_STR] = '\xa9';
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	longstr[REGINFO_MAX_STR - 1] = 'a';
	longstr[REGINFO_MAX_STR] = '\0';
	assert_int_equal(reginfo_build(&d, &test_mem, &body, &len), REGINFO_OK);
	test_free(body);
	c.display_name = NULL;
	test_free(longstr);
}

static void test_limits(void **state)
{
	reginfo_contact_t *cts;
	reginfo_registration_t regs[2];
	reginfo_registration_t one;
	reginfo_doc_t d;
	char (*ids)[8];
	xmlDocPtr xdoc;
	char *body;
	size_t i;

	(void)state;
	/* too many registrations: refused before any is looked at */
	one = registration("sip:n@example.com", "r", REGINFO_REG_INIT, NULL, 0);
	d = document(1, REGINFO_FULL, &one, REGINFO_MAX_REGS + 1);
	assert_build_fails(&d, REGINFO_ERR_INVAL);

	cts = test_calloc(REGINFO_MAX_CONTACTS + 1, sizeof(*cts));
	ids = test_calloc(REGINFO_MAX_CONTACTS + 1, sizeof(*ids));
	for(i = 0; i <= REGINFO_MAX_CONTACTS; i++) {
		snprintf(ids[i], sizeof(ids[i]), "c%zu", i);
		cts[i] = active_contact(ids[i], "sip:n@192.0.2.1");
	}
	/* one past the limit, in one registration and split over two */
	regs[0] = registration("sip:n@example.com", "r0", REGINFO_REG_ACTIVE, cts,
			REGINFO_MAX_CONTACTS + 1);
	d = document(1, REGINFO_FULL, regs, 1);
	assert_build_fails(&d, REGINFO_ERR_INVAL);
	regs[0].ncontacts = REGINFO_MAX_CONTACTS / 2;
	regs[1] = registration("sip:n2@example.com", "r1", REGINFO_REG_ACTIVE,
			cts + REGINFO_MAX_CONTACTS / 2, REGINFO_MAX_CONTACTS / 2 + 1);
	d = document(1, REGINFO_FULL, regs, 2);
	assert_build_fails(&d, REGINFO_ERR_INVAL);

	/* exactly at the limit it builds and validates, duplicates still
	 * found at that size */
	regs[1].ncontacts = REGINFO_MAX_CONTACTS / 2;
	tms.nlog = 0;
	xdoc = build_valid(&d, &body);
	assert_int_equal(xpath_count(xdoc, "//r:contact"), REGINFO_MAX_CONTACTS);
	release(xdoc, body);
	cts[REGINFO_MAX_CONTACTS - 1].id = ids[0];
	assert_build_fails(&d, REGINFO_ERR_INVAL);

	test_free(ids);
	test_free(cts);
}

/* every allocation through mem fails once, in turn: error, no leak */
static void test_alloc_failure(void **state)
{
	reginfo_contact_t c[2];
	reginfo_registration_t r;
	reginfo_doc_t d;
	char *body;
	size_t len;
	int n, i;

	(void)state;
	c[0] = active_contact("c1", "sip:o@192.0.2.1");
	c[1] = active_contact("c2", "sip:o@192.0.2.2");
	r = registration("sip:o@example.com", "r1", REGINFO_REG_ACTIVE, c, 2);
	d = document(1, REGINFO_FULL, &r, 1);

	/* count the allocations of a successful build */
	assert_int_equal(reginfo_build(&d, &test_mem, &body, &len), REGINFO_OK);
	test_free(body);
	n = tms.nalloc;
	assert_true(n >= 2); /* id check and body */

	for(i = 1; i <= n; i++) {
		memset(&tms, 0, sizeof(tms));
		tms.fail_at = i;
		assert_build_fails(&d, REGINFO_ERR_NOMEM);
		assert_non_null(strstr(tms.last_log, "out of memory"));
	}
	memset(&tms, 0, sizeof(tms));
	tms.fail_at = n + 1;
	assert_int_equal(reginfo_build(&d, &test_mem, &body, &len), REGINFO_OK);
	test_free(body);
}

/* ---- tests: parse_version, names, allocator ---- */

static void test_parse_version(void **state)
{
	static const char *garbage[] = {
			"",
			"not xml at all",
			"<reginfo",
			"<reginfo version=\"1\" state=\"full\"/>", /* no namespace */
			"<x xmlns=\"" REGINFO_NS "\" version=\"1\"/>",
			"<reginfo xmlns=\"urn:other\" version=\"1\" state=\"full\"/>",
			"<reginfo xmlns=\"" REGINFO_NS "\" state=\"full\"/>",
			"<reginfo xmlns=\"" REGINFO_NS "\" version=\"\"/>",
			"<reginfo xmlns=\"" REGINFO_NS "\" version=\"-1\"/>",
			"<reginfo xmlns=\"" REGINFO_NS "\" version=\"+1\"/>",
			"<reginfo xmlns=\"" REGINFO_NS "\" version=\" 1\"/>",
			"<reginfo xmlns=\"" REGINFO_NS "\" version=\"1x\"/>",
			"<reginfo xmlns=\"" REGINFO_NS "\" version=\"0x10\"/>",
			"<reginfo xmlns=\"" REGINFO_NS
			"\" version=\"99999999999999999999999\"/>",
			/* entities are never expanded, a DTD is refused */
			"<!DOCTYPE reginfo [<!ENTITY v \"5\">]>"
			"<reginfo xmlns=\"" REGINFO_NS "\" version=\"&v;\"/>",
			"<!DOCTYPE reginfo SYSTEM \"http://192.0.2.1/x.dtd\">"
			"<reginfo xmlns=\"" REGINFO_NS "\" version=\"1\"/>",
			"<!DOCTYPE reginfo [<!ENTITY v SYSTEM \"file:///etc/hostname\">]>"
			"<reginfo xmlns=\"" REGINFO_NS "\" version=\"&v;\"/>",
			"<reginfo xmlns=\"" REGINFO_NS "\" version=\"1\"/><second/>",
	};
	static const char ok[] = "<reginfo xmlns=\"" REGINFO_NS
							 "\" version=\"42\" state=\"partial\"/>";
	reginfo_doc_t d;
	unsigned long v;
	char *body;
	size_t len, i;

	(void)state;
	/* round trip */
	d = document(123456789UL, REGINFO_PARTIAL, NULL, 0);
	assert_int_equal(reginfo_build(&d, &test_mem, &body, &len), REGINFO_OK);
	v = 0;
	assert_int_equal(reginfo_parse_version(body, len, &v), REGINFO_OK);
	assert_true(v == 123456789UL);
	/* a body cut short is not a document */
	assert_int_equal(
			reginfo_parse_version(body, len / 2, &v), REGINFO_ERR_XML);
	test_free(body);

	assert_int_equal(reginfo_parse_version(ok, strlen(ok), &v), REGINFO_OK);
	assert_true(v == 42);
	/* the length is honoured: no NUL needed after the body */
	assert_int_equal(reginfo_parse_version("<reginfo xmlns=\"" REGINFO_NS
										   "\" version=\"7\"/>garbage",
								 strlen("<reginfo xmlns=\"" REGINFO_NS
										"\" version=\"7\"/>"),
								 &v),
			REGINFO_OK);
	assert_true(v == 7);

	for(i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		v = 999;
		if(reginfo_parse_version(garbage[i], strlen(garbage[i]), &v)
				!= REGINFO_ERR_XML)
			fail_msg("accepted: %s", garbage[i]);
		assert_true(v == 999);
	}
	assert_int_equal(
			reginfo_parse_version(NULL, 10, &v), REGINFO_ERR_INVAL);
	assert_int_equal(
			reginfo_parse_version(ok, strlen(ok), NULL), REGINFO_ERR_INVAL);
	assert_int_equal(reginfo_parse_version(ok, (size_t)INT_MAX + 1, &v),
			REGINFO_ERR_XML);
}

static void test_names(void **state)
{
	static const char *events[] = {"registered", "created", "refreshed",
			"shortened", "expired", "deactivated", "probation",
			"unregistered", "rejected"};
	reginfo_ct_event_t ev;
	reginfo_reg_state_t rs;
	reginfo_ct_state_t cs;
	int i;

	(void)state;
	for(i = 0; i < 9; i++) {
		assert_string_equal(
				reginfo_event_name((reginfo_ct_event_t)i), events[i]);
		assert_int_equal(reginfo_event_from_name(events[i], &ev), 0);
		assert_int_equal(ev, i);
		assert_int_equal(reginfo_event_ct_state((reginfo_ct_event_t)i),
				i < 4 ? REGINFO_CT_ACTIVE : REGINFO_CT_TERMINATED);
	}
	assert_null(reginfo_event_name((reginfo_ct_event_t)9));
	assert_null(reginfo_event_name((reginfo_ct_event_t)-1));
	assert_int_equal(reginfo_event_from_name("Registered", &ev), -1);
	assert_int_equal(reginfo_event_from_name("", &ev), -1);
	assert_int_equal(reginfo_event_from_name(NULL, &ev), -1);
	assert_int_equal(reginfo_event_from_name("expired", NULL), -1);

	assert_string_equal(reginfo_doc_state_name(REGINFO_FULL), "full");
	assert_string_equal(reginfo_doc_state_name(REGINFO_PARTIAL), "partial");
	assert_null(reginfo_doc_state_name((reginfo_doc_state_t)2));

	assert_string_equal(reginfo_reg_state_name(REGINFO_REG_INIT), "init");
	assert_string_equal(reginfo_reg_state_name(REGINFO_REG_ACTIVE), "active");
	assert_string_equal(
			reginfo_reg_state_name(REGINFO_REG_TERMINATED), "terminated");
	assert_null(reginfo_reg_state_name((reginfo_reg_state_t)3));
	assert_int_equal(reginfo_reg_state_from_name("terminated", &rs), 0);
	assert_int_equal(rs, REGINFO_REG_TERMINATED);
	assert_int_equal(reginfo_reg_state_from_name("full", &rs), -1);

	assert_string_equal(reginfo_ct_state_name(REGINFO_CT_ACTIVE), "active");
	assert_string_equal(
			reginfo_ct_state_name(REGINFO_CT_TERMINATED), "terminated");
	assert_null(reginfo_ct_state_name((reginfo_ct_state_t)2));
	assert_int_equal(reginfo_ct_state_from_name("active", &cs), 0);
	assert_int_equal(cs, REGINFO_CT_ACTIVE);
	assert_int_equal(reginfo_ct_state_from_name("init", &cs), -1);
}

static void test_default_mem(void **state)
{
	reginfo_contact_t c = active_contact("c1", "sip:p@192.0.2.1");
	reginfo_registration_t r = registration(
			"sip:p@example.com", "r1", REGINFO_REG_ACTIVE, &c, 1);
	reginfo_doc_t d = document(1, REGINFO_FULL, &r, 1);
	char *body;
	size_t len;
	void *p;

	(void)state;
	/* NULL mem means core_mem_libc: plain malloc, freed with free */
	assert_int_equal(reginfo_build(&d, NULL, &body, &len), REGINFO_OK);
	assert_int_equal(strlen(body), len);
	core_mem_libc.free(body, core_mem_libc.user_data);
	/* errors without a log callback are silent, not a crash */
	r.aor = NULL;
	assert_int_equal(reginfo_build(&d, &core_mem_libc, &body, &len),
			REGINFO_ERR_INVAL);
	assert_null(body);

	p = core_alloc(&core_mem_libc, 16);
	assert_non_null(p);
	core_free(&core_mem_libc, p);
	core_free(&core_mem_libc, NULL);
}

static void test_core_log(void **state)
{
	char big[CORE_LOG_BUF_SIZE * 2];

	(void)state;
	core_log(&test_mem, CORE_LOG_WARN, "n=%d s=%s", 7, "x");
	assert_int_equal(tms.nlog, 1);
	assert_int_equal(tms.last_level, CORE_LOG_WARN);
	assert_string_equal(tms.last_log, "n=7 s=x");

	/* longer than the buffer: truncated, still terminated */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	core_log(&test_mem, CORE_LOG_DBG, "%s", big);
	assert_int_equal(tms.nlog, 2);
	assert_int_equal(strlen(tms.last_log), CORE_LOG_BUF_SIZE - 1);

	/* no log callback, or no table: nothing happens */
	core_log(&core_mem_libc, CORE_LOG_ERR, "dropped %d", 1);
	core_log(NULL, CORE_LOG_ERR, "dropped %d", 2);
	assert_int_equal(tms.nlog, 2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
			T(test_full_one_contact),
			T(test_partial),
			T(test_every_event),
			T(test_registration_states),
			T(test_terminated_contacts),
			T(test_optional_present),
			T(test_optional_absent),
			T(test_multiple_registrations),
			T(test_versions),
			T(test_zero_registrations),
			T(test_hostile_strings),
			T(test_ipv6_uri_not_schema_dependent),
			T(test_invalid_null_fields),
			T(test_invalid_duplicate_ids),
			T(test_invalid_values),
			T(test_limits),
			T(test_alloc_failure),
			T(test_parse_version),
			T(test_names),
			T(test_params_and_gruu),
			T(test_default_mem),
			T(test_core_log),
	};

	return cmocka_run_group_tests_name(
			"reginfo", tests, group_setup, group_teardown);
}
