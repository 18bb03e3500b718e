/*
 * reauth module - the contacts of an identity, copied out of usrloc
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <string.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/qvalue.h"

#include "pure/reginfo.h"

#include "reauth_identity.h"
#include "reauth_snapshot.h"
#include "reauth_str.h"

void reauth_snapshot_free(ul_snapshot_t *snap)
{
	if(snap->buf)
		pkg_free(snap->buf);
	if(snap->cts)
		pkg_free(snap->cts);
	memset(snap, 0, sizeof(*snap));
}

/* pack s into the snapshot's buffer; the copy is NUL-terminated */
static const char *snap_str(char **p, str *s)
{
	str copy;

	reauth_str_pack(&copy, s, p);
	return copy.s;
}

typedef struct snap_walk
{
	ul_snapshot_t *snap;
	size_t room; /* contacts that fit */
	size_t len;	 /* first pass: bytes needed */
	char *p;	 /* second pass: where the next string goes */
} snap_walk_t;

static int contact_size(urecord_t *r, ucontact_t *c, void *arg)
{
	((snap_walk_t *)arg)->len += c->c.len + c->callid.len + 8 + 2;
	return 0;
}

static int contact_copy(urecord_t *r, ucontact_t *c, void *arg)
{
	snap_walk_t *w = arg;
	regstate_contact_t *rc;
	unsigned int qlen;
	str qs;

	if(w->snap->n >= w->room)
		return 1; /* registered meanwhile: the next NOTIFY has it */
	rc = &w->snap->cts[w->snap->n++];
	memset(rc, 0, sizeof(*rc));
	rc->uri = snap_str(&w->p, &c->c);
	rc->callid = snap_str(&w->p, &c->callid);
	rc->cseq = c->cseq;
	rc->expires_at = c->expires;
	rc->event = REGINFO_EV_REGISTERED;
	if(c->q != Q_UNSPECIFIED) {
		qs.s = q2str(c->q, &qlen);
		qs.len = qlen;
		rc->q = snap_str(&w->p, &qs);
	}
	return 0;
}

int reauth_snapshot_take(str *aor, ul_snapshot_t *snap, size_t extra)
{
	snap_walk_t w;
	int n;

	memset(snap, 0, sizeof(*snap));
	memset(&w, 0, sizeof(w));
	w.snap = snap;
	/* sizes first, copies second: between the two walks contacts may
	 * come or go, so the copy stops at what was sized */
	n = reauth_ul_each(aor, REAUTH_UL_VALID, contact_size, &w);
	if(n < 0)
		n = 0;
	w.room = (size_t)n;
	w.len += (size_t)n * 8; /* q values */
	snap->cts = pkg_malloc((n + extra + 1) * sizeof(regstate_contact_t));
	snap->buf = pkg_malloc(w.len + 1);
	if(snap->cts == NULL || snap->buf == NULL) {
		PKG_MEM_ERROR;
		reauth_snapshot_free(snap);
		return -1;
	}
	w.p = snap->buf;
	if(n > 0)
		reauth_ul_each(aor, REAUTH_UL_VALID, contact_copy, &w);
	return 0;
}

int reauth_snapshot_active(ul_snapshot_t *snap)
{
	size_t i;

	for(i = 0; i < snap->n; i++)
		if(reginfo_event_ct_state(snap->cts[i].event) == REGINFO_CT_ACTIVE)
			return 1;
	return 0;
}

static int same(const char *a, str *b)
{
	return a && (int)strlen(a) == b->len && memcmp(a, b->s, b->len) == 0;
}

void reauth_snapshot_apply(ul_snapshot_t *snap, ul_change_t *ch)
{
	regstate_contact_t *c;
	size_t i;

	for(i = 0; i < snap->n; i++) {
		c = &snap->cts[i];
		if(same(c->uri, &ch->uri) && same(c->callid, &ch->callid)) {
			c->event = ch->event;
			return;
		}
	}
	if(reginfo_event_ct_state(ch->event) == REGINFO_CT_ACTIVE)
		return; /* changed again since: the snapshot is newer */
	c = &snap->cts[snap->n++];
	memset(c, 0, sizeof(*c));
	c->uri = ch->uri.s;
	c->callid = ch->callid.s;
	c->cseq = ch->cseq;
	c->expires_at = ch->expires;
	c->event = ch->event;
}

void reauth_view_free(reauth_view_t *v)
{
	int i;

	if(v == NULL)
		return;
	for(i = 0; i < v->n; i++)
		reauth_snapshot_free(&v->snap[i]);
	reauth_user_free(&v->user);
	pkg_free(v);
}

reauth_view_t *reauth_view_take(str *identity, str *aor, size_t extra)
{
	reauth_view_t *v;
	int i, rc;

	v = pkg_malloc(sizeof(*v));
	if(v == NULL) {
		PKG_MEM_ERROR;
		return NULL;
	}
	memset(v, 0, sizeof(*v));
	rc = identity ? reauth_sets_resolve(identity, &v->user)
				  : reauth_sets_resolve_aor(aor, &v->user);
	if(rc == -2)
		goto error;
	if(rc < 0) {
		/* not listed: the identity alone, named by the caller */
		memset(&v->user, 0, sizeof(v->user));
		v->aor[0] = *aor;
		if(reauth_snapshot_take(aor, &v->snap[0], extra) < 0)
			goto error;
		v->n = 1;
		v->ids[0].contacts = v->snap[0].cts;
		v->ids[0].ncontacts = v->snap[0].n;
		return v;
	}
	for(i = 0; i < v->user.nall; i++) {
		if(reauth_identity_to_aor(&v->user.all[i], &v->key[i]) != REAUTH_ID_OK)
			continue; /* not a URI usrloc can key: left out */
		if(reauth_snapshot_take(&v->key[i].aor, &v->snap[v->n], extra) < 0)
			goto error;
		v->aor[v->n] = v->key[i].aor;
		v->ids[v->n].uri = v->user.all[i].s;
		v->ids[v->n].contacts = v->snap[v->n].cts;
		v->ids[v->n].ncontacts = v->snap[v->n].n;
		v->n++;
	}
	return v;

error:
	reauth_view_free(v);
	return NULL;
}

int reauth_view_index(reauth_view_t *v, str *aor)
{
	int i;

	for(i = 0; i < v->n; i++)
		if(reauth_str_ieq(&v->aor[i], aor))
			return i;
	return -1;
}

/* after reauth_snapshot_apply: the document lists the new contact too */
void reauth_view_sync(reauth_view_t *v, int i)
{
	v->ids[i].contacts = v->snap[i].cts;
	v->ids[i].ncontacts = v->snap[i].n;
}
