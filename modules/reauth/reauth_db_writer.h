/*
 * reauth module - the DB writer process: writes the workers' batches
 *
 * This file is part of the reauth module for Kamailio.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef _REAUTH_DB_WRITER_H_
#define _REAUTH_DB_WRITER_H_

#include "core/str.h"

#include "pure/procedure.h"
#include "reauth_subs.h"

/* one row of a batch: a subscription or a procedure, written whole, or
 * deleted */
typedef struct reauth_db_row
{
	unsigned int id;
	short proc;	 /* 0: reauth_subscription, 1: reauth_procedure */
	short del;	 /* 1: delete the row; 2: nothing to write */
	short fresh; /* put first in this batch, never written before */
	short whole; /* new, or deleted in this batch: written whole; else its
				  * row is in the DB, and only its integers change (a
				  * record's strings are set when it is made) */
	int next;	/* the batch's hash chain (index), -1 */
	char *buf;	/* the strings of sub or identity */
	int buflen; /* bytes at buf */
	reauth_sub_data_t sub;
	str identity;
	reauth_proc_t core;
} reauth_db_row_t;

/* a batch handed to the writer: one shm block, the rows, then their
 * strings (every buf points into the block) */
typedef struct reauth_db_block
{
	int n;
	reauth_db_row_t rows[];
} reauth_db_block_t;

/* mod_init: a mailbox per worker (shards) */
int reauth_db_writer_init(int shards);
void reauth_db_writer_destroy(void);

/* the worker of shard hands its block over: 0 taken (the writer frees
 * it), -1 when the writer still holds the previous one (being written,
 * or kept while the store fails): the worker keeps gathering meanwhile */
int reauth_db_writer_offer(unsigned int shard, reauth_db_block_t *block);
/* does the writer still hold shard's previous block? */
int reauth_db_writer_busy(unsigned int shard);

/* the writer process: never returns */
void reauth_db_writer_loop(int nice_value);

#endif
