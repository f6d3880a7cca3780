// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_vcpu_map()/kvm_vcpu_unmap() (virt/kvm/kvm_main.c, 6.13+): a pinned
 * kernel mapping of a guest page that the mmu notifier does not guard.
 * The pin keeps the page (P2); the staleness when the host remaps the hva
 * is documented upstream and reported as accepted (P3).  Remapped memory
 * needs allow_unsafe_mappings and is then mapped without a pin.
 */
#include "../lib/kvm_fixture.h"

/*
 *  hva 0x10000 .. 0x14000  private anon, rw; 0x11000 holds 7
 *  gfn 0 .. 4              memslot 0 -> hva 0x10000
 */
static unsigned int violations(enum kfp_property property)
{
	struct kfp_verdict verdict;

	kfp_verdict_of(test_kvm_reports(), &verdict);
	return verdict.violations[property];
}

static void assert_no_violations(void)
{
	unsigned int property;

	for (property = 0; property < KFP_NR_PROPERTIES; property++)
		ASSERT_EQ(violations(property), 0);
}

TEST(vcpu_map_pins_small_folio_with_1024_bias)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_pfn_t pfn;
	int before;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	pfn = test_host_pfn(PG(17));
	before = page_ref_count(mm, pfn);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	ASSERT_EQ(page_ref_count(mm, pfn), before + 1024);
	ASSERT_EQ(test_vcpu(0)->map[0].pinned_page, pfn);
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, test_vcpu(0)->map_owner), 1);
	ASSERT_TRUE(folio_maybe_dma_pinned(mm, pfn));
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	ASSERT_EQ(page_ref_count(mm, pfn), before);
	test_finish();
	ASSERT_CLEAN();
}

TEST(vcpu_map_pins_large_folio_with_one_ref_and_pincount)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_pfn_t pfn, head;
	int before;

	test_world(&kvm_design_upstream);
	test_map(PG(32), 16, PROT_READ | PROT_WRITE, KFP_MAP_HUGEPAGE, KFP_BACKING_ANON, -1);
	test_memslot(0, 0, 16, PG(32), 0);
	ASSERT_EQ(kfp_host_write(mm, PG(33), 3), 0);
	pfn = test_host_pfn(PG(33));
	ASSERT_TRUE(folio_test_large(mm, pfn));
	head = compound_head_pfn(mm, pfn);
	before = page_count(mm, pfn);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	ASSERT_EQ(page_count(mm, pfn), before + 1);
	ASSERT_EQ(mm->page[head].pincount, 1);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	ASSERT_EQ(page_count(mm, pfn), before);
	ASSERT_EQ(mm->page[head].pincount, 0);
	test_finish();
	ASSERT_CLEAN();
}

TEST(vcpu_unmap_unpins_and_marks_writable_map_dirty)
{
	struct kfp_mm *mm = test_kvm_mm();
	int id;
	kfp_pfn_t pfn;
	u64 value = 11;

	test_world(&kvm_design_upstream);
	id = test_object_of(KFP_OBJECT_SHMEM, 2);
	test_map(PG(16), 2, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_SHARED, id);
	test_memslot(0, 0, 2, PG(16), 0);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 0, 0, true), 0);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 1, false), 0);
	pfn = test_vcpu(0)->map[0].pfn;
	mm->page[pfn].flags &= ~PG_dirty;
	mm->page[test_vcpu(0)->map[1].pfn].flags &= ~PG_dirty;
	ASSERT_EQ(kvm_vcpu_map_access(test_kvm(), test_vcpu(0), 0, true, &value), KVM_OUTCOME_OK);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	ASSERT_TRUE(mm->page[pfn].flags & PG_dirty);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, test_vcpu(0)->map_owner), 1);
	ASSERT_FALSE(test_vcpu(0)->map[0].mapped);
	pfn = test_vcpu(0)->map[1].pfn;
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 1);
	ASSERT_FALSE(mm->page[pfn].flags & PG_dirty);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, test_vcpu(0)->map_owner), 0);
	ASSERT_EQ(kfp_pfn_read(mm, test_host_pfn(PG(16))), 11);
	test_finish();
	ASSERT_CLEAN();
}

/*
 *  vCPU                                   host
 *  kvm_vcpu_map(gfn 1): pin P (7)
 *                                         munmap 0x10000: pte gone, P kept
 *                                         by the pin (no notifier for maps)
 *  read through the map: 7
 *  expected: P3 STALE_UNMAPPED accepted, no P2; unmap frees P; no leak
 */
TEST(vcpu_map_access_after_munmap_is_accepted_stale_and_page_kept)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_pfn_t pfn;
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	pfn = test_vcpu(0)->map[0].pfn;
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(4)), 0);
	ASSERT_FALSE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(kvm_vcpu_map_access(test_kvm(), test_vcpu(0), 0, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 7);
	ASSERT_ACCEPTED(KFP_REPORT_STALE_UNMAPPED);
	assert_no_violations();
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	test_finish();
	assert_no_violations();
}

TEST(vcpu_map_write_after_mprotect_readonly_is_accepted_stale_permission)
{
	u64 value = 8;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	ASSERT_EQ(kfp_mprotect(test_kvm_mm(), PG(16), PG(4), PROT_READ), 0);
	ASSERT_EQ(kvm_vcpu_map_access(test_kvm(), test_vcpu(0), 0, true, &value), KVM_OUTCOME_OK);
	ASSERT_ACCEPTED(KFP_REPORT_STALE_PERMISSION);
	assert_no_violations();
	ASSERT_EQ(kfp_pfn_read(test_kvm_mm(), test_host_pfn(PG(17))), 8);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	assert_no_violations();
}

TEST(vcpu_map_access_after_host_remap_reads_old_page_accepted)
{
	struct kfp_mmap_args args = {
		PG(16), PG(4), PROT_READ | PROT_WRITE, KFP_MAP_FIXED, KFP_BACKING_ANON, -1, 0
	};
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	ASSERT_EQ(kfp_mmap(test_kvm_mm(), &args), 0);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 99), 0);
	ASSERT_EQ(kvm_vcpu_map_access(test_kvm(), test_vcpu(0), 0, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 7);
	ASSERT_ACCEPTED(KFP_REPORT_STALE_PFN);
	assert_no_violations();
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	assert_no_violations();
}

/* ---- remapped memory and allow_unsafe_mappings ------------------------------- */

static int setup_pfnmap(enum kfp_memory_object_kind kind)
{
	int id = test_object_of(kind, 2);

	test_map(PG(16), 2, PROT_READ | PROT_WRITE, KFP_MAP_SHARED | KFP_MAP_POPULATE,
		 KFP_BACKING_PFNMAP, id);
	test_memslot(0, 0, 2, PG(16), 0);
	return id;
}

TEST(vcpu_map_pfnmap_without_allow_unsafe_mappings_is_einval)
{
	test_world(&kvm_design_upstream);
	setup_pfnmap(KFP_OBJECT_DEVICE_MMIO);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 0, 0, true), -EINVAL);
	ASSERT_FALSE(test_vcpu(0)->map[0].mapped);
	ASSERT_EQ(kvm_vcpu_map_access(test_kvm(), test_vcpu(0), 0, false, &(u64){ 0 }),
		  KVM_OUTCOME_EINVAL);
	test_finish();
	ASSERT_CLEAN();
}

TEST(vcpu_map_pfnmap_with_allow_unsafe_mappings_maps_without_pin)
{
	struct kfp_mm *mm = test_kvm_mm();
	int id;
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_kvm()->allow_unsafe_mappings = 1;
	id = setup_pfnmap(KFP_OBJECT_DEVICE_MMIO);
	kfp_pfn_write(mm, mm->object[id].pfn[1], 55);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	ASSERT_EQ(test_vcpu(0)->map[0].pfn, mm->object[id].pfn[1]);
	ASSERT_EQ(test_vcpu(0)->map[0].pinned_page, KFP_PFN_NONE);
	ASSERT_EQ(kvm_vcpu_map_access(test_kvm(), test_vcpu(0), 0, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 55);
	/* nothing keeps device memory: every access is the accepted unsafe kind */
	ASSERT_ACCEPTED(KFP_REPORT_ACCESS_UNPROTECTED);
	assert_no_violations();
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	assert_no_violations();
}

/*
 *  vCPU (allow_unsafe_mappings=1)         driver
 *  kvm_vcpu_map(gfn 0): device pfn, no pin
 *                                         revoke: zap ptes, release memory
 *  read through the map
 *  expected: P2 ACCESS_RELEASED, accepted by upstream (the parameter asks
 *  for exactly this); no unaccepted violation
 */
TEST(vcpu_map_unsafe_pfnmap_access_after_revoke_is_accepted_released)
{
	int id;
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_kvm()->allow_unsafe_mappings = 1;
	id = setup_pfnmap(KFP_OBJECT_DEVICE_MMIO);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 0, 0, true), 0);
	ASSERT_EQ(kfp_driver_revoke(test_kvm_mm(), id), 0);
	ASSERT_EQ(kvm_vcpu_map_access(test_kvm(), test_vcpu(0), 0, false, &value), KVM_OUTCOME_OK);
	ASSERT_ACCEPTED(KFP_REPORT_ACCESS_RELEASED);
	assert_no_violations();
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	assert_no_violations();
}

/* The same with refcounted driver pages (udmabuf-like): freed, still accepted. */
TEST(vcpu_map_unsafe_pfnmap_of_driver_pages_after_revoke_is_accepted)
{
	int id;
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_kvm()->allow_unsafe_mappings = 1;
	id = setup_pfnmap(KFP_OBJECT_DRIVER_PAGES);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 0, 0, true), 0);
	ASSERT_EQ(test_vcpu(0)->map[0].pinned_page, KFP_PFN_NONE);
	ASSERT_EQ(kfp_driver_revoke(test_kvm_mm(), id), 0);
	ASSERT_EQ(kvm_vcpu_map_access(test_kvm(), test_vcpu(0), 0, false, &value), KVM_OUTCOME_OK);
	ASSERT_GT(test_count(KFP_REPORT_ACCESS_FREED, true) +
			  test_count(KFP_REPORT_ACCESS_REALLOCATED, true) +
			  test_count(KFP_REPORT_ACCESS_UNPROTECTED, true),
		  0);
	assert_no_violations();
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	assert_no_violations();
}

/* ---- errors --------------------------------------------------------------- */

TEST(vcpu_map_of_gfn_without_memslot_is_einval)
{
	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 100, 0, true), -EINVAL);
	ASSERT_FALSE(test_vcpu(0)->map[0].mapped);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), test_vcpu(0)->map_owner), 0);
	test_finish();
	ASSERT_CLEAN();
}

TEST(vcpu_map_twice_on_same_index_is_ebusy_and_keeps_first_pin)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_pfn_t pfn;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	pfn = test_vcpu(0)->map[0].pfn;
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 2, 0, true), -EBUSY);
	ASSERT_EQ(test_vcpu(0)->map[0].pfn, pfn);
	ASSERT_EQ(test_vcpu(0)->map[0].gfn, 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, test_vcpu(0)->map_owner), 1);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 2, KFP_MAX_HOST_MAPS, true), -EBUSY);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	ASSERT_CLEAN();
}

TEST(vcpu_map_writable_of_readonly_memslot_is_einval)
{
	test_world(&kvm_design_upstream);
	test_map(PG(16), 4, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1);
	test_memslot(0, 0, 4, PG(16), KVM_MEM_READONLY);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), -EINVAL);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, false), 0);
	ASSERT_EQ(kvm_vcpu_map_access(test_kvm(), test_vcpu(0), 0, true, &(u64){ 1 }),
		  KVM_OUTCOME_EINVAL);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	ASSERT_CLEAN();
}

/* Migration cannot move a pinned page: the map stays fresh. */
TEST(vcpu_map_pin_blocks_migration)
{
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	/* migrate_pages() gives up on the pinned folio after its retries */
	ASSERT_EQ(kfp_migrate_page(test_kvm_mm(), PG(17)), -EAGAIN);
	ASSERT_EQ(test_host_pfn(PG(17)), test_vcpu(0)->map[0].pfn);
	ASSERT_EQ(kvm_vcpu_map_access(test_kvm(), test_vcpu(0), 0, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 7);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	ASSERT_CLEAN();
}

/* ---- __gfn_to_page() ------------------------------------------------------- */

TEST(gfn_to_page_holds_a_reference_until_release_dirty)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_pfn_t pfn;
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	pfn = test_host_pfn(PG(17));
	ASSERT_EQ(kvm_gfn_to_page(test_kvm(), test_vcpu(0), 1, true), 0);
	ASSERT_EQ(test_vcpu(0)->page, pfn);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, test_vcpu(0)->page_owner), 1);
	ASSERT_EQ(kvm_gfn_to_page(test_kvm(), test_vcpu(0), 1, true), -EBUSY);
	ASSERT_EQ(kfp_munmap(mm, PG(16), PG(4)), 0);
	ASSERT_FALSE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(kvm_page_access(test_kvm(), test_vcpu(0), false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 7);
	ASSERT_EQ(violations(KFP_PROPERTY_P2), 0);
	kvm_gfn_to_page_release(test_kvm(), test_vcpu(0), true);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_EQ(kvm_page_access(test_kvm(), test_vcpu(0), false, &value), KVM_OUTCOME_EINVAL);
	test_finish();
	ASSERT_EQ(violations(KFP_PROPERTY_P1), 0);
}
