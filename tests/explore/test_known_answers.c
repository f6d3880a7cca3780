// SPDX-License-Identifier: GPL-2.0
/*
 * Known answers for the explorer (GenMC/Nidhugg-style exact counts): the
 * number of complete executions with reduction is the number of
 * Mazurkiewicz traces; without it, the number of interleavings.
 */
#include <string.h>

#include <kfp/explore.h>

#include "../lib/harness.h"
#include "../lib/toy_programs.h"

static void write_shared(void *state, void *arg)
{
	(void)state;
	(void)arg;
	kfp_shared_write(toy_object(0), "write shared");
}

static void read_shared(void *state, void *arg)
{
	(void)state;
	(void)arg;
	kfp_shared_read(toy_object(0), "read shared");
}

/* A lock-protected read-modify-write of toy.counter. */
static void locked_increment(void *state, void *arg)
{
	struct toy *t = state;
	long value;

	(void)arg;
	kfp_write_lock(&t->lock);
	kfp_shared_read(toy_object(1), "read counter");
	value = t->counter;
	kfp_shared_write(toy_object(1), "write counter");
	t->counter = value + 1;
	kfp_write_unlock(&t->lock);
}

static u64 explore_count(const struct kfp_program *program, bool reduction)
{
	struct kfp_explore_options options = { .preemption_bound = -1, .no_reduction = !reduction };
	static struct kfp_explore_result result;

	ASSERT_EQ(kfp_explore(program, &options, &result), 0);
	ASSERT_TRUE(result.complete);
	return result.executions;
}

static u64 factorial(unsigned int n)
{
	return n <= 1 ? 1 : n * factorial(n - 1);
}

TEST(explore_disjoint_threads_one_execution)
{
	struct kfp_program program;
	unsigned int n;

	for (n = 1; n <= 5; n++) {
		toy_program_init(&program, n, toy_write_own);
		ASSERT_EQ(explore_count(&program, true), 1);
		ASSERT_EQ(explore_count(&program, false), factorial(n));
	}
}

TEST(explore_writers_of_one_object_n_factorial)
{
	struct kfp_program program;
	unsigned int n;

	for (n = 1; n <= 5; n++) {
		toy_program_init(&program, n, write_shared);
		ASSERT_EQ(explore_count(&program, true), factorial(n));
		ASSERT_EQ(explore_count(&program, false), factorial(n));
	}
}

TEST(explore_readers_and_one_writer_two_to_the_n)
{
	struct kfp_program program;
	unsigned int n, i;

	for (n = 1; n <= 5; n++) {
		toy_program_init(&program, n + 1, read_shared);
		program.thread[n].fn = write_shared;
		ASSERT_EQ(explore_count(&program, true), 1ULL << n);
		ASSERT_EQ(explore_count(&program, false), factorial(n + 1));
		for (i = 0; i < n; i++)
			ASSERT_TRUE(program.thread[i].fn == read_shared);
	}
}

/*
 * Each thread: lock, read, write, unlock.  The traces are the n! orders of
 * the critical sections; without reduction, mutual exclusion of whole
 * threads admits exactly the same n! interleavings.
 */
TEST(explore_lock_protected_counter_never_loses_an_update)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1 };
	unsigned int n;

	for (n = 1; n <= 4; n++) {
		toy_program_init(&program, n, locked_increment);
		program.at_end = toy_check_counter;
		program.at_end_arg = (void *)(uintptr_t)n;
		ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
		ASSERT_TRUE(result.complete);
		ASSERT_EQ(result.executions, factorial(n));
		ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P1], 0);
		ASSERT_EQ(result.deadlocks, 0);
		ASSERT_EQ(explore_count(&program, false), factorial(n));
	}
}

/* Two unlocked increments: 4 traces, 2 of which lose an update; 6 interleavings. */
TEST(explore_racy_counter_finds_the_lost_update_and_replays_it)
{
	struct kfp_program program;
	static struct kfp_explore_result result, replayed;
	struct kfp_explore_options options = { .preemption_bound = -1, .minimize = true };

	toy_program_init(&program, 2, toy_racy_increment);
	program.at_end = toy_check_counter;
	program.at_end_arg = (void *)2;
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_TRUE(result.complete);
	/* r0 w0 r1 w1 and r1 w1 r0 w0 are fine; r0 r1 w0 w1 and r0 r1 w1 w0 (and mirrors) lose */
	ASSERT_EQ(result.executions, 4);
	ASSERT_EQ(explore_count(&program, false), 6);
	ASSERT_GT(result.executions_with_violation[KFP_PROPERTY_P1], 0);
	ASSERT_TRUE(result.has_counterexample);
	ASSERT_EQ(result.counterexample_preemptions, 1);
	ASSERT_EQ(kfp_replay(&program, result.counterexample, &replayed), 0);
	ASSERT_EQ(toy.counter, 1);
	ASSERT_EQ(replayed.executions_with_violation[KFP_PROPERTY_P1], 1);
}

/* at_end: a P1 report when the nested reader saw the writer's store. */
static void saw_the_write(void *state, void *arg)
{
	struct toy *t = state;

	(void)arg;
	if (t->seen)
		kfp_report(KFP_PROPERTY_P1, KFP_REPORT_REFCOUNT_MISMATCH, KFP_PFN_NONE, 0, t->seen,
			   "saw the write");
}

/*
 * A reader that takes a reader-writer lock twice (SRCU and rwsem readers
 * nest) against a writer: two traces, the read section before the write
 * section or after it.  The race to reverse is between the writer's
 * acquisition and the reader's outermost one; DPOR used to find it with
 * the nested acquisition, where the writer cannot run, and missed the
 * write first (gpc-vs-memslot-replace with a nested kvm->srcu).
 */
TEST(explore_nested_read_lock_against_a_writer_both_orders)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1 };
	unsigned int search;

	for (search = 0; search < 3; search++) {
		toy_program_init(&program, 2, toy_nested_reader);
		program.thread[1].fn = toy_exclusive_writer;
		program.at_end = saw_the_write;
		options.no_reduction = search == 1;
		options.stateful = search == 2;
		ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
		ASSERT_TRUE(result.complete);
		ASSERT_EQ(result.deadlocks, 0);
		ASSERT_GT(result.executions_with_violation[KFP_PROPERTY_P1], 0);
		ASSERT_LT(result.executions_with_violation[KFP_PROPERTY_P1], result.executions);
		if (search == 0)
			ASSERT_EQ(result.executions, 2);
	}
}

static void lock_ab(void *state, void *arg)
{
	struct toy *t = state;

	(void)arg;
	kfp_write_lock(&t->lock);
	kfp_write_lock(&t->other);
	kfp_write_unlock(&t->other);
	kfp_write_unlock(&t->lock);
}

static void lock_ba(void *state, void *arg)
{
	struct toy *t = state;

	(void)arg;
	kfp_write_lock(&t->other);
	kfp_write_lock(&t->lock);
	kfp_write_unlock(&t->lock);
	kfp_write_unlock(&t->other);
}

TEST(explore_finds_an_abba_deadlock)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1 };

	toy_program_init(&program, 2, lock_ab);
	program.thread[1].fn = lock_ba;
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_TRUE(result.complete);
	ASSERT_GT(result.deadlocks, 0);
	ASSERT_GT(result.executions_with_violation[KFP_PROPERTY_INVARIANT], 0);
}

/* A cut execution is unexplored: no report, no execution, an incomplete search. */
TEST(explore_step_bound_cuts_an_execution_and_makes_the_search_incomplete)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1, .max_steps = 50 };

	toy_program_init(&program, 1, toy_spin_forever);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_FALSE(result.complete);
	ASSERT_EQ(result.stop, KFP_STOP_STEP_BOUND);
	ASSERT_EQ(result.step_bound_hits, 1);
	ASSERT_EQ(result.executions, 0);
	ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_INVARIANT], 0);
}

TEST(explore_max_executions_stops_and_says_so)
{
	struct kfp_program program;
	static struct kfp_explore_result result;
	struct kfp_explore_options options = { .preemption_bound = -1, .max_executions = 10 };

	toy_program_init(&program, 4, write_shared);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_FALSE(result.complete);
	ASSERT_EQ(result.stop, KFP_STOP_MAX_EXECUTIONS);
	ASSERT_EQ(result.executions, 10);
}

TEST(explore_is_deterministic)
{
	struct kfp_program program;
	static struct kfp_explore_result first, second;
	struct kfp_explore_options options = { .preemption_bound = -1 };

	toy_program_init(&program, 3, toy_racy_increment);
	program.at_end = toy_check_counter;
	program.at_end_arg = (void *)3;
	ASSERT_EQ(kfp_explore(&program, &options, &first), 0);
	ASSERT_EQ(kfp_explore(&program, &options, &second), 0);
	ASSERT_EQ(first.executions, second.executions);
	ASSERT_EQ(first.steps, second.steps);
	ASSERT_EQ(strcmp(first.counterexample, second.counterexample), 0);
}

TEST(explore_random_mode_is_reproducible_from_its_seed)
{
	struct kfp_program program;
	static struct kfp_explore_result first, second;
	struct kfp_explore_options options = { .preemption_bound = -1,
					       .random_executions = 50,
					       .seed = 12345 };

	toy_program_init(&program, 3, toy_racy_increment);
	program.at_end = toy_check_counter;
	program.at_end_arg = (void *)3;
	ASSERT_EQ(kfp_explore(&program, &options, &first), 0);
	ASSERT_EQ(kfp_explore(&program, &options, &second), 0);
	ASSERT_FALSE(first.complete);
	ASSERT_EQ(first.stop, KFP_STOP_RANDOM_DONE);
	ASSERT_EQ(first.executions, 50);
	ASSERT_EQ(first.executions_with_violation[KFP_PROPERTY_P1],
		  second.executions_with_violation[KFP_PROPERTY_P1]);
	ASSERT_EQ(strcmp(first.counterexample, second.counterexample), 0);
}

TEST(explore_replay_rejects_a_schedule_that_does_not_fit)
{
	struct kfp_program program;
	static struct kfp_explore_result result;

	toy_program_init(&program, 2, write_shared);
	ASSERT_EQ(kfp_replay(&program, "5", &result), -EINVAL);
	ASSERT_EQ(kfp_replay(&program, "0,0,0", &result), -EINVAL);
	ASSERT_EQ(kfp_replay(&program, "x", &result), -EINVAL);
	ASSERT_EQ(kfp_replay(&program, "1,0", &result), 0);
}

/* ---- steps with several objects ------------------------------------------------- */

/* Thread i: one step writing its own objects and reading or writing object 0 last. */
static void wide_step(unsigned int i, enum kfp_access shared)
{
	struct kfp_footprint footprint = { 0 };
	unsigned int k;

	for (k = 1; k < KFP_FOOTPRINT_MAX; k++)
		kfp_footprint_add(&footprint, toy_object(16 + i * KFP_FOOTPRINT_MAX + k),
				  KFP_ACCESS_WRITE);
	kfp_footprint_add(&footprint, toy_object(0), shared);
	kfp_shared_access_footprint(&footprint, "wide step");
}

static void wide_reader(void *state, void *arg)
{
	(void)state;
	wide_step((unsigned int)(uintptr_t)arg, KFP_ACCESS_READ);
}

static void wide_writer(void *state, void *arg)
{
	(void)state;
	wide_step((unsigned int)(uintptr_t)arg, KFP_ACCESS_WRITE);
}

TEST(explore_wide_steps_conflict_only_through_their_last_object)
{
	struct kfp_program program;
	unsigned int n;

	for (n = 1; n <= 4; n++) {
		toy_program_init(&program, n, wide_reader);
		ASSERT_EQ(explore_count(&program, true), 1);
		toy_program_init(&program, n, wide_writer);
		ASSERT_EQ(explore_count(&program, true), factorial(n));
		ASSERT_EQ(explore_count(&program, false), factorial(n));
	}
}

TEST(seam_footprint_keeps_one_entry_per_object_and_refuses_an_overflow)
{
	struct kfp_footprint footprint = { 0 };
	struct kfp_reports reports;
	unsigned int k;

	kfp_footprint_add(&footprint, toy_object(1), KFP_ACCESS_READ);
	kfp_footprint_add(&footprint, toy_object(2), KFP_ACCESS_READ);
	kfp_footprint_add(&footprint, toy_object(1), KFP_ACCESS_WRITE);
	kfp_footprint_add(&footprint, toy_object(2), KFP_ACCESS_READ);
	ASSERT_EQ(footprint.nr, 2);
	ASSERT_EQ(footprint.access[0], KFP_ACCESS_WRITE);
	ASSERT_EQ(footprint.access[1], KFP_ACCESS_READ);
	kfp_reports_init(&reports);
	kfp_seam_use_sequential(&reports);
	kfp_shared_access_footprint(&footprint, "two");
	ASSERT_EQ(reports.count, 0);
	ASSERT_EQ(reports.step, 1);
	for (k = 0; k <= KFP_FOOTPRINT_MAX; k++)
		kfp_footprint_add(&footprint, toy_object(10 + k), KFP_ACCESS_READ);
	kfp_shared_access_footprint(&footprint, "too many");
	ASSERT_TRUE(kfp_reports_have(&reports, KFP_REPORT_MODEL_BUG));
	kfp_seam_use_sequential(NULL);
}
