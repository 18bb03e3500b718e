/*
 * reauth module - registration state of identities as a reginfo body
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdio.h>
#include <string.h>

#include "regstate.h"

#define REGSTATE_ID_LEN 32
#define REGSTATE_PARAMS 2 /* +sip.instance, reg-id */
#define REGSTATE_PARAM_LEN 16 /* the reg-id digits */

unsigned int regstate_hash(const char *s, unsigned int h)
{
	if(h == 0)
		h = 2166136261u;
	for(; s != NULL && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static int id_taken(const reginfo_contact_t *cts, size_t n, const char *id)
{
	size_t i;

	for(i = 0; i < n; i++)
		if(strcmp(cts[i].id, id) == 0)
			return 1;
	return 0;
}

static reginfo_reg_state_t reg_state_of(const reginfo_contact_t *cts, size_t n)
{
	size_t i;

	if(n == 0)
		return REGINFO_REG_INIT;
	for(i = 0; i < n; i++)
		if(cts[i].state == REGINFO_CT_ACTIVE)
			return REGINFO_REG_ACTIVE;
	return REGINFO_REG_TERMINATED;
}

/* +sip.instance and reg-id as unknown-params (RFC 5626, RFC 5628 example),
 * GRUUs as given; buf holds the reg-id digits */
static void contact_params(const regstate_contact_t *c, reginfo_contact_t *o,
		reginfo_param_t *p, char *buf)
{
	o->params = p;
	o->nparams = 0;
	if(c->instance != NULL && c->instance[0] != '\0') {
		p[o->nparams].name = "+sip.instance";
		p[o->nparams++].value = c->instance;
	}
	if(c->reg_id > 0) {
		snprintf(buf, REGSTATE_PARAM_LEN, "%u", c->reg_id);
		p[o->nparams].name = "reg-id";
		p[o->nparams++].value = buf;
	}
	o->pub_gruu = c->pub_gruu;
	o->temp_gruu = c->temp_gruu;
	o->temp_gruu_cseq = c->temp_gruu_cseq;
}

/* RFC 3680 4.7.2 partial state: only the registrations with a changed
 * contact, each with its changed contacts alone; registration states and
 * ids are those of the full document. Returns how many are left. */
static size_t keep_changed(const regstate_identity_t *ids,
		reginfo_registration_t *regs, size_t nids)
{
	reginfo_contact_t *cts;
	size_t i, j, m, n = 0;

	for(i = 0; i < nids; i++) {
		cts = (reginfo_contact_t *)regs[i].contacts;
		for(j = 0, m = 0; j < regs[i].ncontacts; j++)
			if(ids[i].contacts[j].changed)
				cts[m++] = cts[j];
		if(m == 0)
			continue;
		regs[i].ncontacts = m;
		regs[n++] = regs[i];
	}
	return n;
}

int regstate_build_body(const regstate_identity_t *ids, size_t nids,
		unsigned long version, long now, const core_mem_t *mem, char **body,
		size_t *len)
{
	return regstate_build_doc(
			ids, nids, REGINFO_FULL, version, now, mem, body, len);
}

int regstate_build_doc(const regstate_identity_t *ids, size_t nids,
		reginfo_doc_state_t st, unsigned long version, long now,
		const core_mem_t *mem, char **body, size_t *len)
{
	reginfo_registration_t *regs = NULL;
	reginfo_contact_t *cts = NULL;
	reginfo_param_t *params = NULL;
	char *pbuf = NULL;
	char *idbuf = NULL, *id;
	reginfo_doc_t doc;
	size_t i, j, k, total = 0;
	unsigned int h;
	int rc;

	if(mem == NULL)
		mem = &core_mem_libc;
	if(body != NULL)
		*body = NULL;
	if(len != NULL)
		*len = 0;
	if(body == NULL || len == NULL || (nids > 0 && ids == NULL)
			|| nids > REGINFO_MAX_REGS)
		goto inval;
	for(i = 0; i < nids; i++) {
		/* checked one by one so that the sum cannot wrap around */
		if(ids[i].ncontacts > REGINFO_MAX_CONTACTS - total
				|| (ids[i].ncontacts > 0 && ids[i].contacts == NULL))
			goto inval;
		total += ids[i].ncontacts;
	}

	/* one block each: registrations, contacts, and their id strings */
	if(nids > 0 && (regs = core_alloc(mem, nids * sizeof(*regs))) == NULL)
		goto nomem;
	if(total > 0 && (cts = core_alloc(mem, total * sizeof(*cts))) == NULL)
		goto nomem;
	if((idbuf = core_alloc(mem, (nids + total + 1) * REGSTATE_ID_LEN)) == NULL)
		goto nomem;
	if(total > 0
			&& ((params = core_alloc(mem, total * REGSTATE_PARAMS * sizeof(*params)))
						== NULL
					|| (pbuf = core_alloc(mem, total * REGSTATE_PARAM_LEN))
							   == NULL))
		goto nomem;

	id = idbuf;
	k = 0;
	for(i = 0; i < nids; i++) {
		h = regstate_hash(ids[i].uri, 0);
		snprintf(id, REGSTATE_ID_LEN, "r%08x", h);
		memset(&regs[i], 0, sizeof(regs[i]));
		regs[i].aor = ids[i].uri;
		regs[i].id = id;
		regs[i].draft_state = ids[i].draft_state;
		regs[i].detail = ids[i].detail;
		id += REGSTATE_ID_LEN;
		/* no contact in the whole document: cts is NULL, and NULL + 0
		 * is undefined behaviour */
		regs[i].contacts = cts != NULL ? cts + k : NULL;
		regs[i].ncontacts = ids[i].ncontacts;
		for(j = 0; j < ids[i].ncontacts; j++, k++) {
			const regstate_contact_t *c = &ids[i].contacts[j];
			reginfo_contact_t *o = &cts[k];
			long left;

			/* the identity seeds the hash: the same UE contact under two
			 * identities gets two ids; a contact listed twice gets a
			 * suffix so that ids stay unique */
			snprintf(id, REGSTATE_ID_LEN, "c%08x",
					regstate_hash(c->callid, regstate_hash(c->uri, h)));
			if(id_taken(regs[i].contacts, j, id))
				snprintf(id + 9, REGSTATE_ID_LEN - 9, "-%zu", j);
			memset(o, 0, sizeof(*o));
			o->id = id;
			id += REGSTATE_ID_LEN;
			o->uri = c->uri;
			o->event = c->event;
			o->state = reginfo_event_ct_state(c->event);
			if(o->state != REGINFO_CT_ACTIVE) {
				o->expires = 0;
			} else if(c->expires_at == 0) {
				o->expires = -1; /* permanent contact: no expires */
			} else {
				left = c->expires_at - now;
				o->expires = left > 0 ? left : 0;
			}
			o->retry_after = -1;
			o->callid = c->callid;
			o->cseq = c->cseq;
			o->q = c->q;
			contact_params(c, o, params + k * REGSTATE_PARAMS,
					pbuf + k * REGSTATE_PARAM_LEN);
		}
		regs[i].state = reg_state_of(regs[i].contacts, regs[i].ncontacts);
	}

	doc.version = version;
	doc.state = st;
	doc.regs = regs;
	doc.nregs = st == REGINFO_PARTIAL ? keep_changed(ids, regs, nids) : nids;
	rc = reginfo_build(&doc, mem, body, len);
	core_free(mem, regs);
	core_free(mem, params);
	core_free(mem, pbuf);
	core_free(mem, cts);
	core_free(mem, idbuf);
	return rc;

inval:
	core_log(mem, CORE_LOG_ERR,
			"regstate: bad arguments or more than %d contacts",
			REGINFO_MAX_CONTACTS);
	return REGINFO_ERR_INVAL;

nomem:
	core_log(mem, CORE_LOG_ERR, "regstate: out of memory");
	core_free(mem, regs);
	core_free(mem, params);
	core_free(mem, pbuf);
	core_free(mem, cts);
	core_free(mem, idbuf);
	return REGINFO_ERR_NOMEM;
}
