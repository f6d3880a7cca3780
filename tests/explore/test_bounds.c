// SPDX-License-Identifier: GPL-2.0
/*
 * Bounds and shards never change a verdict: a full report log hides no
 * property, an execution cut by the step bound is unexplored (not a
 * violation), random mode honours its limits, and the shards of a search
 * together explore exactly the search.
 */
#include <string.h>

#include <kfp/explore.h>

#include "../lib/harness.h"
#include "../lib/toy_programs.h"

/* ---- the report log ------------------------------------------------------ */

/* A log's worth of accepted P2 reports, then one P1 violation. */
static void fill_log_then_violate(void *state, void *arg)
{
	unsigned int i;

	(void)state;
	(void)arg;
	for (i = 0; i < KFP_MAX_REPORTS; i++) {
		kfp_shared_read(toy_object(0), "accepted access");
		kfp_report_accepted(KFP_PROPERTY_P2, KFP_REPORT_ACCESS_UNPROTECTED, 1, 0, 0,
				    "accepted access");
	}
	kfp_shared_write(toy_object(0), "double put");
	kfp_report(KFP_PROPERTY_P1, KFP_REPORT_PUT_NOT_OWNED, 1, 0, 0, "double put");
}

TEST(bounds_a_full_report_log_hides_no_violation)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1 };

	toy_program_init(&program, 1, fill_log_then_violate);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_TRUE(result.complete);
	ASSERT_EQ(result.executions, 1);
	/* the P1 report was not logged ... */
	ASSERT_EQ(result.counterexample_reports.count, KFP_MAX_REPORTS);
	ASSERT_EQ(result.counterexample_reports.dropped, 1);
	/* ... and still counts, as a violation; the P2 reports stay accepted */
	ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P1], 1);
	ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P2], 0);
	ASSERT_EQ(result.executions_with_accepted[KFP_PROPERTY_P2], 1);
	ASSERT_EQ(kfp_reports_violations(&result.counterexample_reports, KFP_PROPERTY_P1), 1);
	ASSERT_EQ(kfp_reports_accepted(&result.counterexample_reports, KFP_PROPERTY_P2),
		  KFP_MAX_REPORTS);
}

/* Past the log's capacity, an accepted report stays accepted. */
static void overflow_with_accepted(void *state, void *arg)
{
	unsigned int i;

	(void)state;
	(void)arg;
	kfp_shared_write(toy_object(0), "reports");
	for (i = 0; i < KFP_MAX_REPORTS + 3; i++)
		kfp_report_accepted(KFP_PROPERTY_P3, KFP_REPORT_STALE_PFN, 1, 0, 0, "stale");
}

TEST(bounds_accepted_reports_past_the_log_are_not_violations)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1 };

	toy_program_init(&program, 1, overflow_with_accepted);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P3], 0);
	ASSERT_EQ(result.executions_with_accepted[KFP_PROPERTY_P3], 1);
}

/* ---- the step bound ------------------------------------------------------ */

/* Each thread writes its own object this many times: more than the old 4096-step arrays. */
#define LONG_THREAD_STEPS 5000

static void long_thread(void *state, void *arg)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < LONG_THREAD_STEPS; i++)
		kfp_shared_write(toy_object(1 + (unsigned int)(uintptr_t)arg), "own write");
}

/* The final checks of an ended execution, e.g. a leak check: here, always a report. */
static void report_at_end(void *state, void *arg)
{
	(void)state;
	(void)arg;
	kfp_report(KFP_PROPERTY_P1, KFP_REPORT_LEAK, 1, 0, 0, "held at the end");
}

TEST(bounds_long_executions_are_explored_whole)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1 };

	toy_program_init(&program, 2, long_thread);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_TRUE(result.complete);
	ASSERT_EQ(result.executions, 1);
	ASSERT_EQ(result.step_bound_hits, 0);
	ASSERT_EQ(result.steps, 2 * LONG_THREAD_STEPS);
}

TEST(bounds_a_cut_execution_is_not_judged_at_its_end)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1, .max_steps = 100 };

	toy_program_init(&program, 2, long_thread);
	program.at_end = report_at_end;
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_FALSE(result.complete);
	ASSERT_EQ(result.stop, KFP_STOP_STEP_BOUND);
	ASSERT_EQ(result.step_bound_hits, 1);
	ASSERT_EQ(result.executions, 0);
	ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P1], 0);
	ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_INVARIANT], 0);
	/* the same program within the bound: the end is checked */
	options.max_steps = 2 * LONG_THREAD_STEPS;
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_TRUE(result.complete);
	ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P1], 1);
}

/* A violation reported before the cut is one: every continuation has it. */
static void violate_then_spin(void *state, void *arg)
{
	(void)state;
	(void)arg;
	kfp_shared_write(toy_object(0), "bad step");
	kfp_report(KFP_PROPERTY_P2, KFP_REPORT_ACCESS_FREED, 1, 0, 0, "bad step");
	for (;;)
		kfp_shared_read(toy_object(0), "spin");
}

TEST(bounds_a_violation_before_the_cut_stands)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1, .max_steps = 20 };

	toy_program_init(&program, 1, violate_then_spin);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_FALSE(result.complete);
	ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P2], 1);
	ASSERT_TRUE(result.has_counterexample);
}

/* ---- random mode honours its limits ---------------------------------------- */

static void write_shared(void *state, void *arg)
{
	(void)state;
	(void)arg;
	kfp_shared_write(toy_object(0), "write shared");
}

/*
 * The estimate of a stopped search.  Unreduced, N threads of one step each
 * make a uniform tree: N! executions, every node at depth d has N - d
 * children.  On a uniform tree the path's share is exactly the share of
 * leaves done, so the estimate is exact wherever the search stops.  A
 * complete search's estimate is its count; random mode makes none.
 */
TEST(bounds_a_stopped_search_estimates_its_size)
{
	static const u64 factorial[] = { 1, 1, 2, 6, 24, 120 };
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1, .no_reduction = true };
	struct kfp_explore_options random = { .preemption_bound = -1,
					      .random_executions = 10,
					      .seed = 1 };
	unsigned int n;
	u64 stop_at;

	for (n = 3; n <= 5; n++) {
		toy_program_init(&program, n, write_shared);
		for (stop_at = 1; stop_at < factorial[n]; stop_at += 5) {
			options.max_executions = stop_at;
			ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
			ASSERT_EQ(result.stop, KFP_STOP_MAX_EXECUTIONS);
			ASSERT_EQ((u64)(result.estimated_total + 0.5), factorial[n]);
			ASSERT_EQ((u64)(result.estimated_fraction * factorial[n] + 0.5), stop_at);
		}
		options.max_executions = 0;
		ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
		ASSERT_TRUE(result.complete);
		ASSERT_EQ(result.executions, factorial[n]);
		ASSERT_TRUE(result.estimated_fraction == 1);
		ASSERT_EQ((u64)result.estimated_total, factorial[n]);
	}
	toy_program_init(&program, 3, write_shared);
	ASSERT_EQ(kfp_explore(&program, &random, &result), 0);
	ASSERT_TRUE(result.estimated_fraction == 0);
}

TEST(bounds_random_mode_stops_at_max_executions)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = {
		.preemption_bound = -1, .random_executions = 1000, .max_executions = 7, .seed = 1
	};

	toy_program_init(&program, 3, write_shared);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_FALSE(result.complete);
	ASSERT_EQ(result.stop, KFP_STOP_MAX_EXECUTIONS);
	ASSERT_EQ(result.executions, 7);
}

/*
 * max_states stops the stateful search exactly: a budget of M states
 * below the search's S stores M states and stops with "max states",
 * incomplete; a budget of S cuts nothing.  The stateless search ignores it.
 */
TEST(bounds_the_stateful_search_stops_at_max_states)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1, .stateful = true };
	struct kfp_explore_options stateless = { .preemption_bound = -1, .max_states = 1 };
	u64 all, m;

	toy_program_init(&program, 3, write_shared);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	if (!result.stateful)
		SKIP("no stateful search on this architecture");
	ASSERT_TRUE(result.complete);
	all = result.states;
	ASSERT_GT(all, 3);
	for (m = 1; m < all; m++) {
		options.max_states = m;
		ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
		ASSERT_FALSE(result.complete);
		ASSERT_EQ(result.stop, KFP_STOP_MAX_STATES);
		ASSERT_EQ(result.states, m);
	}
	options.max_states = all;
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_TRUE(result.complete);
	ASSERT_EQ(result.states, all);
	ASSERT_EQ(kfp_explore(&program, &stateless, &result), 0);
	ASSERT_TRUE(result.complete);
	ASSERT_FALSE(result.stateful);
	ASSERT_EQ(strcmp(kfp_stop_reason_name(KFP_STOP_MAX_STATES), "max states"), 0);
}

TEST(bounds_random_mode_stops_at_the_timeout)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1,
					       .random_executions = ~0ULL,
					       .timeout_seconds = 1e-9,
					       .seed = 1 };

	toy_program_init(&program, 3, write_shared);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_FALSE(result.complete);
	ASSERT_EQ(result.stop, KFP_STOP_TIMEOUT);
	ASSERT_LE(result.executions, 32);
}

/* ---- shards ------------------------------------------------------------------ */

/* Final counter values seen, outside the state the explorer restores. */
static u32 outcomes_seen;

static void record_outcome(void *state, void *arg)
{
	struct toy *t = state;

	outcomes_seen |= 1U << t->counter;
	if (t->counter != (long)(uintptr_t)arg)
		kfp_report(KFP_PROPERTY_P1, KFP_REPORT_REFCOUNT_MISMATCH, KFP_PFN_NONE, 0,
			   t->counter, "lost update");
}

static void racy_program(struct kfp_program *program, unsigned int n)
{
	toy_program_init(program, n, toy_racy_increment);
	program->at_end = record_outcome;
	program->at_end_arg = (void *)(uintptr_t)n;
}

/*
 * Without reduction every interleaving lies below exactly one prefix, so
 * the shards partition the executions: their counts add up exactly.
 */
TEST(bounds_shards_partition_the_unreduced_search)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1, .no_reduction = true };
	unsigned int n, i;
	u64 full, total;

	racy_program(&program, 3);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	full = result.executions;
	ASSERT_EQ(full, 90); /* 6! / (2! 2! 2!) interleavings of three 2-step threads */
	for (n = 2; n <= 7; n++) {
		options.shard_count = n;
		total = 0;
		for (i = 0; i < n; i++) {
			options.shard_index = i;
			ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
			ASSERT_FALSE(result.complete);
			ASSERT_EQ(result.stop, KFP_STOP_SHARD);
			total += result.executions;
		}
		ASSERT_EQ(total, full);
	}
}

/*
 * With reduction, the shards together find every outcome and every
 * violation, and complete as many executions as the search: both complete
 * one per Mazurkiewicz trace, so a prefix lost or explored twice shows.
 */
TEST(bounds_shards_together_are_the_search)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1 };
	unsigned int n, i, threads;
	u64 executions, violations, full_executions, full_violations;
	u32 full_outcomes;

	for (threads = 2; threads <= 4; threads++) {
		racy_program(&program, threads);
		options.shard_count = 0;
		options.shard_index = 0;
		outcomes_seen = 0;
		ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
		ASSERT_TRUE(result.complete);
		full_outcomes = outcomes_seen;
		full_executions = result.executions;
		full_violations = result.executions_with_violation[KFP_PROPERTY_P1];
		ASSERT_GT(full_violations, 0);
		for (n = 2; n <= 5; n++) {
			options.shard_count = n;
			outcomes_seen = 0;
			executions = 0;
			violations = 0;
			for (i = 0; i < n; i++) {
				options.shard_index = i;
				ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
				ASSERT_EQ(result.stop, KFP_STOP_SHARD);
				executions += result.executions;
				violations += result.executions_with_violation[KFP_PROPERTY_P1];
			}
			ASSERT_EQ(outcomes_seen, full_outcomes);
			ASSERT_EQ(executions, full_executions);
			ASSERT_EQ(violations, full_violations);
		}
	}
}

TEST(bounds_shards_refuse_random_mode)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1,
					       .random_executions = 5,
					       .shard_count = 2 };

	racy_program(&program, 2);
	ASSERT_EQ(kfp_explore(&program, &options, &result), -EINVAL);
}
