// SPDX-License-Identifier: GPL-2.0
/*
 * mmu notifiers (mm/mmu_notifier.c): register/unregister and their limits,
 * the start/end contract every host operation keeps, and mm teardown
 * (exit_mmap: release first, then unmap with nobody listening).
 *
 * Pictures: one column per page, as test_draw() prints them.
 *   W/R writable/read-only page, P/p special pte, s swap, . none; [ ] a VMA.
 */
#include "../lib/mm_fixture.h"

#define RW (PROT_READ | PROT_WRITE)

/* A second kind of subscriber: remembers what the world looked like. */
struct probe {
	unsigned int starts, ends, releases;
	u64 watch; /* an hva whose pte and page are sampled */
	kfp_pfn_t watch_pfn;
	bool present_at_start, page_live_at_start, present_at_release;
	unsigned int ptes_at_release;
};

static int probe_log[16];
static unsigned int probe_log_nr;

static void probe_note(struct probe *p, int id)
{
	(void)p;
	if (probe_log_nr < ARRAY_SIZE(probe_log))
		probe_log[probe_log_nr++] = id;
}

static unsigned int present_ptes(struct kfp_mm *mm)
{
	unsigned int vpn, n = 0;

	for (vpn = 1; vpn < KFP_NR_VPAGES; vpn++)
		n += mm->pte[vpn].kind != KFP_PTE_NONE;
	return n;
}

static int probe_start(struct kfp_mm *mm, void *private, const struct mmu_notifier_range *range)
{
	struct probe *p = private;
	kfp_pfn_t pfn;
	bool writable;

	(void)range;
	p->starts++;
	probe_note(p, p->watch_pfn == KFP_PFN_NONE ? 2 : 1);
	p->present_at_start = kfp_host_translate(mm, p->watch, &pfn, &writable);
	p->page_live_at_start = p->watch_pfn != KFP_PFN_NONE && !kfp_page_is_free(mm, p->watch_pfn);
	return 0;
}

static void probe_end(struct kfp_mm *mm, void *private, const struct mmu_notifier_range *range)
{
	struct probe *p = private;

	(void)mm;
	(void)range;
	p->ends++;
}

static void probe_release(struct kfp_mm *mm, void *private)
{
	struct probe *p = private;
	kfp_pfn_t pfn;
	bool writable;

	p->releases++;
	p->present_at_release = kfp_host_translate(mm, p->watch, &pfn, &writable);
	p->ptes_at_release = present_ptes(mm);
}

static const struct mmu_notifier_ops probe_ops = {
	.release = probe_release,
	.invalidate_range_start = probe_start,
	.invalidate_range_end = probe_end,
};

static const struct mmu_notifier_ops release_only_ops = {
	.release = probe_release,
};

static void probe_init(struct probe *p, u64 watch)
{
	*p = (struct probe){ .watch = watch, .watch_pfn = KFP_PFN_NONE };
	probe_log_nr = 0;
}

/* ---- register / unregister ----------------------------------------------------- */

TEST(notifier_register_beyond_the_subscriber_limit_is_enomem)
{
	struct kfp_mm *mm = test_mm();
	struct probe p[KFP_MAX_SUBSCRIBERS + 1];
	unsigned int i;

	for (i = 0; i <= KFP_MAX_SUBSCRIBERS; i++)
		probe_init(&p[i], PG(16));
	for (i = 0; i < KFP_MAX_SUBSCRIBERS; i++)
		ASSERT_EQ(mmu_notifier_register(mm, &probe_ops, &p[i]), 0);
	ASSERT_EQ(mmu_notifier_register(mm, &probe_ops, &p[KFP_MAX_SUBSCRIBERS]), -ENOMEM);
	ASSERT_EQ(mm->nr_subscribers, KFP_MAX_SUBSCRIBERS);
	test_mmap(PG(16), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	/* [W] -> . : every registered subscriber hears the unmap, the refused one not */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(1)), 0);
	for (i = 0; i < KFP_MAX_SUBSCRIBERS; i++) {
		ASSERT_EQ(p[i].starts, 1);
		ASSERT_EQ(p[i].ends, 1);
	}
	ASSERT_EQ(p[KFP_MAX_SUBSCRIBERS].starts, 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(notifier_subscribers_are_called_in_registration_order)
{
	struct kfp_mm *mm = test_mm();
	struct probe a, b;

	probe_init(&a, PG(16));
	probe_init(&b, PG(16));
	a.watch_pfn = 0; /* logs as 1 */
	ASSERT_EQ(mmu_notifier_register(mm, &probe_ops, &a), 0);
	ASSERT_EQ(mmu_notifier_register(mm, &probe_ops, &b), 0);
	test_mmap(PG(16), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_madvise_dontneed(mm, PG(16), PG(1)), 0);
	ASSERT_EQ(probe_log_nr, 2);
	ASSERT_EQ(probe_log[0], 1);
	ASSERT_EQ(probe_log[1], 2);
	ASSERT_EQ(a.ends, 1);
	ASSERT_EQ(b.ends, 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(notifier_unregister_calls_release_and_stops_further_calls)
{
	struct kfp_mm *mm = test_mm();
	struct probe p;

	probe_init(&p, PG(16));
	ASSERT_EQ(mmu_notifier_register(mm, &probe_ops, &p), 0);
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	/* [W.]: mm/mmu_notifier.c mmu_notifier_unregister() calls ->release */
	test_draw(PG(16), PG(18));
	mmu_notifier_unregister(mm, &p);
	ASSERT_EQ(p.releases, 1);
	ASSERT_TRUE(p.present_at_release);
	ASSERT_EQ(mm->nr_subscribers, 0);
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(2)), 0);
	ASSERT_EQ(p.starts, 0);
	ASSERT_EQ(p.ends, 0);
	ASSERT_EQ(p.releases, 1);
	/* the mm still counts its invalidations */
	ASSERT_EQ(mm->stats.nr_invalidate_start, 1);
	ASSERT_EQ(mm->stats.nr_release, 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(notifier_unregister_keeps_the_other_subscribers)
{
	struct kfp_mm *mm = test_mm();
	struct probe a, b, c;

	probe_init(&a, PG(16));
	probe_init(&b, PG(16));
	probe_init(&c, PG(16));
	ASSERT_EQ(mmu_notifier_register(mm, &probe_ops, &a), 0);
	ASSERT_EQ(mmu_notifier_register(mm, &probe_ops, &b), 0);
	ASSERT_EQ(mmu_notifier_register(mm, &probe_ops, &c), 0);
	mmu_notifier_unregister(mm, &b);
	/* unknown subscriber: nothing happens */
	mmu_notifier_unregister(mm, &probe_log);
	ASSERT_EQ(mm->nr_subscribers, 2);
	test_mmap(PG(16), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(1), PROT_READ), 0);
	ASSERT_EQ(a.starts, 1);
	ASSERT_EQ(b.starts, 0);
	ASSERT_EQ(c.starts, 1);
	ASSERT_EQ(c.ends, 1);
	ASSERT_EQ(a.releases + c.releases, 0);
	ASSERT_EQ(b.releases, 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(notifier_with_only_a_release_callback_is_skipped_for_invalidations)
{
	struct kfp_mm *mm = test_mm();
	struct probe p;

	probe_init(&p, PG(16));
	ASSERT_EQ(mmu_notifier_register(mm, &release_only_ops, &p), 0);
	test_subscribe();
	test_mmap(PG(16), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(1)), 0);
	ASSERT_EQ(test_notifier()->nr, 2);
	ASSERT_EQ(p.starts, 0);
	kfp_mm_teardown(mm);
	ASSERT_EQ(p.releases, 1);
	ASSERT_EQ(test_notifier()->nr, 3);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(notifier_start_runs_while_the_pte_and_the_page_are_still_there)
{
	struct kfp_mm *mm = test_mm();
	struct probe p;

	test_mmap(PG(16), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	probe_init(&p, PG(16));
	p.watch_pfn = test_pte_pfn(PG(16));
	ASSERT_EQ(mmu_notifier_register(mm, &probe_ops, &p), 0);
	/* [W] -> . : at start the pte maps the page and the page is live */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(1)), 0);
	ASSERT_EQ(p.starts, 1);
	ASSERT_TRUE(p.present_at_start);
	ASSERT_TRUE(p.page_live_at_start);
	ASSERT_TRUE(kfp_page_is_free(mm, p.watch_pfn));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(notifier_starts_and_ends_balance_across_every_host_operation)
{
	struct kfp_mm *mm = test_mm();
	int mmio = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	struct notifier_log *log;
	unsigned int i, depth = 0;

	test_subscribe();
	test_mmap(PG(16), 4, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_mmap(PG(32), 1, RW, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_PFNMAP, mmio, 0);
	test_write(PG(16), 0);
	test_write(PG(17), 1);
	test_write(PG(18), 2);
	test_write(PG(19), 3);
	/* [WWWW] ... [P] */
	test_draw(PG(16), PG(20));
	ASSERT_EQ(kfp_ksm_merge(mm, PG(16)), 0);
	ASSERT_EQ(kfp_migrate_page(mm, PG(17)), 0);
	ASSERT_EQ(kfp_reclaim(mm, PG(18), PG(1)), 1);
	ASSERT_EQ(kfp_fork(mm), 0);
	ASSERT_EQ(kfp_mprotect(mm, PG(19), PG(1), PROT_READ), 0);
	ASSERT_EQ(kfp_mremap(mm, PG(16), PG(3), PG(64)), 0);
	ASSERT_EQ(kfp_driver_revoke(mm, mmio), 0);
	ASSERT_EQ(kfp_munmap(mm, PG(64), PG(3)), 0);
	ASSERT_EQ(kfp_munmap(mm, PG(19), PG(1)), 0);
	log = test_notifier();
	ASSERT_EQ(log->nr, 20);
	for (i = 0; i < log->nr; i++) {
		if (log->call[i].what == 's')
			depth++;
		else
			depth--;
		ASSERT_LE(depth, 1);
		ASSERT_LT(log->call[i].start, log->call[i].end);
	}
	ASSERT_EQ(depth, 0);
	ASSERT_EQ(mm->stats.nr_invalidate_start, mm->stats.nr_invalidate_end);
	ASSERT_EQ(mm->active_invalidations, 0);
	/* the child shared the migrated page and the mprotected one */
	ASSERT_EQ(kfp_child_exit(mm), 2);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_SWAP_CACHE), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(notifier_end_without_start_is_reported_unbalanced)
{
	struct kfp_mm *mm = test_mm();
	struct mmu_notifier_range range = { PG(16), PG(17), MMU_NOTIFY_CLEAR, 1 };

	test_subscribe();
	mmu_notifier_invalidate_range_start(mm, &range);
	ASSERT_EQ(mm->active_invalidations, 1);
	mmu_notifier_invalidate_range_end(mm, &range);
	ASSERT_EQ(test_reports()->count, 0);
	mmu_notifier_invalidate_range_end(mm, &range);
	ASSERT_EQ(mm->active_invalidations, -1);
	ASSERT_REPORTED(KFP_REPORT_UNBALANCED);
	ASSERT_EQ(test_notifier()->nr, 3);
	ASSERT_EQ(test_notifier()->call[2].what, 'e');
	ASSERT_LEDGER_CLEAN();
}

/* ---- mm teardown --------------------------------------------------------------- */

TEST(teardown_calls_release_first_and_then_no_notifier_calls)
{
	struct kfp_mm *mm = test_mm();
	struct probe p;

	test_subscribe();
	probe_init(&p, PG(16));
	ASSERT_EQ(mmu_notifier_register(mm, &probe_ops, &p), 0);
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	test_write(PG(17), 2);
	/* before: [WW]   after: .. and no VMA */
	test_draw(PG(16), PG(18));
	kfp_mm_teardown(mm);
	test_draw(PG(16), PG(18));
	ASSERT_EQ(test_notifier()->nr, 1);
	ASSERT_EQ(test_notifier()->call[0].what, 'r');
	ASSERT_EQ(test_notifier()->call[0].event, MMU_NOTIFY_RELEASE);
	/* release ran while everything was still mapped */
	ASSERT_EQ(p.releases, 1);
	ASSERT_TRUE(p.present_at_release);
	ASSERT_EQ(p.ptes_at_release, 2);
	ASSERT_EQ(p.starts, 0);
	ASSERT_EQ(p.ends, 0);
	ASSERT_EQ(mm->stats.nr_release, 1);
	ASSERT_EQ(mm->nr_subscribers, 0);
	ASSERT_TRUE(mm->dead);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(teardown_unmaps_everything_and_drops_page_table_references)
{
	struct kfp_mm *mm = test_mm();
	int file = test_object(KFP_OBJECT_FILE, 1);
	int drv = test_object(KFP_OBJECT_DRIVER_PAGES, 1);
	int mmio = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	kfp_pfn_t anon, cache, swapped, driver = mm->object[drv].pfn[0];
	unsigned int i;

	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_mmap(PG(20), 1, PROT_READ, KFP_MAP_SHARED, KFP_BACKING_FILE, file, 0);
	test_mmap(PG(24), 1, RW, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_MIXEDMAP, drv, 0);
	test_mmap(PG(28), 1, RW, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_PFNMAP, mmio, 0);
	test_write(PG(16), 1);
	test_write(PG(17), 2);
	ASSERT_EQ(test_read(PG(20)), 0);
	anon = test_pte_pfn(PG(16));
	swapped = test_pte_pfn(PG(17));
	cache = test_pte_pfn(PG(20));
	get_page(mm, swapped, KFP_OWNER_HOST_GUP);
	ASSERT_EQ(kfp_reclaim(mm, PG(17), PG(1)), 1);
	/* [Ws] [R] [W] [P]: a page, a swap-cache entry, page cache, driver, device */
	test_draw(PG(16), PG(18));
	kfp_mm_teardown(mm);
	test_draw(PG(16), PG(18));
	for (i = 1; i < KFP_NR_VPAGES; i++)
		ASSERT_EQ(mm->pte[i].kind, KFP_PTE_NONE);
	for (i = 0; i < KFP_MAX_VMAS; i++)
		ASSERT_FALSE(mm->vma[i].in_use);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_SWAP_CACHE), 0);
	ASSERT_TRUE(kfp_page_is_free(mm, anon));
	ASSERT_EQ(page_count(mm, swapped), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, swapped, KFP_OWNER_HOST_GUP), 1);
	ASSERT_EQ(page_count(mm, cache), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, cache, KFP_OWNER_PAGE_CACHE), 1);
	ASSERT_EQ(page_count(mm, driver), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, driver, KFP_OWNER_DRIVER), 1);
	ASSERT_EQ(mm->active_invalidations, 0);
	put_page(mm, swapped, KFP_OWNER_HOST_GUP);
	ASSERT_TRUE(kfp_page_is_free(mm, swapped));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(teardown_twice_releases_once)
{
	struct kfp_mm *mm = test_mm();

	test_subscribe();
	test_mmap(PG(16), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_draw(PG(16), PG(17));
	kfp_mm_teardown(mm);
	kfp_mm_teardown(mm);
	ASSERT_EQ(mm->stats.nr_release, 1);
	ASSERT_EQ(test_notifier()->nr, 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(unregister_after_teardown_does_not_release_again)
{
	struct kfp_mm *mm = test_mm();
	struct probe p;

	probe_init(&p, PG(16));
	ASSERT_EQ(mmu_notifier_register(mm, &probe_ops, &p), 0);
	kfp_mm_teardown(mm);
	ASSERT_EQ(p.releases, 1);
	/* KVM's kvm_destroy_vm() unregisters after the process exited */
	mmu_notifier_unregister(mm, &p);
	ASSERT_EQ(p.releases, 1);
	ASSERT_EQ(mm->nr_subscribers, 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mmu_notifier_release_unhooks_every_subscriber)
{
	struct kfp_mm *mm = test_mm();
	struct mmu_notifier_range range = { PG(16), PG(17), MMU_NOTIFY_CLEAR, 1 };
	struct probe p;

	probe_init(&p, PG(16));
	ASSERT_EQ(mmu_notifier_register(mm, &probe_ops, &p), 0);
	test_subscribe();
	mmu_notifier_release(mm);
	ASSERT_EQ(p.releases, 1);
	ASSERT_EQ(test_notifier()->nr, 1);
	ASSERT_EQ(mm->nr_subscribers, 0);
	mmu_notifier_invalidate_range_start(mm, &range);
	mmu_notifier_invalidate_range_end(mm, &range);
	ASSERT_EQ(p.starts, 0);
	ASSERT_EQ(test_notifier()->nr, 1);
	ASSERT_EQ(mm->active_invalidations, 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(a_dead_mm_refuses_mmap_fork_and_new_subscribers)
{
	struct kfp_mm *mm = test_mm();
	struct kfp_mmap_args args = {
		.addr = PG(16),
		.len = PG(1),
		.prot = RW,
		.backing = KFP_BACKING_ANON,
		.object = -1,
	};
	struct probe p;

	probe_init(&p, PG(16));
	kfp_mm_teardown(mm);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_mmap(mm, &args), -EINVAL);
	ASSERT_EQ(kfp_fork(mm), -EINVAL);
	ASSERT_EQ(mmu_notifier_register(mm, &probe_ops, &p), -EINVAL);
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(1)), 0);
	ASSERT_TRUE(vma_lookup(mm, PG(16)) == NULL);
	ASSERT_EQ(mm->nr_subscribers, 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}
