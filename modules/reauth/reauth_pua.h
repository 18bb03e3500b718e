/*
 * reauth module - the reg event through a presence server (pua)
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * reg_event_mode "pua": the module keeps no reg event subscription of its
 * own. Kamailio's presence + presence_reginfo hold the watchers; the
 * module PUBLISHes (through pua's send_publish) the registration state of
 * every public identity it changes or sees changed in usrloc, in the
 * same documents its own notifier sends (full state, every identity of
 * the user, the re-authentication's shortened contacts, the terminated
 * state of a network-initiated de-registration). One PUBLISH of an
 * identity is open at a time: a newer document waits for the answer and
 * replaces any older one that waits (pua 5.6 would send both with one
 * ETag, and the second would get 412).
 */

#ifndef _REAUTH_PUA_H_
#define _REAUTH_PUA_H_

#include "core/str.h"
#include "modules/usrloc/usrloc.h"

#include "pure/regstate.h"
#include "reauth_queue.h"

/* modparam reg_event_mode: 0 own notifier (default), 1 pua */
extern int reauth_reg_event_pua;
/* modparam publish_wait: seconds to wait for the re-REGISTER before the
 * fallback (-1: shortened_expires) */
extern int reauth_publish_wait;
/* modparam publish_expires: Expires of the module's PUBLISHes */
extern int reauth_publish_expires;

/* a param_func_t for reg_event_mode ("own" or "pua") */
int reauth_reg_event_mode_param(unsigned int type, void *val);

/* mod_init (pua mode only does anything): bind pua, check pua_reginfo */
int reauth_pua_init(void);
void reauth_pua_destroy(void);

/* the worker of the user of a usrloc key (pua mode: every change is
 * published, watched or not) */
unsigned int reauth_pua_shard(str *aor);
/* the worker: publish the user's state after the change of the job */
void reauth_pua_on_ul_change(reauth_job_t *job);

/* the worker of shard 0, slice of slices of the open PUBLISHes a tick */
void reauth_pua_tick(time_t now, unsigned int slice, unsigned int slices);

/* Publish the document listing ids (full state) as the state of uri.
 * 0: sent, or waiting for the open PUBLISH of uri; -1: not. */
int reauth_pua_publish(str *uri, regstate_identity_t *ids, int nids);
/* the same for each of uris; returns how many were sent */
int reauth_pua_publish_all(
		str *uris, int nuris, regstate_identity_t *ids, int nids);

#endif
