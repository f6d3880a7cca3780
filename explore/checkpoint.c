// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoints of the stateless search.
 *
 * An execution of the depth-first search replays the previous one's
 * decisions down to the node where it branches off (88 % of its steps on
 * the scale issue's race), then makes new ones.  Replaying is what the
 * search did to rebuild the world and the threads at that node.  Instead,
 * every CHECKPOINT_EVERY steps an execution keeps what the next ones need
 * to start from there: the program's state, each thread's live stack and
 * registers, and the search's own per-execution record (the threads'
 * vector clocks and the access history of every object touched).  An
 * execution then starts from the deepest checkpoint above its branching
 * node and replays fewer than CHECKPOINT_EVERY steps.
 *
 * What a replayed step would have recomputed is the same: the prefix's
 * events (kept in ex->event, not rewritten), the backtrack points its
 * races add (already added by the execution that first made those steps:
 * adding them again changes nothing).  The test suite checks the search
 * with and without checkpoints for the same executions, sleep-blocked
 * runs, steps and answers on the library (options.no_checkpoints).
 *
 * A checkpoint at depth c stays valid while the search's path keeps its
 * first c decisions: backtracking to node d drops those below d.
 * Checkpoints need coroutine images (x86-64), and are not used in random
 * mode, in a shard, or for a forced schedule.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct checkpoint_thread {
	void *sp;
	void *fake_stack;
	size_t stack_len;
	struct pending pending;
	s32 last_event;
	u16 steps;
	u8 status;
	bool woken;
	bool finished;
};

struct checkpoint {
	bool valid;
	char *bytes; /* the state, the live object histories, the stacks */
	size_t capacity;
	u16 nr_objects;
	u16 object_slot[OBJECT_TABLE_SIZE];
	struct checkpoint_thread thread[KFP_MAX_THREADS];
};

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

bool checkpoints_apply(struct explorer *ex)
{
	const struct kfp_explore_options *options = &ex->options;

	return COROUTINE_HAS_IMAGES && !options->no_checkpoints && !options->random_executions &&
	       options->shard_count <= 1 && !ex->nr_forced && !ex->stateful;
}

static size_t checkpoint_size(struct explorer *ex)
{
	size_t size = ALIGN8(ex->program->state_size) +
		      ALIGN8((size_t)ex->nr_live_objects * sizeof(struct object_state));
	unsigned int i;

	for (i = 0; i < ex->program->nr_threads; i++) {
		size_t len;

		coroutine_live_stack(&ex->thread[i].co, &len);
		size += ALIGN8(len);
	}
	return size;
}

static struct checkpoint *checkpoint_slot(struct explorer *ex, unsigned int index)
{
	struct checkpoint *more;
	unsigned int capacity;

	if (index < ex->nr_checkpoints)
		return &ex->checkpoint[index];
	capacity = explorer_capacity_for(ex->nr_checkpoints, index + 1);
	more = explorer_grow_array(ex->checkpoint, sizeof(*more), ex->nr_checkpoints, capacity);
	if (!more)
		return NULL;
	ex->checkpoint = more;
	ex->nr_checkpoints = capacity;
	return &ex->checkpoint[index];
}

/* Keep the world as it is before step @depth (a multiple of CHECKPOINT_EVERY). */
void checkpoint_take(struct explorer *ex, unsigned int depth)
{
	const struct kfp_program *program = ex->program;
	struct checkpoint *c = checkpoint_slot(ex, depth / CHECKPOINT_EVERY);
	size_t size, at;
	unsigned int i;

	/* no room is no error: the execution replays further */
	if (!c || c->valid)
		return;
	size = checkpoint_size(ex);
	if (size > c->capacity) {
		char *bytes = realloc(c->bytes, size);

		if (!bytes)
			return;
		c->bytes = bytes;
		c->capacity = size;
	}
	memcpy(c->bytes, program->state, program->state_size);
	at = ALIGN8(program->state_size);
	c->nr_objects = (u16)ex->nr_live_objects;
	for (i = 0; i < ex->nr_live_objects; i++) {
		c->object_slot[i] = ex->live_object[i];
		memcpy(c->bytes + at, &ex->objects[ex->live_object[i]],
		       sizeof(struct object_state));
		at += sizeof(struct object_state);
	}
	/* the stacks are copied a word at a time: each starts 8-aligned */
	at = ALIGN8(at);
	for (i = 0; i < program->nr_threads; i++) {
		const struct model_thread *t = &ex->thread[i];
		struct checkpoint_thread *ct = &c->thread[i];

		coroutine_live_stack(&t->co, &ct->stack_len);
		ct->sp = t->co.sp;
		ct->fake_stack = t->co.fake_stack;
		ct->finished = t->co.finished;
		ct->pending = t->pending;
		ct->last_event = t->last_event;
		ct->steps = t->steps;
		ct->status = t->status;
		ct->woken = t->woken;
		if (t->co.finished) {
			ct->stack_len = 0;
			continue;
		}
		coroutine_copy_live(&t->co, c->bytes + at);
		at += ALIGN8(ct->stack_len);
	}
	c->valid = true;
}

/* The path below node @depth changes: the checkpoints deeper than it no longer lie on it. */
void checkpoints_drop_below(struct explorer *ex, unsigned int depth)
{
	unsigned int i;

	for (i = depth / CHECKPOINT_EVERY + 1; i < ex->nr_checkpoints; i++)
		ex->checkpoint[i].valid = false;
}

static void restore_objects(struct explorer *ex, const struct checkpoint *c, size_t at)
{
	unsigned int i;

	/* a new epoch empties the table; the checkpoint's entries go back in their slots */
	ex->epoch++;
	ex->nr_live_objects = c->nr_objects;
	for (i = 0; i < c->nr_objects; i++) {
		struct object_state *o = &ex->objects[c->object_slot[i]];

		memcpy(o, c->bytes + at, sizeof(*o));
		o->epoch = ex->epoch;
		ex->live_object[i] = c->object_slot[i];
		at += sizeof(*o);
	}
}

/*
 * Start the execution from the deepest valid checkpoint at or above node
 * @depth; false when there is none (it starts from the beginning).
 */
bool checkpoint_restore(struct explorer *ex, unsigned int depth)
{
	const struct kfp_program *program = ex->program;
	const struct checkpoint *c = NULL;
	unsigned int index = depth / CHECKPOINT_EVERY, i;
	size_t at;

	for (; index > 0; index--) {
		if (index < ex->nr_checkpoints && ex->checkpoint[index].valid) {
			c = &ex->checkpoint[index];
			break;
		}
	}
	if (!c)
		return false;
	memcpy(program->state, c->bytes, program->state_size);
	at = ALIGN8(program->state_size);
	restore_objects(ex, c, at);
	at = ALIGN8(at + (size_t)c->nr_objects * sizeof(struct object_state));
	for (i = 0; i < program->nr_threads; i++) {
		struct model_thread *t = &ex->thread[i];
		const struct checkpoint_thread *ct = &c->thread[i];

		t->co.sp = ct->sp;
		t->co.fake_stack = ct->fake_stack;
		t->co.finished = ct->finished;
		t->pending = ct->pending;
		t->last_event = ct->last_event;
		t->steps = ct->steps;
		t->status = ct->status;
		t->woken = ct->woken;
		if (ct->finished)
			continue;
		coroutine_forget_frames(&t->co);
		memcpy(t->co.sp, c->bytes + at, ct->stack_len);
		at += ALIGN8(ct->stack_len);
	}
	ex->depth = index * CHECKPOINT_EVERY;
	ex->branchings = 0;
	ex->below_floor = true;
	ex->aborted = false;
	return true;
}

void checkpoints_release(struct explorer *e)
{
	unsigned int i;

	for (i = 0; i < e->nr_checkpoints; i++)
		free(e->checkpoint[i].bytes);
	free(e->checkpoint);
	e->checkpoint = NULL;
	e->nr_checkpoints = 0;
}
