// SPDX-License-Identifier: GPL-2.0
/*
 * The model's own races, explored completely: the guest fault against
 * munmap + remap is safe under the upstream design, and the same race with
 * the retry check removed breaks P3 with a schedule that replays.
 */
#include "../lib/harness.h"
#include "../lib/race_programs.h"

static struct kfp_explore_result result, replayed;

TEST(explore_fault_vs_munmap_upstream_is_safe)
{
	struct kfp_explore_options options = { .preemption_bound = -1 };
	struct kfp_program program;
	unsigned int p;

	ASSERT_EQ(race_fault_vs_munmap(&program, 0), 0);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_TRUE(result.complete);
	ASSERT_GT(result.executions, 10);
	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		ASSERT_EQ(result.executions_with_violation[p], 0);
}

TEST(explore_fault_vs_munmap_without_retry_check_breaks_p3_and_replays)
{
	struct kfp_explore_options options = { .preemption_bound = -1, .minimize = true };
	struct kfp_program program;

	ASSERT_EQ(race_fault_vs_munmap(&program, KVM_INJECT_SKIP_RETRY_CHECK), 0);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_TRUE(result.complete);
	ASSERT_GT(result.executions_with_violation[KFP_PROPERTY_P3], 0);
	ASSERT_TRUE(result.has_counterexample);
	kfp_test_diag("counterexample %s (%u preemptions)", result.counterexample,
		      result.counterexample_preemptions);
	ASSERT_EQ(kfp_replay(&program, result.counterexample, &replayed), 0);
	ASSERT_GT(replayed.executions_with_violation[KFP_PROPERTY_P3] +
			  replayed.executions_with_violation[KFP_PROPERTY_P2],
		  0);
}

TEST(explore_gpc_refresh_vs_invalidation_upstream_is_safe)
{
	struct kfp_explore_options options = { .preemption_bound = -1 };
	struct kfp_program program;
	unsigned int p;

	ASSERT_EQ(race_gpc_refresh_vs_invalidation(&program, 0), 0);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_TRUE(result.complete);
	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		ASSERT_EQ(result.executions_with_violation[p], 0);
}

TEST(explore_gpc_without_retry_loop_breaks_p3)
{
	struct kfp_explore_options options = { .preemption_bound = -1 };
	struct kfp_program program;

	ASSERT_EQ(race_gpc_refresh_vs_invalidation(&program, KVM_INJECT_GPC_NO_RETRY), 0);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	ASSERT_TRUE(result.complete);
	ASSERT_GT(result.executions_with_violation[KFP_PROPERTY_P3], 0);
}
