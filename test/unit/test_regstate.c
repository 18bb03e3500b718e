/*
 * reauth module - unit tests of core/regstate (usrloc snapshot to reginfo)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every body built here is parsed back (no network) and validated against
 * the RFC 3680 schema offline (test_helpers.c). Memory goes through
 * cmocka's test_malloc/test_free, so a leak fails the test, and each
 * allocation is made to fail in turn.
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

#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "../../modules/reauth/pure/core_mem.h"
#include "../../modules/reauth/pure/reginfo.h"
#include "../../modules/reauth/pure/regstate.h"
#include "test_helpers.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define NOW 1700000000L
#define ID_MAX 64

/* ---- helpers ---- */

/* a registered contact with every optional part omitted */
static regstate_contact_t contact(const char *uri, long expires_at)
{
	regstate_contact_t c;

	memset(&c, 0, sizeof(c));
	c.uri = uri;
	c.callid = NULL;
	c.cseq = -1;
	c.expires_at = expires_at;
	c.q = NULL;
	c.event = REGINFO_EV_REGISTERED;
	return c;
}

static regstate_identity_t identity(
		const char *uri, const regstate_contact_t *cts, size_t n)
{
	regstate_identity_t id;

	/* whatever else the struct holds stays unset (NULL) */
	memset(&id, 0, sizeof(id));
	id.uri = uri;
	id.contacts = cts;
	id.ncontacts = n;
	return id;
}

/* build, check the framing, parse and validate; the caller frees both */
static xmlDocPtr build_valid(const regstate_identity_t *ids, size_t nids,
		unsigned long version, long now, char **body)
{
	size_t len = 0;
	xmlDocPtr xdoc;

	*body = NULL;
	assert_int_equal(
			regstate_build_body(ids, nids, version, now, &test_mem, body, &len),
			REGINFO_OK);
	assert_non_null(*body);
	assert_int_equal(strlen(*body), len);
	assert_memory_equal(*body, BODY_HEAD, strlen(BODY_HEAD));
	xdoc = parse_body(*body, len);
	assert_valid(xdoc, *body);
	assert_int_equal(tms.nlog, 0);
	/* always a full-state document */
	assert_xpath_str(xdoc, "/r:reginfo/@state", "full");
	return xdoc;
}

/* build must fail with code, leave *body NULL and *len 0, leave nothing
 * allocated (cmocka checks at the end of the test), and log */
static void assert_build_fails(
		const regstate_identity_t *ids, size_t nids, int code, int expect_alloc)
{
	char *body = (char *)"sentinel";
	size_t len = 42;

	tms.nlog = 0;
	tms.nalloc = 0;
	assert_int_equal(
			regstate_build_body(ids, nids, 1, NOW, &test_mem, &body, &len),
			code);
	assert_null(body);
	assert_int_equal(len, 0);
	assert_true(tms.nlog > 0);
	assert_int_equal(tms.last_level, CORE_LOG_ERR);
	if(!expect_alloc)
		assert_int_equal(tms.nalloc, 0);
}

/* "r" or "c" followed by 8 lowercase hex digits, then an optional
 * "-<digits>" de-duplication suffix */
static void assert_id_shape(const char *id, char prefix)
{
	size_t i;

	assert_int_equal(id[0], prefix);
	for(i = 1; i <= 8; i++)
		if(!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			fail_msg("id %s: not 8 hex digits after %c", id, prefix);
	if(id[9] == '\0')
		return;
	assert_int_equal(id[9], '-');
	assert_true(id[10] != '\0');
	for(i = 10; id[i]; i++)
		assert_true(id[i] >= '0' && id[i] <= '9');
}

static void reg_attr(xmlDocPtr xdoc, int reg, const char *attr, char *buf)
{
	char expr[128];

	snprintf(
			expr, sizeof(expr), "/r:reginfo/r:registration[%d]/@%s", reg, attr);
	xpath_str(xdoc, expr, buf, ID_MAX);
}

static void ct_attr(
		xmlDocPtr xdoc, int reg, int ct, const char *attr, char *buf)
{
	char expr[128];

	snprintf(expr, sizeof(expr),
			"/r:reginfo/r:registration[%d]/r:contact[%d]/@%s", reg, ct, attr);
	xpath_str(xdoc, expr, buf, ID_MAX);
}

/* every id in the document (registrations and contacts alike) is unique
 * among its kind; returns the number of contacts */
static int assert_unique_ids(xmlDocPtr xdoc)
{
	xmlXPathObjectPtr obj;
	xmlNodeSetPtr ns;
	xmlChar *a, *b;
	int i, j, n;

	obj = xpath(xdoc, "//r:contact/@id");
	assert_int_equal(obj->type, XPATH_NODESET);
	ns = obj->nodesetval;
	n = ns ? ns->nodeNr : 0;
	for(i = 0; i < n; i++) {
		a = xmlNodeGetContent(ns->nodeTab[i]);
		assert_id_shape((const char *)a, 'c');
		for(j = i + 1; j < n; j++) {
			b = xmlNodeGetContent(ns->nodeTab[j]);
			if(xmlStrEqual(a, b)) {
				xmlFree(b);
				fail_msg("contact id %s twice", (const char *)a);
			}
			xmlFree(b);
		}
		xmlFree(a);
	}
	xmlXPathFreeObject(obj);
	return n;
}

/* ---- tests: documents ---- */

static void test_one_contact(void **state)
{
	regstate_contact_t c = contact("sip:alice@192.0.2.10:5060", NOW + 3600);
	regstate_identity_t id = identity("sip:alice@example.com", &c, 1);
	char rid[ID_MAX], cid[ID_MAX], expected[ID_MAX];
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	xdoc = build_valid(&id, 1, 5, NOW, &body);
	assert_xpath_str(xdoc, "/r:reginfo/@version", "5");
	assert_int_equal(xpath_count(xdoc, "/r:reginfo/r:registration"), 1);
	assert_xpath_str(xdoc, "//r:registration/@aor", "sip:alice@example.com");
	assert_xpath_str(xdoc, "//r:registration/@state", "active");
	assert_int_equal(xpath_count(xdoc, "//r:contact"), 1);
	assert_xpath_str(xdoc, "//r:contact/@state", "active");
	assert_xpath_str(xdoc, "//r:contact/@event", "registered");
	assert_xpath_str(xdoc, "//r:contact/@expires", "3600");
	assert_xpath_str(xdoc, "//r:contact/r:uri", "sip:alice@192.0.2.10:5060");
	/* id, state, event, expires: nothing else was given */
	assert_int_equal(xpath_count(xdoc, "//r:contact/@*"), 4);
	assert_int_equal(xpath_count(xdoc, "//r:contact/*"), 1);

	/* the registration id derives from the identity alone */
	reg_attr(xdoc, 1, "id", rid);
	assert_id_shape(rid, 'r');
	snprintf(expected, sizeof(expected), "r%08x",
			regstate_hash("sip:alice@example.com", 0));
	assert_string_equal(rid, expected);
	ct_attr(xdoc, 1, 1, "id", cid);
	assert_id_shape(cid, 'c');
	assert_int_equal(strlen(cid), 9);
	release(xdoc, body);

	/* expires counts down with now */
	xdoc = build_valid(&id, 1, 6, NOW + 3599, &body);
	assert_xpath_str(xdoc, "//r:contact/@expires", "1");
	release(xdoc, body);
}

/* usrloc's expires 0: a permanent contact, no expires attribute */
static void test_permanent_contact(void **state)
{
	regstate_contact_t c = contact("sip:bob@192.0.2.11", 0);
	regstate_identity_t id = identity("sip:bob@example.com", &c, 1);
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	xdoc = build_valid(&id, 1, 1, NOW, &body);
	assert_int_equal(xpath_count(xdoc, "//r:contact/@expires"), 0);
	assert_xpath_str(xdoc, "//r:contact/@state", "active");
	assert_xpath_str(xdoc, "//r:registration/@state", "active");
	release(xdoc, body);
}

/* an active contact whose time ran out before the snapshot: expires 0,
 * never negative (the schema's expires is unsigned) */
static void test_expired_in_the_past(void **state)
{
	static const long at[] = {NOW - 10, NOW - 1, NOW, 1};
	regstate_contact_t c;
	regstate_identity_t id;
	xmlDocPtr xdoc;
	char *body;
	size_t i;

	(void)state;
	for(i = 0; i < N_ELEMS(at); i++) {
		c = contact("sip:carol@192.0.2.12", at[i]);
		id = identity("sip:carol@example.com", &c, 1);
		xdoc = build_valid(&id, 1, i, NOW, &body);
		assert_xpath_str(xdoc, "//r:contact/@expires", "0");
		assert_xpath_str(xdoc, "//r:contact/@state", "active");
		assert_xpath_str(xdoc, "//r:contact/@event", "registered");
		release(xdoc, body);
	}
	/* one second left */
	c = contact("sip:carol@192.0.2.12", NOW + 1);
	xdoc = build_valid(&id, 1, 9, NOW, &body);
	assert_xpath_str(xdoc, "//r:contact/@expires", "1");
	release(xdoc, body);
}

/* terminating events: state terminated and expires 0, even when the
 * snapshot still has time left or the contact was permanent */
static void test_terminated_events(void **state)
{
	static const reginfo_ct_event_t evs[] = {REGINFO_EV_EXPIRED,
			REGINFO_EV_UNREGISTERED, REGINFO_EV_DEACTIVATED,
			REGINFO_EV_PROBATION, REGINFO_EV_REJECTED};
	static const long at[] = {NOW + 3600, 0, NOW - 5};
	regstate_contact_t c;
	regstate_identity_t id;
	xmlDocPtr xdoc;
	char *body;
	size_t i, j;

	(void)state;
	for(i = 0; i < N_ELEMS(evs); i++) {
		for(j = 0; j < N_ELEMS(at); j++) {
			c = contact("sip:dave@192.0.2.13", at[j]);
			c.event = evs[i];
			id = identity("sip:dave@example.com", &c, 1);
			xdoc = build_valid(&id, 1, i, NOW, &body);
			assert_xpath_str(xdoc, "//r:contact/@state", "terminated");
			assert_xpath_str(
					xdoc, "//r:contact/@event", reginfo_event_name(evs[i]));
			assert_xpath_str(xdoc, "//r:contact/@expires", "0");
			assert_xpath_str(xdoc, "//r:registration/@state", "terminated");
			release(xdoc, body);
		}
	}
	/* the other active events keep the remaining time */
	c = contact("sip:dave@192.0.2.13", NOW + 60);
	c.event = REGINFO_EV_SHORTENED;
	id = identity("sip:dave@example.com", &c, 1);
	xdoc = build_valid(&id, 1, 1, NOW, &body);
	assert_xpath_str(xdoc, "//r:contact/@state", "active");
	assert_xpath_str(xdoc, "//r:contact/@event", "shortened");
	assert_xpath_str(xdoc, "//r:contact/@expires", "60");
	release(xdoc, body);
}

static void test_registration_states(void **state)
{
	regstate_contact_t mixed[2], gone[2];
	regstate_identity_t ids[3];
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	/* active: one active contact is enough, wherever it stands */
	mixed[0] = contact("sip:e@192.0.2.1", NOW + 100);
	mixed[0].event = REGINFO_EV_EXPIRED;
	mixed[1] = contact("sip:e@192.0.2.2", NOW + 100);
	mixed[1].event = REGINFO_EV_CREATED;
	/* terminated: all contacts terminated */
	gone[0] = contact("sip:e@192.0.2.3", NOW + 100);
	gone[0].event = REGINFO_EV_UNREGISTERED;
	gone[1] = contact("sip:e@192.0.2.4", NOW + 100);
	gone[1].event = REGINFO_EV_DEACTIVATED;
	ids[0] = identity("sip:e1@example.com", mixed, 2);
	ids[1] = identity("sip:e2@example.com", gone, 2);
	/* init: no contact at all */
	ids[2] = identity("tel:+15551230003", NULL, 0);

	xdoc = build_valid(ids, 3, 3, NOW, &body);
	assert_xpath_str(xdoc, "/r:reginfo/r:registration[1]/@state", "active");
	assert_xpath_str(xdoc, "/r:reginfo/r:registration[2]/@state", "terminated");
	assert_xpath_str(xdoc, "/r:reginfo/r:registration[3]/@state", "init");
	assert_xpath_str(
			xdoc, "/r:reginfo/r:registration[3]/@aor", "tel:+15551230003");
	assert_int_equal(xpath_count(xdoc, "/r:reginfo/r:registration[3]/*"), 0);
	assert_xpath_str(xdoc, "/r:reginfo/r:registration[1]/r:contact[1]/@state",
			"terminated");
	assert_xpath_str(
			xdoc, "/r:reginfo/r:registration[1]/r:contact[2]/@state", "active");
	assert_xpath_str(
			xdoc, "/r:reginfo/r:registration[1]/r:contact[2]/@expires", "100");
	assert_int_equal(assert_unique_ids(xdoc), 4);
	release(xdoc, body);

	/* alone, each one */
	xdoc = build_valid(&ids[2], 1, 4, NOW, &body);
	assert_xpath_str(xdoc, "//r:registration/@state", "init");
	release(xdoc, body);
	xdoc = build_valid(&ids[1], 1, 5, NOW, &body);
	assert_xpath_str(xdoc, "//r:registration/@state", "terminated");
	release(xdoc, body);
}

static void test_no_identities(void **state)
{
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	xdoc = build_valid(NULL, 0, 3, NOW, &body);
	assert_string_equal(body, BODY_HEAD " version=\"3\" state=\"full\"/>\n");
	release(xdoc, body);
}

/* an implicit registration set: the same UE contact under two identities
 * needs a distinct contact id under each (ids are unique per document) */
static void test_shared_contact(void **state)
{
	regstate_contact_t c[2];
	regstate_identity_t ids[2];
	char rid1[ID_MAX], rid2[ID_MAX], cid1[ID_MAX], cid2[ID_MAX];
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	c[0] = contact("sip:f@192.0.2.20:5060", NOW + 600);
	c[0].callid = "shared-callid@192.0.2.20";
	c[0].cseq = 3;
	c[1] = contact("sip:f@192.0.2.21:5060", NOW + 900);
	ids[0] = identity("sip:f@example.com", c, 2);
	ids[1] = identity("tel:+15551230004", c, 2);

	xdoc = build_valid(ids, 2, 1, NOW, &body);
	assert_int_equal(assert_unique_ids(xdoc), 4);
	reg_attr(xdoc, 1, "id", rid1);
	reg_attr(xdoc, 2, "id", rid2);
	assert_string_not_equal(rid1, rid2);
	ct_attr(xdoc, 1, 1, "id", cid1);
	ct_attr(xdoc, 2, 1, "id", cid2);
	assert_string_not_equal(cid1, cid2);
	/* no de-duplication suffix was needed */
	assert_int_equal(strlen(cid1), 9);
	assert_int_equal(strlen(cid2), 9);
	/* the rest is the same contact */
	assert_xpath_str(xdoc, "/r:reginfo/r:registration[2]/r:contact[1]/r:uri",
			"sip:f@192.0.2.20:5060");
	assert_xpath_str(xdoc, "/r:reginfo/r:registration[2]/r:contact[1]/@callid",
			"shared-callid@192.0.2.20");
	assert_xpath_str(
			xdoc, "/r:reginfo/r:registration[2]/r:contact[2]/@expires", "900");
	release(xdoc, body);
}

/* the same binding listed more than once for one identity (usrloc can
 * hold one per instance/reg-id): every copy still gets a unique id */
static void test_duplicate_contact(void **state)
{
	regstate_contact_t c[4];
	regstate_identity_t id;
	char cid[4][ID_MAX];
	xmlDocPtr xdoc;
	char *body;
	int i;

	(void)state;
	for(i = 0; i < 4; i++) {
		c[i] = contact("sip:g@192.0.2.30", NOW + 100 * (i + 1));
		c[i].callid = "same-callid";
	}
	/* and one with the same URI but another Call-ID: another binding */
	c[3].callid = "other-callid";
	id = identity("sip:g@example.com", c, 4);

	xdoc = build_valid(&id, 1, 1, NOW, &body);
	assert_int_equal(assert_unique_ids(xdoc), 4);
	for(i = 0; i < 4; i++)
		ct_attr(xdoc, 1, i + 1, "id", cid[i]);
	/* the first keeps the plain id, the copies get a suffix on it */
	assert_int_equal(strlen(cid[0]), 9);
	assert_memory_equal(cid[1], cid[0], 9);
	assert_memory_equal(cid[2], cid[0], 9);
	assert_true(cid[1][9] == '-');
	assert_true(cid[2][9] == '-');
	assert_int_equal(strlen(cid[3]), 9);
	assert_string_not_equal(cid[3], cid[0]);
	release(xdoc, body);

	/* the same, without Call-IDs at all */
	for(i = 0; i < 4; i++)
		c[i].callid = NULL;
	xdoc = build_valid(&id, 1, 2, NOW, &body);
	assert_int_equal(assert_unique_ids(xdoc), 4);
	release(xdoc, body);
}

/* ids do not depend on version or time: a watcher correlates contacts
 * from one NOTIFY to the next by id (RFC 3680 5.3) */
static void test_ids_stable(void **state)
{
	regstate_contact_t c[3];
	regstate_identity_t ids[2];
	char a[2][3][ID_MAX], b[ID_MAX], ra[2][ID_MAX];
	xmlDocPtr xdoc;
	char *body;
	int i, j;

	(void)state;
	c[0] = contact("sip:h@192.0.2.40", NOW + 3600);
	c[0].callid = "cid-1";
	c[1] = contact("sip:h@192.0.2.40", NOW + 3600);
	c[1].callid = "cid-1"; /* a duplicate: suffixed id */
	c[2] = contact("sip:h@192.0.2.41", 0);
	ids[0] = identity("sip:h@example.com", c, 3);
	ids[1] = identity("sip:h.work@example.com", c, 3);

	xdoc = build_valid(ids, 2, 1, NOW, &body);
	for(i = 0; i < 2; i++) {
		reg_attr(xdoc, i + 1, "id", ra[i]);
		for(j = 0; j < 3; j++)
			ct_attr(xdoc, i + 1, j + 1, "id", a[i][j]);
	}
	assert_xpath_str(xdoc, "/r:reginfo/@version", "1");
	release(xdoc, body);

	/* later, another version: same ids, less time left */
	xdoc = build_valid(ids, 2, 2, NOW + 1000, &body);
	assert_xpath_str(xdoc, "/r:reginfo/@version", "2");
	assert_xpath_str(
			xdoc, "/r:reginfo/r:registration[1]/r:contact[1]/@expires", "2600");
	for(i = 0; i < 2; i++) {
		reg_attr(xdoc, i + 1, "id", b);
		assert_string_equal(b, ra[i]);
		for(j = 0; j < 3; j++) {
			ct_attr(xdoc, i + 1, j + 1, "id", b);
			assert_string_equal(b, a[i][j]);
		}
	}
	release(xdoc, body);

	/* a contact's event changing (here: it expired) keeps its id, and the
	 * other identity's ids do not move when one identity is left out */
	c[2].event = REGINFO_EV_EXPIRED;
	xdoc = build_valid(&ids[1], 1, 3, NOW + 2000, &body);
	reg_attr(xdoc, 1, "id", b);
	assert_string_equal(b, ra[1]);
	for(j = 0; j < 3; j++) {
		ct_attr(xdoc, 1, j + 1, "id", b);
		assert_string_equal(b, a[1][j]);
	}
	assert_xpath_str(xdoc, "/r:reginfo/r:registration[1]/r:contact[3]/@state",
			"terminated");
	release(xdoc, body);
}

static void test_versions(void **state)
{
	static const unsigned long versions[] = {
			0, 1, 2, 4294967295UL, 4294967296UL, ULONG_MAX};
	regstate_contact_t c = contact("sip:i@192.0.2.50", NOW + 10);
	regstate_identity_t id = identity("sip:i@example.com", &c, 1);
	char expected[32];
	unsigned long v;
	xmlDocPtr xdoc;
	char *body;
	size_t i;

	(void)state;
	for(i = 0; i < N_ELEMS(versions); i++) {
		xdoc = build_valid(&id, 1, versions[i], NOW, &body);
		snprintf(expected, sizeof(expected), "%lu", versions[i]);
		assert_xpath_str(xdoc, "/r:reginfo/@version", expected);
		assert_int_equal(
				reginfo_parse_version(body, strlen(body), &v), REGINFO_OK);
		assert_true(v == versions[i]);
		release(xdoc, body);
	}
}

/* q, callid and cseq go through as given; absent ones stay absent */
static void test_passthrough(void **state)
{
	regstate_contact_t c[3];
	regstate_identity_t id;
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	c[0] = contact("sip:j@192.0.2.60;transport=tcp", NOW + 30);
	c[0].q = "0.5";
	c[0].callid = "a84b4c76e66710@pc33.example.com";
	c[0].cseq = 4711;
	c[1] = contact("sip:j@192.0.2.61", NOW + 30);
	c[1].q = "1.000";
	c[1].callid = "<&\"'>@x"; /* escaped by the builder */
	c[1].cseq = 0;			  /* 0 is a value */
	c[2] = contact("sip:j@192.0.2.62", NOW + 30);
	id = identity("sip:j@example.com", c, 3);

	xdoc = build_valid(&id, 1, 1, NOW, &body);
	assert_xpath_str(xdoc, "//r:contact[1]/@q", "0.5");
	assert_xpath_str(
			xdoc, "//r:contact[1]/@callid", "a84b4c76e66710@pc33.example.com");
	assert_xpath_str(xdoc, "//r:contact[1]/@cseq", "4711");
	assert_xpath_str(
			xdoc, "//r:contact[1]/r:uri", "sip:j@192.0.2.60;transport=tcp");
	assert_xpath_str(xdoc, "//r:contact[2]/@q", "1.000");
	assert_xpath_str(xdoc, "//r:contact[2]/@callid", "<&\"'>@x");
	assert_xpath_str(xdoc, "//r:contact[2]/@cseq", "0");
	assert_int_equal(xpath_count(xdoc, "//r:contact[3]/@q"), 0);
	assert_int_equal(xpath_count(xdoc, "//r:contact[3]/@callid"), 0);
	assert_int_equal(xpath_count(xdoc, "//r:contact[3]/@cseq"), 0);
	/* regstate never makes up retry-after or a display name */
	assert_int_equal(xpath_count(xdoc, "//r:contact/@retry-after"), 0);
	assert_int_equal(xpath_count(xdoc, "//r:contact/r:display-name"), 0);
	release(xdoc, body);
}

/* RFC 5626 instance and reg-id become unknown-params, GRUUs pass through
 * (RFC 5628); a contact without them gets none */
static void test_instance_gruu(void **state)
{
	regstate_contact_t c[2];
	regstate_identity_t id;
	xmlDocPtr xdoc;
	char *body;

	(void)state;
	c[0] = contact("sip:k@192.0.2.70", NOW + 30);
	c[0].instance = "\"<urn:uuid:f81d4fae>\"";
	c[0].reg_id = 4294967295u;
	c[0].pub_gruu = "sip:k@example.com;gr=urn:uuid:f81d4fae";
	c[0].temp_gruu = "sip:uloc-1-2-abc@example.com;gr";
	c[0].temp_gruu_cseq = 3;
	c[1] = contact("sip:k@192.0.2.71", NOW + 30);
	id = identity("sip:k@example.com", c, 2);

	xdoc = build_valid(&id, 1, 1, NOW, &body);
	if(schema_validate_gruu(xdoc) != 0)
		fail_msg("not valid with gruuinfo.xsd (%s):\n%s", valid_err, body);
	assert_xpath_str(xdoc, "//r:contact[1]/r:unknown-param[@name='+sip.instance']",
			"\"<urn:uuid:f81d4fae>\"");
	assert_xpath_str(xdoc, "//r:contact[1]/r:unknown-param[@name='reg-id']",
			"4294967295");
	assert_xpath_str(xdoc, "//r:contact[1]/gr:pub-gruu/@uri",
			"sip:k@example.com;gr=urn:uuid:f81d4fae");
	assert_xpath_str(xdoc, "//r:contact[1]/gr:temp-gruu/@uri",
			"sip:uloc-1-2-abc@example.com;gr");
	assert_xpath_str(xdoc, "//r:contact[1]/gr:temp-gruu/@first-cseq", "3");
	assert_int_equal(xpath_count(xdoc, "//r:contact[2]/*"), 1);
	release(xdoc, body);

	/* an instance alone, reg-id 0 (none): one unknown-param, no GRUU */
	c[0].reg_id = 0;
	c[0].pub_gruu = c[0].temp_gruu = NULL;
	xdoc = build_valid(&id, 1, 2, NOW, &body);
	assert_int_equal(xpath_count(xdoc, "//r:contact[1]/r:unknown-param"), 1);
	assert_int_equal(xpath_count(xdoc, "//gr:*"), 0);
	release(xdoc, body);
}

/* RFC 3680 4.7.2: a partial document lists only the registrations with a
 * changed contact and only those contacts, with the registration state
 * and ids of the full document */
static void test_partial_state(void **state)
{
	regstate_contact_t a[2], b[1];
	regstate_identity_t ids[3];
	char full_id[ID_MAX], part_id[ID_MAX];
	xmlDocPtr xdoc;
	char *body;
	size_t len;

	(void)state;
	a[0] = contact("sip:p@192.0.2.80", NOW + 30);
	a[1] = contact("sip:p@192.0.2.81", NOW + 30);
	a[1].event = REGINFO_EV_EXPIRED;
	a[1].changed = 1;
	b[0] = contact("sip:p2@192.0.2.82", NOW + 30);
	ids[0] = identity("sip:p@example.com", a, 2);
	ids[1] = identity("sip:p2@example.com", b, 1);
	ids[2] = identity("sip:p3@example.com", NULL, 0);

	xdoc = build_valid(ids, 3, 7, NOW, &body);
	ct_attr(xdoc, 1, 2, "id", full_id);
	release(xdoc, body);

	assert_int_equal(regstate_build_doc(ids, 3, REGINFO_PARTIAL, 8, NOW,
							 &test_mem, &body, &len),
			REGINFO_OK);
	xdoc = parse_body(body, len);
	assert_valid(xdoc, body);
	assert_xpath_str(xdoc, "/r:reginfo/@state", "partial");
	assert_xpath_str(xdoc, "/r:reginfo/@version", "8");
	assert_int_equal(xpath_count(xdoc, "//r:registration"), 1);
	/* still active: its other contact is, though not listed */
	assert_xpath_str(xdoc, "//r:registration/@state", "active");
	assert_int_equal(xpath_count(xdoc, "//r:contact"), 1);
	assert_xpath_str(xdoc, "//r:contact/@event", "expired");
	ct_attr(xdoc, 1, 1, "id", part_id);
	assert_string_equal(part_id, full_id);
	release(xdoc, body);

	/* nothing changed: an empty partial document; full ignores changed */
	a[1].changed = 0;
	assert_int_equal(regstate_build_doc(ids, 3, REGINFO_PARTIAL, 9, NOW,
							 &test_mem, &body, &len),
			REGINFO_OK);
	xdoc = parse_body(body, len);
	assert_valid(xdoc, body);
	assert_int_equal(xpath_count(xdoc, "//r:registration"), 0);
	release(xdoc, body);
	b[0].changed = 1;
	assert_int_equal(regstate_build_doc(ids, 3, REGINFO_FULL, 10, NOW,
							 &test_mem, &body, &len),
			REGINFO_OK);
	xdoc = parse_body(body, len);
	assert_int_equal(xpath_count(xdoc, "//r:registration"), 3);
	assert_int_equal(xpath_count(xdoc, "//r:contact"), 3);
	release(xdoc, body);

	/* a document state out of range is refused */
	assert_int_equal(regstate_build_doc(ids, 3, (reginfo_doc_state_t)7, 1,
							 NOW, &test_mem, &body, &len),
			REGINFO_ERR_INVAL);
	assert_null(body);
}

/* ---- tests: refused input, allocation failure ---- */

static void test_invalid_input(void **state)
{
	regstate_contact_t c = contact("sip:k@192.0.2.70", NOW + 10);
	regstate_identity_t ids[2];
	char *body;
	size_t len;

	(void)state;
	ids[0] = identity("sip:k@example.com", &c, 1);
	ids[1] = identity("sip:k2@example.com", &c, 1);

	/* refused by the builder after regstate allocated: nothing leaks */
	c.uri = NULL;
	assert_build_fails(ids, 1, REGINFO_ERR_INVAL, 1);
	c.uri = "";
	assert_build_fails(ids, 1, REGINFO_ERR_INVAL, 1);
	c.uri = "sip:k@192.0.2.70";
	c.q = "2";
	assert_build_fails(ids, 1, REGINFO_ERR_INVAL, 1);
	c.q = NULL;
	ids[0].uri = NULL;
	assert_build_fails(ids, 1, REGINFO_ERR_INVAL, 1);
	ids[0].uri = "sip:k@example.com";
	c.event = (reginfo_ct_event_t)42;
	assert_build_fails(ids, 1, REGINFO_ERR_INVAL, 1);
	c.event = REGINFO_EV_REGISTERED;
	/* the same identity twice: one registration id twice */
	ids[1].uri = ids[0].uri;
	assert_build_fails(ids, 2, REGINFO_ERR_INVAL, 1);
	ids[1].uri = "sip:k2@example.com";

	/* refused before anything is allocated */
	assert_build_fails(NULL, 1, REGINFO_ERR_INVAL, 0);
	ids[1].contacts = NULL;
	assert_build_fails(ids, 2, REGINFO_ERR_INVAL, 0);
	ids[1].contacts = &c;
	assert_build_fails(ids, REGINFO_MAX_REGS + 1, REGINFO_ERR_INVAL, 0);
	ids[0].ncontacts = REGINFO_MAX_CONTACTS + 1;
	assert_build_fails(ids, 1, REGINFO_ERR_INVAL, 0);
	/* a sum that would wrap around size_t is no small number */
	ids[0].ncontacts = SIZE_MAX;
	ids[1].ncontacts = 2;
	assert_build_fails(ids, 2, REGINFO_ERR_INVAL, 0);
	ids[0].ncontacts = REGINFO_MAX_CONTACTS;
	assert_build_fails(ids, 2, REGINFO_ERR_INVAL, 0);
	ids[0].ncontacts = 1;
	ids[1].ncontacts = 1;

	/* bad arguments */
	tms.nalloc = 0;
	assert_int_equal(regstate_build_body(ids, 2, 1, NOW, &test_mem, NULL, &len),
			REGINFO_ERR_INVAL);
	body = (char *)"sentinel";
	assert_int_equal(
			regstate_build_body(ids, 2, 1, NOW, &test_mem, &body, NULL),
			REGINFO_ERR_INVAL);
	assert_null(body);
	assert_int_equal(tms.nalloc, 0);

	/* and the repaired input builds */
	assert_int_equal(
			regstate_build_body(ids, 2, 1, NOW, &test_mem, &body, &len),
			REGINFO_OK);
	test_free(body);
}

/* at the contact limit it builds, with unique ids across the document */
static void test_limit(void **state)
{
	regstate_contact_t *c;
	regstate_identity_t ids[2];
	char(*uris)[32];
	xmlDocPtr xdoc;
	char *body;
	size_t i;

	(void)state;
	c = test_calloc(REGINFO_MAX_CONTACTS, sizeof(*c));
	uris = test_calloc(REGINFO_MAX_CONTACTS, sizeof(*uris));
	for(i = 0; i < REGINFO_MAX_CONTACTS; i++) {
		snprintf(uris[i], sizeof(uris[i]), "sip:l@192.0.2.%zu:%zu", i % 256,
				5060 + i);
		c[i] = contact(uris[i], NOW + (long)i);
	}
	ids[0] = identity("sip:l@example.com", c, REGINFO_MAX_CONTACTS / 2);
	ids[1] = identity("sip:l2@example.com", c + REGINFO_MAX_CONTACTS / 2,
			REGINFO_MAX_CONTACTS / 2);
	xdoc = build_valid(ids, 2, 1, NOW, &body);
	assert_int_equal(xpath_count(xdoc, "//r:contact"), REGINFO_MAX_CONTACTS);
	release(xdoc, body);

	/* one more is refused */
	ids[1].ncontacts++;
	assert_build_fails(ids, 2, REGINFO_ERR_INVAL, 0);
	test_free(uris);
	test_free(c);
}

/* every allocation through mem fails once, in turn: error, no leak */
static void test_alloc_failure(void **state)
{
	regstate_contact_t c[2];
	regstate_identity_t ids[3];
	char *body;
	size_t len;
	int n, i;

	(void)state;
	c[0] = contact("sip:m@192.0.2.80", NOW + 100);
	c[0].callid = "cid";
	c[0].cseq = 1;
	c[0].q = "0.7";
	c[1] = contact("sip:m@192.0.2.80", 0);
	c[1].callid = "cid"; /* a duplicate, for the suffix path too */
	ids[0] = identity("sip:m@example.com", c, 2);
	ids[1] = identity("tel:+15551230005", c, 2);
	ids[2] = identity("sip:m.empty@example.com", NULL, 0);

	/* count the allocations of a successful build */
	assert_int_equal(
			regstate_build_body(ids, 3, 1, NOW, &test_mem, &body, &len),
			REGINFO_OK);
	test_free(body);
	n = tms.nalloc;
	/* registrations, contacts, ids, then the builder's own (>= 2) */
	assert_true(n >= 5);

	for(i = 1; i <= n; i++) {
		memset(&tms, 0, sizeof(tms));
		tms.fail_at = i;
		assert_build_fails(ids, 3, REGINFO_ERR_NOMEM, 1);
		assert_non_null(strstr(tms.last_log, "out of memory"));
	}
	memset(&tms, 0, sizeof(tms));
	tms.fail_at = n + 1;
	assert_int_equal(
			regstate_build_body(ids, 3, 1, NOW, &test_mem, &body, &len),
			REGINFO_OK);
	test_free(body);

	/* no identity at all: the id block and the builder still allocate */
	memset(&tms, 0, sizeof(tms));
	assert_int_equal(
			regstate_build_body(NULL, 0, 1, NOW, &test_mem, &body, &len),
			REGINFO_OK);
	test_free(body);
	n = tms.nalloc;
	for(i = 1; i <= n; i++) {
		memset(&tms, 0, sizeof(tms));
		tms.fail_at = i;
		assert_build_fails(NULL, 0, REGINFO_ERR_NOMEM, 1);
	}
}

static void test_default_mem(void **state)
{
	regstate_contact_t c = contact("sip:n@192.0.2.90", NOW + 1);
	regstate_identity_t id = identity("sip:n@example.com", &c, 1);
	char *body;
	size_t len;

	(void)state;
	/* NULL mem means core_mem_libc: plain malloc, freed with free */
	assert_int_equal(
			regstate_build_body(&id, 1, 1, NOW, NULL, &body, &len), REGINFO_OK);
	assert_int_equal(strlen(body), len);
	core_mem_libc.free(body, core_mem_libc.user_data);
	/* errors without a log callback are silent, not a crash */
	c.uri = NULL;
	assert_int_equal(regstate_build_body(&id, 1, 1, NOW, NULL, &body, &len),
			REGINFO_ERR_INVAL);
	assert_null(body);
	assert_int_equal(regstate_build_body(NULL, 1, 1, NOW, NULL, &body, &len),
			REGINFO_ERR_INVAL);
}

/* ---- tests: hash ---- */

static void test_hash(void **state)
{
	static const char *s[] = {"sip:alice@example.com", "tel:+15551230001",
			"sip:alice@192.0.2.10:5060", "x"};
	unsigned int h1, h2;
	size_t i;

	(void)state;
	/* 32-bit FNV-1a reference values */
	assert_int_equal(regstate_hash("", 0), 0x811c9dc5u);
	assert_int_equal(regstate_hash(NULL, 0), 0x811c9dc5u);
	assert_int_equal(regstate_hash("a", 0), 0xe40c292cu);
	assert_int_equal(regstate_hash("foobar", 0), 0xbf9cf968u);
	/* seed 0 is the FNV offset basis */
	assert_int_equal(
			regstate_hash("foobar", 2166136261u), regstate_hash("foobar", 0));
	/* chaining is hashing the concatenation */
	assert_int_equal(regstate_hash("bar", regstate_hash("foo", 0)),
			regstate_hash("foobar", 0));
	/* NULL adds nothing to a chain */
	assert_int_equal(regstate_hash(NULL, 12345u), 12345u);

	for(i = 0; i < N_ELEMS(s); i++) {
		/* deterministic, and the seed matters */
		h1 = regstate_hash(s[i], 0);
		h2 = regstate_hash(s[i], 0);
		assert_int_equal(h1, h2);
		assert_int_not_equal(regstate_hash(s[i], 1u), h1);
		assert_int_not_equal(regstate_hash(s[i], h1), h1);
	}
	/* high-bit bytes are taken as unsigned */
	assert_int_equal(regstate_hash("\xc3\xa9", 0),
			((0x811c9dc5u ^ 0xc3u) * 16777619u ^ 0xa9u) * 16777619u);
	/* case matters: ids follow the exact strings */
	assert_int_not_equal(regstate_hash("sip:Alice@example.com", 0),
			regstate_hash("sip:alice@example.com", 0));
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
			T(test_one_contact),
			T(test_permanent_contact),
			T(test_expired_in_the_past),
			T(test_terminated_events),
			T(test_registration_states),
			T(test_no_identities),
			T(test_shared_contact),
			T(test_duplicate_contact),
			T(test_ids_stable),
			T(test_versions),
			T(test_passthrough),
			T(test_invalid_input),
			T(test_limit),
			T(test_alloc_failure),
			T(test_default_mem),
			T(test_hash),
			T(test_instance_gruu),
			T(test_partial_state),
	};

	return cmocka_run_group_tests_name(
			"regstate", tests, group_setup, group_teardown);
}
