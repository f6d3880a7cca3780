// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario runner (scenario/run.c) on small scenarios written here:
 * a run explores every execution and collects what each showed (outcomes,
 * values, the tallies of per-execution expectations, the reports of the
 * executions it keeps), a set-up the model refuses fails with its
 * position, and the cell is judged (scenario/verdict.c) from what the run
 * collected.  In the kfp-test binary, so make check runs it under
 * ASan+UBSan too.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kfp/scenario.h>

#include "../lib/harness.h"

#define PATH "t.kfp"

/*
 * vcpu0 reads gfn 1 once while the host unmaps the memory, maps fresh
 * anonymous memory at the same hva and writes 99 there.  The read sees 7
 * (before the munmap), -EFAULT (nothing mapped), 0 (the new, unwritten
 * page) or 99; no order breaks a property under upstream.  Object mem
 * is never mapped, so its page 0 is never even allocated (refcount 0).
 */
#define RACE_SETUP                                \
	"name t\n"                                \
	"object mem shmem 4\n"                    \
	"setup {\n"                               \
	"\tmmap 0x10000 4 rw anon\n"              \
	"\tmemslot 0 gfn 0 pages 4 hva 0x10000\n" \
	"\thost-write 0x11000 7\n"                \
	"}\n"                                     \
	"thread vcpu0 vcpu {\n"                   \
	"\tr1 = read gfn 1\n"                     \
	"}\n"                                     \
	"thread host {\n"                         \
	"\tmunmap 0x10000 4\n"                    \
	"\tmmap 0x10000 4 rw anon fixed\n"        \
	"\thost-write 0x11000 99\n"               \
	"}\n"

static struct kfp_scenario sc;
static struct kfp_scenario_run run;
static char err[KFP_ERROR_LEN];

static void parse(const char *text)
{
	int ret = kfp_scenario_parse(PATH, text, strlen(text), &sc, err, sizeof(err));

	if (ret)
		kfp_test_diag("%s", err);
	ASSERT_EQ(ret, 0);
}

static unsigned int design(const char *name)
{
	int d = kfp_design_index(name);

	ASSERT_GE(d, 0);
	return (unsigned int)d;
}

static struct kfp_explore_options whole_search(void)
{
	return (struct kfp_explore_options){ .preemption_bound = -1, .stateful = true };
}

static int run_under(const char *variant, const struct kfp_explore_options *options)
{
	int ret = kfp_scenario_run(&sc, design(variant), options, &run);

	if (ret)
		kfp_test_diag("%s", run.error);
	return ret;
}

static void assert_str(const char *what, const char *got, const char *want)
{
	if (got && !strcmp(got, want))
		return;
	kfp_test_diag("%s:", what);
	kfp_test_diag("  got  \"%s\"", got ? got : "(null)");
	kfp_test_diag("  want \"%s\"", want);
	kfp_test_fail();
}

/* The text that kfp_scenario_replay() prints for @schedule; the caller frees it. */
static char *replay_text(const char *variant, const char *schedule, int *ret)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	ASSERT_TRUE(out);
	*ret = kfp_scenario_replay(&sc, design(variant), schedule, NULL, out, NULL);
	fclose(out);
	return text;
}

static bool has_report_of(const struct kfp_reports *reports, enum kfp_property property)
{
	unsigned int i;

	for (i = 0; i < reports->count; i++)
		if (reports->report[i].property == property && !reports->report[i].accepted)
			return true;
	return false;
}

static bool same_reports(const struct kfp_reports *a, const struct kfp_reports *b)
{
	unsigned int i;

	if (a->count != b->count || a->dropped != b->dropped)
		return false;
	for (i = 0; i < a->count; i++)
		if (a->report[i].property != b->report[i].property ||
		    a->report[i].kind != b->report[i].kind ||
		    a->report[i].step != b->report[i].step)
			return false;
	return true;
}

/* Each expectation's schedule comes with the reports of that very execution. */
static void assert_reports_are_the_schedules(const char *variant)
{
	static struct kfp_reports got;
	unsigned int i;

	for (i = 0; i < run.nr_expectations; i++) {
		FILE *out = fopen("/dev/null", "w");
		int ret;

		if (!run.expectation[i].schedule)
			continue;
		ASSERT_TRUE(out);
		ret = kfp_scenario_replay(&sc, design(variant), run.expectation[i].schedule, NULL,
					  out, &got);
		fclose(out);
		ASSERT_GE(ret, 0);
		if (!same_reports(&run.expectation[i].reports, &got))
			kfp_test_diag("'%s': its reports are not those of %s", run.checked[i]->text,
				      run.expectation[i].schedule);
		ASSERT_TRUE(same_reports(&run.expectation[i].reports, &got));
	}
}

static const struct kfp_seen_example *seen(unsigned int result, u8 outcome, u64 value)
{
	unsigned int i;

	for (i = 0; i < run.seen->nr[result]; i++) {
		const struct kfp_seen_example *e = &run.seen->result[result][i];

		if (e->outcome == outcome && e->value == value)
			return e;
	}
	return NULL;
}

TEST(run_explores_a_scenario_and_meets_its_expectations)
{
	struct kfp_explore_options options = whole_search();
	unsigned int i;
	int p;

	parse(RACE_SETUP "expect upstream {\n"
			 "\tnever P1\n"
			 "\tnever P2\n"
			 "\tnever P3\n"
			 "\tnever invariant\n"
			 "\toutcome of vcpu0.r1 is ok|efault\n"
			 "\tsometimes vcpu0.r1 == 7\n"
			 "\tsometimes vcpu0.r1 == 99\n"
			 "\trefcount of mem[0] == 0\n"
			 "}\n");
	ASSERT_EQ(run_under("upstream", &options), 0);
	ASSERT_TRUE(run.explore.complete);
	ASSERT_GT(run.explore.executions, 1);
	ASSERT_EQ(run.nr_expectations, 8);
	for (i = 0; i < run.nr_expectations; i++) {
		if (!run.expectation[i].met)
			kfp_test_diag("'%s': %s", run.checked[i]->text, run.expectation[i].detail);
		ASSERT_TRUE(run.expectation[i].met);
	}
	ASSERT_TRUE(run.expectations_met);
	ASSERT_EQ(run.status, KFP_CELL_MET);
	/* what the verdict was judged on is what the explorer counted */
	ASSERT_TRUE(run.found.complete);
	ASSERT_FALSE(run.found.part);
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		ASSERT_EQ(run.found.violated[p], run.explore.executions_with_violation[p]);
		ASSERT_EQ(run.found.violated[p], 0);
	}
	/* each met "sometimes" comes with its witness, which replays to that value */
	for (i = 5; i < 7; i++) {
		const char *want = i == 5 ? "vcpu0.r1 = 0x7 (ok)" : "vcpu0.r1 = 0x63 (ok)";
		char *text;
		int ret;

		ASSERT_TRUE(run.expectation[i].schedule != NULL);
		text = replay_text("upstream", run.expectation[i].schedule, &ret);
		ASSERT_EQ(ret, 0);
		if (!strstr(text, want))
			kfp_test_diag("replay of %s:\n%s", run.expectation[i].schedule, text);
		ASSERT_TRUE(strstr(text, want) != NULL);
		free(text);
	}
	/* the refcount expectation is judged per execution: it held in every one */
	ASSERT_EQ(run.expectation[7].held, run.explore.executions);
	ASSERT_EQ(run.expectation[7].failed, 0);
}

/* Every outcome and value a result ended with, each with an execution that shows it. */
TEST(run_collects_the_outcomes_and_values_of_every_execution)
{
	struct kfp_explore_options options = whole_search();
	static const struct {
		u8 outcome;
		u64 value;
	} want[] = {
		{ KFP_OUTCOME_OK, 7 },
		{ KFP_OUTCOME_OK, 0 },
		{ KFP_OUTCOME_OK, 99 },
		{ KFP_OUTCOME_EFAULT, 0 },
	};
	unsigned int i;

	parse(RACE_SETUP);
	ASSERT_EQ(run_under("upstream", &options), 0);
	ASSERT_EQ(run.outcomes_seen[0], BIT(KFP_OUTCOME_OK) | BIT(KFP_OUTCOME_EFAULT));
	ASSERT_TRUE(run.seen != NULL);
	ASSERT_EQ(run.seen->nr[0], ARRAY_SIZE(want));
	ASSERT_FALSE(run.seen->overflow[0]);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		const struct kfp_seen_example *e = seen(0, want[i].outcome, want[i].value);
		char line[64], *text;
		int ret;

		if (!e)
			kfp_test_diag("never saw %s %llu", kfp_outcome_name(want[i].outcome),
				      (unsigned long long)want[i].value);
		ASSERT_TRUE(e != NULL);
		ASSERT_TRUE(e->schedule != NULL);
		/* the example's schedule gives that outcome and value */
		snprintf(line, sizeof(line), "vcpu0.r1 = %#llx (%s)",
			 (unsigned long long)want[i].value, kfp_outcome_name(want[i].outcome));
		text = replay_text("upstream", e->schedule, &ret);
		ASSERT_EQ(ret, 0);
		if (want[i].outcome == KFP_OUTCOME_OK && !strstr(text, line))
			kfp_test_diag("replay of %s:\n%s", e->schedule, text);
		ASSERT_TRUE(want[i].outcome != KFP_OUTCOME_OK || strstr(text, line));
		free(text);
	}
	/* no property broke, so nothing to show for one */
	for (i = 0; i < KFP_NR_PROPERTIES; i++)
		ASSERT_TRUE(run.seen->violation[i].schedule == NULL);
	/* no expectation names upstream: shown, not judged */
	ASSERT_EQ(run.nr_expectations, 0);
	ASSERT_EQ(run.status, KFP_CELL_UNCHECKED);
	ASSERT_EQ(run.price.ended, run.explore.executions);
}

TEST(run_per_execution_expectations_count_where_they_failed)
{
	struct kfp_explore_options options = whole_search();
	const struct kfp_expectation_result *always, *refcount;
	char want[KFP_DETAIL_LEN], *text;
	int ret;

	parse(RACE_SETUP "expect upstream {\n"
			 "\talways vcpu0.r1 == 7\n"
			 "\trefcount of mem[0] == 2\n"
			 "\tnever P2\n"
			 "}\n");
	ASSERT_EQ(run_under("upstream", &options), 0);
	always = &run.expectation[0];
	refcount = &run.expectation[1];
	ASSERT_FALSE(always->met);
	ASSERT_GT(always->held, 0);
	ASSERT_GT(always->failed, 0);
	ASSERT_EQ(always->held + always->failed, run.explore.executions);
	/* the detail says how the first failing execution went, and how often it failed */
	ASSERT_TRUE(!strncmp(always->detail, "vcpu0.r1 ", 9));
	snprintf(want, sizeof(want), " (in %llu executions)", (unsigned long long)always->failed);
	ASSERT_TRUE(strstr(always->detail, want) != NULL);
	ASSERT_TRUE(always->schedule != NULL);
	text = replay_text("upstream", always->schedule, &ret);
	ASSERT_EQ(ret, 0);
	ASSERT_TRUE(strstr(text, "vcpu0.r1 = 0x7 (ok)") == NULL);
	free(text);

	/* the object's page is never allocated: it fails in every execution */
	ASSERT_FALSE(refcount->met);
	ASSERT_EQ(refcount->failed, run.explore.executions);
	snprintf(want, sizeof(want), "refcount of mem[0] was 0 (in %llu executions)",
		 (unsigned long long)run.explore.executions);
	assert_str("detail", refcount->detail, want);
	ASSERT_TRUE(run.expectation[2].met);
	ASSERT_FALSE(run.expectations_met);
	ASSERT_EQ(run.status, KFP_CELL_FAILED);
}

/*
 * kvm_vcpu_map() with its pin dropped at once (vcpu-map-no-pin) reads a
 * freed page after munmap: "never P2" fails, with the execution that
 * shows it and that execution's reports.
 */
TEST(run_a_failed_never_keeps_its_counterexample_and_reports)
{
	struct kfp_explore_options options = whole_search();
	const struct kfp_expectation_result *never;
	char want[KFP_DETAIL_LEN], *text;
	int ret;

	parse("name t\n"
	      "param inject vcpu-map-no-pin\n"
	      "setup {\n"
	      "\tmmap 0x10000 4 rw anon\n"
	      "\tmemslot 0 gfn 0 pages 4 hva 0x10000\n"
	      "\thost-write 0x11000 7\n"
	      "}\n"
	      "thread vcpu0 vcpu {\n"
	      "\tm = map gfn 1\n"
	      "\tr = map-read\n"
	      "\tunmap\n"
	      "}\n"
	      "thread host {\n"
	      "\tmunmap 0x10000 4\n"
	      "}\n"
	      "expect upstream {\n"
	      "\tnever P2\n"
	      "\tsometimes P2\n"
	      "\toutcome of vcpu0.r is efault\n"
	      "}\n");
	ASSERT_EQ(run_under("upstream", &options), 0);
	never = &run.expectation[0];
	ASSERT_FALSE(never->met);
	ASSERT_GT(run.explore.executions_with_violation[KFP_PROPERTY_P2], 0);
	snprintf(want, sizeof(want), "P2 violated in %llu executions",
		 (unsigned long long)run.explore.executions_with_violation[KFP_PROPERTY_P2]);
	assert_str("detail", never->detail, want);
	ASSERT_TRUE(never->schedule != NULL);
	ASSERT_TRUE(has_report_of(&never->reports, KFP_PROPERTY_P2));
	/* the counterexample replays to a P2 violation */
	text = replay_text("upstream", never->schedule, &ret);
	ASSERT_EQ(ret, 1);
	free(text);
	/* the same execution is the "sometimes" witness */
	ASSERT_TRUE(run.expectation[1].met);
	assert_str("witness", run.expectation[1].schedule, never->schedule);
	ASSERT_EQ(run.status, KFP_CELL_FAILED);
	ASSERT_EQ(kfp_found_property(&run.found, KFP_PROPERTY_P2), KFP_FOUND_VIOLATED);
	/* the first execution where the read did not fail, with its reports */
	ASSERT_FALSE(run.expectation[2].met);
	ASSERT_TRUE(run.expectation[2].schedule != NULL);
	assert_reports_are_the_schedules("upstream");
	/* the minimal-preemption counterexample of the run has the reports too */
	ASSERT_TRUE(run.explore.has_counterexample);
	ASSERT_TRUE(has_report_of(&run.explore.counterexample_reports, KFP_PROPERTY_P2));
}

/* The parser accepts it; the model refuses it when the run sets the world up. */
TEST(run_setup_failure_at_run_time_says_where)
{
	struct kfp_explore_options options = whole_search();

	parse("name t\n"
	      "setup {\n"
	      "\tmmap 0x10000 4 rw anon\n"
	      "\tmmap 0x10000 4 rw anon\n"
	      "\tmemslot 0 gfn 0 pages 4 hva 0x10000\n"
	      "}\n"
	      "thread vcpu0 vcpu {\n"
	      "\tread gfn 1\n"
	      "}\n"
	      "expect upstream {\n"
	      "\tnever P2\n"
	      "}\n");
	ASSERT_EQ(kfp_scenario_run(&sc, design("upstream"), &options, &run), -EINVAL);
	assert_str("error", run.error, "t.kfp:4:2: setup: mmap failed (eexist)");
	ASSERT_EQ(run.nr_expectations, 0);
	ASSERT_EQ(run.status, KFP_CELL_UNDECIDED);
	ASSERT_EQ(run.explore.executions, 0);
	/* and a design that does not exist */
	ASSERT_EQ(kfp_scenario_run(&sc, kfp_nr_designs, &options, &run), -EINVAL);
	ASSERT_TRUE(strstr(run.error, "t.kfp:0:0: no design") == run.error);
}

/* Expectations are the named variants' only. */
TEST(run_judges_each_variant_by_its_own_expectations)
{
	struct kfp_explore_options options = whole_search();

	parse(RACE_SETUP "expect upstream {\n"
			 "\tnever P2\n"
			 "\tnever P3\n"
			 "}\n"
			 "expect legacy, upstream {\n"
			 "\tnever P1\n"
			 "}\n");
	ASSERT_EQ(run_under("upstream", &options), 0);
	ASSERT_EQ(run.nr_expectations, 3);
	ASSERT_EQ(run.status, KFP_CELL_MET);
	ASSERT_EQ(run_under("legacy", &options), 0);
	ASSERT_EQ(run.nr_expectations, 1);
	assert_str("legacy's", run.checked[0]->text, "never P1");
	ASSERT_EQ(run_under("v9", &options), 0);
	ASSERT_EQ(run.nr_expectations, 0);
	ASSERT_EQ(run.status, KFP_CELL_UNCHECKED);
}

/* A bound: what was not explored cannot prove a "never". */
TEST(run_cut_by_a_bound_is_undecided)
{
	struct kfp_explore_options options = whole_search();

	parse(RACE_SETUP "expect upstream {\n"
			 "\tnever P2\n"
			 "\tsometimes vcpu0.r1 == 99\n"
			 "}\n");
	options.max_executions = 1;
	ASSERT_EQ(run_under("upstream", &options), 0);
	ASSERT_FALSE(run.explore.complete);
	ASSERT_FALSE(run.found.complete);
	ASSERT_TRUE(run.expectation[0].met);
	ASSERT_EQ(run.status, KFP_CELL_UNDECIDED);
	ASSERT_FALSE(kfp_cell_partial(&run.found, run.status));
}

/* Two shards: each a part, and their sum the whole stateless search. */
TEST(run_shards_add_up_to_the_whole_search)
{
	struct kfp_explore_options options = whole_search();
	struct kfp_found whole, sum;
	u64 executions = 0, want_executions;
	unsigned int i;
	int p;

	parse(RACE_SETUP "expect upstream {\n"
			 "\tnever P2\n"
			 "}\n");
	options.stateful = false;
	ASSERT_EQ(run_under("upstream", &options), 0);
	ASSERT_EQ(run.status, KFP_CELL_MET);
	whole = run.found;
	want_executions = run.explore.executions;
	kfp_found_init_whole(&sum);
	for (i = 0; i < 2; i++) {
		options.shard_index = i;
		options.shard_count = 2;
		ASSERT_EQ(run_under("upstream", &options), 0);
		ASSERT_EQ(run.explore.stop, KFP_STOP_SHARD);
		ASSERT_TRUE(run.found.part);
		ASSERT_TRUE(run.found.complete);
		/* a part proves no "never" */
		ASSERT_EQ(run.status, KFP_CELL_UNDECIDED);
		ASSERT_TRUE(kfp_cell_partial(&run.found, run.status));
		kfp_found_add(&sum, &run.found);
		executions += run.explore.executions;
	}
	ASSERT_EQ(executions, want_executions);
	ASSERT_TRUE(sum.complete);
	ASSERT_FALSE(sum.part);
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		ASSERT_EQ(sum.violated[p], whole.violated[p]);
		ASSERT_EQ(sum.accepted[p], whole.accepted[p]);
	}
}

/* A run fills its result from scratch: nothing of the previous one stays. */
TEST(run_again_starts_from_scratch)
{
	struct kfp_explore_options options = whole_search();

	parse(RACE_SETUP "expect upstream {\n"
			 "\talways vcpu0.r1 == 7\n"
			 "}\n");
	ASSERT_EQ(run_under("upstream", &options), 0);
	ASSERT_EQ(run.status, KFP_CELL_FAILED);
	ASSERT_TRUE(run.expectation[0].schedule != NULL);
	parse(RACE_SETUP);
	ASSERT_EQ(run_under("upstream", &options), 0);
	ASSERT_EQ(run.nr_expectations, 0);
	ASSERT_TRUE(run.expectation[0].schedule == NULL);
	ASSERT_EQ(run.status, KFP_CELL_UNCHECKED);
	kfp_scenario_run_release(&run);
}
