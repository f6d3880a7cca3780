// SPDX-License-Identifier: GPL-2.0
/*
 * The stateless search: source-DPOR with sleep sets.
 *
 * Depth-first over decisions, each execution restarting from the nearest
 * checkpoint (checkpoint.c) or the snapshot and replaying a prefix.
 * Source-DPOR adds, for every race between two steps of an execution, a
 * thread that starts the reversed race to the backtrack set of the node
 * before the first step; sleep sets keep two orders of independent steps
 * from both being explored.  Happens-before is computed with vector
 * clocks over the executed steps.  It also runs random executions
 * (options.random_executions) and forced ones (replay.c).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <kfp/explore.h>

#include "internal.h"

/* splitmix64: a small, well-mixed PRNG that a printed seed reproduces */
static u64 random_next(struct explorer *ex)
{
	u64 z = (ex->random_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static struct object_state *object_state(struct explorer *ex, u32 key)
{
	unsigned int h = (key * 2654435761U) & (OBJECT_TABLE_SIZE - 1);

	for (;;) {
		struct object_state *o = &ex->objects[h];

		if (o->epoch != ex->epoch) {
			ex->live_object[ex->nr_live_objects++] = (u16)h;
			memset(o, 0, sizeof(*o));
			o->key = key;
			o->epoch = ex->epoch;
			o->last_write = -1;
			memset(o->last_read, 0xff, sizeof(o->last_read));
			return o;
		}
		if (o->key == key)
			return o;
		h = (h + 1) & (OBJECT_TABLE_SIZE - 1);
	}
}

/* Branch-free so that the compiler can do it in one vector max. */
static void clock_join(u16 *restrict into, const u16 *restrict from)
{
	unsigned int i;

	for (i = 0; i < KFP_MAX_THREADS; i++)
		into[i] = from[i] > into[i] ? from[i] : into[i];
}

/* Does event @a happen before a step whose clock is @clock? */
static bool happens_before(const struct event *a, const u16 *clock)
{
	return clock[a->thread] >= a->clock[a->thread];
}

/* Threads that can start @v (I_{E'}(v)): their first event in v has no predecessor in v. */
static thread_mask initials(struct explorer *ex, const unsigned int *v, unsigned int n)
{
	int first[KFP_MAX_THREADS];
	thread_mask mask = 0;
	unsigned int i, q, r;

	memset(first, 0xff, sizeof(first));
	for (i = 0; i < n; i++) {
		const struct event *e = &ex->event[v[i]];

		if (first[e->thread] < 0)
			first[e->thread] = (int)i;
	}
	for (q = 0; q < KFP_MAX_THREADS; q++) {
		bool initial = first[q] >= 0;

		for (r = 0; r < KFP_MAX_THREADS && initial; r++) {
			const struct event *fq, *fr;

			if (r == q || first[r] < 0 || first[r] > first[q])
				continue;
			fq = &ex->event[v[first[q]]];
			fr = &ex->event[v[first[r]]];
			if (happens_before(fr, fq->clock))
				initial = false;
		}
		if (initial)
			mask |= bit(q);
	}
	return mask;
}

/* Source-DPOR: make sure some thread starting the reversal of race (j, i) is tried at node j. */
static void reverse_race(struct explorer *ex, unsigned int j, unsigned int i)
{
	unsigned int *v = ex->scratch;
	struct node *node = &ex->node[j];
	const struct event *ej = &ex->event[j];
	thread_mask start, usable;
	unsigned int k, n = 0;

	if (node->above_floor)
		return;
	for (k = j + 1; k < i; k++)
		if (!happens_before(ej, ex->event[k].clock))
			v[n++] = k;
	v[n++] = i;
	start = initials(ex, v, n);
	if (start & node->backtrack)
		return;
	usable = start & node->enabled & (thread_mask)~node->sleep;
	if (usable) {
		unsigned int ti = ex->event[i].thread;

		node->backtrack |= (usable & bit(ti)) ? bit(ti) : bit(lowest(usable));
		return;
	}
	if (start & node->sleep)
		return;
	/* the initial thread is blocked at node j: try everything that can run */
	node->backtrack |= node->enabled & (thread_mask)~node->sleep;
}

/*
 * Races of an event with the conflicting events before it in the history
 * @o: the last write, and for a write the reads since.  A candidate that
 * already happens before the thread's previous event, or before another
 * candidate of another thread, is ordered through that and is no race.
 */
static void find_races(struct explorer *ex, unsigned int t, u8 access, const struct object_state *o,
		       const u16 *po_clock)
{
	int candidates[KFP_MAX_THREADS + 1];
	unsigned int nr = 0, c, d, q;

	if (o->last_write >= 0)
		candidates[nr++] = o->last_write;
	if (access == KFP_ACCESS_WRITE) {
		for (q = 0; q < KFP_MAX_THREADS; q++)
			if (o->last_read[q] >= 0)
				candidates[nr++] = o->last_read[q];
	}
	for (c = 0; c < nr; c++) {
		const struct event *ec = &ex->event[candidates[c]];
		bool race = ec->thread != t && !happens_before(ec, po_clock);

		for (d = 0; d < nr && race; d++) {
			if (d != c && ex->event[candidates[d]].thread != ec->thread &&
			    happens_before(ec, ex->event[candidates[d]].clock))
				race = false;
		}
		if (race)
			reverse_race(ex, (unsigned int)candidates[c], ex->depth);
	}
}

static void history_add(struct explorer *ex, struct object_state *o, unsigned int t, u8 access,
			const u16 *clock)
{
	if (access == KFP_ACCESS_WRITE) {
		o->last_write = (s32)ex->depth;
		memcpy(o->write_clock, clock, sizeof(o->write_clock));
		memset(o->read_clock, 0, sizeof(o->read_clock));
		memset(o->last_read, 0xff, sizeof(o->last_read));
	} else {
		o->last_read[t] = (s32)ex->depth;
		clock_join(o->read_clock, clock);
	}
}

/*
 * Record event ex->depth for thread @t: its vector clock, and the races it
 * completes with earlier events of other threads.  Lock objects are
 * special: a release happens before the next acquire (so the clocks keep
 * that order), but the race to reverse is between the two acquisitions
 * (exclusive ones conflict with everything, shared ones with exclusive
 * ones), which a separate acquisition history tracks.
 */
void dpor_record_event(struct explorer *ex, unsigned int t, const struct pending *pending)
{
	struct event *e = &ex->event[ex->depth];
	const struct kfp_footprint *fp = &pending->fp;
	struct object_state *o[KFP_FOOTPRINT_MAX];
	struct object_state *acquisitions = NULL;
	u16 clock[KFP_MAX_THREADS];
	unsigned int k;

	e->thread = (u8)t;
	e->fp = *fp;
	for (k = 0; k < fp->nr; k++)
		o[k] = object_state(ex, fp->object[k]);
	/* program order: the thread's previous event */
	if (ex->thread[t].last_event >= 0)
		memcpy(clock, ex->event[ex->thread[t].last_event].clock, sizeof(clock));
	else
		memset(clock, 0, sizeof(clock));
	ex->thread[t].last_event = (s32)ex->depth;
	if (pending->is_lock)
		acquisitions = object_state(ex, fp->object[0] | 0x80000000U);
	if (!ex->full_at_every_node) {
		if (acquisitions)
			find_races(ex, t, fp->access[0], acquisitions, clock);
		for (k = acquisitions ? 1 : 0; k < fp->nr; k++)
			if (KFP_OBJECT_CLASS_OF(fp->object[k]) != KFP_OBJECT_CLASS_LOCK)
				find_races(ex, t, fp->access[k], o[k], clock);
	}
	for (k = 0; k < fp->nr; k++) {
		clock_join(clock, o[k]->write_clock);
		if (fp->access[k] == KFP_ACCESS_WRITE)
			clock_join(clock, o[k]->read_clock);
	}
	clock[t] = (u16)(ex->thread[t].steps + 1);
	memcpy(e->clock, clock, sizeof(clock));
	for (k = 0; k < fp->nr; k++)
		history_add(ex, o[k], t, fp->access[k], clock);
	if (acquisitions)
		history_add(ex, acquisitions, t, fp->access[0], clock);
}

/* Threads that were asleep at the parent and stay asleep after it ran @chosen. */
static thread_mask inherited_sleep(const struct node *parent, unsigned int chosen)
{
	thread_mask asleep = (parent->sleep | parent->done) & (thread_mask)~bit(chosen);
	thread_mask keep = 0;
	unsigned int q;

	for (q = 0; asleep; q++) {
		if (!(asleep & bit(q)))
			continue;
		asleep &= (thread_mask)~bit(q);
		if (!pendings_conflict(&parent->pending[q], &parent->pending[chosen]))
			keep |= bit(q);
	}
	return keep;
}

/* A decision no earlier execution made: set the node up and pick a thread. */
static int new_node(struct explorer *ex, thread_mask enabled, int previous)
{
	struct node *node = &ex->node[ex->depth];
	unsigned int i, pick;
	thread_mask candidates;

	node->enabled = enabled;
	node->done = 0;
	node->previous = previous < 0 ? 0xff : (u8)previous;
	for (i = 0; i < ex->program->nr_threads; i++)
		node->pending[i] = ex->thread[i].pending;
	/*
	 * Sleep sets hold above the shard floor too: they depend only on the
	 * choices made and the siblings tried before, which above the floor
	 * are the same in every shard.
	 */
	if (ex->depth == 0 || ex->full_at_every_node)
		node->sleep = 0;
	else
		node->sleep =
			inherited_sleep(&ex->node[ex->depth - 1], ex->node[ex->depth - 1].chosen);
	candidates = enabled & (thread_mask)~node->sleep;
	if (!candidates)
		return -1;
	if (ex->depth < ex->nr_forced) {
		pick = ex->forced[ex->depth];
		if (pick >= KFP_MAX_THREADS || !(enabled & bit(pick))) {
			ex->forced_invalid = true;
			return -1;
		}
	} else if (ex->options.random_executions) {
		pick = nth_thread(candidates, random_next(ex) % count_threads(candidates));
	} else if (previous >= 0 && (candidates & bit((unsigned int)previous))) {
		pick = (unsigned int)previous;
	} else {
		pick = lowest(candidates);
	}
	node->chosen = (u8)pick;
	node->above_floor = !ex->below_floor;
	node->backtrack = ex->full_at_every_node || node->above_floor ? enabled : bit(pick);
	node->preemptions = (u16)((ex->depth ? ex->node[ex->depth - 1].preemptions : 0) +
				  explorer_preemption_cost(node, pick));
	return (int)pick;
}

enum execution_end explorer_run_execution(struct explorer *ex, bool tracing)
{
	int previous;

	/* from the deepest checkpoint above the node where this execution branches off */
	if (!ex->checkpoints || !ex->prefix || !checkpoint_restore(ex, ex->prefix - 1))
		explorer_start_execution(ex);
	previous = ex->depth ? ex->node[ex->depth - 1].chosen : -1;
	for (;;) {
		thread_mask enabled;
		int t;

		if (!ex->below_floor && ex->branchings == ex->split_branchings) {
			ex->below_floor = true;
			if (shard_skips_this_prefix(ex))
				return END_SHARD_SKIPPED;
		}
		if (explorer_all_finished(ex))
			return shard_ended(ex, END_COMPLETE);
		/* cut, not judged: what the threads would do next is unexplored */
		if (ex->depth >= ex->max_steps || !explorer_grow(ex, ex->depth + 1))
			return shard_ended(ex, END_STEP_BOUND);
		if (ex->checkpoints && ex->depth && !(ex->depth % CHECKPOINT_EVERY))
			checkpoint_take(ex, ex->depth);
		enabled = explorer_enabled_threads(ex);
		if (!enabled) {
			kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_DEADLOCK, KFP_PFN_NONE, 0,
				   ex->depth, "no thread can run");
			return shard_ended(ex, END_DEADLOCK);
		}
		if (ex->depth < ex->prefix) {
			t = ex->node[ex->depth].chosen;
			ex->node[ex->depth].enabled = enabled;
		} else {
			t = new_node(ex, enabled, previous);
			if (t < 0)
				return ex->forced_invalid ? END_FORCED_INVALID : END_SLEEP_BLOCKED;
		}
		if (!ex->below_floor && shard_is_choice(ex, &ex->node[ex->depth]))
			ex->branchings++;
		/* a thread's vector-clock component is a u16 */
		if (ex->thread[t].steps == UINT16_MAX)
			return shard_ended(ex, END_STEP_BOUND);
		explorer_run_step(ex, (unsigned int)t, tracing);
		previous = t;
	}
}

/* Deepest node with an untried alternative; its next choice set up. */
static bool backtrack(struct explorer *ex)
{
	unsigned int d = ex->depth;

	while (d-- > 0) {
		struct node *node = &ex->node[d];
		thread_mask todo;

		node->done |= bit(node->chosen);
		todo = node->backtrack & node->enabled & (thread_mask)~node->done &
		       (thread_mask)~node->sleep;
		while (todo) {
			unsigned int q = lowest(todo);
			unsigned int base = d ? ex->node[d - 1].preemptions : 0;

			todo &= (thread_mask)~bit(q);
			if (ex->options.preemption_bound >= 0 &&
			    base + explorer_preemption_cost(node, q) >
				    (unsigned int)ex->options.preemption_bound) {
				node->done |= bit(q);
				ex->result->stop = KFP_STOP_PREEMPTION_BOUND;
				continue;
			}
			node->chosen = (u8)q;
			node->preemptions = (u16)(base + explorer_preemption_cost(node, q));
			if (ex->checkpoints)
				checkpoints_drop_below(ex, d);
			ex->prefix = d + 1;
			ex->depth = d + 1;
			return true;
		}
	}
	return false;
}

/*
 * The share of the tree done once the execution that just ended is: at
 * each node on its path, the children finished before the one taken, in
 * proportion to the children known there (backtrack points found so far),
 * weighted by the share of the tree under that node.
 */
static void estimate(struct explorer *ex)
{
	double weight = 1, done = 0;
	unsigned int d;

	if (ex->options.random_executions || ex->options.shard_count > 1)
		return;
	for (d = 0; d < ex->depth; d++) {
		const struct node *node = &ex->node[d];
		thread_mask chosen = bit(node->chosen);
		thread_mask children =
			(node->backtrack & node->enabled & (thread_mask)~node->sleep) | node->done |
			chosen;
		unsigned int n = count_threads(children);

		done += weight * count_threads(node->done & (thread_mask)~chosen) / n;
		weight /= n;
	}
	explorer_set_estimate(ex->result, done + weight, ex->result->executions);
}

void dpor_search(struct explorer *ex)
{
	struct kfp_explore_result *result = ex->result;
	const struct kfp_explore_options *options = &ex->options;
	double start = now_seconds();
	u64 runs = 0;

	ex->prefix = 0;
	for (;;) {
		enum execution_end end = explorer_run_execution(ex, false);
		bool stop;

		/*
		 * A redundant or another shard's execution is no execution at
		 * all; one cut by the step bound did not end, so the checks of
		 * an ended execution (leaks, balance, values) do not apply.
		 */
		if (end == END_COMPLETE || end == END_DEADLOCK)
			explorer_finish_execution(ex);
		stop = explorer_account(ex, end);
		runs++;
		if (options->progress && !(runs & 1023)) {
			estimate(ex);
			options->progress(options->progress_arg, result);
		}
		if (stop) {
			result->stop = KFP_STOP_VIOLATION;
			goto out_estimate;
		}
		if (ex->out_of_memory)
			goto out_estimate;
		/* a signal asked to stop: at an execution boundary, so the counts stay whole */
		if (options->stop && *options->stop) {
			result->stop = KFP_STOP_INTERRUPTED;
			goto out_estimate;
		}
		if (options->max_executions && result->executions >= options->max_executions) {
			estimate(ex);
			result->stop = KFP_STOP_MAX_EXECUTIONS;
			if (options->random_executions || backtrack(ex))
				return;
			result->stop = KFP_STOP_COMPLETE;
			return;
		}
		if (options->timeout_seconds > 0 && !(runs & 31) &&
		    now_seconds() - start > options->timeout_seconds) {
			result->stop = KFP_STOP_TIMEOUT;
			goto out_estimate;
		}
		if (options->random_executions) {
			if (runs >= options->random_executions) {
				result->stop = KFP_STOP_RANDOM_DONE;
				return;
			}
			ex->prefix = 0;
			continue;
		}
		if (!backtrack(ex))
			return;
	}

out_estimate:
	/* the path of the execution that just ended is still in place */
	estimate(ex);
}
