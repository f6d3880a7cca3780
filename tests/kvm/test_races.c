// SPDX-License-Identifier: GPL-2.0
/*
 * Guest faults against host invalidations, interleaved by hand (reference
 * §3.5): each host operation lands (a) between the mmu_invalidate_seq
 * snapshot and the lookup, (b) between the lookup and mmu_lock, or (c)
 * after the spte is installed.  Under the upstream design every one of
 * them must end clean, and the guest must see the host's new content.
 *
 * Thread 0 is the vCPU; thread 1 is the host, run by test_trigger() just
 * before the N-th step with a given label.
 */
#include "../lib/kvm_fixture.h"

static void finish_clean(void)
{
	kvm_destroy_vm(test_kvm());
	kfp_check_final(test_kvm());
	ASSERT_CLEAN();
}

static u64 guest_read(gfn_t gfn)
{
	u64 value = 0;

	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), gfn, false, &value), KVM_OUTCOME_OK);
	return value;
}

/* ---- host operations (thread 1) ------------------------------------------- */

static void host_munmap_and_remap(void *arg)
{
	struct kfp_mmap_args args = {
		PG(16), PG(4), PROT_READ | PROT_WRITE, KFP_MAP_FIXED, KFP_BACKING_ANON, -1, 0
	};

	(void)arg;
	ASSERT_EQ(kfp_munmap(test_kvm_mm(), PG(16), PG(4)), 0);
	ASSERT_EQ(kfp_mmap(test_kvm_mm(), &args), 0);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 99), 0);
}

/* mmap(MAP_FIXED) straight over the old mapping: one unmap inside mmap */
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

static int migrate_ret;

static void host_migrate(void *arg)
{
	(void)arg;
	migrate_ret = kfp_migrate_page(test_kvm_mm(), PG(17));
}

static void host_dontneed(void *arg)
{
	(void)arg;
	ASSERT_EQ(kfp_madvise_dontneed(test_kvm_mm(), PG(16), PG(4)), 0);
}

static void host_delete_slot(void *arg)
{
	(void)arg;
	ASSERT_EQ(kvm_set_memory_region(test_kvm(), 0, 0, 0, 0, 0, 0), 0);
}

static void host_start_invalidation(void *arg)
{
	const struct mmu_notifier_range *range = arg;

	mmu_notifier_invalidate_range_start(test_kvm_mm(), range);
}

/* ---- (a) between the snapshot and the lookup -------------------------------- */

/*
 *  vCPU                                   host
 *  seq = mmu_invalidate_seq
 *                                         munmap; mmap FIXED; write 99
 *                                         (start: zap, end: seq++)
 *  retry_gfn_unsafe(seq): seq moved
 *  -> RET_PF_RETRY, fault again, GUP the new page
 *  expected: the guest reads 99, clean
 */
TEST(race_munmap_after_snapshot_is_caught_by_lockless_precheck)
{
	u64 old = 0;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	old = test_kvm()->mmu_invalidate_seq;
	test_trigger("mmu_invalidate_retry_gfn_unsafe", 1, host_munmap_and_remap, NULL);
	ASSERT_EQ(guest_read(1), 99);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_GT(test_kvm()->mmu_invalidate_seq, old);
	ASSERT_EQ(test_kvm()->spte[0][1].pfn, test_host_pfn(PG(17)));
	finish_clean();
}

/*
 *  vCPU                                   host
 *  seq = mmu_invalidate_seq
 *  retry_gfn_unsafe(seq): no
 *                                         mmap FIXED over the range; write 99
 *  GUP-fast: the new page
 *  retry_gfn_unsafe(seq): seq moved -> retry (the page is put as unused)
 *  expected: the guest reads 99, no reference left, clean
 */
TEST(race_map_fixed_between_precheck_and_gup_reads_new_page)
{
	test_world(&kvm_design_upstream);
	test_setup_anon();
	test_trigger("gup_fast pte", 1, host_map_fixed, NULL);
	ASSERT_EQ(guest_read(1), 99);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), test_vcpu(0)->fault_owner), 0);
	finish_clean();
}

/*
 *  vCPU                                   host
 *  seq = mmu_invalidate_seq
 *                                         migrate 0x11000: old pfn -> new pfn
 *  GUP: the new pfn; retry (seq moved)
 *  expected: spte maps the new pfn, reads 7, old page freed, clean
 */
TEST(race_migration_after_snapshot_maps_the_new_pfn)
{
	kfp_pfn_t old_pfn;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	old_pfn = test_host_pfn(PG(17));
	migrate_ret = -1;
	test_trigger("mmu_invalidate_retry_gfn_unsafe", 1, host_migrate, NULL);
	ASSERT_EQ(guest_read(1), 7);
	ASSERT_EQ(migrate_ret, 0);
	ASSERT_NE(test_host_pfn(PG(17)), old_pfn);
	ASSERT_EQ(test_kvm()->spte[0][1].pfn, test_host_pfn(PG(17)));
	ASSERT_TRUE(kfp_page_is_free(test_kvm_mm(), old_pfn));
	finish_clean();
}

/*
 *  vCPU                                   host
 *  seq = mmu_invalidate_seq
 *                                         madvise(DONTNEED): page freed
 *  read fault: the zero page, read-only
 *  expected: the guest reads 0 through a read-only spte, clean
 */
TEST(race_dontneed_after_snapshot_reads_zero_page)
{
	test_world(&kvm_design_upstream);
	test_setup_anon();
	test_trigger("mmu_invalidate_retry_gfn_unsafe", 1, host_dontneed, NULL);
	ASSERT_EQ(guest_read(1), 0);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(test_kvm()->spte[0][1].pfn, test_host_pfn(PG(17)));
	finish_clean();
}

/* ---- (b) between the lookup and mmu_lock ------------------------------------ */

/*
 *  vCPU                                   host
 *  seq = mmu_invalidate_seq
 *  GUP: old page (+1 ref)
 *  retry_gfn_unsafe(seq): no
 *                                         mmap FIXED; write 99
 *                                         (the old page keeps KVM's ref)
 *  read_lock(mmu_lock)
 *  retry_gfn(seq): seq moved -> RET_PF_RETRY, put old page (freed)
 *  fault again: the new page
 *  expected: reads 99, the old page is freed, clean
 */
TEST(race_map_fixed_between_lookup_and_mmu_lock_retries)
{
	kfp_pfn_t old_pfn;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	old_pfn = test_host_pfn(PG(17));
	test_trigger("mmu_lock", 1, host_map_fixed, NULL);
	ASSERT_EQ(guest_read(1), 99);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_TRUE(kfp_page_is_free(test_kvm_mm(), old_pfn));
	ASSERT_EQ(test_kvm()->spte[0][1].pfn, test_host_pfn(PG(17)));
	finish_clean();
}

/*
 *  vCPU                                   host
 *  GUP-fast (write wanted): writable page
 *                                         mprotect(PROT_READ)
 *  read_lock(mmu_lock); retry_gfn: seq moved -> retry
 *  fault again: GUP-fast for write fails, slow read GUP: read-only
 *  expected: the spte is read-only; a guest write then fails (EFAULT)
 */
TEST(race_mprotect_ro_between_lookup_and_mmu_lock_installs_readonly_spte)
{
	u64 value = 5;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	test_trigger("mmu_lock", 1, host_mprotect_ro, NULL);
	ASSERT_EQ(guest_read(1), 7);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_TRUE(test_kvm()->spte[0][1].present);
	ASSERT_FALSE(test_kvm()->spte[0][1].writable);
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, true, &value), KVM_OUTCOME_EFAULT);
	ASSERT_EQ(kfp_pfn_read(test_kvm_mm(), test_host_pfn(PG(17))), 7);
	finish_clean();
}

/*
 *  vCPU                                   host
 *  GUP: page (+1 ref, KVM's)
 *                                         migrate: unmap to migration entry
 *                                         (notifier: seq++), refcount check
 *                                         fails (KVM's ref): -EAGAIN, ptes back
 *  read_lock(mmu_lock); retry_gfn: seq moved -> retry
 *  expected: migration fails, the guest reads 7 from the same pfn, clean
 */
TEST(race_migration_between_lookup_and_mmu_lock_fails_on_kvm_reference)
{
	kfp_pfn_t old_pfn;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	old_pfn = test_host_pfn(PG(17));
	migrate_ret = 0;
	test_trigger("mmu_lock", 1, host_migrate, NULL);
	ASSERT_EQ(guest_read(1), 7);
	ASSERT_EQ(migrate_ret, -EAGAIN);
	ASSERT_EQ(test_host_pfn(PG(17)), old_pfn);
	ASSERT_EQ(test_kvm()->spte[0][1].pfn, old_pfn);
	finish_clean();
}

/*
 *  vCPU                                   host
 *  GUP: page P (+1 ref)
 *                                         madvise(DONTNEED): pte cleared,
 *                                         P kept alive by KVM's ref only
 *  read_lock(mmu_lock); retry_gfn: retry, put P -> freed
 *  fault again: zero page
 *  expected: reads 0, P freed, clean
 */
TEST(race_dontneed_between_lookup_and_mmu_lock_frees_page_at_retry)
{
	kfp_pfn_t old_pfn;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	old_pfn = test_host_pfn(PG(17));
	test_trigger("mmu_lock", 1, host_dontneed, NULL);
	ASSERT_EQ(guest_read(1), 0);
	ASSERT_TRUE(kfp_page_is_free(test_kvm_mm(), old_pfn));
	finish_clean();
}

/*
 *  vCPU                                   host
 *  GUP: page
 *                                         range_start(0x13000..0x14000) only:
 *                                         gfn 3 in progress, not finished
 *  read_lock(mmu_lock); retry_gfn(gfn 1): in progress, but gfn 1 is
 *  outside [3, 4) and seq unchanged -> install
 *  expected: RET_PF_FIXED for gfn 1; a fault on gfn 3 retries until the end
 */
TEST(race_in_progress_invalidation_retries_only_its_own_gfns)
{
	struct kvm *kvm = test_kvm();
	struct mmu_notifier_range range = { PG(19), PG(20), MMU_NOTIFY_CLEAR, 1 };

	test_world(&kvm_design_upstream);
	test_setup_anon();
	test_trigger("mmu_lock", 1, host_start_invalidation, &range);
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 1, false), RET_PF_FIXED);
	ASSERT_EQ(kvm->mmu_invalidate_in_progress, 1);
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 3, false), RET_PF_RETRY);
	ASSERT_FALSE(kvm->spte[0][3].present);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), test_vcpu(0)->fault_owner), 0);
	mmu_notifier_invalidate_range_end(test_kvm_mm(), &range);
	ASSERT_EQ(kvm->mmu_invalidate_in_progress, 0);
	/* the seq moved: a fault that snapshotted before the end would retry once */
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 3, false), RET_PF_FIXED);
	finish_clean();
}

/*
 * The same under legacy (~6.5), which records the notifier's hva range
 * (kvm_mmu_invalidate_begin(kvm, start, end), not clipped to the memslot)
 * and checks the fault's hva (mmu_invalidate_retry_hva()).
 *  expected: range = [0x13000, 0x16000) as the notifier gave it; gfn 1
 *  (hva 0x11000) installs, gfn 3 (hva 0x13000) retries until the end
 */
TEST(race_in_progress_invalidation_retries_only_its_own_hvas)
{
	struct kvm *kvm = test_kvm();
	struct mmu_notifier_range range = { PG(19), PG(22), MMU_NOTIFY_CLEAR, 1 };

	test_world(&kvm_design_legacy);
	test_setup_anon();
	test_trigger("mmu_lock", 1, host_start_invalidation, &range);
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 1, false), RET_PF_FIXED);
	ASSERT_EQ(kvm->mmu_invalidate_in_progress, 1);
	ASSERT_EQ(kvm->mmu_invalidate_hva_start, PG(19));
	ASSERT_EQ(kvm->mmu_invalidate_hva_end, PG(22));
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 3, false), RET_PF_RETRY);
	ASSERT_FALSE(kvm->spte[0][3].present);
	mmu_notifier_invalidate_range_end(test_kvm_mm(), &range);
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 3, false), RET_PF_FIXED);
	finish_clean();
}

/* ---- (c) after the spte is installed ---------------------------------------- */

/*
 *  vCPU                                   host
 *  fault, spte -> P, reads 7
 *                                         munmap; mmap FIXED; write 99
 *                                         (range_start zaps the spte first)
 *  access: no spte -> fault -> new page
 *  expected: spte zapped by the notifier, then reads 99, clean
 */
TEST(race_munmap_after_spte_install_zaps_and_refaults)
{
	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(guest_read(1), 7);
	ASSERT_TRUE(test_kvm()->spte[0][1].present);
	host_munmap_and_remap(NULL);
	ASSERT_FALSE(test_kvm()->spte[0][1].present);
	ASSERT_EQ(guest_read(1), 99);
	finish_clean();
}

TEST(race_mprotect_after_spte_install_zaps_writable_spte)
{
	u64 value = 5;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, true, &value), KVM_OUTCOME_OK);
	ASSERT_TRUE(test_kvm()->spte[0][1].writable);
	host_mprotect_ro(NULL);
	ASSERT_FALSE(test_kvm()->spte[0][1].present);
	ASSERT_EQ(guest_read(1), 5);
	ASSERT_FALSE(test_kvm()->spte[0][1].writable);
	value = 6;
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, true, &value), KVM_OUTCOME_EFAULT);
	finish_clean();
}

TEST(race_migration_after_spte_install_zaps_and_refaults_to_new_pfn)
{
	kfp_pfn_t old_pfn;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(guest_read(1), 7);
	old_pfn = test_kvm()->spte[0][1].pfn;
	ASSERT_EQ(kfp_migrate_page(test_kvm_mm(), PG(17)), 0);
	ASSERT_FALSE(test_kvm()->spte[0][1].present);
	ASSERT_TRUE(kfp_page_is_free(test_kvm_mm(), old_pfn));
	ASSERT_EQ(guest_read(1), 7);
	ASSERT_NE(test_kvm()->spte[0][1].pfn, old_pfn);
	ASSERT_EQ(test_kvm()->spte[0][1].pfn, test_host_pfn(PG(17)));
	finish_clean();
}

TEST(race_dontneed_after_spte_install_zaps_and_refaults_zero_page)
{
	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(guest_read(1), 7);
	host_dontneed(NULL);
	ASSERT_FALSE(test_kvm()->spte[0][1].present);
	ASSERT_EQ(guest_read(1), 0);
	ASSERT_TRUE(is_zero_pfn(test_kvm_mm(), test_kvm()->spte[0][1].pfn));
	finish_clean();
}

/* An invalidation of an hva no memslot covers leaves the seq alone. */
TEST(race_invalidation_outside_memslots_does_not_move_seq)
{
	long seq;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	test_map(PG(32), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(32), 1), 0);
	ASSERT_EQ(guest_read(1), 7);
	seq = test_kvm()->mmu_invalidate_seq;
	ASSERT_EQ(kfp_munmap(test_kvm_mm(), PG(32), PG(1)), 0);
	ASSERT_EQ(test_kvm()->mmu_invalidate_seq, seq);
	ASSERT_TRUE(test_kvm()->spte[0][1].present);
	finish_clean();
}

/* ---- memslot delete during a fault ------------------------------------------ */

/*
 *  vCPU                                   memslot update
 *  fault on gfn 1, spte -> P
 *                                         delete slot 0: publish INVALID,
 *                                         zap its sptes, publish deleted
 *  access gfn 1: no spte; no slot -> emulated MMIO
 *  expected: mmio, no spte, no reference, clean
 */
TEST(race_memslot_delete_after_spte_install_zaps_and_exits_to_mmio)
{
	u64 value = 0;

	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(guest_read(1), 7);
	host_delete_slot(NULL);
	ASSERT_FALSE(test_kvm()->spte[0][1].present);
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), 1, false, &value), KVM_OUTCOME_MMIO);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), test_vcpu(0)->fault_owner), 0);
	finish_clean();
}

/* A fault that finds the slot KVM_MEMSLOT_INVALID retries (and the vCPU waits). */
TEST(race_fault_on_invalid_memslot_returns_retry_without_lookup)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	test_setup_anon();
	kvm->memslots[0].slot[0].flags |= KVM_MEMSLOT_INVALID;
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 1, false), RET_PF_RETRY);
	ASSERT_FALSE(kvm->spte[0][1].present);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), test_vcpu(0)->fault_owner), 0);
	kvm->memslots[0].slot[0].flags &= ~KVM_MEMSLOT_INVALID;
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 1, false), RET_PF_FIXED);
	finish_clean();
}

/* ---- fixup_user_fault() drops mmap_lock while the vma is replaced ----------- */

static int pfnmap_new_object;

/* The driver dropped mmap_lock to wait: meanwhile the host maps another device there. */
static void host_replace_pfnmap_vma(void *arg)
{
	struct kfp_mmap_args args = { PG(16),
				      PG(1),
				      PROT_READ | PROT_WRITE,
				      KFP_MAP_SHARED | KFP_MAP_FIXED | KFP_MAP_POPULATE,
				      KFP_BACKING_PFNMAP,
				      pfnmap_new_object,
				      0 };

	(void)arg;
	ASSERT_FALSE(kfp_lock_is_locked(&test_kvm_mm()->mmap_lock));
	ASSERT_EQ(kfp_mmap(test_kvm_mm(), &args), 0);
}

/*
 *  vCPU                                   host
 *  GUP: -EFAULT (VM_PFNMAP)
 *  mmap_read_lock; follow_pfnmap: not present
 *  fixup_user_fault -> driver fault: drops mmap_lock, VM_FAULT_RETRY
 *                                         mmap FIXED: another device's PFNMAP
 *  mmap_read_lock; unlocked = true -> -EAGAIN: look the vma up again
 *  follow_pfnmap on the new vma: the new device pfn
 *  retry_gfn: seq moved (the remap invalidated) -> retry, then install
 *  expected: the spte maps the new device pfn, clean
 */
TEST(race_fixup_user_fault_unlock_while_vma_replaced_uses_new_vma)
{
	struct kfp_mm *mm = test_kvm_mm();
	int old_id, new_id;

	test_world(&kvm_design_upstream);
	old_id = test_object_of(KFP_OBJECT_DEVICE_MMIO, 1);
	new_id = test_object_of(KFP_OBJECT_DEVICE_MMIO, 1);
	pfnmap_new_object = new_id;
	test_map(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, old_id);
	test_memslot(0, 0, 1, PG(16), 0);
	mm->object[old_id].fault_retries = 1;
	kfp_pfn_write(mm, mm->object[new_id].pfn[0], 42);
	test_trigger("mmap_lock", 5, host_replace_pfnmap_vma, NULL);
	ASSERT_EQ(guest_read(0), 42);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(mm->object[old_id].fault_retries, 0);
	ASSERT_EQ(test_kvm()->spte[0][0].pfn, mm->object[new_id].pfn[0]);
	finish_clean();
}
