// SPDX-License-Identifier: GPL-2.0
/*
 * Sharding the stateless search (--shard I/N): which executions belong to
 * this shard.  The prefixes of the search tree down to a floor are
 * numbered in depth-first order, and shard I explores the prefixes whose
 * number is I modulo N.  kfp merge (cli/merge.c) makes one verdict of the
 * shards' results.
 */
#include <kfp/explore.h>

#include "internal.h"

/*
 * Sharding.  Above the floor every node tries every awake thread and
 * reverses no race, so what happens there depends only on the choices
 * made and the siblings tried before, never on the search below the
 * floor: the tree down to the floor, sleep sets included, is the same in
 * every shard.  Each distinct prefix down to the floor (an execution that
 * ends above the floor is a prefix of its own) is numbered in depth-first
 * order and belongs to shard number % count.  A prefix is new exactly when
 * this execution made a new decision above the floor, i.e. replayed no
 * further than the floor; otherwise it goes on below the prefix of the
 * execution before, which this shard owns (it would have skipped it).
 */
bool shard_skips_this_prefix(struct explorer *ex)
{
	if (ex->options.shard_count <= 1)
		return false;
	if (ex->prefix <= ex->depth)
		ex->shard_skip =
			ex->prefixes_seen++ % ex->options.shard_count != ex->options.shard_index;
	return ex->shard_skip;
}

/*
 * Does the order of two awake threads at @node matter, i.e. do their next
 * steps conflict?  Only such nodes count towards the floor: at the others,
 * the alternatives are soon put to sleep and explore little.
 */
bool shard_is_choice(struct explorer *ex, const struct node *node)
{
	thread_mask awake = node->enabled & (thread_mask)~node->sleep;
	unsigned int a, b;

	for (a = 0; a < ex->program->nr_threads; a++) {
		if (!(awake & bit(a)))
			continue;
		for (b = a + 1; b < ex->program->nr_threads; b++)
			if ((awake & bit(b)) &&
			    pendings_conflict(&node->pending[a], &node->pending[b]))
				return true;
	}
	return false;
}

/* An execution that ends above the floor is its own prefix: one shard judges it. */
enum execution_end shard_ended(struct explorer *ex, enum execution_end end)
{
	if (!ex->below_floor && shard_skips_this_prefix(ex))
		return END_SHARD_SKIPPED;
	return end;
}
