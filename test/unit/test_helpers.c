/*
 * reauth module - helpers shared by the unit tests of core/
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A cmocka-checked core_mem_t (test_malloc/test_free, so a leak fails the
 * test) that can make its Nth allocation fail, and the RFC 3680 schema
 * loaded offline through the project's XML catalog, to parse bodies back,
 * validate them and query them with XPath.
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

#ifndef SCHEMA_DIR
#error "build with -DSCHEMA_DIR=\"/abs/path/to/schemas\""
#endif

/* ---- test allocator: cmocka-checked, with an Nth-call-fails mode ---- */

test_mem_state_t tms;

static void *tm_alloc(size_t n, void *ud)
{
	test_mem_state_t *st = ud;

	st->nalloc++;
	if(st->fail_at > 0 && st->nalloc == st->fail_at)
		return NULL;
	return test_malloc(n);
}

static void tm_free(void *p, void *ud)
{
	(void)ud;
	test_free(p);
}

static void tm_log(int level, const char *msg, void *ud)
{
	test_mem_state_t *st = ud;

	st->nlog++;
	st->last_level = level;
	snprintf(st->last_log, sizeof(st->last_log), "%s", msg);
}

const core_mem_t test_mem = {
		.alloc = tm_alloc,
		.free = tm_free,
		.log = tm_log,
		.user_data = &tms,
};

/* ---- schema, loaded once for the group ---- */

xmlSchemaPtr schema;

/* validation errors are collected, not printed, and shown on failure */
int nvalid_err;
char valid_err[512];

static void collect_valid_error(void *ctx, xmlErrorPtr err)
{
	size_t n;

	(void)ctx;
	if(nvalid_err++ == 0 && err != NULL && err->message != NULL) {
		snprintf(valid_err, sizeof(valid_err), "line %d: %s", err->line,
				err->message);
		n = strlen(valid_err);
		if(n > 0 && valid_err[n - 1] == '\n')
			valid_err[n - 1] = '\0';
	}
}

int group_setup(void **state)
{
	xmlSchemaParserCtxtPtr pctxt;

	(void)state;
	xmlInitParser();
	/* offline: the catalog maps the W3C xml.xsd import to the local copy,
	 * and the loader refuses anything that would need the network */
	xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
	if(xmlLoadCatalog(SCHEMA_DIR "/catalog.xml") != 0) {
		fprintf(stderr, "cannot load %s/catalog.xml\n", SCHEMA_DIR);
		return -1;
	}
	pctxt = xmlSchemaNewParserCtxt(SCHEMA_DIR "/reginfo.xsd");
	if(pctxt == NULL)
		return -1;
	schema = xmlSchemaParse(pctxt);
	xmlSchemaFreeParserCtxt(pctxt);
	if(schema == NULL) {
		fprintf(stderr, "cannot parse %s/reginfo.xsd\n", SCHEMA_DIR);
		return -1;
	}
	return 0;
}

int group_teardown(void **state)
{
	(void)state;
	xmlSchemaFree(schema);
	schema = NULL;
	xmlCatalogCleanup();
	xmlCleanupParser();
	return 0;
}

/* parsed documents still open; a failed assertion jumps out of the test
 * before release(), so teardown frees them (ASan would report a leak) */
static xmlDocPtr open_docs[MAX_OPEN_DOCS];

static void track_doc(xmlDocPtr xdoc)
{
	int i;

	for(i = 0; i < MAX_OPEN_DOCS; i++) {
		if(open_docs[i] == NULL) {
			open_docs[i] = xdoc;
			return;
		}
	}
	fail_msg("more than %d documents open", MAX_OPEN_DOCS);
}

static void untrack_doc(xmlDocPtr xdoc)
{
	int i;

	for(i = 0; i < MAX_OPEN_DOCS; i++) {
		if(open_docs[i] == xdoc)
			open_docs[i] = NULL;
	}
}

int test_setup(void **state)
{
	(void)state;
	memset(&tms, 0, sizeof(tms));
	memset(open_docs, 0, sizeof(open_docs));
	return 0;
}

int test_teardown(void **state)
{
	int i;

	(void)state;
	for(i = 0; i < MAX_OPEN_DOCS; i++) {
		if(open_docs[i] != NULL)
			xmlFreeDoc(open_docs[i]);
		open_docs[i] = NULL;
	}
	return 0;
}

/* ---- parsing, validation, XPath ---- */

/* parse a body as a receiver would: no network; fails the test if the
 * body is not well-formed */
xmlDocPtr parse_body(const char *body, size_t len)
{
	xmlDocPtr xdoc;

	assert_non_null(body);
	assert_true(len <= INT_MAX);
	xdoc = xmlReadMemory(body, (int)len, NULL, NULL, XML_PARSE_NONET);
	if(xdoc == NULL)
		fail_msg("body is not well-formed XML:\n%s", body);
	track_doc(xdoc);
	return xdoc;
}

/* 0 if the document validates against reginfo.xsd */
int schema_validate(xmlDocPtr xdoc)
{
	xmlSchemaValidCtxtPtr vctxt;
	int rc;

	nvalid_err = 0;
	valid_err[0] = '\0';
	vctxt = xmlSchemaNewValidCtxt(schema);
	assert_non_null(vctxt);
	xmlSchemaSetValidStructuredErrors(vctxt, collect_valid_error, NULL);
	rc = xmlSchemaValidateDoc(vctxt, xdoc);
	xmlSchemaFreeValidCtxt(vctxt);
	return rc;
}

/* 0 if the document validates against reginfo-gruu.xsd (reginfo.xsd and
 * gruuinfo.xsd imported: the gr: elements are checked, not skipped) */
int schema_validate_gruu(xmlDocPtr xdoc)
{
	xmlSchemaParserCtxtPtr pctxt;
	xmlSchemaValidCtxtPtr vctxt;
	xmlSchemaPtr gs;
	int rc;

	pctxt = xmlSchemaNewParserCtxt(SCHEMA_DIR "/reginfo-gruu.xsd");
	assert_non_null(pctxt);
	gs = xmlSchemaParse(pctxt);
	xmlSchemaFreeParserCtxt(pctxt);
	assert_non_null(gs);
	vctxt = xmlSchemaNewValidCtxt(gs);
	assert_non_null(vctxt);
	nvalid_err = 0;
	valid_err[0] = '\0';
	xmlSchemaSetValidStructuredErrors(vctxt, collect_valid_error, NULL);
	rc = xmlSchemaValidateDoc(vctxt, xdoc);
	xmlSchemaFreeValidCtxt(vctxt);
	xmlSchemaFree(gs);
	return rc;
}

void assert_valid(xmlDocPtr xdoc, const char *body)
{
	if(schema_validate(xdoc) != 0)
		fail_msg("body does not validate (%s):\n%s", valid_err, body);
}

/* free a parsed document and the body it came from (test_malloc) */
void release(xmlDocPtr xdoc, char *body)
{
	untrack_doc(xdoc);
	xmlFreeDoc(xdoc);
	test_free(body);
}

/* XPath with the prefix r bound to the reginfo namespace, gr to RFC 5628's */
xmlXPathObjectPtr xpath(xmlDocPtr xdoc, const char *expr)
{
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr obj;

	ctx = xmlXPathNewContext(xdoc);
	assert_non_null(ctx);
	assert_int_equal(
			xmlXPathRegisterNs(ctx, BAD_CAST "r", BAD_CAST REGINFO_NS), 0);
	assert_int_equal(
			xmlXPathRegisterNs(ctx, BAD_CAST "gr", BAD_CAST REGINFO_GRUU_NS), 0);
	obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	xmlXPathFreeContext(ctx);
	if(obj == NULL)
		fail_msg("bad XPath %s", expr);
	return obj;
}

/* string value of expr, copied into buf (truncation fails the test) */
void xpath_str(xmlDocPtr xdoc, const char *expr, char *buf, size_t size)
{
	char q[512];
	xmlXPathObjectPtr obj;
	int n;

	snprintf(q, sizeof(q), "string(%s)", expr);
	obj = xpath(xdoc, q);
	assert_int_equal(obj->type, XPATH_STRING);
	n = snprintf(buf, size, "%s", (const char *)obj->stringval);
	xmlXPathFreeObject(obj);
	assert_true(n >= 0 && (size_t)n < size);
}

/* string value of expr equals expected, byte for byte */
void assert_xpath_str(
		xmlDocPtr xdoc, const char *expr, const char *expected)
{
	char buf[512];
	xmlXPathObjectPtr obj;

	snprintf(buf, sizeof(buf), "string(%s)", expr);
	obj = xpath(xdoc, buf);
	assert_int_equal(obj->type, XPATH_STRING);
	assert_string_equal((const char *)obj->stringval, expected);
	xmlXPathFreeObject(obj);
}

int xpath_count(xmlDocPtr xdoc, const char *expr)
{
	char buf[512];
	xmlXPathObjectPtr obj;
	int n;

	snprintf(buf, sizeof(buf), "count(%s)", expr);
	obj = xpath(xdoc, buf);
	assert_int_equal(obj->type, XPATH_NUMBER);
	n = (int)obj->floatval;
	xmlXPathFreeObject(obj);
	return n;
}

