// SPDX-License-Identifier: GPL-2.0
/*
 * Host paths that race each other, explored over every interleaving
 * (no KVM: two host threads on one mm).  Where a race needs one thread to
 * block on the other (a lock, or a lookup spinning on a frozen folio), a
 * hand-driven trigger cannot show it; the explorer can.
 *
 *   fault vs reclaim:  folio_try_get() fails on a folio reclaim froze
 *                      (folio_ref_freeze()), and a reference the fault
 *                      holds makes the freeze fail (mm/vmscan.c
 *                      __remove_mapping(), mm/filemap.c filemap_get_entry())
 *   fault vs revoke:   vfio's memory_lock held across the enabled check
 *                      and the insert (drivers/vfio/pci/vfio_pci_core.c
 *                      vfio_pci_mmap_huge_fault(),
 *                      vfio_pci_zap_and_down_write_memory_lock())
 *
 * Every execution ends with the ledger checked and the outcome recorded
 * in counters outside the explored state.
 */
#include <string.h>

#include <kfp/explore.h>

#include "../lib/mm_fixture.h"

#define ADDR PG(16)

struct mm_race {
	struct kfp_mm mm;
	struct kfp_reports reports;
	int object;
	int ret[2];
	u64 value;
};

static struct mm_race mm_race;
static struct kfp_explore_result result;

/* Per-execution outcomes, counted across the whole exploration. */
static struct {
	unsigned int executions, bad_value, bad_ledger, retried, frozen_lookup, kept,
		mapped_released, sigbus, faulted_in;
} seen;

static void host_read_thread(void *state, void *arg)
{
	struct mm_race *s = state;

	(void)arg;
	s->ret[0] = kfp_host_read(&s->mm, ADDR, &s->value);
}

static void reclaim_thread(void *state, void *arg)
{
	struct mm_race *s = state;

	(void)arg;
	s->ret[1] = kfp_reclaim(&s->mm, ADDR, PAGE_SIZE);
}

static void zap_thread(void *state, void *arg)
{
	struct mm_race *s = state;

	(void)arg;
	s->ret[0] = kfp_madvise_dontneed(&s->mm, ADDR, PAGE_SIZE);
}

static void revoke_thread(void *state, void *arg)
{
	struct mm_race *s = state;

	(void)arg;
	s->ret[1] = kfp_driver_revoke(&s->mm, s->object);
}

static void count_common(struct mm_race *s)
{
	seen.executions++;
	if (kfp_ledger_check(&s->mm) || kfp_ledger_owner_holds(&s->mm, KFP_OWNER_FAULT))
		seen.bad_ledger++;
	if (s->mm.stats.nr_lookup_retries)
		seen.retried++;
}

static void reclaim_at_end(void *state, void *arg)
{
	struct mm_race *s = state;
	const struct kfp_pte *pte = &s->mm.pte[ADDR >> PAGE_SHIFT];

	(void)arg;
	count_common(s);
	if (s->ret[0] || s->value != 7) {
		kfp_test_diag("ret %d value %llx frees %u", s->ret[0], (unsigned long long)s->value,
			      s->mm.stats.nr_frees);
		seen.bad_value++;
	}
	if (s->mm.stats.nr_lookup_retries)
		seen.frozen_lookup++;
	/* the freeze failed on the fault's reference: the folio was never freed */
	if (!s->mm.stats.nr_frees && pte->kind == KFP_PTE_PRESENT)
		seen.kept++;
	/* the folio was freed and the fault read the entry back from swap */
	if (s->mm.stats.nr_frees && pte->kind == KFP_PTE_PRESENT)
		seen.faulted_in++;
}

static void zap_at_end(void *state, void *arg)
{
	struct mm_race *s = state;

	(void)arg;
	count_common(s);
	/* nothing maps the page or its swap entry any more: it must be free */
	if (s->ret[0] || s->mm.pte[ADDR >> PAGE_SHIFT].kind != KFP_PTE_NONE ||
	    !kfp_page_is_free(&s->mm, 2))
		seen.bad_value++;
	if (s->mm.stats.nr_frees)
		seen.kept++;
}

static void revoke_at_end(void *state, void *arg)
{
	struct mm_race *s = state;
	kfp_pfn_t pfn;
	bool writable;

	(void)arg;
	count_common(s);
	if (kfp_host_translate(&s->mm, ADDR, &pfn, &writable) &&
	    (s->mm.page[pfn].flags & PG_released))
		seen.mapped_released++;
	if (s->ret[0] == -EFAULT)
		seen.sigbus++;
	else if (s->ret[0] || s->value != 5)
		seen.bad_value++;
}

static void explore2(void (*first)(void *, void *), void (*other)(void *, void *),
		     void (*at_end)(void *, void *))
{
	struct kfp_explore_options options = { .preemption_bound = -1 };
	struct kfp_program program;
	unsigned int p;

	memset(&program, 0, sizeof(program));
	program.state = &mm_race;
	program.state_size = sizeof(mm_race);
	program.reports = &mm_race.reports;
	program.nr_threads = 2;
	strcpy(program.thread[0].name, "first");
	program.thread[0].fn = first;
	strcpy(program.thread[1].name, "other");
	program.thread[1].fn = other;
	program.at_end = at_end;
	memset(&seen, 0, sizeof(seen));
	mm_race.mm.stats.nr_frees = 0;
	mm_race.mm.stats.nr_lookup_retries = 0;
	mm_race.mm.stats.nr_fault_backouts = 0;
	kfp_reports_init(&mm_race.reports);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	kfp_seam_use_sequential(test_reports());
	kfp_test_diag("%llu executions", (unsigned long long)result.executions);
	ASSERT_TRUE(result.complete);
	ASSERT_EQ(result.deadlocks, 0);
	ASSERT_EQ(seen.executions, result.executions);
	for (p = 0; p < result.counterexample_reports.count; p++) {
		const struct kfp_report *r = &result.counterexample_reports.report[p];

		kfp_test_diag("%s: %s (%s) pfn %lld owner %u, schedule %s",
			      kfp_property_name(r->property), kfp_report_kind_name(r->kind),
			      r->what, (long long)r->pfn, r->owner, result.counterexample);
	}
	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		ASSERT_EQ(result.executions_with_violation[p], 0);
	ASSERT_EQ(seen.bad_ledger, 0);
	ASSERT_EQ(seen.bad_value, 0);
}

static void explore(void (*other)(void *, void *), void (*at_end)(void *, void *))
{
	explore2(host_read_thread, other, at_end);
}

static void race_setup(void)
{
	struct kfp_mmap_args args = { ADDR, PAGE_SIZE, RW, 0, KFP_BACKING_ANON, -1, 0 };

	memset(&mm_race, 0, sizeof(mm_race));
	kfp_seam_use_sequential(&mm_race.reports);
	kfp_mm_init(&mm_race.mm);
	ASSERT_EQ(kfp_mmap(&mm_race.mm, &args), 0);
}

/*
 * The page is mapped; reclaim unmaps it into a swap entry.  A read that
 * faults on the entry either grabs the swap-cache folio before the freeze
 * (the freeze fails, the folio is kept and mapped again), or finds it
 * frozen (folio_try_get() fails, the lookup waits for the swap-cache slot
 * to change, then reads the entry back from swap).  The read sees 7
 * either way, and nobody is left holding a reference.
 */
TEST(explore_fault_vs_reclaim_lookup_retries_on_frozen_folio)
{
	race_setup();
	ASSERT_EQ(kfp_host_write(&mm_race.mm, ADDR, 7), 0);
	explore(reclaim_thread, reclaim_at_end);
	ASSERT_GT(seen.frozen_lookup, 0);
	ASSERT_GT(seen.kept, 0);
	ASSERT_GT(seen.faulted_in, 0);
}

/*
 * The BAR is mapped without populate, so the read takes the driver's
 * fault.  With memory_lock the insert happens before the revoke's zap
 * (which removes it; the read saw the memory) or the handler sees the
 * memory released and the read gets SIGBUS.  No pte maps released memory
 * at the end.
 */
TEST(explore_driver_fault_vs_revoke_never_maps_released_memory)
{
	struct kfp_mmap_args args = {
		ADDR, PAGE_SIZE, RW, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, 0, 0
	};

	memset(&mm_race, 0, sizeof(mm_race));
	kfp_seam_use_sequential(&mm_race.reports);
	kfp_mm_init(&mm_race.mm);
	mm_race.object = kfp_memory_object_create(&mm_race.mm, KFP_OBJECT_DEVICE_MMIO, 1);
	ASSERT_EQ(mm_race.object, 0);
	kfp_pfn_write(&mm_race.mm, mm_race.mm.object[0].pfn[0], 5);
	ASSERT_EQ(kfp_mmap(&mm_race.mm, &args), 0);
	ASSERT_EQ(mm_race.mm.pte[ADDR >> PAGE_SHIFT].kind, KFP_PTE_NONE);
	explore(revoke_thread, revoke_at_end);
	ASSERT_EQ(seen.mapped_released, 0);
	ASSERT_GT(seen.sigbus, 0);
	ASSERT_LT(seen.sigbus, seen.executions);
}

/*
 * MADV_DONTNEED zaps the page while reclaim unmaps it: reclaim's rmap walk
 * ran before the zap, so try_to_unmap_one() must find the pte gone (and
 * not put the mapping's reference a second time), and a swap entry zapped
 * after the freeze must leave the frozen folio to reclaim
 * (free_swap_and_cache()).  Whatever the order, the page ends free and
 * every count balanced.
 */
TEST(explore_zap_vs_reclaim_frees_the_page_once)
{
	race_setup();
	ASSERT_EQ(kfp_host_write(&mm_race.mm, ADDR, 7), 0);
	ASSERT_EQ(mm_race.mm.pte[ADDR >> PAGE_SHIFT].pfn, 2);
	explore2(zap_thread, reclaim_thread, zap_at_end);
	ASSERT_EQ(seen.kept, seen.executions);
}
