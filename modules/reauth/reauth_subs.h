/*
 * reauth module - reg event subscriptions: the shared memory table
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Subscriptions are hashed by the subscribed identity's usrloc key (aor)
 * with one lock per bucket. A subscription is found again by (hash, id):
 * both travel in the rsub parameter of the Contact we answer with, so an
 * in-dialog SUBSCRIBE finds its record without a second index.
 */

#ifndef _REAUTH_SUBS_H_
#define _REAUTH_SUBS_H_

#include <time.h>

#include "core/str.h"

#include "reauth_table.h"

#define REAUTH_SUB_UE 1	   /* the user watches itself */
#define REAUTH_SUB_OTHER 2 /* P-CSCF, AS: a trusted watcher */

/* the strings of a subscription, kept as offsets into its block: a
 * record costs about half of what ten str would */
enum reauth_sub_field
{
	RS_AOR = 0,	   /* usrloc key of the subscribed identity */
	RS_IDENTITY,   /* subscribed public identity (URI) */
	RS_WATCHER,	   /* From URI of the SUBSCRIBE */
	RS_CALLID,	   /* of the dialog */
	RS_REM_TAG,	   /* watcher's tag (From of SUBSCRIBE) */
	RS_LOC_TAG,	   /* our tag (To of the 200) */
	RS_REM_TARGET, /* watcher's Contact */
	RS_ROUTE_SET,  /* Record-Route of the SUBSCRIBE, as received */
	RS_SOCKET,	   /* proto:ip:port the SUBSCRIBE came in on */
	RS_FIELDS
};

typedef struct reauth_sub
{
	union
	{
		reauth_tentry_t entry; /* the table's view of the same fields */
		struct
		{
			struct reauth_sub *next;
			struct reauth_sub *prev;
			unsigned int hash; /* core_case_hash of aor */
			unsigned int id;   /* unique in the table, kept across restarts */
		};
	};
	unsigned short off[RS_FIELDS]; /* each string: buf + off, len bytes */
	unsigned short len[RS_FIELDS];
	unsigned char kind;
	unsigned char dirty; /* changed since written to the DB */
	unsigned char in_db;
	unsigned char event; /* sub_event_pkg_t: what its NOTIFYs say in Event */
	unsigned short shard; /* the worker that sends its NOTIFYs */
	/* 0: this node owns it (sends its NOTIFYs, writes its row); else a
	 * replica of the pool's node in slot owner - 1 of the DMQ peers
	 * (reauth_replica.c): never notified, never written here */
	unsigned char owner;
	unsigned char loaded; /* from this node's DB at start (a takeover
						   * while it was down drops it: reauth_takeover.c) */
	unsigned int loc_cseq;
	unsigned int rem_cseq;
	unsigned int version; /* next reginfo version to send */
	unsigned int epoch;	  /* of the owner (doc/cluster-replication.md) */
	time_t expires;		  /* absolute */
	char buf[];			  /* the strings, each NUL-terminated */
} reauth_sub_t;

/* plain values describing a subscription; reauth_subs_add copies them */
typedef struct reauth_sub_data
{
	str aor, identity, watcher, callid, rem_tag, loc_tag, rem_target, route_set,
			loc_contact, socket;
	int kind;
	int event; /* sub_event_pkg_t (pure/subscribe.h) */
	unsigned int shard;
	unsigned int id; /* 0: a new id is given */
	unsigned int loc_cseq, rem_cseq, version;
	unsigned int owner; /* reauth_sub_t's owner: 0 this node */
	unsigned int epoch;
	time_t expires;
} reauth_sub_data_t;

/* one string of a subscription (valid while its bucket is locked) */
static inline str reauth_sub_str(const reauth_sub_t *s, int field)
{
	str r;

	r.s = (char *)s->buf + s->off[field];
	r.len = s->len[field];
	return r;
}

/* the Contact of our side of a subscription dialog, rebuilt from the
 * socket and (hash, id): <sip:ADDR:PORT;transport=P;rsub=HASH.ID>;
 * returns its length, or -1 when it does not fit */
#define REAUTH_SUB_CONTACT_MAX 160
int reauth_sub_contact(
		str *socket, unsigned int hash, unsigned int id, char *buf, int size);
/* every value of the subscription, as str pointing into it (valid while
 * its bucket is locked), its Contact written in contact_buf
 * (REAUTH_SUB_CONTACT_MAX) */
void reauth_sub_view(
		const reauth_sub_t *s, reauth_sub_data_t *d, char *contact_buf);
/* the same, with the strings copied into one pkg block that is returned
 * (the caller frees it), NULL when out of memory */
char *reauth_sub_copy(const reauth_sub_t *s, reauth_sub_data_t *d);

/* bounds of the table (module parameters; 0: no bound) */
extern int reauth_max_subscriptions;
extern int reauth_max_subscriptions_per_identity;

int reauth_subs_init(unsigned int size);
void reauth_subs_destroy(void);

unsigned int reauth_subs_hash(str *aor);
/* a new id, never given before by this table; with a node tag (dmq 1,
 * reauth_replica_init) the tag is its high 8 bits, so that ids are
 * unique in the pool (pure/owner.h, owner_sub_id) */
unsigned int reauth_subs_new_id(void);
extern unsigned int reauth_subs_node_tag;

/* the bucket of hash, locked / unlocked */
void reauth_subs_lock(unsigned int hash);
void reauth_subs_unlock(unsigned int hash);

/* Copy data into a new record and link it (bucket locked by caller);
 * data->loc_contact is not kept (reauth_sub_contact rebuilds it).
 * Returns the record or NULL (out of shm, or strings over 64 KB). */
reauth_sub_t *reauth_subs_add(reauth_sub_data_t *data);
/* Room for one more subscription of aor (bucket locked by caller)? 0 yes;
 * -1 no, and *retry_after says when the oldest of aor's ends (seconds) */
int reauth_subs_room(
		unsigned int hash, str *aor, time_t now, long *retry_after);
/* find by (hash, id) in the locked bucket */
reauth_sub_t *reauth_subs_find(unsigned int hash, unsigned int id);
/* first subscription of aor in the locked bucket; then reauth_subs_next */
reauth_sub_t *reauth_subs_first(unsigned int hash, str *aor);
reauth_sub_t *reauth_subs_next(reauth_sub_t *sub, str *aor);
/* unlink and free (bucket locked by caller) */
void reauth_subs_remove(reauth_sub_t *sub);

unsigned int reauth_subs_size(void);
/* the bucket at index (for walks over the whole table) */
reauth_sub_t *reauth_subs_bucket(unsigned int idx);
/* lock/unlock a bucket by index */
void reauth_subs_lock_idx(unsigned int idx);
void reauth_subs_unlock_idx(unsigned int idx);
/* The tick visits only buckets that may hold work: a subscription that
 * expired or waits for its DB row (dirty). Whoever changes sub->expires or
 * sets sub->dirty calls reauth_subs_due(sub) with the bucket locked; the
 * tick reads reauth_subs_bucket_due() unlocked (a stale value delays the
 * bucket by one tick at most) and stores what its walk found. */
void reauth_subs_due(reauth_sub_t *sub);
unsigned int reauth_subs_bucket_due(unsigned int idx);
void reauth_subs_set_bucket_due(unsigned int idx, unsigned int due);

int reauth_subs_count(void);

/* (hash, id, kind, shard) of a subscription, copied out of its bucket */
typedef struct reauth_sub_ref
{
	unsigned int hash;
	unsigned int id;
	int kind;
} reauth_sub_ref_t;
/* the subscriptions of aor this node owns (replicas are left out: they
 * get no NOTIFY from here), at most max; returns how many */
int reauth_subs_collect(str *aor, reauth_sub_ref_t *refs, int max);
/* the pool's node that owns every subscription of the n aors: its
 * owner (slot + 1 of the DMQ peers); 0 when there is none, or one of
 * them is this node's, or they have different owners */
int reauth_subs_owner_of(str *aors, int n);
/* In a pool (dmq 1), what this node loaded from its DB at start waits
 * until this time (set by reauth_takeover_init): a peer that carried it
 * on while this node was down says so first (reauth_takeover.c), and no
 * NOTIFY or deadline of a stale record goes out meanwhile. 0: no wait */
extern time_t reauth_loaded_hold_until;
static inline int reauth_loaded_on_hold(int loaded, time_t now)
{
	return loaded && now < reauth_loaded_hold_until;
}
/* the shard of every subscription again (mod_init, after the DB load) */
void reauth_subs_set_shards(unsigned int (*shard_of_identity)(str *));
/* the table exists (not yet created in mod_init, or destroyed) */
int reauth_subs_ready(void);

#endif
