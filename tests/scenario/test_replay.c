// SPDX-License-Identifier: GPL-2.0
/*
 * Replays round-trip: every schedule a scenario run hands out (the
 * minimised counterexample, each expectation's witness or counterexample)
 * replays, under the options of the run, to the same reports, and the
 * replay says whether the execution broke a property.  The runner checks
 * every expectation the parser accepts.  (tests/cli/test-cli.sh does the
 * same end to end, through the printed commands, for the whole library.)
 */
#include <stdio.h>
#include <string.h>

#include <kfp/scenario.h>

#include "../lib/harness.h"
#include "../lib/seeded.h"

static struct kfp_scenario sc;
static struct kfp_scenario_run run;
static char err[KFP_ERROR_LEN];

static void load(const char *path)
{
	int ret = kfp_scenario_load(path, &sc, err, sizeof(err));

	if (ret == -ENOENT || (ret && strstr(err, ":0:0:")))
		SKIP("scenario files not found (run from the top directory)");
	if (ret)
		kfp_test_diag("%s", err);
	ASSERT_EQ(ret, 0);
}

static bool same_reports(const struct kfp_reports *a, const struct kfp_reports *b)
{
	unsigned int i;

	if (a->count != b->count || a->dropped != b->dropped)
		return false;
	for (i = 0; i < a->count; i++) {
		const struct kfp_report *x = &a->report[i], *y = &b->report[i];

		if (x->property != y->property || x->kind != y->kind || x->pfn != y->pfn ||
		    x->owner != y->owner || x->accepted != y->accepted || x->step != y->step)
			return false;
	}
	return true;
}

static bool unaccepted(const struct kfp_reports *reports)
{
	unsigned int i;

	for (i = 0; i < reports->count; i++)
		if (!reports->report[i].accepted)
			return true;
	return false;
}

/* Replay @schedule under @design; its return value, and its reports in @got. */
static int replay(unsigned int design, const char *schedule,
		  const struct kfp_explore_options *options, struct kfp_reports *got)
{
	FILE *out = fopen("/dev/null", "w");
	int ret;

	ASSERT_TRUE(out);
	ret = kfp_scenario_replay(&sc, design, schedule, options, out, got);
	fclose(out);
	return ret;
}

static void assert_replays(unsigned int design, const char *schedule,
			   const struct kfp_reports *want,
			   const struct kfp_explore_options *options)
{
	static struct kfp_reports got;
	int ret = replay(design, schedule, options, &got);

	if (!same_reports(want, &got))
		kfp_test_diag("%s under %s: schedule %s replays to other reports", sc.name,
			      kfp_designs[design]->name, schedule);
	ASSERT_TRUE(same_reports(want, &got));
	if (!want->dropped)
		ASSERT_EQ(ret, unaccepted(want) ? 1 : 0);
}

/* Run @path (plus @inject) under every design and replay every schedule; how many. */
static unsigned int round_trip(const char *path, u32 inject,
			       const struct kfp_explore_options *options)
{
	unsigned int d, i, n = 0;

	load(path);
	sc.inject |= inject;
	for (d = 0; d < kfp_nr_designs; d++) {
		ASSERT_EQ(kfp_scenario_run(&sc, d, options, &run), 0);
		if (run.explore.has_counterexample) {
			assert_replays(d, run.explore.counterexample,
				       &run.explore.counterexample_reports, options);
			n++;
		}
		for (i = 0; i < run.nr_expectations; i++) {
			if (!run.expectation[i].schedule)
				continue;
			assert_replays(d, run.expectation[i].schedule, &run.expectation[i].reports,
				       options);
			n++;
		}
	}
	return n;
}

TEST(scenario_replay_round_trip_exhaustive)
{
	struct kfp_explore_options options = { .preemption_bound = -1, .minimize = true };
	unsigned int n;

	n = round_trip("tests/cli/fails-an-expectation.kfp", 0, &options);
	n += round_trip("scenarios/bugs/gpc-double-put.kfp", 0, &options);
	test_seed(TEST_SEED_DOUBLE_RELEASE);
	n += round_trip("scenarios/races/fault-vs-mprotect.kfp", 0, &options);
	test_seed(0);
	kfp_test_diag("%u schedules replayed", n);
	ASSERT_GT(n, 10);
	kfp_scenario_run_release(&run);
}

TEST(scenario_replay_round_trip_random_and_bounded)
{
	struct kfp_explore_options options = { .preemption_bound = -1, .minimize = true };
	unsigned int n = 0;
	u64 seed;

	options.random_executions = 30;
	for (seed = 1; seed <= 5; seed++) {
		options.seed = seed;
		options.max_steps = 0;
		n += round_trip("scenarios/races/fault-vs-munmap.kfp", KVM_INJECT_SKIP_RETRY_CHECK,
				&options);
		/* executions cut by the step bound replay only under the same bound */
		options.max_steps = 60;
		n += round_trip("scenarios/races/fault-vs-mprotect.kfp", 0, &options);
	}
	kfp_test_diag("%u schedules replayed", n);
	ASSERT_GT(n, 10);
	kfp_scenario_run_release(&run);
}

/* The comparison catches a replay that misses an option: the seeded bug left out. */
TEST(scenario_replay_without_the_injection_differs)
{
	struct kfp_explore_options options = { .preemption_bound = -1, .minimize = true };
	static struct kfp_reports got;
	unsigned int d = (unsigned int)kfp_design_index("upstream");
	int ret;

	load("scenarios/races/fault-vs-munmap.kfp");
	test_seed(TEST_SEED_DOUBLE_RELEASE);
	ASSERT_EQ(kfp_scenario_run(&sc, d, &options, &run), 0);
	ASSERT_TRUE(run.explore.has_counterexample);
	test_seed(0);
	ret = replay(d, run.explore.counterexample, &options, &got);
	ASSERT_TRUE(ret < 0 || !same_reports(&run.explore.counterexample_reports, &got));
	kfp_scenario_run_release(&run);
}

/* A schedule past the run's preemption bound is one that search never ran. */
TEST(scenario_replay_refuses_a_schedule_past_the_preemption_bound)
{
	struct kfp_explore_options options = { .preemption_bound = -1, .minimize = true };
	static struct kfp_reports got;
	unsigned int d = (unsigned int)kfp_design_index("pre-cve");

	load("tests/cli/fails-an-expectation.kfp");
	ASSERT_EQ(kfp_scenario_run(&sc, d, &options, &run), 0);
	ASSERT_TRUE(run.explore.has_counterexample);
	ASSERT_EQ(run.explore.counterexample_preemptions, 1);
	ASSERT_EQ(replay(d, run.explore.counterexample, &options, &got), 1);
	options.preemption_bound = 0;
	ASSERT_EQ(replay(d, run.explore.counterexample, &options, &got), -ERANGE);
	kfp_scenario_run_release(&run);
}

/* 66 expectations name upstream in three blocks; only the last fails. */
TEST(scenario_run_checks_every_expectation)
{
	struct kfp_explore_options options = { .preemption_bound = -1 };
	unsigned int d = (unsigned int)kfp_design_index("upstream");

	load("tests/cli/checks-every-expectation.kfp");
	ASSERT_EQ(kfp_scenario_run(&sc, d, &options, &run), 0);
	ASSERT_EQ(run.nr_expectations, 66);
	ASSERT_TRUE(run.expectation[64].met);
	ASSERT_FALSE(run.expectation[65].met);
	ASSERT_EQ(run.checked[65]->pos.line, 93);
	ASSERT_FALSE(run.expectations_met);
	kfp_scenario_run_release(&run);
}

/* A set-up the model refuses is an error with its position, not a crash or a verdict. */
TEST(scenario_run_reports_a_setup_error)
{
	struct kfp_explore_options options = { .preemption_bound = -1 };

	load("tests/cli/setup-fails-at-run-time.kfp");
	ASSERT_EQ(kfp_scenario_run(&sc, 0, &options, &run), -EINVAL);
	ASSERT_TRUE(strstr(run.error, "setup-fails-at-run-time.kfp:8:2: setup: mmap failed"));
	kfp_scenario_run_release(&run);
}

/* A schedule is never cut: one of ~1700 characters replays whole. */
TEST(scenario_replay_long_schedule_is_whole)
{
	struct kfp_explore_options options = { .preemption_bound = -1 };
	unsigned int d = (unsigned int)kfp_design_index("upstream");
	size_t longest = 0;
	unsigned int i;

	options.random_executions = 10;
	options.seed = 1;
	load("tests/cli/long-schedule.kfp");
	ASSERT_EQ(kfp_scenario_run(&sc, d, &options, &run), 0);
	for (i = 0; i < run.nr_expectations; i++) {
		if (!run.expectation[i].schedule)
			continue;
		if (strlen(run.expectation[i].schedule) > longest)
			longest = strlen(run.expectation[i].schedule);
		assert_replays(d, run.expectation[i].schedule, &run.expectation[i].reports,
			       &options);
	}
	kfp_test_diag("longest schedule: %zu characters", longest);
	ASSERT_GT(longest, 1024);
	kfp_scenario_run_release(&run);
}
