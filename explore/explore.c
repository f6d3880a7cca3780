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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kfp/explore.h>

#include "coroutine.h"

#define STACK_SIZE (256 * 1024)
#define OBJECT_TABLE_SIZE 1024 /* power of two */
#define SHARD_DEPTH 4
#define MINIMIZE_BUDGET 20000

typedef u16 thread_mask;

enum thread_status {
	THREAD_READY,
	THREAD_LOCK, /* wants a lock */
	THREAD_WAIT, /* waits for a write to an object */
	THREAD_FINISHED,
};

/* A lock or a wait names its object as fp.object[0], alone. */
struct pending {
	struct kfp_footprint fp;
	u8 is_lock;
	u8 is_wait;
	u8 lock_write;
	const struct kfp_lock *lock;
	const char *what;
	u32 wait_since;
};

struct model_thread {
	struct coroutine co;
	char *stack;
	u8 status;
	u16 steps; /* events so far: its own vector-clock component */
	s32 last_event; /* index of its latest event in this execution, or -1 */
	struct pending pending;
};

struct event {
	u8 thread;
	struct kfp_footprint fp;
	u16 clock[KFP_MAX_THREADS];
};

struct node {
	thread_mask enabled, backtrack, done, sleep;
	u8 chosen;
	u8 previous; /* thread that ran the step before, or 0xff */
	u16 preemptions; /* up to and including this choice */
	struct pending pending[KFP_MAX_THREADS];
};

struct object_state {
	u32 key;
	u32 epoch;
	s32 last_write;
	s32 last_read[KFP_MAX_THREADS]; /* since the last write */
	u16 write_clock[KFP_MAX_THREADS];
	u16 read_clock[KFP_MAX_THREADS];
};

struct explorer {
	const struct kfp_program *program;
	struct kfp_explore_options options;
	struct kfp_explore_result *result;
	void *snapshot;
	struct model_thread thread[KFP_MAX_THREADS];
	struct node *node;
	struct event *event;
	unsigned int max_steps;
	unsigned int depth; /* decisions made in this execution */
	unsigned int prefix; /* decisions to replay from the previous one */
	int running; /* thread in a coroutine, or -1 */
	bool passive; /* seam points do not schedule (setup, at_end) */
	bool aborted; /* the execution stopped early on purpose */
	bool full_at_every_node; /* no reduction */
	u32 epoch;
	struct object_state objects[OBJECT_TABLE_SIZE];
	u64 random_state;
	/* replay */
	const u8 *forced;
	unsigned int nr_forced;
	bool forced_invalid;
	/* sharding: nodes above prefix_floor branch on every thread */
	unsigned int prefix_floor;
	u64 prefixes_seen;
	/* minimisation: only keep executions violating this property */
	int want_property;
};

static struct explorer *ex;

/* ---- helpers ---------------------------------------------------------- */

static thread_mask bit(unsigned int thread)
{
	return (thread_mask)(1U << thread);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* splitmix64: a small, well-mixed PRNG that a printed seed reproduces */
static u64 random_next(void)
{
	u64 z = (ex->random_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Some object both touch, and one of them writes it. */
static bool footprints_conflict(const struct kfp_footprint *a, const struct kfp_footprint *b)
{
	unsigned int i, j;

	for (i = 0; i < a->nr; i++)
		for (j = 0; j < b->nr; j++)
			if (a->object[i] == b->object[j] &&
			    (a->access[i] == KFP_ACCESS_WRITE || b->access[j] == KFP_ACCESS_WRITE))
				return true;
	return false;
}

static bool conflicts(const struct pending *a, const struct pending *b)
{
	return footprints_conflict(&a->fp, &b->fp);
}

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
	pending.wait_since = ex->depth;
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

static bool written_since(u32 object, unsigned int since)
{
	unsigned int i, k;

	for (i = since; i < ex->depth; i++) {
		const struct kfp_footprint *fp = &ex->event[i].fp;

		for (k = 0; k < fp->nr; k++)
			if (fp->object[k] == object && fp->access[k] == KFP_ACCESS_WRITE)
				return true;
	}
	return false;
}

static bool thread_enabled(const struct model_thread *t)
{
	switch (t->status) {
	case THREAD_READY:
		return true;
	case THREAD_LOCK:
		return lock_available(&t->pending);
	case THREAD_WAIT:
		return written_since(t->pending.fp.object[0], t->pending.wait_since);
	default:
		return false;
	}
}

static thread_mask enabled_threads(void)
{
	thread_mask mask = 0;
	unsigned int i;

	for (i = 0; i < ex->program->nr_threads; i++)
		if (thread_enabled(&ex->thread[i]))
			mask |= bit(i);
	return mask;
}

static bool all_finished(void)
{
	unsigned int i;

	for (i = 0; i < ex->program->nr_threads; i++)
		if (ex->thread[i].status != THREAD_FINISHED)
			return false;
	return true;
}

/* Restore the snapshot and run each thread up to its first visible step. */
static void start_execution(void)
{
	const struct kfp_program *program = ex->program;
	unsigned int i;

	memcpy(program->state, ex->snapshot, program->state_size);
	ex->depth = 0;
	ex->aborted = false;
	ex->epoch++;
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

static unsigned int lowest(thread_mask mask)
{
	return (unsigned int)__builtin_ctz(mask);
}

/* Source-DPOR: make sure some thread starting the reversal of race (j, i) is tried at node j. */
static void reverse_race(unsigned int j, unsigned int i)
{
	static unsigned int v[KFP_MAX_STEPS];
	struct node *node = &ex->node[j];
	const struct event *ej = &ex->event[j];
	thread_mask start, usable;
	unsigned int k, n = 0;

	if (j < ex->prefix_floor)
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
		if (!conflicts(&parent->pending[q], &parent->pending[chosen]))
			keep |= bit(q);
	}
	return keep;
}

static unsigned int preemption_cost(const struct node *node, unsigned int choice)
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
	if (ex->depth == 0 || ex->full_at_every_node || ex->depth <= ex->prefix_floor)
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
	node->backtrack =
		ex->full_at_every_node || ex->depth < ex->prefix_floor ? enabled : bit(pick);
	node->preemptions = (u16)((ex->depth ? ex->node[ex->depth - 1].preemptions : 0) +
				  preemption_cost(node, pick));
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

/* Let thread @t make the step it announced, up to its next announcement. */
static void run_step(unsigned int t, bool tracing)
{
	struct model_thread *thread = &ex->thread[t];
	struct pending pending = thread->pending;

	record_event(t, &pending);
	thread->steps++;
	ex->running = (int)t;
	coroutine_resume(&thread->co);
	ex->running = -1;
	if (thread->co.finished)
		thread->status = THREAD_FINISHED;
	if (tracing)
		trace_step(t, &pending);
	ex->depth++;
}

enum execution_end {
	END_COMPLETE,
	END_DEADLOCK,
	END_SLEEP_BLOCKED,
	END_STEP_BOUND,
	END_SHARD_SKIPPED,
	END_FORCED_INVALID,
};

static bool shard_skips_this_prefix(void)
{
	u64 number = ex->prefixes_seen++;

	return number % ex->options.shard_count != ex->options.shard_index;
}

static enum execution_end run_execution(bool tracing)
{
	int previous = -1;

	start_execution();
	for (;;) {
		thread_mask enabled;
		int t;

		if (ex->options.shard_count > 1 && ex->depth == ex->prefix_floor &&
		    shard_skips_this_prefix())
			return END_SHARD_SKIPPED;
		if (all_finished())
			break;
		if (ex->depth >= ex->max_steps) {
			kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_STEP_BOUND, KFP_PFN_NONE, 0,
				   ex->depth, "max steps");
			return END_STEP_BOUND;
		}
		enabled = enabled_threads();
		if (!enabled) {
			kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_DEADLOCK, KFP_PFN_NONE, 0,
				   ex->depth, "no thread can run");
			return END_DEADLOCK;
		}
		if (ex->depth < ex->prefix) {
			t = ex->node[ex->depth].chosen;
			ex->node[ex->depth].enabled = enabled;
		} else {
			t = new_node(enabled, previous);
			if (t < 0)
				return ex->forced_invalid ? END_FORCED_INVALID : END_SLEEP_BLOCKED;
		}
		run_step((unsigned int)t, tracing);
		previous = t;
	}
	if (ex->options.shard_count > 1 && ex->depth < ex->prefix_floor &&
	    shard_skips_this_prefix())
		return END_SHARD_SKIPPED;
	return END_COMPLETE;
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
			    base + preemption_cost(node, q) >
				    (unsigned int)ex->options.preemption_bound) {
				node->done |= bit(q);
				ex->result->stop = KFP_STOP_PREEMPTION_BOUND;
				continue;
			}
			node->chosen = (u8)q;
			node->preemptions = (u16)(base + preemption_cost(node, q));
			ex->prefix = d + 1;
			ex->depth = d + 1;
			return true;
		}
	}
	return false;
}

static void format_schedule(char *out, size_t size, unsigned int depth)
{
	size_t len = 0;
	unsigned int i = 0;

	out[0] = '\0';
	while (i < depth && len + 16 < size) {
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
}

/* Parse "0:3,1,0:2" into one thread per decision. */
static int parse_schedule(const char *text, u8 *choices, unsigned int max)
{
	unsigned int n = 0;
	const char *p = text;

	while (*p) {
		char *end;
		unsigned long t = strtoul(p, &end, 10), run = 1;

		if (end == p || t >= KFP_MAX_THREADS)
			return -EINVAL;
		p = end;
		if (*p == ':') {
			run = strtoul(p + 1, &end, 10);
			if (end == p + 1 || !run)
				return -EINVAL;
			p = end;
		}
		if (*p == ',')
			p++;
		else if (*p)
			return -EINVAL;
		while (run--) {
			if (n >= max)
				return -EINVAL;
			choices[n++] = (u8)t;
		}
	}
	return (int)n;
}

/* Account one ended execution; true when the search should stop. */
static bool account(enum execution_end end)
{
	struct kfp_explore_result *result = ex->result;
	const struct kfp_reports *reports = ex->program->reports;
	bool violated[KFP_NR_PROPERTIES] = { false }, accepted[KFP_NR_PROPERTIES] = { false };
	bool any = false;
	unsigned int i, p;

	result->steps += ex->depth;
	if (end == END_SLEEP_BLOCKED) {
		result->sleep_blocked++;
		return false;
	}
	if (end == END_SHARD_SKIPPED)
		return false;
	result->executions++;
	if (end == END_DEADLOCK)
		result->deadlocks++;
	if (end == END_STEP_BOUND)
		result->step_bound_hits++;
	for (i = 0; i < reports->count; i++) {
		if (reports->report[i].accepted)
			accepted[reports->report[i].property] = true;
		else
			violated[reports->report[i].property] = true;
	}
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		if (reports->by_property[p] > reports->count)
			violated[p] = true;
		if (violated[p] && !result->executions_with_violation[p]++)
			format_schedule(result->witness[p], KFP_SCHEDULE_MAX, ex->depth);
		if (accepted[p] && !result->executions_with_accepted[p]++)
			format_schedule(result->accepted_witness[p], KFP_SCHEDULE_MAX, ex->depth);
		if (violated[p] && (ex->want_property < 0 || ex->want_property == (int)p))
			any = true;
	}
	if (any && !result->has_counterexample) {
		result->has_counterexample = true;
		format_schedule(result->counterexample, KFP_SCHEDULE_MAX, ex->depth);
		result->counterexample_preemptions =
			ex->depth ? ex->node[ex->depth - 1].preemptions : 0;
		result->counterexample_reports = *reports;
	}
	return any && ex->options.stop_on_violation;
}

static void finish_execution(void)
{
	const struct kfp_program *program = ex->program;

	ex->passive = true;
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
	e->max_steps = options->max_steps && options->max_steps < KFP_MAX_STEPS ?
			       options->max_steps :
			       KFP_MAX_STEPS;
	e->full_at_every_node = options->no_reduction;
	if (options->shard_count > 1) {
		if (options->shard_index >= options->shard_count)
			return -EINVAL;
		e->prefix_floor = SHARD_DEPTH;
	}
	e->random_state = options->seed;
	e->snapshot = malloc(program->state_size);
	e->node = calloc(KFP_MAX_STEPS + 1, sizeof(*e->node));
	e->event = calloc(KFP_MAX_STEPS + 1, sizeof(*e->event));
	if (!e->snapshot || !e->node || !e->event)
		return -ENOMEM;
	for (i = 0; i < program->nr_threads; i++) {
		e->thread[i].stack = malloc(STACK_SIZE);
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
	for (i = 0; i < KFP_MAX_THREADS; i++)
		free(e->thread[i].stack);
	free(e->snapshot);
	free(e->node);
	free(e->event);
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

		/* a redundant or another shard's execution is no execution at all */
		if (end != END_SLEEP_BLOCKED && end != END_SHARD_SKIPPED)
			finish_execution();
		stop = account(end);
		runs++;
		if (options->progress && !(runs & 1023))
			options->progress(options->progress_arg, result);
		if (stop) {
			result->stop = KFP_STOP_VIOLATION;
			return;
		}
		if (options->random_executions) {
			if (runs >= options->random_executions) {
				result->stop = KFP_STOP_RANDOM_DONE;
				return;
			}
			ex->prefix = 0;
			continue;
		}
		if (options->max_executions && result->executions >= options->max_executions) {
			result->stop = KFP_STOP_MAX_EXECUTIONS;
			if (backtrack())
				return;
			result->stop = KFP_STOP_COMPLETE;
			return;
		}
		if (options->timeout_seconds > 0 && !(runs & 31) &&
		    now_seconds() - start > options->timeout_seconds) {
			result->stop = KFP_STOP_TIMEOUT;
			return;
		}
		if (!backtrack())
			return;
	}
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
			memcpy(result->counterexample, attempt.counterexample,
			       sizeof(result->counterexample));
			result->counterexample_preemptions = attempt.counterexample_preemptions;
			result->counterexample_reports = attempt.counterexample_reports;
			return;
		}
	}
}

int kfp_explore(const struct kfp_program *program, const struct kfp_explore_options *options,
		struct kfp_explore_result *result)
{
	struct explorer *e = calloc(1, sizeof(*e));
	struct kfp_seam saved = kfp_seam;
	double start = now_seconds();
	int ret;

	memset(result, 0, sizeof(*result));
	if (!e)
		return -ENOMEM;
	ret = explorer_setup(e, program, options, result);
	if (!ret) {
		ex = e;
		kfp_seam_install(&explorer_ops, NULL, program->reports);
		result->stop = KFP_STOP_COMPLETE;
		search();
		explorer_teardown(e);
		if (options->minimize && result->has_counterexample &&
		    result->counterexample_preemptions)
			minimize(program, options, result);
	} else {
		explorer_teardown(e);
	}
	kfp_seam = saved;
	free(e);
	ex = NULL;
	result->complete = !ret && result->stop == KFP_STOP_COMPLETE && !result->step_bound_hits;
	result->seconds = now_seconds() - start;
	return ret;
}

int kfp_replay(const struct kfp_program *program, const char *schedule,
	       struct kfp_explore_result *result)
{
	struct kfp_explore_options options = { .preemption_bound = -1 };
	struct explorer *e = calloc(1, sizeof(*e));
	struct kfp_seam saved = kfp_seam;
	static u8 choices[KFP_MAX_STEPS];
	enum execution_end end;
	int n, ret;

	memset(result, 0, sizeof(*result));
	if (!e)
		return -ENOMEM;
	n = parse_schedule(schedule, choices, KFP_MAX_STEPS);
	ret = n < 0 ? n : explorer_setup(e, program, &options, result);
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
			finish_execution();
			account(end);
		}
		/* leave the state as the execution ended: the caller reads it */
		free(e->snapshot);
		e->snapshot = NULL;
	}
	explorer_teardown(e);
	kfp_seam = saved;
	free(e);
	ex = NULL;
	return ret;
}

void kfp_explore_current_schedule(char *out, size_t size)
{
	if (!ex) {
		if (size)
			out[0] = '\0';
		return;
	}
	format_schedule(out, size, ex->depth);
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
	};

	if ((unsigned int)reason >= ARRAY_SIZE(names))
		return "?";
	return names[reason];
}
