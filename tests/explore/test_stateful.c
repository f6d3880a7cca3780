// SPDX-License-Identifier: GPL-2.0
/*
 * The stateful search (explore/stateful.c): exact state counts on small
 * programs, a loop that never ends, and the check that matters most: on
 * every bundled scenario small enough for the stateless search, both
 * searches give the same verdict, the same outcomes and the same
 * expectation results.  A history range that the model does read is
 * seeded to show that the comparison catches a stateful search that
 * merges states it must not.
 */
#include <stdlib.h>
#include <string.h>

#include <kfp/explore.h>
#include <kfp/scenario.h>

#include "../lib/harness.h"
#include "../../explore/arena_watch.h"
#include "../lib/library.h"
#include "../lib/toy_programs.h"

/*
 * Cells whose stateless search ends within this many executions are
 * compared.  The stateless search is not even tried on a cell with more
 * states than CROSS_CHECK_STATES (three-actor races: it would not end,
 * which is what the stateful search is for) or, with two threads, than
 * CROSS_CHECK_STATES_TWO_THREADS (fault-vs-munmap: 63 k states, 353 k
 * executions).
 */
#define CROSS_CHECK_EXECUTIONS (SLOW_BUILD ? 30000 : 1000000)
#define CROSS_CHECK_STATES 40000
#define CROSS_CHECK_STATES_TWO_THREADS 70000

static struct kfp_explore_result result;

static void explore_stateful_sleeping(const struct kfp_program *program, bool sleep_sets)
{
	struct kfp_explore_options options = {
		.preemption_bound = -1,
		.stateful = true,
		.no_sleep_sets = !sleep_sets,
		/* the counts below are those of sleep sets; persistent sets have their own */
		.no_persistent_sets = true,
	};

	ASSERT_EQ(kfp_explore(program, &options, &result), 0);
	ASSERT_TRUE(result.stateful);
}

/* The default: persistent sets and sleep sets. */
static void explore_stateful(const struct kfp_program *program)
{
	struct kfp_explore_options options = { .preemption_bound = -1, .stateful = true };

	ASSERT_EQ(kfp_explore(program, &options, &result), 0);
	ASSERT_TRUE(result.stateful);
}

/*
 * N threads each writing their own object: a state is the set of threads
 * that made their step, 2^N of them, one of them final.  Without sleep
 * sets, the N * 2^(N-1) steps reach 2^N - 1 states; the rest are
 * revisits.  With them, every step is independent of every other, so a
 * step is taken only where no sibling tried it before: the steps form a
 * spanning tree, 2^N - 1 of them, and nothing is revisited.
 */
TEST(stateful_disjoint_threads_two_to_the_n_states)
{
	struct kfp_program program;
	unsigned int n;

	for (n = 1; n <= 5; n++) {
		toy_program_init(&program, n, toy_write_own);
		explore_stateful_sleeping(&program, false);
		ASSERT_TRUE(result.complete);
		ASSERT_EQ(result.states, 1ULL << n);
		ASSERT_EQ(result.executions, 1);
		ASSERT_EQ(result.steps, (u64)n << (n - 1));
		ASSERT_EQ(result.revisits, ((u64)n << (n - 1)) - ((1ULL << n) - 1));

		explore_stateful_sleeping(&program, true);
		ASSERT_TRUE(result.complete);
		ASSERT_EQ(result.states, 1ULL << n);
		ASSERT_EQ(result.executions, 1);
		ASSERT_EQ(result.steps, (1ULL << n) - 1);
		ASSERT_EQ(result.revisits, 0);
	}
}

/*
 * Racy increments: a thread is before its read, holding the value it read,
 * or done, and the counter is 0..N.  Counted by hand (a breadth-first
 * enumeration of those tuples): 3, 12 and 59 states; the final states are
 * the counter's values 1..N, and every one below N lost an update.
 */
TEST(stateful_racy_counter_states_and_the_lost_update)
{
	static const u64 states[] = { 0, 3, 12, 59 };
	static const u64 steps[] = { 0, 2, 14, 99 };
	struct kfp_program program;
	unsigned int n;

	for (n = 1; n <= 3; n++) {
		u64 unreduced_steps;

		toy_program_init(&program, n, toy_racy_increment);
		program.at_end = toy_check_counter;
		program.at_end_arg = (void *)(uintptr_t)n;
		explore_stateful_sleeping(&program, false);
		ASSERT_TRUE(result.complete);
		ASSERT_EQ(result.states, states[n]);
		ASSERT_EQ(result.steps, steps[n]);
		ASSERT_EQ(result.executions, n);
		ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P1], n - 1);
		unreduced_steps = result.steps;

		/* sleep sets cut steps, never states (the reads commute) */
		explore_stateful_sleeping(&program, true);
		ASSERT_TRUE(result.complete);
		ASSERT_EQ(result.states, states[n]);
		ASSERT_EQ(result.executions, n);
		ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P1], n - 1);
		if (n > 1)
			ASSERT_LT(result.steps, unreduced_steps);
	}
}

/*
 * Persistent sets: a step that no other thread conflicts with is taken
 * alone, at once, with no state of its own.  N disjoint writers: each
 * write is alone, so the search is one path through N + 1 states (not
 * 2^N).  One thread's read and write of the counter: both alone, two
 * states (not three).  Two or three threads racing on it: nothing is
 * alone while another thread can still run, and the lost update is still
 * found.  Once the others have finished, the last one's read and write are
 * alone (a thread that finished conflicts with nothing): the state between
 * them is not kept.  Two threads: 12 states with sleep sets alone, less
 * the 2 where the one left has read (A done then B's read, and B done
 * then A's), so 10.  Three threads: 59 less 3, 56.
 */
TEST(stateful_persistent_sets_take_a_step_no_one_conflicts_with_alone)
{
	static const u64 racy_states[] = { 0, 2, 10, 56 };
	struct kfp_program program;
	unsigned int n;

	for (n = 1; n <= 5; n++) {
		toy_program_init(&program, n, toy_write_own);
		explore_stateful(&program);
		ASSERT_TRUE(result.complete);
		ASSERT_EQ(result.states, n + 1);
		ASSERT_EQ(result.executions, 1);
		ASSERT_EQ(result.steps, n);
		ASSERT_EQ(result.revisits, 0);
		ASSERT_EQ(result.restarts, 0);
	}
	for (n = 1; n <= 3; n++) {
		toy_program_init(&program, n, toy_racy_increment);
		program.at_end = toy_check_counter;
		program.at_end_arg = (void *)(uintptr_t)n;
		explore_stateful(&program);
		ASSERT_TRUE(result.complete);
		ASSERT_EQ(result.states, racy_states[n]);
		ASSERT_EQ(result.executions, n);
		ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P1], n - 1);
	}
}

/*
 * What a step taken alone relied on, and what breaks it (persistent.c).
 * In toy_lockstep, thread 0's last step reads x, and in every execution
 * the search learns from first, nobody else touches x: the read is taken
 * alone, relying on thread 1 never writing x.  Thread 1 touches x only
 * when the two threads ran in lockstep, which the search meets on its own:
 *  - a read of x (thread 1's arg 2) breaks nothing the decision relied on
 *    (two reads commute): it is learnt, and the search does not start
 *    over (before reliance was recorded per fact, it did, once);
 *  - a write of x (arg 1) breaks it: the search starts over, and finds the
 *    final state where thread 1's write came first (toy.seen is 1), as
 *    the search without persistent sets does.
 * With the write's reliance left unrecorded
 * (kfp_persistent_sets_seeded_reliance_bug) that final state is lost.
 */
static void lockstep_program(struct kfp_program *program, uintptr_t access)
{
	toy_program_init(program, 2, toy_lockstep);
	program->thread[1].arg = (void *)access;
	program->at_end = toy_check_seen_zero;
}

TEST(persistent_sets_start_over_only_when_a_relied_on_fact_breaks)
{
	struct kfp_program program;

	lockstep_program(&program, 2);
	explore_stateful(&program);
	ASSERT_TRUE(result.complete);
	ASSERT_EQ(result.restarts, 0);
	ASSERT_EQ(result.executions, 1);

	/* x and y each unwritten, written after thread 0 read it, or before */
	lockstep_program(&program, 1);
	explore_stateful_sleeping(&program, true);
	ASSERT_TRUE(result.complete);
	ASSERT_EQ(result.executions, 5);
	ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P1], 3);

	lockstep_program(&program, 1);
	explore_stateful(&program);
	ASSERT_TRUE(result.complete);
	ASSERT_EQ(result.restarts, 1);
	ASSERT_EQ(result.executions, 5);
	ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P1], 3);

	kfp_persistent_sets_seeded_reliance_bug = true;
	lockstep_program(&program, 1);
	explore_stateful(&program);
	kfp_persistent_sets_seeded_reliance_bug = false;
	ASSERT_TRUE(result.complete);
	ASSERT_EQ(result.restarts, 0);
	ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P1], 0);
}

/* The counterexample is a schedule that replays to the lost update. */
TEST(stateful_counterexample_replays)
{
	struct kfp_program program;
	static struct kfp_explore_result replayed;

	toy_program_init(&program, 2, toy_racy_increment);
	program.at_end = toy_check_counter;
	program.at_end_arg = (void *)(uintptr_t)2;
	explore_stateful(&program);
	ASSERT_TRUE(result.has_counterexample);
	ASSERT_EQ(kfp_replay(&program, result.counterexample, &replayed), 0);
	ASSERT_EQ(replayed.executions_with_violation[KFP_PROPERTY_P1], 1);
	ASSERT_EQ(toy.counter, 1);
}

/*
 * A thread that can spin forever comes back to a state on its own path:
 * no verdict on what it never finishes (the stateless search runs it until
 * max_steps cuts it).
 */
TEST(stateful_a_schedule_that_loops_forever_is_no_verdict)
{
	struct kfp_program program;

	toy_program_init(&program, 1, toy_spin_forever);
	explore_stateful(&program);
	ASSERT_FALSE(result.complete);
	ASSERT_EQ(result.stop, KFP_STOP_CYCLE);
	ASSERT_GT(result.cycles, 0);
	ASSERT_EQ(result.executions, 0);
}

/* The options the stateful search cannot honour run the stateless one. */
TEST(stateful_falls_back_where_it_does_not_apply)
{
	struct kfp_explore_options bounded = { .preemption_bound = 1, .stateful = true };
	struct kfp_explore_options random = {
		.preemption_bound = -1, .stateful = true, .random_executions = 10, .seed = 1
	};
	struct kfp_program program;

	toy_program_init(&program, 2, toy_racy_increment);
	ASSERT_EQ(kfp_explore(&program, &bounded, &result), 0);
	ASSERT_FALSE(result.stateful);
	ASSERT_EQ(kfp_explore(&program, &random, &result), 0);
	ASSERT_FALSE(result.stateful);
}

/* A history range the model reads merges states that differ: the lost update is lost. */
TEST(stateful_history_the_model_reads_would_hide_a_violation)
{
	struct kfp_program program;

	toy_program_init(&program, 2, toy_racy_increment);
	program.at_end = toy_check_counter;
	program.at_end_arg = (void *)(uintptr_t)2;
	program.history[0].offset = offsetof(struct toy, counter);
	program.history[0].size = sizeof(toy.counter);
	program.nr_history = 1;
	explore_stateful(&program);
	ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P1], 0);
}

/*
 * What a thread writes before its first visible step is part of the root
 * state, not of the snapshot as set up.  A backtrack to a state where the
 * mode is still on must find it on: the image leaves the mode's block out
 * (it equals the root's), so the restore must take it from the root.  It
 * once took it from the snapshot, with the mode off: every search but the
 * stateless one read outside the mode (scenarios/races/smm-read-vs-host-write.kfp).
 */
TEST(stateful_backtrack_keeps_what_a_thread_wrote_before_its_first_step)
{
	struct kfp_program program;
	unsigned int search;

	toy_program_init(&program, 2, toy_mode_read_in_place);
	program.at_end = toy_check_mode_seen;
	for (search = 0; search < 3; search++) {
		if (search == 2)
			explore_stateful(&program);
		else
			explore_stateful_sleeping(&program, search);
		ASSERT_TRUE(result.complete);
		/* both orders end in one final state */
		ASSERT_EQ(result.executions, 1);
		ASSERT_EQ(result.executions_with_violation[KFP_PROPERTY_P1], 0);
	}
}

/* ---- the bundled library: stateful and stateless searches agree ------------------------------ */

static char paths[KFP_LIBRARY_MAX][KFP_LIBRARY_PATH_LEN];
static unsigned int nr_paths;
static struct kfp_scenario scenario;
static struct kfp_scenario_run stateful, stateless, unslept;

/*
 * Compare two runs of one cell (@stateful and @other, the run by @how);
 * false (with a diagnostic) if they disagree.
 */
static bool same_answers(const char *design, const struct kfp_scenario_run *other, const char *how)
{
	unsigned int p, r, i;
	bool same = true;

	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		bool v1 = stateful.explore.executions_with_violation[p],
		     v2 = other->explore.executions_with_violation[p];
		bool a1 = stateful.explore.executions_with_accepted[p],
		     a2 = other->explore.executions_with_accepted[p];

		if (v1 == v2 && a1 == a2)
			continue;
		kfp_test_diag("%s under %s: %s violated %d/%d, accepted %d/%d (stateful/%s)",
			      scenario.name, design, kfp_property_name(p), v1, v2, a1, a2, how);
		same = false;
	}
	for (r = 0; r < scenario.nr_results; r++) {
		if (stateful.outcomes_seen[r] == other->outcomes_seen[r])
			continue;
		kfp_test_diag("%s under %s: result %s outcomes %#x, %s %#x", scenario.name, design,
			      scenario.result[r].name, stateful.outcomes_seen[r], how,
			      other->outcomes_seen[r]);
		same = false;
	}
	for (i = 0; i < stateful.nr_expectations; i++) {
		if (stateful.expectation[i].met == other->expectation[i].met)
			continue;
		kfp_test_diag("%s under %s: expectation %u met %d, %s %d", scenario.name, design, i,
			      stateful.expectation[i].met, how, other->expectation[i].met);
		same = false;
	}
	return same;
}

TEST(stateful_and_stateless_searches_agree_on_the_library)
{
	struct kfp_explore_options dpor = { .preemption_bound = -1,
					    .max_executions = CROSS_CHECK_EXECUTIONS };
	struct kfp_explore_options options = { .preemption_bound = -1, .stateful = true };
	unsigned int p, d, cells = 0, compared = 0, differ = 0;
	char error[KFP_ERROR_LEN];

	nr_paths = kfp_library_list(paths);
	ASSERT_GT(nr_paths, 0);
	for (p = 0; p < nr_paths; p++) {
		if (kfp_scenario_load(paths[p], &scenario, error, sizeof(error))) {
			kfp_test_diag("%s", error);
			ASSERT_TRUE(false);
		}
		for (d = 0; d < kfp_nr_designs; d++) {
			cells++;
			ASSERT_EQ(kfp_scenario_run(&scenario, d, &options, &stateful), 0);
			ASSERT_TRUE(stateful.explore.stateful);
			ASSERT_TRUE(stateful.explore.complete);
			if (stateful.explore.states > (scenario.nr_threads <= 2 ?
							       CROSS_CHECK_STATES_TWO_THREADS :
							       CROSS_CHECK_STATES))
				continue;
			ASSERT_EQ(kfp_scenario_run(&scenario, d, &dpor, &stateless), 0);
			if (!stateless.explore.complete)
				continue;
			compared++;
			if (!same_answers(kfp_designs[d]->name, &stateless, "stateless"))
				differ++;
		}
	}
	kfp_test_diag("%u of %u cells within %u stateless executions compared, %u differ", compared,
		      cells, CROSS_CHECK_EXECUTIONS, differ);
	ASSERT_GE(compared, SLOW_BUILD ? 60 : 180);
	kfp_scenario_run_release(&stateful);
	kfp_scenario_run_release(&stateless);
	ASSERT_EQ(differ, 0);
}

/*
 * One reduction of the stateful search against the search without it, on
 * one cell: the same answers, the same final states, and never more
 * states.  (Fewer happen: two orders of independent steps that commute in
 * all the model reads can still leave different dead bytes on a stack or
 * in a report's step number, and the unreduced search counts both.)
 */
static bool same_final_states(const char *design, const struct kfp_scenario_run *unreduced,
			      const char *how)
{
	if (stateful.explore.executions == unreduced->explore.executions &&
	    stateful.explore.states <= unreduced->explore.states)
		return same_answers(design, unreduced, how);
	kfp_test_diag("%s under %s: %llu final states of %llu, %llu of %llu %s", scenario.name,
		      design, (unsigned long long)stateful.explore.executions,
		      (unsigned long long)stateful.explore.states,
		      (unsigned long long)unreduced->explore.executions,
		      (unsigned long long)unreduced->explore.states, how);
	return false;
}

/*
 * The check above catches an unsound reduction: with every step taken
 * alone (kfp_persistent_sets_seeded_bug), the legacy design's cells of
 * the library lose final states or answers against sleep sets alone.
 */
TEST(persistent_sets_cross_check_catches_a_seeded_unsound_reduction)
{
	struct kfp_explore_options options = { .preemption_bound = -1, .stateful = true };
	struct kfp_explore_options sleep_only = options;
	unsigned int p, d = (unsigned int)kfp_design_index("legacy"), cells = 0, differ = 0;
	char error[KFP_ERROR_LEN];

	sleep_only.no_persistent_sets = true;
	nr_paths = kfp_library_list(paths);
	ASSERT_GT(nr_paths, 0);
	for (p = 0; p < nr_paths && !differ; p++) {
		if (kfp_scenario_load(paths[p], &scenario, error, sizeof(error))) {
			kfp_test_diag("%s", error);
			ASSERT_TRUE(false);
		}
		kfp_persistent_sets_seeded_bug = true;
		ASSERT_EQ(kfp_scenario_run(&scenario, d, &options, &stateful), 0);
		kfp_persistent_sets_seeded_bug = false;
		ASSERT_EQ(kfp_scenario_run(&scenario, d, &sleep_only, &stateless), 0);
		cells++;
		if (!same_final_states("legacy", &stateless, "without persistent sets"))
			differ++;
	}
	kfp_test_diag("the seeded bug shows after %u cells", cells);
	kfp_scenario_run_release(&stateful);
	kfp_scenario_run_release(&stateless);
	ASSERT_EQ(differ, 1);
}

/*
 * The same check catches an unsound use of locks in persistent sets: with
 * a lock that two threads only ever hold for read taken to shut one out
 * of the objects the other touches under it
 * (kfp_persistent_sets_seeded_lock_bug), some cell of the library loses
 * final states or answers against sleep sets alone.
 */
TEST(persistent_sets_cross_check_catches_a_seeded_unsound_use_of_locks)
{
	struct kfp_explore_options options = { .preemption_bound = -1, .stateful = true };
	struct kfp_explore_options sleep_only = options;
	unsigned int p, d, cells = 0, differ = 0;
	char error[KFP_ERROR_LEN];

	sleep_only.no_persistent_sets = true;
	nr_paths = kfp_library_list(paths);
	ASSERT_GT(nr_paths, 0);
	for (p = 0; p < nr_paths && !differ; p++) {
		if (kfp_scenario_load(paths[p], &scenario, error, sizeof(error))) {
			kfp_test_diag("%s", error);
			ASSERT_TRUE(false);
		}
		for (d = 0; d < kfp_nr_designs && !differ; d++) {
			kfp_persistent_sets_seeded_lock_bug = true;
			ASSERT_EQ(kfp_scenario_run(&scenario, d, &options, &stateful), 0);
			kfp_persistent_sets_seeded_lock_bug = false;
			ASSERT_EQ(kfp_scenario_run(&scenario, d, &sleep_only, &stateless), 0);
			cells++;
			if (!same_final_states(kfp_designs[d]->name, &stateless,
					       "without persistent sets"))
				differ++;
		}
	}
	kfp_test_diag("the seeded bug shows after %u cells", cells);
	kfp_scenario_run_release(&stateful);
	kfp_scenario_run_release(&stateless);
	ASSERT_EQ(differ, 1);
}

/*
 * The stateful search's two reductions are validated, on every cell of
 * the library, against the search without them: with both (persistent
 * sets, explore/persistent.c, and sleep sets) against sleep sets alone,
 * and against no reduction at all.
 */
TEST(persistent_and_sleep_sets_keep_every_answer_and_final_state_of_the_library)
{
	struct kfp_explore_options options = { .preemption_bound = -1, .stateful = true };
	struct kfp_explore_options sleep_only = options, unreduced = options;
	unsigned int p, d, cells = 0, differ = 0;
	u64 states = 0, sleep_only_states = 0, unreduced_states = 0, restarts = 0;
	char error[KFP_ERROR_LEN];

	sleep_only.no_persistent_sets = true;
	unreduced.no_sleep_sets = true;
	unreduced.no_persistent_sets = true;
	nr_paths = kfp_library_list(paths);
	ASSERT_GT(nr_paths, 0);
	for (p = 0; p < nr_paths; p++) {
		if (kfp_scenario_load(paths[p], &scenario, error, sizeof(error))) {
			kfp_test_diag("%s", error);
			ASSERT_TRUE(false);
		}
		for (d = 0; d < kfp_nr_designs; d++) {
			const char *design = kfp_designs[d]->name;

			ASSERT_EQ(kfp_scenario_run(&scenario, d, &options, &stateful), 0);
			ASSERT_EQ(kfp_scenario_run(&scenario, d, &sleep_only, &stateless), 0);
			ASSERT_TRUE(stateful.explore.complete);
			ASSERT_TRUE(stateless.explore.complete);
			cells++;
			states += stateful.explore.states;
			restarts += stateful.explore.restarts;
			sleep_only_states += stateless.explore.states;
			if (!same_final_states(design, &stateless, "without persistent sets"))
				differ++;
			/* the sanitised build checks memory, the plain one the third search */
			if (SLOW_BUILD)
				continue;
			ASSERT_EQ(kfp_scenario_run(&scenario, d, &unreduced, &unslept), 0);
			ASSERT_TRUE(unslept.explore.complete);
			unreduced_states += unslept.explore.states;
			if (!same_final_states(design, &unslept, "without any reduction"))
				differ++;
		}
	}
	kfp_test_diag("%u cells: %llu states (%llu restarts); with sleep sets alone %llu; "
		      "unreduced %llu; %u differ",
		      cells, (unsigned long long)states, (unsigned long long)restarts,
		      (unsigned long long)sleep_only_states, (unsigned long long)unreduced_states,
		      differ);
	kfp_scenario_run_release(&stateful);
	kfp_scenario_run_release(&stateless);
	kfp_scenario_run_release(&unslept);
	ASSERT_EQ(differ, 0);
}

/*
 * A state's arena hash is kept relative to the arena last hashed: only the
 * blocks its compare finds changed are hashed again (explore/stateful.c;
 * with AVX2 in one pass over the blocks).  A block it missed would keep
 * its old hash and merge states that differ there.  On every cell of the
 * library (one design in the sanitised build), the arena each hash
 * stands for is checked against the arena itself, after every hash
 * (kfp_stateful_cross_check_arena): no block is ever missed.
 */
TEST(stateful_arena_compare_misses_no_block_of_the_library)
{
	struct kfp_explore_options options = { .preemption_bound = -1, .stateful = true };
	unsigned int p, d, cells = 0;
	char error[KFP_ERROR_LEN];
	u64 states = 0;

	nr_paths = kfp_library_list(paths);
	ASSERT_GT(nr_paths, 0);
	kfp_stateful_arena_misses = 0;
	kfp_stateful_cross_check_arena = true;
	for (p = 0; p < nr_paths; p++) {
		if (kfp_scenario_load(paths[p], &scenario, error, sizeof(error))) {
			kfp_test_diag("%s", error);
			ASSERT_TRUE(false);
		}
		for (d = 0; d < kfp_nr_designs; d++) {
			if (SLOW_BUILD && d != (unsigned int)kfp_design_index("legacy"))
				continue;
			ASSERT_EQ(kfp_scenario_run(&scenario, d, &options, &stateful), 0);
			ASSERT_TRUE(stateful.explore.complete);
			states += stateful.explore.states;
			cells++;
		}
	}
	kfp_stateful_cross_check_arena = false;
	kfp_test_diag("%u cells, %llu states: %llu blocks missed", cells,
		      (unsigned long long)states, (unsigned long long)kfp_stateful_arena_misses);
	kfp_scenario_run_release(&stateful);
	ASSERT_EQ(kfp_stateful_arena_misses, 0);
}

/*
 * Run the library's legacy cells with the arena cross-check and @seeded
 * set, until a cell leaves a block stale; returns the cells run.
 */
static unsigned int cells_until_a_miss(bool *seeded)
{
	struct kfp_explore_options options = { .preemption_bound = -1, .stateful = true };
	unsigned int p, d = (unsigned int)kfp_design_index("legacy"), cells = 0;
	char error[KFP_ERROR_LEN];

	nr_paths = kfp_library_list(paths);
	ASSERT_GT(nr_paths, 0);
	kfp_stateful_arena_misses = 0;
	kfp_stateful_cross_check_arena = true;
	*seeded = true;
	for (p = 0; p < nr_paths && !kfp_stateful_arena_misses; p++) {
		if (kfp_scenario_load(paths[p], &scenario, error, sizeof(error))) {
			kfp_test_diag("%s", error);
			ASSERT_TRUE(false);
		}
		ASSERT_EQ(kfp_scenario_run(&scenario, d, &options, &stateful), 0);
		cells++;
	}
	*seeded = false;
	kfp_stateful_cross_check_arena = false;
	kfp_scenario_run_release(&stateful);
	return cells;
}

/*
 * The cross-check catches a compare that misses writes: with each block
 * compared on its first half only (kfp_stateful_seeded_arena_bug), the
 * first cells of the library already leave blocks stale.
 */
TEST(stateful_arena_cross_check_catches_a_seeded_miss)
{
	unsigned int cells = cells_until_a_miss(&kfp_stateful_seeded_arena_bug);

	kfp_test_diag("the seeded miss shows after %u cells (%llu blocks missed)", cells,
		      (unsigned long long)kfp_stateful_arena_misses);
	ASSERT_GT(kfp_stateful_arena_misses, 0);
}

/*
 * The compare reads only the pages the arena watch saw written
 * (explore/arena_watch.c).  With the watch's first fault left unrecorded
 * (kfp_arena_watch_seeded_bug), the cross-check above finds the blocks
 * of that page stale.
 */
TEST(stateful_arena_cross_check_catches_a_page_the_watch_missed)
{
	unsigned int cells = cells_until_a_miss(&kfp_arena_watch_seeded_bug);

	kfp_test_diag("the unrecorded page shows after %u cells (%llu blocks missed)", cells,
		      (unsigned long long)kfp_stateful_arena_misses);
	ASSERT_GT(kfp_stateful_arena_misses, 0);
}
