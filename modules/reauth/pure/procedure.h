/*
 * reauth module - the network-initiated re-authentication procedure
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A pure state machine (3GPP TS 24.229 5.4.1.6): events in, actions out,
 * time given by the caller. The glue lists, at the trigger, who could be
 * reached (the user's subscriptions and registered contacts: targets);
 * the machine decides which of them get a NOTIFY or a REFER by marking
 * them RT_TO_SEND, and the glue reports for each what it really did
 * (sent or not) and what came back. Nothing is counted twice, nothing is
 * predicted by the glue.
 *
 *   TRIGGER --> NOTIFYING --(2xx from a UE subscription)--> AWAITING
 *       |           | (every UE NOTIFY failed)                 |
 *       |           v                                          | authenticated
 *       +----> REFERRING --(2xx/202)--> AWAITING               | re-REGISTER
 *   (no UE      | (every REFER failed)                         v
 *   subscription)v                                          COMPLETED
 *            DEREGISTERED <------(deadline, in any state)
 *
 * Through a presence server (reg_event_mode pua) the glue lists no
 * subscriptions but one publication per identity: nobody's answer is
 * seen, so the machine decides by time:
 *
 *   TRIGGER --> PUBLISHED --(publish_wait passed, no re-REGISTER)--> REFERRING
 *                   | (every publication failed: at once)      (or DEREGISTERED
 *                   v                                           without REFER)
 *               REFERRING; an authenticated re-REGISTER completes it at any time
 */

#ifndef _REAUTH_CORE_PROCEDURE_H_
#define _REAUTH_CORE_PROCEDURE_H_

typedef enum reauth_proc_state
{
	RP_IDLE = 0,
	RP_NOTIFYING, /* NOTIFYs sent, no UE has accepted yet */
	RP_REFERRING, /* REFERs sent, none accepted yet */
	RP_AWAITING,  /* a UE accepted: waiting for its authenticated REGISTER */
	RP_PUBLISHED, /* published to a presence server: waiting publish_wait
				   * for the authenticated REGISTER, answers unseen */
	RP_DONE		  /* the last: the DB keeps states before it */
} reauth_proc_state_t;

typedef enum reauth_proc_outcome
{
	RP_OUT_NONE = 0,
	RP_OUT_COMPLETED,
	RP_OUT_DEREGISTERED,
	RP_OUT_CANCELLED
} reauth_proc_outcome_t;

typedef enum reauth_proc_reason
{
	RP_WHY_NONE = 0,
	RP_WHY_REREGISTERED,  /* completed: authenticated re-REGISTER */
	RP_WHY_NOTIFY_FAILED, /* every UE NOTIFY failed, no REFER to try */
	RP_WHY_REFER_FAILED,  /* every REFER failed */
	RP_WHY_NO_WAY,		  /* no UE subscription, no REFER possible */
	RP_WHY_TIMEOUT,		  /* the deadline passed */
	RP_WHY_CANCELLED,	  /* an operator cancelled it */
	RP_WHY_NOT_REREGISTERED /* published: no re-REGISTER within
							 * publish_wait, no REFER to try */
} reauth_proc_reason_t;

typedef struct reauth_proc_cfg
{
	long timeout;		/* seconds from trigger to de-registration */
	int refer_fallback; /* try REFER when NOTIFY does not do */
	int end_sessions;	/* end the user's dialogs when de-registering */
	long publish_wait;	/* RT_PUBLICATION targets: seconds from trigger
						 * to the fallback (REFER) without a re-REGISTER */
} reauth_proc_cfg_t;

typedef enum reauth_target_kind
{
	RT_SUB_UE = 1, /* a subscription of the UE itself: its 2xx counts */
	RT_SUB_OTHER,  /* a P-CSCF or AS watching: informed only */
	RT_CONTACT,	   /* a registered contact: a REFER target */
	RT_PUBLICATION /* an identity's registration state published to a
					* presence server: its watchers' answers are not seen */
} reauth_target_kind_t;

typedef enum reauth_target_status
{
	RT_KNOWN = 0, /* listed at the trigger, nothing asked of it yet */
	RT_TO_SEND,	  /* an action asks the glue to send to it */
	RT_SENT,	  /* sent, no final answer yet */
	RT_UNSENT,	  /* the glue could not send (gone, transport error) */
	RT_ACCEPTED,  /* final answer 2xx */
	RT_REFUSED	  /* final answer >= 300, or a timeout (408) */
} reauth_target_status_t;

typedef struct reauth_target
{
	unsigned int ref;		 /* the glue's key: subscription id, contact */
	unsigned short identity; /* the glue's index of its identity */
	unsigned char kind;		 /* reauth_target_kind_t */
	unsigned char status;	 /* reauth_target_status_t */
} reauth_target_t;

typedef struct reauth_proc
{
	reauth_proc_state_t state;
	reauth_proc_outcome_t outcome;
	reauth_proc_reason_t reason;
	long started;
	long deadline;
	long ended;					 /* when the outcome was reached */
	unsigned int notify_pending; /* UE NOTIFYs without a final answer;
								  * RP_PUBLISHED: publications not failed */
	unsigned int refer_pending;	 /* REFERs without a final answer */
	unsigned int contacts;		 /* REFER targets */
	reauth_target_t *targets;	 /* the glue's array, given at the trigger */
	unsigned int ntargets;
	/* an authenticated REGISTER of the set was saved at this time (0:
	 * none); its event may reach the procedure after the deadline */
	long reregistered_at;
	/* RP_PUBLISHED: the fallback is due at this time (0: at the deadline,
	 * e.g. restored from the DB) */
	long wait_until;
} reauth_proc_t;

typedef enum reauth_action_type
{
	RA_SHORTEN = 1,		  /* shorten the set's contacts in usrloc */
	RA_SEND_NOTIFY,		  /* re-authentication NOTIFY to every subscription
						   * target marked RT_TO_SEND */
	RA_SEND_REFER,		  /* REFER to every contact target RT_TO_SEND */
	RA_DEREGISTER,		  /* remove the contacts, NOTIFY terminated */
	RA_END_SESSIONS,	  /* BYE every dialog of the set */
	RA_ARM_TIMER,		  /* call reauth_proc_deadline at `at` */
	RA_RAISE_COMPLETED,	  /* event_route[reauth:completed] */
	RA_RAISE_FAILED,	  /* event_route[reauth:failed] */
	RA_RAISE_DEREGISTERED /* event_route[reauth:deregistered] */
} reauth_action_type_t;

typedef struct reauth_action
{
	reauth_action_type_t type;
	long at; /* RA_ARM_TIMER */
} reauth_action_t;

#define REAUTH_ACTIONS_MAX 8

typedef struct reauth_actions
{
	reauth_action_t a[REAUTH_ACTIONS_MAX];
	int n;
} reauth_actions_t;

/*
 * Start with the targets the glue found (subscriptions of every identity
 * of the user, contacts of the re-authenticated ones); the array stays
 * the glue's and must live as long as the procedure. Every subscription
 * is marked RT_TO_SEND; contacts too when REFER comes at once (no UE
 * subscription). Without a UE subscription, publications (RT_PUBLICATION)
 * are marked RT_TO_SEND instead and the machine waits cfg->publish_wait
 * for the re-REGISTER (RP_PUBLISHED). Returns 0, or -1 when the procedure
 * is not idle (a second trigger) and nothing is done.
 */
int reauth_proc_trigger(reauth_proc_t *p, const reauth_proc_cfg_t *cfg,
		long now, reauth_target_t *targets, unsigned int ntargets,
		reauth_actions_t *out);

/* The glue tried target i, marked RT_TO_SEND: sent (ok) or not. A target
 * that could not be sent is a failed way, as a negative answer is. */
void reauth_proc_sent(reauth_proc_t *p, const reauth_proc_cfg_t *cfg,
		long now, unsigned int i, int ok, reauth_actions_t *out);

/* Final answer of target i (408 for a timeout). Only a UE subscription's
 * answer counts among NOTIFYs: a P-CSCF cannot re-register the UE. An
 * index out of range, or a target not waiting for an answer, is ignored. */
void reauth_proc_answered(reauth_proc_t *p, const reauth_proc_cfg_t *cfg,
		long now, unsigned int i, int code, reauth_actions_t *out);

/* how many targets of kind are in status */
unsigned int reauth_proc_count(const reauth_proc_t *p,
		reauth_target_kind_t kind, reauth_target_status_t status);

/* A contact of the set was saved by a REGISTER; only an authenticated
 * one completes the procedure. */
void reauth_proc_reregistered(
		reauth_proc_t *p, long now, int authenticated, reauth_actions_t *out);

/* An authenticated REGISTER of the set was saved at `at`, seen where it
 * is saved, before its REREGISTERED event is processed: a deadline that
 * comes first then completes the procedure instead of de-registering. No
 * actions. */
void reauth_proc_register_seen(reauth_proc_t *p, long at);

/* Time passed: at or past the deadline, completes the procedure when an
 * authenticated REGISTER was seen in time, else de-registers. In
 * RP_PUBLISHED, past wait_until, the same, but falling back to REFER
 * first. */
void reauth_proc_deadline(reauth_proc_t *p, const reauth_proc_cfg_t *cfg,
		long now, reauth_actions_t *out);

/* An operator stops it, triggered or not yet: no de-registration, outcome
 * cancelled; -1 when it is done already. */
int reauth_proc_cancel(reauth_proc_t *p, long now, reauth_actions_t *out);

/* when reauth_proc_deadline must be called next; 0 when done */
long reauth_proc_next_expiry(const reauth_proc_t *p);

const char *reauth_proc_state_name(reauth_proc_state_t s);
const char *reauth_proc_outcome_name(reauth_proc_outcome_t o);
const char *reauth_proc_reason_name(reauth_proc_reason_t r);

#endif
