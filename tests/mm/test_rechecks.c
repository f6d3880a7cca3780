// SPDX-License-Identifier: GPL-2.0
/*
 * The re-checks upstream mm makes after every step that dropped a lock,
 * shown on the race each one is for.  A trigger runs a second host path
 * (thread 1) at the exact point where the first (thread 0) has decided
 * but not yet committed; the first must see the change and back out:
 * its folio released, its references balanced, the ledger clean.
 *
 *   mm/memory.c do_anonymous_page()   vmf_pte_changed() under the PTL
 *   mm/memory.c finish_fault(), mm/hugetlb.c hugetlb_no_page()
 *   mm/memory.c wp_page_copy()        pte_same(orig_pte) under the PTL
 *   mm/memory.c do_swap_page()        pte_same(orig_pte), swapcache_prepare()
 *   mm/filemap.c filemap_add_folio()  -EEXIST: the loser looks up again
 */
#include "../lib/mm_fixture.h"

static void host_writes_6(void *arg)
{
	test_write(*(u64 *)arg, 6);
}

static void host_zaps(void *arg)
{
	ASSERT_EQ(kfp_madvise_dontneed(test_mm_current(), *(u64 *)arg, PAGE_SIZE), 0);
}

static void host_reads(void *arg)
{
	u64 *addr = arg;

	ASSERT_EQ(test_read(addr[0]), addr[1]);
}

static void assert_balanced(struct kfp_mm *mm)
{
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_FAULT), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* Two first-touch writes: the fault that allocated second drops its folio. */
TEST(recheck_anon_write_fault_that_loses_releases_its_folio)
{
	struct kfp_mm *mm = test_mm();
	u64 addr = PG(16);
	kfp_pfn_t winner;

	test_mmap(addr, 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	/*
	 * thread 0 has read pte_none and peeked pfn 2 when thread 1 faults the
	 * page in: thread 1's allocation takes pfn 2 first, so thread 0's
	 * allocation step finds the free lists changed and goes round
	 */
	test_mm_trigger("alloc_pages", 1, host_writes_6, &addr);
	test_write(addr, 5);
	ASSERT_TRUE(test_mm_trigger_fired());
	/*
	 *   0x10000 |W| vma 0  pfn 2    <- thread 1's page; thread 0's pfn 3 went back
	 */
	test_draw(addr, addr + PAGE_SIZE);
	winner = test_pte_pfn(addr);
	ASSERT_EQ(mm->stats.nr_fault_backouts, 1);
	ASSERT_EQ(mm->stats.nr_frees, 1);
	ASSERT_TRUE(kfp_page_is_free(mm, 3));
	ASSERT_EQ(winner, 2);
	/* the loser's retry found the winner's writable pte and wrote there */
	ASSERT_EQ(kfp_pfn_read(mm, winner), 5);
	ASSERT_EQ(page_count(mm, winner), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, winner, KFP_OWNER_PAGE_TABLE), 1);
	assert_balanced(mm);
}

/* A read fault about to map the zero page finds a write fault's page there. */
TEST(recheck_zero_page_fault_that_loses_maps_nothing)
{
	struct kfp_mm *mm = test_mm();
	u64 addr = PG(16);

	test_mmap(addr, 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	/* the read fault's only PTL acquisition is the one before the zero-page install */
	test_mm_trigger("ptl", 1, host_writes_6, &addr);
	ASSERT_EQ(test_read(addr), 6);
	ASSERT_TRUE(test_mm_trigger_fired());
	ASSERT_EQ(mm->stats.nr_fault_backouts, 1);
	ASSERT_FALSE(pte_at(mm, addr)->special);
	ASSERT_TRUE(pte_at(mm, addr)->writable);
	ASSERT_NE(test_pte_pfn(addr), mm->zero_pfn);
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 1);
	assert_balanced(mm);
}

/* hugetlb_no_page(): the loser drops the reference it took for its pte. */
TEST(recheck_hugetlb_fault_that_loses_drops_its_reference)
{
	struct kfp_mm *mm = test_mm();
	int huge = test_object(KFP_OBJECT_HUGETLB, KFP_HUGE_NR);
	u64 addr = PG(16);
	kfp_pfn_t head;

	test_mmap(addr, KFP_HUGE_NR, RW, KFP_MAP_SHARED, KFP_BACKING_HUGETLB, huge, 0);
	head = mm->object[huge].pfn[0];
	/*
	 * thread 0 holds its folio_try_get() reference and is about to lock the
	 * folio; the writer maps it first (the folio lock serialises the two
	 * faults, mm/hugetlb.c hugetlb_no_page()), so thread 0's pte_same()
	 * check under the PTL fails
	 */
	test_mm_trigger("folio_lock", 1, host_writes_6, &addr);
	ASSERT_EQ(test_read(addr), 6);
	ASSERT_TRUE(test_mm_trigger_fired());
	ASSERT_EQ(mm->stats.nr_fault_backouts, 1);
	/* the writer's pte stayed: the reader did not downgrade it to read-only */
	ASSERT_TRUE(pte_at(mm, addr)->writable);
	ASSERT_EQ(test_pte_pfn(addr), head);
	/* page cache + the one pte */
	ASSERT_EQ(page_count(mm, head), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, head, KFP_OWNER_PAGE_TABLE), 1);
	assert_balanced(mm);
}

/* Two CoW faults after fork: the second copy is dropped, the old page put once. */
TEST(recheck_cow_fault_that_loses_drops_its_copy_and_retries)
{
	struct kfp_mm *mm = test_mm();
	u64 addr = PG(16);
	kfp_pfn_t old, winner;

	test_mmap(addr, 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(addr, 1);
	old = test_pte_pfn(addr);
	ASSERT_EQ(kfp_fork(mm), 0);
	/* thread 0 took its reference on the old page and is allocating the copy */
	test_mm_trigger("alloc_pages", 1, host_writes_6, &addr);
	test_write(addr, 5);
	ASSERT_TRUE(test_mm_trigger_fired());
	winner = test_pte_pfn(addr);
	ASSERT_NE(winner, old);
	ASSERT_TRUE(pte_at(mm, addr)->writable);
	ASSERT_EQ(mm->stats.nr_fault_backouts, 1);
	/* thread 0's copy went back; the old page is the child's alone */
	ASSERT_EQ(mm->stats.nr_frees, 1);
	ASSERT_EQ(page_count(mm, old), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, old, KFP_OWNER_CHILD_MM), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, old, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_EQ(kfp_pfn_read(mm, old), 1);
	/* neither write was lost: thread 0's retry wrote the winner's copy */
	ASSERT_EQ(kfp_pfn_read(mm, winner), 5);
	assert_balanced(mm);
}

static void swap_out(struct kfp_mm *mm, u64 addr, u64 value)
{
	test_write(addr, value);
	ASSERT_EQ(kfp_reclaim(mm, addr, PAGE_SIZE), 1);
	ASSERT_EQ(pte_at(mm, addr)->kind, KFP_PTE_SWAP);
	ASSERT_EQ(pte_at(mm, addr)->pfn, KFP_NO_PFN32);
}

/* Two faults read one swap entry in: swapcache_prepare() lets one add its folio. */
TEST(recheck_swap_in_that_loses_drops_its_folio)
{
	struct kfp_mm *mm = test_mm();
	u64 addr = PG(16), other[2] = { PG(16), 7 };

	test_mmap(addr, 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	swap_out(mm, addr, 7);
	ASSERT_EQ(mm->stats.nr_frees, 1);
	/* thread 0 found no swap-cache folio and is allocating one to read into */
	test_mm_trigger("alloc_pages", 1, host_reads, other);
	ASSERT_EQ(test_read(addr), 7);
	ASSERT_TRUE(test_mm_trigger_fired());
	ASSERT_EQ(mm->stats.nr_fault_backouts, 1);
	ASSERT_EQ(mm->stats.nr_frees, 2);
	ASSERT_EQ(pte_at(mm, addr)->kind, KFP_PTE_PRESENT);
	ASSERT_EQ(page_count(mm, test_pte_pfn(addr)), 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_SWAP_CACHE), 0);
	assert_balanced(mm);
}

/*
 * A swap-cache hit whose entry is zapped before the fault takes the PTL:
 * pte_same(orig_pte) fails (out_nomap), the fault's reference goes, and
 * with it the folio; the retried access finds an empty pte.
 */
TEST(recheck_swap_fault_whose_entry_is_zapped_maps_nothing)
{
	struct kfp_mm *mm = test_mm();
	u64 addr = PG(16);
	kfp_pfn_t pfn, got;

	test_mmap(addr, 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(addr, 7);
	pfn = test_pte_pfn(addr);
	/* a host GUP reference makes reclaim's folio_ref_freeze() fail: it stays in the swap cache */
	ASSERT_EQ(get_user_pages_unlocked(mm, addr, 1, &got, 0, KFP_OWNER_HOST_GUP), 1);
	ASSERT_EQ(kfp_reclaim(mm, addr, PAGE_SIZE), 1);
	ASSERT_EQ(pte_at(mm, addr)->kind, KFP_PTE_SWAP);
	ASSERT_EQ(pte_at(mm, addr)->pfn, pfn);
	put_page(mm, got, KFP_OWNER_HOST_GUP);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_SWAP_CACHE), 1);
	/* thread 0 holds its folio_try_get() reference and waits for the folio lock */
	test_mm_trigger("folio_lock", 1, host_zaps, &addr);
	ASSERT_EQ(test_read(addr), 0);
	ASSERT_TRUE(test_mm_trigger_fired());
	ASSERT_EQ(mm->stats.nr_fault_backouts, 1);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	/* the retry after the zap mapped the zero page */
	ASSERT_EQ(test_pte_pfn(addr), mm->zero_pfn);
	assert_balanced(mm);
}

/* Two shmem faults fill one page-cache slot: filemap_add_folio() keeps the first. */
TEST(recheck_page_cache_insert_that_loses_drops_its_folio)
{
	struct kfp_mm *mm = test_mm();
	int shm = test_object(KFP_OBJECT_SHMEM, 1);
	u64 addr = PG(16), other[2] = { PG(16), 0 };
	kfp_pfn_t pfn;

	test_mmap(addr, 1, RW, KFP_MAP_SHARED, KFP_BACKING_SHARED, shm, 0);
	test_mm_trigger("page cache insert", 1, host_reads, other);
	ASSERT_EQ(test_read(addr), 0);
	ASSERT_TRUE(test_mm_trigger_fired());
	pfn = mm->object[shm].pfn[0];
	ASSERT_EQ(test_pte_pfn(addr), pfn);
	ASSERT_EQ(mm->stats.nr_fault_backouts, 2);
	ASSERT_EQ(mm->stats.nr_frees, 1);
	/* page cache + the one pte */
	ASSERT_EQ(page_count(mm, pfn), 2);
	assert_balanced(mm);
}

/*
 * Reclaim's rmap walk ran without the PTL; MADV_DONTNEED zaps the pte
 * before try_to_unmap_one() takes it.  page_vma_mapped_walk() finds the
 * pte gone: no swap entry is made, the mapping's reference is not put a
 * second time, and reclaim frees the folio it alone still holds.
 */
TEST(recheck_reclaim_unmap_finds_pte_zapped_after_rmap_walk)
{
	struct kfp_mm *mm = test_mm();
	u64 addr = PG(16);
	kfp_pfn_t pfn;

	test_mmap(addr, 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(addr, 7);
	pfn = test_pte_pfn(addr);
	/* reclaim isolated the folio and walked the rmap; it is about to lock the folio */
	test_mm_trigger("folio_lock", 1, host_zaps, &addr);
	ASSERT_EQ(kfp_reclaim(mm, addr, PAGE_SIZE), 1);
	ASSERT_TRUE(test_mm_trigger_fired());
	ASSERT_EQ(pte_at(mm, addr)->kind, KFP_PTE_NONE);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(mm->stats.nr_frees, 1);
	assert_balanced(mm);
}
