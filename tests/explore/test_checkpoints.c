// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoints of the stateless search change how an execution starts, not
 * which executions there are: with and without them, every cell of the
 * library is searched (DPOR, the same bound) to the same executions,
 * sleep-blocked runs, steps, property counts and schedules.  The
 * schedules are the strongest part: they are the search's order, so a
 * checkpoint that restored one wrong byte of a thread, an object's access
 * history or the world would move them.
 */
#include <string.h>

#include <kfp/scenario.h>

#include "../lib/harness.h"
#include "../lib/library.h"

/* executions per cell, the same bound both ways (a cut search is compared as cut) */
#define CHECKPOINT_CELL_BUDGET (SLOW_BUILD ? 1500 : 20000)

static char paths[KFP_LIBRARY_MAX][KFP_LIBRARY_PATH_LEN];
static struct kfp_scenario scenario;
static struct kfp_scenario_run with, without;

static bool same_string(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The two runs of one cell; false (with a diagnostic) if they differ. */
static bool same_search(const char *design)
{
	const struct kfp_explore_result *a = &with.explore, *b = &without.explore;
	bool same = a->executions == b->executions && a->sleep_blocked == b->sleep_blocked &&
		    a->steps == b->steps && a->step_bound_hits == b->step_bound_hits &&
		    a->stop == b->stop && same_string(a->counterexample, b->counterexample);
	unsigned int p;

	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		same = same && a->executions_with_violation[p] == b->executions_with_violation[p] &&
		       a->executions_with_accepted[p] == b->executions_with_accepted[p] &&
		       same_string(a->witness[p], b->witness[p]) &&
		       same_string(a->accepted_witness[p], b->accepted_witness[p]);
	}
	if (!same)
		kfp_test_diag("%s under %s: %llu executions, %llu sleep-blocked, %llu steps; "
			      "without checkpoints %llu, %llu, %llu",
			      scenario.name, design, (unsigned long long)a->executions,
			      (unsigned long long)a->sleep_blocked, (unsigned long long)a->steps,
			      (unsigned long long)b->executions,
			      (unsigned long long)b->sleep_blocked, (unsigned long long)b->steps);
	return same;
}

TEST(checkpoints_change_no_execution_of_the_library)
{
	struct kfp_explore_options options = { .preemption_bound = -1,
					       .max_executions = CHECKPOINT_CELL_BUDGET };
	struct kfp_explore_options replaying = options;
	unsigned int nr, p, d, cells = 0, differ = 0;
	u64 executions = 0;
	char error[KFP_ERROR_LEN];

	replaying.no_checkpoints = true;
	nr = kfp_library_list(paths);
	ASSERT_GT(nr, 0);
	for (p = 0; p < nr; p++) {
		if (kfp_scenario_load(paths[p], &scenario, error, sizeof(error))) {
			kfp_test_diag("%s", error);
			ASSERT_TRUE(false);
		}
		for (d = 0; d < kfp_nr_designs; d++) {
			ASSERT_EQ(kfp_scenario_run(&scenario, d, &options, &with), 0);
			ASSERT_EQ(kfp_scenario_run(&scenario, d, &replaying, &without), 0);
			ASSERT_FALSE(with.explore.stateful);
			cells++;
			executions += with.explore.executions;
			if (!same_search(kfp_designs[d]->name))
				differ++;
		}
	}
	kfp_test_diag("%u cells, %llu executions (at most %u each), %u differ", cells,
		      (unsigned long long)executions, CHECKPOINT_CELL_BUDGET, differ);
	kfp_scenario_run_release(&with);
	kfp_scenario_run_release(&without);
	ASSERT_EQ(differ, 0);
}
