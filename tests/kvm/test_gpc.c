// SPDX-License-Identifier: GPL-2.0
/*
 * gfn_to_pfn_cache (virt/kvm/pfncache.c): activate, check, access, refresh
 * and deactivate, and the refresh loop against invalidations (reference
 * §3.4, §3.5 interleaving 4, §5 row 6).  The cache holds no reference once
 * refreshed; invalidate_range_start clears `valid`, and a refresh that an
 * invalidation overlapped must loop.
 */
#include "../lib/kvm_fixture.h"

/*
 *  hva 0x10000 .. 0x14000  private anon, rw; 0x11000 holds 7, 0x12000 holds 8
 *  gfn 0 .. 4              memslot 0 -> hva 0x10000
 */
static void setup_anon(void)
{
	test_map(PG(16), 4, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1);
	test_memslot(0, 0, 4, PG(16), 0);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 7), 0);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(18), 8), 0);
}

static void finish_clean(void)
{
	kvm_destroy_vm(test_kvm());
	kfp_check_final(test_kvm());
	ASSERT_CLEAN();
}

static u64 gpc_read(unsigned int index)
{
	u64 value = 0;

	ASSERT_EQ(kvm_gpc_access(test_kvm(), index, false, &value), KVM_OUTCOME_OK);
	return value;
}

static bool gpc_check_locked(unsigned int index)
{
	struct gfn_to_pfn_cache *gpc = &test_kvm()->gpc[index];
	bool ok;

	kfp_read_lock(&gpc->lock);
	ok = kvm_gpc_check(test_kvm(), index, 8);
	kfp_read_unlock(&gpc->lock);
	return ok;
}

static void host_map_fixed(void *arg)
{
	struct kfp_mmap_args args = {
		PG(16), PG(4), PROT_READ | PROT_WRITE, KFP_MAP_FIXED, KFP_BACKING_ANON, -1, 0
	};

	(void)arg;
	ASSERT_EQ(kfp_mmap(test_kvm_mm(), &args), 0);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 99), 0);
}

static void host_map_fixed_in_refresh_window(void *arg)
{
	struct gfn_to_pfn_cache *gpc = arg;

	ASSERT_FALSE(kfp_lock_is_locked(&gpc->lock));
	ASSERT_TRUE(kfp_lock_is_locked(&gpc->refresh_lock));
	ASSERT_FALSE(gpc->valid);
	host_map_fixed(NULL);
}

TEST(gpc_activate_check_access_deactivate)
{
	struct kvm *kvm = test_kvm();
	struct gfn_to_pfn_cache *gpc = &kvm->gpc[0];
	u64 value = 21;

	test_world(&kvm_design_upstream);
	setup_anon();
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1) + 16, 8), 0);
	ASSERT_TRUE(gpc->active);
	ASSERT_TRUE(gpc->valid);
	ASSERT_EQ(gpc->pfn, test_host_pfn(PG(17)));
	ASSERT_EQ(gpc->uhva, PG(17) + 16);
	ASSERT_TRUE(gpc_check_locked(0));
	ASSERT_EQ(gpc_read(0), 7);
	ASSERT_EQ(kvm_gpc_access(kvm, 0, true, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(kfp_pfn_read(test_kvm_mm(), test_host_pfn(PG(17))), 21);
	kvm_gpc_deactivate(kvm, 0);
	ASSERT_FALSE(gpc->active);
	ASSERT_FALSE(gpc->listed);
	ASSERT_FALSE(gpc_check_locked(0));
	finish_clean();
}

TEST(gpc_holds_no_reference_after_refresh)
{
	struct kvm *kvm = test_kvm();
	kfp_pfn_t pfn;
	int before;

	test_world(&kvm_design_upstream);
	setup_anon();
	pfn = test_host_pfn(PG(17));
	before = page_ref_count(test_kvm_mm(), pfn);
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), kvm->gpc[0].owner), 0);
	ASSERT_EQ(page_ref_count(test_kvm_mm(), pfn), before);
	ASSERT_EQ(kvm_gpc_refresh(kvm, 0, 8), 0);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), kvm->gpc[0].owner), 0);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

/*
 *  gpc user                               host
 *  activate: valid, pfn = P
 *                                         mmap FIXED: range_start clears
 *                                         valid; P freed; write 99 (new Q)
 *  check fails -> refresh: hva_to_pfn = Q
 *  expected: reads 99 from Q, clean
 */
TEST(gpc_refresh_after_invalidation_maps_new_pfn)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	setup_anon();
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	host_map_fixed(NULL);
	ASSERT_FALSE(kvm->gpc[0].valid);
	ASSERT_FALSE(gpc_check_locked(0));
	ASSERT_EQ(gpc_read(0), 99);
	ASSERT_TRUE(kvm->gpc[0].valid);
	ASSERT_EQ(kvm->gpc[0].pfn, test_host_pfn(PG(17)));
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), kvm->gpc[0].owner), 0);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

/*
 *  refresh (activate)                     host
 *  seq = mmu_invalidate_seq; unlock gpc
 *  hva_to_pfn: P (+1)
 *                                         mmap FIXED; write 99 (seq++)
 *  write_lock(gpc); retry_cache(seq): seq moved -> loop
 *  put P (unused): freed; hva_to_pfn again: Q
 *  write_lock(gpc); retry_cache: no -> valid, pfn = Q
 *  expected: the refresh re-read, reads 99, P freed, clean
 */
TEST(gpc_invalidation_during_refresh_loops_and_sees_new_page)
{
	struct kvm *kvm = test_kvm();
	kfp_pfn_t old_pfn;

	test_world(&kvm_design_upstream);
	setup_anon();
	old_pfn = test_host_pfn(PG(17));
	test_trigger("gpc->lock", 5, host_map_fixed_in_refresh_window, &kvm->gpc[0]);
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(kvm->gpc[0].pfn, test_host_pfn(PG(17)));
	/* the second lookup's page: P may have been freed and handed out again as Q */
	ASSERT_EQ(kvm->gpc[0].generation_of_page, test_kvm_mm()->page[kvm->gpc[0].pfn].generation);
	ASSERT_TRUE(old_pfn != kvm->gpc[0].pfn || kvm->gpc[0].generation_of_page != 0);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), kvm->gpc[0].owner), 0);
	ASSERT_EQ(gpc_read(0), 99);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

/* The same window on a refresh of an active cache (not the first activate). */
TEST(gpc_invalidation_during_explicit_refresh_loops)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	setup_anon();
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	/* make it invalid without changing the mapping: mprotect back and forth */
	ASSERT_EQ(kfp_mprotect(test_kvm_mm(), PG(17), PG(1), PROT_READ), 0);
	ASSERT_EQ(kfp_mprotect(test_kvm_mm(), PG(17), PG(1), PROT_READ | PROT_WRITE), 0);
	ASSERT_FALSE(kvm->gpc[0].valid);
	/* refresh: lock (1), unlock (2) around the loop's lookup, then lock (3) */
	test_trigger("gpc->lock", 3, host_map_fixed_in_refresh_window, &kvm->gpc[0]);
	ASSERT_EQ(kvm_gpc_refresh(kvm, 0, 8), 0);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(kvm->gpc[0].pfn, test_host_pfn(PG(17)));
	ASSERT_EQ(gpc_read(0), 99);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

/*
 *  activate                               host
 *  refresh_lock; (not yet on gpc_list, gpc_lock not taken)
 *                                         mmap FIXED; write 99: no gpc to hit
 *  list_add; active; refresh: Q
 *  expected: reads 99, clean
 */
TEST(gpc_invalidation_before_cache_is_listed_is_harmless)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	setup_anon();
	test_trigger("gpc_lock", 1, host_map_fixed, NULL);
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(gpc_read(0), 99);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

/*
 *  activate                               host
 *  list_add; active = 1 (not yet valid)
 *                                         mmap FIXED; write 99: gpc listed
 *                                         but not valid: nothing to clear
 *  refresh: Q
 *  expected: reads 99, clean
 */
TEST(gpc_invalidation_after_active_before_refresh_is_harmless)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	setup_anon();
	test_trigger("gpc->lock", 3, host_map_fixed, NULL);
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(kvm->gpc[0].pfn, test_host_pfn(PG(17)));
	ASSERT_EQ(gpc_read(0), 99);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

TEST(gpc_two_caches_on_same_gfn_are_both_invalidated)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	setup_anon();
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	ASSERT_EQ(kvm_gpc_activate(kvm, 1, PG(1) + 8, 8), 0);
	host_map_fixed(NULL);
	ASSERT_FALSE(kvm->gpc[0].valid);
	ASSERT_FALSE(kvm->gpc[1].valid);
	ASSERT_EQ(gpc_read(0), 99);
	ASSERT_EQ(gpc_read(1), 99);
	ASSERT_EQ(kvm->gpc[0].pfn, kvm->gpc[1].pfn);
	kvm_gpc_deactivate(kvm, 0);
	kvm_gpc_deactivate(kvm, 1);
	finish_clean();
}

TEST(gpc_invalidation_of_one_page_leaves_other_cache_valid)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	setup_anon();
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	ASSERT_EQ(kvm_gpc_activate(kvm, 1, PG(2), 8), 0);
	ASSERT_EQ(kfp_madvise_dontneed(test_kvm_mm(), PG(17), PG(1)), 0);
	ASSERT_FALSE(kvm->gpc[0].valid);
	ASSERT_TRUE(kvm->gpc[1].valid);
	ASSERT_EQ(gpc_read(1), 8);
	ASSERT_EQ(gpc_read(0), 0); /* refault: a fresh zeroed page for a write GUP */
	kvm_gpc_deactivate(kvm, 0);
	kvm_gpc_deactivate(kvm, 1);
	finish_clean();
}

TEST(gpc_memslot_generation_change_forces_refresh)
{
	struct kvm *kvm = test_kvm();
	u64 generation;

	test_world(&kvm_design_upstream);
	setup_anon();
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	generation = kvm->gpc[0].generation;
	/* start dirty logging: same slot, new generation */
	test_memslot(0, 0, 4, PG(16), KVM_MEM_LOG_DIRTY_PAGES);
	ASSERT_NE(kvm->memslots[0].generation, generation);
	ASSERT_TRUE(kvm->gpc[0].valid);
	ASSERT_FALSE(gpc_check_locked(0));
	ASSERT_EQ(gpc_read(0), 7);
	ASSERT_EQ(kvm->gpc[0].generation, kvm->memslots[0].generation);
	ASSERT_TRUE(gpc_check_locked(0));
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

/* The slot is re-created at another hva: the new generation re-resolves the uhva. */
TEST(gpc_memslot_recreated_at_new_hva_is_followed_by_refresh)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	setup_anon();
	test_map(PG(32), 4, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(33), 33), 0);
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	ASSERT_EQ(kvm_set_memory_region(kvm, 0, 0, 0, 0, 0, 0), 0);
	test_memslot(0, 0, 4, PG(32), 0);
	ASSERT_EQ(gpc_read(0), 33);
	ASSERT_EQ(kvm->gpc[0].uhva, PG(33));
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

TEST(gpc_activate_crossing_a_page_is_einval)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	setup_anon();
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1) + PAGE_SIZE - 8, 16), -EINVAL);
	ASSERT_FALSE(kvm->gpc[0].active);
	ASSERT_FALSE(kvm->gpc[0].listed);
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1) + PAGE_SIZE - 8, 8), 0);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

TEST(gpc_access_after_deactivate_is_einval)
{
	struct kvm *kvm = test_kvm();
	u64 value = 0;

	test_world(&kvm_design_upstream);
	setup_anon();
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	kvm_gpc_deactivate(kvm, 0);
	ASSERT_EQ(kvm_gpc_access(kvm, 0, false, &value), KVM_OUTCOME_EINVAL);
	ASSERT_EQ(kvm_gpc_refresh(kvm, 0, 8), -EINVAL);
	/* deactivated caches are off the list: invalidation skips them */
	host_map_fixed(NULL);
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	ASSERT_EQ(gpc_read(0), 99);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

TEST(gpc_activate_of_gpa_without_memslot_is_efault)
{
	struct kvm *kvm = test_kvm();
	u64 value = 0;

	test_world(&kvm_design_upstream);
	setup_anon();
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(100), 8), -EFAULT);
	ASSERT_TRUE(kvm->gpc[0].active);
	ASSERT_FALSE(kvm->gpc[0].valid);
	ASSERT_EQ(kvm->gpc[0].pfn, KVM_PFN_ERR_FAULT);
	ASSERT_EQ(kvm_gpc_access(kvm, 0, false, &value), KVM_OUTCOME_EFAULT);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

/*
 * A KVM_MEM_READONLY slot: __kvm_gpc_refresh() takes the uhva from
 * gfn_to_hva_memslot(), which asks for a writable hva
 * (gfn_to_hva_many() -> __gfn_to_hva_many(..., write = true)) and gets
 * KVM_HVA_ERR_RO_BAD, so activation fails with -EFAULT and the cache never
 * maps, let alone writes, the read-only page.
 */
TEST(gpc_activate_on_readonly_slot_is_efault_and_never_writes)
{
	struct kvm *kvm = test_kvm();
	u64 value = 42;

	test_world(&kvm_design_upstream);
	test_map(PG(16), 4, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1);
	test_memslot(0, 0, 4, PG(16), KVM_MEM_READONLY);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 7), 0);
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), -EFAULT);
	ASSERT_TRUE(kvm->gpc[0].active);
	ASSERT_FALSE(kvm->gpc[0].valid);
	ASSERT_EQ(kvm->gpc[0].uhva, KVM_HVA_ERR_RO_BAD);
	ASSERT_EQ(kvm_gpc_refresh(kvm, 0, 8), -EFAULT);
	ASSERT_EQ(kvm_gpc_access(kvm, 0, true, &value), KVM_OUTCOME_EFAULT);
	ASSERT_EQ(kfp_pfn_read(test_kvm_mm(), test_host_pfn(PG(17))), 7);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

/*
 * pre-cve's cache is kvm_map_gfn()'s (v5.10 virt/kvm/kvm_main.c
 * kvm_cache_gfn_to_pfn()): it keeps gfn_to_pfn_memslot()'s reference and no
 * invalidation reaches it.  After a remap it still reads the old page, which
 * its reference keeps allocated: P3 (stale pfn), not P2.  The reference goes
 * at deactivation, or at VM destruction (kvm_arch_vcpu_destroy()).
 */
static kfp_pfn_t pre_cve_cache_then_remap(void)
{
	struct kvm *kvm = test_kvm();
	kfp_pfn_t old;

	test_world(&kvm_design_pre_cve);
	setup_anon();
	old = test_host_pfn(PG(17));
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	ASSERT_EQ(kfp_ledger_refs(test_kvm_mm(), old, kvm->gpc[0].owner), 1);
	host_map_fixed(NULL);
	ASSERT_TRUE(kvm->gpc[0].valid);
	ASSERT_EQ(gpc_read(0), 7);
	return old;
}

TEST(gpc_pre_cve_cache_is_stale_but_holds_its_page)
{
	struct kvm *kvm = test_kvm();
	kfp_pfn_t old = pre_cve_cache_then_remap();

	ASSERT_VIOLATION(KFP_REPORT_STALE_PFN);
	ASSERT_EQ(test_count(KFP_REPORT_ACCESS_FREED, false), 0);
	ASSERT_EQ(test_count(KFP_REPORT_ACCESS_UNPROTECTED, false), 0);
	ASSERT_FALSE(test_kvm_mm()->page[old].flags & PG_free);
	kvm_gpc_deactivate(kvm, 0);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), kvm->gpc[0].owner), 0);
	ASSERT_TRUE(test_kvm_mm()->page[old].flags & PG_free);
}

TEST(gpc_pre_cve_cache_reference_goes_with_the_vm)
{
	struct kvm *kvm = test_kvm();
	unsigned int reports;

	pre_cve_cache_then_remap();
	reports = test_kvm_reports()->count;
	kvm_destroy_vm(kvm);
	kfp_check_final(kvm);
	ASSERT_EQ(test_kvm_reports()->count, reports);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), kvm->gpc[0].owner), 0);
}

/* Re-keyed on a memslot generation change: the old pfn is put, the new one looked up. */
TEST(gpc_pre_cve_cache_rekeys_on_memslot_generation)
{
	struct kvm *kvm = test_kvm();
	kfp_pfn_t old = pre_cve_cache_then_remap();

	test_memslot(1, 8, 1, PG(16), 0);
	ASSERT_EQ(gpc_read(0), 99);
	ASSERT_NE(kvm->gpc[0].pfn, old);
	ASSERT_EQ(kfp_ledger_refs(test_kvm_mm(), old, kvm->gpc[0].owner), 0);
	ASSERT_EQ(kfp_ledger_refs(test_kvm_mm(), kvm->gpc[0].pfn, kvm->gpc[0].owner), 1);
	kvm_gpc_deactivate(kvm, 0);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), kvm->gpc[0].owner), 0);
}

TEST(gpc_refresh_after_munmap_is_efault_and_holds_nothing)
{
	struct kvm *kvm = test_kvm();
	u64 value = 0;

	test_world(&kvm_design_upstream);
	setup_anon();
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	ASSERT_EQ(kfp_munmap(test_kvm_mm(), PG(16), PG(4)), 0);
	ASSERT_EQ(kvm_gpc_access(kvm, 0, false, &value), KVM_OUTCOME_EFAULT);
	ASSERT_FALSE(kvm->gpc[0].valid);
	ASSERT_EQ(kvm->gpc[0].pfn, KVM_PFN_ERR_FAULT);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), kvm->gpc[0].owner), 0);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

/* Migration of the cached page: invalidated, then refreshed to the new pfn. */
TEST(gpc_migration_of_cached_page_is_followed)
{
	struct kvm *kvm = test_kvm();
	kfp_pfn_t old_pfn;

	test_world(&kvm_design_upstream);
	setup_anon();
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	old_pfn = kvm->gpc[0].pfn;
	ASSERT_EQ(kfp_migrate_page(test_kvm_mm(), PG(17)), 0);
	ASSERT_FALSE(kvm->gpc[0].valid);
	ASSERT_EQ(gpc_read(0), 7);
	ASSERT_NE(kvm->gpc[0].pfn, old_pfn);
	ASSERT_EQ(kvm->gpc[0].pfn, test_host_pfn(PG(17)));
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}
