// SPDX-License-Identifier: GPL-2.0
/*
 * Host operations on the address space: mmap, munmap, mprotect,
 * madvise(MADV_DONTNEED) and mremap, with the ptes, references and mmu
 * notifier calls each one leaves behind, and the error codes Linux gives
 * for their misuse.
 *
 * Pictures: one column per page, as test_draw() prints them.
 *   W/R writable/read-only page, P/p special pte, s swap, m migration,
 *   x hwpoison, - PROT_NONE, . none; [ ] a VMA.
 */
#include "../lib/mm_fixture.h"

static int vma_count(struct kfp_mm *mm)
{
	int i, n = 0;

	for (i = 0; i < KFP_MAX_VMAS; i++)
		n += mm->vma[i].in_use;
	return n;
}

static struct kfp_mmap_args anon_args(u64 addr, u64 pages)
{
	return (struct kfp_mmap_args){
		.addr = addr,
		.len = PG(pages),
		.prot = RW,
		.backing = KFP_BACKING_ANON,
		.object = -1,
	};
}

/* Write-fault every page of [start, start + pages) with value index + 1. */
static void fill(u64 start, unsigned int pages)
{
	unsigned int i;

	for (i = 0; i < pages; i++)
		test_write(start + PG(i), i + 1);
}

/* ---- mmap ---------------------------------------------------------------- */

TEST(mmap_anon_creates_vma_but_no_ptes)
{
	struct kfp_mm *mm = test_mm();
	struct kfp_vma *vma;

	test_subscribe();
	test_mmap(PG(16), 4, RW, 0, KFP_BACKING_ANON, -1, 0);
	/*
	 * 16   20
	 * [....]
	 */
	test_draw(PG(16), PG(20));
	vma = vma_lookup(mm, PG(18));
	ASSERT_TRUE(vma != NULL);
	ASSERT_EQ(vma->vm_start, PG(16));
	ASSERT_EQ(vma->vm_end, PG(20));
	ASSERT_EQ(vma->vm_flags, VM_READ | VM_WRITE);
	ASSERT_TRUE(vma_lookup(mm, PG(20)) == NULL);
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mmap_sets_vm_flags_for_every_backing)
{
	struct kfp_mm *mm = test_mm();
	int shm = test_object(KFP_OBJECT_SHMEM, 4);
	int file = test_object(KFP_OBJECT_FILE, 4);
	int huge = test_object(KFP_OBJECT_HUGETLB, 4);
	int mmio = test_object(KFP_OBJECT_DEVICE_MMIO, 4);
	int drv = test_object(KFP_OBJECT_DRIVER_PAGES, 4);

	test_mmap(PG(8), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_mmap(PG(16), 2, RW, KFP_MAP_HUGEPAGE, KFP_BACKING_ANON, -1, 0);
	test_mmap(PG(24), 2, RW, KFP_MAP_SHARED, KFP_BACKING_SHARED, shm, 0);
	test_mmap(PG(32), 2, PROT_READ, 0, KFP_BACKING_FILE, file, 0);
	test_mmap(PG(40), 4, RW, KFP_MAP_SHARED, KFP_BACKING_HUGETLB, huge, 0);
	test_mmap(PG(48), 2, RW, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, mmio, 0);
	test_mmap(PG(56), 2, RW, KFP_MAP_SHARED, KFP_BACKING_MIXEDMAP, drv, 0);
	/*
	 * 8  16  24  32  40    48  56
	 * [.][.] [.] [.] [....][.] [.]
	 */
	test_draw(PG(8), PG(10));
	ASSERT_EQ(vma_lookup(mm, PG(8))->vm_flags, VM_READ | VM_WRITE);
	ASSERT_EQ(vma_lookup(mm, PG(16))->vm_flags, VM_READ | VM_WRITE | VM_HUGEPAGE);
	ASSERT_EQ(vma_lookup(mm, PG(24))->vm_flags, VM_READ | VM_WRITE | VM_SHARED);
	ASSERT_EQ(vma_lookup(mm, PG(32))->vm_flags, VM_READ);
	ASSERT_EQ(vma_lookup(mm, PG(40))->vm_flags, VM_READ | VM_WRITE | VM_SHARED | VM_HUGETLB);
	ASSERT_EQ(vma_lookup(mm, PG(48))->vm_flags,
		  VM_READ | VM_WRITE | VM_SHARED | VM_IO | VM_PFNMAP);
	ASSERT_EQ(vma_lookup(mm, PG(56))->vm_flags, VM_READ | VM_WRITE | VM_SHARED | VM_MIXEDMAP);
	ASSERT_EQ(vma_lookup(mm, PG(41))->object, huge);
	ASSERT_EQ(vma_count(mm), 7);
	/* without KFP_MAP_POPULATE no driver pte exists yet */
	ASSERT_EQ(pte_at(mm, PG(48))->kind, KFP_PTE_NONE);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mmap_populate_pfnmap_maps_special_ptes_without_references)
{
	struct kfp_mm *mm = test_mm();
	int mmio = test_object(KFP_OBJECT_DEVICE_MMIO, 4);
	kfp_pfn_t base = mm->object[mmio].pfn[0];
	unsigned int i;

	test_mmap(PG(32), 3, RW, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_PFNMAP, mmio, 1);
	/*
	 * 32  35
	 * [PPP]   pfns object[1..3]
	 */
	test_draw(PG(32), PG(35));
	for (i = 0; i < 3; i++) {
		const struct kfp_pte *pte = pte_at(mm, PG(32 + i));

		ASSERT_EQ(pte->kind, KFP_PTE_PRESENT);
		ASSERT_EQ(pte->pfn, base + 1 + i);
		ASSERT_TRUE(pte->special);
		ASSERT_TRUE(pte->writable);
		ASSERT_FALSE(pfn_valid(mm, pte->pfn));
	}
	ASSERT_EQ(mm->ledger.nr_entries, 2); /* kernel page and zero page only */
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mmap_populate_mixedmap_of_driver_pages_takes_page_table_references)
{
	struct kfp_mm *mm = test_mm();
	int drv = test_object(KFP_OBJECT_DRIVER_PAGES, 2);
	kfp_pfn_t pfn0 = mm->object[drv].pfn[0], pfn1 = mm->object[drv].pfn[1];

	test_subscribe();
	test_mmap(PG(32), 2, PROT_READ, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_MIXEDMAP,
		  drv, 0);
	/*
	 * 32 34
	 * [RR]   vm_insert_page(): normal ptes, refcounted
	 */
	test_draw(PG(32), PG(34));
	ASSERT_EQ(pte_at(mm, PG(32))->pfn, pfn0);
	ASSERT_FALSE(pte_at(mm, PG(32))->special);
	ASSERT_FALSE(pte_at(mm, PG(33))->writable);
	ASSERT_EQ(page_count(mm, pfn1), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn1, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn1, KFP_OWNER_DRIVER), 1);
	/* populating a new mapping invalidates nothing */
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(kfp_munmap(mm, PG(32), PG(2)), 0);
	ASSERT_EQ(page_count(mm, pfn0), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn0, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mmap_fixed_over_mapped_range_unmaps_old_pages_in_one_unmap_range)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t old;

	test_subscribe();
	test_mmap(PG(16), 4, RW, 0, KFP_BACKING_ANON, -1, 0);
	fill(PG(16), 4);
	old = test_pte_pfn(PG(18));
	/*
	 * before:  16   20      after MAP_FIXED [17, 19):
	 *          [WWWW]       [W][..][W]
	 */
	test_draw(PG(16), PG(20));
	test_mmap(PG(17), 2, PROT_READ, KFP_MAP_FIXED, KFP_BACKING_ANON, -1, 0);
	test_draw(PG(16), PG(20));
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_UNMAP, PG(17), PG(19));
	ASSERT_EQ(test_notifier()->starts_with_pte_present, 1);
	ASSERT_TRUE(kfp_page_is_free(mm, old));
	ASSERT_EQ(pte_at(mm, PG(17))->kind, KFP_PTE_NONE);
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_PRESENT);
	ASSERT_EQ(pte_at(mm, PG(19))->kind, KFP_PTE_PRESENT);
	ASSERT_EQ(vma_lookup(mm, PG(17))->vm_flags, VM_READ);
	ASSERT_EQ(vma_lookup(mm, PG(16))->vm_end, PG(17));
	ASSERT_EQ(vma_lookup(mm, PG(19))->vm_start, PG(19));
	ASSERT_EQ(vma_count(mm), 3);
	ASSERT_EQ(mm->active_invalidations, 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mmap_over_mapped_range_without_fixed_is_eexist_and_changes_nothing)
{
	struct kfp_mm *mm = test_mm();
	struct kfp_mmap_args args = anon_args(PG(18), 4);
	kfp_pfn_t pfn;

	test_subscribe();
	test_mmap(PG(16), 4, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(19), 7);
	pfn = test_pte_pfn(PG(19));
	/*
	 * 16   20  22
	 * [...W]
	 *   [xxxx]     refused: the model's MAP_FIXED_NOREPLACE
	 */
	test_draw(PG(16), PG(22));
	ASSERT_EQ(kfp_mmap(mm, &args), -EEXIST);
	ASSERT_EQ(test_pte_pfn(PG(19)), pfn);
	ASSERT_EQ(test_read(PG(19)), 7);
	ASSERT_TRUE(vma_lookup(mm, PG(21)) == NULL);
	ASSERT_EQ(vma_count(mm), 1);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mmap_unaligned_address_or_zero_length_is_einval)
{
	struct kfp_mm *mm = test_mm();
	struct kfp_mmap_args args = anon_args(PG(16) + 8, 1);

	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_mmap(mm, &args), -EINVAL);
	args = anon_args(PG(16), 0);
	ASSERT_EQ(kfp_mmap(mm, &args), -EINVAL);
	ASSERT_EQ(vma_count(mm), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mmap_outside_the_address_space_is_enomem)
{
	struct kfp_mm *mm = test_mm();
	struct kfp_mmap_args args = anon_args(KFP_HVA_LIMIT - PG(1), 2);

	/* [LIMIT-1, LIMIT+1): runs off the end of the address space */
	test_draw(KFP_HVA_LIMIT - PG(1), KFP_HVA_LIMIT);
	ASSERT_EQ(kfp_mmap(mm, &args), -ENOMEM);
	args = anon_args(0, 1);
	ASSERT_EQ(kfp_mmap(mm, &args), -ENOMEM);
	args = anon_args(KFP_HVA_LIMIT - PG(1), 1);
	ASSERT_EQ(kfp_mmap(mm, &args), 0);
	ASSERT_EQ(vma_count(mm), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mmap_of_a_bad_object_is_ebadf)
{
	struct kfp_mm *mm = test_mm();
	struct kfp_mmap_args args = {
		.addr = PG(16),
		.len = PG(1),
		.prot = RW,
		.flags = KFP_MAP_SHARED,
		.backing = KFP_BACKING_SHARED,
		.object = 5, /* never created */
	};

	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_mmap(mm, &args), -EBADF);
	args.object = -1;
	ASSERT_EQ(kfp_mmap(mm, &args), -EBADF);
	args.object = KFP_MAX_OBJECTS;
	ASSERT_EQ(kfp_mmap(mm, &args), -EBADF);
	ASSERT_EQ(vma_count(mm), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mmap_driver_backing_of_a_page_cache_object_is_einval)
{
	struct kfp_mm *mm = test_mm();
	int shm = test_object(KFP_OBJECT_SHMEM, 2);
	struct kfp_mmap_args args = {
		.addr = PG(16),
		.len = PG(2),
		.prot = RW,
		.flags = KFP_MAP_SHARED | KFP_MAP_POPULATE,
		.backing = KFP_BACKING_MIXEDMAP,
		.object = shm,
	};

	/* shmem has no driver mmap(): nothing may be populated from its empty cache */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(kfp_mmap(mm, &args), -EINVAL);
	args.backing = KFP_BACKING_PFNMAP;
	ASSERT_EQ(kfp_mmap(mm, &args), -EINVAL);
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(vma_count(mm), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mmap_when_the_vma_table_is_full_is_enomem)
{
	struct kfp_mm *mm = test_mm();
	struct kfp_mmap_args args;
	unsigned int i;

	for (i = 0; i < KFP_MAX_VMAS; i++)
		test_mmap(PG(16 + 2 * i), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	/* [.] [.] ... [.]  every slot used */
	test_draw(PG(16), PG(20));
	args = anon_args(PG(200), 1);
	ASSERT_EQ(kfp_mmap(mm, &args), -ENOMEM);
	ASSERT_TRUE(vma_lookup(mm, PG(200)) == NULL);
	ASSERT_EQ(vma_count(mm), KFP_MAX_VMAS);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mmap_of_a_revoked_driver_object_is_enodev)
{
	struct kfp_mm *mm = test_mm();
	int mmio = test_object(KFP_OBJECT_DEVICE_MMIO, 2);
	struct kfp_mmap_args args = {
		.addr = PG(16),
		.len = PG(2),
		.prot = RW,
		.flags = KFP_MAP_SHARED,
		.backing = KFP_BACKING_PFNMAP,
		.object = mmio,
	};

	ASSERT_EQ(kfp_driver_revoke(mm, mmio), 0);
	test_draw(PG(16), PG(18));
	ASSERT_EQ(kfp_mmap(mm, &args), -ENODEV);
	/* a driver refuses a range past its memory */
	args.object = test_object(KFP_OBJECT_DEVICE_MMIO, 2);
	args.pgoff = 1;
	ASSERT_EQ(kfp_mmap(mm, &args), -EINVAL);
	ASSERT_EQ(vma_count(mm), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- munmap -------------------------------------------------------------- */

TEST(munmap_whole_vma_frees_its_pages_after_one_unmap_range)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t a, b;

	test_subscribe();
	test_mmap(PG(16), 4, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	test_write(PG(19), 2);
	a = test_pte_pfn(PG(16));
	b = test_pte_pfn(PG(19));
	/*
	 * before: [W..W]   after: ......
	 */
	test_draw(PG(16), PG(20));
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(4)), 0);
	test_draw(PG(16), PG(20));
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_UNMAP, PG(16), PG(20));
	ASSERT_EQ(test_notifier()->starts_with_pte_present, 1);
	ASSERT_TRUE(kfp_page_is_free(mm, a));
	ASSERT_TRUE(kfp_page_is_free(mm, b));
	ASSERT_EQ(mm->page[a].content, KFP_POISON_FREE);
	ASSERT_EQ(pte_at(mm, PG(19))->kind, KFP_PTE_NONE);
	ASSERT_EQ(vma_count(mm), 0);
	ASSERT_EQ(kfp_ledger_refs(mm, a, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(munmap_front_part_shrinks_the_vma)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t kept;

	test_subscribe();
	test_mmap(PG(16), 4, RW, 0, KFP_BACKING_ANON, -1, 0);
	fill(PG(16), 4);
	kept = test_pte_pfn(PG(18));
	/*
	 * before: 16   20     after: 16 18 20
	 *         [WWWW]             .. [WW]
	 */
	test_draw(PG(16), PG(20));
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(2)), 0);
	test_draw(PG(16), PG(20));
	assert_bracket(0, MMU_NOTIFY_UNMAP, PG(16), PG(18));
	ASSERT_EQ(test_notifier()->nr, 2);
	ASSERT_TRUE(vma_lookup(mm, PG(17)) == NULL);
	ASSERT_EQ(vma_lookup(mm, PG(18))->vm_start, PG(18));
	ASSERT_EQ(vma_lookup(mm, PG(18))->vm_end, PG(20));
	ASSERT_EQ(test_pte_pfn(PG(18)), kept);
	ASSERT_EQ(test_read(PG(19)), 4);
	ASSERT_EQ(vma_count(mm), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(munmap_middle_splits_the_vma_in_two)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t gone;

	test_subscribe();
	test_mmap(PG(16), 5, RW, 0, KFP_BACKING_ANON, -1, 0);
	fill(PG(16), 5);
	gone = test_pte_pfn(PG(18));
	/*
	 * before: 16    21     after: 16  18  19  21
	 *         [WWWWW]             [WW] .  [WW]
	 */
	test_draw(PG(16), PG(21));
	ASSERT_EQ(kfp_munmap(mm, PG(18), PG(1)), 0);
	test_draw(PG(16), PG(21));
	assert_bracket(0, MMU_NOTIFY_UNMAP, PG(18), PG(19));
	ASSERT_TRUE(kfp_page_is_free(mm, gone));
	ASSERT_EQ(vma_count(mm), 2);
	ASSERT_EQ(vma_lookup(mm, PG(17))->vm_end, PG(18));
	ASSERT_EQ(vma_lookup(mm, PG(19))->vm_start, PG(19));
	ASSERT_EQ(vma_lookup(mm, PG(20))->vm_end, PG(21));
	ASSERT_EQ(test_read(PG(17)), 2);
	ASSERT_EQ(test_read(PG(19)), 4);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(munmap_across_two_vmas_and_a_hole_sends_one_range)
{
	struct kfp_mm *mm = test_mm();

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_mmap(PG(20), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	fill(PG(16), 2);
	fill(PG(20), 2);
	/*
	 * 16  18  20  22
	 * [WW] .. [WW]      munmap [17, 21)
	 */
	test_draw(PG(16), PG(22));
	ASSERT_EQ(kfp_munmap(mm, PG(17), PG(4)), 0);
	test_draw(PG(16), PG(22));
	/* mm/memory.c unmap_vmas(): one range over the whole request */
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_UNMAP, PG(17), PG(21));
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_PRESENT);
	ASSERT_EQ(pte_at(mm, PG(21))->kind, KFP_PTE_PRESENT);
	ASSERT_EQ(pte_at(mm, PG(17))->kind, KFP_PTE_NONE);
	ASSERT_EQ(pte_at(mm, PG(20))->kind, KFP_PTE_NONE);
	ASSERT_EQ(vma_count(mm), 2);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(munmap_of_a_hole_is_a_no_op_without_notifier)
{
	struct kfp_mm *mm = test_mm();

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	/* 16  18  20   [..] ..  munmap [18, 20): nothing there */
	test_draw(PG(16), PG(20));
	ASSERT_EQ(kfp_munmap(mm, PG(18), PG(2)), 0);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(mm->stats.nr_invalidate_start, 0);
	ASSERT_EQ(vma_count(mm), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(munmap_zero_length_or_unaligned_or_out_of_range_is_einval)
{
	struct kfp_mm *mm = test_mm();

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_draw(PG(16), PG(18));
	ASSERT_EQ(kfp_munmap(mm, PG(16), 0), -EINVAL);
	ASSERT_EQ(kfp_munmap(mm, PG(16) + 1, PG(1)), -EINVAL);
	ASSERT_EQ(kfp_munmap(mm, KFP_HVA_LIMIT - PG(1), PG(2)), -EINVAL);
	ASSERT_EQ(vma_count(mm), 1);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(munmap_of_file_mapping_drops_pte_reference_and_keeps_page_cache)
{
	struct kfp_mm *mm = test_mm();
	int file = test_object(KFP_OBJECT_FILE, 2);
	kfp_pfn_t pfn;

	mm->object[file].stored[1] = 0x55;
	test_subscribe();
	test_mmap(PG(16), 2, PROT_READ, KFP_MAP_SHARED, KFP_BACKING_FILE, file, 0);
	ASSERT_EQ(test_read(PG(17)), 0x55);
	pfn = test_pte_pfn(PG(17));
	/* [.R] -> .. ; the page stays in the page cache */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(2)), 0);
	assert_bracket(0, MMU_NOTIFY_UNMAP, PG(16), PG(18));
	ASSERT_FALSE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_CACHE), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_EQ(mm->object[file].pfn[1], pfn);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(munmap_that_needs_a_split_with_a_full_vma_table_is_enomem)
{
	struct kfp_mm *mm = test_mm();
	unsigned int i;
	kfp_pfn_t pfn;

	test_subscribe();
	for (i = 0; i < KFP_MAX_VMAS; i++)
		test_mmap(PG(16 + 4 * i), 3, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(17), 9);
	pfn = test_pte_pfn(PG(17));
	/* [.W.] [...] ...  full table; munmap [17, 18) needs two more VMAs */
	test_draw(PG(16), PG(19));
	ASSERT_EQ(kfp_munmap(mm, PG(17), PG(1)), -ENOMEM);
	ASSERT_EQ(test_pte_pfn(PG(17)), pfn);
	ASSERT_EQ(test_read(PG(17)), 9);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(vma_count(mm), KFP_MAX_VMAS);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(munmap_inside_a_huge_page_of_hugetlb_is_einval)
{
	struct kfp_mm *mm = test_mm();
	int huge = test_object(KFP_OBJECT_HUGETLB, 8);

	test_subscribe();
	test_mmap(PG(32), 8, RW, KFP_MAP_SHARED, KFP_BACKING_HUGETLB, huge, 0);
	test_write(PG(33), 3);
	/* 32       40    [WR..|....] hugetlb splits only at huge page boundaries */
	test_draw(PG(32), PG(40));
	ASSERT_EQ(kfp_munmap(mm, PG(33), PG(1)), -EINVAL);
	ASSERT_EQ(test_read(PG(33)), 3);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(kfp_munmap(mm, PG(36), PG(4)), 0);
	ASSERT_EQ(vma_lookup(mm, PG(35))->vm_end, PG(36));
	assert_bracket(0, MMU_NOTIFY_UNMAP, PG(36), PG(40));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- mprotect ------------------------------------------------------------ */

TEST(mprotect_read_only_write_protects_present_ptes)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_subscribe();
	test_mmap(PG(16), 4, RW, 0, KFP_BACKING_ANON, -1, 0);
	fill(PG(16), 4);
	pfn = test_pte_pfn(PG(17));
	/*
	 * before: [WWWW]   after mprotect([17,19), R): [W][RR][W]
	 */
	test_draw(PG(16), PG(20));
	ASSERT_EQ(kfp_mprotect(mm, PG(17), PG(2), PROT_READ), 0);
	test_draw(PG(16), PG(20));
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_PROTECTION_VMA, PG(17), PG(19));
	ASSERT_EQ(test_notifier()->starts_with_pte_present, 1);
	ASSERT_FALSE(pte_at(mm, PG(17))->writable);
	ASSERT_FALSE(pte_at(mm, PG(18))->writable);
	ASSERT_TRUE(pte_at(mm, PG(16))->writable);
	ASSERT_TRUE(pte_at(mm, PG(19))->writable);
	ASSERT_EQ(test_pte_pfn(PG(17)), pfn);
	ASSERT_EQ(vma_lookup(mm, PG(17))->vm_flags, VM_READ);
	ASSERT_EQ(vma_count(mm), 3);
	ASSERT_EQ(kfp_host_write(mm, PG(17), 5), -EFAULT);
	ASSERT_EQ(test_read(PG(17)), 2);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mprotect_none_makes_ptes_inaccessible_but_keeps_the_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn, out;
	bool writable;
	u64 value;

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	fill(PG(16), 2);
	pfn = test_pte_pfn(PG(16));
	/* [WW] -> [--] */
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(2), PROT_NONE), 0);
	test_draw(PG(16), PG(18));
	assert_bracket(0, MMU_NOTIFY_PROTECTION_VMA, PG(16), PG(18));
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_PRESENT);
	ASSERT_TRUE(pte_at(mm, PG(16))->protnone);
	ASSERT_EQ(pte_at(mm, PG(16))->pfn, pfn);
	ASSERT_FALSE(kfp_host_translate(mm, PG(16), &out, &writable));
	ASSERT_EQ(kfp_host_read(mm, PG(16), &value), -EFAULT);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mprotect_none_then_read_write_again_gives_back_the_same_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_subscribe();
	test_mmap(PG(16), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 77);
	pfn = test_pte_pfn(PG(16));
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(1), PROT_NONE), 0);
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(1), RW), 0);
	/* [W] -> [-] -> [R]: write permission returns through a write fault */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(test_notifier()->nr, 4);
	assert_bracket(2, MMU_NOTIFY_PROTECTION_VMA, PG(16), PG(17));
	ASSERT_FALSE(pte_at(mm, PG(16))->protnone);
	ASSERT_FALSE(pte_at(mm, PG(16))->writable);
	ASSERT_EQ(test_read(PG(16)), 77);
	test_write(PG(16), 78);
	/* exclusive anon page: reused, not copied */
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_TRUE(pte_at(mm, PG(16))->writable);
	ASSERT_EQ(mm->page[pfn].content, 78);
	ASSERT_EQ(vma_lookup(mm, PG(16))->vm_flags, VM_READ | VM_WRITE);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/*
 * mm/mprotect.c mprotect_fixup(): a VMA that already has the protection is
 * left alone: no split, no change_protection(), so no mmu notifier and no
 * pte change.  Only the VMA whose protection changes is split and notified.
 */
TEST(mprotect_to_the_same_protection_is_a_no_op)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_mmap(PG(18), 2, PROT_READ, 0, KFP_BACKING_ANON, -1, 0);
	fill(PG(16), 2);
	pfn = test_pte_pfn(PG(17));
	/*
	 * 16  18  20
	 * [WW][..]   mprotect([17, 19), RW): [WW][RW][.] -- only 18 changes
	 */
	test_draw(PG(16), PG(20));
	ASSERT_EQ(kfp_mprotect(mm, PG(17), PG(2), RW), 0);
	test_draw(PG(16), PG(20));
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(vma_lookup(mm, PG(16)), vma_lookup(mm, PG(17)));
	ASSERT_EQ(vma_lookup(mm, PG(18))->vm_flags, VM_READ | VM_WRITE);
	ASSERT_EQ(vma_lookup(mm, PG(19))->vm_flags, VM_READ);
	ASSERT_EQ(vma_count(mm), 3);
	ASSERT_TRUE(pte_at(mm, PG(17))->writable);
	ASSERT_EQ(test_pte_pfn(PG(17)), pfn);
	/* a real change notifies; doing it again does not */
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(2), PROT_READ), 0);
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_PROTECTION_VMA, PG(16), PG(18));
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(2), PROT_READ), 0);
	ASSERT_EQ(test_notifier()->nr, 2);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mprotect_over_a_hole_is_enomem_after_changing_the_vma_before_it)
{
	struct kfp_mm *mm = test_mm();

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_mmap(PG(20), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	fill(PG(16), 2);
	fill(PG(20), 2);
	/*
	 * 16  18  20  22
	 * [WW] .. [WW]   mprotect([16, 22), R): [RR] .. [WW], -ENOMEM
	 */
	test_draw(PG(16), PG(22));
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(6), PROT_READ), -ENOMEM);
	test_draw(PG(16), PG(22));
	/* mm/mprotect.c do_mprotect_pkey(): VMAs before the hole keep the change */
	ASSERT_EQ(vma_lookup(mm, PG(16))->vm_flags, VM_READ);
	ASSERT_FALSE(pte_at(mm, PG(17))->writable);
	ASSERT_EQ(vma_lookup(mm, PG(20))->vm_flags, VM_READ | VM_WRITE);
	ASSERT_TRUE(pte_at(mm, PG(20))->writable);
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_PROTECTION_VMA, PG(16), PG(18));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mprotect_starting_in_a_hole_is_enomem_and_changes_nothing)
{
	struct kfp_mm *mm = test_mm();

	test_subscribe();
	test_mmap(PG(18), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	fill(PG(18), 2);
	/* 16  18  20   .. [WW]   mprotect([16, 20), R) */
	test_draw(PG(16), PG(20));
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(4), PROT_READ), -ENOMEM);
	ASSERT_EQ(vma_lookup(mm, PG(18))->vm_flags, VM_READ | VM_WRITE);
	ASSERT_TRUE(pte_at(mm, PG(18))->writable);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(vma_count(mm), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mprotect_misuse_returns_linux_error_codes)
{
	struct kfp_mm *mm = test_mm();

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	test_draw(PG(16), PG(18));
	ASSERT_EQ(kfp_mprotect(mm, PG(16) + 4, PG(1), PROT_READ), -EINVAL);
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(1), 0x8), -EINVAL);
	ASSERT_EQ(kfp_mprotect(mm, PG(16), 0, PROT_READ), 0);
	ASSERT_EQ(kfp_mprotect(mm, KFP_HVA_LIMIT - PG(1), PG(2), PROT_READ), -ENOMEM);
	ASSERT_EQ(kfp_mprotect(mm, 0, PG(1), PROT_READ), -ENOMEM);
	ASSERT_TRUE(pte_at(mm, PG(16))->writable);
	ASSERT_EQ(vma_lookup(mm, PG(16))->vm_flags, VM_READ | VM_WRITE);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mprotect_of_a_vma_without_ptes_sends_no_notifier)
{
	struct kfp_mm *mm = test_mm();

	test_subscribe();
	test_mmap(PG(16), 4, RW, 0, KFP_BACKING_ANON, -1, 0);
	/* [....]: change_pud_range() starts its range at the first page table */
	test_draw(PG(16), PG(20));
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(4), PROT_READ), 0);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(vma_lookup(mm, PG(16))->vm_flags, VM_READ);
	ASSERT_EQ(kfp_host_write(mm, PG(16), 1), -EFAULT);
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- madvise(MADV_DONTNEED) ---------------------------------------------- */

TEST(madvise_dontneed_frees_anon_pages_and_refault_reads_zero_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	fill(PG(16), 2);
	pfn = test_pte_pfn(PG(17));
	/* [WW] -> [W.] -> read fault: [Wp] */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(kfp_madvise_dontneed(mm, PG(17), PG(1)), 0);
	test_draw(PG(16), PG(18));
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(17), PG(18));
	ASSERT_EQ(test_notifier()->starts_with_pte_present, 1);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(pte_at(mm, PG(17))->kind, KFP_PTE_NONE);
	ASSERT_EQ(vma_count(mm), 1);
	ASSERT_EQ(test_read(PG(17)), 0);
	ASSERT_EQ(test_pte_pfn(PG(17)), mm->zero_pfn);
	ASSERT_TRUE(pte_at(mm, PG(17))->special);
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(madvise_dontneed_of_file_mapping_keeps_the_page_cache_page)
{
	struct kfp_mm *mm = test_mm();
	int shm = test_object(KFP_OBJECT_SHMEM, 2);
	kfp_pfn_t pfn;

	test_subscribe();
	test_mmap(PG(16), 2, RW, KFP_MAP_SHARED, KFP_BACKING_SHARED, shm, 0);
	test_write(PG(16), 31);
	pfn = test_pte_pfn(PG(16));
	ASSERT_EQ(page_count(mm, pfn), 2);
	/* [W.] -> [..] -> [R.] with the same page */
	ASSERT_EQ(kfp_madvise_dontneed(mm, PG(16), PG(2)), 0);
	test_draw(PG(16), PG(18));
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(18));
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_CACHE), 1);
	ASSERT_TRUE(mm->page[pfn].flags & PG_dirty);
	ASSERT_EQ(test_read(PG(16)), 31);
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(madvise_dontneed_on_pfnmap_is_einval_and_keeps_ptes)
{
	struct kfp_mm *mm = test_mm();
	int mmio = test_object(KFP_OBJECT_DEVICE_MMIO, 2);

	test_subscribe();
	test_mmap(PG(16), 2, RW, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_PFNMAP, mmio, 0);
	/* [PP]: madvise_dontneed_free_valid_vma() refuses VM_PFNMAP */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(kfp_madvise_dontneed(mm, PG(16), PG(2)), -EINVAL);
	ASSERT_EQ(test_pte_pfn(PG(16)), mm->object[mmio].pfn[0]);
	ASSERT_TRUE(pte_at(mm, PG(17))->special);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/*
 * mm/madvise.c madvise_dontneed_free_valid_vma() on hugetlb: a start inside
 * a huge page is -EINVAL; the end is rounded down to a huge page, so a
 * length that covers part of one leaves it mapped (and one shorter than a
 * huge page zaps nothing, with no notifier).
 */
TEST(madvise_dontneed_on_hugetlb_zaps_whole_huge_pages_only)
{
	struct kfp_mm *mm = test_mm();
	int huge = test_object(KFP_OBJECT_HUGETLB, 8);
	unsigned int i;

	test_subscribe();
	test_mmap(PG(32), 8, RW, KFP_MAP_SHARED, KFP_BACKING_HUGETLB, huge, 0);
	for (i = 0; i < 8; i++)
		test_write(PG(32 + i), i + 1);
	/* 32       40    [WWWW|WWWW] */
	test_draw(PG(32), PG(40));
	ASSERT_EQ(kfp_madvise_dontneed(mm, PG(33), PG(3)), -EINVAL);
	ASSERT_EQ(kfp_madvise_dontneed(mm, PG(36), PG(3)), 0);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(pte_at(mm, PG(36))->kind, KFP_PTE_PRESENT);
	/* [32, 38) -> [32, 36): [....|WWWW] */
	ASSERT_EQ(kfp_madvise_dontneed(mm, PG(32), PG(6)), 0);
	test_draw(PG(32), PG(40));
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(32), PG(36));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(pte_at(mm, PG(32 + i))->kind, KFP_PTE_NONE);
	for (i = 4; i < 8; i++)
		ASSERT_EQ(pte_at(mm, PG(32 + i))->kind, KFP_PTE_PRESENT);
	/* the page cache keeps the huge page: a refault reads what was written */
	ASSERT_EQ(test_read(PG(33)), 2);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(madvise_dontneed_misuse_returns_linux_error_codes)
{
	struct kfp_mm *mm = test_mm();

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	test_draw(PG(16), PG(18));
	ASSERT_EQ(kfp_madvise_dontneed(mm, PG(16) + 1, PG(1)), -EINVAL);
	ASSERT_EQ(kfp_madvise_dontneed(mm, PG(16), 0), 0);
	ASSERT_EQ(kfp_madvise_dontneed(mm, KFP_HVA_LIMIT - PG(1), PG(2)), -ENOMEM);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(test_read(PG(16)), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(madvise_dontneed_over_a_hole_zaps_the_mapped_part_and_is_enomem)
{
	struct kfp_mm *mm = test_mm();

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_mmap(PG(20), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	fill(PG(16), 2);
	fill(PG(20), 2);
	/* [WW] .. [WW]  -> [..] .. [..], -ENOMEM for the hole */
	test_draw(PG(16), PG(22));
	ASSERT_EQ(kfp_madvise_dontneed(mm, PG(16), PG(6)), -ENOMEM);
	test_draw(PG(16), PG(22));
	ASSERT_EQ(test_notifier()->nr, 4);
	assert_bracket(0, MMU_NOTIFY_CLEAR, PG(16), PG(18));
	assert_bracket(2, MMU_NOTIFY_CLEAR, PG(20), PG(22));
	ASSERT_EQ(pte_at(mm, PG(21))->kind, KFP_PTE_NONE);
	ASSERT_EQ(vma_count(mm), 2);
	ASSERT_EQ(mm->ledger.nr_entries, 2);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- mremap -------------------------------------------------------------- */

TEST(mremap_moves_ptes_and_keeps_pfns_and_references)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t a, b;

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	fill(PG(16), 2);
	a = test_pte_pfn(PG(16));
	b = test_pte_pfn(PG(17));
	/*
	 * before: 16  18 ... 32  34     after: 16  18 ... 32  34
	 *         [WW]       ..                ..         [WW]
	 */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(kfp_mremap(mm, PG(16), PG(2), PG(32)), 0);
	test_draw(PG(32), PG(34));
	ASSERT_EQ(test_notifier()->nr, 2);
	assert_bracket(0, MMU_NOTIFY_UNMAP, PG(16), PG(18));
	ASSERT_EQ(test_notifier()->starts_with_pte_present, 1);
	ASSERT_TRUE(vma_lookup(mm, PG(16)) == NULL);
	ASSERT_EQ(pte_at(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(test_pte_pfn(PG(32)), a);
	ASSERT_EQ(test_pte_pfn(PG(33)), b);
	ASSERT_TRUE(pte_at(mm, PG(33))->writable);
	ASSERT_EQ(vma_lookup(mm, PG(33))->vm_start, PG(32));
	ASSERT_EQ(vma_lookup(mm, PG(33))->vm_end, PG(34));
	ASSERT_EQ(page_count(mm, a), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, b, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_EQ(test_read(PG(33)), 2);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mremap_of_part_of_a_file_vma_keeps_the_file_offset)
{
	struct kfp_mm *mm = test_mm();
	int file = test_object(KFP_OBJECT_FILE, 4);

	mm->object[file].stored[2] = 0x22;
	mm->object[file].stored[3] = 0x33;
	test_mmap(PG(16), 4, PROT_READ, 0, KFP_BACKING_FILE, file, 0);
	/* [....] -> [..]  and [..] at 40 mapping file pages 2, 3 */
	ASSERT_EQ(kfp_mremap(mm, PG(18), PG(2), PG(40)), 0);
	test_draw(PG(40), PG(42));
	ASSERT_EQ(vma_lookup(mm, PG(40))->pgoff, 2);
	ASSERT_EQ(vma_lookup(mm, PG(17))->vm_end, PG(18));
	ASSERT_EQ(test_read(PG(41)), 0x33);
	ASSERT_EQ(test_read(PG(40)), 0x22);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mremap_onto_a_mapping_unmaps_the_target_first)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t moved, target;

	test_subscribe();
	test_mmap(PG(16), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_mmap(PG(32), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	test_write(PG(32), 2);
	moved = test_pte_pfn(PG(16));
	target = test_pte_pfn(PG(32));
	/* [W] ... [W]  ->  . ... [W(moved)] */
	test_draw(PG(32), PG(33));
	ASSERT_EQ(kfp_mremap(mm, PG(16), PG(1), PG(32)), 0);
	ASSERT_EQ(test_notifier()->nr, 4);
	assert_bracket(0, MMU_NOTIFY_UNMAP, PG(32), PG(33));
	assert_bracket(2, MMU_NOTIFY_UNMAP, PG(16), PG(17));
	ASSERT_TRUE(kfp_page_is_free(mm, target));
	ASSERT_EQ(test_pte_pfn(PG(32)), moved);
	ASSERT_EQ(vma_count(mm), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mremap_with_overlapping_ranges_is_einval)
{
	struct kfp_mm *mm = test_mm();

	test_subscribe();
	test_mmap(PG(16), 4, RW, 0, KFP_BACKING_ANON, -1, 0);
	fill(PG(16), 4);
	/* [WWWW]: [16, 20) onto [18, 22) overlaps */
	test_draw(PG(16), PG(20));
	ASSERT_EQ(kfp_mremap(mm, PG(16), PG(4), PG(18)), -EINVAL);
	ASSERT_EQ(kfp_mremap(mm, PG(18), PG(2), PG(17)), -EINVAL);
	ASSERT_EQ(kfp_mremap(mm, PG(16) + 1, PG(1), PG(40)), -EINVAL);
	ASSERT_EQ(kfp_mremap(mm, PG(16), PG(1), PG(40) + 1), -EINVAL);
	ASSERT_EQ(kfp_mremap(mm, PG(16), 0, PG(40)), -EINVAL);
	ASSERT_EQ(kfp_mremap(mm, PG(16), PG(2), KFP_HVA_LIMIT - PG(1)), -EINVAL);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(test_read(PG(19)), 4);
	ASSERT_EQ(vma_count(mm), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(mremap_of_an_unmapped_or_too_long_range_is_efault)
{
	struct kfp_mm *mm = test_mm();

	test_subscribe();
	test_mmap(PG(16), 2, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_mmap(PG(40), 1, RW, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(40), 4);
	/* [..] .. : [20, 22) has no VMA; [16, 19) runs past the VMA end */
	test_draw(PG(16), PG(22));
	ASSERT_EQ(kfp_mremap(mm, PG(20), PG(2), PG(40)), -EFAULT);
	ASSERT_EQ(kfp_mremap(mm, PG(16), PG(3), PG(40)), -EFAULT);
	/* the target is untouched when the source is bad */
	ASSERT_EQ(test_read(PG(40)), 4);
	ASSERT_EQ(test_notifier()->nr, 0);
	ASSERT_EQ(vma_count(mm), 2);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}
