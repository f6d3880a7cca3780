// SPDX-License-Identifier: GPL-2.0
/*
 * The execution driver, shared by every search.
 *
 * A model thread is a coroutine.  It runs until it announces its next
 * visible step at a seam point (an access with its footprint: up to
 * KFP_FOOTPRINT_MAX objects, each read or written; a lock it wants; an
 * object it waits to see written) and then yields, so at every decision
 * the search knows what each thread would do next.  One step is the
 * announced access plus the thread-local code up to the next
 * announcement.  Here: the seam as the explorer implements it, starting
 * an execution from the snapshot, running one step, the growth of the
 * per-execution arrays, and accounting an ended execution into the result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kfp/explore.h>

#include "internal.h"

/* Some object both touch, and one of them writes it. */
static void footprint_one(struct kfp_footprint *fp, u32 object, enum kfp_access access)
{
	fp->nr = 1;
	fp->object[0] = object;
	fp->access[0] = (u8)access;
}

static void announce(struct explorer *ex, const struct pending *pending, u8 status)
{
	struct model_thread *t;

	if (ex->passive || ex->running < 0)
		return;
	t = &ex->thread[ex->running];
	t->pending = *pending;
	if (ex->masks)
		access_masks_note(ex->masks, (unsigned int)ex->running, pending);
	t->status = status;
	coroutine_yield();
}

static void explorer_point(void *ctx, u32 object, enum kfp_access access, const char *what)
{
	struct explorer *ex = ctx;
	struct pending pending = { .what = what };

	footprint_one(&pending.fp, object, access);
	announce(ex, &pending, THREAD_READY);
}

static void explorer_point_footprint(void *ctx, const struct kfp_footprint *footprint,
				     const char *what)
{
	struct explorer *ex = ctx;
	struct pending pending = { .fp = *footprint, .what = what };

	announce(ex, &pending, THREAD_READY);
}

static void explorer_acquire(void *ctx, const struct kfp_lock *lock, bool write)
{
	struct explorer *ex = ctx;
	struct pending pending = {
		.is_lock = 1,
		.lock_write = write,
		.lock = lock,
		.what = lock->name,
	};

	footprint_one(&pending.fp, lock->object, write ? KFP_ACCESS_WRITE : KFP_ACCESS_READ);
	announce(ex, &pending, THREAD_LOCK);
}

static bool explorer_block(void *ctx, const struct kfp_lock *lock, bool write)
{
	struct explorer *ex = ctx;

	/* Only reached when the lock is taken without explorer_acquire() first. */
	explorer_acquire(ctx, lock, write);
	return !ex->passive && ex->running >= 0;
}

static bool explorer_wait(void *ctx, u32 object, const char *what)
{
	struct explorer *ex = ctx;
	struct pending pending = {
		.is_wait = 1,
		.what = what,
	};

	if (ex->passive || ex->running < 0)
		return false;
	footprint_one(&pending.fp, object, KFP_ACCESS_READ);
	ex->thread[ex->running].woken = false;
	announce(ex, &pending, THREAD_WAIT);
	return true;
}

static int explorer_current_thread(void *ctx)
{
	struct explorer *ex = ctx;

	return ex->running >= 0 ? ex->running : 0;
}

const struct kfp_seam_ops explorer_ops = {
	.point = explorer_point,
	.block = explorer_block,
	.current_thread = explorer_current_thread,
	.wait = explorer_wait,
	.acquire = explorer_acquire,
	.point_footprint = explorer_point_footprint,
};

static void thread_main(void *arg)
{
	const struct model_thread *t = arg;
	const struct kfp_program *program = t->explorer->program;
	const struct kfp_thread_spec *spec = &program->thread[t - t->explorer->thread];

	spec->fn(program->state, spec->arg);
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

thread_mask explorer_enabled_threads(struct explorer *ex)
{
	thread_mask mask = 0;
	unsigned int i;

	for (i = 0; i < ex->program->nr_threads; i++)
		if (thread_enabled(&ex->thread[i]))
			mask |= bit(i);
	return mask;
}

/* The threads that may still take a step: every one but those that finished. */
thread_mask explorer_live_threads(const struct explorer *ex)
{
	thread_mask live = 0;
	unsigned int i;

	for (i = 0; i < ex->program->nr_threads; i++)
		if (ex->thread[i].status != THREAD_FINISHED)
			live |= (thread_mask)(1U << i);
	return live;
}

bool explorer_all_finished(struct explorer *ex)
{
	return !explorer_live_threads(ex);
}

/* A report made now names this step: the index of the step being made. */
static void set_step(struct explorer *ex, unsigned int step)
{
	if (ex->program->reports)
		ex->program->reports->step = step;
}

/* Restore the snapshot and run each thread up to its first visible step. */
void explorer_start_execution(struct explorer *ex)
{
	const struct kfp_program *program = ex->program;
	unsigned int i;

	memcpy(program->state, ex->snapshot, program->state_size);
	set_step(ex, 0);
	ex->depth = 0;
	ex->branchings = 0;
	ex->below_floor = !ex->split_branchings;
	ex->aborted = false;
	ex->epoch++;
	ex->nr_live_objects = 0;
	for (i = 0; i < program->nr_threads; i++) {
		struct model_thread *t = &ex->thread[i];

		coroutine_init(&t->co, t->stack, STACK_SIZE, thread_main, t);
		t->status = THREAD_READY;
		t->steps = 0;
		t->last_event = -1;
		/* what its run up to the first visible step left stays (as it always did) */
		t->dead_stack_dirty = false;
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

unsigned int explorer_preemption_cost(const struct node *node, unsigned int choice)
{
	if (node->previous == 0xff || choice == node->previous)
		return 0;
	return (node->enabled & bit(node->previous)) ? 1 : 0;
}

static void trace_step(struct explorer *ex, unsigned int t, const struct pending *pending)
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
static void wake_waiters(struct explorer *ex, const struct kfp_footprint *fp)
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
void explorer_run_step(struct explorer *ex, unsigned int t, bool tracing)
{
	struct model_thread *thread = &ex->thread[t];
	struct pending pending = thread->pending;

	if (!ex->stateful)
		dpor_record_event(ex, t, &pending);
	thread->steps++;
	set_step(ex, ex->depth);
#if COROUTINE_HAS_IMAGES
	if (thread->dead_stack_dirty) {
		coroutine_zero_below(&thread->co, DEAD_STACK_WINDOW);
		thread->dead_stack_dirty = false;
	}
#endif
	ex->running = (int)t;
	coroutine_resume(&thread->co);
	ex->running = -1;
	if (thread->co.finished)
		thread->status = THREAD_FINISHED;
	wake_waiters(ex, &pending.fp);
	thread->dead_stack_dirty = ex->stateful && !thread->co.finished;
	if (tracing)
		trace_step(ex, t, &pending);
	ex->depth++;
}

/*
 * Room for @depth nodes and events: the arrays grow with the deepest
 * execution, so no scenario is cut by a fixed size.  False when memory
 * runs out (the execution is then cut, and the search fails with -ENOMEM).
 */
bool explorer_grow(struct explorer *ex, unsigned int depth)
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

/*
 * The schedule of the first @depth decisions, "0:3,1,0:2" (thread:run), in
 * a string allocated to fit: a schedule is never cut.  NULL when out of
 * memory.  Each decision takes at most "15," (KFP_MAX_THREADS <= 16).
 */
char *explorer_format_schedule(struct explorer *ex, unsigned int depth)
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

/* Account one ended execution; true when the search should stop. */
bool explorer_account(struct explorer *ex, enum execution_end end)
{
	struct kfp_explore_result *result = ex->result;
	const struct kfp_reports *reports = ex->program->reports;
	struct kfp_verdict verdict;
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
	kfp_verdict_of(reports, &verdict);
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		if (verdict.violations[p] && !result->executions_with_violation[p]++) {
			result->witness[p] = explorer_format_schedule(ex, ex->depth);
			result->witness_reports[p] = *reports;
		}
		if (verdict.accepted[p] && !result->executions_with_accepted[p]++) {
			result->accepted_witness[p] = explorer_format_schedule(ex, ex->depth);
			result->accepted_witness_reports[p] = *reports;
		}
		if (verdict.violations[p] && (ex->want_property < 0 || ex->want_property == (int)p))
			any = true;
	}
	if (any && !result->has_counterexample) {
		result->has_counterexample = true;
		result->counterexample = explorer_format_schedule(ex, ex->depth);
		result->counterexample_preemptions =
			ex->depth ? ex->node[ex->depth - 1].preemptions : 0;
		result->counterexample_reports = *reports;
	}
	return any && ex->options.stop_on_violation;
}

void explorer_finish_execution(struct explorer *ex)
{
	const struct kfp_program *program = ex->program;

	ex->passive = true;
	set_step(ex, ex->depth);
	if (program->at_end)
		program->at_end(program->state, program->at_end_arg);
	ex->passive = false;
}
