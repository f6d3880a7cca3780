// SPDX-License-Identifier: GPL-2.0
/*
 * The explorer's entry point: set a search up, pick the search that
 * applies (stateful.c for the stateful search, dpor.c for the stateless
 * one, random runs and shards), minimise a counterexample (replay.c), and
 * state what the result supports (complete, or the reason it stopped).
 */
#include <stdlib.h>
#include <string.h>

#include <kfp/explore.h>

#include "internal.h"

int explorer_setup(struct explorer *e, const struct kfp_program *program,
		   const struct kfp_explore_options *options, struct kfp_explore_result *result)
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
		e->thread[i].explorer = e;
		e->thread[i].stack = calloc(1, STACK_SIZE);
		if (!e->thread[i].stack)
			return -ENOMEM;
	}
	memcpy(e->snapshot, program->state, program->state_size);
	return 0;
}

/* Put the program's state back as it was set up, and release everything. */
void explorer_teardown(struct explorer *e)
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
		kfp_seam_install(&explorer_ops, e, program->reports);
		result->stop = KFP_STOP_COMPLETE;
		if (stateful_applies(options)) {
			stateful_search(e);
		} else {
			e->checkpoints = checkpoints_apply(e);
			dpor_search(e);
		}
		explorer_teardown(e);
		if (e->out_of_memory)
			ret = -ENOMEM;
		else if (options->minimize && result->has_counterexample &&
			 result->counterexample_preemptions && result->stop != KFP_STOP_INTERRUPTED)
			explorer_minimize(program, options, result);
	} else {
		explorer_teardown(e);
	}
	kfp_seam = saved;
	free(e);
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
		[KFP_STOP_MAX_STATES] = "max states",
	};

	if ((unsigned int)reason >= ARRAY_SIZE(names))
		return "?";
	return names[reason];
}
