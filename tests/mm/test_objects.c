// SPDX-License-Identifier: GPL-2.0
/*
 * Memory objects (mm/init.c kfp_memory_object_create()): what each kind
 * looks like when created, and how bad arguments and exhaustion fail.
 */
#include <string.h>

#include "../lib/mm_fixture.h"

static unsigned int nr_free_ram(struct kfp_mm *mm)
{
	unsigned int n = 0;
	kfp_pfn_t pfn;

	for (pfn = 0; pfn < KFP_NR_RAM_PFNS; pfn++)
		if (kfp_page_is_free(mm, pfn))
			n++;
	return n;
}

/* Each page of object @id knows its object and index. */
static void assert_back_pointers(struct kfp_mm *mm, int id)
{
	const struct kfp_memory_object *object = &mm->object[id];
	unsigned int i;

	for (i = 0; i < object->nr_pages; i++) {
		ASSERT_EQ(mm->page[object->pfn[i]].object, id);
		ASSERT_EQ(mm->page[object->pfn[i]].index, i);
	}
}

TEST(object_shmem_starts_with_no_resident_pages)
{
	struct kfp_mm *mm = test_mm();
	unsigned int free_before = nr_free_ram(mm), i;
	int id = test_object(KFP_OBJECT_SHMEM, 4);

	ASSERT_EQ(id, 0);
	ASSERT_TRUE(mm->object[id].in_use);
	ASSERT_EQ(mm->object[id].kind, KFP_OBJECT_SHMEM);
	ASSERT_EQ(mm->object[id].nr_pages, 4);
	for (i = 0; i < KFP_OBJECT_MAX_PAGES; i++)
		ASSERT_EQ(mm->object[id].pfn[i], KFP_NO_PFN16);
	ASSERT_EQ(nr_free_ram(mm), free_before);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(object_file_starts_with_no_page_cache)
{
	struct kfp_mm *mm = test_mm();
	unsigned int free_before = nr_free_ram(mm);
	int id = test_object(KFP_OBJECT_FILE, 3);

	ASSERT_EQ(mm->object[id].kind, KFP_OBJECT_FILE);
	ASSERT_EQ(mm->object[id].pfn[0], KFP_NO_PFN16);
	ASSERT_EQ(mm->object[id].pfn[2], KFP_NO_PFN16);
	ASSERT_EQ(mm->object[id].stored[0], 0);
	ASSERT_EQ(nr_free_ram(mm), free_before);
	ASSERT_NO_REPORTS();
}

TEST(object_hugetlb_preallocates_compound_folios_in_page_cache)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_HUGETLB, 2 * KFP_HUGE_NR);
	const struct kfp_memory_object *object = &mm->object[id];
	unsigned int i;

	/* pfns 2-3 are free but not aligned for an order-2 folio */
	ASSERT_EQ(object->pfn[0], 4);
	ASSERT_EQ(object->pfn[KFP_HUGE_NR], 4 + KFP_HUGE_NR);
	for (i = 0; i < 2 * KFP_HUGE_NR; i++) {
		kfp_pfn_t pfn = object->pfn[i];
		kfp_pfn_t head = object->pfn[i - i % KFP_HUGE_NR];

		ASSERT_EQ(pfn, 4 + i);
		ASSERT_TRUE(mm->page[pfn].flags & PG_hugetlb);
		ASSERT_TRUE(mm->page[pfn].flags & PG_pagecache);
		ASSERT_EQ(compound_head_pfn(mm, pfn), head);
		ASSERT_EQ(page_count(mm, pfn), 1);
	}
	ASSERT_EQ(kfp_ledger_refs(mm, 4, KFP_OWNER_PAGE_CACHE), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, 8, KFP_OWNER_PAGE_CACHE), 1);
	assert_back_pointers(mm, id);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(object_device_mmio_gets_pfns_without_struct_page)
{
	struct kfp_mm *mm = test_mm();
	unsigned int free_before = nr_free_ram(mm), i;
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 3);

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(mm->object[id].pfn[i], KFP_NR_RAM_PFNS + i);
		ASSERT_FALSE(pfn_valid(mm, mm->object[id].pfn[i]));
	}
	ASSERT_EQ(mm->nr_device_pfns_used, 3);
	ASSERT_EQ(nr_free_ram(mm), free_before);
	assert_back_pointers(mm, id);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(object_driver_pages_are_refcounted_by_the_driver)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DRIVER_PAGES, 3);
	unsigned int i;

	for (i = 0; i < 3; i++) {
		kfp_pfn_t pfn = mm->object[id].pfn[i];

		ASSERT_EQ(pfn, 2 + i);
		ASSERT_EQ(page_count(mm, pfn), 1);
		ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_DRIVER), 1);
		ASSERT_FALSE(PageReserved(mm, pfn));
		ASSERT_FALSE(PageCompound(mm, pfn));
	}
	assert_back_pointers(mm, id);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(object_ttm_is_one_non_compound_block_with_refcount_zero_tails)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_TTM, 4);
	kfp_pfn_t first = mm->object[id].pfn[0];
	unsigned int i;

	ASSERT_EQ(first, 4);
	ASSERT_TRUE(mm->page[first].flags & PG_high_order);
	ASSERT_EQ(page_count(mm, first), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, first, KFP_OWNER_DRIVER), 1);
	for (i = 1; i < 4; i++) {
		ASSERT_EQ(mm->object[id].pfn[i], first + i);
		ASSERT_EQ(page_count(mm, first + i), 0);
		ASSERT_FALSE(PageCompound(mm, first + i));
	}
	assert_back_pointers(mm, id);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(object_ttm_of_one_page_is_an_order_zero_allocation)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_TTM, 1);

	ASSERT_EQ(mm->object[id].pfn[0], 2);
	ASSERT_FALSE(mm->page[2].flags & PG_high_order);
	ASSERT_EQ(page_count(mm, 2), 1);
	ASSERT_NO_REPORTS();
}

TEST(object_reserved_pages_are_pg_reserved_and_kernel_owned)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_RESERVED, 2);
	unsigned int i;

	for (i = 0; i < 2; i++) {
		kfp_pfn_t pfn = mm->object[id].pfn[i];

		ASSERT_TRUE(PageReserved(mm, pfn));
		ASSERT_EQ(mm->page[pfn].kind, KFP_PAGE_RESERVED);
		ASSERT_FALSE(is_zone_device_page(mm, pfn));
		ASSERT_EQ(page_count(mm, pfn), 1);
		ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_KERNEL), 1);
	}
	assert_back_pointers(mm, id);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(object_zone_device_pages_are_reserved_and_driver_owned)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_ZONE_DEVICE, 2);
	unsigned int i;

	for (i = 0; i < 2; i++) {
		kfp_pfn_t pfn = mm->object[id].pfn[i];

		ASSERT_TRUE(is_zone_device_page(mm, pfn));
		ASSERT_TRUE(PageReserved(mm, pfn));
		ASSERT_EQ(page_count(mm, pfn), 1);
		ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_DRIVER), 1);
	}
	assert_back_pointers(mm, id);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(object_with_zero_pages_is_einval)
{
	struct kfp_mm *mm = test_mm();

	ASSERT_EQ(kfp_memory_object_create(mm, KFP_OBJECT_SHMEM, 0), -EINVAL);
	ASSERT_FALSE(mm->object[0].in_use);
	ASSERT_NO_REPORTS();
}

TEST(object_with_too_many_pages_is_einval)
{
	struct kfp_mm *mm = test_mm();

	ASSERT_EQ(kfp_memory_object_create(mm, KFP_OBJECT_DRIVER_PAGES, KFP_OBJECT_MAX_PAGES + 1),
		  -EINVAL);
	ASSERT_GE(kfp_memory_object_create(mm, KFP_OBJECT_DRIVER_PAGES, KFP_OBJECT_MAX_PAGES), 0);
	ASSERT_NO_REPORTS();
}

TEST(object_ttm_of_non_power_of_two_pages_is_einval)
{
	struct kfp_mm *mm = test_mm();
	unsigned int free_before = nr_free_ram(mm);

	ASSERT_EQ(kfp_memory_object_create(mm, KFP_OBJECT_TTM, 3), -EINVAL);
	ASSERT_EQ(kfp_memory_object_create(mm, KFP_OBJECT_TTM, 6), -EINVAL);
	ASSERT_EQ(nr_free_ram(mm), free_before);
	ASSERT_GE(kfp_memory_object_create(mm, KFP_OBJECT_TTM, 8), 0);
	ASSERT_NO_REPORTS();
}

TEST(object_hugetlb_not_multiple_of_huge_page_is_einval)
{
	struct kfp_mm *mm = test_mm();

	ASSERT_EQ(kfp_memory_object_create(mm, KFP_OBJECT_HUGETLB, KFP_HUGE_NR - 1), -EINVAL);
	ASSERT_EQ(kfp_memory_object_create(mm, KFP_OBJECT_HUGETLB, KFP_HUGE_NR + 1), -EINVAL);
	ASSERT_FALSE(mm->object[0].in_use);
	ASSERT_NO_REPORTS();
}

TEST(object_of_unknown_kind_is_einval)
{
	struct kfp_mm *mm = test_mm();

	ASSERT_EQ(kfp_memory_object_create(mm, KFP_NR_OBJECT_KINDS, 1), -EINVAL);
	ASSERT_EQ(kfp_memory_object_create(mm, (enum kfp_memory_object_kind) - 1, 1), -EINVAL);
	ASSERT_FALSE(mm->object[0].in_use);
	ASSERT_NO_REPORTS();
}

TEST(object_table_full_is_enomem)
{
	struct kfp_mm *mm = test_mm();
	int i;

	for (i = 0; i < KFP_MAX_OBJECTS; i++)
		ASSERT_EQ(kfp_memory_object_create(mm, KFP_OBJECT_SHMEM, 1), i);
	ASSERT_EQ(kfp_memory_object_create(mm, KFP_OBJECT_SHMEM, 1), -ENOMEM);
	ASSERT_NO_REPORTS();
}

TEST(object_driver_pages_exhausting_memory_is_enomem_and_gives_pages_back)
{
	struct kfp_mm *mm = test_mm();
	unsigned int free_before;

	test_object(KFP_OBJECT_DRIVER_PAGES, 32);
	test_object(KFP_OBJECT_DRIVER_PAGES, 32);
	free_before = nr_free_ram(mm);
	ASSERT_EQ(free_before, KFP_NR_RAM_PFNS - 2 - 64);
	ASSERT_EQ(kfp_memory_object_create(mm, KFP_OBJECT_DRIVER_PAGES, 32), -ENOMEM);
	ASSERT_EQ(nr_free_ram(mm), free_before);
	ASSERT_FALSE(mm->object[2].in_use);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_DRIVER), 64);
	/* the slot is free again */
	ASSERT_EQ(test_object(KFP_OBJECT_DRIVER_PAGES, free_before), 2);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(object_hugetlb_exhausting_memory_is_enomem_and_gives_folios_back)
{
	struct kfp_mm *mm = test_mm();
	unsigned int free_before;

	test_object(KFP_OBJECT_DRIVER_PAGES, 32);
	test_object(KFP_OBJECT_DRIVER_PAGES, 32);
	free_before = nr_free_ram(mm);
	/* 30 free pages hold 7 aligned folios at most */
	ASSERT_EQ(kfp_memory_object_create(mm, KFP_OBJECT_HUGETLB, 32), -ENOMEM);
	ASSERT_EQ(nr_free_ram(mm), free_before);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_PAGE_CACHE), 0);
	ASSERT_FALSE(mm->object[2].in_use);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(object_zone_device_exhausting_memory_leaves_ram_allocatable)
{
	struct kfp_mm *mm = test_mm();
	unsigned int free_before;
	kfp_pfn_t pfn;

	test_object(KFP_OBJECT_DRIVER_PAGES, 32);
	test_object(KFP_OBJECT_DRIVER_PAGES, 32);
	free_before = nr_free_ram(mm);
	ASSERT_EQ(kfp_memory_object_create(mm, KFP_OBJECT_ZONE_DEVICE, 32), -ENOMEM);
	ASSERT_EQ(nr_free_ram(mm), free_before);
	/* the claimed pages went back as ordinary RAM, not as ZONE_DEVICE */
	pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	ASSERT_NE(pfn, KFP_PFN_NONE);
	ASSERT_EQ(mm->page[pfn].kind, KFP_PAGE_RAM);
	ASSERT_FALSE(PageReserved(mm, pfn));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(object_device_pfns_exhausted_is_enomem)
{
	struct kfp_mm *mm = test_mm();

	test_object(KFP_OBJECT_DEVICE_MMIO, KFP_NR_PFNS - KFP_NR_RAM_PFNS);
	ASSERT_EQ(kfp_memory_object_create(mm, KFP_OBJECT_DEVICE_MMIO, 1), -ENOMEM);
	ASSERT_FALSE(mm->object[1].in_use);
	ASSERT_EQ(kfp_alloc_device_pfns(mm, 1), KFP_PFN_NONE);
	ASSERT_NO_REPORTS();
}

TEST(object_ids_reuse_the_lowest_free_slot)
{
	struct kfp_mm *mm = test_mm();

	ASSERT_EQ(test_object(KFP_OBJECT_SHMEM, 1), 0);
	ASSERT_EQ(test_object(KFP_OBJECT_FILE, 1), 1);
	ASSERT_EQ(test_object(KFP_OBJECT_SHMEM, 1), 2);
	mm->object[1].in_use = 0;
	ASSERT_EQ(test_object(KFP_OBJECT_DRIVER_PAGES, 1), 1);
	ASSERT_EQ(mm->object[1].kind, KFP_OBJECT_DRIVER_PAGES);
	ASSERT_NO_REPORTS();
}

TEST(object_kind_names_cover_every_kind)
{
	struct kfp_mm *mm = test_mm();
	unsigned int kind;

	ASSERT_FALSE(mm->object[0].in_use);
	for (kind = 0; kind < KFP_NR_OBJECT_KINDS; kind++) {
		const char *name = kfp_memory_object_kind_name(kind);

		ASSERT_TRUE(name != NULL);
		ASSERT_NE(strcmp(name, "?"), 0);
	}
	ASSERT_EQ(strcmp(kfp_memory_object_kind_name(KFP_OBJECT_TTM), "ttm"), 0);
	ASSERT_EQ(strcmp(kfp_memory_object_kind_name(KFP_NR_OBJECT_KINDS), "?"), 0);
}
