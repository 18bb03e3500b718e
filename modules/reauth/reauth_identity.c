/*
 * reauth module - identities: parse a public identity and find it in usrloc
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include "core/dprint.h"
#include "core/ut.h"
#include "core/sr_module.h"
#include "core/parser/parse_uri.h"

#include "reauth_identity.h"

usrloc_api_t reauth_ul;
udomain_t *reauth_udomain = NULL;

int reauth_identity_init(const char *domain_name)
{
	bind_usrloc_t bind_usrloc;

	bind_usrloc = (bind_usrloc_t)find_export("ul_bind_usrloc", 1, 0);
	if(bind_usrloc == NULL || bind_usrloc(&reauth_ul) < 0) {
		LM_ERR("cannot bind usrloc: load the usrloc module before reauth\n");
		return -1;
	}
	/* the registrar's domain (table) whose records we watch and change */
	if(reauth_ul.register_udomain(domain_name, &reauth_udomain) < 0) {
		LM_ERR("cannot register usrloc domain '%s'\n", domain_name);
		return -1;
	}
	return 0;
}

/* Map a public identity URI to its usrloc key, as registrar's save() does:
 * user@host with usrloc's use_domain, user alone without it. */
int reauth_identity_to_aor(str *identity, reauth_identity_t *id)
{
	struct sip_uri puri;
	str user;
	int len;

	memset(id, 0, sizeof(*id));
	if(identity == NULL || identity->s == NULL || identity->len <= 0)
		return REAUTH_ID_EMPTY;
	if(parse_uri(identity->s, identity->len, &puri) < 0)
		return REAUTH_ID_UNPARSABLE;
	if(puri.type != SIP_URI_T && puri.type != SIPS_URI_T
			&& puri.type != TEL_URI_T && puri.type != TELS_URI_T)
		return REAUTH_ID_UNPARSABLE;
	user = puri.user;
	if(user.len <= 0)
		return REAUTH_ID_UNPARSABLE;
	if(reauth_ul.use_domain && puri.host.len > 0)
		len = snprintf(id->aor_buf, sizeof(id->aor_buf), "%.*s@%.*s", user.len,
				user.s, puri.host.len, puri.host.s);
	else
		len = snprintf(
				id->aor_buf, sizeof(id->aor_buf), "%.*s", user.len, user.s);
	if(len <= 0 || len >= (int)sizeof(id->aor_buf))
		return REAUTH_ID_UNPARSABLE;
	id->aor.s = id->aor_buf;
	id->aor.len = len;
	return REAUTH_ID_OK;
}

int reauth_ul_each(str *aor, int which, reauth_ul_contact_f fn, void *arg)
{
	urecord_t *rec = NULL;
	ucontact_t *c, *next;
	time_t now = time(NULL);
	int rc, n = 0;

	reauth_ul.lock_udomain(reauth_udomain, aor);
	rc = reauth_ul.get_urecord(reauth_udomain, aor, &rec);
	if(rc == 0) {
		for(c = rec->contacts; c; c = next) {
			next = c->next; /* fn may delete c */
			if(which == REAUTH_UL_VALID && !VALID_CONTACT(c, now))
				continue;
			n++;
			if(fn && fn(rec, c, arg) != 0)
				break;
		}
		reauth_ul.release_urecord(rec);
	}
	reauth_ul.unlock_udomain(reauth_udomain, aor);
	return rc < 0 ? -1 : n;
}

reauth_id_status_t reauth_identity_lookup(str *identity, reauth_identity_t *id)
{
	int rc;

	rc = reauth_identity_to_aor(identity, id);
	if(rc != REAUTH_ID_OK)
		return rc;
	id->contacts = reauth_ul_each(&id->aor, REAUTH_UL_VALID, NULL, NULL);
	if(id->contacts < 0) {
		id->contacts = 0;
		return REAUTH_ID_ERROR;
	}
	return id->contacts > 0 ? REAUTH_ID_OK : REAUTH_ID_NOT_REGISTERED;
}

const char *reauth_identity_reason(reauth_id_status_t status)
{
	switch(status) {
		case REAUTH_ID_OK:
			return "ok";
		case REAUTH_ID_EMPTY:
			return "empty identity";
		case REAUTH_ID_UNPARSABLE:
			return "identity is not a sip:, sips: or tel: URI with a user part";
		case REAUTH_ID_NOT_REGISTERED:
			return "identity is not registered";
		default:
			return "internal error";
	}
}
