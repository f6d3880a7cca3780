// SPDX-License-Identifier: GPL-2.0
/*
 * Physical memory: every page kind, references and pins, allocation,
 * freeing and reallocation (mm/page.c).
 *
 * After kfp_mm_init() pfn 0 is reserved kernel memory, pfn 1 the zero
 * page, pfns 2..95 free RAM and pfns 96..127 device memory without a
 * struct page; the allocator hands out the lowest free, naturally aligned
 * run, so the first order-0 allocation is pfn 2 and the first order-2 one
 * pfn 4.
 */
#include <string.h>

#include "../lib/mm_fixture.h"

static kfp_owner_t kvm_owner(struct kfp_mm *mm)
{
	return kfp_owner_register(mm, "kvm", KFP_OWNER_KIND_KVM);
}

static unsigned int nr_free_ram(struct kfp_mm *mm)
{
	unsigned int n = 0;
	kfp_pfn_t pfn;

	for (pfn = 0; pfn < KFP_NR_RAM_PFNS; pfn++)
		if (kfp_page_is_free(mm, pfn))
			n++;
	return n;
}

/* ---- normal RAM ----------------------------------------------------------- */

TEST(page_alloc_hands_out_lowest_free_pfn_with_one_reference)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	ASSERT_EQ(pfn, 2);
	ASSERT_FALSE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(page_ref_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_DRIVER), 1);
	ASSERT_FALSE(PageReserved(mm, pfn));
	ASSERT_FALSE(PageCompound(mm, pfn));
	ASSERT_FALSE(folio_test_large(mm, pfn));
	ASSERT_EQ(kfp_pfn_read(mm, pfn), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_get_and_put_on_ram_page_move_refcount_by_one)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	get_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_HOST_GUP), 1);
	put_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_HOST_GUP), 0);
	ASSERT_FALSE(kfp_page_is_free(mm, pfn));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_alloc_exhausted_returns_pfn_none)
{
	struct kfp_mm *mm = test_mm();
	unsigned int n = 0;

	while (kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER) != KFP_PFN_NONE)
		n++;
	ASSERT_EQ(n, KFP_NR_RAM_PFNS - 2);
	ASSERT_EQ(nr_free_ram(mm), 0);
	ASSERT_EQ(kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER), KFP_PFN_NONE);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_alloc_higher_order_is_naturally_aligned)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t small = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	kfp_pfn_t huge = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_DRIVER);

	ASSERT_EQ(small, 2);
	ASSERT_EQ(huge, 4);
	ASSERT_EQ(huge % KFP_HUGE_NR, 0);
	/* pfn 3 is left free and is the next order-0 allocation */
	ASSERT_EQ(kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER), 3);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- compound pages -------------------------------------------------------- */

TEST(page_compound_refcount_lives_on_head)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t head = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_DRIVER);
	unsigned int i;

	ASSERT_EQ(head, 4);
	ASSERT_TRUE(mm->page[head].flags & PG_head);
	for (i = 1; i < KFP_HUGE_NR; i++) {
		ASSERT_TRUE(mm->page[head + i].flags & PG_tail);
		ASSERT_EQ(compound_head_pfn(mm, head + i), head);
		ASSERT_EQ(page_count(mm, head + i), 1);
		ASSERT_EQ(page_ref_count(mm, head + i), 0);
		ASSERT_TRUE(PageCompound(mm, head + i));
		ASSERT_TRUE(folio_test_large(mm, head + i));
	}
	ASSERT_EQ(page_ref_count(mm, head), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_get_page_on_compound_tail_references_head)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t head = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_DRIVER);

	get_page(mm, head + 3, KFP_OWNER_HOST_GUP);
	ASSERT_EQ(page_ref_count(mm, head), 2);
	ASSERT_EQ(page_ref_count(mm, head + 3), 0);
	ASSERT_EQ(page_count(mm, head + 3), 2);
	/* the ledger files it under the head, whichever subpage was named */
	ASSERT_EQ(kfp_ledger_refs(mm, head, KFP_OWNER_HOST_GUP), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, head + 1, KFP_OWNER_HOST_GUP), 1);
	put_page(mm, head + 2, KFP_OWNER_HOST_GUP);
	ASSERT_EQ(page_ref_count(mm, head), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_compound_free_frees_every_subpage)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t head = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_DRIVER);
	u32 gen = mm->page[head + 2].generation;
	unsigned int i;

	kfp_pfn_write(mm, head + 2, 7);
	put_page(mm, head + 1, KFP_OWNER_DRIVER);
	for (i = 0; i < KFP_HUGE_NR; i++) {
		ASSERT_TRUE(kfp_page_is_free(mm, head + i));
		ASSERT_FALSE(mm->page[head + i].flags & (PG_head | PG_tail));
		ASSERT_EQ(compound_head_pfn(mm, head + i), head + i);
		ASSERT_EQ(kfp_pfn_read(mm, head + i), KFP_POISON_FREE);
	}
	ASSERT_EQ(mm->page[head + 2].generation, gen + 1);
	ASSERT_EQ(mm->stats.nr_frees, KFP_HUGE_NR);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- non-compound higher-order (TTM) --------------------------------------- */

TEST(page_ttm_tails_have_refcount_zero_and_are_their_own_head)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t first = kfp_alloc_pages(mm, 2, false, KFP_OWNER_DRIVER);
	unsigned int i;

	ASSERT_EQ(first, 4);
	ASSERT_TRUE(mm->page[first].flags & PG_high_order);
	ASSERT_EQ(mm->page[first].order, 2);
	ASSERT_EQ(page_count(mm, first), 1);
	for (i = 1; i < 4; i++) {
		ASSERT_EQ(compound_head_pfn(mm, first + i), first + i);
		ASSERT_EQ(page_count(mm, first + i), 0);
		ASSERT_FALSE(PageCompound(mm, first + i));
		ASSERT_FALSE(kfp_page_is_free(mm, first + i));
	}
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_ttm_tail_get_page_unless_zero_fails)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t first = kfp_alloc_pages(mm, 2, false, KFP_OWNER_DRIVER);

	ASSERT_FALSE(get_page_unless_zero(mm, first + 1, kvm));
	ASSERT_EQ(page_count(mm, first + 1), 0);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	/* the head has a count and may be taken */
	ASSERT_TRUE(get_page_unless_zero(mm, first, kvm));
	ASSERT_EQ(page_count(mm, first), 2);
	put_page(mm, first, kvm);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_ttm_tail_get_page_is_reported_get_on_zero)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t first = kfp_alloc_pages(mm, 2, false, KFP_OWNER_DRIVER);

	/* CVE-2021-22543: the pre-fix KVM did exactly this */
	get_page(mm, first + 2, kvm);
	ASSERT_REPORTED(KFP_REPORT_GET_ON_ZERO);
	ASSERT_EQ(test_reports()->report[0].pfn, first + 2);
	ASSERT_EQ(test_reports()->report[0].owner, kvm);
	ASSERT_EQ(page_count(mm, first + 2), 1);
}

TEST(page_ttm_tail_put_after_bad_get_frees_tail_under_driver)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t first = kfp_alloc_pages(mm, 2, false, KFP_OWNER_DRIVER);

	get_page(mm, first + 1, kvm);
	put_page(mm, first + 1, kvm);
	/* the tail went back to the allocator while the driver still uses it */
	ASSERT_TRUE(kfp_page_is_free(mm, first + 1));
	ASSERT_EQ(kfp_alloc_pages(mm, 0, false, KFP_OWNER_PAGE_CACHE), 2);
	ASSERT_EQ(kfp_alloc_pages(mm, 0, false, KFP_OWNER_PAGE_CACHE), 3);
	ASSERT_EQ(kfp_alloc_pages(mm, 0, false, KFP_OWNER_PAGE_CACHE), first + 1);
	ASSERT_EQ(kfp_reports_count_kind(test_reports(), KFP_REPORT_GET_ON_ZERO), 1);
}

TEST(page_free_pages_on_ttm_block_frees_tails_while_head_referenced)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t first = kfp_alloc_pages(mm, 2, false, KFP_OWNER_DRIVER);
	unsigned int i;

	get_page(mm, first, KFP_OWNER_HOST_GUP);
	kfp_free_pages(mm, first, KFP_OWNER_DRIVER);
	/* mm/page_alloc.c __free_pages(): head survives, tails are gone */
	ASSERT_FALSE(kfp_page_is_free(mm, first));
	ASSERT_EQ(page_count(mm, first), 1);
	for (i = 1; i < 4; i++)
		ASSERT_TRUE(kfp_page_is_free(mm, first + i));
	put_page(mm, first, KFP_OWNER_HOST_GUP);
	ASSERT_TRUE(kfp_page_is_free(mm, first));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_free_pages_on_unreferenced_ttm_block_frees_all)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t first = kfp_alloc_pages(mm, 2, false, KFP_OWNER_DRIVER);
	unsigned int free_before = nr_free_ram(mm);

	kfp_free_pages(mm, first, KFP_OWNER_DRIVER);
	ASSERT_EQ(nr_free_ram(mm), free_before + 4);
	ASSERT_EQ(kfp_alloc_pages(mm, 2, false, KFP_OWNER_DRIVER), first);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_put_page_on_ttm_head_frees_only_the_head)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t first = kfp_alloc_pages(mm, 2, false, KFP_OWNER_DRIVER);

	/* a folio_put() of a non-compound block knows nothing of its tails */
	put_page(mm, first, KFP_OWNER_DRIVER);
	ASSERT_TRUE(kfp_page_is_free(mm, first));
	ASSERT_FALSE(kfp_page_is_free(mm, first + 1));
	ASSERT_FALSE(kfp_page_is_free(mm, first + 3));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- reserved, zero page, ZONE_DEVICE, hwpoison, device MMIO --------------- */

TEST(page_reserved_kernel_page_is_reserved_with_kernel_reference)
{
	struct kfp_mm *mm = test_mm();

	ASSERT_TRUE(PageReserved(mm, 0));
	ASSERT_EQ(mm->page[0].kind, KFP_PAGE_RESERVED);
	ASSERT_EQ(page_count(mm, 0), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, 0, KFP_OWNER_KERNEL), 1);
	ASSERT_FALSE(kfp_page_is_free(mm, 0));
	ASSERT_NE(kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER), 0);
	ASSERT_NO_REPORTS();
}

TEST(page_zero_page_is_reserved_but_refcounted)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t zero = mm->zero_pfn;

	ASSERT_TRUE(PageReserved(mm, zero));
	ASSERT_TRUE(is_zero_pfn(mm, zero));
	ASSERT_FALSE(is_zero_pfn(mm, 0));
	ASSERT_EQ(kfp_pfn_read(mm, zero), 0);
	ASSERT_EQ(try_grab_folio(mm, zero, FOLL_GET, KFP_OWNER_HOST_GUP), 0);
	ASSERT_EQ(page_count(mm, zero), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, zero, KFP_OWNER_HOST_GUP), 1);
	put_page(mm, zero, KFP_OWNER_HOST_GUP);
	ASSERT_EQ(page_count(mm, zero), 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_zero_page_pin_is_not_accounted)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t zero = mm->zero_pfn;

	/* mm/gup.c try_grab_folio(): is_zero_folio() skips FOLL_PIN */
	ASSERT_EQ(try_grab_folio(mm, zero, FOLL_PIN, kvm), 0);
	ASSERT_EQ(page_count(mm, zero), 1);
	ASSERT_EQ(kfp_ledger_pins(mm, zero, kvm), 0);
	ASSERT_FALSE(folio_maybe_dma_pinned(mm, zero));
	unpin_user_page(mm, zero, kvm);
	ASSERT_EQ(page_count(mm, zero), 1);
	ASSERT_EQ(kfp_ledger_check_leaks(mm, KFP_OWNER_KIND_KVM), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_zone_device_page_is_reserved_and_refcounted)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_ZONE_DEVICE, 1);
	kfp_pfn_t pfn = mm->object[id].pfn[0];

	ASSERT_TRUE(is_zone_device_page(mm, pfn));
	ASSERT_TRUE(PageReserved(mm, pfn));
	ASSERT_TRUE(pfn_valid(mm, pfn));
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_TRUE(get_page_unless_zero(mm, pfn, KFP_OWNER_HOST_GUP));
	ASSERT_EQ(page_count(mm, pfn), 2);
	put_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_zone_device_page_freed_is_not_reallocated_as_ram)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_ZONE_DEVICE, 1);
	kfp_pfn_t pfn = mm->object[id].pfn[0];

	put_page(mm, pfn, KFP_OWNER_DRIVER);
	/* mm/memremap.c free_zone_device_folio(): back to the driver's pool */
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(mm->page[pfn].kind, KFP_PAGE_ZONE_DEVICE);
	ASSERT_NE(kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER), pfn);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_hwpoisoned_page_is_never_reallocated)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	ASSERT_EQ(kfp_memory_failure(mm, pfn), 0);
	ASSERT_TRUE(PageHWPoison(mm, pfn));
	put_page(mm, pfn, KFP_OWNER_DRIVER);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_TRUE(PageHWPoison(mm, pfn));
	/* not as part of a larger run */
	ASSERT_EQ(kfp_alloc_pages(mm, 1, false, KFP_OWNER_DRIVER), 4);
	/* nor on its own */
	ASSERT_EQ(kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER), pfn + 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_device_mmio_pfn_has_no_struct_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_device_pfns(mm, 2);

	ASSERT_EQ(pfn, KFP_NR_RAM_PFNS);
	ASSERT_FALSE(pfn_valid(mm, pfn));
	ASSERT_FALSE(pfn_valid(mm, KFP_NR_PFNS));
	ASSERT_EQ(page_count(mm, pfn), 0);
	ASSERT_FALSE(PageReserved(mm, pfn));
	ASSERT_FALSE(folio_maybe_dma_pinned(mm, pfn));
	ASSERT_EQ(kfp_alloc_device_pfns(mm, 1), KFP_NR_RAM_PFNS + 2);
	ASSERT_NO_REPORTS();
}

TEST(page_get_page_on_device_pfn_is_reported_ref_on_no_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = kfp_alloc_device_pfns(mm, 1);

	get_page(mm, pfn, kvm);
	ASSERT_REPORTED(KFP_REPORT_REF_ON_NO_PAGE);
	ASSERT_EQ(mm->page[pfn].refcount, 0);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
}

TEST(page_put_page_on_device_pfn_is_reported_ref_on_no_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = kfp_alloc_device_pfns(mm, 1);

	put_page(mm, pfn, kvm);
	ASSERT_REPORTED(KFP_REPORT_REF_ON_NO_PAGE);
	ASSERT_EQ(test_reports()->report[0].owner, kvm);
	ASSERT_EQ(mm->page[pfn].refcount, 0);
	ASSERT_FALSE(kfp_reports_have(test_reports(), KFP_REPORT_UNDERFLOW));
}

TEST(page_try_grab_folio_on_device_pfn_fails_without_report)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_device_pfns(mm, 1);

	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_GET, KFP_OWNER_HOST_GUP), -EFAULT);
	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_PIN, KFP_OWNER_HOST_GUP), -EFAULT);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- pins ------------------------------------------------------------------ */

TEST(page_pin_on_small_folio_adds_pin_counting_bias)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	ASSERT_FALSE(folio_maybe_dma_pinned(mm, pfn));
	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_PIN, KFP_OWNER_HOST_GUP), 0);
	ASSERT_EQ(page_count(mm, pfn), 1 + GUP_PIN_COUNTING_BIAS);
	ASSERT_EQ(mm->page[pfn].pincount, 0);
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, KFP_OWNER_HOST_GUP), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_HOST_GUP), 0);
	ASSERT_TRUE(folio_maybe_dma_pinned(mm, pfn));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_unpin_on_small_folio_removes_bias)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_PIN, KFP_OWNER_HOST_GUP), 0);
	unpin_user_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_FALSE(folio_maybe_dma_pinned(mm, pfn));
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, KFP_OWNER_HOST_GUP), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_pin_on_large_folio_adds_one_ref_and_one_pincount)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t head = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_DRIVER);

	ASSERT_EQ(try_grab_folio(mm, head + 1, FOLL_PIN, KFP_OWNER_HOST_GUP), 0);
	ASSERT_EQ(page_count(mm, head), 2);
	ASSERT_EQ(mm->page[head].pincount, 1);
	ASSERT_EQ(mm->page[head + 1].pincount, 0);
	ASSERT_TRUE(folio_maybe_dma_pinned(mm, head + 3));
	unpin_user_page(mm, head + 2, KFP_OWNER_HOST_GUP);
	ASSERT_EQ(page_count(mm, head), 1);
	ASSERT_EQ(mm->page[head].pincount, 0);
	ASSERT_FALSE(folio_maybe_dma_pinned(mm, head));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_plain_references_on_large_folio_are_not_dma_pinned)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t head = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_DRIVER);
	kfp_owner_t owner[GUP_PIN_COUNTING_BIAS / 64];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(owner); i++) {
		owner[i] = kfp_owner_register(mm, "host", KFP_OWNER_KIND_HOST);
		for (j = 0; j < 64; j++)
			get_page(mm, head, owner[i]);
	}
	ASSERT_EQ(page_count(mm, head), 1 + GUP_PIN_COUNTING_BIAS);
	ASSERT_FALSE(folio_maybe_dma_pinned(mm, head));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_maybe_dma_pinned_false_positive_on_small_folio_with_many_refs)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	unsigned int i;

	for (i = 0; i < GUP_PIN_COUNTING_BIAS - 2; i++)
		get_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_FALSE(folio_maybe_dma_pinned(mm, pfn));
	get_page(mm, pfn, KFP_OWNER_HOST_GUP);
	/* include/linux/mm.h: "false positives" once refcount reaches the bias */
	ASSERT_EQ(page_count(mm, pfn), GUP_PIN_COUNTING_BIAS);
	ASSERT_TRUE(folio_maybe_dma_pinned(mm, pfn));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_try_grab_folio_on_freed_page_fails_enomem)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	put_page(mm, pfn, KFP_OWNER_DRIVER);
	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_GET, kvm), -ENOMEM);
	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_PIN, kvm), -ENOMEM);
	ASSERT_EQ(page_count(mm, pfn), 0);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_try_grab_folio_on_ttm_tail_fails_enomem)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t first = kfp_alloc_pages(mm, 2, false, KFP_OWNER_DRIVER);

	ASSERT_EQ(try_grab_folio(mm, first + 1, FOLL_PIN, KFP_OWNER_HOST_GUP), -ENOMEM);
	ASSERT_EQ(page_count(mm, first + 1), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_try_grab_folio_with_get_and_pin_takes_a_plain_reference)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	/* mm/gup.c try_grab_folio() tests FOLL_GET before FOLL_PIN */
	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_GET | FOLL_PIN, KFP_OWNER_HOST_GUP), 0);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_HOST_GUP), 1);
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, KFP_OWNER_HOST_GUP), 0);
	ASSERT_FALSE(folio_maybe_dma_pinned(mm, pfn));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_try_grab_folio_without_get_or_pin_grabs_nothing)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_WRITE, KFP_OWNER_HOST_GUP), 0);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_HOST_GUP), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

/* ---- free on zero and reallocation ----------------------------------------- */

TEST(page_last_put_frees_and_poisons_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	u32 gen = mm->page[pfn].generation;
	u32 frees = mm->stats.nr_frees;

	kfp_pfn_write(mm, pfn, 0x1234);
	SetPageDirty(mm, pfn);
	put_page(mm, pfn, KFP_OWNER_DRIVER);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(mm->page[pfn].flags, PG_free);
	ASSERT_EQ(kfp_pfn_read(mm, pfn), KFP_POISON_FREE);
	ASSERT_EQ(mm->page[pfn].generation, gen + 1);
	ASSERT_EQ(mm->stats.nr_frees, frees + 1);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_put_that_leaves_references_does_not_free)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	kfp_pfn_write(mm, pfn, 5);
	get_page(mm, pfn, KFP_OWNER_HOST_GUP);
	put_page(mm, pfn, KFP_OWNER_DRIVER);
	ASSERT_FALSE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(kfp_pfn_read(mm, pfn), 5);
	ASSERT_EQ(mm->stats.nr_frees, 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_freed_pfn_is_reallocated_first_with_new_content)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t a = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	kfp_pfn_t b = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	kfp_pfn_t again;
	u32 gen;

	kfp_pfn_write(mm, a, 0xaa);
	put_page(mm, a, KFP_OWNER_DRIVER);
	gen = mm->page[a].generation;
	again = kfp_alloc_pages(mm, 0, false, KFP_OWNER_PAGE_CACHE);
	ASSERT_EQ(again, a);
	ASSERT_NE(again, b);
	ASSERT_NE(kfp_pfn_read(mm, again), 0xaa);
	ASSERT_NE(kfp_pfn_read(mm, again), KFP_POISON_FREE);
	ASSERT_EQ(mm->page[again].generation, gen);
	ASSERT_EQ(kfp_ledger_refs(mm, again, KFP_OWNER_PAGE_CACHE), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, again, KFP_OWNER_DRIVER), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_anon_page_freed_by_munmap_is_reused_by_next_fault)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t first, second;

	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 111);
	first = test_pte_pfn(PG(16));
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(2)), 0);
	ASSERT_EQ(kfp_pfn_read(mm, first), KFP_POISON_FREE);
	test_mmap(PG(32), 2, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(33), 222);
	/*
	 *   0x20000 |.| vma 0  pfn -1
	 *   0x21000 |W| vma 0  pfn 2
	 */
	test_draw(PG(32), PG(34));
	second = test_pte_pfn(PG(33));
	ASSERT_EQ(first, 2);
	ASSERT_EQ(second, first);
	ASSERT_EQ(kfp_pfn_read(mm, second), 222);
	ASSERT_EQ(test_pte_pfn(PG(32)), KFP_PFN_NONE);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_accessed_and_dirty_flags_land_on_the_head)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t head = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_DRIVER);

	mark_page_accessed(mm, head + 2);
	SetPageDirty(mm, head + 3);
	ASSERT_TRUE(mm->page[head].flags & PG_referenced);
	ASSERT_TRUE(mm->page[head].flags & PG_dirty);
	ASSERT_FALSE(mm->page[head + 2].flags & PG_referenced);
	ASSERT_FALSE(mm->page[head + 3].flags & PG_dirty);
	ASSERT_NO_REPORTS();
}

TEST(page_pfn_read_write_out_of_range_is_ignored)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t dev = kfp_alloc_device_pfns(mm, 1);

	kfp_pfn_write(mm, KFP_NR_PFNS, 9);
	ASSERT_EQ(kfp_pfn_read(mm, KFP_NR_PFNS), 0);
	/* device memory has content even without a struct page */
	kfp_pfn_write(mm, dev, 9);
	ASSERT_EQ(kfp_pfn_read(mm, dev), 9);
	ASSERT_NO_REPORTS();
}

TEST(page_free_pages_on_device_pfn_is_reported_not_freed)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t dev = kfp_alloc_device_pfns(mm, 1);

	kfp_free_pages(mm, dev, KFP_OWNER_DRIVER);
	ASSERT_REPORTED(KFP_REPORT_REF_ON_NO_PAGE);
	ASSERT_FALSE(kfp_page_is_free(mm, dev));
	ASSERT_EQ(mm->stats.nr_frees, 0);
}

/*
 * folio_ref_freeze() / folio_try_get(): reclaim freezes a count it alone
 * holds; a lookup's speculative reference then fails until the folio is
 * freed (or, held first, makes the freeze fail).
 */
TEST(page_ref_freeze_fails_while_someone_else_holds_a_reference)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_SWAP_CACHE);

	ASSERT_TRUE(folio_try_get(mm, pfn, KFP_OWNER_FAULT));
	ASSERT_FALSE(folio_ref_freeze(mm, pfn, 1));
	ASSERT_EQ(page_count(mm, pfn), 2);
	put_page(mm, pfn, KFP_OWNER_FAULT);
	ASSERT_TRUE(folio_ref_freeze(mm, pfn, 1));
	/* frozen: count 0, not yet free, and nobody may take a reference */
	ASSERT_EQ(page_count(mm, pfn), 0);
	ASSERT_FALSE(kfp_page_is_free(mm, pfn));
	ASSERT_FALSE(folio_try_get(mm, pfn, KFP_OWNER_FAULT));
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_SWAP_CACHE), 0);
	ASSERT_LEDGER_CLEAN();
	free_frozen_folio(mm, pfn);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_FALSE(folio_try_get(mm, pfn, KFP_OWNER_FAULT));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(page_free_frozen_folio_of_a_live_folio_is_a_model_bug)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_SWAP_CACHE);

	free_frozen_folio(mm, pfn);
	ASSERT_REPORTED(KFP_REPORT_MODEL_BUG);
	ASSERT_EQ(test_reports()->report[0].property, KFP_PROPERTY_INVARIANT);
	ASSERT_FALSE(kfp_page_is_free(mm, pfn));
}

/* ---- the window between the last put and the free ------------------------------ */

static struct {
	kfp_pfn_t pfn, other;
	int count;
	bool was_free, try_get, unless_zero;
} window;

static void in_free_window(void *arg)
{
	struct kfp_mm *mm = test_mm_current();

	(void)arg;
	window.count = page_count(mm, window.pfn);
	window.was_free = kfp_page_is_free(mm, window.pfn);
	window.try_get = folio_try_get(mm, window.pfn, KFP_OWNER_HOST_GUP);
	window.unless_zero = get_page_unless_zero(mm, window.pfn, KFP_OWNER_HOST_GUP);
	window.other = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
}

/*
 * mm/swap.c folio_put(): folio_put_testzero(), then the free under
 * zone->lock.  Another thread that runs in between, as upstream, sees a
 * count of 0 on a page that is not free yet: speculative gets fail and
 * the allocator does not hand the page out.
 */
TEST(page_last_put_and_free_are_two_steps_with_upstreams_window)
{
	struct kfp_mm *mm = test_mm();

	memset(&window, 0, sizeof(window));
	window.pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	ASSERT_EQ(window.pfn, 2);
	test_mm_trigger("free_pages", 1, in_free_window, NULL);
	put_page(mm, window.pfn, KFP_OWNER_DRIVER);
	ASSERT_TRUE(test_mm_trigger_fired());
	ASSERT_EQ(window.count, 0);
	ASSERT_FALSE(window.was_free);
	ASSERT_FALSE(window.try_get);
	ASSERT_FALSE(window.unless_zero);
	ASSERT_EQ(window.other, 3);
	ASSERT_TRUE(kfp_page_is_free(mm, window.pfn));
	put_page(mm, window.other, KFP_OWNER_DRIVER);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}
