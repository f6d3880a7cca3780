// SPDX-License-Identifier: GPL-2.0
/*
 * The explorer.
 *
 * A thread runs until it announces its next visible step at a seam point
 * and then yields; so at every decision the explorer knows what each
 * thread would do next (its footprint: up to KFP_FOOTPRINT_MAX objects,
 * each read or written, or a lock it wants, or an object it waits to see
 * written).  One step is the
 * announced access plus the thread-local code up to its next announcement.
 *
 * Search: depth-first over decisions, restarting each execution from the
 * snapshot and replaying a prefix.  Source-DPOR adds, for every race
 * between two steps of an execution, a thread that starts the reversed
 * race to the backtrack set of the node before the first step; sleep sets
 * keep two orders of independent steps from both being explored.
 * Happens-before is computed with vector clocks over the executed steps.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kfp/explore.h>

#include "internal.h"

/*
 * Choice nodes above the shard floor.  Every node above the floor tries
 * every awake thread in every shard, and the alternatives sleep sets then
 * block are explored by all shards: a deeper floor only repeats more.  One
 * already gives many prefixes, as every alternative before the first race
 * that reaches it is one (bundled library, N = 2, 3, 4: all shards' steps
 * 1.13, 1.21, 1.28 of the unsharded search; with two, 1.13, 1.91, 2.23).
 */
#define SHARD_SPLIT 1
#define MINIMIZE_BUDGET 20000

/* the search in progress on this OS thread */
_Thread_local struct explorer *ex;

/* ---- helpers ---------------------------------------------------------- */

/* splitmix64: a small, well-mixed PRNG that a printed seed reproduces */
static u64 random_next(void)
{
	u64 z = (ex->random_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Some object both touch, and one of them writes it. */
static void footprint_one(struct kfp_footprint *fp, u32 object, enum kfp_access access)
{
	fp->nr = 1;
	fp->object[0] = object;
	fp->access[0] = (u8)access;
}

/* ---- the seam, as the explorer implements it ---------------------------- */

static void announce(const struct pending *pending, u8 status)
{
	struct model_thread *t;

	if (ex->passive || ex->running < 0)
		return;
	t = &ex->thread[ex->running];
	t->pending = *pending;
	t->status = status;
	coroutine_yield();
}

static void explorer_point(void *ctx, u32 object, enum kfp_access access, const char *what)
{
	struct pending pending = { .what = what };

	(void)ctx;
	footprint_one(&pending.fp, object, access);
	announce(&pending, THREAD_READY);
}

static void explorer_point_footprint(void *ctx, const struct kfp_footprint *footprint,
				     const char *what)
{
	struct pending pending = { .fp = *footprint, .what = what };

	(void)ctx;
	announce(&pending, THREAD_READY);
}

static void explorer_acquire(void *ctx, const struct kfp_lock *lock, bool write)
{
	struct pending pending = {
		.is_lock = 1,
		.lock_write = write,
		.lock = lock,
		.what = lock->name,
	};

	(void)ctx;
	footprint_one(&pending.fp, lock->object, write ? KFP_ACCESS_WRITE : KFP_ACCESS_READ);
	announce(&pending, THREAD_LOCK);
}

static bool explorer_block(void *ctx, const struct kfp_lock *lock, bool write)
{
	/* Only reached when the lock is taken without explorer_acquire() first. */
	explorer_acquire(ctx, lock, write);
	return !ex->passive && ex->running >= 0;
}

static bool explorer_wait(void *ctx, u32 object, const char *what)
{
	struct pending pending = {
		.is_wait = 1,
		.what = what,
	};

	(void)ctx;
	if (ex->passive || ex->running < 0)
		return false;
	footprint_one(&pending.fp, object, KFP_ACCESS_READ);
	ex->thread[ex->running].woken = false;
	announce(&pending, THREAD_WAIT);
	return true;
}

static int explorer_current_thread(void *ctx)
{
	(void)ctx;
	return ex->running >= 0 ? ex->running : 0;
}

static const struct kfp_seam_ops explorer_ops = {
	.point = explorer_point,
	.block = explorer_block,
	.current_thread = explorer_current_thread,
	.wait = explorer_wait,
	.acquire = explorer_acquire,
	.point_footprint = explorer_point_footprint,
};

/* ---- threads ----------------------------------------------------------- */

static void thread_main(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	const struct kfp_thread_spec *spec = &ex->program->thread[id];

	spec->fn(ex->program->state, spec->arg);
}

static bool lock_available(const struct pending *pending)
{
	const struct kfp_lock *lock = pending->lock;

	if (lock->writer != KFP_NO_THREAD)
		return false;
	return !pending->lock_write || !lock->reader_mask;
}

static bool thread_enabled(const struct model_thread *t)
{
	switch (t->status) {
	case THREAD_READY:
		return true;
	case THREAD_LOCK:
		return lock_available(&t->pending);
	case THREAD_WAIT:
		return t->woken;
	default:
		return false;
	}
}

thread_mask explorer_enabled_threads(void)
{
	thread_mask mask = 0;
	unsigned int i;

	for (i = 0; i < ex->program->nr_threads; i++)
		if (thread_enabled(&ex->thread[i]))
			mask |= bit(i);
	return mask;
}

bool explorer_all_finished(void)
{
	unsigned int i;

	for (i = 0; i < ex->program->nr_threads; i++)
		if (ex->thread[i].status != THREAD_FINISHED)
			return false;
	return true;
}

/* A report made now names this step: the index of the step being made. */
static void set_step(unsigned int step)
{
	if (ex->program->reports)
		ex->program->reports->step = step;
}

/* Restore the snapshot and run each thread up to its first visible step. */
void explorer_start_execution(void)
{
	const struct kfp_program *program = ex->program;
	unsigned int i;

	memcpy(program->state, ex->snapshot, program->state_size);
	set_step(0);
	ex->depth = 0;
	ex->branchings = 0;
	ex->below_floor = !ex->split_branchings;
	ex->aborted = false;
	ex->epoch++;
	ex->nr_live_objects = 0;
	for (i = 0; i < program->nr_threads; i++) {
		struct model_thread *t = &ex->thread[i];

		coroutine_init(&t->co, t->stack, STACK_SIZE, thread_main, (void *)(uintptr_t)i);
		t->status = THREAD_READY;
		t->steps = 0;
		t->last_event = -1;
		t->pending = (struct pending){ .what = "start" };
		footprint_one(&t->pending.fp, KFP_OBJECT(KFP_OBJECT_CLASS_NONE, 0),
			      KFP_ACCESS_READ);
		ex->running = (int)i;
		coroutine_resume(&t->co);
		ex->running = -1;
		if (t->co.finished)
			t->status = THREAD_FINISHED;
	}
}

/* ---- happens-before and races ----------------------------------------- */

static struct object_state *object_state(u32 key)
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
static thread_mask initials(const unsigned int *v, unsigned int n)
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
static void reverse_race(unsigned int j, unsigned int i)
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
	start = initials(v, n);
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
static void find_races(unsigned int t, u8 access, const struct object_state *o, const u16 *po_clock)
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
			reverse_race((unsigned int)candidates[c], ex->depth);
	}
}

static void history_add(struct object_state *o, unsigned int t, u8 access, const u16 *clock)
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
static void record_event(unsigned int t, const struct pending *pending)
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
		o[k] = object_state(fp->object[k]);
	/* program order: the thread's previous event */
	if (ex->thread[t].last_event >= 0)
		memcpy(clock, ex->event[ex->thread[t].last_event].clock, sizeof(clock));
	else
		memset(clock, 0, sizeof(clock));
	ex->thread[t].last_event = (s32)ex->depth;
	if (pending->is_lock)
		acquisitions = object_state(fp->object[0] | 0x80000000U);
	if (!ex->full_at_every_node) {
		if (acquisitions)
			find_races(t, fp->access[0], acquisitions, clock);
		for (k = acquisitions ? 1 : 0; k < fp->nr; k++)
			if (KFP_OBJECT_CLASS_OF(fp->object[k]) != KFP_OBJECT_CLASS_LOCK)
				find_races(t, fp->access[k], o[k], clock);
	}
	for (k = 0; k < fp->nr; k++) {
		clock_join(clock, o[k]->write_clock);
		if (fp->access[k] == KFP_ACCESS_WRITE)
			clock_join(clock, o[k]->read_clock);
	}
	clock[t] = (u16)(ex->thread[t].steps + 1);
	memcpy(e->clock, clock, sizeof(clock));
	for (k = 0; k < fp->nr; k++)
		history_add(o[k], t, fp->access[k], clock);
	if (acquisitions)
		history_add(acquisitions, t, fp->access[0], clock);
}

/* ---- one execution ------------------------------------------------------- */

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

unsigned int explorer_preemption_cost(const struct node *node, unsigned int choice)
{
	if (node->previous == 0xff || choice == node->previous)
		return 0;
	return (node->enabled & bit(node->previous)) ? 1 : 0;
}

/* A decision no earlier execution made: set the node up and pick a thread. */
static int new_node(thread_mask enabled, int previous)
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
		unsigned int n = (unsigned int)__builtin_popcount(candidates);
		unsigned int k = (unsigned int)(random_next() % n);

		for (pick = 0;; pick++)
			if ((candidates & bit(pick)) && !k--)
				break;
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

static void trace_step(unsigned int t, const struct pending *pending)
{
	const struct kfp_program *program = ex->program;
	struct kfp_trace_step step = {
		.index = ex->depth,
		.thread = (int)t,
		.object = pending->fp.object[0],
		.access = pending->fp.access[0],
		.footprint = pending->fp,
		.is_lock = pending->is_lock,
		.is_wait = pending->is_wait,
		.finished = ex->thread[t].status == THREAD_FINISHED,
		.what = pending->what,
	};

	ex->passive = true;
	program->trace(program->state, program->trace_arg, &step);
	ex->passive = false;
}

/*
 * A waiting thread is woken by the first step that writes its object, the
 * step in which it announced the wait included.  A flag, not a look back
 * over the execution's events: the stateful search keeps no events.
 */
static void wake_waiters(const struct kfp_footprint *fp)
{
	unsigned int i, k;

	for (i = 0; i < ex->program->nr_threads; i++) {
		struct model_thread *t = &ex->thread[i];

		if (t->status != THREAD_WAIT || t->woken)
			continue;
		for (k = 0; k < fp->nr; k++)
			if (fp->object[k] == t->pending.fp.object[0] &&
			    fp->access[k] == KFP_ACCESS_WRITE)
				t->woken = true;
	}
}

/* Let thread @t make the step it announced, up to its next announcement. */
void explorer_run_step(unsigned int t, bool tracing)
{
	struct model_thread *thread = &ex->thread[t];
	struct pending pending = thread->pending;

	if (!ex->stateful)
		record_event(t, &pending);
	thread->steps++;
	set_step(ex->depth);
	ex->running = (int)t;
	coroutine_resume(&thread->co);
	ex->running = -1;
	if (thread->co.finished)
		thread->status = THREAD_FINISHED;
	wake_waiters(&pending.fp);
	if (ex->stateful) {
#if COROUTINE_HAS_IMAGES
		if (!thread->co.finished)
			coroutine_zero_below(&thread->co, DEAD_STACK_WINDOW);
#endif
	}
	if (tracing)
		trace_step(t, &pending);
	ex->depth++;
}

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
static bool shard_skips_this_prefix(void)
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
static bool is_choice(const struct node *node)
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
static enum execution_end ended(enum execution_end end)
{
	if (!ex->below_floor && shard_skips_this_prefix())
		return END_SHARD_SKIPPED;
	return end;
}

/*
 * Room for @depth nodes and events: the arrays grow with the deepest
 * execution, so no scenario is cut by a fixed size.  False when memory
 * runs out (the execution is then cut, and the search fails with -ENOMEM).
 */
bool explorer_grow(unsigned int depth)
{
	unsigned int capacity;
	struct node *node;
	struct event *event;
	unsigned int *scratch;

	if (depth <= ex->capacity)
		return true;
	capacity = explorer_capacity_for(ex->capacity, depth);
	node = explorer_grow_array(ex->node, sizeof(*node), ex->capacity, capacity);
	if (node)
		ex->node = node;
	event = explorer_grow_array(ex->event, sizeof(*event), ex->capacity, capacity);
	if (event)
		ex->event = event;
	scratch = explorer_grow_array(ex->scratch, sizeof(*scratch), ex->capacity, capacity);
	if (scratch)
		ex->scratch = scratch;
	if (!node || !event || !scratch) {
		ex->out_of_memory = true;
		return false;
	}
	ex->capacity = capacity;
	return true;
}

/* Room for @depth entries, doubling from @capacity (256 at first). */
unsigned int explorer_capacity_for(unsigned int capacity, unsigned int depth)
{
	capacity = capacity ? capacity : 256;
	while (capacity < depth)
		capacity *= 2;
	return capacity;
}

/* @array of @size-byte entries grown from @old to @capacity, the new ones zeroed; NULL if no memory. */
void *explorer_grow_array(void *array, size_t size, unsigned int old, unsigned int capacity)
{
	char *bigger = realloc(array, capacity * size);

	if (bigger)
		memset(bigger + old * size, 0, (capacity - old) * size);
	return bigger;
}

static enum execution_end run_execution(bool tracing)
{
	int previous;

	/* from the deepest checkpoint above the node where this execution branches off */
	if (!ex->checkpoints || !ex->prefix || !checkpoint_restore(ex->prefix - 1))
		explorer_start_execution();
	previous = ex->depth ? ex->node[ex->depth - 1].chosen : -1;
	for (;;) {
		thread_mask enabled;
		int t;

		if (!ex->below_floor && ex->branchings == ex->split_branchings) {
			ex->below_floor = true;
			if (shard_skips_this_prefix())
				return END_SHARD_SKIPPED;
		}
		if (explorer_all_finished())
			return ended(END_COMPLETE);
		/* cut, not judged: what the threads would do next is unexplored */
		if (ex->depth >= ex->max_steps || !explorer_grow(ex->depth + 1))
			return ended(END_STEP_BOUND);
		if (ex->checkpoints && ex->depth && !(ex->depth % CHECKPOINT_EVERY))
			checkpoint_take(ex->depth);
		enabled = explorer_enabled_threads();
		if (!enabled) {
			kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_DEADLOCK, KFP_PFN_NONE, 0,
				   ex->depth, "no thread can run");
			return ended(END_DEADLOCK);
		}
		if (ex->depth < ex->prefix) {
			t = ex->node[ex->depth].chosen;
			ex->node[ex->depth].enabled = enabled;
		} else {
			t = new_node(enabled, previous);
			if (t < 0)
				return ex->forced_invalid ? END_FORCED_INVALID : END_SLEEP_BLOCKED;
		}
		if (!ex->below_floor && is_choice(&ex->node[ex->depth]))
			ex->branchings++;
		/* a thread's vector-clock component is a u16 */
		if (ex->thread[t].steps == UINT16_MAX)
			return ended(END_STEP_BOUND);
		explorer_run_step((unsigned int)t, tracing);
		previous = t;
	}
}

/* ---- the search ------------------------------------------------------------ */

/* Deepest node with an untried alternative; its next choice set up. */
static bool backtrack(void)
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
				checkpoints_drop_below(d);
			ex->prefix = d + 1;
			ex->depth = d + 1;
			return true;
		}
	}
	return false;
}

/*
 * The schedule of the first @depth decisions, "0:3,1,0:2" (thread:run), in
 * a string allocated to fit: a schedule is never cut.  NULL when out of
 * memory.  Each decision takes at most "15," (KFP_MAX_THREADS <= 16).
 */
char *explorer_format_schedule(unsigned int depth)
{
	size_t size = 3 * (size_t)depth + 1, len = 0;
	char *out = malloc(size);
	unsigned int i = 0;

	if (!out)
		return NULL;
	out[0] = '\0';
	while (i < depth) {
		unsigned int t = ex->node[i].chosen, run = 1;

		while (i + run < depth && ex->node[i + run].chosen == t)
			run++;
		if (run > 1)
			len += (size_t)snprintf(out + len, size - len, "%s%u:%u", len ? "," : "", t,
						run);
		else
			len += (size_t)snprintf(out + len, size - len, "%s%u", len ? "," : "", t);
		i += run;
	}
	return out;
}

/* Parse "0:3,1,0:2" into one thread per decision, at most @max of them, into *@out. */
static int parse_schedule(const char *text, u8 **out, unsigned int max)
{
	unsigned int n = 0, size = 0;
	const char *p = text;
	u8 *choices = NULL;

	while (*p) {
		char *end;
		unsigned long t = strtoul(p, &end, 10), run = 1;

		if (end == p || t >= KFP_MAX_THREADS)
			goto out_invalid;
		p = end;
		if (*p == ':') {
			run = strtoul(p + 1, &end, 10);
			if (end == p + 1 || !run)
				goto out_invalid;
			p = end;
		}
		if (*p == ',')
			p++;
		else if (*p)
			goto out_invalid;
		if (run > max - n)
			goto out_invalid;
		if (n + run > size) {
			u8 *bigger;

			size = n + (unsigned int)run > 2 * size ? n + (unsigned int)run : 2 * size;
			bigger = realloc(choices, size);
			if (!bigger) {
				free(choices);
				return -ENOMEM;
			}
			choices = bigger;
		}
		memset(choices + n, (int)t, run);
		n += (unsigned int)run;
	}
	*out = choices;
	return (int)n;

out_invalid:
	free(choices);
	return -EINVAL;
}

/* Account one ended execution; true when the search should stop. */
bool explorer_account(enum execution_end end)
{
	struct kfp_explore_result *result = ex->result;
	const struct kfp_reports *reports = ex->program->reports;
	bool violated[KFP_NR_PROPERTIES], accepted[KFP_NR_PROPERTIES];
	bool any = false;
	unsigned int p;

	if (!ex->stateful)
		result->steps += ex->depth;
	if (end == END_SLEEP_BLOCKED) {
		result->sleep_blocked++;
		return false;
	}
	if (end == END_SHARD_SKIPPED)
		return false;
	/*
	 * A cut execution is not one: its end was never checked.  What it
	 * reported before the cut stands (every continuation has it too).
	 */
	if (end == END_STEP_BOUND)
		result->step_bound_hits++;
	else
		result->executions++;
	if (end == END_DEADLOCK)
		result->deadlocks++;
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		/* the counters, not the log, which keeps only the first reports */
		violated[p] = kfp_reports_violations(reports, p) != 0;
		accepted[p] = kfp_reports_accepted(reports, p) != 0;
		if (violated[p] && !result->executions_with_violation[p]++) {
			result->witness[p] = explorer_format_schedule(ex->depth);
			result->witness_reports[p] = *reports;
		}
		if (accepted[p] && !result->executions_with_accepted[p]++) {
			result->accepted_witness[p] = explorer_format_schedule(ex->depth);
			result->accepted_witness_reports[p] = *reports;
		}
		if (violated[p] && (ex->want_property < 0 || ex->want_property == (int)p))
			any = true;
	}
	if (any && !result->has_counterexample) {
		result->has_counterexample = true;
		result->counterexample = explorer_format_schedule(ex->depth);
		result->counterexample_preemptions =
			ex->depth ? ex->node[ex->depth - 1].preemptions : 0;
		result->counterexample_reports = *reports;
	}
	return any && ex->options.stop_on_violation;
}

void explorer_finish_execution(void)
{
	const struct kfp_program *program = ex->program;

	ex->passive = true;
	set_step(ex->depth);
	if (program->at_end)
		program->at_end(program->state, program->at_end_arg);
	ex->passive = false;
}

static int explorer_setup(struct explorer *e, const struct kfp_program *program,
			  const struct kfp_explore_options *options,
			  struct kfp_explore_result *result)
{
	unsigned int i;

	memset(e, 0, sizeof(*e));
	if (!program->nr_threads || program->nr_threads > KFP_MAX_THREADS)
		return -EINVAL;
	e->program = program;
	e->options = *options;
	e->result = result;
	e->running = -1;
	e->want_property = -1;
	e->max_steps = options->max_steps ? options->max_steps : KFP_DEFAULT_MAX_STEPS;
	e->full_at_every_node = options->no_reduction;
	if (options->shard_count > 1) {
		/* a random execution has no place in the depth-first numbering */
		if (options->shard_index >= options->shard_count || options->random_executions)
			return -EINVAL;
		e->split_branchings = SHARD_SPLIT;
	}
	for (i = 0; i < program->nr_history; i++) {
		const struct kfp_state_range *r = &program->history[i];

		if (i >= KFP_MAX_HISTORY_RANGES || r->size > 64 ||
		    r->offset > program->state_size || r->size > program->state_size - r->offset)
			return -EINVAL;
	}
	e->random_state = options->seed;
	e->snapshot = malloc(program->state_size);
	if (!e->snapshot)
		return -ENOMEM;
	for (i = 0; i < program->nr_threads; i++) {
		e->thread[i].stack = calloc(1, STACK_SIZE);
		if (!e->thread[i].stack)
			return -ENOMEM;
	}
	memcpy(e->snapshot, program->state, program->state_size);
	return 0;
}

/* Put the program's state back as it was set up, and release everything. */
static void explorer_teardown(struct explorer *e)
{
	unsigned int i;

	if (e->snapshot)
		memcpy(e->program->state, e->snapshot, e->program->state_size);
	for (i = 0; i < KFP_MAX_THREADS; i++) {
		free(e->thread[i].stack);
	}
	checkpoints_release(e);
	free(e->snapshot);
	free(e->node);
	free(e->event);
	free(e->scratch);
}

/*
 * The share of the tree done once the execution that just ended is: at
 * each node on its path, the children finished before the one taken, in
 * proportion to the children known there (backtrack points found so far),
 * weighted by the share of the tree under that node.
 */
static void estimate(void)
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

static void search(void)
{
	struct kfp_explore_result *result = ex->result;
	const struct kfp_explore_options *options = &ex->options;
	double start = now_seconds();
	u64 runs = 0;

	ex->prefix = 0;
	for (;;) {
		enum execution_end end = run_execution(false);
		bool stop;

		/*
		 * A redundant or another shard's execution is no execution at
		 * all; one cut by the step bound did not end, so the checks of
		 * an ended execution (leaks, balance, values) do not apply.
		 */
		if (end == END_COMPLETE || end == END_DEADLOCK)
			explorer_finish_execution();
		stop = explorer_account(end);
		runs++;
		if (options->progress && !(runs & 1023)) {
			estimate();
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
			estimate();
			result->stop = KFP_STOP_MAX_EXECUTIONS;
			if (options->random_executions || backtrack())
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
		if (!backtrack())
			return;
	}

out_estimate:
	/* the path of the execution that just ended is still in place */
	estimate();
}

static void minimize(const struct kfp_program *program, const struct kfp_explore_options *options,
		     struct kfp_explore_result *result)
{
	int property = -1;
	unsigned int p, bound;

	for (p = 0; p < KFP_NR_PROPERTIES && property < 0; p++)
		if (result->executions_with_violation[p])
			property = (int)p;
	for (bound = 0; bound < result->counterexample_preemptions; bound++) {
		struct kfp_explore_options bounded = *options;
		struct kfp_explore_result attempt;
		struct explorer e;

		memset(&attempt, 0, sizeof(attempt));
		bounded.preemption_bound = (int)bound;
		bounded.stop_on_violation = true;
		bounded.max_executions = MINIMIZE_BUDGET;
		bounded.timeout_seconds = 0;
		bounded.random_executions = 0;
		bounded.shard_count = 0;
		if (explorer_setup(&e, program, &bounded, &attempt)) {
			explorer_teardown(&e);
			return;
		}
		e.want_property = property;
		ex = &e;
		kfp_seam_install(&explorer_ops, NULL, program->reports);
		search();
		explorer_teardown(&e);
		if (attempt.has_counterexample) {
			free(result->counterexample);
			result->counterexample = attempt.counterexample;
			attempt.counterexample = NULL;
			result->counterexample_preemptions = attempt.counterexample_preemptions;
			result->counterexample_reports = attempt.counterexample_reports;
		}
		kfp_explore_result_release(&attempt);
		if (attempt.has_counterexample || attempt.stop == KFP_STOP_INTERRUPTED)
			return;
	}
}

/*
 * The stateful search explores every state once: it has no preemption
 * count to bound (a state reached with more preemptions first would cut
 * the schedules with fewer), no random runs, no depth-first numbering of
 * prefixes to shard, and no unreduced mode to be compared with.
 */
static bool stateful_applies(const struct kfp_explore_options *options)
{
	return options->stateful && kfp_stateful_supported() && options->preemption_bound < 0 &&
	       !options->random_executions && options->shard_count <= 1 && !options->no_reduction;
}

int kfp_explore(const struct kfp_program *program, const struct kfp_explore_options *options,
		struct kfp_explore_result *result)
{
	struct explorer *e = calloc(1, sizeof(*e));
	struct kfp_seam saved = kfp_seam;
	double start = now_seconds();
	int ret;

	kfp_explore_result_release(result);
	memset(result, 0, sizeof(*result));
	if (!e)
		return -ENOMEM;
	ret = explorer_setup(e, program, options, result);
	if (!ret) {
		ex = e;
		kfp_seam_install(&explorer_ops, NULL, program->reports);
		result->stop = KFP_STOP_COMPLETE;
		if (stateful_applies(options)) {
			stateful_search();
		} else {
			e->checkpoints = checkpoints_apply();
			search();
		}
		explorer_teardown(e);
		if (e->out_of_memory)
			ret = -ENOMEM;
		else if (options->minimize && result->has_counterexample &&
			 result->counterexample_preemptions && result->stop != KFP_STOP_INTERRUPTED)
			minimize(program, options, result);
	} else {
		explorer_teardown(e);
	}
	kfp_seam = saved;
	free(e);
	ex = NULL;
	/* an execution cut by the step bound leaves its continuations unexplored */
	if (result->stop == KFP_STOP_COMPLETE && result->step_bound_hits)
		result->stop = KFP_STOP_STEP_BOUND;
	/* a schedule that comes back to a state it left never ends: no verdict on it */
	if (result->stop == KFP_STOP_COMPLETE && result->cycles)
		result->stop = KFP_STOP_CYCLE;
	/* a shard explored its part: no verdict on the whole (kfp merge makes that) */
	if (result->stop == KFP_STOP_COMPLETE && options->shard_count > 1)
		result->stop = KFP_STOP_SHARD;
	result->complete = !ret && result->stop == KFP_STOP_COMPLETE;
	if (result->complete)
		explorer_set_estimate(result, 1,
				      result->stateful ? result->states : result->executions);
	result->seconds = now_seconds() - start;
	return ret;
}

int kfp_replay_with_options(const struct kfp_program *program, const char *schedule,
			    const struct kfp_explore_options *bounds,
			    struct kfp_explore_result *result)
{
	struct kfp_explore_options options = { .preemption_bound = -1 };
	struct explorer *e = calloc(1, sizeof(*e));
	struct kfp_seam saved = kfp_seam;
	u8 *choices = NULL;
	enum execution_end end;
	int n, ret;

	kfp_explore_result_release(result);
	memset(result, 0, sizeof(*result));
	if (bounds) {
		options.max_steps = bounds->max_steps;
		options.preemption_bound = bounds->preemption_bound;
	}
	ret = e ? explorer_setup(e, program, &options, result) : -ENOMEM;
	/* a schedule longer than the step bound cannot be followed */
	n = ret ? ret : parse_schedule(schedule, &choices, e->max_steps);
	ret = n < 0 ? n : 0;
	if (!ret) {
		ex = e;
		e->forced = choices;
		e->nr_forced = (unsigned int)n;
		e->full_at_every_node = true;
		kfp_seam_install(&explorer_ops, NULL, program->reports);
		end = run_execution(program->trace != NULL);
		if (end == END_FORCED_INVALID) {
			ret = -EINVAL;
		} else {
			if (end != END_STEP_BOUND)
				explorer_finish_execution();
			explorer_account(end);
			/* a bounded search never ran this schedule */
			if (options.preemption_bound >= 0 && ex->depth &&
			    ex->node[ex->depth - 1].preemptions > options.preemption_bound)
				ret = -ERANGE;
		}
		/* leave the state as the execution ended: the caller reads it */
		free(e->snapshot);
		e->snapshot = NULL;
	}
	if (e)
		explorer_teardown(e);
	kfp_explore_result_release(result);
	kfp_seam = saved;
	free(choices);
	free(e);
	ex = NULL;
	return ret;
}

int kfp_replay(const struct kfp_program *program, const char *schedule,
	       struct kfp_explore_result *result)
{
	return kfp_replay_with_options(program, schedule, NULL, result);
}

char *kfp_explore_current_schedule(void)
{
	return ex ? explorer_format_schedule(ex->depth) : NULL;
}

unsigned int kfp_explore_current_preemptions(void)
{
	return ex && ex->depth ? ex->node[ex->depth - 1].preemptions : 0;
}

void kfp_explore_result_release(struct kfp_explore_result *result)
{
	unsigned int p;

	free(result->counterexample);
	result->counterexample = NULL;
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		free(result->witness[p]);
		free(result->accepted_witness[p]);
		result->witness[p] = NULL;
		result->accepted_witness[p] = NULL;
	}
}

const char *kfp_stop_reason_name(enum kfp_stop_reason reason)
{
	static const char *const names[] = {
		[KFP_STOP_COMPLETE] = "complete",
		[KFP_STOP_MAX_EXECUTIONS] = "max executions",
		[KFP_STOP_TIMEOUT] = "timeout",
		[KFP_STOP_VIOLATION] = "stopped at first violation",
		[KFP_STOP_RANDOM_DONE] = "random runs done",
		[KFP_STOP_PREEMPTION_BOUND] = "preemption bound",
		[KFP_STOP_STEP_BOUND] = "step bound",
		[KFP_STOP_SHARD] = "shard",
		[KFP_STOP_INTERRUPTED] = "interrupted",
		[KFP_STOP_MEMORY] = "out of memory",
		[KFP_STOP_CYCLE] = "a schedule loops forever",
	};

	if ((unsigned int)reason >= ARRAY_SIZE(names))
		return "?";
	return names[reason];
}
