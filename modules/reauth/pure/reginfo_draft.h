/*
 * reauth module - the seed contribution's notation (body_format "draft")
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Internal to pure/: reginfo_build() hands a document here when any of
 * its registrations has a draft_state (the glue sets one only with
 * body_format "draft"). The seed (../shared/seed/, proposed text for TS
 * 24.229 11.4.1.5) shows one entry per public identity:
 *
 *   <tuple name="sip:user1_public1@home1.net">
 *     <status><value>re-authenticate</value></status>
 *   </tuple>
 *   <tuple name="sip:user1_public2@home1.net">
 *     <status><value>re-authenticate</value></status>
 *     <detail>automatically by sip:user1_public1@home1.net</detail>
 *   </tuple>
 *
 * and says the body is otherwise populated as the reg event package
 * ([14], since RFC 3680) populates it. So the document is, shown
 * indented (the real body is compact):
 *
 *   <?xml version="1.0"?>
 *   <reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="N"
 *       state="full">
 *    <tuple name="AOR"><status><value>STATE</value></status>
 *      [<detail>automatically by LEADER</detail>]</tuple>
 *    ... one tuple per registration, in the order given
 *   </reginfo>
 *
 * STATE is the registration's draft_state ("re-authenticate"), or for
 * every other identity its current RFC 3680 registration state (init,
 * active, terminated). Only these elements: the seed's example has no
 * contact, id or expires, and tuples mirror it element for element.
 * Well-formed XML, not valid against the RFC 3680 schema.
 */

#ifndef _REAUTH_CORE_REGINFO_DRAFT_H_
#define _REAUTH_CORE_REGINFO_DRAFT_H_

#include <libxml/tree.h>

#include "reginfo.h"

/* 1 when doc is to be written in the draft notation */
int reginfo_draft_wanted(const reginfo_doc_t *doc);

/* one registration as the seed's <tuple>; 0, or -1 out of memory. The
 * document around the tuples is the reg package's (root, namespace,
 * version, state): the seed says the NOTIFY is populated "in accordance
 * with [14]" and shows the entries only. */
int reginfo_draft_add(
		xmlNodePtr parent, xmlNsPtr ns, const reginfo_registration_t *reg);

/* (reginfo.c) the tree of an already checked document: the <reginfo>
 * root (namespace, version, state), each registration added by add;
 * NULL when out of memory */
typedef int (*reginfo_add_f)(
		xmlNodePtr parent, xmlNsPtr ns, const reginfo_registration_t *reg);
xmlDocPtr reginfo_doc_tree(const reginfo_doc_t *doc, reginfo_add_f add);

#endif
