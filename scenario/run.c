// SPDX-License-Identifier: GPL-2.0
/*
 * Running a scenario: build the world its setup describes, turn each of
 * its threads into an explorer thread that performs its operations in
 * order, explore under one design, and evaluate the expectations written
 * for that design.
 *
 * Value and outcome expectations are judged per execution, in the
 * program's at_end hook, and accumulated outside the world (which the
 * explorer restores before every execution).  What the search found and
 * those tallies are then judged by scenario/verdict.c, which also gives
 * the cell its verdict: this file only collects.
 */
#include <stdlib.h>
#include <string.h>

#include <kfp/scenario.h>

/*
 * The explorer's state: everything an execution may change.  The results
 * first, sharing the arena's first page with the world's small fields
 * (struct kfp_world), and whole pages: the stateful search compares only
 * the pages a search wrote, and a partial page at the end it cannot watch
 * (explore/arena_watch.c) would be compared at every state.
 */
struct scenario_state {
	u64 value[KFP_SCENARIO_MAX_RESULTS];
	u8 outcome[KFP_SCENARIO_MAX_RESULTS];
	s8 object_id[KFP_SCENARIO_MAX_OBJECTS]; /* scenario object -> mm object */
	struct kfp_world world;
} __attribute__((aligned(4096)));

/* Per-expectation accumulation across executions. */
struct tally {
	u64 held;
	u64 failed;
	char *schedule; /* the first witness or counterexample */
	bool take_reports; /* @schedule was just taken: its reports follow */
	struct kfp_reports reports;
	char detail[160];
};

struct runner {
	const struct kfp_scenario *scenario;
	unsigned int design;
	const struct kfp_expectation *checked[KFP_SCENARIO_MAX_CHECKED];
	unsigned int nr_checked;
	struct tally tally[KFP_SCENARIO_MAX_CHECKED];
	struct kfp_judgement judgement[KFP_SCENARIO_MAX_CHECKED];
	u32 outcomes_seen[KFP_SCENARIO_MAX_RESULTS];
	struct kfp_scenario_seen seen;
	struct kfp_scenario_price price;
	FILE *trace;
	/* the scenario closes the VM fd: each vCPU thread closes its fd at its end */
	bool vcpu_fds_close;
};

/* per OS thread: kfp check --jobs runs a scenario on each */
static _Thread_local struct scenario_state state;
static _Thread_local struct runner runner;

/* ---- operations ----------------------------------------------------------- */

/* The world @op of @thread runs on, for its runner (scenario/ops.c). */
static void op_env(struct scenario_state *s, unsigned int thread, const struct kfp_op_info *info,
		   struct kfp_op_env *env)
{
	env->kvm = &s->world.kvm;
	env->mm = &s->world.mm;
	env->vcpu = info->vcpu ? &env->kvm->vcpu[runner.scenario->thread[thread].vcpu] : NULL;
	env->object_id = s->object_id;
}

static u8 run_op(struct scenario_state *s, unsigned int thread, const struct kfp_op *op)
{
	const struct kfp_op_info *info = &kfp_ops[op->kind];
	struct kfp_op_env env;
	u64 value = 0;
	u8 outcome;

	op_env(s, thread, info, &env);
	outcome = info->run(&env, op, &value);
	/* KVM_RUN returned -EINTR: userspace takes the signal before running again */
	if (info->vcpu && outcome == KFP_OUTCOME_EINTR)
		kfp_signal_delivered(env.mm, (int)thread);
	if (op->result >= 0) {
		s->value[op->result] = value;
		s->outcome[op->result] = outcome;
	}
	return outcome;
}

static void record_op(unsigned int thread, int op);

static void scenario_thread(void *arg_state, void *arg)
{
	struct scenario_state *s = arg_state;
	unsigned int thread = (unsigned int)(uintptr_t)arg;
	const struct kfp_scenario_thread *t = &runner.scenario->thread[thread];
	unsigned int i;

	for (i = 0; i < t->nr_ops; i++) {
		record_op(thread, (int)i);
		run_op(s, thread, &t->op[i]);
	}
	record_op(thread, KFP_TRACE_NO_OP);
	/* virt/kvm/kvm_main.c kvm_vcpu_release(): the vCPU fd's reference on the VM */
	if (t->is_vcpu && runner.vcpu_fds_close)
		kvm_put_kvm(&s->world.kvm);
}

/*
 * Does @scenario close the VM fd (vm-teardown)?  Then the VM must outlive
 * the vCPUs that still run, and their fds' references are modelled too;
 * otherwise every fd closes at the end, after the threads.
 */
static bool closes_vm_fd(const struct kfp_scenario *scenario)
{
	unsigned int t, i;

	for (t = 0; t < scenario->nr_threads; t++)
		for (i = 0; i < scenario->thread[t].nr_ops; i++)
			if (scenario->thread[t].op[i].kind == KFP_OP_VM_TEARDOWN)
				return true;
	return false;
}

/* ---- set-up --------------------------------------------------------------- */

static int setup_world(struct scenario_state *s, const struct kfp_scenario *scenario,
		       unsigned int design, char *error, size_t size)
{
	unsigned int i;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = kfp_world_init(&s->world, kfp_designs[design], scenario->nr_vcpus, scenario->nr_gpcs);
	if (ret) {
		snprintf(error, size, "%s:0:0: cannot create the VM (%d)", scenario->path, ret);
		return ret;
	}
	s->world.kvm.allow_unsafe_mappings = scenario->allow_unsafe_mappings;
	s->world.kvm.inject = scenario->inject;
	for (i = 0; i < scenario->nr_objects; i++) {
		const struct kfp_scenario_object *object = &scenario->object[i];

		ret = kfp_memory_object_create(&s->world.mm, object->kind, object->pages);
		if (ret < 0) {
			snprintf(error, size, "%s:%u:%u: object %s cannot be created (%s)",
				 scenario->path, object->pos.line, object->pos.col, object->name,
				 kfp_outcome_name(kfp_outcome_of_errno(ret)));
			return ret;
		}
		s->object_id[i] = (s8)ret;
		s->world.mm.object[ret].fault_retries = object->fault_retries;
	}
	for (i = 0; i < scenario->nr_setup; i++) {
		const struct kfp_op *op = &scenario->setup[i];
		u8 outcome = run_op(s, 0, op);

		if (outcome != KFP_OUTCOME_OK) {
			snprintf(error, size, "%s:%u:%u: setup: %s failed (%s)", scenario->path,
				 op->pos.line, op->pos.col, kfp_op_name((enum kfp_op_kind)op->kind),
				 kfp_outcome_name(outcome));
			return -EINVAL;
		}
	}
	for (i = 0; i < KFP_SCENARIO_MAX_RESULTS; i++)
		s->outcome[i] = KFP_OUTCOME_NOT_RUN;
	if (s->world.reports.count) {
		snprintf(error, size, "%s:0:0: setup: the model reported %s", scenario->path,
			 kfp_report_kind_name(s->world.reports.report[0].kind));
		return -EINVAL;
	}
	return 0;
}

/* ---- expectations --------------------------------------------------------- */

/* ---- what the search saw, for kfp diff ----------------------------------- */

static void seen_example_free(struct kfp_seen_example *example)
{
	free(example->schedule);
	example->schedule = NULL;
}

static void seen_free(struct kfp_scenario_seen *seen)
{
	unsigned int r, i, p;

	for (r = 0; r < KFP_SCENARIO_MAX_RESULTS; r++)
		for (i = 0; i < seen->nr[r]; i++)
			seen_example_free(&seen->result[r][i]);
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		seen_example_free(&seen->violation[p]);
		seen_example_free(&seen->accepted[p]);
	}
	memset(seen, 0, sizeof(*seen));
}

/* Keep the execution that just ended as @example's if it has fewer preemptions. */
static void seen_take(struct kfp_seen_example *example, unsigned int preemptions)
{
	char *schedule;

	if (example->schedule && example->preemptions <= preemptions)
		return;
	schedule = kfp_explore_current_schedule();
	if (!schedule)
		return;
	free(example->schedule);
	example->schedule = schedule;
	example->preemptions = preemptions;
}

static void seen_result(struct kfp_scenario_seen *seen, unsigned int r, u8 outcome, u64 value,
			unsigned int preemptions)
{
	struct kfp_seen_example *example;
	unsigned int i;

	for (i = 0; i < seen->nr[r]; i++) {
		example = &seen->result[r][i];
		if (example->outcome == outcome && example->value == value) {
			seen_take(example, preemptions);
			return;
		}
	}
	if (seen->nr[r] == KFP_SCENARIO_MAX_SEEN) {
		seen->overflow[r] = true;
		return;
	}
	example = &seen->result[r][seen->nr[r]++];
	example->outcome = outcome;
	example->value = value;
	seen_take(example, preemptions);
}

/* After the final checks: every result's outcome and value, every property's reports. */
static void seen_execution(struct scenario_state *s)
{
	unsigned int preemptions = kfp_explore_current_preemptions();
	struct kfp_scenario_seen *seen = &runner.seen;
	struct kfp_verdict verdict;
	unsigned int r, p;

	for (r = 0; r < runner.scenario->nr_results; r++)
		seen_result(seen, r, s->outcome[r],
			    s->outcome[r] == KFP_OUTCOME_OK ? s->value[r] : 0, preemptions);
	kfp_verdict_of(&s->world.reports, &verdict);
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		if (verdict.violations[p])
			seen_take(&seen->violation[p], preemptions);
		if (verdict.accepted[p])
			seen_take(&seen->accepted[p], preemptions);
	}
}

const char *const kfp_price_names[KFP_NR_PRICES] = {
	[KFP_PRICE_INVALIDATIONS] = "invalidations", [KFP_PRICE_MARKED_INVALID] = "marked-invalid",
	[KFP_PRICE_REVALIDATIONS] = "revalidations", [KFP_PRICE_REFRESHES] = "refreshes",
	[KFP_PRICE_ACCESS_LOCKS] = "access-locks",
};

/* The execution's kvm->stats, into the search's most and sum. */
static void price_execution(struct scenario_state *s)
{
	const struct kvm_stats *stats = &s->world.kvm.stats;
	const u64 value[KFP_NR_PRICES] = {
		[KFP_PRICE_INVALIDATIONS] = stats->nr_invalidations,
		[KFP_PRICE_MARKED_INVALID] = stats->nr_marked_invalid,
		[KFP_PRICE_REVALIDATIONS] = stats->nr_revalidations,
		[KFP_PRICE_REFRESHES] = stats->nr_refreshes,
		[KFP_PRICE_ACCESS_LOCKS] = stats->nr_access_locks,
	};
	struct kfp_scenario_price *price = &runner.price;
	unsigned int i;

	price->ended++;
	for (i = 0; i < KFP_NR_PRICES; i++) {
		price->sum[i] += value[i];
		if (value[i] > price->max[i])
			price->max[i] = value[i];
	}
}

static void release_tally(void)
{
	unsigned int i;

	seen_free(&runner.seen);

	for (i = 0; i < ARRAY_SIZE(runner.tally); i++)
		free(runner.tally[i].schedule);
	memset(runner.tally, 0, sizeof(runner.tally));
}

/*
 * The search starts over (explore/persistent.c): forget the executions
 * tallied so far, as the new start judges every final state again, so
 * that the tallies count the executions the result counts.
 */
static void scenario_start_over(void *arg)
{
	(void)arg;
	release_tally();
	memset(&runner.seen, 0, sizeof(runner.seen));
	memset(runner.outcomes_seen, 0, sizeof(runner.outcomes_seen));
	memset(&runner.price, 0, sizeof(runner.price));
}

/* Every expectation the parser accepted for @design: the array holds all blocks' worth. */
static void collect_expectations(const struct kfp_scenario *scenario, unsigned int design)
{
	unsigned int b, e;

	runner.nr_checked = 0;
	for (b = 0; b < scenario->nr_blocks; b++) {
		const struct kfp_expect_block *block = &scenario->block[b];

		if (!(block->design_mask & BIT(design)))
			continue;
		for (e = 0; e < block->nr; e++)
			runner.checked[runner.nr_checked++] = &block->expect[e];
	}
	release_tally();
	memset(runner.outcomes_seen, 0, sizeof(runner.outcomes_seen));
	memset(&runner.price, 0, sizeof(runner.price));
}

static const char *result_label(const struct kfp_scenario *scenario, int result, char *buf,
				size_t size)
{
	const struct kfp_scenario_result *r = &scenario->result[result];

	snprintf(buf, size, "%s.%s", scenario->thread[r->thread].name, r->name);
	return buf;
}

static int pins_of(struct kfp_mm *mm, kfp_pfn_t pfn)
{
	kfp_pfn_t head = compound_head_pfn(mm, pfn);
	unsigned int i;
	int pins = 0;

	for (i = 0; i < mm->ledger.nr_entries; i++)
		if (mm->ledger.entry[i].pfn == head)
			pins += mm->ledger.entry[i].pins;
	return pins;
}

/* Does expectation @x hold in the execution that just ended?  Fills @detail if not. */
static bool holds_now(struct scenario_state *s, const struct kfp_expectation *x, char *detail,
		      size_t size)
{
	const struct kfp_scenario *scenario = runner.scenario;
	char label[2 * KFP_NAME_LEN + 2];
	struct kfp_mm *mm = &s->world.mm;
	kfp_pfn_t pfn;
	s64 actual;

	switch (x->kind) {
	case KFP_EXPECT_ALWAYS_VALUE:
	case KFP_EXPECT_SOMETIMES_VALUE:
		result_label(scenario, x->result, label, sizeof(label));
		/* a value is only defined when its op ended ok; outcomes say the rest */
		if (s->outcome[x->result] != KFP_OUTCOME_OK) {
			snprintf(detail, size, "%s ended %s", label,
				 kfp_outcome_name(s->outcome[x->result]));
			return false;
		}
		if ((s->value[x->result] == (u64)x->value) != !x->negate) {
			snprintf(detail, size, "%s was %#llx", label,
				 (unsigned long long)s->value[x->result]);
			return false;
		}
		return true;
	case KFP_EXPECT_OUTCOME:
		if (x->outcome_mask & BIT(s->outcome[x->result]))
			return true;
		snprintf(detail, size, "%s ended %s",
			 result_label(scenario, x->result, label, sizeof(label)),
			 kfp_outcome_name(s->outcome[x->result]));
		return false;
	case KFP_EXPECT_REFCOUNT:
	case KFP_EXPECT_PINS:
		pfn = mm->object[s->object_id[x->object]].pfn[x->page];
		actual = x->kind == KFP_EXPECT_REFCOUNT ? page_count(mm, pfn) : pins_of(mm, pfn);
		if (actual == x->value)
			return true;
		snprintf(detail, size, "%s of %s[%u] was %lld",
			 x->kind == KFP_EXPECT_REFCOUNT ? "refcount" : "pins",
			 scenario->object[x->object].name, x->page, (long long)actual);
		return false;
	default:
		return true;
	}
}

static void tally_execution(struct scenario_state *s)
{
	unsigned int i;

	for (i = 0; i < runner.scenario->nr_results; i++)
		runner.outcomes_seen[i] |= BIT(s->outcome[i]);
	for (i = 0; i < runner.nr_checked; i++) {
		const struct kfp_expectation *x = runner.checked[i];
		struct tally *t = &runner.tally[i];
		char detail[sizeof(t->detail)];
		bool holds = holds_now(s, x, detail, sizeof(detail));

		if (holds) {
			if (!t->held++ && x->kind == KFP_EXPECT_SOMETIMES_VALUE) {
				t->schedule = kfp_explore_current_schedule();
				t->take_reports = true;
			}
			continue;
		}
		if (!t->failed++ && x->kind != KFP_EXPECT_SOMETIMES_VALUE) {
			memcpy(t->detail, detail, sizeof(t->detail));
			t->schedule = kfp_explore_current_schedule();
			t->take_reports = true;
		}
	}
}

/* The reports of the execution whose schedule a tally just took, final checks included. */
static void tally_reports(struct scenario_state *s)
{
	unsigned int i;

	for (i = 0; i < runner.nr_checked; i++) {
		if (!runner.tally[i].take_reports)
			continue;
		runner.tally[i].reports = s->world.reports;
		runner.tally[i].take_reports = false;
	}
}

static void scenario_at_end(void *arg_state, void *arg)
{
	struct scenario_state *s = arg_state;

	(void)arg;
	tally_execution(s);
	price_execution(s);
	kvm_destroy_vm(&s->world.kvm);
	kfp_check_final(&s->world.kvm);
	tally_reports(s);
	seen_execution(s);
}

/* The tally of expectation @i as scenario/verdict.c reads it. */
static void tally_view(unsigned int i, struct kfp_tally *view)
{
	const struct tally *t = &runner.tally[i];
	bool once = runner.checked[i]->kind == KFP_EXPECT_SOMETIMES_VALUE;

	/* tally_execution() keeps the first holding execution of a "sometimes", else the first failing */
	*view = (struct kfp_tally){
		.held = t->held,
		.failed = t->failed,
		.held_schedule = once ? t->schedule : NULL,
		.failed_schedule = once ? NULL : t->schedule,
		.failed_detail = t->detail,
	};
}

/* The reports of the execution @evidence names. */
static const struct kfp_reports *evidence_reports(const struct kfp_explore_result *explore,
						  unsigned int i, enum kfp_evidence evidence)
{
	unsigned int p = runner.checked[i]->property;

	switch (evidence) {
	case KFP_EVIDENCE_WITNESS:
		return &explore->witness_reports[p];
	case KFP_EVIDENCE_ACCEPTED_WITNESS:
		return &explore->accepted_witness_reports[p];
	default:
		return &runner.tally[i].reports;
	}
}

/* Judge expectation @i (scenario/verdict.c) and copy out what the run keeps of it. */
static void judge(const struct kfp_scenario_run *run, unsigned int i,
		  struct kfp_expectation_result *out)
{
	const struct kfp_expectation *x = runner.checked[i];
	struct kfp_judgement *j = &runner.judgement[i];
	struct kfp_tally view;

	tally_view(i, &view);
	kfp_judge_expectation(&run->found, x->kind, x->property, &view, j);
	memset(out, 0, sizeof(*out));
	out->met = j->met;
	/* what kfp merge adds up over shards */
	out->held = view.held;
	out->failed = view.failed;
	snprintf(out->detail, sizeof(out->detail), "%s", j->detail);
	if (j->schedule) {
		out->schedule = strdup(j->schedule);
		out->reports = *evidence_reports(&run->explore, i, j->evidence);
	}
}

static void fill_program(struct kfp_program *program, const struct kfp_scenario *scenario)
{
	unsigned int i;

	memset(program, 0, sizeof(*program));
	program->state = &state;
	program->state_size = sizeof(state);
	program->reports = &state.world.reports;
	program->nr_threads = scenario->nr_threads;
	for (i = 0; i < scenario->nr_threads; i++) {
		snprintf(program->thread[i].name, KFP_THREAD_NAME_LEN, "%s",
			 scenario->thread[i].name);
		program->thread[i].fn = scenario_thread;
		program->thread[i].arg = (void *)(uintptr_t)i;
	}
	program->at_end = scenario_at_end;
	program->at_start_over = scenario_start_over;
	/* statistics for tests: history, not state */
	program->history[0].offset = offsetof(struct scenario_state, world.mm.stats);
	program->history[0].size = sizeof(state.world.mm.stats);
	program->history[1].offset = offsetof(struct scenario_state, world.kvm.stats);
	program->history[1].size = sizeof(state.world.kvm.stats);
	program->nr_history = 2;
}

/* Everything a run or a replay needs before the explorer starts. */
static int prepare(const struct kfp_scenario *scenario, unsigned int design, FILE *trace,
		   struct kfp_program *program, char *error, size_t size)
{
	if (design >= kfp_nr_designs) {
		snprintf(error, size, "%s:0:0: no design %u", scenario->path, design);
		return -EINVAL;
	}
	runner.scenario = scenario;
	runner.design = design;
	runner.trace = trace;
	runner.vcpu_fds_close = closes_vm_fd(scenario);
	if (setup_world(&state, scenario, design, error, size))
		return -EINVAL;
	collect_expectations(scenario, design);
	fill_program(program, scenario);
	return 0;
}

void kfp_scenario_run_release(struct kfp_scenario_run *run)
{
	unsigned int i;

	kfp_explore_result_release(&run->explore);
	if (run->seen) {
		seen_free(run->seen);
		free(run->seen);
		run->seen = NULL;
	}
	for (i = 0; i < ARRAY_SIZE(run->expectation); i++) {
		free(run->expectation[i].schedule);
		run->expectation[i].schedule = NULL;
	}
}

int kfp_scenario_run(const struct kfp_scenario *scenario, unsigned int design,
		     const struct kfp_explore_options *options, struct kfp_scenario_run *run)
{
	struct kfp_program program;
	unsigned int i;
	int ret;

	kfp_scenario_run_release(run);
	memset(run, 0, sizeof(*run));
	run->design = design;
	/* a run that cannot finish judges nothing */
	run->status = KFP_CELL_UNDECIDED;
	ret = prepare(scenario, design, NULL, &program, run->error, sizeof(run->error));
	if (ret)
		return ret;
	ret = kfp_explore(&program, options, &run->explore);
	if (ret) {
		snprintf(run->error, sizeof(run->error), "%s:0:0: the explorer failed (%d)",
			 scenario->path, ret);
		release_tally();
		return ret;
	}
	kfp_found_of_search(&run->found, &run->explore, options->shard_count > 1);
	run->expectations_met = true;
	run->nr_expectations = runner.nr_checked;
	for (i = 0; i < runner.nr_checked; i++) {
		run->checked[i] = runner.checked[i];
		judge(run, i, &run->expectation[i]);
		if (!run->expectation[i].met)
			run->expectations_met = false;
	}
	run->status = kfp_judge_cell(&run->found, runner.judgement, runner.nr_checked);
	memcpy(run->outcomes_seen, runner.outcomes_seen, sizeof(run->outcomes_seen));
	run->price = runner.price;
	run->seen = malloc(sizeof(*run->seen));
	if (run->seen) {
		/* the schedules move with the copy */
		memcpy(run->seen, &runner.seen, sizeof(*run->seen));
		memset(&runner.seen, 0, sizeof(runner.seen));
	}
	memcpy(run->owner, state.world.mm.ledger.owner, sizeof(run->owner));
	run->nr_owners = state.world.mm.ledger.nr_owners;
	release_tally();
	return 0;
}

int kfp_scenario_program(const struct kfp_scenario *scenario, unsigned int design,
			 struct kfp_program *program, struct kfp_scenario_view *view)
{
	char error[KFP_ERROR_LEN];
	int ret = prepare(scenario, design, NULL, program, error, sizeof(error));

	if (ret) {
		fprintf(stderr, "%s\n", error);
		return ret;
	}
	view->world = &state.world;
	view->value = state.value;
	view->outcome = state.outcome;
	return 0;
}

/* ---- the step-by-step trace ------------------------------------------------- */

static void describe_object(struct scenario_state *s, u32 object, char *buf, size_t size)
{
	struct kfp_mm *mm = &s->world.mm;
	struct kvm *kvm = &s->world.kvm;
	unsigned int index = KFP_OBJECT_INDEX_OF(object);
	const struct kfp_pte *pte;

	switch (KFP_OBJECT_CLASS_OF(object)) {
	case KFP_OBJECT_CLASS_PAGE:
		snprintf(buf, size, "pfn %u: refcount %d, pins %d, content %#llx%s", index,
			 page_count(mm, index), pins_of(mm, index),
			 (unsigned long long)mm->page[index].content,
			 kfp_page_is_free(mm, index) ? ", free" : "");
		return;
	case KFP_OBJECT_CLASS_PTE:
		pte = &mm->pte[index];
		snprintf(buf, size, "pte %#x: %s pfn %d%s%s", index << PAGE_SHIFT,
			 pte->kind == KFP_PTE_PRESENT ? "present" :
			 pte->kind		      ? "non-present" :
							"none",
			 pte->kind == KFP_PTE_PRESENT ? (int)pte->pfn : -1,
			 pte->writable ? " writable" : "", pte->special ? " special" : "");
		return;
	case KFP_OBJECT_CLASS_KVM_SEQ:
		snprintf(buf, size, "mmu_invalidate_seq %ld, in_progress %ld",
			 kvm->mmu_invalidate_seq, kvm->mmu_invalidate_in_progress);
		return;
	case KFP_OBJECT_CLASS_KVM_MN_COUNT:
		snprintf(buf, size, "mn_active_invalidate_count %ld",
			 kvm->mn_active_invalidate_count);
		return;
	case KFP_OBJECT_CLASS_KVM_RELEASED:
		snprintf(buf, size, "mm_released %u", kvm->mm_released);
		return;
	case KFP_OBJECT_CLASS_KVM_USERS:
		snprintf(buf, size, "users_count %ld%s", kvm->users_count,
			 kvm->dead ? ", destroyed" : "");
		return;
	case KFP_OBJECT_CLASS_KVM_SPTE: {
		const struct kvm_spte *spte = &kvm->spte[index / KFP_NR_GFNS][index % KFP_NR_GFNS];

		snprintf(buf, size, "spte gfn %u: %s pfn %d%s", index % KFP_NR_GFNS,
			 spte->present ? "present" : "none", spte->present ? (int)spte->pfn : -1,
			 spte->writable ? " writable" : "");
		return;
	}
	case KFP_OBJECT_CLASS_KVM_GPC: {
		const struct gfn_to_pfn_cache *gpc = &kvm->gpc[index];

		snprintf(buf, size, "gpc%u: %s%s pfn %lld", index,
			 gpc->active ? "active" : "inactive", gpc->valid ? " valid" : "",
			 is_error_noslot_pfn(gpc->pfn) ? -1LL : (long long)gpc->pfn);
		return;
	}
	default:
		buf[0] = '\0';
		return;
	}
}

/*
 * Recording a replay (include/kfp/trace.h), outside the world: only a
 * replay records, one execution, so nothing here is restored.  A step
 * belongs to the op that was running when its thread announced it, i.e.
 * after the thread's previous step (op 0 for a thread's first step).
 */
static _Thread_local struct recorder {
	struct kfp_trace *trace;
	s8 cur_op[KFP_SCENARIO_MAX_THREADS]; /* the op running in each thread */
	s8 next_op[KFP_SCENARIO_MAX_THREADS]; /* the op of each thread's next step */
	s8 last_op[KFP_SCENARIO_MAX_THREADS]; /* the op of each thread's last step */
} recorder;

static void record_op(unsigned int thread, int op)
{
	if (recorder.trace)
		recorder.cur_op[thread] = (s8)op;
}

static enum kfp_trace_action trace_action(const struct kfp_trace_step *step)
{
	bool write = step->access == KFP_ACCESS_WRITE;

	if (step->is_wait)
		return KFP_TRACE_WAIT;
	/* seam/seam.c: a take is a lock step; a release is a plain step on the lock */
	if (KFP_OBJECT_CLASS_OF(step->object) == KFP_OBJECT_CLASS_LOCK)
		return step->is_lock ? (write ? KFP_TRACE_LOCK : KFP_TRACE_READ_LOCK) :
				       (write ? KFP_TRACE_UNLOCK : KFP_TRACE_READ_UNLOCK);
	return write ? KFP_TRACE_WRITE : KFP_TRACE_READ;
}

/* Every page's refcount, pins, mapcount after the step, and the notifier counters. */
static void record_state(struct scenario_state *s, struct kfp_trace_row *row)
{
	struct kfp_mm *mm = &s->world.mm;
	unsigned int pfn, v;

	row->mmu_invalidate_seq = s->world.kvm.mmu_invalidate_seq;
	row->mmu_invalidate_in_progress = s->world.kvm.mmu_invalidate_in_progress;
	for (pfn = 0; pfn < KFP_NR_PFNS; pfn++) {
		row->page[pfn].refcount = (s16)mm->page[pfn].refcount;
		row->page[pfn].pins = (s16)pins_of(mm, pfn);
		row->page[pfn].free = kfp_page_is_free(mm, pfn);
		row->page[pfn].mapcount = 0;
	}
	for (v = 0; v < KFP_NR_VPAGES; v++)
		if (mm->pte[v].kind == KFP_PTE_PRESENT && mm->pte[v].pfn < KFP_NR_PFNS)
			row->page[mm->pte[v].pfn].mapcount++;
}

static struct kfp_trace_row *record_row(struct scenario_state *s)
{
	struct kfp_trace *trace = recorder.trace;
	struct kfp_trace_row *row;

	if (trace->nr_rows == trace->capacity) {
		unsigned int capacity = trace->capacity ? 2 * trace->capacity : 64;
		void *grown = realloc(trace->row, capacity * sizeof(*trace->row));

		if (!grown)
			return NULL;
		trace->row = grown;
		trace->capacity = capacity;
	}
	row = &trace->row[trace->nr_rows++];
	memset(row, 0, offsetof(struct kfp_trace_row, page));
	row->op_begins = row->op_ends = KFP_TRACE_NO_OP;
	record_state(s, row);
	return row;
}

/* The pages a step touched, directly or through a pte it read or wrote. */
static void mark_involved(struct scenario_state *s, const struct kfp_footprint *fp)
{
	unsigned int k;

	for (k = 0; k < fp->nr && k < KFP_FOOTPRINT_MAX; k++) {
		u32 index = KFP_OBJECT_INDEX_OF(fp->object[k]);
		const struct kfp_pte *pte;

		switch (KFP_OBJECT_CLASS_OF(fp->object[k])) {
		case KFP_OBJECT_CLASS_PAGE:
			if (index < KFP_NR_PFNS)
				recorder.trace->involved[index] = 1;
			break;
		case KFP_OBJECT_CLASS_PTE:
			pte = index < KFP_NR_VPAGES ? &s->world.mm.pte[index] : NULL;
			if (pte && pte->kind == KFP_PTE_PRESENT && pte->pfn < KFP_NR_PFNS)
				recorder.trace->involved[pte->pfn] = 1;
			break;
		default:
			break;
		}
	}
}

static void trace_step(void *arg_state, void *arg, const struct kfp_trace_step *step)
{
	struct scenario_state *s = arg_state;
	unsigned int t = (unsigned int)step->thread, i;
	struct kfp_trace_row *row;
	s8 op;

	(void)arg;
	/* row 0's thread ran its step already: the others are where the start left them */
	if (!recorder.trace->nr_rows)
		for (i = 0; i < runner.scenario->nr_threads; i++)
			if (i != t)
				recorder.next_op[i] = recorder.cur_op[i];
	row = record_row(s);
	if (!row)
		return;
	op = recorder.next_op[t];
	row->step = step->index;
	row->thread = (s8)step->thread;
	row->action = (u8)trace_action(step);
	row->finished = step->finished;
	snprintf(row->what, sizeof(row->what), "%s", step->what ? step->what : "?");
	describe_object(s, step->object, row->object, sizeof(row->object));
	if (op != recorder.last_op[t])
		row->op_begins = op;
	if (recorder.cur_op[t] != op)
		row->op_ends = op;
	recorder.last_op[t] = op;
	recorder.next_op[t] = recorder.cur_op[t];
	mark_involved(s, &step->footprint);
}

/* The last row: the end of the execution, where the final checks report. */
static void record_end(struct scenario_state *s)
{
	struct kfp_trace *trace = recorder.trace;
	unsigned int n = trace->nr_rows, i;
	struct kfp_trace_row *row = record_row(s);

	if (!row)
		return;
	row->step = n ? trace->row[n - 1].step + 1 : 0;
	row->thread = -1;
	row->action = KFP_TRACE_END;
	snprintf(row->what, sizeof(row->what), "end of the execution");
	for (i = 0; i < s->world.reports.count; i++) {
		kfp_pfn_t pfn = s->world.reports.report[i].pfn;

		if (pfn < KFP_NR_PFNS)
			trace->involved[pfn] = 1;
	}
	for (i = 0; i < KFP_MAX_OWNERS; i++)
		snprintf(trace->owner[i], sizeof(trace->owner[i]), "%s",
			 kfp_owner_name(&s->world.mm, (kfp_owner_t)i));
	trace->reports = s->world.reports;
}

const char *kfp_scenario_owner_name(kfp_owner_t owner)
{
	return kfp_owner_name(&state.world.mm, owner);
}

const char *kfp_scenario_run_owner_name(const struct kfp_scenario_run *run, kfp_owner_t owner)
{
	if (owner >= run->nr_owners)
		return "?";
	return run->owner[owner].name;
}

static void print_reports(const struct kfp_scenario_run *run, const struct kfp_reports *reports,
			  const char *indent, FILE *out)
{
	unsigned int i;

	for (i = 0; i < reports->count; i++) {
		const struct kfp_report *r = &reports->report[i];

		fprintf(out, "%sstep %u: %s%s: %s, pfn %lld, %s (%s)\n", indent, r->step,
			kfp_property_name(r->property), r->accepted ? " (accepted)" : "",
			kfp_report_kind_name(r->kind), (long long)r->pfn,
			run ? kfp_scenario_run_owner_name(run, r->owner) :
			      kfp_scenario_owner_name(r->owner),
			r->what ? r->what : "?");
	}
	if (reports->dropped)
		fprintf(out, "%s%u more reports not kept\n", indent, reports->dropped);
}

void kfp_scenario_print_reports(const struct kfp_reports *reports, const char *indent, FILE *out)
{
	print_reports(NULL, reports, indent, out);
}

void kfp_scenario_print_run_reports(const struct kfp_scenario_run *run,
				    const struct kfp_reports *reports, const char *indent,
				    FILE *out)
{
	print_reports(run, reports, indent, out);
}

int kfp_scenario_record(const struct kfp_scenario *scenario, unsigned int design,
			const char *schedule, const struct kfp_explore_options *options,
			struct kfp_trace *trace)
{
	static _Thread_local struct kfp_explore_result result;
	char error[KFP_ERROR_LEN];
	struct kfp_program program;
	unsigned int p;
	int ret;

	memset(trace, 0, sizeof(*trace));
	trace->scenario = scenario;
	trace->design = design;
	snprintf(trace->schedule, sizeof(trace->schedule), "%s", schedule);
	ret = prepare(scenario, design, NULL, &program, error, sizeof(error));
	if (ret) {
		fprintf(stderr, "%s\n", error);
		return ret;
	}
	memset(&recorder, 0, sizeof(recorder));
	recorder.trace = trace;
	memset(recorder.last_op, KFP_TRACE_NO_OP, sizeof(recorder.last_op));
	program.trace = trace_step;
	ret = kfp_replay_with_options(&program, schedule, options, &result);
	recorder.trace = NULL;
	release_tally();
	if (ret)
		return ret;
	recorder.trace = trace;
	record_end(&state);
	recorder.trace = NULL;
	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		if (result.executions_with_violation[p])
			return 1;
	return 0;
}

int kfp_scenario_replay(const struct kfp_scenario *scenario, unsigned int design,
			const char *schedule, const struct kfp_explore_options *options, FILE *out,
			struct kfp_reports *reports)
{
	static _Thread_local struct kfp_trace trace;
	unsigned int i;
	int ret;

	ret = kfp_scenario_record(scenario, design, schedule, options, &trace);
	if (ret < 0)
		goto out_release;
	fprintf(out, "replay %s under %s, schedule %s\n", scenario->name, kfp_designs[design]->name,
		schedule);
	kfp_trace_print_text(&trace, out);
	kfp_scenario_print_reports(&state.world.reports, "", out);
	if (reports)
		*reports = state.world.reports;
	for (i = 0; i < scenario->nr_results; i++) {
		char label[2 * KFP_NAME_LEN + 2];

		fprintf(out, "%s = %#llx (%s)\n",
			result_label(scenario, (int)i, label, sizeof(label)),
			(unsigned long long)state.value[i], kfp_outcome_name(state.outcome[i]));
	}
out_release:
	kfp_trace_release(&trace);
	return ret;
}
