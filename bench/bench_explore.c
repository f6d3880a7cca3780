// SPDX-License-Identifier: GPL-2.0
/*
 * make bench:
 *  - the three races of the scale goals (bench/scenarios/: one vCPU,
 *    two vCPUs vs MADV_DONTNEED, two vCPUs vs munmap+remap), upstream
 *    design, searched statefully to the end with persistent and sleep
 *    sets (the default), with sleep sets alone, with neither, and
 *    statelessly (source-DPOR, what kfp did before) within a time
 *    budget, side by side, with the
 *    goal of the scale issue and whether this run met it;
 *  - the bundled library under every design, both ways;
 *  - complete executions and executions per second of the stateless
 *    search, with and without checkpoints and partial-order reduction, on
 *    two races of the model (the throughput of a single execution).
 * Every figure of a pair comes from the same process on the same machine.
 * Usage: kfp-bench [SECONDS]  (the stateless budget per race, default 20)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kfp/scenario.h>

#include "../tests/lib/library.h"
#include "../tests/lib/race_programs.h"

struct race {
	const char *name;
	int (*setup)(struct kfp_program *program, unsigned int inject);
};

static void run(const char *name, const struct kfp_program *program, bool reduction,
		bool checkpoints, u64 max_executions)
{
	struct kfp_explore_options options = { .preemption_bound = -1,
					       .no_reduction = !reduction,
					       .no_checkpoints = !checkpoints,
					       .max_executions = max_executions };
	static struct kfp_explore_result result;

	if (kfp_explore(program, &options, &result)) {
		printf("%-36s explore failed\n", name);
		return;
	}
	printf("%-30s %-14s %10llu executions %8llu sleep-blocked %9llu steps %7.3f s %9.0f exec/s %s\n",
	       name,
	       reduction ? (checkpoints ? "dpor" : "dpor-replay") :
			   (checkpoints ? "full" : "full-replay"),
	       (unsigned long long)result.executions,
	       (unsigned long long)result.sleep_blocked, (unsigned long long)result.steps,
	       result.seconds, result.executions / (result.seconds > 0 ? result.seconds : 1e-9),
	       result.complete ? "complete" : kfp_stop_reason_name(result.stop));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct kfp_scenario scenario;
static struct kfp_scenario_run scenario_run;

/* One scenario under one design; false when it cannot run. */
static bool run_cell(const char *path, unsigned int design,
		     const struct kfp_explore_options *options)
{
	char error[KFP_ERROR_LEN];

	if (kfp_scenario_load(path, &scenario, error, sizeof(error))) {
		printf("%s\n", error);
		return false;
	}
	if (kfp_scenario_run(&scenario, design, options, &scenario_run)) {
		printf("%s\n", scenario_run.error);
		return false;
	}
	return true;
}

static void print_cell(const char *search)
{
	const struct kfp_explore_result *r = &scenario_run.explore;

	printf("  %-10s %10llu %-10s %10llu steps %3llu restarts %8.2f s  %s%s\n", search,
	       (unsigned long long)(r->stateful ? r->states : r->executions),
	       r->stateful ? "states" : "executions", (unsigned long long)r->steps,
	       (unsigned long long)r->restarts, r->seconds,
	       r->complete ? "complete" : kfp_stop_reason_name(r->stop),
	       r->complete ? (scenario_run.expectations_met ? ", expectations met" :
							      ", EXPECTATION FAILED") :
			     ": no verdict");
}

static void scale_races(double budget)
{
	static const struct {
		const char *path;
		double goal; /* seconds, complete; 0: none set */
	} races[] = {
		{ "bench/scenarios/one-vcpu-vs-dontneed.kfp", 0 },
		{ "bench/scenarios/two-vcpus-vs-dontneed.kfp", 1 },
		{ "bench/scenarios/two-vcpus-vs-munmap-remap.kfp", 10 },
	};
	struct kfp_explore_options stateful = { .preemption_bound = -1, .stateful = true };
	struct kfp_explore_options sleep_only = stateful, unreduced = stateful;
	struct kfp_explore_options dpor = { .preemption_bound = -1, .timeout_seconds = budget };
	unsigned int design = (unsigned int)kfp_design_index("upstream"), i;

	sleep_only.no_persistent_sets = true;
	unreduced.no_sleep_sets = true;
	unreduced.no_persistent_sets = true;
	printf("three races, upstream design (stateless budget %.0f s each)\n", budget);
	for (i = 0; i < ARRAY_SIZE(races); i++) {
		printf("%s\n", races[i].path);
		if (run_cell(races[i].path, design, &stateful)) {
			const struct kfp_explore_result *r = &scenario_run.explore;

			print_cell("stateful");
			if (races[i].goal > 0)
				printf("  goal: complete in <= %.0f s: %s\n", races[i].goal,
				       r->complete && r->seconds <= races[i].goal ? "met" :
										      "NOT MET");
		}
		if (run_cell(races[i].path, design, &sleep_only))
			print_cell("sleep-only");
		if (run_cell(races[i].path, design, &unreduced))
			print_cell("unreduced");
		if (run_cell(races[i].path, design, &dpor))
			print_cell("dpor");
	}
}

/*
 * Three-actor races kept out of the bundled library: their stateful
 * searches take one to twenty-five seconds per design, too long for make
 * run and make check.  Searched statefully to the end, upstream design.
 */
static void heavy_races(void)
{
	static const char *const paths[] = {
		"bench/scenarios/gpc-two-users-vs-invalidation.kfp",
		"bench/scenarios/two-vcpu-writes-vs-madvise-dontneed.kfp",
		"bench/scenarios/first-touch-by-two-vcpus-vs-migration.kfp",
		"bench/scenarios/first-touch-by-two-vcpus-vs-reclaim.kfp",
	};
	struct kfp_explore_options stateful = { .preemption_bound = -1, .stateful = true };
	struct kfp_explore_options sleep_only = stateful;
	unsigned int design = (unsigned int)kfp_design_index("upstream"), i;

	sleep_only.no_persistent_sets = true;
	printf("three-actor races outside the library, upstream design\n");
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		printf("%s\n", paths[i]);
		if (run_cell(paths[i], design, &stateful))
			print_cell("stateful");
		if (run_cell(paths[i], design, &sleep_only))
			print_cell("sleep-only");
	}
}

/* Every bundled scenario under every design: wall time of each search over the whole library. */
static void library(const char *search, double budget)
{
	bool stateful = strcmp(search, "dpor") != 0;
	/* the stateless search of a three-actor race does not end: a budget per cell */
	struct kfp_explore_options options = { .preemption_bound = -1,
					       .stateful = stateful,
					       .no_sleep_sets = !strcmp(search, "unreduced"),
					       .no_persistent_sets = strcmp(search, "stateful") != 0,
					       .timeout_seconds = stateful ? 0 : budget };
	static char path[KFP_LIBRARY_MAX][KFP_LIBRARY_PATH_LEN];
	unsigned int nr = kfp_library_list(path), i, d, cells = 0, met = 0, incomplete = 0;
	u64 count = 0, steps = 0;
	double start = now();

	for (i = 0; i < nr; i++) {
		for (d = 0; d < kfp_nr_designs; d++) {
			if (!run_cell(path[i], d, &options))
				continue;
			cells++;
			met += scenario_run.expectations_met;
			incomplete += !scenario_run.explore.complete;
			count += stateful ? scenario_run.explore.states :
					    scenario_run.explore.executions;
			steps += scenario_run.explore.steps;
		}
	}
	printf("  %-10s %4u cells, %u met expectations, %u incomplete, %10llu %-10s %11llu "
	       "steps %7.2f s\n",
	       search, cells, met, incomplete, (unsigned long long)count,
	       stateful ? "states" : "executions", (unsigned long long)steps, now() - start);
}

int main(int argc, char **argv)
{
	static const struct race races[] = {
		{ "fault vs munmap+remap", race_fault_vs_munmap },
		{ "gpc refresh vs invalidation", race_gpc_refresh_vs_invalidation },
	};
	double budget = argc > 1 ? strtod(argv[1], NULL) : 20;
	u64 full_budget = 200000;
	struct kfp_program program;
	unsigned int i;

	printf("kfp bench: one core\n\n");
	scale_races(budget > 0 ? budget : 20);
	printf("\n");
	heavy_races();
	printf("\nthe bundled library, every design\n");
	library("stateful", 0);
	library("sleep-only", 0);
	library("unreduced", 0);
	library("dpor", budget > 0 ? budget : 20);
	printf("\nstateless search: executions explored and rate (budget without reduction: %llu)\n",
	       (unsigned long long)full_budget);
	for (i = 0; i < ARRAY_SIZE(races); i++) {
		races[i].setup(&program, 0);
		run(races[i].name, &program, true, true, 0);
		races[i].setup(&program, 0);
		run(races[i].name, &program, true, false, 0);
		races[i].setup(&program, 0);
		run(races[i].name, &program, false, true, full_budget);
	}
	printf("(goal: at least 100000 exec/s on fault vs munmap+remap with dpor; -replay: no\n"
	       " checkpoints, every execution replays its prefix from the start, as before)\n");
	return 0;
}
