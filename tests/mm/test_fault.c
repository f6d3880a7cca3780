// SPDX-License-Identifier: GPL-2.0
/*
 * Page faults on every backing (mm/fault.c): what handle_mm_fault() maps,
 * which references the mapping takes, which notifiers fire, and when the
 * mmap lock is dropped.
 */
#include "../lib/mm_fixture.h"

/*
 * The fixture's ASSERT_LEDGER_CLEAN() calls test_mm(), which re-initialises
 * the mm before checking it; check the mm under test instead.
 */
#define ASSERT_MM_LEDGER_CLEAN(mm) ASSERT_EQ(kfp_ledger_check(mm), 0)

/*
 * Fault @addr in with the mmap lock held for read, as the arch fault
 * handler does.  *@dropped tells whether the fault released the lock
 * (VM_FAULT_RETRY); the lock is only released here if it is still held.
 */
static vm_fault_t fault_at(struct kfp_mm *mm, u64 addr, unsigned int flags, bool *dropped)
{
	struct kfp_vma *vma;
	vm_fault_t ret;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	ASSERT_TRUE(vma != NULL);
	ret = handle_mm_fault(mm, vma, addr, flags);
	*dropped = !kfp_lock_is_held(&mm->mmap_lock);
	if (!*dropped)
		mmap_read_unlock(mm);
	return ret;
}

TEST(fault_anon_read_maps_zero_page_special_readonly_without_reference)
{
	struct kfp_mm *mm = test_mm();
	struct kfp_pte *pte;
	bool dropped;

	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), 0);
	/*
	 *   0x10000 |p| vma 0  pfn 1    <- the zero page, special, read-only
	 *   0x11000 |.| vma 0
	 */
	test_draw(PG(16), PG(18));
	pte = kfp_pte_of(mm, PG(16));
	ASSERT_FALSE(dropped);
	ASSERT_EQ(pte->kind, KFP_PTE_PRESENT);
	ASSERT_EQ(pte->pfn, mm->zero_pfn);
	ASSERT_TRUE(pte->special);
	ASSERT_FALSE(pte->writable);
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, mm->zero_pfn, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_EQ(kfp_pte_of(mm, PG(17))->kind, KFP_PTE_NONE);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_anon_write_allocates_exclusive_writable_page)
{
	struct kfp_mm *mm = test_mm();
	struct kfp_pte *pte;
	kfp_pfn_t pfn;
	bool dropped;

	test_subscribe();
	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(fault_at(mm, PG(17), FAULT_FLAG_WRITE, &dropped), 0);
	/*
	 *   0x10000 |.| vma 0
	 *   0x11000 |W| vma 0  pfn 2    <- new anon page, exclusive
	 */
	test_draw(PG(16), PG(18));
	pte = kfp_pte_of(mm, PG(17));
	pfn = pte->pfn;
	ASSERT_EQ(pte->kind, KFP_PTE_PRESENT);
	ASSERT_TRUE(pte->writable);
	ASSERT_TRUE(pte->dirty);
	ASSERT_FALSE(pte->special);
	ASSERT_NE(pfn, mm->zero_pfn);
	ASSERT_TRUE(mm->page[pfn].flags & PG_anon);
	ASSERT_TRUE(mm->page[pfn].flags & PG_anon_exclusive);
	ASSERT_EQ(mm->page[pfn].content, 0);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	/* a fresh page replaces nothing: no invalidation */
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_anon_write_after_read_copies_zero_page_inside_clear_bracket)
{
	struct kfp_mm *mm = test_mm();
	struct notifier_log *log = test_notifier();
	struct kfp_pte *pte;
	kfp_pfn_t pfn;
	bool dropped;

	test_subscribe();
	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), 0);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_WRITE, &dropped), 0);
	/*
	 *   0x10000 |W| vma 0  pfn 2    <- was |p| pfn 1 (zero page)
	 */
	test_draw(PG(16), PG(17));
	pte = kfp_pte_of(mm, PG(16));
	pfn = pte->pfn;
	ASSERT_NE(pfn, mm->zero_pfn);
	ASSERT_TRUE(pte->writable);
	ASSERT_FALSE(pte->special);
	ASSERT_EQ(mm->page[pfn].content, 0);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 1);
	/* mm/memory.c wp_page_copy(): one MMU_NOTIFY_CLEAR over the page */
	ASSERT_EQ(log->nr, 2);
	ASSERT_EQ(log->call[0].what, 's');
	ASSERT_EQ(log->call[0].event, MMU_NOTIFY_CLEAR);
	ASSERT_EQ(log->call[0].start, PG(16));
	ASSERT_EQ(log->call[0].end, PG(17));
	ASSERT_EQ(log->call[1].what, 'e');
	/* the zero page was still mapped when the subscriber was told */
	ASSERT_EQ(log->starts_with_pte_present, 1);
	ASSERT_EQ(mm->active_invalidations, 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_thp_write_maps_compound_folio_with_one_reference_per_pte)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t head;
	unsigned int i;
	bool dropped;

	test_mmap(PG(32), KFP_HUGE_NR, PROT_READ | PROT_WRITE, KFP_MAP_HUGEPAGE, KFP_BACKING_ANON,
		  -1, 0);
	ASSERT_EQ(fault_at(mm, PG(33), FAULT_FLAG_WRITE, &dropped), 0);
	/*
	 *   0x20000 |W| vma 0  pfn 4    <- head
	 *   0x21000 |W| vma 0  pfn 5
	 *   0x22000 |W| vma 0  pfn 6
	 *   0x23000 |W| vma 0  pfn 7
	 */
	test_draw(PG(32), PG(32 + KFP_HUGE_NR));
	head = kfp_pte_of(mm, PG(32))->pfn;
	ASSERT_TRUE(mm->page[head].flags & PG_head);
	ASSERT_TRUE(folio_test_large(mm, head));
	for (i = 0; i < KFP_HUGE_NR; i++) {
		struct kfp_pte *pte = kfp_pte_of(mm, PG(32 + i));

		ASSERT_EQ(pte->kind, KFP_PTE_PRESENT);
		ASSERT_EQ(pte->pfn, head + i);
		ASSERT_TRUE(pte->writable);
		ASSERT_EQ(compound_head_pfn(mm, head + i), head);
		ASSERT_EQ(page_count(mm, head + i), KFP_HUGE_NR);
		if (i)
			ASSERT_EQ(page_ref_count(mm, head + i), 0);
	}
	ASSERT_EQ(kfp_ledger_refs(mm, head, KFP_OWNER_PAGE_TABLE), KFP_HUGE_NR);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_thp_write_falls_back_to_small_page_when_range_not_huge_aligned)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;
	bool dropped;

	/* three pages cannot hold an aligned huge page */
	test_mmap(PG(33), 3, PROT_READ | PROT_WRITE, KFP_MAP_HUGEPAGE, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(fault_at(mm, PG(34), FAULT_FLAG_WRITE, &dropped), 0);
	/*
	 *   0x21000 |.| vma 0
	 *   0x22000 |W| vma 0  pfn 2    <- order-0
	 *   0x23000 |.| vma 0
	 */
	test_draw(PG(33), PG(36));
	pfn = kfp_pte_of(mm, PG(34))->pfn;
	ASSERT_FALSE(PageCompound(mm, pfn));
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_pte_of(mm, PG(33))->kind, KFP_PTE_NONE);
	ASSERT_EQ(kfp_pte_of(mm, PG(35))->kind, KFP_PTE_NONE);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

/*
 * mm/memory.c set_pte_range() maps a read fault with vma->vm_page_prot:
 * shmem wants no write notification (mm/vma.c vma_wants_writenotify(): no
 * page_mkwrite, no writeback), so a shared writable mapping's read fault
 * maps the page writable but clean; the write that follows dirties it in
 * place, with no second fault and no invalidation.
 */
TEST(fault_shmem_read_maps_writable_clean_then_write_dirties_the_same_page)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_SHMEM, 2);
	struct kfp_pte *pte;
	kfp_pfn_t pfn;
	bool dropped;

	test_subscribe();
	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_SHARED, id, 0);
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), 0);
	pte = kfp_pte_of(mm, PG(16));
	pfn = pte->pfn;
	ASSERT_EQ(pte->kind, KFP_PTE_PRESENT);
	ASSERT_TRUE(pte->writable);
	ASSERT_FALSE(pte->dirty);
	ASSERT_FALSE(pte->special);
	ASSERT_EQ(mm->object[id].pfn[0], pfn);
	ASSERT_FALSE(mm->page[pfn].flags & PG_dirty);
	ASSERT_EQ(kfp_host_write(mm, PG(16), 3), 0);
	/*
	 *   0x10000 |W| vma 0  pfn 2    <- shmem page 0, same pfn as the read
	 *   0x11000 |.| vma 0
	 */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(mm->stats.nr_faults, 1);
	ASSERT_EQ(pte->pfn, pfn);
	ASSERT_TRUE(pte->writable);
	ASSERT_TRUE(pte->dirty);
	ASSERT_TRUE(mm->page[pfn].flags & PG_pagecache);
	/* page cache + one pte */
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_CACHE), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

/*
 * A regular file can write back (vma_wants_writenotify() is true): its
 * shared read fault maps read-only, and the first write faults again
 * (do_wp_page() -> wp_page_shared()), making the same pte writable and dirty.
 */
TEST(fault_file_shared_read_maps_readonly_then_write_makes_same_page_writable_and_dirty)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_FILE, 2);
	struct kfp_pte *pte;
	kfp_pfn_t pfn;
	bool dropped;

	test_subscribe();
	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_FILE, id, 0);
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), 0);
	pte = kfp_pte_of(mm, PG(16));
	pfn = pte->pfn;
	ASSERT_EQ(pte->kind, KFP_PTE_PRESENT);
	ASSERT_FALSE(pte->writable);
	ASSERT_FALSE(mm->page[pfn].flags & PG_dirty);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_WRITE, &dropped), 0);
	test_draw(PG(16), PG(18));
	ASSERT_EQ(pte->pfn, pfn);
	ASSERT_TRUE(pte->writable);
	ASSERT_TRUE(pte->dirty);
	ASSERT_TRUE(mm->page[pfn].flags & PG_dirty);
	/* making a shared pte writable in place does not invalidate */
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

/* mm/hugetlb.c hugetlb_no_page(): a read fault in a shared writable mapping maps writable. */
TEST(fault_hugetlb_shared_read_maps_writable)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_HUGETLB, KFP_HUGE_NR);
	bool dropped;

	test_mmap(PG(32), KFP_HUGE_NR, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_HUGETLB,
		  id, 0);
	ASSERT_EQ(fault_at(mm, PG(33), 0, &dropped), 0);
	ASSERT_TRUE(kfp_pte_of(mm, PG(33))->writable);
	ASSERT_FALSE(kfp_pte_of(mm, PG(33))->dirty);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_file_private_read_maps_page_cache_page_readonly)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_FILE, 4);
	struct kfp_pte *pte;
	kfp_pfn_t pfn;
	bool dropped;

	mm->object[id].stored[1] = 0xf11e;
	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, 0, KFP_BACKING_FILE, id, 1);
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), 0);
	/*
	 *   0x10000 |R| vma 0  pfn 2    <- file page 1 (pgoff 1)
	 *   0x11000 |.| vma 0
	 */
	test_draw(PG(16), PG(18));
	pte = kfp_pte_of(mm, PG(16));
	pfn = pte->pfn;
	ASSERT_FALSE(dropped);
	ASSERT_EQ(pte->kind, KFP_PTE_PRESENT);
	ASSERT_FALSE(pte->writable);
	ASSERT_FALSE(pte->special);
	ASSERT_EQ(mm->object[id].pfn[1], pfn);
	ASSERT_EQ(mm->page[pfn].content, 0xf11e);
	ASSERT_TRUE(mm->page[pfn].flags & PG_pagecache);
	ASSERT_FALSE(mm->page[pfn].flags & PG_anon);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_CACHE), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_file_private_write_maps_anon_copy_and_leaves_page_cache_unchanged)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_FILE, 2);
	struct kfp_pte *pte;
	kfp_pfn_t cache, copy;
	bool dropped;

	mm->object[id].stored[0] = 0xf11e;
	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, 0, KFP_BACKING_FILE, id, 0);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_WRITE, &dropped), 0);
	test_write(PG(16), 0xc0de);
	/*
	 *   0x10000 |W| vma 0  pfn 3    <- private anon copy; page cache keeps pfn 2
	 *   0x11000 |.| vma 0
	 */
	test_draw(PG(16), PG(18));
	pte = kfp_pte_of(mm, PG(16));
	copy = pte->pfn;
	cache = mm->object[id].pfn[0];
	ASSERT_NE(cache, KFP_NO_PFN16);
	ASSERT_NE(copy, cache);
	ASSERT_TRUE(pte->writable);
	ASSERT_TRUE(mm->page[copy].flags & PG_anon);
	ASSERT_TRUE(mm->page[copy].flags & PG_anon_exclusive);
	ASSERT_EQ(mm->page[copy].content, 0xc0de);
	ASSERT_EQ(mm->page[cache].content, 0xf11e);
	/* the page cache page is not mapped: only the cache holds it */
	ASSERT_EQ(page_count(mm, cache), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, cache, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_EQ(page_count(mm, copy), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, copy, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_file_private_write_after_read_breaks_cow_inside_clear_bracket)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_FILE, 1);
	struct notifier_log *log = test_notifier();
	kfp_pfn_t cache, copy;
	bool dropped;

	mm->object[id].stored[0] = 0xf11e;
	test_subscribe();
	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_FILE, id, 0);
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), 0);
	cache = kfp_pte_of(mm, PG(16))->pfn;
	ASSERT_EQ(page_count(mm, cache), 2);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_WRITE, &dropped), 0);
	/*
	 *   0x10000 |W| vma 0  pfn 3    <- was |R| pfn 2 (page cache)
	 */
	test_draw(PG(16), PG(17));
	copy = kfp_pte_of(mm, PG(16))->pfn;
	ASSERT_NE(copy, cache);
	ASSERT_EQ(mm->page[copy].content, 0xf11e);
	ASSERT_EQ(page_count(mm, cache), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, cache, KFP_OWNER_PAGE_CACHE), 1);
	ASSERT_EQ(page_count(mm, copy), 1);
	ASSERT_EQ(log->nr, 2);
	ASSERT_EQ(log->call[0].event, MMU_NOTIFY_CLEAR);
	ASSERT_EQ(log->call[0].start, PG(16));
	ASSERT_EQ(log->call[1].what, 'e');
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_file_shared_write_maps_page_cache_page_writable_and_dirty)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_FILE, 2);
	struct kfp_pte *pte;
	kfp_pfn_t pfn;
	bool dropped;

	mm->object[id].stored[1] = 0xf11e;
	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_FILE, id, 0);
	ASSERT_EQ(fault_at(mm, PG(17), FAULT_FLAG_WRITE, &dropped), 0);
	test_write(PG(17), 0xbeef);
	/*
	 *   0x10000 |.| vma 0
	 *   0x11000 |W| vma 0  pfn 2    <- the page cache page itself
	 */
	test_draw(PG(16), PG(18));
	pte = kfp_pte_of(mm, PG(17));
	pfn = pte->pfn;
	ASSERT_EQ(mm->object[id].pfn[1], pfn);
	ASSERT_TRUE(pte->writable);
	ASSERT_TRUE(mm->page[pfn].flags & PG_dirty);
	ASSERT_FALSE(mm->page[pfn].flags & PG_anon);
	/* the write went to the file's page */
	ASSERT_EQ(mm->page[pfn].content, 0xbeef);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_file_nonresident_retry_nowait_returns_retry_without_io_and_keeps_lock)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_FILE, 1);
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_FILE, id, 0);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_RETRY_NOWAIT, &dropped),
		  VM_FAULT_RETRY);
	/*
	 *   0x10000 |.| vma 0           <- nothing mapped, nothing read
	 */
	test_draw(PG(16), PG(17));
	ASSERT_FALSE(dropped);
	ASSERT_EQ(mm->object[id].pfn[0], KFP_NO_PFN16);
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_file_nonresident_allow_retry_drops_lock_reads_page_and_returns_retry)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_FILE, 1);
	kfp_pfn_t pfn;
	bool dropped;

	mm->object[id].stored[0] = 0xf11e;
	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_FILE, id, 0);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE, &dropped),
		  VM_FAULT_RETRY);
	/*
	 *   0x10000 |.| vma 0           <- not mapped yet, but now in the page cache
	 */
	test_draw(PG(16), PG(17));
	pfn = mm->object[id].pfn[0];
	ASSERT_TRUE(dropped);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_NE(pfn, KFP_NO_PFN16);
	ASSERT_EQ(mm->page[pfn].content, 0xf11e);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_NONE);
	/* the retry finds it resident and maps it without dropping the lock */
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_TRIED, &dropped), 0);
	ASSERT_FALSE(dropped);
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->pfn, pfn);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_file_nonresident_without_allow_retry_reads_page_under_lock)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_FILE, 1);
	struct kfp_pte *pte;
	bool dropped;

	mm->object[id].stored[0] = 0xf11e;
	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_FILE, id, 0);
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), 0);
	/*
	 *   0x10000 |R| vma 0  pfn 2
	 */
	test_draw(PG(16), PG(17));
	pte = kfp_pte_of(mm, PG(16));
	ASSERT_FALSE(dropped);
	ASSERT_EQ(pte->kind, KFP_PTE_PRESENT);
	ASSERT_EQ(pte->pfn, mm->object[id].pfn[0]);
	ASSERT_EQ(mm->page[pte->pfn].content, 0xf11e);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_file_interruptible_with_pending_signal_drops_lock_without_io)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_FILE, 1);
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_FILE, id, 0);
	kfp_send_signal(mm, 0, false);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_INTERRUPTIBLE, &dropped),
		  VM_FAULT_RETRY);
	/*
	 *   0x10000 |.| vma 0
	 */
	test_draw(PG(16), PG(17));
	ASSERT_TRUE(dropped);
	ASSERT_EQ(mm->object[id].pfn[0], KFP_NO_PFN16);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_file_resident_hwpoisoned_page_cache_page_returns_hwpoison)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_FILE, 1);
	kfp_pfn_t pfn;
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_FILE, id, 0);
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), 0);
	pfn = kfp_pte_of(mm, PG(16))->pfn;
	ASSERT_EQ(kfp_memory_failure(mm, pfn), 0);
	ASSERT_EQ(kfp_madvise_dontneed(mm, PG(16), PG(1)), 0);
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), VM_FAULT_HWPOISON);
	/*
	 *   0x10000 |.| vma 0           <- the poisoned page is still in the cache
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(mm->object[id].pfn[0], pfn);
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_hugetlb_maps_subpage_with_reference_on_head)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_HUGETLB, KFP_HUGE_NR);
	kfp_pfn_t head = mm->object[id].pfn[0];
	struct kfp_pte *pte;
	bool dropped;

	test_mmap(PG(32), KFP_HUGE_NR, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_HUGETLB,
		  id, 0);
	ASSERT_EQ(fault_at(mm, PG(34), FAULT_FLAG_WRITE, &dropped), 0);
	/*
	 *   0x20000 |.| vma 0
	 *   0x21000 |.| vma 0
	 *   0x22000 |W| vma 0  pfn 6    <- subpage 2 of the hugetlb folio at pfn 4
	 *   0x23000 |.| vma 0
	 */
	test_draw(PG(32), PG(32 + KFP_HUGE_NR));
	pte = kfp_pte_of(mm, PG(34));
	ASSERT_EQ(pte->pfn, head + 2);
	ASSERT_TRUE(pte->writable);
	ASSERT_FALSE(pte->special);
	ASSERT_TRUE(mm->page[head].flags & PG_hugetlb);
	ASSERT_EQ(compound_head_pfn(mm, pte->pfn), head);
	ASSERT_EQ(page_ref_count(mm, head + 2), 0);
	/* the page cache and the pte, both on the head */
	ASSERT_EQ(page_count(mm, head + 2), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, head, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_TRUE(mm->page[head].flags & PG_dirty);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_pfnmap_writable_vma_inserts_special_writable_pte_without_reference)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 2);
	struct kfp_pte *pte;
	bool dropped;

	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	/* a read fault: the driver inserts with vm_page_prot, writable */
	ASSERT_EQ(fault_at(mm, PG(17), 0, &dropped), 0);
	/*
	 *   0x10000 |.| vma 0
	 *   0x11000 |P| vma 0  pfn 97   <- device pfn, no struct page
	 */
	test_draw(PG(16), PG(18));
	pte = kfp_pte_of(mm, PG(17));
	ASSERT_EQ(pte->kind, KFP_PTE_PRESENT);
	ASSERT_EQ(pte->pfn, mm->object[id].pfn[1]);
	ASSERT_TRUE(pte->special);
	ASSERT_TRUE(pte->writable);
	ASSERT_FALSE(pfn_valid(mm, pte->pfn));
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_pfnmap_readonly_vma_inserts_special_readonly_pte)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	struct kfp_pte *pte;
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), 0);
	/*
	 *   0x10000 |p| vma 0  pfn 96
	 */
	test_draw(PG(16), PG(17));
	pte = kfp_pte_of(mm, PG(16));
	ASSERT_EQ(pte->pfn, mm->object[id].pfn[0]);
	ASSERT_TRUE(pte->special);
	ASSERT_FALSE(pte->writable);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_pfnmap_of_refcounted_driver_pages_takes_no_reference)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DRIVER_PAGES, 1);
	kfp_pfn_t pfn = mm->object[id].pfn[0];
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_WRITE, &dropped), 0);
	/*
	 *   0x10000 |P| vma 0  pfn 2    <- vmf_insert_pfn(): special even with a struct page
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->pfn, pfn);
	ASSERT_TRUE(kfp_pte_of(mm, PG(16))->special);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_DRIVER), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_pfnmap_populate_maps_whole_range_at_mmap_without_faults)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 3);
	unsigned int i;

	test_mmap(PG(16), 3, PROT_READ | PROT_WRITE, KFP_MAP_SHARED | KFP_MAP_POPULATE,
		  KFP_BACKING_PFNMAP, id, 0);
	/*
	 *   0x10000 |P| vma 0  pfn 96   <- remap_pfn_range() at mmap time
	 *   0x11000 |P| vma 0  pfn 97
	 *   0x12000 |P| vma 0  pfn 98
	 */
	test_draw(PG(16), PG(19));
	ASSERT_EQ(mm->stats.nr_faults, 0);
	for (i = 0; i < 3; i++) {
		struct kfp_pte *pte = kfp_pte_of(mm, PG(16 + i));

		ASSERT_EQ(pte->kind, KFP_PTE_PRESENT);
		ASSERT_EQ(pte->pfn, mm->object[id].pfn[i]);
		ASSERT_TRUE(pte->special);
		ASSERT_TRUE(pte->writable);
	}
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_mixedmap_refcounted_driver_page_maps_normal_pte_with_reference)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DRIVER_PAGES, 2);
	kfp_pfn_t pfn = mm->object[id].pfn[1];
	struct kfp_pte *pte;
	bool dropped;

	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_MIXEDMAP, id, 0);
	ASSERT_EQ(fault_at(mm, PG(17), 0, &dropped), 0);
	/*
	 *   0x10000 |.| vma 0
	 *   0x11000 |W| vma 0  pfn 3    <- vm_insert_page(): a normal, refcounted pte
	 */
	test_draw(PG(16), PG(18));
	pte = kfp_pte_of(mm, PG(17));
	ASSERT_EQ(pte->pfn, pfn);
	ASSERT_FALSE(pte->special);
	ASSERT_TRUE(pte->writable);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_DRIVER), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_mixedmap_device_mmio_maps_special_pte)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	struct kfp_pte *pte;
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_MIXEDMAP, id, 0);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_WRITE, &dropped), 0);
	/*
	 *   0x10000 |P| vma 0  pfn 96   <- vmf_insert_mixed() of a !pfn_valid pfn
	 */
	test_draw(PG(16), PG(17));
	pte = kfp_pte_of(mm, PG(16));
	ASSERT_EQ(pte->pfn, mm->object[id].pfn[0]);
	ASSERT_TRUE(pte->special);
	ASSERT_TRUE(pte->writable);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_on_released_driver_object_returns_sigbus)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	ASSERT_EQ(kfp_driver_revoke(mm, id), 0);
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), VM_FAULT_SIGBUS);
	/*
	 *   0x10000 |.| vma 0           <- the vma outlives the memory
	 */
	test_draw(PG(16), PG(17));
	ASSERT_FALSE(dropped);
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_file_index_past_end_of_object_returns_sigbus)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_FILE, 2);
	bool dropped;

	/* a mapping longer than the file */
	test_mmap(PG(16), 4, PROT_READ, 0, KFP_BACKING_FILE, id, 0);
	ASSERT_EQ(fault_at(mm, PG(19), 0, &dropped), VM_FAULT_SIGBUS);
	/*
	 *   0x10000 |.| vma 0
	 *   0x11000 |.| vma 0
	 *   0x12000 |.| vma 0           <- beyond EOF
	 *   0x13000 |.| vma 0
	 */
	test_draw(PG(16), PG(20));
	ASSERT_EQ(kfp_pte_of(mm, PG(19))->kind, KFP_PTE_NONE);
	ASSERT_EQ(fault_at(mm, PG(17), 0, &dropped), 0);
	ASSERT_EQ(kfp_pte_of(mm, PG(17))->kind, KFP_PTE_PRESENT);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_write_to_readonly_vma_returns_sigsegv)
{
	struct kfp_mm *mm = test_mm();
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_WRITE, &dropped), VM_FAULT_SIGSEGV);
	/*
	 *   0x10000 |.| vma 0
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(mm->stats.nr_faults, 1);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_on_hwpoison_entry_returns_hwpoison)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 7);
	pfn = test_pte_pfn(PG(16));
	ASSERT_EQ(kfp_memory_failure(mm, pfn), 0);
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), VM_FAULT_HWPOISON);
	/*
	 *   0x10000 |x| vma 0           <- hwpoison entry stays
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_HWPOISON);
	ASSERT_TRUE(PageHWPoison(mm, pfn));
	ASSERT_EQ(page_count(mm, pfn), 0);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_WRITE, &dropped), VM_FAULT_HWPOISON);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_on_swap_entry_swaps_in_old_content)
{
	struct kfp_mm *mm = test_mm();
	struct kfp_pte *pte;
	kfp_pfn_t old, pfn;
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 0x5a5a);
	old = test_pte_pfn(PG(16));
	ASSERT_EQ(kfp_reclaim(mm, PG(16), PG(1)), 1);
	pte = kfp_pte_of(mm, PG(16));
	ASSERT_EQ(pte->kind, KFP_PTE_SWAP);
	ASSERT_EQ(pte->pfn, KFP_NO_PFN32);
	ASSERT_TRUE(kfp_page_is_free(mm, old));
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), 0);
	/*
	 *   0x10000 |R| vma 0  pfn 2    <- swapped in on a read: mapped read-only
	 */
	test_draw(PG(16), PG(17));
	pfn = pte->pfn;
	ASSERT_FALSE(dropped);
	ASSERT_EQ(pte->kind, KFP_PTE_PRESENT);
	ASSERT_FALSE(pte->writable);
	ASSERT_EQ(kfp_pfn_read(mm, pfn), 0x5a5a);
	ASSERT_TRUE(mm->page[pfn].flags & PG_anon_exclusive);
	ASSERT_FALSE(mm->page[pfn].flags & PG_swapcache);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_SWAP_CACHE), 0);
	/* exclusive: the write fault reuses it */
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_WRITE, &dropped), 0);
	ASSERT_EQ(pte->pfn, pfn);
	ASSERT_TRUE(pte->writable);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_on_swap_entry_with_allow_retry_drops_lock_then_maps_on_retry)
{
	struct kfp_mm *mm = test_mm();
	struct kfp_pte *pte;
	kfp_pfn_t cached;
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 0x5a5a);
	ASSERT_EQ(kfp_reclaim(mm, PG(16), PG(1)), 1);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_WRITE, &dropped),
		  VM_FAULT_RETRY);
	pte = kfp_pte_of(mm, PG(16));
	cached = pte->pfn;
	ASSERT_TRUE(dropped);
	/* read into the swap cache, not mapped yet */
	ASSERT_EQ(pte->kind, KFP_PTE_SWAP);
	ASSERT_NE(cached, KFP_NO_PFN32);
	ASSERT_EQ(kfp_ledger_refs(mm, cached, KFP_OWNER_SWAP_CACHE), 1);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_TRIED | FAULT_FLAG_WRITE,
			   &dropped),
		  0);
	/*
	 *   0x10000 |W| vma 0  pfn 2
	 */
	test_draw(PG(16), PG(17));
	ASSERT_FALSE(dropped);
	ASSERT_EQ(pte->kind, KFP_PTE_PRESENT);
	ASSERT_EQ(pte->pfn, cached);
	ASSERT_TRUE(pte->writable);
	ASSERT_EQ(kfp_pfn_read(mm, cached), 0x5a5a);
	ASSERT_EQ(kfp_ledger_refs(mm, cached, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, cached, KFP_OWNER_SWAP_CACHE), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_driver_needing_retry_drops_lock_and_returns_retry)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	mm->object[id].fault_retries = 1;
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE, &dropped),
		  VM_FAULT_RETRY);
	ASSERT_TRUE(dropped);
	ASSERT_EQ(mm->object[id].fault_retries, 0);
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_TRIED, &dropped), 0);
	/*
	 *   0x10000 |P| vma 0  pfn 96   <- inserted on the retry
	 */
	test_draw(PG(16), PG(17));
	ASSERT_FALSE(dropped);
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->pfn, mm->object[id].pfn[0]);
	ASSERT_TRUE(kfp_pte_of(mm, PG(16))->special);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_driver_needing_retry_without_allow_retry_inserts_at_once)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	mm->object[id].fault_retries = 1;
	ASSERT_EQ(fault_at(mm, PG(16), 0, &dropped), 0);
	/*
	 *   0x10000 |P| vma 0  pfn 96
	 */
	test_draw(PG(16), PG(17));
	ASSERT_FALSE(dropped);
	ASSERT_EQ(mm->object[id].fault_retries, 1);
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_PRESENT);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_driver_needing_retry_with_retry_nowait_keeps_lock)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	mm->object[id].fault_retries = 1;
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_RETRY_NOWAIT, &dropped),
		  VM_FAULT_RETRY);
	/*
	 *   0x10000 |.| vma 0
	 */
	test_draw(PG(16), PG(17));
	ASSERT_FALSE(dropped);
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_write_on_forked_anon_page_copies_and_leaves_child_page)
{
	struct kfp_mm *mm = test_mm();
	struct notifier_log *log;
	kfp_pfn_t old, new_pfn;
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 0xabc);
	old = test_pte_pfn(PG(16));
	ASSERT_EQ(kfp_fork(mm), 0);
	ASSERT_FALSE(kfp_pte_of(mm, PG(16))->writable);
	ASSERT_EQ(page_count(mm, old), 2);
	test_subscribe();
	log = test_notifier();
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_WRITE, &dropped), 0);
	/*
	 *   0x10000 |W| vma 0  pfn 3    <- the child keeps pfn 2
	 */
	test_draw(PG(16), PG(17));
	new_pfn = test_pte_pfn(PG(16));
	ASSERT_NE(new_pfn, old);
	ASSERT_TRUE(kfp_pte_of(mm, PG(16))->writable);
	ASSERT_EQ(mm->page[new_pfn].content, 0xabc);
	ASSERT_EQ(page_count(mm, old), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, old, KFP_OWNER_CHILD_MM), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, old, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_EQ(page_count(mm, new_pfn), 1);
	ASSERT_EQ(log->nr, 2);
	ASSERT_EQ(log->call[0].event, MMU_NOTIFY_CLEAR);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_write_on_exclusive_readonly_anon_pte_reuses_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;
	bool dropped;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	pfn = test_pte_pfn(PG(16));
	/* mprotect write-protects the pte; write permission returns by a fault */
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(1), PROT_READ), 0);
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(1), PROT_READ | PROT_WRITE), 0);
	ASSERT_FALSE(kfp_pte_of(mm, PG(16))->writable);
	test_subscribe();
	ASSERT_EQ(fault_at(mm, PG(16), FAULT_FLAG_WRITE, &dropped), 0);
	/*
	 *   0x10000 |W| vma 0  pfn 2    <- same page, no copy
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_TRUE(kfp_pte_of(mm, PG(16))->writable);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fault_without_mmap_lock_reports_lockdep)
{
	struct kfp_mm *mm = test_mm();
	struct kfp_vma *vma;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	vma = vma_lookup(mm, PG(16));
	ASSERT_EQ(handle_mm_fault(mm, vma, PG(16), 0), 0);
	/*
	 *   0x10000 |p| vma 0  pfn 1
	 */
	test_draw(PG(16), PG(17));
	ASSERT_REPORTED(KFP_REPORT_LOCK_NOT_HELD);
	ASSERT_MM_LEDGER_CLEAN(mm);
}
