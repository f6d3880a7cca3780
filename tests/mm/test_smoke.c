// SPDX-License-Identifier: GPL-2.0
#include "../lib/mm_fixture.h"

TEST(mm_init_has_zero_page_and_reserved_kernel_page)
{
	struct kfp_mm *mm = test_mm();

	ASSERT_TRUE(is_zero_pfn(mm, mm->zero_pfn));
	ASSERT_TRUE(PageReserved(mm, mm->zero_pfn));
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 1);
	ASSERT_TRUE(pfn_valid(mm, 0));
	ASSERT_FALSE(pfn_valid(mm, KFP_NR_RAM_PFNS));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(anon_write_fault_allocates_and_munmap_frees)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;

	test_subscribe();
	test_mmap(PG(16), 4, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(17), 42);
	/*
	 *   0x10000 |.| vma 0
	 *   0x11000 |W| vma 0  pfn 2
	 */
	test_draw(PG(16), PG(18));
	pfn = test_pte_pfn(PG(17));
	ASSERT_NE(pfn, KFP_PFN_NONE);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_EQ(test_read(PG(17)), 42);
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(4)), 0);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(test_notifier()->nr, 2);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}
