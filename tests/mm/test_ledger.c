// SPDX-License-Identifier: GPL-2.0
/*
 * The reference ledger, the P1 checker (mm/ledger.c).
 *
 * Most tests seed one corruption — an extra put, a get on a freed page, a
 * leaked pin, a refcount changed behind the ledger's back — and assert
 * that the checker names it; the others show that honest use stays quiet.
 */
#include <string.h>

#include "../lib/mm_fixture.h"

static kfp_owner_t kvm_owner(struct kfp_mm *mm, const char *name)
{
	kfp_owner_t owner = kfp_owner_register(mm, name, KFP_OWNER_KIND_KVM);

	ASSERT_NE(owner, KFP_OWNER_NONE);
	return owner;
}

TEST(ledger_balanced_get_put_and_pin_unpin_leave_no_reports)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu0");
	kfp_pfn_t small = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	kfp_pfn_t huge = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_PAGE_CACHE);

	get_page(mm, small, kvm);
	ASSERT_EQ(try_grab_folio(mm, small, FOLL_PIN, kvm), 0);
	get_page(mm, huge + 1, kvm);
	ASSERT_EQ(try_grab_folio(mm, huge + 2, FOLL_PIN, kvm), 0);
	ASSERT_EQ(kfp_ledger_check(mm), 0);
	unpin_user_page(mm, huge + 3, kvm);
	put_page(mm, huge, kvm);
	unpin_user_page(mm, small, kvm);
	put_page(mm, small, kvm);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_EQ(kfp_ledger_check_leaks(mm, KFP_OWNER_KIND_KVM), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(ledger_extra_put_reports_put_not_owned_then_underflow)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu0");
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	get_page(mm, pfn, kvm);
	put_page(mm, pfn, kvm);
	ASSERT_NO_REPORTS();
	put_page(mm, pfn, kvm);
	ASSERT_REPORTED(KFP_REPORT_PUT_NOT_OWNED);
	/* the stolen reference was the driver's last one: the page is freed */
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(test_reports()->report[0].owner, kvm);
	ASSERT_EQ(test_reports()->report[0].pfn, pfn);
	ASSERT_EQ(test_reports()->report[0].property, KFP_PROPERTY_P1);
	/* the rightful owner's put then underflows: KVM's debt makes it KVM's P1 */
	put_page(mm, pfn, KFP_OWNER_DRIVER);
	ASSERT_REPORTED(KFP_REPORT_UNDERFLOW);
	ASSERT_EQ(test_reports()->report[1].owner, KFP_OWNER_DRIVER);
	ASSERT_EQ(test_reports()->report[1].property, KFP_PROPERTY_P1);
	ASSERT_EQ(test_reports()->by_property[KFP_PROPERTY_INVARIANT], 0);
	ASSERT_EQ(page_count(mm, pfn), -1);
}

TEST(ledger_extra_put_on_freed_page_reports_underflow_immediately)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	put_page(mm, pfn, KFP_OWNER_DRIVER);
	put_page(mm, pfn, KFP_OWNER_DRIVER);
	ASSERT_REPORTED(KFP_REPORT_PUT_NOT_OWNED);
	ASSERT_REPORTED(KFP_REPORT_UNDERFLOW);
	ASSERT_EQ(test_reports()->report[0].kind, KFP_REPORT_PUT_NOT_OWNED);
	ASSERT_EQ(test_reports()->report[1].kind, KFP_REPORT_UNDERFLOW);
	ASSERT_EQ(test_reports()->report[1].value, -1);
	/* the driver corrupted its own count: a model bug, never KVM's P1 */
	ASSERT_EQ(test_reports()->report[0].property, KFP_PROPERTY_INVARIANT);
	ASSERT_EQ(test_reports()->report[1].property, KFP_PROPERTY_INVARIANT);
	ASSERT_EQ(test_reports()->by_property[KFP_PROPERTY_P1], 0);
}

TEST(ledger_get_page_on_freed_page_reports_get_on_zero)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu0");
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	put_page(mm, pfn, KFP_OWNER_DRIVER);
	get_page(mm, pfn, kvm);
	ASSERT_REPORTED(KFP_REPORT_GET_ON_ZERO);
	ASSERT_EQ(test_reports()->count, 1);
	ASSERT_EQ(test_reports()->report[0].value, 0);
	ASSERT_EQ(test_reports()->report[0].property, KFP_PROPERTY_P1);
	/* the ledger followed the resurrection: counts still agree */
	ASSERT_EQ(kfp_ledger_check(mm), 0);
}

TEST(ledger_get_page_unless_zero_on_freed_page_is_not_reported)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu0");
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	put_page(mm, pfn, KFP_OWNER_DRIVER);
	ASSERT_FALSE(get_page_unless_zero(mm, pfn, kvm));
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(ledger_leaked_pin_by_kvm_owner_is_reported)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu_map");
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_PIN, kvm), 0);
	ASSERT_EQ(kfp_ledger_check_leaks(mm, KFP_OWNER_KIND_KVM), 1);
	ASSERT_REPORTED(KFP_REPORT_LEAK);
	ASSERT_EQ(test_reports()->report[0].owner, kvm);
	ASSERT_EQ(test_reports()->report[0].pfn, pfn);
	ASSERT_EQ(test_reports()->report[0].value, 1);
	ASSERT_LEDGER_CLEAN();
}

TEST(ledger_leaked_reference_by_kvm_owner_is_reported)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "gpc");
	kfp_pfn_t head = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_PAGE_CACHE);

	get_page(mm, head + 1, kvm);
	get_page(mm, head + 2, kvm);
	ASSERT_EQ(kfp_ledger_check_leaks(mm, KFP_OWNER_KIND_KVM), 1);
	ASSERT_EQ(kfp_reports_count_kind(test_reports(), KFP_REPORT_LEAK), 1);
	ASSERT_EQ(test_reports()->report[0].pfn, head);
	ASSERT_EQ(test_reports()->report[0].value, 2);
}

TEST(ledger_each_leaking_kvm_owner_is_reported_separately)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t a = kvm_owner(mm, "vcpu0");
	kfp_owner_t b = kvm_owner(mm, "vcpu1");
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	get_page(mm, pfn, a);
	get_page(mm, pfn, b);
	get_page(mm, mm->zero_pfn, b);
	ASSERT_EQ(kfp_ledger_check_leaks(mm, KFP_OWNER_KIND_KVM), 3);
	ASSERT_EQ(kfp_reports_count_kind(test_reports(), KFP_REPORT_LEAK), 3);
}

TEST(ledger_leaks_of_mm_and_driver_owners_are_not_kvm_leaks)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t host = kfp_owner_register(mm, "vfio", KFP_OWNER_KIND_HOST);
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	get_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	get_page(mm, pfn, KFP_OWNER_PAGE_CACHE);
	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_PIN, host), 0);
	ASSERT_EQ(kfp_ledger_check_leaks(mm, KFP_OWNER_KIND_KVM), 0);
	ASSERT_NO_REPORTS();
	/* the same check for another kind does see them */
	ASSERT_EQ(kfp_ledger_check_leaks(mm, KFP_OWNER_KIND_MM), 2);
	ASSERT_EQ(kfp_reports_count_kind(test_reports(), KFP_REPORT_LEAK), 2);
}

TEST(ledger_kvm_owner_that_released_everything_is_not_a_leak)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu0");
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	get_page(mm, pfn, kvm);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 1);
	put_page(mm, pfn, kvm);
	ASSERT_EQ(mm->ledger.nr_entries, 3);
	ASSERT_EQ(kfp_ledger_check_leaks(mm, KFP_OWNER_KIND_KVM), 0);
	ASSERT_NO_REPORTS();
}

TEST(ledger_refcount_changed_behind_its_back_is_refcount_mismatch)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	ASSERT_TRUE(kfp_ledger_check_page(mm, pfn));
	mm->page[pfn].refcount++;
	ASSERT_FALSE(kfp_ledger_check_page(mm, pfn));
	ASSERT_REPORTED(KFP_REPORT_REFCOUNT_MISMATCH);
	ASSERT_EQ(test_reports()->report[0].pfn, pfn);
	ASSERT_EQ(test_reports()->report[0].value, 2);
	/* only the driver has a stake in the page: the host's own corruption */
	ASSERT_EQ(test_reports()->report[0].property, KFP_PROPERTY_INVARIANT);
	ASSERT_EQ(kfp_ledger_expected_refcount(mm, pfn), 1);
}

TEST(ledger_check_counts_each_corrupted_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t a = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	kfp_pfn_t b = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	mm->page[a].refcount = 0;
	mm->page[b].refcount += GUP_PIN_COUNTING_BIAS;
	ASSERT_EQ(kfp_ledger_check(mm), 2);
	ASSERT_EQ(kfp_reports_count_kind(test_reports(), KFP_REPORT_REFCOUNT_MISMATCH), 2);
	ASSERT_EQ(test_reports()->report[0].pfn, a);
	ASSERT_EQ(test_reports()->report[1].pfn, b);
}

TEST(ledger_compound_tail_refcount_poked_is_refcount_mismatch)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t head = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_PAGE_CACHE);

	ASSERT_EQ(kfp_ledger_check(mm), 0);
	/* a get_page() that forgot compound_head() */
	mm->page[head + 2].refcount = 1;
	ASSERT_EQ(kfp_ledger_check(mm), 1);
	ASSERT_REPORTED(KFP_REPORT_REFCOUNT_MISMATCH);
	ASSERT_EQ(test_reports()->report[0].pfn, head + 2);
}

TEST(ledger_pincount_poked_is_pincount_mismatch)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t head = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_PAGE_CACHE);

	ASSERT_EQ(try_grab_folio(mm, head, FOLL_PIN, KFP_OWNER_HOST_GUP), 0);
	ASSERT_EQ(kfp_ledger_check(mm), 0);
	mm->page[head].pincount = 0;
	ASSERT_EQ(kfp_ledger_check(mm), 1);
	ASSERT_REPORTED(KFP_REPORT_PINCOUNT_MISMATCH);
	ASSERT_FALSE(kfp_reports_have(test_reports(), KFP_REPORT_REFCOUNT_MISMATCH));
	ASSERT_EQ(test_reports()->report[0].value, 0);
}

TEST(ledger_unpin_by_non_owner_reports_put_not_owned)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu0");
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_PIN, KFP_OWNER_HOST_GUP), 0);
	unpin_user_page(mm, pfn, kvm);
	ASSERT_REPORTED(KFP_REPORT_PUT_NOT_OWNED);
	ASSERT_EQ(test_reports()->report[0].owner, kvm);
	ASSERT_FALSE(folio_maybe_dma_pinned(mm, pfn));
	/* host-gup still believes it holds a pin */
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, KFP_OWNER_HOST_GUP), 1);
}

TEST(ledger_unpin_of_a_reference_reports_put_not_owned)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu0");
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	get_page(mm, pfn, kvm);
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, kvm), 0);
	unpin_user_page(mm, pfn, kvm);
	ASSERT_REPORTED(KFP_REPORT_PUT_NOT_OWNED);
	ASSERT_REPORTED(KFP_REPORT_UNDERFLOW);
}

TEST(ledger_put_of_a_pin_reports_put_not_owned)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu0");
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	ASSERT_EQ(try_grab_folio(mm, pfn, FOLL_PIN, kvm), 0);
	put_page(mm, pfn, kvm);
	ASSERT_REPORTED(KFP_REPORT_PUT_NOT_OWNED);
	ASSERT_EQ(page_count(mm, pfn), GUP_PIN_COUNTING_BIAS);
}

TEST(ledger_put_by_wrong_owner_reports_put_not_owned)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t right = kvm_owner(mm, "vcpu0");
	kfp_owner_t wrong = kvm_owner(mm, "vcpu1");
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	get_page(mm, pfn, right);
	put_page(mm, pfn, wrong);
	ASSERT_EQ(kfp_reports_count_kind(test_reports(), KFP_REPORT_PUT_NOT_OWNED), 1);
	ASSERT_EQ(test_reports()->report[0].owner, wrong);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, wrong), -1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, right), 1);
	/* counts agree: the wrong owner's debt is in the ledger */
	ASSERT_EQ(kfp_ledger_check(mm), 0);
	ASSERT_EQ(kfp_ledger_check_leaks(mm, KFP_OWNER_KIND_KVM), 1);
}

TEST(ledger_transfer_reference_moves_ownership_not_count)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_SWAP_CACHE);

	kfp_transfer_reference(mm, pfn, KFP_OWNER_SWAP_CACHE, KFP_OWNER_PAGE_TABLE);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_SWAP_CACHE), 0);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	put_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(ledger_transfer_from_non_holder_reports_put_not_owned)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu0");
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	kfp_transfer_reference(mm, pfn, kvm, KFP_OWNER_PAGE_TABLE);
	ASSERT_REPORTED(KFP_REPORT_PUT_NOT_OWNED);
	ASSERT_EQ(test_reports()->report[0].owner, kvm);
	ASSERT_EQ(page_count(mm, pfn), 1);
}

TEST(ledger_transfer_on_device_pfn_is_reported_ref_on_no_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t dev = kfp_alloc_device_pfns(mm, 1);
	u16 entries = mm->ledger.nr_entries;

	kfp_transfer_reference(mm, dev, KFP_OWNER_DRIVER, KFP_OWNER_PAGE_TABLE);
	ASSERT_REPORTED(KFP_REPORT_REF_ON_NO_PAGE);
	ASSERT_EQ(mm->ledger.nr_entries, entries);
}

TEST(ledger_expected_refcount_weights_pins_by_folio_size)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t small = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	kfp_pfn_t huge = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_DRIVER);

	ASSERT_EQ(try_grab_folio(mm, small, FOLL_PIN, KFP_OWNER_HOST_GUP), 0);
	ASSERT_EQ(try_grab_folio(mm, huge, FOLL_PIN, KFP_OWNER_HOST_GUP), 0);
	ASSERT_EQ(kfp_ledger_expected_refcount(mm, small), 1 + GUP_PIN_COUNTING_BIAS);
	ASSERT_EQ(kfp_ledger_expected_refcount(mm, huge), 2);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_HOST_GUP), 2);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, KFP_OWNER_DRIVER), 2);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(ledger_full_is_reported_as_model_bug)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t owner[32];
	kfp_pfn_t pfn[8];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(pfn); i++)
		pfn[i] = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	for (i = 0; i < ARRAY_SIZE(owner); i++)
		owner[i] = kfp_owner_register(mm, "host", KFP_OWNER_KIND_HOST);
	/* 2 boot entries + 8 driver entries + 8 x 32 new ones > KFP_MAX_LEDGER */
	for (i = 0; i < ARRAY_SIZE(owner); i++)
		for (j = 0; j < ARRAY_SIZE(pfn); j++)
			get_page(mm, pfn[j], owner[i]);
	ASSERT_EQ(mm->ledger.nr_entries, KFP_MAX_LEDGER);
	ASSERT_REPORTED(KFP_REPORT_MODEL_BUG);
	/* the untracked references then show up as mismatches */
	ASSERT_GT(kfp_ledger_check(mm), 0);
}

TEST(ledger_owner_register_fails_when_table_full)
{
	struct kfp_mm *mm = test_mm();
	unsigned int i;

	for (i = KFP_NR_FIXED_OWNERS; i < KFP_MAX_OWNERS; i++)
		ASSERT_EQ(kfp_owner_register(mm, "kvm", KFP_OWNER_KIND_KVM), i);
	ASSERT_EQ(kfp_owner_register(mm, "one-too-many", KFP_OWNER_KIND_KVM), KFP_OWNER_NONE);
	ASSERT_EQ(mm->ledger.nr_owners, KFP_MAX_OWNERS);
}

TEST(ledger_owner_names_are_kept_and_truncated)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm =
		kfp_owner_register(mm, "a-very-long-kvm-owner-name-indeed", KFP_OWNER_KIND_KVM);

	ASSERT_EQ(strcmp(kfp_owner_name(mm, KFP_OWNER_PAGE_TABLE), "page-table"), 0);
	ASSERT_EQ(strcmp(kfp_owner_name(mm, KFP_OWNER_HOST_GUP), "host-gup"), 0);
	ASSERT_EQ(strlen(kfp_owner_name(mm, kvm)), KFP_OWNER_NAME_LEN - 1);
	ASSERT_EQ(strcmp(kfp_owner_name(mm, kvm + 1), "?"), 0);
	ASSERT_EQ(mm->ledger.owner[kvm].kind, KFP_OWNER_KIND_KVM);
}

/*
 * Whom a corruption is charged to.  The same seeded double put is KVM's P1
 * when a KVM owner does it and an invariant (a bug of the host model) when
 * a host owner does: the checker never blames KVM for the host mm.
 */
TEST(ledger_double_put_by_kvm_owner_is_p1)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu0");
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_PAGE_TABLE);

	get_page(mm, pfn, kvm);
	put_page(mm, pfn, kvm);
	put_page(mm, pfn, kvm);
	ASSERT_EQ(test_reports()->count, 1);
	ASSERT_EQ(test_reports()->report[0].kind, KFP_REPORT_PUT_NOT_OWNED);
	ASSERT_EQ(test_reports()->report[0].property, KFP_PROPERTY_P1);
	ASSERT_EQ(test_reports()->by_property[KFP_PROPERTY_P1], 1);
	ASSERT_EQ(test_reports()->by_property[KFP_PROPERTY_INVARIANT], 0);
}

TEST(ledger_double_put_by_host_owner_is_invariant_not_p1)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_PAGE_TABLE);

	get_page(mm, pfn, KFP_OWNER_CHILD_MM);
	/* wp_page_copy() without its pte_same() re-check: the mapping's reference goes twice */
	put_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	put_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	ASSERT_EQ(test_reports()->count, 1);
	ASSERT_EQ(test_reports()->report[0].kind, KFP_REPORT_PUT_NOT_OWNED);
	ASSERT_EQ(test_reports()->report[0].owner, KFP_OWNER_PAGE_TABLE);
	ASSERT_EQ(test_reports()->report[0].property, KFP_PROPERTY_INVARIANT);
	ASSERT_EQ(test_reports()->by_property[KFP_PROPERTY_P1], 0);
	/* the child's reference was the one stolen: the page is free under it */
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	put_page(mm, pfn, KFP_OWNER_CHILD_MM);
	ASSERT_EQ(test_reports()->report[1].kind, KFP_REPORT_UNDERFLOW);
	ASSERT_EQ(test_reports()->report[1].property, KFP_PROPERTY_INVARIANT);
	ASSERT_EQ(test_reports()->by_property[KFP_PROPERTY_P1], 0);
}

TEST(ledger_host_get_on_page_freed_by_host_is_invariant)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_PAGE_CACHE);

	put_page(mm, pfn, KFP_OWNER_PAGE_CACHE);
	get_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	ASSERT_EQ(test_reports()->report[0].kind, KFP_REPORT_GET_ON_ZERO);
	ASSERT_EQ(test_reports()->report[0].property, KFP_PROPERTY_INVARIANT);
}

/* A host get on a page KVM's extra put freed is KVM's doing: P1. */
TEST(ledger_host_get_on_page_freed_by_kvm_is_p1)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu0");
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_PAGE_CACHE);

	put_page(mm, pfn, kvm);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	get_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	ASSERT_EQ(test_reports()->count, 2);
	ASSERT_EQ(test_reports()->report[1].kind, KFP_REPORT_GET_ON_ZERO);
	ASSERT_EQ(test_reports()->report[1].owner, KFP_OWNER_PAGE_TABLE);
	ASSERT_EQ(test_reports()->report[1].property, KFP_PROPERTY_P1);
}

/* A count poked behind the ledger's back is P1 only on a page KVM has a stake in. */
TEST(ledger_mismatch_is_p1_only_where_kvm_holds_a_reference)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu0");
	kfp_pfn_t host_only = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	kfp_pfn_t shared = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);

	get_page(mm, shared, kvm);
	mm->page[host_only].refcount++;
	mm->page[shared].refcount++;
	ASSERT_EQ(kfp_ledger_check(mm), 2);
	ASSERT_EQ(test_reports()->report[0].pfn, host_only);
	ASSERT_EQ(test_reports()->report[0].property, KFP_PROPERTY_INVARIANT);
	ASSERT_EQ(test_reports()->report[1].pfn, shared);
	ASSERT_EQ(test_reports()->report[1].property, KFP_PROPERTY_P1);
}

/* A KVM owner's reference on a pfn without struct page is P1; a host owner's is not. */
TEST(ledger_ref_on_no_page_is_charged_to_its_owner)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm, "vcpu0");
	kfp_pfn_t dev = kfp_alloc_device_pfns(mm, 1);

	get_page(mm, dev, kvm);
	get_page(mm, dev, KFP_OWNER_PAGE_TABLE);
	ASSERT_EQ(kfp_reports_count_kind(test_reports(), KFP_REPORT_REF_ON_NO_PAGE), 2);
	ASSERT_EQ(test_reports()->report[0].property, KFP_PROPERTY_P1);
	ASSERT_EQ(test_reports()->report[1].property, KFP_PROPERTY_INVARIANT);
}
