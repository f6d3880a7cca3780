// SPDX-License-Identifier: GPL-2.0
/*
 * The proposal (kvm/design/proposal.c, kvm/vcpu_map_notifier.c):
 * kvm_vcpu_map() as a notifier-invalidated cache.  No pin and no
 * reference; an access after the host changed the hva sees the fresh
 * page or fails; device memory maps without allow_unsafe_mappings.  The
 * last tests take the invalidation away again (gpc-no-invalidate, which
 * skips the walk the mappings are on) and watch P2 and P3 come back.
 */
#include "../lib/kvm_fixture.h"
#include "../lib/seeded.h"

/*
 *  hva 0x10000 .. 0x14000  private anon, rw; 0x11000 holds 7
 *  gfn 0 .. 4              memslot 0 -> hva 0x10000
 */
static void setup_anon(void)
{
	test_world(&kvm_design_proposal);
	test_setup_anon();
}

static enum kvm_outcome map_read(u64 *value)
{
	return kvm_vcpu_map_access(test_kvm(), test_vcpu(0), 0, false, value);
}

TEST(proposal_vcpu_map_holds_no_pin_and_no_reference)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_pfn_t pfn;
	int before;
	u64 value = 0;

	setup_anon();
	pfn = test_host_pfn(PG(17));
	before = page_ref_count(mm, pfn);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	ASSERT_EQ(page_ref_count(mm, pfn), before);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, test_vcpu(0)->map_owner), 0);
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, test_vcpu(0)->map_owner), 0);
	ASSERT_EQ(map_read(&value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 7);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	ASSERT_FALSE(test_vcpu(0)->map[0].listed);
	test_finish();
	ASSERT_CLEAN();
}

/* upstream reads 7 from the old page and reports an accepted STALE_PFN */
TEST(proposal_vcpu_map_after_host_remap_reads_the_new_page)
{
	struct kfp_mmap_args args = {
		PG(16), PG(4), PROT_READ | PROT_WRITE, KFP_MAP_FIXED, KFP_BACKING_ANON, -1, 0
	};
	u64 value = 0;

	setup_anon();
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	ASSERT_EQ(kfp_mmap(test_kvm_mm(), &args), 0);
	ASSERT_FALSE(test_vcpu(0)->map[0].valid);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 99), 0);
	ASSERT_EQ(map_read(&value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 99);
	ASSERT_EQ(test_vcpu(0)->map[0].pfn, test_host_pfn(PG(17)));
	ASSERT_EQ(test_kvm()->stats.nr_marked_invalid, 1);
	ASSERT_EQ(test_kvm()->stats.nr_refreshes, 2);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	ASSERT_CLEAN();
}

TEST(proposal_vcpu_map_after_munmap_is_efault)
{
	u64 value = 0;

	setup_anon();
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	ASSERT_EQ(kfp_munmap(test_kvm_mm(), PG(16), PG(4)), 0);
	ASSERT_EQ(map_read(&value), KVM_OUTCOME_EFAULT);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	ASSERT_CLEAN();
}

/* upstream: the write goes to the pinned page, an accepted STALE_PERMISSION */
TEST(proposal_vcpu_map_write_after_mprotect_readonly_is_efault)
{
	setup_anon();
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	ASSERT_EQ(kfp_mprotect(test_kvm_mm(), PG(16), PG(4), PROT_READ), 0);
	ASSERT_EQ(kvm_vcpu_map_access(test_kvm(), test_vcpu(0), 0, true, &(u64){ 5 }),
		  KVM_OUTCOME_EFAULT);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	ASSERT_CLEAN();
}

/* upstream's pin makes migration fail (-EBUSY); here the mapping follows the page */
TEST(proposal_vcpu_map_does_not_block_migration)
{
	kfp_pfn_t old;
	u64 value = 0;

	setup_anon();
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	old = test_vcpu(0)->map[0].pfn;
	ASSERT_EQ(kfp_migrate_page(test_kvm_mm(), PG(17)), 0);
	ASSERT_NE(test_host_pfn(PG(17)), old);
	ASSERT_EQ(map_read(&value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 7);
	ASSERT_EQ(test_vcpu(0)->map[0].pfn, test_host_pfn(PG(17)));
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	ASSERT_CLEAN();
}

TEST(proposal_vcpu_map_after_memslot_delete_is_efault)
{
	u64 value = 0;

	setup_anon();
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	ASSERT_EQ(kvm_set_memory_region(test_kvm(), 0, 0, 0, 0, 0, 0), 0);
	ASSERT_FALSE(test_vcpu(0)->map[0].valid);
	ASSERT_EQ(map_read(&value), KVM_OUTCOME_EFAULT);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	ASSERT_CLEAN();
}

/* ---- device memory, allow_unsafe_mappings = 0 ------------------------------ */

static int setup_pfnmap(enum kfp_memory_object_kind kind)
{
	int id;

	test_world(&kvm_design_proposal);
	id = test_object_of(kind, 2);
	test_map(PG(16), 2, PROT_READ | PROT_WRITE, KFP_MAP_SHARED | KFP_MAP_POPULATE,
		 KFP_BACKING_PFNMAP, id);
	test_memslot(0, 0, 2, PG(16), 0);
	return id;
}

/* upstream: -EINVAL without the parameter, an accepted ACCESS_RELEASED with it */
TEST(proposal_vcpu_map_of_device_memory_needs_no_parameter_and_survives_revoke)
{
	struct kfp_mm *mm = test_kvm_mm();
	u64 value = 0;
	int id;

	id = setup_pfnmap(KFP_OBJECT_DEVICE_MMIO);
	ASSERT_EQ(test_kvm()->allow_unsafe_mappings, 0);
	kfp_pfn_write(mm, mm->object[id].pfn[1], 55);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	ASSERT_EQ(test_vcpu(0)->map[0].pinned_page, KFP_PFN_NONE);
	ASSERT_EQ(map_read(&value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 55);
	ASSERT_EQ(kfp_driver_revoke(mm, id), 0);
	ASSERT_EQ(map_read(&value), KVM_OUTCOME_EFAULT);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	ASSERT_CLEAN();
}

/* refcount-0 tails of a TTM buffer: mapped with no reference, so none to corrupt */
TEST(proposal_vcpu_map_of_refcount_zero_tail_takes_no_reference)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_pfn_t pfn;
	u64 value = 0;
	int id;

	id = setup_pfnmap(KFP_OBJECT_TTM);
	pfn = mm->object[id].pfn[1];
	ASSERT_EQ(page_ref_count(mm, pfn), 0);
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	ASSERT_EQ(map_read(&value), KVM_OUTCOME_OK);
	ASSERT_EQ(page_ref_count(mm, pfn), 0);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	ASSERT_EQ(page_ref_count(mm, pfn), 0);
	test_finish();
	ASSERT_CLEAN();
}

/* ---- the checker sees the proposal without its invalidation ---------------- */

TEST(proposal_without_invalidation_is_p2_and_p3_after_munmap)
{
	struct kfp_verdict verdict;
	u64 value = 0;

	setup_anon();
	test_kvm()->inject |= KVM_INJECT_GPC_NO_INVALIDATE;
	ASSERT_EQ(kvm_vcpu_map(test_kvm(), test_vcpu(0), 1, 0, true), 0);
	ASSERT_EQ(kfp_munmap(test_kvm_mm(), PG(16), PG(4)), 0);
	ASSERT_EQ(map_read(&value), KVM_OUTCOME_OK);
	kfp_verdict_of(test_kvm_reports(), &verdict);
	ASSERT_GT(verdict.violations[KFP_PROPERTY_P2], 0);
	ASSERT_GT(verdict.violations[KFP_PROPERTY_P3], 0);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
}

/* ---- __gfn_to_page() users (kvm/gfn_to_page_notifier.c) -------------------- */

static enum kvm_outcome page_read(u64 *value)
{
	return kvm_page_access(test_kvm(), test_vcpu(0), false, value);
}

/* upstream keeps the lookup's reference until kvm_release_page_*() */
TEST(proposal_gfn_to_page_holds_no_reference)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_pfn_t pfn;
	int before;
	u64 value = 0;

	setup_anon();
	pfn = test_host_pfn(PG(17));
	before = page_ref_count(mm, pfn);
	ASSERT_EQ(kvm_gfn_to_page(test_kvm(), test_vcpu(0), 1, true), 0);
	ASSERT_EQ(test_vcpu(0)->page, pfn);
	ASSERT_EQ(page_ref_count(mm, pfn), before);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, test_vcpu(0)->page_owner), 0);
	ASSERT_EQ(page_read(&value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 7);
	kvm_gfn_to_page_release(test_kvm(), test_vcpu(0), true);
	ASSERT_EQ(test_vcpu(0)->page, KFP_PFN_NONE);
	test_finish();
	ASSERT_CLEAN();
}

TEST(proposal_gfn_to_page_after_host_remap_reads_the_new_page)
{
	struct kfp_mmap_args args = {
		PG(16), PG(4), PROT_READ | PROT_WRITE, KFP_MAP_FIXED, KFP_BACKING_ANON, -1, 0
	};
	u64 value = 0;

	setup_anon();
	ASSERT_EQ(kvm_gfn_to_page(test_kvm(), test_vcpu(0), 1, true), 0);
	ASSERT_EQ(kfp_mmap(test_kvm_mm(), &args), 0);
	ASSERT_FALSE(test_vcpu(0)->page_valid);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 99), 0);
	ASSERT_EQ(page_read(&value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 99);
	ASSERT_EQ(test_vcpu(0)->page, test_host_pfn(PG(17)));
	ASSERT_EQ(test_kvm()->stats.nr_marked_invalid, 1);
	ASSERT_EQ(test_kvm()->stats.nr_refreshes, 2);
	kvm_gfn_to_page_release(test_kvm(), test_vcpu(0), false);
	test_finish();
	ASSERT_CLEAN();
}

/* the same remap under upstream: the old page, and a P3 nobody accepts */
TEST(upstream_gfn_to_page_after_host_remap_is_stale_and_not_accepted)
{
	struct kfp_mmap_args args = {
		PG(16), PG(4), PROT_READ | PROT_WRITE, KFP_MAP_FIXED, KFP_BACKING_ANON, -1, 0
	};
	struct kfp_verdict verdict;
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(kvm_gfn_to_page(test_kvm(), test_vcpu(0), 1, true), 0);
	ASSERT_EQ(kfp_mmap(test_kvm_mm(), &args), 0);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 99), 0);
	ASSERT_EQ(page_read(&value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 7);
	kfp_verdict_of(test_kvm_reports(), &verdict);
	ASSERT_GT(verdict.violations[KFP_PROPERTY_P3], 0);
	ASSERT_EQ(verdict.accepted[KFP_PROPERTY_P3], 0);
	ASSERT_EQ(verdict.violations[KFP_PROPERTY_P2], 0);
	kvm_gfn_to_page_release(test_kvm(), test_vcpu(0), false);
	test_finish();
}

TEST(proposal_gfn_to_page_write_after_mprotect_readonly_is_efault)
{
	u64 value = 5;

	setup_anon();
	ASSERT_EQ(kvm_gfn_to_page(test_kvm(), test_vcpu(0), 1, true), 0);
	ASSERT_EQ(kfp_mprotect(test_kvm_mm(), PG(16), PG(4), PROT_READ), 0);
	ASSERT_EQ(kvm_page_access(test_kvm(), test_vcpu(0), true, &value), KVM_OUTCOME_EFAULT);
	ASSERT_EQ(kfp_host_read(test_kvm_mm(), PG(17), &value), 0);
	ASSERT_EQ(value, 7);
	kvm_gfn_to_page_release(test_kvm(), test_vcpu(0), true);
	test_finish();
	ASSERT_CLEAN();
}

TEST(proposal_gfn_to_page_after_memslot_delete_is_efault)
{
	u64 value = 0;

	setup_anon();
	ASSERT_EQ(kvm_gfn_to_page(test_kvm(), test_vcpu(0), 1, false), 0);
	ASSERT_EQ(kvm_set_memory_region(test_kvm(), 0, 0, 0, 0, 0, 0), 0);
	ASSERT_FALSE(test_vcpu(0)->page_valid);
	ASSERT_EQ(page_read(&value), KVM_OUTCOME_EFAULT);
	kvm_gfn_to_page_release(test_kvm(), test_vcpu(0), false);
	test_finish();
	ASSERT_CLEAN();
}

/* the seeded TEST_SEED_GFN_TO_PAGE_NO_RELOAD: no mark, no reference, so P2 and P3 */
TEST(proposal_gfn_to_page_without_reload_is_p2_and_p3_after_munmap)
{
	struct kfp_verdict verdict;
	u64 value = 0;

	setup_anon();
	test_seed(TEST_SEED_GFN_TO_PAGE_NO_RELOAD);
	ASSERT_EQ(kvm_gfn_to_page(test_kvm(), test_vcpu(0), 1, true), 0);
	ASSERT_EQ(kfp_munmap(test_kvm_mm(), PG(16), PG(4)), 0);
	ASSERT_TRUE(test_vcpu(0)->page_valid);
	ASSERT_EQ(page_read(&value), KVM_OUTCOME_OK);
	kfp_verdict_of(test_kvm_reports(), &verdict);
	ASSERT_GT(verdict.violations[KFP_PROPERTY_P2], 0);
	ASSERT_GT(verdict.violations[KFP_PROPERTY_P3], 0);
	kvm_gfn_to_page_release(test_kvm(), test_vcpu(0), false);
	test_finish();
}

/*
 * exit_mmap(): ->release, then every page freed with the notifier unhooked.
 *
 *   hva  PG(16)  PG(17)  PG(18)  PG(19)      gpc0 -> gfn 1 (PG(17), 7)
 *        [ anon, memslot 0, gfn 0..3 ]  ->  torn down, pages freed
 *
 * The proposal's release invalidated the cache: the access re-validates,
 * finds no VMA, and fails.
 */
TEST(proposal_gpc_after_exit_mmap_is_efault)
{
	u64 value = 0;

	setup_anon();
	ASSERT_EQ(kvm_gpc_activate(test_kvm(), 0, PG(1), 8), 0);
	ASSERT_TRUE(test_kvm()->gpc[0].valid);
	kfp_mm_teardown(test_kvm_mm());
	ASSERT_FALSE(test_kvm()->gpc[0].valid);
	ASSERT_EQ(kvm_gpc_access(test_kvm(), 0, false, &value), KVM_OUTCOME_EFAULT);
	kvm_gpc_deactivate(test_kvm(), 0);
	test_finish();
	ASSERT_CLEAN();
}

/* the seeded TEST_SEED_RELEASE_KEEPS_CACHES: upstream's release, so P2 and P3 */
TEST(proposal_gpc_kept_valid_by_release_is_p2_and_p3_after_exit_mmap)
{
	struct kfp_verdict verdict;
	u64 value = 0;

	setup_anon();
	test_seed(TEST_SEED_RELEASE_KEEPS_CACHES);
	ASSERT_EQ(kvm_gpc_activate(test_kvm(), 0, PG(1), 8), 0);
	kfp_mm_teardown(test_kvm_mm());
	ASSERT_TRUE(test_kvm()->gpc[0].valid);
	ASSERT_EQ(kvm_gpc_access(test_kvm(), 0, false, &value), KVM_OUTCOME_OK);
	kfp_verdict_of(test_kvm_reports(), &verdict);
	ASSERT_GT(verdict.violations[KFP_PROPERTY_P2], 0);
	ASSERT_GT(verdict.violations[KFP_PROPERTY_P3], 0);
	kvm_gpc_deactivate(test_kvm(), 0);
	test_finish();
}
