// SPDX-License-Identifier: GPL-2.0
/*
 * Running a scenario: build the world its setup describes, turn each of
 * its threads into an explorer thread that performs its operations in
 * order, explore under one design, and evaluate the expectations written
 * for that design.
 *
 * Value and outcome expectations are judged per execution, in the
 * program's at_end hook, and accumulated outside the world (which the
 * explorer restores before every execution).
 */
#include <stdlib.h>
#include <string.h>

#include <kfp/scenario.h>

/* The explorer's state: everything an execution may change. */
struct scenario_state {
	struct kfp_world world;
	u64 value[KFP_SCENARIO_MAX_RESULTS];
	u8 outcome[KFP_SCENARIO_MAX_RESULTS];
	s8 object_id[KFP_SCENARIO_MAX_OBJECTS]; /* scenario object -> mm object */
};

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
	u32 outcomes_seen[KFP_SCENARIO_MAX_RESULTS];
	struct kfp_scenario_seen seen;
	struct kfp_scenario_price price;
	FILE *trace;
};

/* per OS thread: kfp check --jobs runs a scenario on each */
static _Thread_local struct scenario_state state;
static _Thread_local struct runner runner;

static u8 outcome_of_errno(long ret)
{
	switch (ret) {
	case 0:
		return KFP_OUTCOME_OK;
	case -EFAULT:
		return KFP_OUTCOME_EFAULT;
	case -EINTR:
		return KFP_OUTCOME_EINTR;
	case -EINVAL:
		return KFP_OUTCOME_EINVAL;
	case -EBUSY:
		return KFP_OUTCOME_EBUSY;
	case -EAGAIN:
		return KFP_OUTCOME_EAGAIN;
	case -ENOMEM:
		return KFP_OUTCOME_ENOMEM;
	case -EEXIST:
		return KFP_OUTCOME_EEXIST;
	case -ENODEV:
		return KFP_OUTCOME_ENODEV;
	case -EIO:
		return KFP_OUTCOME_EIO;
	case -EHWPOISON:
		return KFP_OUTCOME_HWPOISON;
	default:
		return ret > 0 ? KFP_OUTCOME_OK : KFP_OUTCOME_OTHER;
	}
}

static u8 outcome_of_kvm(enum kvm_outcome outcome)
{
	static const u8 map[KVM_NR_OUTCOMES] = {
		[KVM_OUTCOME_OK] = KFP_OUTCOME_OK,
		[KVM_OUTCOME_EFAULT] = KFP_OUTCOME_EFAULT,
		[KVM_OUTCOME_MMIO] = KFP_OUTCOME_MMIO,
		[KVM_OUTCOME_HWPOISON] = KFP_OUTCOME_HWPOISON,
		[KVM_OUTCOME_EINTR] = KFP_OUTCOME_EINTR,
		[KVM_OUTCOME_EINVAL] = KFP_OUTCOME_EINVAL,
	};

	return (unsigned int)outcome < KVM_NR_OUTCOMES ? map[outcome] : KFP_OUTCOME_OTHER;
}

/* The error pfns of a direct lookup, as outcomes. */
static u8 outcome_of_pfn(kfp_pfn_t pfn)
{
	if (pfn == KVM_PFN_NOSLOT || pfn == KVM_PFN_ERR_RO_FAULT)
		return KFP_OUTCOME_MMIO;
	if (pfn == KVM_PFN_ERR_HWPOISON)
		return KFP_OUTCOME_HWPOISON;
	if (pfn == KVM_PFN_ERR_SIGPENDING)
		return KFP_OUTCOME_EINTR;
	if (pfn == KVM_PFN_ERR_NEEDS_IO)
		return KFP_OUTCOME_EAGAIN;
	if (is_error_noslot_pfn(pfn))
		return KFP_OUTCOME_EFAULT;
	return KFP_OUTCOME_OK;
}

/* ---- operations ----------------------------------------------------------- */

/*
 * A direct kvm_follow_pfn() from vCPU context (the lookup every caller
 * shares), and the release of whatever it returned.
 */
static u8 op_lookup(struct kvm *kvm, struct kvm_vcpu *vcpu, const struct kfp_op *op, u64 *value)
{
	kfp_pfn_t page = KFP_PFN_NONE, pfn;
	struct kvm_memory_slot *slot, copy;
	struct kvm_follow_pfn kfp = {
		.gfn = op->gfn,
		.flags = ((op->flags & KFP_OPF_WRITE) ? FOLL_WRITE : 0) |
			 ((op->flags & KFP_OPF_NOWAIT) ? FOLL_NOWAIT : 0) |
			 ((op->flags & KFP_OPF_INTERRUPTIBLE) ? FOLL_INTERRUPTIBLE : 0),
		.pin = op->flags & KFP_OPF_PIN,
		.refcounted_page = &page,
		.owner = vcpu->page_owner,
	};

	kvm_srcu_read_lock(kvm);
	slot = __gfn_to_memslot(kvm, vcpu->in_smm, op->gfn);
	if (slot) {
		copy = *slot;
		kfp.slot = &copy;
	}
	pfn = kvm_follow_pfn(kvm, &kfp);
	kvm_srcu_read_unlock(kvm);
	if (page != KFP_PFN_NONE) {
		if (kfp.pin)
			unpin_user_page(kvm->mm, page, vcpu->page_owner);
		else
			kvm_release_page_unused(kvm, page, vcpu->page_owner);
	}
	if (!is_error_noslot_pfn(pfn))
		*value = pfn;
	return outcome_of_pfn(pfn);
}

static u8 run_vcpu_op(struct scenario_state *s, unsigned int thread, const struct kfp_op *op,
		      u64 *value)
{
	const struct kfp_scenario_thread *t = &runner.scenario->thread[thread];
	struct kvm *kvm = &s->world.kvm;
	struct kvm_vcpu *vcpu = &kvm->vcpu[t->vcpu];
	u64 v = op->value;
	u8 outcome;

	switch (op->kind) {
	case KFP_OP_GUEST_READ:
		outcome = outcome_of_kvm(kvm_guest_access(kvm, vcpu, op->gfn, false, value));
		break;
	case KFP_OP_GUEST_WRITE:
		outcome = outcome_of_kvm(kvm_guest_access(kvm, vcpu, op->gfn, true, &v));
		break;
	case KFP_OP_LOOKUP:
		outcome = op_lookup(kvm, vcpu, op, value);
		break;
	case KFP_OP_VCPU_MAP:
		outcome = outcome_of_errno(kvm_vcpu_map(kvm, vcpu, op->gfn, op->index,
							!(op->flags & KFP_OPF_READONLY)));
		break;
	case KFP_OP_MAP_READ:
		outcome = outcome_of_kvm(kvm_vcpu_map_access(kvm, vcpu, op->index, false, value));
		break;
	case KFP_OP_MAP_WRITE:
		outcome = outcome_of_kvm(kvm_vcpu_map_access(kvm, vcpu, op->index, true, &v));
		break;
	case KFP_OP_VCPU_UNMAP:
		kvm_vcpu_unmap(kvm, vcpu, op->index);
		outcome = KFP_OUTCOME_OK;
		break;
	case KFP_OP_GFN_TO_PAGE:
		outcome = outcome_of_errno(
			kvm_gfn_to_page(kvm, vcpu, op->gfn, op->flags & KFP_OPF_WRITE));
		break;
	case KFP_OP_PAGE_READ:
		outcome = outcome_of_kvm(kvm_page_access(kvm, vcpu, false, value));
		break;
	case KFP_OP_PAGE_WRITE:
		outcome = outcome_of_kvm(kvm_page_access(kvm, vcpu, true, &v));
		break;
	case KFP_OP_PAGE_RELEASE:
		outcome = vcpu->page == KFP_PFN_NONE ? KFP_OUTCOME_EINVAL : KFP_OUTCOME_OK;
		if (vcpu->page != KFP_PFN_NONE)
			kvm_gfn_to_page_release(kvm, vcpu, op->flags & KFP_OPF_DIRTY);
		break;
	case KFP_OP_GPC_ACTIVATE:
		outcome = outcome_of_errno(kvm_gpc_activate(kvm, op->index, op->addr, sizeof(u64)));
		break;
	case KFP_OP_GPC_REFRESH:
		outcome = outcome_of_errno(kvm_gpc_refresh(kvm, op->index, sizeof(u64)));
		break;
	case KFP_OP_GPC_READ:
		outcome = outcome_of_kvm(kvm_gpc_access(kvm, op->index, false, value));
		break;
	case KFP_OP_GPC_WRITE:
		outcome = outcome_of_kvm(kvm_gpc_access(kvm, op->index, true, &v));
		break;
	case KFP_OP_GPC_DEACTIVATE:
		kvm_gpc_deactivate(kvm, op->index);
		outcome = KFP_OUTCOME_OK;
		break;
	case KFP_OP_ENTER_SMM:
	case KFP_OP_LEAVE_SMM:
		/* arch/x86/kvm/smm.c enter_smm()/rsm: the vCPU's memslots are address space 1 in SMM */
		vcpu->in_smm = op->kind == KFP_OP_ENTER_SMM;
		outcome = KFP_OUTCOME_OK;
		break;
	default:
		outcome = KFP_OUTCOME_OTHER;
		break;
	}
	/* KVM_RUN returned -EINTR: userspace takes the signal before running again */
	if (outcome == KFP_OUTCOME_EINTR)
		kfp_signal_delivered(kvm->mm, (int)thread);
	return outcome;
}

static long op_mmap(struct scenario_state *s, const struct kfp_op *op)
{
	struct kfp_mmap_args args = {
		.addr = op->addr,
		.len = op->count << PAGE_SHIFT,
		.prot = op->prot,
		.flags = op->map_flags,
		.backing = (enum kfp_backing)op->backing,
		.object = op->object >= 0 ? s->object_id[op->object] : -1,
		.pgoff = (u32)op->value,
	};

	return kfp_mmap(&s->world.mm, &args);
}

static long op_poison(struct scenario_state *s, const struct kfp_op *op)
{
	kfp_pfn_t pfn;
	bool writable;

	if (!kfp_host_translate(&s->world.mm, op->addr, &pfn, &writable))
		return -EINVAL;
	return kfp_memory_failure(&s->world.mm, pfn);
}

static long op_memslot(struct scenario_state *s, const struct kfp_op *op)
{
	u32 flags = ((op->flags & KFP_OPF_READONLY) ? KVM_MEM_READONLY : 0) |
		    ((op->flags & KFP_OPF_LOG_DIRTY) ? KVM_MEM_LOG_DIRTY_PAGES : 0);

	if (op->flags & KFP_OPF_DELETE)
		return kvm_set_memory_region(&s->world.kvm, op->as_id, op->index, 0, 0, 0, 0);
	return kvm_set_memory_region(&s->world.kvm, op->as_id, op->index, flags, op->gfn, op->count,
				     op->addr);
}

static u8 run_host_op(struct scenario_state *s, const struct kfp_op *op, u64 *value)
{
	struct kfp_mm *mm = &s->world.mm;
	u64 len = op->count << PAGE_SHIFT;
	long ret;

	switch (op->kind) {
	case KFP_OP_MMAP:
		ret = op_mmap(s, op);
		break;
	case KFP_OP_MUNMAP:
		ret = kfp_munmap(mm, op->addr, len);
		break;
	case KFP_OP_MPROTECT:
		ret = kfp_mprotect(mm, op->addr, len, op->prot);
		break;
	case KFP_OP_MADVISE_DONTNEED:
		ret = kfp_madvise_dontneed(mm, op->addr, len);
		break;
	case KFP_OP_MREMAP:
		ret = kfp_mremap(mm, op->addr, len, op->addr2);
		break;
	case KFP_OP_MIGRATE:
		ret = kfp_migrate_page(mm, op->addr);
		break;
	case KFP_OP_RECLAIM:
		ret = kfp_reclaim(mm, op->addr, len);
		break;
	case KFP_OP_FORK:
		ret = kfp_fork(mm);
		break;
	case KFP_OP_CHILD_EXIT:
		ret = kfp_child_exit(mm);
		break;
	case KFP_OP_KSM_MERGE:
		ret = kfp_ksm_merge(mm, op->addr);
		break;
	case KFP_OP_REVOKE:
		ret = kfp_driver_revoke(mm, s->object_id[op->object]);
		break;
	case KFP_OP_HOST_READ:
		ret = kfp_host_read(mm, op->addr, value);
		break;
	case KFP_OP_HOST_WRITE:
		ret = kfp_host_write(mm, op->addr, op->value);
		break;
	case KFP_OP_POISON:
		ret = op_poison(s, op);
		break;
	case KFP_OP_SIGNAL:
		kfp_send_signal(mm, op->thread, op->flags & KFP_OPF_FATAL);
		ret = 0;
		break;
	case KFP_OP_MEMSLOT:
		ret = op_memslot(s, op);
		break;
	case KFP_OP_VM_TEARDOWN:
		kvm_destroy_vm(&s->world.kvm);
		ret = 0;
		break;
	case KFP_OP_MM_TEARDOWN:
		kfp_mm_teardown(mm);
		ret = 0;
		break;
	default:
		ret = -EINVAL;
		break;
	}
	return outcome_of_errno(ret);
}

static bool is_vcpu_op(enum kfp_op_kind kind)
{
	return kind <= KFP_OP_LEAVE_SMM;
}

static u8 run_op(struct scenario_state *s, unsigned int thread, const struct kfp_op *op)
{
	u64 value = 0;
	u8 outcome;

	if (is_vcpu_op((enum kfp_op_kind)op->kind))
		outcome = run_vcpu_op(s, thread, op, &value);
	else
		outcome = run_host_op(s, op, &value);
	if (op->result >= 0) {
		s->value[op->result] = value;
		s->outcome[op->result] = outcome;
	}
	return outcome;
}

static void scenario_thread(void *arg_state, void *arg)
{
	struct scenario_state *s = arg_state;
	unsigned int thread = (unsigned int)(uintptr_t)arg;
	const struct kfp_scenario_thread *t = &runner.scenario->thread[thread];
	unsigned int i;

	for (i = 0; i < t->nr_ops; i++)
		run_op(s, thread, &t->op[i]);
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
				 kfp_outcome_name(outcome_of_errno(ret)));
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
	unsigned int r, p;

	for (r = 0; r < runner.scenario->nr_results; r++)
		seen_result(seen, r, s->outcome[r],
			    s->outcome[r] == KFP_OUTCOME_OK ? s->value[r] : 0, preemptions);
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		if (kfp_reports_violations(&s->world.reports, p))
			seen_take(&seen->violation[p], preemptions);
		if (kfp_reports_accepted(&s->world.reports, p))
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

/* @out's schedule: a copy of @schedule (NULL if none), with the reports of its execution. */
static void take_schedule(struct kfp_expectation_result *out, const char *schedule,
			  const struct kfp_reports *reports)
{
	if (!schedule)
		return;
	out->schedule = strdup(schedule);
	out->reports = *reports;
}

static void judge(const struct kfp_explore_result *explore, unsigned int i,
		  struct kfp_expectation_result *out)
{
	const struct kfp_expectation *x = runner.checked[i];
	const struct tally *t = &runner.tally[i];
	unsigned int p = x->property;

	memset(out, 0, sizeof(*out));
	/* what kfp merge adds up over shards */
	out->held = t->held;
	out->failed = t->failed;
	switch (x->kind) {
	case KFP_EXPECT_NEVER:
		out->met = !explore->executions_with_violation[p];
		if (!out->met) {
			snprintf(out->detail, sizeof(out->detail), "%s violated in %llu executions",
				 kfp_property_name(p),
				 (unsigned long long)explore->executions_with_violation[p]);
			take_schedule(out, explore->witness[p], &explore->witness_reports[p]);
		}
		return;
	case KFP_EXPECT_SOMETIMES:
		out->met = explore->executions_with_violation[p];
		if (out->met)
			take_schedule(out, explore->witness[p], &explore->witness_reports[p]);
		else
			snprintf(out->detail, sizeof(out->detail), "%s never violated",
				 kfp_property_name(p));
		return;
	case KFP_EXPECT_ACCEPTED:
		out->met = explore->executions_with_accepted[p] &&
			   !explore->executions_with_violation[p];
		if (explore->executions_with_violation[p]) {
			snprintf(out->detail, sizeof(out->detail), "%s violated, not only accepted",
				 kfp_property_name(p));
			take_schedule(out, explore->witness[p], &explore->witness_reports[p]);
		} else if (!out->met) {
			snprintf(out->detail, sizeof(out->detail), "no accepted %s report",
				 kfp_property_name(p));
		} else {
			take_schedule(out, explore->accepted_witness[p],
				      &explore->accepted_witness_reports[p]);
		}
		return;
	case KFP_EXPECT_SOMETIMES_VALUE:
		out->met = t->held;
		if (out->met)
			take_schedule(out, t->schedule, &t->reports);
		else
			snprintf(out->detail, sizeof(out->detail), "held in no execution");
		return;
	default:
		out->met = !t->failed;
		if (!out->met) {
			snprintf(out->detail, sizeof(out->detail), "%s (in %llu executions)",
				 t->detail, (unsigned long long)t->failed);
			take_schedule(out, t->schedule, &t->reports);
		}
		return;
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
	run->expectations_met = true;
	run->nr_expectations = runner.nr_checked;
	for (i = 0; i < runner.nr_checked; i++) {
		run->checked[i] = runner.checked[i];
		judge(&run->explore, i, &run->expectation[i]);
		if (!run->expectation[i].met)
			run->expectations_met = false;
	}
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

static void trace_step(void *arg_state, void *arg, const struct kfp_trace_step *step)
{
	struct scenario_state *s = arg_state;
	char what[160];

	(void)arg;
	describe_object(s, step->object, what, sizeof(what));
	fprintf(runner.trace, "%4u  %-8s %-7s %-32s %s%s\n", step->index,
		runner.scenario->thread[step->thread].name,
		step->is_lock ? "lock" :
		step->is_wait ? "wait" :
		step->access  ? "write" :
				"read",
		step->what ? step->what : "?", what, step->finished ? "  [thread ends]" : "");
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

int kfp_scenario_replay(const struct kfp_scenario *scenario, unsigned int design,
			const char *schedule, const struct kfp_explore_options *options, FILE *out,
			struct kfp_reports *reports)
{
	static _Thread_local struct kfp_explore_result result;
	char error[KFP_ERROR_LEN];
	struct kfp_program program;
	unsigned int i, p;
	int ret;

	ret = prepare(scenario, design, out, &program, error, sizeof(error));
	if (ret) {
		fprintf(stderr, "%s\n", error);
		return ret;
	}
	program.trace = trace_step;
	fprintf(out, "replay %s under %s, schedule %s\n", scenario->name, kfp_designs[design]->name,
		schedule);
	ret = kfp_replay_with_options(&program, schedule, options, &result);
	release_tally();
	if (ret)
		return ret;
	kfp_scenario_print_reports(&state.world.reports, "", out);
	if (reports)
		*reports = state.world.reports;
	for (i = 0; i < scenario->nr_results; i++) {
		char label[2 * KFP_NAME_LEN + 2];

		fprintf(out, "%s = %#llx (%s)\n",
			result_label(scenario, (int)i, label, sizeof(label)),
			(unsigned long long)state.value[i], kfp_outcome_name(state.outcome[i]));
	}
	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		if (result.executions_with_violation[p])
			return 1;
	return 0;
}
