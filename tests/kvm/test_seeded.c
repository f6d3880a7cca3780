// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded bugs (enum kvm_injection, and tests/lib/seeded.h's enum
 * test_seed for those only these tests use): for each property, old or
 * broken code put back into the upstream design, and a race that makes it
 * visible.
 * Every scenario runs twice, with and without the injection: the checker
 * must catch the bug and must stay silent on the same interleaving
 * without it.
 */
#include "../lib/kvm_fixture.h"
#include "../lib/seeded.h"

static void finish_clean(void)
{
	test_finish();
	ASSERT_CLEAN();
}

static unsigned int violations(enum kfp_property property)
{
	struct kfp_verdict verdict;

	kfp_verdict_of(test_kvm_reports(), &verdict);
	return verdict.violations[property];
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

static void host_mprotect_ro(void *arg)
{
	(void)arg;
	ASSERT_EQ(kfp_mprotect(test_kvm_mm(), PG(16), PG(4), PROT_READ), 0);
}

static void host_munmap(void *arg)
{
	(void)arg;
	ASSERT_EQ(kfp_munmap(test_kvm_mm(), PG(16), PG(4)), 0);
}

/* ---- P3 and P2: KVM_INJECT_SKIP_RETRY_CHECK ------------------------------- */

/*
 *  vCPU                                   host
 *  seq = mmu_invalidate_seq; GUP: old page P (+1)
 *  retry_gfn_unsafe: no
 *                                         mmap FIXED over 0x10000; write 99
 *  read_lock(mmu_lock)
 *  [injected: no mmu_invalidate_retry_gfn()]  install spte -> P; put P: freed
 *  guest reads through the spte
 *  expected with the bug: P3 STALE_PFN and P2 ACCESS_FREED; without: 99, clean
 */
static u64 skip_retry_check_scenario(unsigned int inject)
{
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_kvm()->inject = inject;
	test_setup_anon();
	test_trigger("mmu_lock", 1, host_map_fixed, NULL);
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_TRUE(test_trigger_fired());
	return value;
}

TEST(seeded_skip_retry_check_installs_stale_spte_to_freed_page)
{
	ASSERT_EQ(skip_retry_check_scenario(KVM_INJECT_SKIP_RETRY_CHECK), KFP_POISON_FREE);
	ASSERT_VIOLATION(KFP_REPORT_STALE_PFN);
	ASSERT_VIOLATION(KFP_REPORT_ACCESS_FREED);
	ASSERT_NE(test_kvm()->spte[0][1].pfn, test_host_pfn(PG(17)));
}

TEST(seeded_skip_retry_check_scenario_without_injection_is_clean)
{
	ASSERT_EQ(skip_retry_check_scenario(0), 99);
	finish_clean();
}

/*
 *  vCPU                                   host
 *  write fault: GUP-fast writable page P
 *                                         mprotect(PROT_READ): pte read-only
 *  [injected: no retry check] install a *writable* spte -> P
 *  guest writes 5 through it
 *  expected with the bug: P3 STALE_PERMISSION only (P stays mapped, so no
 *  P2); without: the retry refaults and the write fails with EFAULT
 */
static enum kvm_outcome skip_retry_check_mprotect_scenario(unsigned int inject)
{
	u64 value = 5;
	enum kvm_outcome outcome;

	test_world(&kvm_design_upstream);
	test_kvm()->inject = inject;
	test_setup_anon();
	test_trigger("mmu_lock", 1, host_mprotect_ro, NULL);
	outcome = kvm_guest_access(test_kvm(), test_vcpu(0), 1, true, &value);
	ASSERT_TRUE(test_trigger_fired());
	return outcome;
}

TEST(seeded_skip_retry_check_writes_through_readonly_host_pte)
{
	ASSERT_EQ(skip_retry_check_mprotect_scenario(KVM_INJECT_SKIP_RETRY_CHECK), KVM_OUTCOME_OK);
	ASSERT_VIOLATION(KFP_REPORT_STALE_PERMISSION);
	ASSERT_EQ(violations(KFP_PROPERTY_P2), 0);
	ASSERT_EQ(kfp_pfn_read(test_kvm_mm(), test_host_pfn(PG(17))), 5);
}

TEST(seeded_skip_retry_check_mprotect_scenario_without_injection_is_clean)
{
	ASSERT_EQ(skip_retry_check_mprotect_scenario(0), KVM_OUTCOME_EFAULT);
	ASSERT_EQ(kfp_pfn_read(test_kvm_mm(), test_host_pfn(PG(17))), 7);
	finish_clean();
}

/* ---- P3 and P2: TEST_SEED_SNAPSHOT_AFTER_GUP ------------------------------- */

/*
 *  vCPU                                   host
 *  GUP: old page P (+1)
 *                                         mmap FIXED; write 99 (seq++)
 *  [injected: seq = mmu_invalidate_seq only now: the new value]
 *  retry_gfn(seq): nothing in progress, seq equal -> install spte -> P
 *  put P under mmu_lock: freed
 *  expected with the bug: STALE_PFN + ACCESS_FREED; without (snapshot
 *  first, same landing right after the lookup): retry, 99, clean
 */
static u64 snapshot_after_gup_scenario(unsigned int seed)
{
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_seed(seed);
	test_setup_anon();
	/* the step right after the lookup: the late snapshot, or the lockless re-check */
	if (seed)
		test_trigger("mmu_invalidate_seq", 1, host_map_fixed, NULL);
	else
		test_trigger("mmu_invalidate_retry_gfn_unsafe", 2, host_map_fixed, NULL);
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_TRUE(test_trigger_fired());
	return value;
}

TEST(seeded_snapshot_after_gup_misses_invalidation_during_lookup)
{
	ASSERT_EQ(snapshot_after_gup_scenario(TEST_SEED_SNAPSHOT_AFTER_GUP), KFP_POISON_FREE);
	ASSERT_VIOLATION(KFP_REPORT_STALE_PFN);
	ASSERT_VIOLATION(KFP_REPORT_ACCESS_FREED);
}

TEST(seeded_snapshot_after_gup_scenario_without_injection_is_clean)
{
	ASSERT_EQ(snapshot_after_gup_scenario(0), 99);
	finish_clean();
}

/* With the late snapshot, faults still work once the seq has moved before. */
TEST(seeded_snapshot_after_gup_faults_normally_after_earlier_invalidations)
{
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_seed(TEST_SEED_SNAPSHOT_AFTER_GUP);
	test_setup_anon();
	host_map_fixed(NULL);
	ASSERT_GT(test_kvm()->mmu_invalidate_seq, 0);
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 99);
	finish_clean();
}

/* ---- P3 and P2: KVM_INJECT_GPC_NO_RETRY ------------------------------------ */

static void host_map_fixed_during_refresh(void *arg)
{
	struct gfn_to_pfn_cache *gpc = arg;

	/* between hva_to_pfn() and write_lock(gpc->lock): the refresh window */
	ASSERT_FALSE(kfp_lock_is_locked(&gpc->lock));
	ASSERT_TRUE(kfp_lock_is_locked(&gpc->refresh_lock));
	host_map_fixed(NULL);
}

/*
 *  refresh (activate)                     host
 *  write_lock(gpc); seq = mmu_invalidate_seq; write_unlock(gpc)
 *  hva_to_pfn: old page P (+1)
 *                                         mmap FIXED; write 99: the cache is
 *                                         not valid yet, nothing to invalidate;
 *                                         seq++
 *  write_lock(gpc)
 *  [injected: no mmu_notifier_retry_cache()] valid = 1, pfn = P; put P: freed
 *  access through the cache
 *  expected with the bug: STALE_PFN + ACCESS_FREED; without: loop, 99, clean
 */
static u64 gpc_no_retry_scenario(unsigned int inject)
{
	struct kvm *kvm = test_kvm();
	u64 value = 0;

	test_world(&kvm_design_upstream);
	kvm->inject = inject;
	test_setup_anon();
	test_trigger("gpc->lock", 5, host_map_fixed_during_refresh, &kvm->gpc[0]);
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(kvm_gpc_access(kvm, 0, false, &value), KVM_OUTCOME_OK);
	return value;
}

TEST(seeded_gpc_no_retry_caches_freed_page)
{
	ASSERT_EQ(gpc_no_retry_scenario(KVM_INJECT_GPC_NO_RETRY), KFP_POISON_FREE);
	ASSERT_VIOLATION(KFP_REPORT_STALE_PFN);
	ASSERT_VIOLATION(KFP_REPORT_ACCESS_FREED);
}

TEST(seeded_gpc_no_retry_scenario_without_injection_is_clean)
{
	ASSERT_EQ(gpc_no_retry_scenario(0), 99);
	ASSERT_EQ(test_kvm()->gpc[0].pfn, test_host_pfn(PG(17)));
	kvm_gpc_deactivate(test_kvm(), 0);
	finish_clean();
}

/* ---- P3 and P2: KVM_INJECT_GPC_NO_INVALIDATE ------------------------------- */

/*
 *  gpc user                               host
 *  activate: valid, pfn = P, no reference
 *                                         mmap FIXED; write 99
 *                                         [injected: range_start skips gpcs]
 *                                         P freed (the cache held nothing)
 *  check: still valid -> access P
 *  expected with the bug: STALE_PFN + ACCESS_FREED; without: refresh, 99
 */
static u64 gpc_no_invalidate_scenario(unsigned int inject)
{
	struct kvm *kvm = test_kvm();
	u64 value = 0;

	test_world(&kvm_design_upstream);
	kvm->inject = inject;
	test_setup_anon();
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1), 8), 0);
	host_map_fixed(NULL);
	ASSERT_EQ(kvm_gpc_access(kvm, 0, false, &value), KVM_OUTCOME_OK);
	return value;
}

/*
 * The freed page is the allocator's next page: the host's write of 99
 * reallocates it at the same hva, so P3 (pfn-based) sees nothing and P2
 * sees the generation change.
 */
TEST(seeded_gpc_no_invalidate_reads_reallocated_page)
{
	gpc_no_invalidate_scenario(KVM_INJECT_GPC_NO_INVALIDATE);
	ASSERT_VIOLATION(KFP_REPORT_ACCESS_REALLOCATED);
	ASSERT_TRUE(test_kvm()->gpc[0].valid);
}

TEST(seeded_gpc_no_invalidate_scenario_without_injection_is_clean)
{
	ASSERT_EQ(gpc_no_invalidate_scenario(0), 99);
	kvm_gpc_deactivate(test_kvm(), 0);
	finish_clean();
}

/* ---- P2: KVM_INJECT_VCPU_MAP_NO_PIN ----------------------------------------- */

/*
 *  vCPU                                   host
 *  kvm_vcpu_map(gfn 1): pin P
 *  [injected: unpin at once]
 *                                         munmap 0x10000: P freed
 *  read through the map
 *  expected with the bug: P2 ACCESS_FREED, *not* accepted (upstream accepts
 *  only the P3 staleness of a pinned map); without: P3 accepted, no P2
 */
static u64 vcpu_map_no_pin_scenario(unsigned int inject, bool allow_unsafe_mappings)
{
	struct kvm *kvm = test_kvm();
	u64 value = 0;

	test_world(&kvm_design_upstream);
	kvm->inject = inject;
	kvm->allow_unsafe_mappings = allow_unsafe_mappings;
	test_setup_anon();
	ASSERT_EQ(kvm_vcpu_map(kvm, test_vcpu(0), 1, 0, true), 0);
	host_munmap(NULL);
	ASSERT_EQ(kvm_vcpu_map_access(kvm, test_vcpu(0), 0, false, &value), KVM_OUTCOME_OK);
	return value;
}

TEST(seeded_vcpu_map_no_pin_accesses_freed_page)
{
	ASSERT_EQ(vcpu_map_no_pin_scenario(KVM_INJECT_VCPU_MAP_NO_PIN, false), KFP_POISON_FREE);
	ASSERT_TRUE(test_count(KFP_REPORT_ACCESS_FREED, false) +
			    test_count(KFP_REPORT_ACCESS_REALLOCATED, false) >
		    0);
	ASSERT_EQ(test_count(KFP_REPORT_ACCESS_FREED, true), 0);
	ASSERT_GT(violations(KFP_PROPERTY_P2), 0);
}

TEST(seeded_vcpu_map_no_pin_scenario_without_injection_keeps_page)
{
	ASSERT_EQ(vcpu_map_no_pin_scenario(0, false), 7);
	ASSERT_ACCEPTED(KFP_REPORT_STALE_UNMAPPED);
	ASSERT_EQ(violations(KFP_PROPERTY_P2), 0);
	ASSERT_EQ(violations(KFP_PROPERTY_P3), 0);
	kvm_vcpu_unmap(test_kvm(), test_vcpu(0), 0);
	test_finish();
	ASSERT_EQ(violations(KFP_PROPERTY_P1), 0);
}

/*
 * allow_unsafe_mappings covers remapped memory only (hva_to_pfn_remapped(),
 * 6.13+): the same use-after-free of an anonymous page stays a violation.
 */
TEST(seeded_vcpu_map_no_pin_is_not_excused_by_unsafe_mappings)
{
	ASSERT_EQ(vcpu_map_no_pin_scenario(KVM_INJECT_VCPU_MAP_NO_PIN, true), KFP_POISON_FREE);
	ASSERT_EQ(test_kvm()->allow_unsafe_mappings, 1);
	ASSERT_VIOLATION(KFP_REPORT_ACCESS_FREED);
	ASSERT_EQ(test_count(KFP_REPORT_ACCESS_FREED, true), 0);
	ASSERT_GT(violations(KFP_PROPERTY_P2), 0);
}

/*
 * The checker itself: an access is protected by its own owner's reference
 * or pin.  The host's pte keeps the page alive here, yet an access by an
 * owner that holds nothing on it is unprotected; once that owner pins the
 * page, the same access is clean.
 */
static struct kvm_access unowned_access(kfp_pfn_t pfn)
{
	struct kvm_vcpu *vcpu = test_vcpu(0);

	return (struct kvm_access){
		.via = KVM_ACCESS_HOST_MAP,
		.vcpu = (s8)vcpu->id,
		.owner = vcpu->map_owner,
		.generation = test_kvm_mm()->page[pfn].generation,
		.pfn = pfn,
		.hva = PG(17),
		.gfn = 1,
	};
}

TEST(check_someone_elses_reference_is_not_protection)
{
	struct kvm_access access;
	kfp_pfn_t pfn;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	pfn = test_host_pfn(PG(17));
	ASSERT_NE(pfn, KFP_PFN_NONE);
	ASSERT_GT(page_count(test_kvm_mm(), pfn), 0);
	ASSERT_EQ(kfp_ledger_refs(test_kvm_mm(), pfn, test_vcpu(0)->map_owner), 0);
	access = unowned_access(pfn);
	test_kvm()->access_hook(test_kvm(), &access);
	ASSERT_VIOLATION(KFP_REPORT_ACCESS_UNPROTECTED);
	ASSERT_EQ(test_kvm_reports()->count, 1);
}

TEST(check_the_accessors_own_pin_is_protection)
{
	struct kvm_access access;
	kfp_pfn_t pfn, page;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	pfn = test_host_pfn(PG(17));
	ASSERT_EQ(pin_user_pages_fast(test_kvm_mm(), PG(17), 1, FOLL_WRITE, &page,
				      test_vcpu(0)->map_owner),
		  1);
	ASSERT_EQ(page, pfn);
	access = unowned_access(pfn);
	test_kvm()->access_hook(test_kvm(), &access);
	ASSERT_CLEAN();
	unpin_user_page(test_kvm_mm(), page, test_vcpu(0)->map_owner);
	finish_clean();
}

/* ---- P1: TEST_SEED_DOUBLE_RELEASE and a leak --------------------------------- */

static void double_release_scenario(unsigned int seed)
{
	u64 value = 5;

	test_world(&kvm_design_upstream);
	test_seed(seed);
	test_setup_anon();
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, true, &value), KVM_OUTCOME_OK);
	test_finish();
}

TEST(seeded_double_release_puts_a_reference_kvm_does_not_own)
{
	double_release_scenario(TEST_SEED_DOUBLE_RELEASE);
	ASSERT_TRUE(test_count(KFP_REPORT_PUT_NOT_OWNED, false) +
			    test_count(KFP_REPORT_UNDERFLOW, false) >
		    0);
	ASSERT_GT(violations(KFP_PROPERTY_P1), 0);
}

TEST(seeded_double_release_scenario_without_injection_is_clean)
{
	double_release_scenario(0);
	ASSERT_CLEAN();
}

/*
 *  __gfn_to_page(gfn 1): +1 reference for vcpu0.page
 *  (no kvm_release_page_*())
 *  destroy the VM, final check
 *  expected: P1 LEAK of vcpu0.page; with the release: clean
 */
TEST(seeded_gfn_to_page_without_release_is_a_leak)
{
	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(kvm_gfn_to_page(test_kvm(), test_vcpu(0), 1, false), 0);
	test_finish();
	ASSERT_VIOLATION(KFP_REPORT_LEAK);
}

TEST(seeded_gfn_to_page_with_release_is_clean)
{
	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(kvm_gfn_to_page(test_kvm(), test_vcpu(0), 1, false), 0);
	kvm_gfn_to_page_release(test_kvm(), test_vcpu(0), false);
	finish_clean();
}

/* ---- TEST_SEED_RELEASE_BEFORE_SPTE: what the retry protocol still guarantees --- */

/*
 * Finding: putting the GUP'd page *before* mmu_lock (as V1 and v9 did
 * after unlocking) breaks none of P1-P3 in any of these races.  The page
 * can only be freed once the host drops its pte reference, and that pte
 * change happens inside an invalidation:
 *  - one that finishes before the locked check moved the seq: retry;
 *  - one still running holds in_progress with the gfn in range: retry;
 *  - one that starts after the check waits for mmu_lock, then zaps the
 *    new spte in range_start, before the host frees anything.
 * So the spte never outlives the page.  The reference between lookup and
 * mmu_lock only changes what the host can do meanwhile (e.g. migration
 * succeeds instead of failing with -EAGAIN) and loses the dirty marking
 * of kvm_release_faultin_page() (not one of P1-P3).
 */
static int migrate_ret;
static unsigned int kvm_refs_at_mmu_lock;

static void host_migrate_noting_kvm_refs(void *arg)
{
	(void)arg;
	kvm_refs_at_mmu_lock = kfp_ledger_owner_holds(test_kvm_mm(), test_vcpu(0)->fault_owner);
	migrate_ret = kfp_migrate_page(test_kvm_mm(), PG(17));
}

static void host_map_fixed_noting_kvm_refs(void *arg)
{
	kvm_refs_at_mmu_lock = kfp_ledger_owner_holds(test_kvm_mm(), test_vcpu(0)->fault_owner);
	host_map_fixed(arg);
}

TEST(seeded_release_before_spte_race_at_mmu_lock_is_still_clean)
{
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_seed(TEST_SEED_RELEASE_BEFORE_SPTE);
	test_setup_anon();
	test_trigger("mmu_lock", 1, host_map_fixed_noting_kvm_refs, NULL);
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(kvm_refs_at_mmu_lock, 0); /* released early: nothing held */
	ASSERT_EQ(value, 99);
	finish_clean();
}

TEST(seeded_release_before_spte_lets_migration_win_and_retry_catches_it)
{
	u64 value = 0;
	kfp_pfn_t old_pfn;

	test_world(&kvm_design_upstream);
	test_seed(TEST_SEED_RELEASE_BEFORE_SPTE);
	test_setup_anon();
	old_pfn = test_host_pfn(PG(17));
	migrate_ret = -1;
	test_trigger("mmu_lock", 1, host_migrate_noting_kvm_refs, NULL);
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 7);
	ASSERT_EQ(kvm_refs_at_mmu_lock, 0);
	ASSERT_EQ(migrate_ret, 0); /* upstream: -EAGAIN, KVM's reference blocks it */
	ASSERT_TRUE(kfp_page_is_free(test_kvm_mm(), old_pfn));
	ASSERT_EQ(test_kvm()->spte[0][1].pfn, test_host_pfn(PG(17)));
	finish_clean();
}

TEST(seeded_release_before_spte_upstream_holds_reference_until_mmu_lock)
{
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	migrate_ret = 0;
	test_trigger("mmu_lock", 1, host_migrate_noting_kvm_refs, NULL);
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(kvm_refs_at_mmu_lock, 1);
	ASSERT_EQ(migrate_ret, -EAGAIN);
	finish_clean();
}

TEST(seeded_release_before_spte_munmap_after_release_is_clean)
{
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_seed(TEST_SEED_RELEASE_BEFORE_SPTE);
	test_setup_anon();
	test_trigger("mmu_lock", 1, host_munmap, NULL);
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, false, &value), KVM_OUTCOME_EFAULT);
	ASSERT_FALSE(test_kvm()->spte[0][1].present);
	finish_clean();
}

/*
 * The injection combined with a missing retry check: munmap lands after the
 * early put and frees the page; the spte is installed on the free page.
 */
TEST(seeded_release_before_spte_is_only_unsafe_without_the_retry_check)
{
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_seed(TEST_SEED_RELEASE_BEFORE_SPTE);
	test_kvm()->inject = KVM_INJECT_SKIP_RETRY_CHECK;
	test_setup_anon();
	test_trigger("mmu_lock", 1, host_munmap, NULL);
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, KFP_POISON_FREE);
	ASSERT_VIOLATION(KFP_REPORT_ACCESS_FREED);
	ASSERT_VIOLATION(KFP_REPORT_STALE_UNMAPPED);
}

/* Sequential use, and an invalidation after the spte, are clean with the injection. */
TEST(seeded_release_before_spte_after_install_invalidation_is_clean)
{
	u64 value = 5;

	test_world(&kvm_design_upstream);
	test_seed(TEST_SEED_RELEASE_BEFORE_SPTE);
	test_setup_anon();
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, true, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), test_vcpu(0)->fault_owner), 0);
	host_map_fixed(NULL);
	ASSERT_FALSE(test_kvm()->spte[0][1].present);
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 99);
	finish_clean();
}
/*
 * What the injection does lose: kvm_release_faultin_page() marks a page the
 * spte maps writable dirty; the early put is a clean release, so a guest
 * write to a shmem page leaves it clean (writeback would miss it).  Not one
 * of P1-P3, so the checker is silent; the page flag shows it.
 */
static bool guest_write_leaves_shmem_page_dirty(unsigned int seed)
{
	u64 value = 3;
	kfp_pfn_t pfn;
	int id;

	test_world(&kvm_design_upstream);
	test_seed(seed);
	id = test_object_of(KFP_OBJECT_SHMEM, 1);
	test_map(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_SHARED, id);
	test_memslot(0, 0, 1, PG(16), 0);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(16), 1), 0);
	pfn = test_host_pfn(PG(16));
	test_kvm_mm()->page[pfn].flags &= ~PG_dirty;
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 0, true, &value), KVM_OUTCOME_OK);
	finish_clean();
	return test_kvm_mm()->page[pfn].flags & PG_dirty;
}

TEST(seeded_release_before_spte_loses_dirty_bit_but_no_property)
{
	ASSERT_FALSE(guest_write_leaves_shmem_page_dirty(TEST_SEED_RELEASE_BEFORE_SPTE));
}

TEST(seeded_release_before_spte_upstream_marks_written_page_dirty)
{
	ASSERT_TRUE(guest_write_leaves_shmem_page_dirty(0));
}
