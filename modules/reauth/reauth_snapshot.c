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
#include "core/sr_module.h"

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
	char *end;	 /* second pass: the end of the buffer */
} snap_walk_t;

/* registrar's gruu_enabled (default 1), read once from its exports */
static int gruu_enabled(void)
{
	static int enabled = -1;
	modparam_t type;
	int *p;

	if(enabled < 0) {
		p = find_module_by_name("registrar")
					? find_param_export(find_module_by_name("registrar"),
							"gruu_enabled", INT_PARAM, &type)
					: NULL;
		enabled = p ? *p == 1 : 0;
	}
	return enabled;
}

/* the host of a usrloc key user@host, or NULL (use_domain off) */
static char *aor_host(str *aor, int *len)
{
	char *a = memchr(aor->s, '@', aor->len);

	if(a == NULL || a + 1 >= aor->s + aor->len)
		return NULL;
	*len = (int)(aor->s + aor->len - a - 1);
	return a + 1;
}

/* bytes the GRUUs of c take (0: none), as registrar's reply.c sizes them */
static int gruu_size(urecord_t *r, ucontact_t *c)
{
	int hlen;

	if(c->instance.len <= 0 || !gruu_enabled()
			|| aor_host(c->aor, &hlen) == NULL)
		return 0;
	return 4 + c->aor->len + 4 + c->instance.len + 1 /* pub */
		   + 4 + c->ruid.len + 1 + 8 + 1 + hlen + 3 + 1; /* temp */
}

/* RFC 5628 GRUUs as Kamailio's registrar builds them for its 200 OK
 * (registrar exports no builder; its docs and reply.c): pub-gruu
 * sip:AOR;gr=INSTANCE-URN, temp-gruu sip:RUID-AORHASH@HOST;gr */
static void gruu_copy(ucontact_t *c, regstate_contact_t *rc, char **p)
{
	unsigned int h;
	str inst = c->instance;
	char *host;
	int hlen = 0, n;

	host = aor_host(c->aor, &hlen);
	if(inst.len >= 2 && inst.s[0] == '<' && inst.s[inst.len - 1] == '>') {
		inst.s++;
		inst.len -= 2;
	}
	rc->pub_gruu = *p;
	n = sprintf(*p, "sip:%.*s;gr=%.*s", c->aor->len, c->aor->s, inst.len,
			inst.s);
	*p += n + 1;
	rc->temp_gruu = *p;
	n = sprintf(*p, "sip:%.*s-", c->ruid.len, c->ruid.s);
	for(h = reauth_ul.get_aorhash(c->aor); h != 0; h >>= 4)
		(*p)[n++] = "0123456789abcdef"[h & 0x0f];
	n += sprintf(*p + n, "@%.*s;gr", hlen, host);
	*p += n + 1;
	/* usrloc keeps the last CSeq only: the temp-gruu stays the same for
	 * the contact's life (it derives from the ruid) */
	rc->temp_gruu_cseq = (unsigned long)(c->cseq > 0 ? c->cseq : 0);
}

static int contact_size(urecord_t *r, ucontact_t *c, void *arg)
{
	((snap_walk_t *)arg)->len += c->c.len + c->callid.len + 8 + 2
								 + c->instance.len + 3 + gruu_size(r, c);
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
	/* changed between the two walks: what does not fit waits, too */
	if(w->end - w->p < c->c.len + c->callid.len + 10 + c->instance.len + 3
							   + gruu_size(r, c))
		return 1;
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
	/* RFC 5626: +sip.instance as the Contact carried it (quoted) */
	if(c->instance.len > 0) {
		rc->instance = w->p;
		w->p += sprintf(w->p, "\"%.*s\"", c->instance.len, c->instance.s) + 1;
		if(gruu_size(r, c) > 0)
			gruu_copy(c, rc, &w->p);
	}
	rc->reg_id = c->reg_id;
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
	w.end = snap->buf + w.len + 1;
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
			c->changed = 1;
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
	c->changed = 1;
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

reauth_view_t *reauth_view_take_change(str *aor, ul_change_t *ch, int *k)
{
	reauth_view_t *v;

	if((v = reauth_view_take(NULL, aor, 1)) == NULL)
		return NULL;
	if((*k = reauth_view_index(v, aor)) >= 0) {
		reauth_snapshot_apply(&v->snap[*k], ch);
		reauth_view_sync(v, *k);
	}
	return v;
}
