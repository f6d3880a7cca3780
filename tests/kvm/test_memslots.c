// SPDX-License-Identifier: GPL-2.0
/*
 * Memslots and the mmu-notifier protocol (virt/kvm/kvm_main.c, 6.13+;
 * reference §2.1, §3.1, §3.2): create, delete, move and flags-only
 * updates and their checks, generations, what each update does to the
 * sptes, address space 1, the invalidation counters, a memslot update
 * racing an in-flight invalidation, and VM/mm teardown.
 *
 * Default layout:
 *
 *   hva   PG(16) ........ PG(20)      PG(32) ........ PG(36)
 *         +-------------------+       +-------------------+
 *   vma   | anon rw (4 pages) |       | anon rw (4 pages) |
 *         +-------------------+       +-------------------+
 *   as 0  gfn 0..3 (slot 0)           gfn 4..7 (slot 1)
 */
#include <string.h>

#include "../lib/kvm_fixture.h"

#define RW (PROT_READ | PROT_WRITE)

static void setup_two_slots(void)
{
	test_map(PG(16), 4, RW, 0, KFP_BACKING_ANON, -1);
	test_map(PG(32), 4, RW, 0, KFP_BACKING_ANON, -1);
	test_memslot(0, 0, 4, PG(16), 0);
	test_memslot(1, 4, 4, PG(32), 0);
}

static int set_region(unsigned int as_id, unsigned int id, u32 flags, gfn_t gfn, u64 npages,
		      u64 hva)
{
	return kvm_set_memory_region(test_kvm(), as_id, id, flags, gfn, npages, hva);
}

static void guest_write(gfn_t gfn, u64 value)
{
	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), gfn, true, &value), KVM_OUTCOME_OK);
}

static u64 guest_read(gfn_t gfn)
{
	u64 value = 0;

	ASSERT_EQ(kvm_guest_access(test_kvm(), test_vcpu(0), gfn, false, &value), KVM_OUTCOME_OK);
	return value;
}

static void finish_clean(void)
{
	kvm_destroy_vm(test_kvm());
	kfp_check_final(test_kvm());
	ASSERT_CLEAN();
}

/* What the KVM counters are inside an invalidation, sampled by a trigger. */
static struct {
	long in_progress, mn_active, seq;
	gfn_t start, end;
	int ret;
} seen;

static void sample_counters(void *arg)
{
	struct kvm *kvm = test_kvm();

	(void)arg;
	seen.in_progress = kvm->mmu_invalidate_in_progress;
	seen.mn_active = kvm->mn_active_invalidate_count;
	seen.seq = kvm->mmu_invalidate_seq;
	seen.start = kvm->mmu_invalidate_range_start;
	seen.end = kvm->mmu_invalidate_range_end;
}

static void delete_slot0(void *arg)
{
	(void)arg;
	seen.ret = set_region(0, 0, 0, 0, 0, PG(16));
}

/* ---- create / checks ------------------------------------------------------- */

TEST(memslot_create_publishes_slot_and_bumps_generation)
{
	struct kvm *kvm = test_kvm();
	const struct kvm_memory_slot *slot;
	u64 gen;

	test_world(&kvm_design_upstream);
	test_map(PG(16), 4, RW, 0, KFP_BACKING_ANON, -1);
	gen = kvm->memslots[0].generation;
	ASSERT_EQ(set_region(0, 2, KVM_MEM_LOG_DIRTY_PAGES, 8, 4, PG(16)), 0);
	ASSERT_EQ(kvm->memslots[0].generation, gen + 1);
	slot = __gfn_to_memslot(kvm, 0, 11);
	ASSERT_NE(slot, NULL);
	ASSERT_EQ(slot->id, 2);
	ASSERT_EQ(slot->base_gfn, 8);
	ASSERT_EQ(slot->npages, 4);
	ASSERT_EQ(slot->userspace_addr, PG(16));
	ASSERT_EQ(slot->flags, KVM_MEM_LOG_DIRTY_PAGES);
	ASSERT_EQ(__gfn_to_memslot(kvm, 0, 12), NULL);
	ASSERT_EQ(__gfn_to_memslot(kvm, 0, 7), NULL);
	guest_write(11, 4);
	ASSERT_EQ(kvm->spte[0][11].hva, PG(19));
	finish_clean();
}

/*
 *   slot 0: gfn [0, 4)    new: gfn [3, 5) overlaps    new: gfn [4, 6) is adjacent
 */
TEST(memslot_overlap_is_eexist_adjacent_is_fine)
{
	struct kvm *kvm = test_kvm();
	u64 gen;

	test_world(&kvm_design_upstream);
	test_map(PG(16), 4, RW, 0, KFP_BACKING_ANON, -1);
	test_memslot(0, 0, 4, PG(16), 0);
	gen = kvm->memslots[0].generation;
	ASSERT_EQ(set_region(0, 1, 0, 3, 2, PG(40)), -EEXIST);
	ASSERT_EQ(set_region(0, 1, 0, 0, 8, PG(40)), -EEXIST);
	ASSERT_FALSE(kvm->memslots[0].slot[1].in_use);
	ASSERT_EQ(kvm->memslots[0].generation, gen);
	ASSERT_EQ(set_region(0, 1, 0, 4, 2, PG(40)), 0);
	/* the same gfns in the other address space do not overlap */
	ASSERT_EQ(set_region(1, 1, 0, 0, 4, PG(16)), 0);
	/* a move onto another slot overlaps too */
	ASSERT_EQ(set_region(0, 1, 0, 2, 2, PG(40)), -EEXIST);
	ASSERT_EQ(kvm->memslots[0].slot[1].base_gfn, 4);
	finish_clean();
}

TEST(memslot_bad_flags_are_einval)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	ASSERT_EQ(set_region(0, 0, BIT(5), 0, 4, PG(16)), -EINVAL);
	/* KVM_MEMSLOT_INVALID is KVM's, not userspace's */
	ASSERT_EQ(set_region(0, 0, KVM_MEMSLOT_INVALID, 0, 4, PG(16)), -EINVAL);
	ASSERT_FALSE(kvm->memslots[0].slot[0].in_use);
	finish_clean();
}

TEST(memslot_unaligned_hva_is_einval_even_for_delete)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	ASSERT_EQ(set_region(0, 0, 0, 0, 4, PG(16) + 8), -EINVAL);
	ASSERT_FALSE(kvm->memslots[0].slot[0].in_use);
	test_memslot(0, 0, 4, PG(16), 0);
	ASSERT_EQ(set_region(0, 0, 0, 0, 0, PG(16) + 8), -EINVAL);
	ASSERT_TRUE(kvm->memslots[0].slot[0].in_use);
	finish_clean();
}

TEST(memslot_out_of_range_is_einval)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	ASSERT_EQ(set_region(0, 0, 0, KFP_NR_GFNS - 2, 4, PG(16)), -EINVAL);
	ASSERT_EQ(set_region(0, 0, 0, ~(gfn_t)0, 2, PG(16)), -EINVAL);
	ASSERT_EQ(set_region(0, 0, 0, 0, 4, KFP_HVA_LIMIT - PG(2)), -EINVAL);
	ASSERT_EQ(set_region(0, 0, 0, 0, 4, KFP_PAGE_OFFSET), -EINVAL);
	ASSERT_EQ(set_region(KVM_ADDRESS_SPACE_NUM, 0, 0, 0, 4, PG(16)), -EINVAL);
	ASSERT_EQ(set_region(0, KFP_MAX_MEMSLOTS, 0, 0, 4, PG(16)), -EINVAL);
	ASSERT_EQ(set_region(0, 0, 0, KFP_NR_GFNS - 4, 4, PG(16)), 0);
	ASSERT_TRUE(kvm->memslots[0].slot[0].in_use);
	finish_clean();
}

/* An existing slot keeps its size, its hva and its READONLY flag. */
TEST(memslot_changing_size_hva_or_readonly_is_einval)
{
	struct kvm *kvm = test_kvm();
	u64 gen;

	test_world(&kvm_design_upstream);
	test_memslot(0, 0, 4, PG(16), 0);
	gen = kvm->memslots[0].generation;
	ASSERT_EQ(set_region(0, 0, 0, 0, 2, PG(16)), -EINVAL);
	ASSERT_EQ(set_region(0, 0, KVM_MEM_READONLY, 0, 4, PG(16)), -EINVAL);
	ASSERT_EQ(set_region(0, 0, 0, 0, 4, PG(32)), -EINVAL);
	ASSERT_EQ(kvm->memslots[0].generation, gen);
	ASSERT_EQ(kvm->memslots[0].slot[0].npages, 4);
	ASSERT_EQ(kvm->memslots[0].slot[0].userspace_addr, PG(16));
	ASSERT_EQ(kvm->memslots[0].slot[0].flags, 0);
	finish_clean();
}

TEST(memslot_delete_of_absent_slot_is_einval)
{
	struct kvm *kvm = test_kvm();
	u64 gen;

	test_world(&kvm_design_upstream);
	gen = kvm->memslots[0].generation;
	ASSERT_EQ(set_region(0, 3, 0, 0, 0, PG(16)), -EINVAL);
	ASSERT_EQ(set_region(1, 0, 0, 0, 0, 0), -EINVAL);
	ASSERT_EQ(kvm->memslots[0].generation, gen);
	finish_clean();
}

/* Create +1; flags-only +1; move and delete +2 (INVALID, then final); no-op +0. */
TEST(memslot_generation_counts_published_updates)
{
	struct kvm *kvm = test_kvm();
	u64 gen;

	test_world(&kvm_design_upstream);
	gen = kvm->memslots[0].generation;
	test_memslot(0, 0, 4, PG(16), 0);
	ASSERT_EQ(kvm->memslots[0].generation, gen + 1);
	ASSERT_EQ(set_region(0, 0, 0, 0, 4, PG(16)), 0);
	ASSERT_EQ(kvm->memslots[0].generation, gen + 1);
	ASSERT_EQ(set_region(0, 0, KVM_MEM_LOG_DIRTY_PAGES, 0, 4, PG(16)), 0);
	ASSERT_EQ(kvm->memslots[0].generation, gen + 2);
	ASSERT_EQ(set_region(0, 0, KVM_MEM_LOG_DIRTY_PAGES, 8, 4, PG(16)), 0);
	ASSERT_EQ(kvm->memslots[0].generation, gen + 4);
	ASSERT_EQ(set_region(0, 0, 0, 0, 0, PG(16)), 0);
	ASSERT_EQ(kvm->memslots[0].generation, gen + 6);
	ASSERT_FALSE(kvm->memslots[0].slot[0].in_use);
	ASSERT_EQ(kvm->memslots[1].generation, 0);
	finish_clean();
}

/* ---- what updates do to sptes ------------------------------------------------ */

TEST(memslot_delete_zaps_its_sptes_only)
{
	struct kvm *kvm = test_kvm();
	u64 value = 0;

	test_world(&kvm_design_upstream);
	setup_two_slots();
	guest_write(1, 10);
	guest_write(5, 50);
	ASSERT_TRUE(kvm->spte[0][1].present);
	ASSERT_TRUE(kvm->spte[0][5].present);
	ASSERT_EQ(set_region(0, 0, 0, 0, 0, PG(16)), 0);
	ASSERT_FALSE(kvm->spte[0][1].present);
	ASSERT_TRUE(kvm->spte[0][5].present);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, false, &value), KVM_OUTCOME_MMIO);
	ASSERT_EQ(guest_read(5), 50);
	/* the memory is still the VMM's */
	ASSERT_EQ(kfp_host_read(test_kvm_mm(), PG(17), &value), 0);
	ASSERT_EQ(value, 10);
	finish_clean();
}

/*
 *   before: gfn 0..3 -> PG(16)      after: gfn 20..23 -> PG(16)
 */
TEST(memslot_move_zaps_old_gfns_and_access_uses_new_range)
{
	struct kvm *kvm = test_kvm();
	u64 value = 0;

	test_world(&kvm_design_upstream);
	setup_two_slots();
	guest_write(2, 22);
	ASSERT_EQ(set_region(0, 0, 0, 20, 4, PG(16)), 0);
	ASSERT_FALSE(kvm->spte[0][2].present);
	ASSERT_EQ(__gfn_to_memslot(kvm, 0, 2), NULL);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 2, false, &value), KVM_OUTCOME_MMIO);
	ASSERT_EQ(guest_read(22), 22);
	ASSERT_EQ(kvm->spte[0][22].hva, PG(18));
	ASSERT_EQ(kvm->spte[0][22].pfn, test_kvm_mm()->pte[18].pfn);
	finish_clean();
}

/* Dirty logging on: existing sptes lose write access; a write fault restores it. */
TEST(memslot_log_dirty_write_protects_sptes)
{
	struct kvm *kvm = test_kvm();
	u64 gen;

	test_world(&kvm_design_upstream);
	setup_two_slots();
	guest_write(0, 1);
	guest_write(3, 3);
	guest_write(4, 4);
	gen = kvm->memslots[0].generation;
	ASSERT_EQ(set_region(0, 0, KVM_MEM_LOG_DIRTY_PAGES, 0, 4, PG(16)), 0);
	ASSERT_EQ(kvm->memslots[0].generation, gen + 1);
	/* flags-only: nothing zapped, write access removed */
	ASSERT_TRUE(kvm->spte[0][0].present);
	ASSERT_FALSE(kvm->spte[0][0].writable);
	ASSERT_FALSE(kvm->spte[0][3].writable);
	ASSERT_TRUE(kvm->spte[0][4].writable);
	ASSERT_EQ(guest_read(3), 3);
	ASSERT_FALSE(kvm->spte[0][3].writable);
	guest_write(3, 33);
	ASSERT_TRUE(kvm->spte[0][3].writable);
	/* a read fault under dirty logging maps read-only */
	ASSERT_EQ(guest_read(2), 0);
	ASSERT_FALSE(kvm->spte[0][2].writable);
	/* dirty logging off: a flags-only change that zaps nothing */
	ASSERT_EQ(set_region(0, 0, 0, 0, 4, PG(16)), 0);
	ASSERT_TRUE(kvm->spte[0][3].present);
	finish_clean();
}

static void vcpu1_writes_gfn0(void *arg)
{
	u64 value = 7;

	(void)arg;
	seen.ret = kvm_guest_access(test_kvm(), test_vcpu(1), 0, true, &value);
}

/*
 * A write fault that lands just before the LOG_DIRTY flag is published
 * maps writable under the old flags; write protection must come after the
 * publish (kvm_commit_memory_region() -> kvm_mmu_slot_apply_flags()), or
 * that spte escapes dirty logging.
 */
TEST(memslot_log_dirty_write_protects_after_publishing_flags)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	setup_two_slots();
	/* a writable host pte: the racing write fault needs no invalidation */
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(16), 1), 0);
	ASSERT_FALSE(kvm->spte[0][0].present);
	seen.ret = -1;
	test_trigger("kvm_swap_active_memslots", 1, vcpu1_writes_gfn0, NULL);
	ASSERT_EQ(set_region(0, 0, KVM_MEM_LOG_DIRTY_PAGES, 0, 4, PG(16)), 0);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(seen.ret, KVM_OUTCOME_OK);
	ASSERT_TRUE(kvm->spte[0][0].present);
	ASSERT_FALSE(kvm->spte[0][0].writable);
	finish_clean();
}

/*
 *   as 0: gfn 0..3 -> PG(16)        as 1 (SMM): gfn 0..3 -> PG(32)
 */
TEST(memslot_address_space_1_is_used_in_smm)
{
	struct kvm *kvm = test_kvm();
	struct kvm_vcpu *smm = test_vcpu(0), *normal = test_vcpu(1);
	u64 value;

	test_world(&kvm_design_upstream);
	test_map(PG(16), 4, RW, 0, KFP_BACKING_ANON, -1);
	test_map(PG(32), 4, RW, 0, KFP_BACKING_ANON, -1);
	test_memslot(0, 0, 4, PG(16), 0);
	ASSERT_EQ(set_region(1, 0, 0, 0, 4, PG(32)), 0);
	ASSERT_EQ(kvm->memslots[1].generation, 1);
	smm->in_smm = 1;
	value = 111;
	ASSERT_EQ(kvm_guest_access(kvm, smm, 1, true, &value), KVM_OUTCOME_OK);
	value = 222;
	ASSERT_EQ(kvm_guest_access(kvm, normal, 1, true, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(kvm->spte[1][1].hva, PG(33));
	ASSERT_EQ(kvm->spte[0][1].hva, PG(17));
	ASSERT_NE(kvm->spte[1][1].pfn, kvm->spte[0][1].pfn);
	ASSERT_EQ(kfp_host_read(test_kvm_mm(), PG(33), &value), 0);
	ASSERT_EQ(value, 111);
	/* an invalidation of the SMM slot's hvas zaps the as-1 spte only */
	ASSERT_EQ(kfp_madvise_dontneed(test_kvm_mm(), PG(33), PG(1)), 0);
	ASSERT_FALSE(kvm->spte[1][1].present);
	ASSERT_TRUE(kvm->spte[0][1].present);
	ASSERT_EQ(kvm_vcpu_map(kvm, smm, 2, 0, true), 0);
	ASSERT_EQ(smm->map[0].uhva, PG(34));
	kvm_vcpu_unmap(kvm, smm, 0);
	/* deleting the as-1 slot leaves SMM without memory at gfn 1 */
	ASSERT_EQ(set_region(1, 0, 0, 0, 0, PG(32)), 0);
	ASSERT_EQ(kvm_guest_access(kvm, smm, 1, false, &value), KVM_OUTCOME_MMIO);
	ASSERT_EQ(kvm_guest_access(kvm, normal, 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 222);
	finish_clean();
}

/* ---- the invalidation protocol -------------------------------------------- */

/* No memslot under the range: begin/end never run, the sequence stays. */
TEST(invalidate_outside_memslots_leaves_seq_alone)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	u32 starts;
	long seq;

	test_world(&kvm_design_upstream);
	setup_two_slots();
	test_map(PG(64), 2, RW, 0, KFP_BACKING_ANON, -1);
	ASSERT_EQ(kfp_host_write(mm, PG(64), 1), 0);
	seq = kvm->mmu_invalidate_seq;
	starts = mm->stats.nr_invalidate_start;
	ASSERT_EQ(kfp_munmap(mm, PG(64), PG(2)), 0);
	ASSERT_GT(mm->stats.nr_invalidate_start, starts);
	ASSERT_EQ(kvm->mmu_invalidate_seq, seq);
	ASSERT_EQ(kvm->mmu_invalidate_in_progress, 0);
	ASSERT_EQ(kvm->mn_active_invalidate_count, 0);
	finish_clean();
}

/* A hit: in_progress and mn_active are 1 inside, the gfn range is set; seq +1 after. */
TEST(invalidate_of_memslot_counts_inside_and_bumps_seq)
{
	struct kvm *kvm = test_kvm();
	long seq;

	test_world(&kvm_design_upstream);
	setup_two_slots();
	guest_write(1, 1);
	guest_write(2, 2);
	seq = kvm->mmu_invalidate_seq;
	memset(&seen, 0xff, sizeof(seen));
	/* the host zaps its ptes between start and end */
	test_trigger("zap_pte", 1, sample_counters, NULL);
	ASSERT_EQ(kfp_madvise_dontneed(test_kvm_mm(), PG(17), PG(2)), 0);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(seen.in_progress, 1);
	ASSERT_EQ(seen.mn_active, 1);
	ASSERT_EQ(seen.seq, seq);
	ASSERT_EQ(seen.start, 1);
	ASSERT_EQ(seen.end, 3);
	ASSERT_EQ(kvm->mmu_invalidate_seq, seq + 1);
	ASSERT_EQ(kvm->mmu_invalidate_in_progress, 0);
	ASSERT_EQ(kvm->mn_active_invalidate_count, 0);
	ASSERT_FALSE(kvm->spte[0][1].present);
	ASSERT_FALSE(kvm->spte[0][2].present);
	finish_clean();
}

/*
 * Two overlapping invalidations: the range widens to cover both and stays
 * until the last one ends; mmu_invalidate_retry_gfn() retries inside it.
 *
 *   gfn   0  1  2  3  4  5  6  7
 *   A        [-----)                 hva PG(17)..PG(19)
 *   B                    [--)        hva PG(33)..PG(34)
 *   range    [-----------------)     [1, 6)
 */
TEST(invalidate_ranges_accumulate_until_last_end)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	struct mmu_notifier_range a = { PG(17), PG(19), MMU_NOTIFY_CLEAR, 1 };
	struct mmu_notifier_range b = { PG(33), PG(34), MMU_NOTIFY_CLEAR, 1 };
	long seq;

	test_world(&kvm_design_upstream);
	setup_two_slots();
	seq = kvm->mmu_invalidate_seq;
	mmu_notifier_invalidate_range_start(mm, &a);
	mmu_notifier_invalidate_range_start(mm, &b);
	ASSERT_EQ(kvm->mmu_invalidate_in_progress, 2);
	ASSERT_EQ(kvm->mn_active_invalidate_count, 2);
	ASSERT_EQ(kvm->mmu_invalidate_range_start, 1);
	ASSERT_EQ(kvm->mmu_invalidate_range_end, 6);
	kfp_read_lock(&kvm->mmu_lock);
	ASSERT_TRUE(mmu_invalidate_retry_gfn(kvm, seq, 4)); /* a false positive, allowed */
	ASSERT_FALSE(mmu_invalidate_retry_gfn(kvm, seq, 6));
	ASSERT_FALSE(mmu_invalidate_retry_gfn(kvm, seq, 0));
	kfp_read_unlock(&kvm->mmu_lock);
	/* a fault inside the range retries while it is in progress */
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 2, true), RET_PF_RETRY);
	ASSERT_FALSE(kvm->spte[0][2].present);
	mmu_notifier_invalidate_range_end(mm, &a);
	ASSERT_EQ(kvm->mmu_invalidate_in_progress, 1);
	ASSERT_EQ(kvm->mmu_invalidate_seq, seq + 1);
	ASSERT_EQ(kvm->mmu_invalidate_range_start, 1);
	ASSERT_EQ(kvm->mmu_invalidate_range_end, 6);
	mmu_notifier_invalidate_range_end(mm, &b);
	ASSERT_EQ(kvm->mmu_invalidate_in_progress, 0);
	ASSERT_EQ(kvm->mn_active_invalidate_count, 0);
	ASSERT_EQ(kvm->mmu_invalidate_seq, seq + 2);
	kfp_read_lock(&kvm->mmu_lock);
	ASSERT_TRUE(mmu_invalidate_retry_gfn(kvm, seq, 0)); /* the sequence moved */
	ASSERT_FALSE(mmu_invalidate_retry_gfn(kvm, seq + 2, 2));
	kfp_read_unlock(&kvm->mmu_lock);
	/* a new invalidation resets the range */
	mmu_notifier_invalidate_range_start(mm, &b);
	ASSERT_EQ(kvm->mmu_invalidate_range_start, 5);
	ASSERT_EQ(kvm->mmu_invalidate_range_end, 6);
	mmu_notifier_invalidate_range_end(mm, &b);
	guest_write(2, 2);
	finish_clean();
}

/*
 * A memslot delete while an invalidation is in flight (after
 * mn_active_invalidate_count++, before begin): upstream waits on
 * mn_memslots_update_rcuwait.  The sequential seam cannot, so the model
 * reports a deadlock and publishes nothing; the counters stay paired.
 */
TEST(memslot_delete_inside_invalidation_reports_deadlock_not_corruption)
{
	struct kvm *kvm = test_kvm();
	u64 gen;
	long seq;

	test_world(&kvm_design_upstream);
	setup_two_slots();
	guest_write(1, 1);
	gen = kvm->memslots[0].generation;
	seq = kvm->mmu_invalidate_seq;
	seen.ret = 1;
	/* gfn_to_pfn_cache_invalidate_start() is the step after the increment */
	test_trigger("gpc_lock", 1, delete_slot0, NULL);
	ASSERT_EQ(kfp_munmap(test_kvm_mm(), PG(17), PG(1)), 0);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(seen.ret, -EDEADLK);
	ASSERT_EQ(test_count(KFP_REPORT_DEADLOCK, false), 1);
	ASSERT_EQ(kvm->memslots[0].generation, gen);
	ASSERT_TRUE(kvm->memslots[0].slot[0].in_use);
	ASSERT_FALSE(kvm->memslots[0].slot[0].flags & KVM_MEMSLOT_INVALID);
	ASSERT_EQ(kvm->mmu_invalidate_seq, seq + 1);
	ASSERT_EQ(kvm->mmu_invalidate_in_progress, 0);
	ASSERT_EQ(kvm->mn_active_invalidate_count, 0);
	ASSERT_FALSE(kvm->spte[0][1].present);
	/* once the invalidation is over the delete goes through */
	ASSERT_EQ(set_region(0, 0, 0, 0, 0, PG(16)), 0);
	ASSERT_FALSE(kvm->memslots[0].slot[0].in_use);
	kvm_destroy_vm(kvm);
	kfp_check_final(kvm);
	ASSERT_EQ(test_kvm_reports()->count, 1);
}

/* The same, between begin and end (the host is zapping its ptes). */
TEST(memslot_delete_between_begin_and_end_keeps_counters_paired)
{
	struct kvm *kvm = test_kvm();
	long seq;

	test_world(&kvm_design_upstream);
	setup_two_slots();
	guest_write(2, 1);
	seq = kvm->mmu_invalidate_seq;
	seen.ret = 1;
	test_trigger("zap_pte", 1, delete_slot0, NULL);
	ASSERT_EQ(kfp_madvise_dontneed(test_kvm_mm(), PG(18), PG(1)), 0);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(seen.ret, -EDEADLK);
	ASSERT_EQ(test_count(KFP_REPORT_DEADLOCK, false), 1);
	ASSERT_TRUE(kvm->memslots[0].slot[0].in_use);
	ASSERT_EQ(kvm->mmu_invalidate_seq, seq + 1);
	ASSERT_EQ(kvm->mmu_invalidate_in_progress, 0);
	ASSERT_EQ(kvm->mn_active_invalidate_count, 0);
	kvm_destroy_vm(kvm);
	kfp_check_final(kvm);
	ASSERT_EQ(test_count(KFP_REPORT_UNBALANCED, false), 0);
	ASSERT_EQ(test_count(KFP_REPORT_COUNTER_NEGATIVE, false), 0);
	ASSERT_EQ(test_kvm_reports()->count, 1);
}

/* A memslot update after the invalidation finished needs no wait. */
TEST(memslot_delete_after_invalidation_does_not_wait)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	setup_two_slots();
	guest_write(0, 1);
	ASSERT_EQ(kfp_madvise_dontneed(test_kvm_mm(), PG(16), PG(1)), 0);
	ASSERT_EQ(kvm->mn_active_invalidate_count, 0);
	ASSERT_EQ(set_region(0, 0, 0, 0, 0, PG(16)), 0);
	ASSERT_EQ(test_count(KFP_REPORT_DEADLOCK, false), 0);
	finish_clean();
}

/* ---- teardown ---------------------------------------------------------------- */

TEST(vm_destroy_zaps_every_spte_and_drops_memslots)
{
	struct kvm *kvm = test_kvm();
	unsigned int as_id, gfn, present = 0;

	test_world(&kvm_design_upstream);
	setup_two_slots();
	ASSERT_EQ(set_region(1, 0, 0, 0, 4, PG(32)), 0);
	guest_write(0, 1);
	guest_write(6, 6);
	test_vcpu(0)->in_smm = 1;
	guest_write(3, 3);
	ASSERT_TRUE(kvm->spte[1][3].present);
	kvm_destroy_vm(kvm);
	for (as_id = 0; as_id < KVM_ADDRESS_SPACE_NUM; as_id++)
		for (gfn = 0; gfn < KFP_NR_GFNS; gfn++)
			present += kvm->spte[as_id][gfn].present;
	ASSERT_EQ(present, 0);
	ASSERT_TRUE(kvm->dead);
	ASSERT_FALSE(kvm->memslots[0].slot[0].in_use);
	ASSERT_EQ(test_kvm_mm()->nr_subscribers, 0);
	ASSERT_EQ(set_region(0, 0, 0, 0, 4, PG(16)), -EIO);
	kfp_check_final(kvm);
	ASSERT_CLEAN();
}

/* An upstream VM with two memslots, inside an invalidation of gfn 1's hva. */
static struct kfp_mm *inside_an_invalidation(struct mmu_notifier_range *range)
{
	test_world(&kvm_design_upstream);
	setup_two_slots();
	mmu_notifier_invalidate_range_start(test_kvm_mm(), range);
	return test_kvm_mm();
}

/*
 * kvm_destroy_vm() between an invalidation's start and end: the end never
 * reaches KVM and both counters stay raised, which upstream expects (it
 * resets mn_active_invalidate_count): no invariant report.
 */
TEST(vm_destroy_inside_an_invalidation_is_not_unbalanced)
{
	struct kvm *kvm = test_kvm();
	struct mmu_notifier_range range = { PG(17), PG(18), MMU_NOTIFY_CLEAR, 1 };
	struct kfp_mm *mm = inside_an_invalidation(&range);

	kvm_destroy_vm(kvm);
	mmu_notifier_invalidate_range_end(mm, &range);
	ASSERT_EQ(kvm->mn_active_invalidate_count, 1);
	ASSERT_EQ(mm->ends_after_unhook, 1);
	kfp_check_final(kvm);
	ASSERT_CLEAN();
}

/* The seeded counterpart: KVM left raised with no invalidation in flight is reported. */
TEST(vm_destroy_after_a_lost_end_is_unbalanced)
{
	struct kvm *kvm = test_kvm();
	struct mmu_notifier_range range = { PG(17), PG(18), MMU_NOTIFY_CLEAR, 1 };
	struct kfp_mm *mm = inside_an_invalidation(&range);

	/* the end reaches the mm but, as if KVM had lost it, not KVM */
	mm->active_invalidations--;
	kvm_destroy_vm(kvm);
	ASSERT_EQ(mm->ends_after_unhook, 0);
	kfp_check_final(kvm);
	ASSERT_VIOLATION(KFP_REPORT_UNBALANCED);
}

/*
 * exit_mmap()'s release between an invalidation's start and end (reclaim
 * needs no mm_users): the release unhooks KVM, the end reaches nobody,
 * and both counters stay raised by the one invalidation in flight, which
 * upstream's kvm_destroy_vm() expects: no invariant report.
 */
TEST(release_inside_an_invalidation_is_not_unbalanced)
{
	struct kvm *kvm = test_kvm();
	struct mmu_notifier_range range = { PG(17), PG(18), MMU_NOTIFY_CLEAR, 1 };
	struct kfp_mm *mm = inside_an_invalidation(&range);

	kfp_mm_teardown(mm);
	mmu_notifier_invalidate_range_end(mm, &range);
	ASSERT_EQ(mm->ends_after_unhook, 1);
	ASSERT_EQ(kvm->mn_active_invalidate_count, 1);
	ASSERT_EQ(kvm->mmu_invalidate_in_progress, 1);
	kfp_check_final(kvm);
	ASSERT_CLEAN();
}

/* ... but a count raised beyond the invalidations in flight at the release is reported. */
TEST(release_after_a_lost_end_is_unbalanced)
{
	struct kvm *kvm = test_kvm();
	struct mmu_notifier_range range = { PG(17), PG(18), MMU_NOTIFY_CLEAR, 1 };
	struct kfp_mm *mm = inside_an_invalidation(&range);

	/* the end reaches the mm but, as if KVM had lost it, not KVM */
	mm->active_invalidations--;
	kfp_mm_teardown(mm);
	ASSERT_EQ(mm->ends_after_unhook, 0);
	kfp_check_final(kvm);
	ASSERT_VIOLATION(KFP_REPORT_UNBALANCED);
}

/* mm teardown (exit_mmap) calls KVM's release, which drops every spte first. */
TEST(mm_teardown_calls_kvm_release_which_zaps_sptes)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	u32 releases;

	test_world(&kvm_design_upstream);
	setup_two_slots();
	guest_write(1, 1);
	guest_write(5, 5);
	releases = mm->stats.nr_release;
	kfp_mm_teardown(mm);
	ASSERT_EQ(mm->stats.nr_release, releases + 1);
	ASSERT_FALSE(kvm->spte[0][1].present);
	ASSERT_FALSE(kvm->spte[0][5].present);
	ASSERT_TRUE(mm->dead);
	finish_clean();
}
