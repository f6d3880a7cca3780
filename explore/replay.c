// SPDX-License-Identifier: GPL-2.0
/*
 * Replay and minimisation.  A schedule ("0:3,1,0:2", thread:run) forces
 * every decision of one execution; replaying it reproduces the execution
 * step for step, reports and trace included.  Minimisation searches again
 * with a growing preemption bound for a counterexample with fewer
 * preemptions than the one found first.
 */
#include <stdlib.h>
#include <string.h>

#include <kfp/explore.h>

#include "internal.h"

#define MINIMIZE_BUDGET 20000

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

void explorer_minimize(const struct kfp_program *program, const struct kfp_explore_options *options,
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
		kfp_seam_install(&explorer_ops, &e, program->reports);
		dpor_search(&e);
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
		e->forced = choices;
		e->nr_forced = (unsigned int)n;
		e->full_at_every_node = true;
		kfp_seam_install(&explorer_ops, e, program->reports);
		end = explorer_run_execution(e, program->trace != NULL);
		if (end == END_FORCED_INVALID) {
			ret = -EINVAL;
		} else {
			if (end != END_STEP_BOUND)
				explorer_finish_execution(e);
			explorer_account(e, end);
			/* a bounded search never ran this schedule */
			if (options.preemption_bound >= 0 && e->depth &&
			    e->node[e->depth - 1].preemptions > options.preemption_bound)
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
	return ret;
}

int kfp_replay(const struct kfp_program *program, const char *schedule,
	       struct kfp_explore_result *result)
{
	return kfp_replay_with_options(program, schedule, NULL, result);
}

/* Only while a search runs on this OS thread: its seam is installed. */
char *kfp_explore_current_schedule(void)
{
	struct explorer *ex = kfp_seam.ops == &explorer_ops ? kfp_seam.ctx : NULL;

	return ex ? explorer_format_schedule(ex, ex->depth) : NULL;
}

/* Only while a search runs on this OS thread, as above. */
unsigned int kfp_explore_current_preemptions(void)
{
	struct explorer *ex = kfp_seam.ops == &explorer_ops ? kfp_seam.ctx : NULL;

	return ex && ex->depth ? ex->node[ex->depth - 1].preemptions : 0;
}
