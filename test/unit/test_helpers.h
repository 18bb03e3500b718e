/*
 * reauth module - helpers shared by the unit tests of core/
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h> and <cmocka.h>.
 */

#ifndef _REAUTH_TEST_HELPERS_H_
#define _REAUTH_TEST_HELPERS_H_

#include <stddef.h>

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>

#include "../../modules/reauth/pure/core_mem.h"

/* how every body built by core/reginfo starts */
#define BODY_HEAD                                                             \
	"<?xml version=\"1.0\"?>\n"                                               \
	"<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\""

/* ---- test allocator: cmocka-checked, with an Nth-call-fails mode ---- */

typedef struct test_mem_state {
	int nalloc;		   /* alloc calls so far */
	int fail_at;	   /* the alloc call number that fails, 0 = never */
	int nlog;		   /* log lines received */
	int last_level;
	char last_log[CORE_LOG_BUF_SIZE];
} test_mem_state_t;

/* reset by test_setup() before each test */
extern test_mem_state_t tms;
/* test_malloc/test_free, counted in tms, logs recorded in tms */
extern const core_mem_t test_mem;

/* ---- schema, loaded once for the group ---- */

extern xmlSchemaPtr schema;

/* first validation error of the last schema_validate() */
extern int nvalid_err;
extern char valid_err[512];

/* group: load reginfo.xsd offline through the catalog; free it */
int group_setup(void **state);
int group_teardown(void **state);

/* each test: reset tms; free the documents a failed test left open */
#define MAX_OPEN_DOCS 4
int test_setup(void **state);
int test_teardown(void **state);

/* ---- parsing, validation, XPath ---- */

/* parse as a receiver would (no network); fails the test if the body is
 * not well-formed; the document is tracked until release() */
xmlDocPtr parse_body(const char *body, size_t len);

/* 0 if the document validates against reginfo.xsd */
int schema_validate(xmlDocPtr xdoc);
/* the same against reginfo-gruu.xsd (RFC 3680 + RFC 5628) */
int schema_validate_gruu(xmlDocPtr xdoc);

/* fails the test, showing the body, if it does not validate */
void assert_valid(xmlDocPtr xdoc, const char *body);

/* free a parsed document and the body it came from (test_malloc) */
void release(xmlDocPtr xdoc, char *body);

/* XPath with the prefix r bound to the reginfo namespace */
xmlXPathObjectPtr xpath(xmlDocPtr xdoc, const char *expr);
void xpath_str(xmlDocPtr xdoc, const char *expr, char *buf, size_t size);
void assert_xpath_str(xmlDocPtr xdoc, const char *expr, const char *expected);
int xpath_count(xmlDocPtr xdoc, const char *expr);

#endif /* _REAUTH_TEST_HELPERS_H_ */
