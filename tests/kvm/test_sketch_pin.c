// SPDX-License-Identifier: GPL-2.0
/*
 * A FOLL_PIN lookup under sketch (kvm/design/sketch.c).  v7's
 * kvm_follow_refcounted_pfn() drops the reference GUP returns when the
 * caller did not ask for FOLL_GET; a pinned lookup (6.13's
 * kvm_follow_pfn.pin) holds a pin instead, which stays the caller's to
 * unpin.  Found by kfp hunt: the drop put the pin's page with put_page().
 */
#include "../lib/kvm_fixture.h"

/* kvm_follow_pfn() of gfn 1 as a vCPU's lookup: @pin, without FOLL_GET. */
static kfp_pfn_t lookup(bool pin, kfp_pfn_t *page)
{
	struct kvm *kvm = test_kvm();
	struct kvm_follow_pfn kfp = { 0 };

	*page = KFP_PFN_NONE;
	kfp.slot = __gfn_to_memslot(kvm, 0, 1);
	kfp.gfn = 1;
	kfp.pin = pin;
	kfp.refcounted_page = page;
	kfp.owner = test_vcpu(0)->page_owner;
	return kvm_follow_pfn(kvm, &kfp);
}

TEST(sketch_pinned_lookup_keeps_its_pin_for_the_caller)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_owner_t owner;
	kfp_pfn_t pfn, page;

	test_world(&kvm_design_sketch);
	test_setup_anon();
	owner = test_vcpu(0)->page_owner;
	pfn = lookup(true, &page);
	ASSERT_EQ(pfn, test_host_pfn(PG(17)));
	ASSERT_EQ(page, pfn);
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, owner), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, owner), 0);
	unpin_user_page(mm, page, owner);
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, owner), 0);
	test_finish();
	ASSERT_CLEAN();
}

/* The reference GUP returns without FOLL_GET is still dropped at once (v7). */
TEST(sketch_unpinned_lookup_without_foll_get_holds_nothing)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_owner_t owner;
	kfp_pfn_t pfn, page;

	test_world(&kvm_design_sketch);
	test_setup_anon();
	owner = test_vcpu(0)->page_owner;
	pfn = lookup(false, &page);
	ASSERT_EQ(pfn, test_host_pfn(PG(17)));
	ASSERT_EQ(page, KFP_PFN_NONE);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, owner), 0);
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, owner), 0);
	test_finish();
	ASSERT_CLEAN();
}
