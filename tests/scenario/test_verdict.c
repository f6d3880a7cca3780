// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts (scenario/verdict.c) on hand-made search results: each kind of
 * cell (safe, violated, accepted only, an invariant, unchecked, an
 * expectation failed, undecided under a bound, a shard's part) and the
 * merge of shards into the whole search.  No explorer runs here: what a
 * search found is written down, so each test names the exact verdict the
 * rules give it.
 */
#include <string.h>

#include <kfp/scenario.h>

#include "../lib/harness.h"

#define P1 KFP_PROPERTY_P1
#define P2 KFP_PROPERTY_P2
#define P3 KFP_PROPERTY_P3
#define INV KFP_PROPERTY_INVARIANT

static const struct kfp_tally no_tally;

static void assert_str(const char *what, const char *got, const char *want)
{
	if (got && !strcmp(got, want))
		return;
	kfp_test_diag("%s:", what);
	kfp_test_diag("  got  \"%s\"", got ? got : "(null)");
	kfp_test_diag("  want \"%s\"", want);
	kfp_test_fail();
}

/* A complete, unsharded search that found nothing. */
static void whole(struct kfp_found *found)
{
	memset(found, 0, sizeof(*found));
	found->complete = true;
}

static void violated(struct kfp_found *found, enum kfp_property p, u64 n, const char *witness)
{
	found->violated[p] = n;
	found->witness[p] = witness;
}

static void accepted(struct kfp_found *found, enum kfp_property p, u64 n, const char *witness)
{
	found->accepted[p] = n;
	found->accepted_witness[p] = witness;
}

static void judge(const struct kfp_found *found, enum kfp_expect_kind kind, enum kfp_property p,
		  struct kfp_judgement *out)
{
	kfp_judge_expectation(found, kind, p, &no_tally, out);
}

static void assert_texts(const struct kfp_found *found, enum kfp_cell_status status,
			 const char *found_text, const char *verdict_text)
{
	char text[96];

	kfp_cell_found_text(found, status, text, sizeof(text));
	assert_str("found text", text, found_text);
	kfp_cell_verdict_text(found, status, text, sizeof(text));
	assert_str("verdict text", text, verdict_text);
}

TEST(verdict_safe_cell_is_met_and_safe)
{
	struct kfp_judgement x[4];
	struct kfp_found found;
	enum kfp_property p;

	whole(&found);
	for (p = P1; p <= INV; p++) {
		ASSERT_EQ(kfp_found_property(&found, p), KFP_FOUND_NOTHING);
		judge(&found, KFP_EXPECT_NEVER, p, &x[p]);
		ASSERT_TRUE(x[p].met);
		ASSERT_EQ(x[p].evidence, KFP_EVIDENCE_NONE);
		ASSERT_TRUE(x[p].schedule == NULL);
		assert_str("detail", x[p].detail, "");
	}
	ASSERT_EQ(kfp_judge_cell(&found, x, 4), KFP_CELL_MET);
	assert_texts(&found, KFP_CELL_MET, "safe", "safe");
	assert_str("status", kfp_cell_status_name(KFP_CELL_MET), "met");
}

TEST(verdict_violation_fails_never_and_meets_sometimes)
{
	struct kfp_judgement never, sometimes;
	struct kfp_found found;

	whole(&found);
	violated(&found, P2, 3, "0:3,1");
	ASSERT_EQ(kfp_found_property(&found, P2), KFP_FOUND_VIOLATED);
	ASSERT_EQ(kfp_found_property(&found, P3), KFP_FOUND_NOTHING);

	judge(&found, KFP_EXPECT_NEVER, P2, &never);
	ASSERT_FALSE(never.met);
	assert_str("detail", never.detail, "P2 violated in 3 executions");
	ASSERT_EQ(never.evidence, KFP_EVIDENCE_WITNESS);
	assert_str("counterexample", never.schedule, "0:3,1");
	ASSERT_EQ(kfp_judge_cell(&found, &never, 1), KFP_CELL_FAILED);
	assert_texts(&found, KFP_CELL_FAILED, "P2", "expectation failed");

	judge(&found, KFP_EXPECT_SOMETIMES, P2, &sometimes);
	ASSERT_TRUE(sometimes.met);
	ASSERT_EQ(sometimes.evidence, KFP_EVIDENCE_WITNESS);
	assert_str("witness", sometimes.schedule, "0:3,1");
	ASSERT_EQ(kfp_judge_cell(&found, &sometimes, 1), KFP_CELL_MET);
	assert_texts(&found, KFP_CELL_MET, "P2", "P2");

	/* a "sometimes" of a property nobody broke */
	judge(&found, KFP_EXPECT_SOMETIMES, P1, &sometimes);
	ASSERT_FALSE(sometimes.met);
	assert_str("detail", sometimes.detail, "P1 never violated");
	ASSERT_EQ(kfp_judge_cell(&found, &sometimes, 1), KFP_CELL_FAILED);
}

TEST(verdict_accepted_only_is_not_a_violation)
{
	struct kfp_judgement x[2];
	struct kfp_found found;
	char text[96];

	whole(&found);
	accepted(&found, P2, 2, "1,0:4");
	ASSERT_EQ(kfp_found_property(&found, P2), KFP_FOUND_ACCEPTED);
	judge(&found, KFP_EXPECT_NEVER, P2, &x[0]);
	ASSERT_TRUE(x[0].met);
	judge(&found, KFP_EXPECT_ACCEPTED, P2, &x[1]);
	ASSERT_TRUE(x[1].met);
	ASSERT_EQ(x[1].evidence, KFP_EVIDENCE_ACCEPTED_WITNESS);
	assert_str("accepted witness", x[1].schedule, "1,0:4");
	ASSERT_EQ(kfp_judge_cell(&found, x, 2), KFP_CELL_MET);
	assert_texts(&found, KFP_CELL_MET, "P2 accepted", "P2 accepted");

	/* accepted in some executions and violated in others: violated */
	violated(&found, P2, 1, "0:2,1:2");
	ASSERT_EQ(kfp_found_property(&found, P2), KFP_FOUND_VIOLATED);
	judge(&found, KFP_EXPECT_ACCEPTED, P2, &x[1]);
	ASSERT_FALSE(x[1].met);
	assert_str("detail", x[1].detail, "P2 violated, not only accepted");
	ASSERT_EQ(x[1].evidence, KFP_EVIDENCE_WITNESS);
	assert_str("counterexample", x[1].schedule, "0:2,1:2");
	kfp_found_text(&found, text, sizeof(text));
	assert_str("found text", text, "P2");

	/* nothing accepted at all */
	judge(&found, KFP_EXPECT_ACCEPTED, P3, &x[1]);
	ASSERT_FALSE(x[1].met);
	assert_str("detail", x[1].detail, "no accepted P3 report");
	ASSERT_EQ(x[1].evidence, KFP_EVIDENCE_NONE);
	ASSERT_EQ(kfp_judge_cell(&found, &x[1], 1), KFP_CELL_FAILED);
}

/* never accepted P: what "never P" lets through, an accepted report, fails it */
TEST(verdict_never_accepted_fails_on_an_accepted_report)
{
	struct kfp_judgement x[2];
	struct kfp_found found;

	whole(&found);
	judge(&found, KFP_EXPECT_NEVER_ACCEPTED, P3, &x[0]);
	ASSERT_TRUE(x[0].met);
	accepted(&found, P3, 2, "0:3,1:5");
	judge(&found, KFP_EXPECT_NEVER, P3, &x[0]);
	ASSERT_TRUE(x[0].met);
	judge(&found, KFP_EXPECT_NEVER_ACCEPTED, P3, &x[1]);
	ASSERT_FALSE(x[1].met);
	assert_str("detail", x[1].detail, "P3 accepted in 2 executions");
	ASSERT_EQ(x[1].evidence, KFP_EVIDENCE_ACCEPTED_WITNESS);
	assert_str("its witness", x[1].schedule, "0:3,1:5");
	ASSERT_EQ(kfp_judge_cell(&found, x, 2), KFP_CELL_FAILED);
	/* an unaccepted violation is never P3's to judge, not this one's */
	whole(&found);
	violated(&found, P3, 1, "0:2");
	judge(&found, KFP_EXPECT_NEVER_ACCEPTED, P3, &x[1]);
	ASSERT_TRUE(x[1].met);
}

TEST(verdict_text_lists_violations_then_accepted)
{
	struct kfp_found found;
	char text[96];

	whole(&found);
	violated(&found, P3, 1, "0");
	violated(&found, P1, 5, "1");
	accepted(&found, P2, 1, "0,1");
	accepted(&found, P1, 1, "1,0"); /* P1 is violated too: not listed as accepted */
	kfp_found_text(&found, text, sizeof(text));
	assert_str("found text", text, "P1 P3, P2 accepted");
}

TEST(verdict_invariant_is_a_property_like_the_others)
{
	struct kfp_judgement x;
	struct kfp_found found;

	whole(&found);
	violated(&found, INV, 1, "0:9");
	judge(&found, KFP_EXPECT_NEVER, INV, &x);
	ASSERT_FALSE(x.met);
	assert_str("detail", x.detail, "invariant violated in 1 executions");
	ASSERT_EQ(kfp_judge_cell(&found, &x, 1), KFP_CELL_FAILED);
	assert_texts(&found, KFP_CELL_FAILED, "invariant", "expectation failed");
}

TEST(verdict_no_expectation_is_unchecked_not_passed)
{
	struct kfp_found found;

	whole(&found);
	violated(&found, P2, 1, "0");
	ASSERT_EQ(kfp_judge_cell(&found, NULL, 0), KFP_CELL_UNCHECKED);
	assert_texts(&found, KFP_CELL_UNCHECKED, "P2", "P2");
	assert_str("status", kfp_cell_status_name(KFP_CELL_UNCHECKED), "unchecked");
	/* a bound that cut the search leaves even that undecided */
	found.complete = false;
	ASSERT_EQ(kfp_judge_cell(&found, NULL, 0), KFP_CELL_UNDECIDED);
}

TEST(verdict_tallies_judge_per_execution_expectations)
{
	struct kfp_tally tally = {
		.held = 6,
		.failed = 4,
		.held_schedule = "0:2,1",
		.failed_schedule = "1,0:2",
		.failed_detail = "vcpu0.r1 was 0x7",
	};
	struct kfp_judgement always, once;
	struct kfp_found found;

	whole(&found);
	kfp_judge_expectation(&found, KFP_EXPECT_ALWAYS_VALUE, P1, &tally, &always);
	ASSERT_FALSE(always.met);
	assert_str("detail", always.detail, "vcpu0.r1 was 0x7 (in 4 executions)");
	ASSERT_EQ(always.evidence, KFP_EVIDENCE_FAILED);
	assert_str("counterexample", always.schedule, "1,0:2");
	ASSERT_EQ(kfp_judge_cell(&found, &always, 1), KFP_CELL_FAILED);
	assert_texts(&found, KFP_CELL_FAILED, "safe", "expectation failed");

	kfp_judge_expectation(&found, KFP_EXPECT_SOMETIMES_VALUE, P1, &tally, &once);
	ASSERT_TRUE(once.met);
	ASSERT_EQ(once.evidence, KFP_EVIDENCE_HELD);
	assert_str("witness", once.schedule, "0:2,1");

	/* outcome, refcount and pins are judged like always */
	tally.failed = 0;
	kfp_judge_expectation(&found, KFP_EXPECT_OUTCOME, P1, &tally, &always);
	ASSERT_TRUE(always.met);
	ASSERT_TRUE(always.schedule == NULL);
	tally.failed = 1;
	kfp_judge_expectation(&found, KFP_EXPECT_REFCOUNT, P1, &tally, &always);
	ASSERT_FALSE(always.met);
	tally.held = 0;
	kfp_judge_expectation(&found, KFP_EXPECT_SOMETIMES_VALUE, P1, &tally, &once);
	ASSERT_FALSE(once.met);
	assert_str("detail", once.detail, "held in no execution");
	ASSERT_TRUE(once.schedule == NULL);
}

/*
 * A bound: "never" and "always" need every execution, so what the search
 * did not find proves nothing; a "sometimes" it found and a counterexample
 * it found stand.
 */
TEST(verdict_under_a_bound_is_undecided_unless_an_execution_shows_it)
{
	struct kfp_judgement x[2];
	struct kfp_found found;

	whole(&found);
	found.complete = false;
	judge(&found, KFP_EXPECT_NEVER, P2, &x[0]);
	ASSERT_TRUE(x[0].met);
	ASSERT_EQ(kfp_judge_cell(&found, x, 1), KFP_CELL_UNDECIDED);
	assert_texts(&found, KFP_CELL_UNDECIDED, "incomplete", "incomplete");
	assert_str("status", kfp_cell_status_name(KFP_CELL_UNDECIDED), "undecided");
	ASSERT_FALSE(kfp_cell_partial(&found, KFP_CELL_UNDECIDED));

	/* a "sometimes" not seen yet: undecided, not failed */
	judge(&found, KFP_EXPECT_SOMETIMES, P2, &x[1]);
	ASSERT_FALSE(x[1].met);
	ASSERT_EQ(kfp_judge_cell(&found, &x[1], 1), KFP_CELL_UNDECIDED);

	/* seen: met, bound or not */
	violated(&found, P3, 2, "0,1,0");
	judge(&found, KFP_EXPECT_SOMETIMES, P3, &x[1]);
	ASSERT_TRUE(x[1].met);
	ASSERT_EQ(kfp_judge_cell(&found, &x[1], 1), KFP_CELL_MET);
	/* what was found is shown even when undecided */
	assert_texts(&found, KFP_CELL_UNDECIDED, "P3", "incomplete");

	/* a counterexample stands */
	judge(&found, KFP_EXPECT_NEVER, P3, &x[0]);
	ASSERT_EQ(kfp_judge_cell(&found, x, 2), KFP_CELL_FAILED);

	/* a failure without the execution that shows it (none kept) does not */
	found.witness[P3] = NULL;
	judge(&found, KFP_EXPECT_NEVER, P3, &x[0]);
	ASSERT_FALSE(x[0].met);
	ASSERT_EQ(x[0].evidence, KFP_EVIDENCE_NONE);
	ASSERT_EQ(kfp_judge_cell(&found, x, 1), KFP_CELL_UNDECIDED);
	found.complete = true;
	ASSERT_EQ(kfp_judge_cell(&found, x, 1), KFP_CELL_FAILED);
}

/* A shard's part judges only what it shows; everything else waits for kfp merge. */
TEST(verdict_of_a_shard_is_partial)
{
	struct kfp_judgement x[2];
	struct kfp_found found;

	whole(&found);
	found.part = true; /* and its whole part explored */
	judge(&found, KFP_EXPECT_NEVER, P2, &x[0]);
	ASSERT_EQ(kfp_judge_cell(&found, x, 1), KFP_CELL_UNDECIDED);
	ASSERT_TRUE(kfp_cell_partial(&found, KFP_CELL_UNDECIDED));
	assert_texts(&found, KFP_CELL_UNDECIDED, "incomplete", "incomplete");
	ASSERT_EQ(kfp_judge_cell(&found, NULL, 0), KFP_CELL_UNDECIDED);

	/* a "sometimes" another shard may hold: not failed here */
	judge(&found, KFP_EXPECT_SOMETIMES, P2, &x[1]);
	ASSERT_FALSE(x[1].met);
	ASSERT_NE(kfp_judge_cell(&found, x, 2), KFP_CELL_FAILED);
	ASSERT_EQ(kfp_judge_cell(&found, x, 2), KFP_CELL_UNDECIDED);

	/* a counterexample in any shard fails the whole search */
	violated(&found, P2, 1, "1,0");
	judge(&found, KFP_EXPECT_NEVER, P2, &x[0]);
	ASSERT_EQ(kfp_judge_cell(&found, x, 1), KFP_CELL_FAILED);

	/* cut by a bound inside its part: undecided, and not merely partial */
	found.complete = false;
	ASSERT_FALSE(kfp_cell_partial(&found, KFP_CELL_UNDECIDED));
}

/* The unsound case the old command line let through: a shard's only expectation, unseen. */
TEST(verdict_shard_never_meets_a_sometimes_it_did_not_see)
{
	struct kfp_judgement x;
	struct kfp_found found;

	whole(&found);
	found.part = true;
	judge(&found, KFP_EXPECT_SOMETIMES, P3, &x);
	ASSERT_FALSE(x.met);
	ASSERT_EQ(kfp_judge_cell(&found, &x, 1), KFP_CELL_UNDECIDED);
	/* seen in this shard: met, as any part can confirm a "sometimes" */
	violated(&found, P3, 1, "0,1");
	judge(&found, KFP_EXPECT_SOMETIMES, P3, &x);
	ASSERT_EQ(kfp_judge_cell(&found, &x, 1), KFP_CELL_MET);
}

/* kfp merge: the parts add up to the whole, which is judged as one search. */
TEST(verdict_merge_of_shards_is_the_whole_search)
{
	struct kfp_found part[3], sum;
	struct kfp_tally tally[3] = {
		{ .held = 2 },
		{ .held = 1,
		  .failed = 2,
		  .failed_schedule = "1:3",
		  .failed_detail = "h.r was 0x1" },
		{ .held = 3,
		  .failed = 1,
		  .failed_schedule = "0,1",
		  .failed_detail = "h.r was 0x2" },
	};
	struct kfp_tally tally_sum = { 0 };
	struct kfp_judgement x[2];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		whole(&part[i]);
		part[i].part = true;
	}
	violated(&part[1], P3, 4, "0:2,1");
	violated(&part[2], P3, 1, "1,0");
	accepted(&part[0], P2, 1, "0");
	accepted(&part[2], P2, 2, "1");
	kfp_found_init_whole(&sum);
	for (i = 0; i < 3; i++) {
		kfp_found_add(&sum, &part[i]);
		kfp_tally_add(&tally_sum, &tally[i]);
	}
	ASSERT_TRUE(sum.complete);
	ASSERT_FALSE(sum.part);
	ASSERT_EQ(sum.violated[P3], 5);
	ASSERT_EQ(sum.accepted[P2], 3);
	assert_str("first witness", sum.witness[P3], "0:2,1");
	assert_str("first accepted witness", sum.accepted_witness[P2], "0");
	ASSERT_EQ(tally_sum.held, 6);
	ASSERT_EQ(tally_sum.failed, 3);
	assert_str("first failing shard's", tally_sum.failed_schedule, "1:3");
	assert_str("first failing shard's detail", tally_sum.failed_detail, "h.r was 0x1");

	judge(&sum, KFP_EXPECT_NEVER, P2, &x[0]);
	ASSERT_TRUE(x[0].met);
	judge(&sum, KFP_EXPECT_SOMETIMES, P3, &x[1]);
	ASSERT_TRUE(x[1].met);
	/* every part complete: the whole is, and a "never" is proved */
	ASSERT_EQ(kfp_judge_cell(&sum, x, 2), KFP_CELL_MET);
	kfp_judge_expectation(&sum, KFP_EXPECT_OUTCOME, P1, &tally_sum, &x[0]);
	assert_str("detail", x[0].detail, "h.r was 0x1 (in 3 executions)");

	/* one part cut by a bound: the whole is not complete */
	part[1].complete = false;
	kfp_found_init_whole(&sum);
	for (i = 0; i < 3; i++)
		kfp_found_add(&sum, &part[i]);
	ASSERT_FALSE(sum.complete);
	judge(&sum, KFP_EXPECT_NEVER, P2, &x[0]);
	ASSERT_EQ(kfp_judge_cell(&sum, x, 2), KFP_CELL_UNDECIDED);
	ASSERT_FALSE(kfp_cell_partial(&sum, KFP_CELL_UNDECIDED));
}

/* What a search's result becomes: counts, witnesses, and whether it was whole. */
TEST(verdict_found_of_a_search)
{
	struct kfp_explore_result result;
	struct kfp_found found;
	char witness[] = "0:3";

	memset(&result, 0, sizeof(result));
	result.executions_with_violation[P1] = 7;
	result.executions_with_accepted[P3] = 2;
	result.witness[P1] = witness;
	result.complete = true;
	result.stop = KFP_STOP_COMPLETE;
	kfp_found_of_search(&found, &result, false);
	ASSERT_EQ(found.violated[P1], 7);
	ASSERT_EQ(found.accepted[P3], 2);
	ASSERT_TRUE(found.witness[P1] == witness);
	ASSERT_TRUE(found.complete);
	ASSERT_FALSE(found.part);

	/* a shard that explored its whole part */
	result.complete = false;
	result.stop = KFP_STOP_SHARD;
	kfp_found_of_search(&found, &result, true);
	ASSERT_TRUE(found.complete);
	ASSERT_TRUE(found.part);
	ASSERT_TRUE(kfp_cell_partial(&found, KFP_CELL_UNDECIDED));

	/* one cut by a bound */
	result.stop = KFP_STOP_MAX_EXECUTIONS;
	kfp_found_of_search(&found, &result, true);
	ASSERT_FALSE(found.complete);
}
