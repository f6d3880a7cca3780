// SPDX-License-Identifier: GPL-2.0
/*
 * Host operations that act on pages rather than ranges: migration,
 * reclaim, fork, KSM, a driver revoking its memory, host reads and writes
 * through an hva, memory failure and pending signals.
 *
 * Pictures: one column per page, as test_draw() prints them.
 *   W/R writable/read-only page, P/p special pte, s swap, m migration,
 *   x hwpoison, - PROT_NONE, . none; [ ] a VMA.
 */
#include "../lib/mm_fixture.h"

/* One private anon page at @addr written with @value; returns its pfn. */
static kfp_pfn_t anon_page(u64 addr, u64 value)
{
	test_mmap(addr, 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(addr, value);
	return test_pte_pfn(addr);
}

/* ---- migration ------------------------------------------------------------ */

TEST(migrate_anon_page_maps_a_new_pfn_and_frees_the_old)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t old, new_pfn;

	test_subscribe();
	old = anon_page(PG(16), 0x1234);
	/* [W old] -> m -> [W new] */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_migrate_page(mm, PG(16)), 0);
	test_draw(PG(16), PG(17));
	new_pfn = test_pte_pfn(PG(16));
	ASSERT_NE(new_pfn, KFP_PFN_NONE);
	ASSERT_NE(new_pfn, old);
	ASSERT_TRUE(kfp_page_is_free(mm, old));
	ASSERT_TRUE(pte_at(mm, PG(16))->writable);
	ASSERT_FALSE(pte_at(mm, PG(16))->special);
	ASSERT_EQ(mm->page[new_pfn].content, 0x1234);
	ASSERT_TRUE(mm->page[new_pfn].flags & PG_anon);
	ASSERT_EQ(page_count(mm, new_pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, new_pfn, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_MIGRATION), 0);
	/* mm/rmap.c try_to_migrate_one(): MMU_NOTIFY_CLEAR, before the pte changed */
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	ASSERT_EQ(test_notifier()->starts_with_pte_present, 1);
	ASSERT_EQ(test_read(PG(16)), 0x1234);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/*
 * A pinned anon page: try_to_migrate_one() cannot share it
 * (folio_try_share_anon_rmap_pte()), so it stays mapped and
 * migrate_pages() gives up after its retries (-EAGAIN; move_pages()
 * reports the page as not moved).  Never -EBUSY, which is an isolation
 * failure.
 */
TEST(migrate_pinned_page_is_eagain_and_restores_the_pte)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_subscribe();
	pfn = anon_page(PG(16), 5);
	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_PIN, KFP_OWNER_HOST_GUP), 0);
	/* [W pinned] -> m -> [W same pfn] */
	ASSERT_EQ(kfp_migrate_page(mm, PG(16)), -EAGAIN);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_TRUE(pte_at(mm, PG(16))->writable);
	ASSERT_EQ(page_count(mm, pfn), 1 + GUP_PIN_COUNTING_BIAS);
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, KFP_OWNER_HOST_GUP), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_MIGRATION), 0);
	/* the notifier fired although the page stays */
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	ASSERT_EQ(mm->folio_lock.writer, KFP_NO_THREAD);
	unpin_user_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(migrate_page_with_extra_gup_reference_is_eagain_with_ptes_restored)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_subscribe();
	pfn = anon_page(PG(16), 6);
	get_page(mm, pfn, KFP_OWNER_HOST_GUP);
	/* [W +ref] -> m -> [W same pfn]: folio_migrate_mapping() refcount check */
	ASSERT_EQ(kfp_migrate_page(mm, PG(16)), -EAGAIN);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_PRESENT);
	ASSERT_TRUE(pte_at(mm, PG(16))->writable);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_HOST_GUP), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	put_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_EQ(test_read(PG(16)), 6);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(migrate_page_cache_page_moves_it_in_the_cache_and_every_mapping)
{
	struct kfp_mm *mm = test_mm();
	int shm = test_object(KFP_OBJECT_SHMEM, 2);
	kfp_pfn_t old, new_pfn;

	test_subscribe();
	test_mmap(PG(16), 2, RW, KFP_MAP_SHARED, KFP_BACKING_SHARED, shm, 0);
	test_mmap(PG(32), 2, PROT_READ, KFP_MAP_SHARED, KFP_BACKING_SHARED, shm, 0);
	test_write(PG(16), 0xcafe);
	ASSERT_EQ(test_read(PG(32)), 0xcafe);
	old = test_pte_pfn(PG(16));
	ASSERT_EQ(page_count(mm, old), 3);
	/* [W.] ... [R.]  both map the cache page; both move */
	ASSERT_EQ(kfp_migrate_page(mm, PG(32)), 0);
	test_draw(PG(16), PG(17));
	test_draw(PG(32), PG(33));
	new_pfn = mm->object[shm].pfn[0];
	ASSERT_NE(new_pfn, old);
	ASSERT_EQ(test_pte_pfn(PG(16)), new_pfn);
	ASSERT_EQ(test_pte_pfn(PG(32)), new_pfn);
	ASSERT_TRUE(pte_at(mm, PG(16))->writable);
	ASSERT_FALSE(pte_at(mm, PG(32))->writable);
	ASSERT_TRUE(kfp_page_is_free(mm, old));
	ASSERT_EQ(page_count(mm, new_pfn), 3);
	ASSERT_EQ(kfp_ledger_refs(mm, new_pfn, KFP_OWNER_PAGE_CACHE), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, new_pfn, KFP_OWNER_PAGE_TABLE), 2);
	ASSERT_TRUE(mm->page[new_pfn].flags & PG_pagecache);
	ASSERT_EQ(mm->page[new_pfn].index, 0);
	ASSERT_EQ(test_notifier()->nr, 4);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	assert_bracket(2, MMU_NOTIFY_CLEAR, PG(32), PG(33));
	ASSERT_EQ(test_read(PG(33)), 0);
	ASSERT_EQ(test_read(PG(32)), 0xcafe);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(migrate_of_special_or_missing_or_huge_mapping_is_refused)
{
	struct kfp_mm *mm = test_mm();

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_mmap(PG(32), 4, RW, KFP_MAP_HUGEPAGE, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(test_read(PG(16)), 0);
	test_write(PG(33), 1);
	/* [p.] ... [WWWW THP] */
	test_draw(PG(16), PG(18));
	/* mm/migrate.c __add_folio_for_migration(): the zero page is -EFAULT */
	ASSERT_EQ(kfp_migrate_page(mm, PG(16)), -EFAULT);
	/* add_folio_for_migration(): no folio at a mapped address is -ENOENT */
	ASSERT_EQ(kfp_migrate_page(mm, PG(17)), -ENOENT);
	/* no VMA: -EFAULT */
	ASSERT_EQ(kfp_migrate_page(mm, PG(20)), -EFAULT);
	ASSERT_EQ(kfp_migrate_page(mm, 0), -EFAULT);
	/* vma_migratable(): never VM_IO | VM_PFNMAP, -EFAULT */
	test_mmap(PG(40), 1, RW, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_PFNMAP,
		  test_object(KFP_OBJECT_DEVICE_MMIO, 1), 0);
	ASSERT_EQ(kfp_migrate_page(mm, PG(40)), -EFAULT);
	ASSERT_TRUE(PageCompound(mm, test_pte_pfn(PG(33))));
	ASSERT_EQ(kfp_migrate_page(mm, PG(33)), -EINVAL);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(test_pte_pfn(PG(16)), mm->zero_pfn);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- reclaim ----------------------------------------------------------------- */

TEST(reclaim_anon_page_goes_to_swap_and_comes_back_with_its_content)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn, back;

	test_subscribe();
	pfn = anon_page(PG(16), 0xabc);
	/* [W] -> [s] -> read fault -> [R] */
	ASSERT_EQ(kfp_reclaim(mm, PG(16), PG(1)), 1);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_SWAP);
	ASSERT_EQ(pte_at(mm, PG(16))->pfn, KFP_NO_PFN32);
	ASSERT_EQ(pte_at(mm, PG(16))->swap_content, 0xabc);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_SWAP_CACHE), 0);
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	ASSERT_EQ(test_notifier()->starts_with_pte_present, 1);
	ASSERT_EQ(test_read(PG(16)), 0xabc);
	test_draw(PG(16), PG(17));
	back = test_pte_pfn(PG(16));
	ASSERT_NE(back, KFP_PFN_NONE);
	ASSERT_FALSE(pte_at(mm, PG(16))->writable);
	ASSERT_EQ(page_count(mm, back), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, back, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_FALSE(mm->page[back].flags & PG_swapcache);
	test_write(PG(16), 0xabd);
	ASSERT_EQ(test_pte_pfn(PG(16)), back);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(reclaim_file_page_is_written_back_and_dropped_from_the_page_cache)
{
	struct kfp_mm *mm = test_mm();
	int file = test_object(KFP_OBJECT_FILE, 2);
	kfp_pfn_t pfn;

	test_subscribe();
	test_mmap(PG(16), 2, RW, KFP_MAP_SHARED, KFP_BACKING_FILE, file, 0);
	test_write(PG(17), 0x77);
	pfn = test_pte_pfn(PG(17));
	ASSERT_EQ(mm->object[file].stored[1], 0);
	/* [.W] -> [..], page cache empty, file holds 0x77 */
	ASSERT_EQ(kfp_reclaim(mm, PG(16), PG(2)), 1);
	test_draw(PG(16), PG(18));
	ASSERT_EQ(pte_at(mm, PG(17))->kind, KFP_PTE_NONE);
	ASSERT_EQ(mm->object[file].stored[1], 0x77);
	ASSERT_EQ(mm->object[file].pfn[1], KFP_NO_PFN16);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_PAGE_CACHE), 0);
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(17), PG(18));
	ASSERT_EQ(test_read(PG(17)), 0x77);
	ASSERT_NE(mm->object[file].pfn[1], KFP_NO_PFN16);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(reclaim_skips_pinned_anon_page_without_notifier)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_subscribe();
	pfn = anon_page(PG(16), 1);
	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_PIN, KFP_OWNER_HOST_GUP), 0);
	/* [W pinned] stays [W]: shrink_folio_list() keeps it before unmapping */
	ASSERT_EQ(kfp_reclaim(mm, PG(16), PG(1)), 0);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_TRUE(pte_at(mm, PG(16))->writable);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_FALSE(mm->page[pfn].flags & PG_swapcache);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_SWAP_CACHE), 0);
	unpin_user_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(reclaim_anon_page_with_extra_reference_stays_in_swap_cache)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_subscribe();
	pfn = anon_page(PG(16), 0x99);
	get_page(mm, pfn, KFP_OWNER_HOST_GUP);
	/* [W +ref] -> [s -> swap cache page] -> fault maps the same page */
	ASSERT_EQ(kfp_reclaim(mm, PG(16), PG(1)), 1);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_SWAP);
	ASSERT_EQ(pte_at(mm, PG(16))->pfn, pfn);
	ASSERT_FALSE(kfp_page_is_free(mm, pfn));
	ASSERT_TRUE(mm->page[pfn].flags & PG_swapcache);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_SWAP_CACHE), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	/* the holder writes through its reference; the refault sees it */
	kfp_pfn_write(mm, pfn, 0x9a);
	ASSERT_EQ(test_read(PG(16)), 0x9a);
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_SWAP_CACHE), 0);
	put_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(reclaim_pinned_file_page_is_unmapped_but_kept_in_the_page_cache)
{
	struct kfp_mm *mm = test_mm();
	int file = test_object(KFP_OBJECT_FILE, 1);
	kfp_pfn_t pfn;

	test_subscribe();
	test_mmap(PG(16), 1, RW, KFP_MAP_SHARED, KFP_BACKING_FILE, file, 0);
	test_write(PG(16), 0x44);
	pfn = test_pte_pfn(PG(16));
	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_PIN, KFP_OWNER_HOST_GUP), 0);
	/*
	 * [W pinned] -> [.]; shrink_folio_list(): unmapped, then
	 * folio_maybe_dma_pinned() -> activate_locked
	 */
	kfp_reclaim(mm, PG(16), PG(1));
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	ASSERT_EQ(mm->object[file].pfn[0], pfn);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_CACHE), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_EQ(page_count(mm, pfn), 1 + GUP_PIN_COUNTING_BIAS);
	ASSERT_EQ(test_read(PG(16)), 0x44);
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	unpin_user_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- fork ---------------------------------------------------------------------- */

TEST(fork_write_protects_the_parent_and_shares_the_page_with_the_child)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 3);
	pfn = test_pte_pfn(PG(16));
	/* before: [W.]  after: [R.] (child shares the page) */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(kfp_fork(mm), 0);
	test_draw(PG(16), PG(18));
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_FALSE(pte_at(mm, PG(16))->writable);
	ASSERT_FALSE(mm->page[pfn].flags & PG_anon_exclusive);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_CHILD_MM), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	/* copy_page_range(): one range over the whole CoW VMA */
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_PROTECTION_PAGE, PG(16), PG(18));
	ASSERT_EQ(test_notifier()->starts_with_pte_present, 1);
	ASSERT_EQ(kfp_child_exit(mm), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(parent_write_after_fork_copies_the_page_and_child_keeps_the_old)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t old, copy;

	test_subscribe();
	old = anon_page(PG(16), 10);
	ASSERT_EQ(kfp_fork(mm), 0);
	test_write(PG(16), 11);
	/* [R old] -> [W copy]; the child still sees 10 in old */
	test_draw(PG(16), PG(17));
	copy = test_pte_pfn(PG(16));
	ASSERT_NE(copy, old);
	ASSERT_TRUE(pte_at(mm, PG(16))->writable);
	ASSERT_EQ(mm->page[copy].content, 11);
	ASSERT_EQ(mm->page[old].content, 10);
	ASSERT_EQ(page_count(mm, old), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, old, KFP_OWNER_CHILD_MM), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, old, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_EQ(kfp_ledger_refs(mm, copy, KFP_OWNER_PAGE_TABLE), 1);
	/* fork's bracket, then wp_page_copy()'s */
	ASSERT_EQ(test_notifier()->nr, 4);
	assert_bracket(2, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	ASSERT_EQ(kfp_child_exit(mm), 1);
	ASSERT_TRUE(kfp_page_is_free(mm, old));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(fork_copies_a_pinned_anon_page_for_the_child_at_once)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;
	unsigned int i;
	int child_pfn = -1;

	test_subscribe();
	pfn = anon_page(PG(16), 0x5a);
	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_PIN, KFP_OWNER_HOST_GUP), 0);
	/* [W pinned] stays [W]; the child gets its own copy */
	ASSERT_EQ(kfp_fork(mm), 0);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_TRUE(pte_at(mm, PG(16))->writable);
	ASSERT_TRUE(mm->page[pfn].flags & PG_anon_exclusive);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_CHILD_MM), 0);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_CHILD_MM), 1);
	for (i = 0; i < mm->ledger.nr_entries; i++)
		if (mm->ledger.entry[i].owner == KFP_OWNER_CHILD_MM)
			child_pfn = mm->ledger.entry[i].pfn;
	ASSERT_GE(child_pfn, 0);
	ASSERT_NE(child_pfn, pfn);
	ASSERT_EQ(mm->page[child_pfn].content, 0x5a);
	ASSERT_EQ(page_count(mm, child_pfn), 1);
	ASSERT_EQ(kfp_child_exit(mm), 1);
	ASSERT_TRUE(kfp_page_is_free(mm, child_pfn));
	unpin_user_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(child_exit_drops_every_child_reference)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t a, b;

	test_mmap(PG(16), 3, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	test_write(PG(18), 2);
	a = test_pte_pfn(PG(16));
	b = test_pte_pfn(PG(18));
	ASSERT_EQ(kfp_fork(mm), 0);
	ASSERT_EQ(kfp_fork(mm), 0);
	/* [R.R], each page held by the parent pte and twice by children */
	test_draw(PG(16), PG(19));
	ASSERT_EQ(page_count(mm, a), 3);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_CHILD_MM), 4);
	ASSERT_EQ(kfp_child_exit(mm), 4);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_CHILD_MM), 0);
	ASSERT_EQ(page_count(mm, a), 1);
	ASSERT_EQ(page_count(mm, b), 1);
	ASSERT_EQ(kfp_child_exit(mm), 0);
	/* the parent's page is now its own again: written in place */
	test_write(PG(18), 3);
	ASSERT_EQ(test_pte_pfn(PG(18)), b);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(fork_does_not_copy_a_vma_without_anon_pages)
{
	struct kfp_mm *mm = test_mm();
	int file = test_object(KFP_OBJECT_FILE, 1);
	kfp_pfn_t cache;

	test_subscribe();
	test_mmap(PG(16), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_mmap(PG(20), 1, PROT_READ, 0, KFP_BACKING_FILE, file, 0);
	ASSERT_EQ(test_read(PG(16)), 0);
	ASSERT_EQ(test_read(PG(20)), 0);
	cache = test_pte_pfn(PG(20));
	/* [p] zero page, [R] page cache: mm/memory.c vma_needs_copy() says no */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_fork(mm), 0);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_CHILD_MM), 0);
	ASSERT_EQ(page_count(mm, cache), 2);
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 1);
	ASSERT_EQ(test_pte_pfn(PG(16)), mm->zero_pfn);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(fork_gives_the_child_references_on_shared_mixedmap_pages_without_notifier)
{
	struct kfp_mm *mm = test_mm();
	int drv = test_object(KFP_OBJECT_DRIVER_PAGES, 1);
	kfp_pfn_t pfn = mm->object[drv].pfn[0];

	test_subscribe();
	test_mmap(PG(16), 1, RW, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_MIXEDMAP, drv, 0);
	/* [W] shared: not a CoW mapping, stays writable */
	ASSERT_EQ(kfp_fork(mm), 0);
	test_draw(PG(16), PG(17));
	ASSERT_TRUE(pte_at(mm, PG(16))->writable);
	ASSERT_EQ(page_count(mm, pfn), 3);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_CHILD_MM), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_DRIVER), 1);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(kfp_child_exit(mm), 1);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- KSM ----------------------------------------------------------------------- */

TEST(ksm_merges_a_page_of_zeroes_into_the_zero_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_subscribe();
	pfn = anon_page(PG(16), 0);
	/* [W zeroes] -> [p zero page, dirty] */
	ASSERT_EQ(kfp_ksm_merge(mm, PG(16)), 0);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(test_pte_pfn(PG(16)), mm->zero_pfn);
	ASSERT_TRUE(pte_at(mm, PG(16))->special);
	ASSERT_FALSE(pte_at(mm, PG(16))->writable);
	ASSERT_TRUE(pte_at(mm, PG(16))->dirty);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 1);
	/* write_protect_page() and replace_page(), each its own range */
	ASSERT_EQ(test_notifier()->nr, 4);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	assert_bracket(2, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	ASSERT_EQ(test_notifier()->starts_with_pte_present, 2);
	test_write(PG(16), 8);
	ASSERT_NE(test_pte_pfn(PG(16)), mm->zero_pfn);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(ksm_refuses_a_page_with_an_extra_reference)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_subscribe();
	pfn = anon_page(PG(16), 0);
	get_page(mm, pfn, KFP_OWNER_HOST_GUP);
	/* [W +ref] stays [W]: mapcount + 1 != page_count */
	ASSERT_EQ(kfp_ksm_merge(mm, PG(16)), -EBUSY);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_TRUE(pte_at(mm, PG(16))->writable);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	put_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(ksm_refuses_a_page_with_non_zero_content)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_subscribe();
	pfn = anon_page(PG(16), 1);
	/* [W 1] stays; no notifier */
	ASSERT_EQ(kfp_ksm_merge(mm, PG(16)), -EBUSY);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_TRUE(pte_at(mm, PG(16))->writable);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(kfp_ksm_merge(mm, PG(40)), -EFAULT);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- driver revoke ------------------------------------------------------------- */

TEST(revoke_device_mmio_zaps_ptes_and_released_memory_reads_poison)
{
	struct kfp_mm *mm = test_mm();
	int mmio = test_object(KFP_OBJECT_DEVICE_MMIO, 2);
	kfp_pfn_t pfn = mm->object[mmio].pfn[1];
	u32 gen = mm->page[pfn].generation;
	u64 value;

	test_subscribe();
	test_mmap(PG(16), 2, RW, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_PFNMAP, mmio, 0);
	test_write(PG(17), 0xdead);
	ASSERT_EQ(kfp_pfn_read(mm, pfn), 0xdead);
	/* [PP] -> [..], device memory gone */
	ASSERT_EQ(kfp_driver_revoke(mm, mmio), 0);
	test_draw(PG(16), PG(18));
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(pte_at(mm, PG(17))->kind, KFP_PTE_NONE);
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(18));
	ASSERT_EQ(test_notifier()->starts_with_pte_present, 1);
	ASSERT_TRUE(mm->object[mmio].released);
	ASSERT_TRUE(mm->page[pfn].flags & PG_released);
	ASSERT_EQ(mm->page[pfn].generation, gen + 1);
	ASSERT_EQ(kfp_pfn_read(mm, pfn), KFP_POISON_FREE);
	/* the VMA stays; faults there are SIGBUS */
	ASSERT_TRUE(vma_lookup(mm, PG(17)) != NULL);
	ASSERT_EQ(kfp_host_read(mm, PG(17), &value), -EFAULT);
	ASSERT_EQ(pte_at(mm, PG(17))->kind, KFP_PTE_NONE);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(revoke_driver_pages_zaps_then_frees_unreferenced_pages)
{
	struct kfp_mm *mm = test_mm();
	int drv = test_object(KFP_OBJECT_DRIVER_PAGES, 2);
	kfp_pfn_t a = mm->object[drv].pfn[0], b = mm->object[drv].pfn[1];
	u64 value;

	test_subscribe();
	test_mmap(PG(16), 2, RW, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_MIXEDMAP, drv, 0);
	get_page(mm, b, KFP_OWNER_HOST_GUP);
	/* [WW] -> [..]; a is freed, b lives on while the GUP user holds it */
	ASSERT_EQ(kfp_driver_revoke(mm, drv), 0);
	test_draw(PG(16), PG(18));
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(18));
	ASSERT_TRUE(kfp_page_is_free(mm, a));
	ASSERT_FALSE(kfp_page_is_free(mm, b));
	ASSERT_EQ(page_count(mm, b), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, b, KFP_OWNER_DRIVER), 0);
	ASSERT_EQ(kfp_ledger_refs(mm, b, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_EQ(kfp_host_read(mm, PG(16), &value), -EFAULT);
	put_page(mm, b, KFP_OWNER_HOST_GUP);
	ASSERT_TRUE(kfp_page_is_free(mm, b));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(revoke_ttm_frees_the_whole_non_compound_block)
{
	struct kfp_mm *mm = test_mm();
	int ttm = test_object(KFP_OBJECT_TTM, 4);
	kfp_pfn_t head = mm->object[ttm].pfn[0];
	unsigned int i;
	u64 value;

	test_subscribe();
	test_mmap(PG(16), 4, RW, KFP_MAP_SHARED, KFP_BACKING_MIXEDMAP, ttm, 0);
	ASSERT_EQ(kfp_host_read(mm, PG(18), &value), 0);
	/* .. P . : vmf_insert_mixed() maps a special pte, no reference */
	test_draw(PG(16), PG(20));
	ASSERT_TRUE(pte_at(mm, PG(18))->special);
	ASSERT_EQ(page_ref_count(mm, head + 2), 0);
	ASSERT_EQ(kfp_driver_revoke(mm, ttm), 0);
	test_draw(PG(16), PG(20));
	ASSERT_EQ(pte_at(mm, PG(18))->kind, KFP_PTE_NONE);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(20));
	for (i = 0; i < 4; i++)
		ASSERT_TRUE(kfp_page_is_free(mm, head + i));
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_DRIVER), 0);
	ASSERT_EQ(kfp_host_read(mm, PG(18), &value), -EFAULT);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(revoke_reserved_memory_releases_it_but_keeps_the_kernel_reference)
{
	struct kfp_mm *mm = test_mm();
	int rsv = test_object(KFP_OBJECT_RESERVED, 1);
	kfp_pfn_t pfn = mm->object[rsv].pfn[0];

	test_subscribe();
	test_mmap(PG(16), 1, RW, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_PFNMAP, rsv, 0);
	test_write(PG(16), 0x11);
	ASSERT_TRUE(PageReserved(mm, pfn));
	/* [P] -> [.] */
	ASSERT_EQ(kfp_driver_revoke(mm, rsv), 0);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_NONE);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	ASSERT_TRUE(mm->page[pfn].flags & PG_released);
	ASSERT_EQ(kfp_pfn_read(mm, pfn), KFP_POISON_FREE);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_KERNEL), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(revoke_zone_device_pages_frees_them_back_to_the_device)
{
	struct kfp_mm *mm = test_mm();
	int zd = test_object(KFP_OBJECT_ZONE_DEVICE, 1);
	kfp_pfn_t pfn = mm->object[zd].pfn[0];
	u64 value;

	test_subscribe();
	test_mmap(PG(16), 1, RW, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_MIXEDMAP, zd, 0);
	test_write(PG(16), 0x22);
	ASSERT_TRUE(is_zone_device_page(mm, pfn));
	/* vm_insert_page(): a ZONE_DEVICE page is refcounted, the pte holds a reference */
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	/* [W] -> [.]; the zap drops the pte's reference, the driver's is the last */
	ASSERT_EQ(kfp_driver_revoke(mm, zd), 0);
	test_draw(PG(16), PG(17));
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(page_count(mm, pfn), 0);
	ASSERT_EQ(kfp_pfn_read(mm, pfn), KFP_POISON_FREE);
	ASSERT_EQ(kfp_host_read(mm, PG(16), &value), -EFAULT);
	/* device memory is never handed out by the page allocator */
	test_mmap(PG(32), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(32), 1);
	ASSERT_NE(test_pte_pfn(PG(32)), pfn);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(revoke_misuse_returns_enodev_ebadf_einval)
{
	struct kfp_mm *mm = test_mm();
	int mmio = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	int shm = test_object(KFP_OBJECT_SHMEM, 1);

	test_subscribe();
	test_mmap(PG(16), 1, RW, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_PFNMAP, mmio, 0);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_driver_revoke(mm, mmio), 0);
	ASSERT_EQ(test_notifier()->nr, 2);
	ASSERT_EQ(kfp_driver_revoke(mm, mmio), -ENODEV);
	ASSERT_EQ(kfp_driver_revoke(mm, shm), -EINVAL);
	ASSERT_EQ(kfp_driver_revoke(mm, 9), -EBADF);
	ASSERT_EQ(kfp_driver_revoke(mm, -1), -EBADF);
	ASSERT_EQ(kfp_driver_revoke(mm, KFP_MAX_OBJECTS), -EBADF);
	ASSERT_EQ(test_notifier()->nr, 2);
	ASSERT_FALSE(mm->object[shm].released);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- host access through an hva ------------------------------------------------- */

TEST(host_write_then_read_through_an_hva_sees_the_value)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_mmap(PG(16), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	/* . -> [W] */
	test_write(PG(16) + 0x10, 0xfeed);
	test_draw(PG(16), PG(17));
	pfn = test_pte_pfn(PG(16));
	ASSERT_EQ(mm->page[pfn].content, 0xfeed);
	ASSERT_EQ(test_read(PG(16) + 0x800), 0xfeed);
	ASSERT_TRUE(pte_at(mm, PG(16))->dirty);
	ASSERT_TRUE(pte_at(mm, PG(16))->accessed);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(host_read_of_untouched_anon_memory_maps_the_zero_page)
{
	struct kfp_mm *mm = test_mm();

	test_mmap(PG(16), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(test_read(PG(16)), 0);
	/* . -> [p] */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(test_pte_pfn(PG(16)), mm->zero_pfn);
	ASSERT_TRUE(pte_at(mm, PG(16))->special);
	ASSERT_FALSE(pte_at(mm, PG(16))->writable);
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(host_access_to_unmapped_or_read_only_memory_is_efault)
{
	struct kfp_mm *mm = test_mm();
	u64 value = 0;

	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_ANON, -1, 0);
	/* [.] read-only; 17 unmapped */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(kfp_host_write(mm, PG(16), 1), -EFAULT);
	ASSERT_EQ(kfp_host_read(mm, PG(17), &value), -EFAULT);
	ASSERT_EQ(kfp_host_read(mm, KFP_HVA_LIMIT, &value), -EFAULT);
	ASSERT_EQ(kfp_host_read(mm, 0, &value), -EFAULT);
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(host_access_to_device_memory_reads_and_writes_the_pfn)
{
	struct kfp_mm *mm = test_mm();
	int mmio = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	kfp_pfn_t pfn = mm->object[mmio].pfn[0];

	test_mmap(PG(16), 1, RW, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, mmio, 0);
	test_write(PG(16), 0x600d);
	/* . -> [P]: vmf_insert_pfn() on the first touch */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_TRUE(pte_at(mm, PG(16))->special);
	ASSERT_EQ(kfp_pfn_read(mm, pfn), 0x600d);
	ASSERT_EQ(test_read(PG(16)), 0x600d);
	ASSERT_EQ(mm->ledger.nr_entries, 2);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- memory failure ------------------------------------------------------------ */

TEST(memory_failure_replaces_mappings_by_hwpoison_entries)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;
	u64 value;

	test_subscribe();
	pfn = anon_page(PG(16), 3);
	/* [W] -> [x] */
	ASSERT_EQ(kfp_memory_failure(mm, pfn), 0);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_HWPOISON);
	ASSERT_TRUE(PageHWPoison(mm, pfn));
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_EQ(page_count(mm, pfn), 0);
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(17));
	ASSERT_EQ(test_notifier()->starts_with_pte_present, 1);
	ASSERT_EQ(kfp_host_read(mm, PG(16), &value), -EHWPOISON);
	ASSERT_EQ(kfp_host_write(mm, PG(16), 1), -EHWPOISON);
	ASSERT_EQ(kfp_memory_failure(mm, pfn), -EHWPOISON);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(memory_failure_page_is_never_reallocated)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;
	unsigned int i;

	pfn = anon_page(PG(16), 3);
	ASSERT_EQ(kfp_memory_failure(mm, pfn), 0);
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(1)), 0);
	/* the lowest free pfn is the poisoned one; the allocator skips it */
	test_mmap(PG(32), 8, RW, 0, KFP_BACKING_ANON, -1, 0);
	for (i = 0; i < 8; i++) {
		test_write(PG(32 + i), i);
		ASSERT_NE(test_pte_pfn(PG(32 + i)), pfn);
	}
	test_draw(PG(32), PG(40));
	ASSERT_TRUE(PageHWPoison(mm, pfn));
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(memory_failure_of_a_page_cache_page_poisons_later_faults)
{
	struct kfp_mm *mm = test_mm();
	int shm = test_object(KFP_OBJECT_SHMEM, 1);
	kfp_pfn_t pfn;
	u64 value;

	test_mmap(PG(16), 1, RW, KFP_MAP_SHARED, KFP_BACKING_SHARED, shm, 0);
	test_write(PG(16), 5);
	pfn = test_pte_pfn(PG(16));
	ASSERT_EQ(kfp_memory_failure(mm, pfn), 0);
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(1)), 0);
	test_mmap(PG(16), 1, RW, KFP_MAP_SHARED, KFP_BACKING_SHARED, shm, 0);
	/* [.]: the cache still holds the poisoned page; the fault reports it */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_host_read(mm, PG(16), &value), -EHWPOISON);
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_CACHE), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(memory_failure_of_a_pfn_without_struct_page_is_enxio)
{
	struct kfp_mm *mm = test_mm();
	int mmio = test_object(KFP_OBJECT_DEVICE_MMIO, 1);

	test_subscribe();
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_memory_failure(mm, mm->object[mmio].pfn[0]), -ENXIO);
	ASSERT_EQ(kfp_memory_failure(mm, KFP_NR_PFNS), -ENXIO);
	ASSERT_EQ(kfp_memory_failure(mm, KFP_PFN_NONE), -ENXIO);
	ASSERT_FALSE(PageHWPoison(mm, mm->object[mmio].pfn[0]));
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- signals ------------------------------------------------------------------- */

TEST(signal_pending_until_delivered_and_fatal_is_not_downgraded)
{
	struct kfp_mm *mm = test_mm();

	ASSERT_FALSE(signal_pending(mm));
	kfp_send_signal(mm, 0, false);
	ASSERT_TRUE(signal_pending(mm));
	ASSERT_FALSE(fatal_signal_pending(mm));
	kfp_send_signal(mm, 0, true);
	kfp_send_signal(mm, 0, false);
	ASSERT_TRUE(fatal_signal_pending(mm));
	ASSERT_EQ(mm->signal[0], KFP_SIGNAL_FATAL);
	kfp_signal_delivered(mm, 0);
	ASSERT_FALSE(signal_pending(mm));
	/* another thread's signal is not ours; bad thread numbers are ignored */
	kfp_send_signal(mm, 1, true);
	kfp_send_signal(mm, KFP_MAX_THREADS, true);
	kfp_send_signal(mm, -1, true);
	ASSERT_FALSE(signal_pending(mm));
	ASSERT_EQ(mm->signal[1], KFP_SIGNAL_FATAL);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(host_read_that_waits_for_io_with_a_fatal_signal_is_eintr)
{
	struct kfp_mm *mm = test_mm();
	int file = test_object(KFP_OBJECT_FILE, 1);
	u64 value = 0;

	mm->object[file].stored[0] = 0x1;
	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_FILE, file, 0);
	kfp_send_signal(mm, 0, true);
	/* [.]: the read-in is abandoned, nothing enters the page cache */
	ASSERT_EQ(kfp_host_read(mm, PG(16), &value), -EINTR);
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(mm->object[file].pfn[0], KFP_NO_PFN16);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	kfp_signal_delivered(mm, 0);
	ASSERT_EQ(test_read(PG(16)), 0x1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(host_read_with_a_non_fatal_signal_still_completes)
{
	struct kfp_mm *mm = test_mm();
	int file = test_object(KFP_OBJECT_FILE, 1);

	mm->object[file].stored[0] = 0x2;
	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_FILE, file, 0);
	kfp_send_signal(mm, 0, false);
	/* . -> [R]: a user fault is killable, not interruptible */
	ASSERT_EQ(test_read(PG(16)), 0x2);
	test_draw(PG(16), PG(17));
	ASSERT_NE(test_pte_pfn(PG(16)), KFP_PFN_NONE);
	ASSERT_TRUE(signal_pending(mm));
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}
