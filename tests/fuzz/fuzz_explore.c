// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry: a scenario that parses is explored under every design
 * with a small bound, and every schedule the run hands out (the
 * counterexample, each property's witness and accepted witness, each
 * expectation's witness or counterexample) must replay, under the same
 * options, to the same reports, and the replay must say whether the
 * execution broke a property.  Anything else, or a crash, is a finding.
 *
 * The bound is small so that one input takes milliseconds: which search
 * it gets (preemption-bounded DPOR, random) depends on the input's hash,
 * so that the corpus covers both and an input always gets the same one.
 * Not the stateful search: --max-executions bounds the executions it
 * ends, not the states it stores, and a two-vCPU seed stores hundreds of
 * thousands of states before its 16th end (tests/scenario/test_replay.c
 * and tests/cli/test-cli.sh replay its schedules).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kfp/scenario.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kfp_scenario scenario;
static struct kfp_scenario_run run;
static FILE *devnull;

static u64 fnv1a(const uint8_t *data, size_t size)
{
	u64 h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	return h;
}

static void pick_options(u64 hash, struct kfp_explore_options *options)
{
	memset(options, 0, sizeof(*options));
	options->max_steps = 200;
	if (hash & 1) {
		/* stateless DPOR, one preemption, the counterexample minimised */
		options->preemption_bound = 1;
		options->max_executions = 6;
		options->minimize = true;
	} else {
		options->preemption_bound = -1;
		options->random_executions = 4;
		options->seed = hash >> 8;
	}
}

static bool same_reports(const struct kfp_reports *a, const struct kfp_reports *b)
{
	unsigned int i;

	if (a->count != b->count || a->dropped != b->dropped)
		return false;
	if (memcmp(a->by_property, b->by_property, sizeof(a->by_property)) ||
	    memcmp(a->accepted_by_property, b->accepted_by_property,
		   sizeof(a->accepted_by_property)))
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
	unsigned int p;

	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		if (kfp_reports_violations(reports, p))
			return true;
	return false;
}

/* The schedules of one run replayed so far, and what each replayed to. */
#define MAX_REPLAYED 48

static struct replayed {
	const char *schedule;
	int ret;
	struct kfp_reports reports;
} replayed[MAX_REPLAYED];
static unsigned int nr_replayed;

/* Replay @schedule, or find what it replayed to if this run has replayed it already. */
static const struct replayed *replay_once(unsigned int design, const char *schedule,
					  const struct kfp_explore_options *options)
{
	struct replayed *r;
	unsigned int i;

	for (i = 0; i < nr_replayed; i++)
		if (!strcmp(replayed[i].schedule, schedule))
			return &replayed[i];
	r = &replayed[nr_replayed < MAX_REPLAYED ? nr_replayed++ : MAX_REPLAYED - 1];
	r->schedule = schedule;
	r->ret = kfp_scenario_replay(&scenario, design, schedule, options, devnull, &r->reports);
	return r;
}

/* A schedule that does not replay to @want is a finding: say which, and abort. */
static void replay(unsigned int design, const char *schedule, const struct kfp_reports *want,
		   const struct kfp_explore_options *options)
{
	const struct replayed *got;

	if (!schedule || !schedule[0])
		return;
	got = replay_once(design, schedule, options);
	if (got->ret >= 0 && same_reports(want, &got->reports) &&
	    got->ret == (unaccepted(want) ? 1 : 0))
		return;
	fprintf(stderr, "fuzz-explore: %s under %s: schedule %s replays to %d, %s reports\n",
		scenario.name, kfp_designs[design]->name, schedule, got->ret,
		same_reports(want, &got->reports) ? "the same" : "other");
	abort();
}

static void replay_run(unsigned int design, const struct kfp_explore_options *options)
{
	const struct kfp_explore_result *r = &run.explore;
	unsigned int p, i;

	nr_replayed = 0;
	if (r->has_counterexample)
		replay(design, r->counterexample, &r->counterexample_reports, options);
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		replay(design, r->witness[p], &r->witness_reports[p], options);
		replay(design, r->accepted_witness[p], &r->accepted_witness_reports[p], options);
	}
	for (i = 0; i < run.nr_expectations; i++)
		replay(design, run.expectation[i].schedule, &run.expectation[i].reports, options);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kfp_explore_options options;
	char error[KFP_ERROR_LEN];
	unsigned int design;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	if (kfp_scenario_parse("fuzz", (const char *)data, size, &scenario, error, sizeof(error)))
		return 0;
	pick_options(fnv1a(data, size), &options);
	for (design = 0; design < kfp_nr_designs; design++) {
		/* a set-up the model refuses is an error with its position, not a finding */
		if (kfp_scenario_run(&scenario, design, &options, &run)) {
			if (strncmp(run.error, "fuzz:", 5))
				abort();
			continue;
		}
		replay_run(design, &options);
	}
	kfp_scenario_run_release(&run);
	return 0;
}
