/*
 * reauth module - the pool's messages (JSON over the DMQ peer "reauth")
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Every message of the pool but the hello is built and sent here, by the
 * module's workers (reauth_replica.c, reauth_proc_replica.c,
 * reauth_takeover.c): {"type":...,"node":...} and the sender's members,
 * at most REAUTH_DMQ_BODY_MAX bytes, to one peer or to every peer up.
 */

#include <string.h>

#include "core/dprint.h"

#include "reauth_dmq.h"
#include "reauth_dmq_msg.h"

int reauth_dmq_msg_init(srjson_doc_t *doc, const char *type)
{
	const char *self;
	int len;

	if(!reauth_dmq_enable || (self = reauth_dmq_self(&len)) == NULL)
		return -1;
	srjson_InitDoc(doc, NULL);
	doc->root = srjson_CreateObject(doc);
	if(doc->root == NULL) {
		LM_ERR("cannot build a %s (no memory)\n", type);
		srjson_DestroyDoc(doc);
		return -1;
	}
	srjson_AddStringToObject(doc, doc->root, "type", type);
	srjson_AddStrToObject(doc, doc->root, "node", self, len);
	return 0;
}

int reauth_dmq_msg_send(srjson_doc_t *doc, int slot,
		reauth_dmq_answer_f answered, void *param, const char *what)
{
	str body;
	int rc = -1;

	body.s = srjson_PrintUnformatted(doc, doc->root);
	if(body.s == NULL) {
		LM_ERR("cannot print the %s (no memory)\n", what);
		srjson_DestroyDoc(doc);
		return -1;
	}
	body.len = strlen(body.s);
	if(body.len > REAUTH_DMQ_BODY_MAX)
		LM_WARN("%s: %d bytes, more than a reauth DMQ message carries (%d):"
				" not sent\n",
				what, body.len, REAUTH_DMQ_BODY_MAX);
	else if((rc = slot >= 0 ? reauth_dmq_send(slot, &body, answered, param)
							: reauth_dmq_bcast(&body))
			== 0)
		LM_DBG("%s sent\n", what);
	doc->free_fn(body.s);
	srjson_DestroyDoc(doc);
	return rc;
}
