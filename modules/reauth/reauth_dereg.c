/*
 * reauth module - usrloc changes of the procedure
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Shortening and removing contacts go through usrloc's API (so DB and
 * replication follow). The user's calls are ended by reauth_sessions.c.
 */

#include <string.h>

#include "core/dprint.h"

#include "reauth_dereg.h"
#include "reauth_identity.h"

static void fill_info(ucontact_t *c, ucontact_info_t *ci)
{
	memset(ci, 0, sizeof(*ci));
	ci->ruid = c->ruid;
	ci->c = &c->c;
	ci->received = c->received;
	ci->path = &c->path;
	ci->expires = c->expires;
	ci->q = c->q;
	ci->callid = &c->callid;
	ci->cseq = c->cseq;
	ci->flags = c->flags;
	ci->cflags = c->cflags;
	ci->user_agent = &c->user_agent;
	ci->sock = c->sock;
	ci->methods = c->methods;
	ci->instance = c->instance;
	ci->reg_id = c->reg_id;
	ci->server_id = c->server_id;
	ci->tcpconn_id = c->tcpconn_id;
	ci->keepalive = c->keepalive;
	ci->last_modified = c->last_modified;
}

int reauth_dereg_shorten(str *aor, int expires)
{
	urecord_t *rec = NULL;
	ucontact_t *c;
	ucontact_info_t ci;
	time_t now = time(NULL), until = now + expires;
	int n = 0;

	reauth_ul.lock_udomain(reauth_udomain, aor);
	if(reauth_ul.get_urecord(reauth_udomain, aor, &rec) == 0) {
		for(c = rec->contacts; c; c = c->next) {
			if(!VALID_CONTACT(c, now)
					|| (c->expires != 0 && c->expires <= until))
				continue;
			fill_info(c, &ci);
			ci.expires = until;
			if(reauth_ul.update_ucontact(rec, c, &ci) < 0)
				LM_ERR("cannot shorten contact %.*s of %.*s\n", c->c.len,
						c->c.s, aor->len, aor->s);
			else
				n++;
		}
		reauth_ul.release_urecord(rec);
	}
	reauth_ul.unlock_udomain(reauth_udomain, aor);
	LM_DBG("%d contacts of %.*s expire in %d s\n", n, aor->len, aor->s,
			expires);
	return n;
}

int reauth_dereg_contacts(str *aor)
{
	urecord_t *rec = NULL;
	ucontact_t *c, *next;
	int n = 0;

	reauth_ul.lock_udomain(reauth_udomain, aor);
	if(reauth_ul.get_urecord(reauth_udomain, aor, &rec) == 0) {
		for(c = rec->contacts; c; c = next) {
			next = c->next;
			if(reauth_ul.delete_ucontact(rec, c) < 0)
				LM_ERR("cannot remove a contact of %.*s\n", aor->len, aor->s);
			else
				n++;
		}
		reauth_ul.release_urecord(rec);
	}
	reauth_ul.unlock_udomain(reauth_udomain, aor);
	return n;
}
