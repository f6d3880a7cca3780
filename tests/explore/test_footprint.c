// SPDX-License-Identifier: GPL-2.0
/*
 * The oracle behind partial-order reduction: steps the explorer calls
 * independent must commute, and the reduced search must reach every
 * verdict and outcome the unreduced one does.
 *
 * The commutation audit replays sampled executions of the bundled
 * scenarios, and for every two adjacent steps of different threads whose
 * footprints do not conflict (neither a lock acquisition nor a wait),
 * replays the schedule with the two swapped.  The world at the end must be
 * the same, byte for byte, except for what is order-dependent by
 * construction and masked here:
 *   - the step number of each report and the order of the log (reports are
 *     compared as a multiset of every other field);
 *   - the order of the ledger's entries (compared as a set: an entry's
 *     place is when its first reference was taken), and the stale bytes
 *     a removal leaves past the last live entry.
 * The results (values and outcomes) must be the same too.
 *
 * The cross-check explores every bundled scenario small enough (the
 * unreduced search ends within CROSS_CHECK_BOUND executions) under every
 * design, with and without reduction, and compares the properties violated
 * and accepted, and each named result's set of outcomes.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <kfp/scenario.h>

#include "../lib/harness.h"
#include "../lib/library.h"

/* sampled executions per scenario and design: random mode, fixed seeds */
#define AUDIT_SAMPLES (SLOW_BUILD ? 2 : 8)
/*
 * The cross-check's bound: an unreduced search of at most
 * CROSS_CHECK_BOUND executions.  A cell whose interleaving estimate is
 * within it gets twice its estimate (retries add schedules), at least
 * CROSS_CHECK_SMALL; one whose estimate is larger, up to
 * CROSS_CHECK_ESTIMATE, gets CROSS_CHECK_SMALL (locks and waits can cut
 * the estimate by orders of magnitude); beyond, the cell is not compared.
 */
#define CROSS_CHECK_BOUND (SLOW_BUILD ? 2000 : 20000)
#define CROSS_CHECK_SMALL (SLOW_BUILD ? 500 : 3500)
#define CROSS_CHECK_ESTIMATE (SLOW_BUILD ? 1e6 : 2e7)
#define MAX_TRACE 8192 /* steps of a sampled execution; longer ones are not audited */
#define SCHEDULE_TEXT (MAX_TRACE * 4)

static char paths[KFP_LIBRARY_MAX][KFP_LIBRARY_PATH_LEN];
static unsigned int nr_paths;
static struct kfp_scenario scenario;

static void list_scenarios(void)
{
	if (!nr_paths)
		nr_paths = kfp_library_list(paths);
}

static void load(const char *path)
{
	char error[KFP_ERROR_LEN];

	if (kfp_scenario_load(path, &scenario, error, sizeof(error))) {
		kfp_test_diag("%s", error);
		ASSERT_TRUE(false);
	}
}

/* ---- one execution, its steps and its end state ------------------------------ */

struct step {
	u8 thread;
	u8 is_lock;
	u8 is_wait;
	struct kfp_footprint footprint;
	const char *what;
};

static struct step steps[MAX_TRACE];
static unsigned int nr_steps;

static void record_step(void *state, void *arg, const struct kfp_trace_step *trace)
{
	struct step *s = &steps[trace->index < MAX_TRACE ? trace->index : MAX_TRACE - 1];

	(void)state;
	(void)arg;
	s->thread = (u8)trace->thread;
	s->is_lock = trace->is_lock;
	s->is_wait = trace->is_wait;
	s->footprint = trace->footprint;
	s->what = trace->what;
	nr_steps = trace->index + 1;
}

/* The world and results at the end of an execution, the masked parts made canonical. */
struct end_state {
	struct kfp_world world;
	u64 value[KFP_SCENARIO_MAX_RESULTS];
	u8 outcome[KFP_SCENARIO_MAX_RESULTS];
};

static int by_report(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct kfp_report));
}

static int by_ledger_entry(const void *a, const void *b)
{
	const struct kfp_ledger_entry *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	return x->owner < y->owner ? -1 : x->owner > y->owner;
}

static void capture(const struct kfp_scenario_view *view, struct end_state *out)
{
	struct kfp_reports *reports = &out->world.reports;
	struct kfp_ledger *ledger = &out->world.mm.ledger;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->world = *view->world;
	for (i = 0; i < reports->count; i++)
		reports->report[i].step = 0;
	qsort(reports->report, reports->count, sizeof(reports->report[0]), by_report);
	qsort(ledger->entry, ledger->nr_entries, sizeof(ledger->entry[0]), by_ledger_entry);
	/* ledger_remove() leaves the last slot's old bytes behind the live entries */
	memset(&ledger->entry[ledger->nr_entries], 0,
	       (KFP_MAX_LEDGER - ledger->nr_entries) * sizeof(ledger->entry[0]));
	memcpy(out->value, view->value, sizeof(out->value));
	memcpy(out->outcome, view->outcome, sizeof(out->outcome));
}

static void schedule_text(const u8 *choice, unsigned int n, char *out)
{
	size_t len = 0;
	unsigned int i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, SCHEDULE_TEXT - len, "%s%u", i ? "," : "",
					choice[i]);
}

/* ---- the commutation audit ------------------------------------------------------ */

struct audit {
	struct kfp_program program;
	struct kfp_scenario_view view;
	void *initial; /* the program's state as set up */
	u64 pairs; /* steps moved back across the independent steps before them */
	u64 broken; /* ... where the move changed the end state */
	unsigned int narrow; /* test only: KVM_NARROW_* in force for the audit, not the sampling */
	bool alloc_unannounced; /* test only: kfp_test_alloc_unannounced, sampling too */
};

static struct kfp_explore_result replayed;
#define MAX_SAMPLES 64
static char *sampled[MAX_SAMPLES];
static unsigned int nr_sampled;
static void (*scenario_at_end)(void *state, void *arg);

static void sample_at_end(void *state, void *arg)
{
	if (nr_sampled < MAX_SAMPLES)
		sampled[nr_sampled++] = kfp_explore_current_schedule();
	scenario_at_end(state, arg);
}

/* Replay @text from the set-up state; false if the schedule did not fit. */
static bool replay_from_start(struct audit *a, const char *text, struct end_state *end)
{
	memcpy(a->program.state, a->initial, a->program.state_size);
	if (kfp_replay(&a->program, text, &replayed))
		return false;
	capture(&a->view, end);
	return true;
}

/*
 * Can step @y, of another thread, run before step @x?  @y must be an
 * ordinary step (a lock acquisition or a wait is ordered by what it waits
 * for); @x may be anything whose footprint does not conflict with @y's:
 * a lock @y does not touch, a wait on an object @y does not write.
 */
static bool independent(const struct step *x, const struct step *y)
{
	unsigned int i, j;

	if (x->thread == y->thread || y->is_lock || y->is_wait)
		return false;
	for (i = 0; i < x->footprint.nr; i++)
		for (j = 0; j < y->footprint.nr; j++)
			if (x->footprint.object[i] == y->footprint.object[j] &&
			    (x->footprint.access[i] == KFP_ACCESS_WRITE ||
			     y->footprint.access[j] == KFP_ACCESS_WRITE))
				return false;
	return true;
}

/* Name the first part of the end state that differs, for the diagnostic. */
static void describe_difference(const struct end_state *x, const struct end_state *y, char *out,
				size_t size)
{
	const u8 *a = (const u8 *)x, *b = (const u8 *)y;
	size_t off = 0, page = offsetof(struct end_state, world.mm.page),
	       pte = offsetof(struct end_state, world.mm.pte);

	while (off < sizeof(*x) && a[off] == b[off])
		off++;
	if (off >= page && off < page + sizeof(x->world.mm.page))
		snprintf(out, size, "mm.page[%zu]", (off - page) / sizeof(x->world.mm.page[0]));
	else if (off >= pte && off < pte + sizeof(x->world.mm.pte))
		snprintf(out, size, "mm.pte[%zu]", (off - pte) / sizeof(x->world.mm.pte[0]));
	else if (off < sizeof(x->world.reports))
		snprintf(out, size, "reports");
	else if (off >= offsetof(struct end_state, world.kvm) &&
		 off < offsetof(struct end_state, world.kvm) + sizeof(x->world.kvm))
		snprintf(out, size, "kvm +%zu", off - offsetof(struct end_state, world.kvm));
	else
		snprintf(out, size, "offset %zu", off);
}

static struct end_state reference, swapped;
static u8 choice[MAX_TRACE];
static char text[SCHEDULE_TEXT];

/*
 * Replay @schedule, then for every step j move it back before the longest
 * run of steps just before it that are all independent of it (other
 * threads, no conflicting object, no lock or wait), and replay that.  An
 * adjacent swap is the run of one; a longer run also reaches the steps a
 * reduced search keeps apart.
 */
static void audit_schedule(struct audit *a, unsigned int design, const char *schedule)
{
	static struct step trace[MAX_TRACE];
	unsigned int n, i, j, k;

	a->program.trace = record_step;
	nr_steps = 0;
	ASSERT_TRUE(replay_from_start(a, schedule, &reference));
	n = nr_steps;
	if (n >= MAX_TRACE)
		return;
	memcpy(trace, steps, n * sizeof(trace[0]));
	a->program.trace = NULL;
	for (j = 1; j < n; j++) {
		bool same;

		for (i = j; i > 0 && independent(&trace[i - 1], &trace[j]); i--)
			;
		if (i == j)
			continue;
		for (k = 0; k < n; k++)
			choice[k] = trace[k].thread;
		memmove(&choice[i + 1], &choice[i], j - i);
		choice[i] = trace[j].thread;
		schedule_text(choice, n, text);
		same = replay_from_start(a, text, &swapped) &&
		       !memcmp(&reference, &swapped, sizeof(reference));
		a->pairs++;
		if (same)
			continue;
		if (a->broken++ < 8) {
			char where[64] = "the schedule no longer fits";

			if (replayed.executions)
				describe_difference(&reference, &swapped, where, sizeof(where));
			kfp_test_diag("moving step %u (thread %u %s) before step %u (thread %u %s) "
				      "changes %s: %s under %s, schedule %s",
				      j, trace[j].thread, trace[j].what, i, trace[i].thread,
				      trace[i].what, where, scenario.name,
				      kfp_designs[design]->name, schedule);
		}
	}
}

/*
 * Sample executions of the scenario loaded under @design and audit each:
 * @samples random ones from @seed, or with @seed 0 the first @samples of
 * the exhaustive search.
 */
static void audit_scenario(struct audit *a, unsigned int design, unsigned int samples, u64 seed)
{
	struct kfp_explore_options options = {
		.preemption_bound = -1,
		.random_executions = seed ? samples : 0,
		.max_executions = seed ? 0 : samples,
		.seed = seed,
	};
	static struct kfp_explore_result result;
	unsigned int s;

	ASSERT_EQ(kfp_scenario_program(&scenario, design, &a->program, &a->view), 0);
	a->initial = malloc(a->program.state_size);
	ASSERT_TRUE(a->initial != NULL);
	memcpy(a->initial, a->program.state, a->program.state_size);
	scenario_at_end = a->program.at_end;
	a->program.at_end = sample_at_end;
	nr_sampled = 0;
	kvm_test_narrow_footprint = 0;
	/* unlike a narrowed footprint, the seeded allocation changes the steps: sample with it */
	kfp_test_alloc_unannounced = a->alloc_unannounced;
	ASSERT_EQ(kfp_explore(&a->program, &options, &result), 0);
	a->program.at_end = scenario_at_end;
	kvm_test_narrow_footprint = a->narrow;
	kfp_test_alloc_unannounced = a->alloc_unannounced;
	kfp_explore_result_release(&result);
	for (s = 0; s < nr_sampled; s++) {
		ASSERT_TRUE(sampled[s] != NULL);
		audit_schedule(a, design, sampled[s]);
		free(sampled[s]);
		sampled[s] = NULL;
	}
	free(a->initial);
	a->initial = NULL;
}

static void audit_library(struct audit *a, unsigned int designs)
{
	unsigned int p, d;

	list_scenarios();
	ASSERT_GT(nr_paths, 0);
	for (p = 0; p < nr_paths; p++) {
		load(paths[p]);
		for (d = 0; d < kfp_nr_designs; d++)
			if (designs & BIT(d))
				audit_scenario(a, d, AUDIT_SAMPLES, 0x5eed0000ULL + p * 16 + d);
	}
}

TEST(footprint_independent_steps_commute_across_the_library)
{
	static struct audit a;
	unsigned int designs = (unsigned int)BIT(kfp_nr_designs) - 1;

	memset(&a, 0, sizeof(a));
	audit_library(&a, designs);
	kfp_test_diag("%llu steps moved back across independent steps, %llu changed the end state",
		      (unsigned long long)a.pairs, (unsigned long long)a.broken);
	ASSERT_GT(a.pairs, 100);
	ASSERT_EQ(a.broken, 0);
}

/*
 * Audit one scenario under every design with @narrow left out of the
 * access steps.  The samples are every execution of the search with the
 * full footprint (at most MAX_SAMPLES): among them are the orders the
 * narrowed search would skip.
 */
static void audit_narrowed(struct audit *a, const char *path, unsigned int narrow)
{
	unsigned int d;

	memset(a, 0, sizeof(*a));
	a->narrow = narrow;
	load(path);
	for (d = 0; d < kfp_nr_designs; d++)
		audit_scenario(a, d, MAX_SAMPLES, 0);
	kvm_test_narrow_footprint = 0;
	kfp_test_alloc_unannounced = false;
}

TEST(footprint_audit_catches_an_access_step_without_the_host_pte)
{
	static struct audit a;

	audit_narrowed(&a, "scenarios/races/vcpu-map-vs-mprotect.kfp", 0);
	ASSERT_GT(a.pairs, 0);
	ASSERT_EQ(a.broken, 0);
	audit_narrowed(&a, "scenarios/races/vcpu-map-vs-mprotect.kfp", KVM_NARROW_PTE);
	ASSERT_GT(a.broken, 0);
}

TEST(footprint_audit_catches_an_access_step_without_the_memslots)
{
	static struct audit a;

	audit_narrowed(&a, "scenarios/races/vcpu-map-vs-memslot-replace.kfp", 0);
	ASSERT_GT(a.pairs, 0);
	ASSERT_EQ(a.broken, 0);
	audit_narrowed(&a, "scenarios/races/vcpu-map-vs-memslot-replace.kfp", KVM_NARROW_MEMSLOTS);
	ASSERT_GT(a.broken, 0);
}

/*
 * An allocation that claims its run in the step before its own (the
 * fault's pte read), as kfp_alloc_pages() once did, is caught: two first
 * touches moved across each other's pte reads end with the pages swapped.
 */
TEST(footprint_audit_catches_an_allocation_that_claims_outside_its_step)
{
	static struct audit sound, seeded;
	unsigned int d;

	memset(&sound, 0, sizeof(sound));
	memset(&seeded, 0, sizeof(seeded));
	seeded.alloc_unannounced = true;
	load("scenarios/races/first-touch-by-two-vcpus.kfp");
	for (d = 0; d < kfp_nr_designs; d++) {
		audit_scenario(&sound, d, MAX_SAMPLES, 0xa110c000ULL + d);
		audit_scenario(&seeded, d, MAX_SAMPLES, 0xa110c000ULL + d);
	}
	kfp_test_alloc_unannounced = false;
	kfp_test_diag("%llu moves, %llu change the end state; with the claim outside its step "
		      "%llu moves, %llu change it",
		      (unsigned long long)sound.pairs, (unsigned long long)sound.broken,
		      (unsigned long long)seeded.pairs, (unsigned long long)seeded.broken);
	ASSERT_GT(sound.pairs, 0);
	ASSERT_EQ(sound.broken, 0);
	ASSERT_GT(seeded.broken, 0);
}

/*
 * GUP against exit_mmap(): whether a GUP finds the mm torn down is decided
 * by what its steps declare (the zapped pte, the emptied VMA tree under
 * the mmap lock).  gup_args_valid() once also tested mm->dead, a read with
 * no seam point made in the step before the GUP (a lock release of the
 * gfn->pfn cache's refresh), so moving that step across exit_mmap()'s
 * last page-table step changed the GUP's path.  The reduced search then
 * completed other traces in other orders: 26 executions in the proposal
 * cell whole, 36 + 38 in two shards.  The samples are the first
 * MAX_SAMPLES executions of each design's search, not random ones: with
 * the test, 7 of their 66 moves changed the end state.
 */
TEST(footprint_gup_sees_exit_mmap_only_through_its_steps)
{
	/* and the other races of a teardown against the notifier list or the mm */
	static const char *const teardown_races[] = {
		"scenarios/races/gpc-vs-exit-mmap.kfp",
		"scenarios/review/vcpu-map-vs-exit-mmap.kfp",
		"scenarios/review/gfn-to-page-vs-exit-mmap.kfp",
		"scenarios/review/reclaim-vs-exit-mmap.kfp",
		"scenarios/review/vm-teardown-during-invalidation.kfp",
	};
	static struct audit a;
	unsigned int d, p;

	memset(&a, 0, sizeof(a));
	for (p = 0; p < ARRAY_SIZE(teardown_races); p++) {
		load(teardown_races[p]);
		for (d = 0; d < kfp_nr_designs; d++)
			audit_scenario(&a, d, MAX_SAMPLES, 0);
	}
	kfp_test_diag("%llu moves, %llu change the end state", (unsigned long long)a.pairs,
		      (unsigned long long)a.broken);
	ASSERT_GT(a.pairs, 0);
	ASSERT_EQ(a.broken, 0);
}

static struct kfp_scenario_run run;

/*
 * The same races split into shards exactly: the whole search and the
 * union of its shards each complete one execution per Mazurkiewicz trace,
 * which they cannot when a step reads what it does not declare (the
 * proposal cells: 26 whole against 36 + 38, 16 against 17 + 17, 12
 * against 7 + 5 with the mm->dead test).
 */
TEST(footprint_exit_mmap_races_split_exactly_into_shards)
{
	static const char *const paths_exit_mmap[] = {
		"scenarios/races/gpc-vs-exit-mmap.kfp",
		"scenarios/review/vcpu-map-vs-exit-mmap.kfp",
		"scenarios/review/gfn-to-page-vs-exit-mmap.kfp",
	};
	struct kfp_explore_options options = { .preemption_bound = -1 };
	unsigned int p, d, n, i;
	u64 whole, total;

	for (p = 0; p < ARRAY_SIZE(paths_exit_mmap); p++) {
		load(paths_exit_mmap[p]);
		for (d = 0; d < kfp_nr_designs; d++) {
			options.shard_count = 0;
			options.shard_index = 0;
			ASSERT_EQ(kfp_scenario_run(&scenario, d, &options, &run), 0);
			ASSERT_TRUE(run.explore.complete);
			whole = run.explore.executions;
			for (n = 2; n <= (SLOW_BUILD ? 2 : 3); n++) {
				options.shard_count = n;
				total = 0;
				for (i = 0; i < n; i++) {
					options.shard_index = i;
					ASSERT_EQ(kfp_scenario_run(&scenario, d, &options, &run),
						  0);
					ASSERT_EQ(run.explore.stop, KFP_STOP_SHARD);
					total += run.explore.executions;
				}
				if (total != whole)
					kfp_test_diag("%s under %s: %llu executions whole, %llu in "
						      "%u shards",
						      scenario.name, kfp_designs[d]->name,
						      (unsigned long long)whole,
						      (unsigned long long)total, n);
				ASSERT_EQ(total, whole);
			}
		}
	}
	kfp_scenario_run_release(&run);
}

/* ---- the verdicts the wider footprint changes ----------------------------------- */

/* Executions with P3 (violated or accepted) of @path under every design. */
static u64 p3_executions(const char *path, unsigned int narrow)
{
	struct kfp_explore_options options = { .preemption_bound = -1 };
	u64 total = 0;
	unsigned int d;

	load(path);
	kvm_test_narrow_footprint = narrow;
	for (d = 0; d < kfp_nr_designs; d++) {
		ASSERT_EQ(kfp_scenario_run(&scenario, d, &options, &run), 0);
		ASSERT_TRUE(run.explore.complete);
		total += run.explore.executions_with_violation[KFP_PROPERTY_P3] +
			 run.explore.executions_with_accepted[KFP_PROPERTY_P3];
	}
	kvm_test_narrow_footprint = 0;
	kfp_scenario_run_release(&run);
	return total;
}

TEST(footprint_a_store_after_mprotect_is_found_only_with_the_pte_in_the_step)
{
	const char *path = "scenarios/races/vcpu-map-vs-mprotect.kfp";

	ASSERT_EQ(p3_executions(path, KVM_NARROW_PTE), 0);
	ASSERT_GT(p3_executions(path, 0), 0);
}

TEST(footprint_a_read_after_a_memslot_replace_is_found_only_with_the_memslots_in_the_step)
{
	const char *path = "scenarios/races/vcpu-map-vs-memslot-replace.kfp";

	ASSERT_EQ(p3_executions(path, KVM_NARROW_MEMSLOTS), 0);
	ASSERT_GT(p3_executions(path, 0), 0);
}

/*
 * Final states of @path under upstream, searched with the default
 * reductions or with none; with @stale, a host access touches the page
 * its pte maps when its step runs without naming it again (the old bug).
 */
static u64 final_states(const char *path, bool reduce, bool stale)
{
	struct kfp_explore_options options = {
		.preemption_bound = -1,
		.stateful = true,
		.no_persistent_sets = !reduce,
		.no_sleep_sets = !reduce,
	};
	u64 executions;

	load(path);
	kfp_test_host_access_stale_page = stale;
	ASSERT_EQ(kfp_scenario_run(&scenario, (unsigned int)kfp_design_index("upstream"), &options,
				   &run),
		  0);
	kfp_test_host_access_stale_page = false;
	ASSERT_TRUE(run.explore.complete);
	executions = run.explore.executions;
	kfp_scenario_run_release(&run);
	return executions;
}

/*
 * A host access announces the pte and the page the pte maps, then runs
 * after whatever pte write the explorer ordered before it: the pte may
 * map another page by then (tests/explore/scenarios/host-read-vs-remap-
 * vs-guest-read.kfp narrates how).  The step must touch only the page it
 * named, or the explorer cuts orders with the steps on the page it did
 * touch: 116 final states reduced against 122 unreduced with the old
 * code, the same 122 both ways now.
 */
TEST(footprint_a_host_access_touches_only_the_page_it_named)
{
	const char *path = "tests/explore/scenarios/host-read-vs-remap-vs-guest-read.kfp";
	u64 whole = final_states(path, false, false);

	kfp_test_diag("%llu final states unreduced", (unsigned long long)whole);
	ASSERT_EQ(final_states(path, true, false), whole);
	ASSERT_LT(final_states(path, true, true), final_states(path, false, true));
}

/* ---- reduced and unreduced searches agree ----------------------------------------- */

static struct kfp_scenario_run reduced, unreduced;

/* Compare the two runs of one cell; false (with a diagnostic) if they disagree. */
static bool same_verdict(const char *design)
{
	unsigned int p, r;
	bool same = true;

	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		bool v1 = reduced.explore.executions_with_violation[p],
		     v2 = unreduced.explore.executions_with_violation[p];
		bool a1 = reduced.explore.executions_with_accepted[p],
		     a2 = unreduced.explore.executions_with_accepted[p];

		if (v1 != v2 || a1 != a2) {
			kfp_test_diag(
				"%s under %s: %s violated %d/%d, accepted %d/%d (reduced/not)",
				scenario.name, design, kfp_property_name(p), v1, v2, a1, a2);
			same = false;
		}
	}
	for (r = 0; r < scenario.nr_results; r++) {
		if (reduced.outcomes_seen[r] == unreduced.outcomes_seen[r])
			continue;
		kfp_test_diag("%s under %s: result %s outcomes %#x, unreduced %#x", scenario.name,
			      design, scenario.result[r].name, reduced.outcomes_seen[r],
			      unreduced.outcomes_seen[r]);
		same = false;
	}
	return same;
}

/*
 * The interleavings of one execution's steps, (n0 + n1 + ...)! / (n0! n1! ...):
 * what an unreduced search of the scenario costs, give or take the
 * schedules a lock or a retry adds or removes.  Cheap: one replay.
 */
static double interleavings(unsigned int design)
{
	struct kfp_program program;
	struct kfp_scenario_view view;
	unsigned int count[KFP_MAX_THREADS] = { 0 }, i, t, total = 0;
	double ways = 1.0;

	ASSERT_EQ(kfp_scenario_program(&scenario, design, &program, &view), 0);
	program.trace = record_step;
	nr_steps = 0;
	ASSERT_EQ(kfp_replay(&program, "", &replayed), 0);
	for (i = 0; i < nr_steps; i++)
		count[steps[i].thread]++;
	for (t = 0; t < KFP_MAX_THREADS; t++)
		for (i = 1; i <= count[t]; i++)
			ways = ways * (double)++total / (double)i;
	return ways;
}

TEST(footprint_reduced_and_unreduced_searches_agree_on_small_scenarios)
{
	struct kfp_explore_options full = { .preemption_bound = -1, .no_reduction = true };
	struct kfp_explore_options options = { .preemption_bound = -1 };
	unsigned int p, d, cells = 0, compared = 0, differ = 0;
	u64 executions = 0;
	double estimate;

	list_scenarios();
	ASSERT_GT(nr_paths, 0);
	for (p = 0; p < nr_paths; p++) {
		load(paths[p]);
		for (d = 0; d < kfp_nr_designs; d++) {
			cells++;
			estimate = interleavings(d);
			if (estimate > CROSS_CHECK_ESTIMATE)
				continue;
			full.max_executions = CROSS_CHECK_SMALL;
			if (estimate <= CROSS_CHECK_BOUND && 2 * estimate > CROSS_CHECK_SMALL)
				full.max_executions = (u64)(2 * estimate);
			if (full.max_executions > CROSS_CHECK_BOUND)
				full.max_executions = CROSS_CHECK_BOUND;
			full.max_executions++;
			ASSERT_EQ(kfp_scenario_run(&scenario, d, &options, &reduced), 0);
			ASSERT_TRUE(reduced.explore.complete);
			ASSERT_EQ(kfp_scenario_run(&scenario, d, &full, &unreduced), 0);
			executions += unreduced.explore.executions;
			if (getenv("KFP_XCHECK_DEBUG"))
				kfp_test_diag("%s %s: estimate %g reduced %llu unreduced %llu%s",
					      scenario.name, kfp_designs[d]->name, estimate,
					      (unsigned long long)reduced.explore.executions,
					      (unsigned long long)unreduced.explore.executions,
					      unreduced.explore.complete ? "" : "+");
			if (!unreduced.explore.complete)
				continue;
			ASSERT_LE(reduced.explore.executions, unreduced.explore.executions);
			compared++;
			if (!same_verdict(kfp_designs[d]->name))
				differ++;
		}
	}
	kfp_test_diag("%u of %u cells within %u unreduced executions compared (%llu executions), "
		      "%u differ",
		      compared, cells, CROSS_CHECK_BOUND, (unsigned long long)executions, differ);
	ASSERT_GE(compared, SLOW_BUILD ? 10 : 20);
	kfp_scenario_run_release(&reduced);
	kfp_scenario_run_release(&unreduced);
	ASSERT_EQ(differ, 0);
}

/*
 * The comparison catches a reduced search that lost a verdict: with the
 * host pte left out of the access steps, the reduced search of
 * vcpu-map+mprotect-readonly never sees the store after the mprotect,
 * which even a search of every schedule with one preemption finds (the
 * full unreduced search of this cell is past any bound).
 */
TEST(footprint_cross_check_catches_a_narrowed_footprint)
{
	struct kfp_explore_options bounded = { .preemption_bound = 1, .no_reduction = true };
	struct kfp_explore_options options = { .preemption_bound = -1 };
	unsigned int design = (unsigned int)kfp_design_index("legacy");

	load("scenarios/races/vcpu-map-vs-mprotect.kfp");
	ASSERT_EQ(kfp_scenario_run(&scenario, design, &bounded, &unreduced), 0);
	ASSERT_GT(unreduced.explore.executions_with_violation[KFP_PROPERTY_P3], 0);
	kvm_test_narrow_footprint = KVM_NARROW_PTE;
	ASSERT_EQ(kfp_scenario_run(&scenario, design, &options, &reduced), 0);
	kvm_test_narrow_footprint = 0;
	ASSERT_FALSE(same_verdict("legacy"));
	ASSERT_EQ(kfp_scenario_run(&scenario, design, &options, &reduced), 0);
	ASSERT_GT(reduced.explore.executions_with_violation[KFP_PROPERTY_P3], 0);
	kfp_scenario_run_release(&reduced);
	kfp_scenario_run_release(&unreduced);
}
