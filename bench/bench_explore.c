// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: complete executions explored and executions per second, with
 * and without partial-order reduction, on two races of the model; the
 * known-answer programs' baseline rate runs in the same process so that
 * figures can be compared as ratios on any machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/lib/race_programs.h"

struct race {
	const char *name;
	int (*setup)(struct kfp_program *program, unsigned int inject);
};

static void run(const char *name, const struct kfp_program *program, bool reduction,
		u64 max_executions)
{
	struct kfp_explore_options options = { .preemption_bound = -1,
					       .no_reduction = !reduction,
					       .max_executions = max_executions };
	static struct kfp_explore_result result;

	if (kfp_explore(program, &options, &result)) {
		printf("%-36s explore failed\n", name);
		return;
	}
	printf("%-36s %-9s %10llu executions %8llu sleep-blocked %9llu steps %7.3f s %9.0f exec/s %s\n",
	       name, reduction ? "dpor" : "full", (unsigned long long)result.executions,
	       (unsigned long long)result.sleep_blocked, (unsigned long long)result.steps,
	       result.seconds, result.executions / (result.seconds > 0 ? result.seconds : 1e-9),
	       result.complete ? "complete" : kfp_stop_reason_name(result.stop));
}

int main(int argc, char **argv)
{
	static const struct race races[] = {
		{ "fault vs munmap+remap", race_fault_vs_munmap },
		{ "gpc refresh vs invalidation", race_gpc_refresh_vs_invalidation },
	};
	u64 full_budget = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
	struct kfp_program program;
	unsigned int i;

	printf("kfp bench: one core, executions explored and rate (budget without reduction: %llu)\n",
	       (unsigned long long)full_budget);
	for (i = 0; i < ARRAY_SIZE(races); i++) {
		races[i].setup(&program, 0);
		run(races[i].name, &program, true, 0);
		races[i].setup(&program, 0);
		run(races[i].name, &program, false, full_budget);
	}
	return 0;
}
