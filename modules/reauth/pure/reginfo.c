/*
 * reauth module - RFC 3680 application/reginfo+xml document builder
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "reginfo.h"
#include "reginfo_draft.h"

static const char *const reginfo_doc_state_names[] = {"full", "partial"};

static const char *const reginfo_reg_state_names[] = {
		"init", "active", "terminated"};

static const char *const reginfo_ct_state_names[] = {"active", "terminated"};

/* same order as reginfo_ct_event_t */
static const char *const reginfo_event_names[] = {"registered", "created",
		"refreshed", "shortened", "expired", "deactivated", "probation",
		"unregistered", "rejected"};

#define REGINFO_NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* room for the decimal form of any long / unsigned long */
#define REGINFO_NUM_BUF 24

const char *reginfo_doc_state_name(reginfo_doc_state_t st)
{
	/* enums may be signed or unsigned: one unsigned compare covers both */
	if((unsigned int)st >= REGINFO_NELEMS(reginfo_doc_state_names))
		return NULL;
	return reginfo_doc_state_names[st];
}

const char *reginfo_reg_state_name(reginfo_reg_state_t st)
{
	if((unsigned int)st >= REGINFO_NELEMS(reginfo_reg_state_names))
		return NULL;
	return reginfo_reg_state_names[st];
}

const char *reginfo_ct_state_name(reginfo_ct_state_t st)
{
	if((unsigned int)st >= REGINFO_NELEMS(reginfo_ct_state_names))
		return NULL;
	return reginfo_ct_state_names[st];
}

const char *reginfo_event_name(reginfo_ct_event_t ev)
{
	if((unsigned int)ev >= REGINFO_NELEMS(reginfo_event_names))
		return NULL;
	return reginfo_event_names[ev];
}

/* index of name in a table, -1 if absent */
static int reginfo_lookup(const char *const *names, size_t n, const char *name)
{
	size_t i;

	if(name == NULL)
		return -1;
	for(i = 0; i < n; i++) {
		if(strcmp(names[i], name) == 0)
			return (int)i;
	}
	return -1;
}

int reginfo_reg_state_from_name(const char *name, reginfo_reg_state_t *st)
{
	int i;

	i = reginfo_lookup(reginfo_reg_state_names,
			REGINFO_NELEMS(reginfo_reg_state_names), name);
	if(i < 0 || st == NULL)
		return -1;
	*st = (reginfo_reg_state_t)i;
	return 0;
}

int reginfo_ct_state_from_name(const char *name, reginfo_ct_state_t *st)
{
	int i;

	i = reginfo_lookup(reginfo_ct_state_names,
			REGINFO_NELEMS(reginfo_ct_state_names), name);
	if(i < 0 || st == NULL)
		return -1;
	*st = (reginfo_ct_state_t)i;
	return 0;
}

int reginfo_event_from_name(const char *name, reginfo_ct_event_t *ev)
{
	int i;

	i = reginfo_lookup(
			reginfo_event_names, REGINFO_NELEMS(reginfo_event_names), name);
	if(i < 0 || ev == NULL)
		return -1;
	*ev = (reginfo_ct_event_t)i;
	return 0;
}

reginfo_ct_state_t reginfo_event_ct_state(reginfo_ct_event_t ev)
{
	switch(ev) {
		case REGINFO_EV_REGISTERED:
		case REGINFO_EV_CREATED:
		case REGINFO_EV_REFRESHED:
		case REGINFO_EV_SHORTENED:
			return REGINFO_CT_ACTIVE;
		case REGINFO_EV_EXPIRED:
		case REGINFO_EV_DEACTIVATED:
		case REGINFO_EV_PROBATION:
		case REGINFO_EV_UNREGISTERED:
		case REGINFO_EV_REJECTED:
			return REGINFO_CT_TERMINATED;
	}
	/* out of range: callers check reginfo_event_name() first */
	return REGINFO_CT_TERMINATED;
}

/*
 * Input checks.
 *
 * libxml2 escapes markup characters, but it writes characters that XML
 * cannot carry at all (control characters, broken UTF-8) as they are or
 * as invalid character references: the body would not be well-formed.
 * So every string is checked to be UTF-8 made of XML 1.0 Chars only.
 * Returns NULL when s is fine, else a short reason for the log.
 */
static const char *reginfo_check_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	unsigned int cp;
	unsigned char c;
	size_t n, k;

	while(p[i] != '\0') {
		if(i >= REGINFO_MAX_STR)
			return "too long";
		c = p[i];
		if(c < 0x80) {
			/* XML 1.0 Char: tab, LF, CR and everything from space up */
			if(c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return "control character";
			i++;
			continue;
		}
		if(c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if(c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return "invalid UTF-8";
		}
		/* the terminating NUL is no continuation byte: no over-read */
		for(k = 1; k <= n; k++) {
			if((p[i + k] & 0xc0) != 0x80)
				return "invalid UTF-8";
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff
				|| (cp >= 0xd800 && cp <= 0xdfff))
			return "invalid UTF-8";
		if(cp == 0xfffe || cp == 0xffff)
			return "not an XML character";
		i += n + 1;
	}
	if(i > REGINFO_MAX_STR)
		return "too long";
	return NULL;
}

/* a required string: present, non-empty, valid text */
static const char *reginfo_check_required(const char *s)
{
	if(s == NULL)
		return "missing";
	if(s[0] == '\0')
		return "empty";
	return reginfo_check_text(s);
}

/* an optional string: NULL (omitted) or valid text */
static const char *reginfo_check_optional(const char *s)
{
	if(s == NULL)
		return NULL;
	return reginfo_check_text(s);
}

/* RFC 3261: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
static int reginfo_is_qvalue(const char *q)
{
	const char *p;
	int digits = 0;

	if(q[0] != '0' && q[0] != '1')
		return 0;
	if(q[1] == '\0')
		return 1;
	if(q[1] != '.')
		return 0;
	for(p = q + 2; *p != '\0'; p++) {
		if(++digits > 3)
			return 0;
		if(q[0] == '1' ? *p != '0' : (*p < '0' || *p > '9'))
			return 0;
	}
	return 1;
}

static int reginfo_check_contact(const reginfo_contact_t *ct, size_t ri,
		size_t ci, const core_mem_t *mem)
{
	const char *why;
	size_t pi;

	if((why = reginfo_check_required(ct->id)) != NULL) {
		core_log(mem, CORE_LOG_ERR,
				"reginfo: registration %zu contact %zu: id %s", ri, ci, why);
		return -1;
	}
	if((why = reginfo_check_required(ct->uri)) != NULL) {
		core_log(mem, CORE_LOG_ERR,
				"reginfo: registration %zu contact %zu: uri %s", ri, ci, why);
		return -1;
	}
	if((why = reginfo_check_optional(ct->display_name)) != NULL) {
		core_log(mem, CORE_LOG_ERR,
				"reginfo: registration %zu contact %zu: display name %s", ri,
				ci, why);
		return -1;
	}
	if((why = reginfo_check_optional(ct->callid)) != NULL) {
		core_log(mem, CORE_LOG_ERR,
				"reginfo: registration %zu contact %zu: callid %s", ri, ci,
				why);
		return -1;
	}
	if(ct->nparams > REGINFO_MAX_PARAMS || (ct->nparams > 0 && ct->params == NULL)) {
		core_log(mem, CORE_LOG_ERR,
				"reginfo: registration %zu contact %zu: bad parameter list", ri,
				ci);
		return -1;
	}
	for(pi = 0; pi < ct->nparams; pi++) {
		if((why = reginfo_check_required(ct->params[pi].name)) != NULL
				|| (why = reginfo_check_optional(ct->params[pi].value))
						   != NULL) {
			core_log(mem, CORE_LOG_ERR,
					"reginfo: registration %zu contact %zu: parameter %zu %s",
					ri, ci, pi, why);
			return -1;
		}
	}
	if((ct->pub_gruu != NULL
			   && (why = reginfo_check_required(ct->pub_gruu)) != NULL)
			|| (ct->temp_gruu != NULL
					&& (why = reginfo_check_required(ct->temp_gruu)) != NULL)) {
		core_log(mem, CORE_LOG_ERR,
				"reginfo: registration %zu contact %zu: gruu %s", ri, ci, why);
		return -1;
	}
	if(ct->q != NULL && !reginfo_is_qvalue(ct->q)) {
		core_log(mem, CORE_LOG_ERR,
				"reginfo: registration %zu contact %zu: q is not a qvalue", ri,
				ci);
		return -1;
	}
	if(reginfo_ct_state_name(ct->state) == NULL
			|| reginfo_event_name(ct->event) == NULL) {
		core_log(mem, CORE_LOG_ERR,
				"reginfo: registration %zu contact %zu: state %d or event %d"
				" out of range",
				ri, ci, (int)ct->state, (int)ct->event);
		return -1;
	}
	/* RFC 3680 5.2: the event names the transition into the state */
	if(reginfo_event_ct_state(ct->event) != ct->state) {
		core_log(mem, CORE_LOG_ERR,
				"reginfo: registration %zu contact %zu: event %s does not"
				" lead to state %s",
				ri, ci, reginfo_event_name(ct->event),
				reginfo_ct_state_name(ct->state));
		return -1;
	}
	return 0;
}

/* checks everything but uniqueness; sums up the contacts in *ncontacts */
static int reginfo_check_doc(
		const reginfo_doc_t *doc, const core_mem_t *mem, size_t *ncontacts)
{
	const reginfo_registration_t *reg;
	const char *why;
	size_t ri, ci, total = 0;

	if(reginfo_doc_state_name(doc->state) == NULL) {
		core_log(mem, CORE_LOG_ERR, "reginfo: document state %d out of range",
				(int)doc->state);
		return -1;
	}
	if(doc->nregs > REGINFO_MAX_REGS) {
		core_log(mem, CORE_LOG_ERR,
				"reginfo: %zu registrations, at most %d allowed", doc->nregs,
				REGINFO_MAX_REGS);
		return -1;
	}
	if(doc->nregs > 0 && doc->regs == NULL) {
		core_log(mem, CORE_LOG_ERR, "reginfo: registrations missing");
		return -1;
	}
	for(ri = 0; ri < doc->nregs; ri++) {
		reg = &doc->regs[ri];
		if((why = reginfo_check_required(reg->aor)) != NULL) {
			core_log(mem, CORE_LOG_ERR, "reginfo: registration %zu: aor %s", ri,
					why);
			return -1;
		}
		if((why = reginfo_check_required(reg->id)) != NULL) {
			core_log(mem, CORE_LOG_ERR, "reginfo: registration %zu: id %s", ri,
					why);
			return -1;
		}
		if(reginfo_reg_state_name(reg->state) == NULL) {
			core_log(mem, CORE_LOG_ERR,
					"reginfo: registration %zu: state %d out of range", ri,
					(int)reg->state);
			return -1;
		}
		if((why = reginfo_check_optional(reg->draft_state)) != NULL
				|| (why = reginfo_check_optional(reg->detail)) != NULL) {
			core_log(mem, CORE_LOG_ERR,
					"reginfo: registration %zu: draft state or detail %s", ri,
					why);
			return -1;
		}
		/* written so that the sum cannot wrap */
		if(reg->ncontacts > REGINFO_MAX_CONTACTS - total) {
			core_log(mem, CORE_LOG_ERR,
					"reginfo: more than %d contacts in one document",
					REGINFO_MAX_CONTACTS);
			return -1;
		}
		total += reg->ncontacts;
		if(reg->ncontacts > 0 && reg->contacts == NULL) {
			core_log(mem, CORE_LOG_ERR,
					"reginfo: registration %zu: contacts missing", ri);
			return -1;
		}
		for(ci = 0; ci < reg->ncontacts; ci++) {
			if(reginfo_check_contact(&reg->contacts[ci], ri, ci, mem) < 0)
				return -1;
			/* RFC 3680 5.2: init and terminated mean no active contact */
			if(reg->state != REGINFO_REG_ACTIVE
					&& reg->contacts[ci].state == REGINFO_CT_ACTIVE) {
				core_log(mem, CORE_LOG_ERR,
						"reginfo: registration %zu is %s but contact %zu is"
						" active",
						ri, reginfo_reg_state_name(reg->state), ci);
				return -1;
			}
		}
	}
	*ncontacts = total;
	return 0;
}

static int reginfo_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* sorts ids in place; returns the first duplicate or NULL */
static const char *reginfo_find_dup(const char **ids, size_t n)
{
	size_t i;

	qsort(ids, n, sizeof(ids[0]), reginfo_cmp_str);
	for(i = 1; i < n; i++) {
		if(strcmp(ids[i - 1], ids[i]) == 0)
			return ids[i];
	}
	return NULL;
}

/*
 * RFC 3680 5.3: registration ids, and contact ids, are unique in a
 * document. Sorting keeps this O(n log n) at the 10000 item limit.
 * Returns 0, REGINFO_ERR_INVAL or REGINFO_ERR_NOMEM.
 */
static int reginfo_check_unique(
		const reginfo_doc_t *doc, size_t ncontacts, const core_mem_t *mem)
{
	const char **ids;
	size_t n, ri, ci;
	int ret = 0;

	n = doc->nregs > ncontacts ? doc->nregs : ncontacts;
	if(n < 2)
		return 0;
	ids = core_alloc(mem, n * sizeof(ids[0]));
	if(ids == NULL) {
		core_log(mem, CORE_LOG_ERR, "reginfo: out of memory (id check)");
		return REGINFO_ERR_NOMEM;
	}
	for(ri = 0; ri < doc->nregs; ri++)
		ids[ri] = doc->regs[ri].id;
	if(reginfo_find_dup(ids, doc->nregs) != NULL) {
		/* ids are not logged: they may come from the network */
		core_log(mem, CORE_LOG_ERR, "reginfo: duplicate registration id");
		ret = REGINFO_ERR_INVAL;
		goto done;
	}
	n = 0;
	for(ri = 0; ri < doc->nregs; ri++) {
		for(ci = 0; ci < doc->regs[ri].ncontacts; ci++)
			ids[n++] = doc->regs[ri].contacts[ci].id;
	}
	if(reginfo_find_dup(ids, n) != NULL) {
		core_log(mem, CORE_LOG_ERR, "reginfo: duplicate contact id");
		ret = REGINFO_ERR_INVAL;
		goto done;
	}
done:
	core_free(mem, ids);
	return ret;
}

/* xmlNewProp copies value as literal text: libxml2 escapes it on output */
static int reginfo_set(xmlNodePtr node, const char *name, const char *value)
{
	return xmlNewProp(node, BAD_CAST name, BAD_CAST value) != NULL ? 0 : -1;
}

static int reginfo_set_long(xmlNodePtr node, const char *name, long value)
{
	char buf[REGINFO_NUM_BUF];

	snprintf(buf, sizeof(buf), "%ld", value);
	return reginfo_set(node, name, buf);
}

/* the gr: namespace, declared on the root the first time a GRUU needs it */
static xmlNsPtr reginfo_gruu_ns(xmlNodePtr node)
{
	xmlNodePtr root = node;
	xmlNsPtr ns;

	while(root->parent != NULL && root->parent->type == XML_ELEMENT_NODE)
		root = root->parent;
	ns = xmlSearchNsByHref(root->doc, root, BAD_CAST REGINFO_GRUU_NS);
	return ns ? ns : xmlNewNs(root, BAD_CAST REGINFO_GRUU_NS, BAD_CAST "gr");
}

/* after uri and display-name, as the schema's sequence asks: the
 * unknown-params, then elements of other namespaces (RFC 5628) */
static int reginfo_add_extras(
		xmlNodePtr node, xmlNsPtr ns, const reginfo_contact_t *ct)
{
	xmlNodePtr p;
	xmlNsPtr gr;
	char buf[REGINFO_NUM_BUF];
	size_t i;

	for(i = 0; i < ct->nparams; i++) {
		p = xmlNewTextChild(node, ns, BAD_CAST "unknown-param",
				BAD_CAST(ct->params[i].value ? ct->params[i].value : ""));
		if(p == NULL || reginfo_set(p, "name", ct->params[i].name) < 0)
			return -1;
	}
	if(ct->pub_gruu == NULL && ct->temp_gruu == NULL)
		return 0;
	if((gr = reginfo_gruu_ns(node)) == NULL)
		return -1;
	if(ct->pub_gruu
			&& ((p = xmlNewChild(node, gr, BAD_CAST "pub-gruu", NULL)) == NULL
					|| reginfo_set(p, "uri", ct->pub_gruu) < 0))
		return -1;
	if(ct->temp_gruu) {
		snprintf(buf, sizeof(buf), "%lu", ct->temp_gruu_cseq);
		if((p = xmlNewChild(node, gr, BAD_CAST "temp-gruu", NULL)) == NULL
				|| reginfo_set(p, "uri", ct->temp_gruu) < 0
				|| reginfo_set(p, "first-cseq", buf) < 0)
			return -1;
	}
	return 0;
}

static int reginfo_add_contact(
		xmlNodePtr parent, xmlNsPtr ns, const reginfo_contact_t *ct)
{
	xmlNodePtr node;

	node = xmlNewChild(parent, ns, BAD_CAST "contact", NULL);
	if(node == NULL)
		return -1;
	if(reginfo_set(node, "id", ct->id) < 0
			|| reginfo_set(node, "state", reginfo_ct_state_name(ct->state)) < 0
			|| reginfo_set(node, "event", reginfo_event_name(ct->event)) < 0)
		return -1;
	if(ct->expires >= 0 && reginfo_set_long(node, "expires", ct->expires) < 0)
		return -1;
	if(ct->retry_after >= 0
			&& reginfo_set_long(node, "retry-after", ct->retry_after) < 0)
		return -1;
	if(ct->callid != NULL && reginfo_set(node, "callid", ct->callid) < 0)
		return -1;
	if(ct->cseq >= 0 && reginfo_set_long(node, "cseq", ct->cseq) < 0)
		return -1;
	if(ct->q != NULL && reginfo_set(node, "q", ct->q) < 0)
		return -1;
	/* schema sequence: uri, then display-name. xmlNewTextChild (unlike
	 * xmlNewChild) takes the content as literal text, not as markup */
	if(xmlNewTextChild(node, ns, BAD_CAST "uri", BAD_CAST ct->uri) == NULL)
		return -1;
	if(ct->display_name != NULL
			&& xmlNewTextChild(node, ns, BAD_CAST "display-name",
					   BAD_CAST ct->display_name)
					   == NULL)
		return -1;
	return reginfo_add_extras(node, ns, ct);
}

static int reginfo_add_registration(
		xmlNodePtr parent, xmlNsPtr ns, const reginfo_registration_t *reg)
{
	xmlNodePtr node;
	size_t ci;

	node = xmlNewChild(parent, ns, BAD_CAST "registration", NULL);
	if(node == NULL)
		return -1;
	if(reginfo_set(node, "aor", reg->aor) < 0
			|| reginfo_set(node, "id", reg->id) < 0
			|| reginfo_set(node, "state", reginfo_reg_state_name(reg->state))
					   < 0)
		return -1;
	for(ci = 0; ci < reg->ncontacts; ci++) {
		if(reginfo_add_contact(node, ns, &reg->contacts[ci]) < 0)
			return -1;
	}
	return 0;
}

xmlDocPtr reginfo_doc_tree(const reginfo_doc_t *doc, reginfo_add_f add)
{
	xmlDocPtr xdoc;
	xmlNodePtr root;
	xmlNsPtr ns;
	char buf[REGINFO_NUM_BUF];
	size_t ri;

	xdoc = xmlNewDoc(BAD_CAST "1.0");
	if(xdoc == NULL)
		return NULL;
	root = xmlNewDocNode(xdoc, NULL, BAD_CAST "reginfo", NULL);
	if(root == NULL)
		goto error;
	xmlDocSetRootElement(xdoc, root);
	/* default namespace: children are written without a prefix */
	ns = xmlNewNs(root, BAD_CAST REGINFO_NS, NULL);
	if(ns == NULL)
		goto error;
	xmlSetNs(root, ns);
	snprintf(buf, sizeof(buf), "%lu", doc->version);
	if(reginfo_set(root, "version", buf) < 0
			|| reginfo_set(root, "state", reginfo_doc_state_name(doc->state))
					   < 0)
		goto error;
	for(ri = 0; ri < doc->nregs; ri++) {
		if(add(root, ns, &doc->regs[ri]) < 0)
			goto error;
	}
	return xdoc;

error:
	xmlFreeDoc(xdoc);
	return NULL;
}

int reginfo_build(const reginfo_doc_t *doc, const core_mem_t *mem, char **body,
		size_t *len)
{
	xmlDocPtr xdoc;
	xmlChar *dump = NULL;
	int dump_len = 0;
	size_t ncontacts = 0;
	char *out;
	int ret;

	if(mem == NULL)
		mem = &core_mem_libc;
	if(body != NULL)
		*body = NULL;
	if(len != NULL)
		*len = 0;
	if(doc == NULL || body == NULL || len == NULL) {
		core_log(mem, CORE_LOG_ERR, "reginfo: bad arguments");
		return REGINFO_ERR_INVAL;
	}
	if(reginfo_check_doc(doc, mem, &ncontacts) < 0)
		return REGINFO_ERR_INVAL;
	ret = reginfo_check_unique(doc, ncontacts, mem);
	if(ret < 0)
		return ret;

	/* input is valid now: libxml2 can only fail for lack of memory */
	/* body_format "draft": the seed's notation, pure/reginfo_draft.c */
	xdoc = reginfo_doc_tree(doc,
			reginfo_draft_wanted(doc) ? reginfo_draft_add : reginfo_add_registration);
	if(xdoc == NULL) {
		core_log(mem, CORE_LOG_ERR, "reginfo: out of memory (tree)");
		return REGINFO_ERR_NOMEM;
	}
	xmlDocDumpMemory(xdoc, &dump, &dump_len);
	xmlFreeDoc(xdoc);
	if(dump == NULL || dump_len <= 0) {
		if(dump != NULL)
			xmlFree(dump);
		core_log(mem, CORE_LOG_ERR, "reginfo: out of memory (dump)");
		return REGINFO_ERR_NOMEM;
	}

	/* hand over a copy in the caller's memory (shm in the glue) */
	out = core_alloc(mem, (size_t)dump_len + 1);
	if(out == NULL) {
		xmlFree(dump);
		core_log(mem, CORE_LOG_ERR, "reginfo: out of memory (%d byte body)",
				dump_len);
		return REGINFO_ERR_NOMEM;
	}
	memcpy(out, dump, (size_t)dump_len);
	out[dump_len] = '\0';
	xmlFree(dump);
	*body = out;
	*len = (size_t)dump_len;
	return REGINFO_OK;
}

/* decimal digits only, no sign or blanks; 0 ok, -1 otherwise */
static int reginfo_parse_ulong(const char *s, unsigned long *v)
{
	unsigned long r = 0, d;

	if(*s == '\0')
		return -1;
	for(; *s != '\0'; s++) {
		if(*s < '0' || *s > '9')
			return -1;
		d = (unsigned long)(*s - '0');
		if(r > (ULONG_MAX - d) / 10)
			return -1;
		r = r * 10 + d;
	}
	*v = r;
	return 0;
}

int reginfo_parse_version(const char *body, size_t len, unsigned long *version)
{
	xmlDocPtr xdoc;
	xmlNodePtr root;
	xmlChar *attr = NULL;
	unsigned long v;
	int ret = REGINFO_ERR_XML;

	if(body == NULL || version == NULL)
		return REGINFO_ERR_INVAL;
	if(len == 0 || len > INT_MAX)
		return REGINFO_ERR_XML;
	/* no network, no entity substitution (XML_PARSE_NOENT is left out),
	 * and no error printing: pure/ does no I/O */
	xdoc = xmlReadMemory(body, (int)len, NULL, NULL,
			XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if(xdoc == NULL)
		return REGINFO_ERR_XML;
	/* a reginfo body has no DTD; refusing one keeps entity tricks out */
	if(xdoc->intSubset != NULL || xdoc->extSubset != NULL)
		goto done;
	root = xmlDocGetRootElement(xdoc);
	if(root == NULL || root->ns == NULL
			|| !xmlStrEqual(root->name, BAD_CAST "reginfo")
			|| !xmlStrEqual(root->ns->href, BAD_CAST REGINFO_NS))
		goto done;
	attr = xmlGetNoNsProp(root, BAD_CAST "version");
	if(attr == NULL || reginfo_parse_ulong((const char *)attr, &v) < 0)
		goto done;
	*version = v;
	ret = REGINFO_OK;
done:
	if(attr != NULL)
		xmlFree(attr);
	xmlFreeDoc(xdoc);
	return ret;
}
