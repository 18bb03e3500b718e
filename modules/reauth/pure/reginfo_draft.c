/*
 * reauth module - the seed contribution's notation (body_format "draft")
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */


#include "reginfo_draft.h"

int reginfo_draft_wanted(const reginfo_doc_t *doc)
{
	size_t i;

	for(i = 0; i < doc->nregs; i++)
		if(doc->regs[i].draft_state != NULL)
			return 1;
	return 0;
}

/* <tuple name="AOR"><status><value>STATE</value></status>[<detail>]:
 * xmlNewTextChild and xmlNewProp take values as text, libxml2 escapes */
int reginfo_draft_add(
		xmlNodePtr parent, xmlNsPtr ns, const reginfo_registration_t *reg)
{
	const char *state;
	xmlNodePtr tuple, status;

	/* the others: "the current registration state", in RFC 3680's words */
	state = reg->draft_state ? reg->draft_state
							 : reginfo_reg_state_name(reg->state);
	tuple = xmlNewChild(parent, ns, BAD_CAST "tuple", NULL);
	if(tuple == NULL
			|| xmlNewProp(tuple, BAD_CAST "name", BAD_CAST reg->aor) == NULL)
		return -1;
	status = xmlNewChild(tuple, ns, BAD_CAST "status", NULL);
	if(status == NULL
			|| xmlNewTextChild(status, ns, BAD_CAST "value", BAD_CAST state)
					   == NULL)
		return -1;
	/* the seed's example: <detail> follows </status>, inside the tuple */
	if(reg->detail != NULL
			&& xmlNewTextChild(
					   tuple, ns, BAD_CAST "detail", BAD_CAST reg->detail)
					   == NULL)
		return -1;
	return 0;
}
