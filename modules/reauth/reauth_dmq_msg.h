/*
 * reauth module - the pool's messages (JSON over the DMQ peer "reauth")
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_DMQ_MSG_H_
#define _REAUTH_DMQ_MSG_H_

#include "core/utils/srjson.h"

#include "reauth_dmq.h"

/* A message of this node: reauth_dmq_msg_init() starts doc as
 * {"type":type,"node":<this node>} (-1: dmq off or no memory, logged);
 * the caller adds its members; reauth_dmq_msg_send() prints it, sends it
 * to the peer in slot (answered as reauth_dmq_send does) or, slot -1, to
 * every peer up, and destroys doc. what names it in log lines (e.g.
 * "sub.put of subscription 5"). 0, or -1: not sent (logged: too large, no
 * memory, dmq). From a process of the module, never under a lock. */
int reauth_dmq_msg_init(srjson_doc_t *doc, const char *type);
int reauth_dmq_msg_send(srjson_doc_t *doc, int slot,
		reauth_dmq_answer_f answered, void *param, const char *what);
#endif
