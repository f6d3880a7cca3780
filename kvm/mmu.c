// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 TDP MMU guest fault and guest accesses through sptes
 * (arch/x86/kvm/mmu/mmu.c kvm_mmu_faultin_pfn(), kvm_tdp_mmu_page_fault(),
 * kvm_mmu_finish_page_fault(); Kingxukai/linux @9b44fff6, ~6.15).
 *
 * The fault snapshots mmu_invalidate_seq before the lookup, checks it
 * locklessly after, then again under mmu_lock before installing the spte;
 * any invalidation that changed the mapping in between forces a retry,
 * and one that starts later must take mmu_lock for write to zap the new
 * spte.  So the guest never uses a stale pfn without holding a reference.
 */
#include "internal.h"

struct kvm_page_fault {
	gfn_t gfn;
	bool write;
	unsigned int as_id;
	const struct kvm_memory_slot *slot;
	/* the memslot as this fault looked it up (an RCU-protected pointer upstream) */
	struct kvm_memory_slot slot_copy;
	long mmu_seq;
	kfp_pfn_t pfn;
	kfp_pfn_t refcounted_page;
	bool is_refcounted; /* v9: the lookup returned a refcounted page */
	bool map_writable;
	u64 hva;
};

static long read_mmu_invalidate_seq(struct kvm *kvm)
{
	kfp_shared_read(seq_object(), "mmu_invalidate_seq");
	return kvm->mmu_invalidate_seq;
}

/* include/linux/kvm_host.h mmu_invalidate_retry_gfn(): mmu_lock held */
bool mmu_invalidate_retry_gfn(struct kvm *kvm, long mmu_seq, gfn_t gfn)
{
	kfp_lockdep_assert_held(&kvm->mmu_lock);
	kfp_shared_read(seq_object(), "mmu_invalidate_retry_gfn");
	if (kvm->mmu_invalidate_in_progress) {
		/* dropping mmu_lock between begin and range_add is a KVM bug */
		if (kvm->mmu_invalidate_range_start == INVALID_GPA) {
			kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_UNBALANCED, KFP_PFN_NONE, 0,
				   0, "mmu_invalidate_retry_gfn without a range");
			return true;
		}
		if (gfn >= kvm->mmu_invalidate_range_start && gfn < kvm->mmu_invalidate_range_end)
			return true;
	}
	return kvm->mmu_invalidate_seq != mmu_seq;
}

/* include/linux/kvm_host.h mmu_invalidate_retry_gfn_unsafe(): lockless, may be wrong */
bool mmu_invalidate_retry_gfn_unsafe(struct kvm *kvm, long mmu_seq, gfn_t gfn)
{
	kfp_shared_read(seq_object(), "mmu_invalidate_retry_gfn_unsafe");
	if (kvm->mmu_invalidate_in_progress && gfn >= kvm->mmu_invalidate_range_start &&
	    gfn < kvm->mmu_invalidate_range_end)
		return true;
	return kvm->mmu_invalidate_seq != mmu_seq;
}

/*
 * include/linux/kvm_host.h mmu_invalidate_retry_hva() (6.1 .. 6.7):
 * mmu_lock held; the range is the notifier's hvas (design->mmu_invalidate_by_hva)
 */
bool mmu_invalidate_retry_hva(struct kvm *kvm, long mmu_seq, u64 hva)
{
	kfp_lockdep_assert_held(&kvm->mmu_lock);
	kfp_shared_read(seq_object(), "mmu_invalidate_retry_hva");
	if (kvm->mmu_invalidate_in_progress && hva >= kvm->mmu_invalidate_hva_start &&
	    hva < kvm->mmu_invalidate_hva_end)
		return true;
	return kvm->mmu_invalidate_seq != mmu_seq;
}

/* mmu_invalidate_retry_gfn_unsafe() on the hva range: the same check without mmu_lock */
bool mmu_invalidate_retry_hva_unsafe(struct kvm *kvm, long mmu_seq, u64 hva)
{
	kfp_shared_read(seq_object(), "mmu_invalidate_retry_hva_unsafe");
	if (kvm->mmu_invalidate_in_progress && hva >= kvm->mmu_invalidate_hva_start &&
	    hva < kvm->mmu_invalidate_hva_end)
		return true;
	return kvm->mmu_invalidate_seq != mmu_seq;
}

/*
 * The fault's lockless checks, by hva where the design keeps hva ranges.
 * 6.1 has neither (it checks only in is_page_fault_stale()); kfp's fault
 * keeps them for every design, and the check under mmu_lock decides.
 * They are kfp's for a --kernel-tree design too (docs/kernel-tree.md).
 */
static bool fault_retry_unsafe(struct kvm *kvm, const struct kvm_page_fault *fault)
{
	if (kvm->design->mmu_invalidate_by_hva)
		return mmu_invalidate_retry_hva_unsafe(
			kvm, fault->mmu_seq, __gfn_to_hva_memslot(fault->slot, fault->gfn));
	return mmu_invalidate_retry_gfn_unsafe(kvm, fault->mmu_seq, fault->gfn);
}

/*
 * arch/x86/kvm/mmu/mmu.c is_page_fault_stale(): the check under mmu_lock,
 * mmu_invalidate_retry_hva(kvm, fault->mmu_seq, fault->hva) in 6.1,
 * mmu_invalidate_retry_gfn() since 6.8.  A --kernel-tree design runs the
 * tree's own (either).
 */
static bool is_page_fault_stale(struct kvm *kvm, const struct kvm_page_fault *fault)
{
	const struct kvm_design *d = kvm->design;

	if (!d->mmu_invalidate_by_hva && d->mmu_invalidate_retry_gfn)
		return d->mmu_invalidate_retry_gfn(kvm, fault->mmu_seq, fault->gfn);
	if (!d->mmu_invalidate_by_hva)
		return mmu_invalidate_retry_gfn(kvm, fault->mmu_seq, fault->gfn);
	if (d->mmu_invalidate_retry_hva)
		return d->mmu_invalidate_retry_hva(kvm, fault->mmu_seq, fault->hva);
	return mmu_invalidate_retry_hva(kvm, fault->mmu_seq, fault->hva);
}

/* arch/x86/kvm/mmu/mmu.c kvm_handle_error_pfn(): errors become exits */
static int kvm_handle_error_pfn(struct kvm *kvm, struct kvm_page_fault *fault)
{
	(void)kvm;
	if (fault->pfn == KVM_PFN_ERR_SIGPENDING)
		return -EINTR;
	if (fault->pfn == KVM_PFN_ERR_RO_FAULT)
		return RET_PF_EMULATE;
	if (fault->pfn == KVM_PFN_ERR_HWPOISON)
		return -EHWPOISON; /* kvm_send_hwpoison_signal(), then RET_PF_RETRY */
	return -EFAULT;
}

/*
 * arch/x86/kvm/mmu/mmu.c __kvm_mmu_faultin_pfn(): FOLL_NOWAIT first; on
 * "needs I/O" (async page faults are not modelled) again, interruptible.
 */
/* One lookup with the design's fault policy (6.13+: __kvm_faultin_pfn()). */
static kfp_pfn_t faultin_lookup(struct kvm *kvm, struct kvm_vcpu *vcpu,
				struct kvm_page_fault *fault, unsigned int foll)
{
	struct kvm_follow_pfn kfp = {
		.slot = fault->slot,
		.gfn = fault->gfn,
		.flags = foll,
		.map_writable = &fault->map_writable,
		.refcounted_page = &fault->refcounted_page,
		.owner = vcpu->fault_owner,
	};
	kfp_pfn_t pfn;

	kvm_follow_pfn_policy(&kfp, &kvm->design->fault);
	fault->map_writable = false;
	fault->refcounted_page = KFP_PFN_NONE;
	/* a 6.13+ tree's design: the tree's __kvm_faultin_pfn() */
	if (kvm->design->faultin_pfn)
		pfn = kvm->design->faultin_pfn(kvm, &kfp);
	else
		pfn = kvm_follow_pfn(kvm, &kfp);
	fault->is_refcounted = kfp.is_refcounted_page;
	return pfn;
}

/*
 * arch/x86/kvm/mmu/mmu.c __kvm_mmu_faultin_pfn(): FOLL_NOWAIT first; on
 * "needs I/O" (async page faults are not modelled) again, interruptible.
 */
static void __kvm_mmu_faultin_pfn(struct kvm *kvm, struct kvm_vcpu *vcpu,
				  struct kvm_page_fault *fault)
{
	unsigned int foll = fault->write ? FOLL_WRITE : 0;

	fault->pfn = faultin_lookup(kvm, vcpu, fault, foll | FOLL_NOWAIT);
	if (fault->pfn != KVM_PFN_ERR_NEEDS_IO)
		return;
	fault->pfn = faultin_lookup(kvm, vcpu, fault, foll | FOLL_INTERRUPTIBLE);
}

/* Give back what the fault's lookup returned: 6.13+ under mmu_lock, by page. */
static void release_faultin(struct kvm *kvm, struct kvm_vcpu *vcpu, struct kvm_page_fault *fault,
			    bool unused)
{
	const struct kvm_caller_policy *policy = &kvm->design->fault;

	if (policy->release == KVM_RELEASE_PAGE)
		kvm_release_faultin_page(kvm, fault->refcounted_page, unused, fault->map_writable,
					 vcpu->fault_owner);
	else
		kvm_release_lookup(kvm, policy, fault->pfn, fault->refcounted_page,
				   fault->is_refcounted, unused, fault->map_writable,
				   vcpu->fault_owner);
}

/* arch/x86/kvm/mmu/mmu.c kvm_mmu_finish_page_fault() */
static void kvm_mmu_finish_page_fault(struct kvm *kvm, struct kvm_vcpu *vcpu,
				      struct kvm_page_fault *fault, int r)
{
	unsigned int releases = kvm_seam_faultin_releases(kvm);

	while (releases--)
		release_faultin(kvm, vcpu, fault, r == RET_PF_RETRY);
	fault->refcounted_page = KFP_PFN_NONE;
	fault->is_refcounted = false;
}

/*
 * arch/x86/kvm/mmu/mmu.c kvm_mmu_faultin_pfn().  Returns RET_PF_CONTINUE
 * with fault->pfn resolved, or what the fault ends with.
 */
static int kvm_mmu_faultin_pfn(struct kvm *kvm, struct kvm_vcpu *vcpu, struct kvm_page_fault *fault)
{
	bool snapshot_first = kvm_seam_faultin_snapshot_first(kvm);

	if (snapshot_first)
		fault->mmu_seq = read_mmu_invalidate_seq(kvm);
	if (!fault->slot)
		return RET_PF_EMULATE; /* kvm_handle_noslot_fault(): emulated MMIO */
	if (fault->slot->flags & KVM_MEMSLOT_INVALID)
		return RET_PF_RETRY;
	/* mmu.c kvm_mmu_faultin_pfn(): the pre-check needs the snapshot; a late one has none yet */
	if (snapshot_first && fault_retry_unsafe(kvm, fault))
		return RET_PF_RETRY;
	fault->hva = __gfn_to_hva_memslot(fault->slot, fault->gfn);
	__kvm_mmu_faultin_pfn(kvm, vcpu, fault);
	if (!snapshot_first)
		fault->mmu_seq = read_mmu_invalidate_seq(kvm);
	if (is_error_pfn(fault->pfn))
		return kvm_handle_error_pfn(kvm, fault);
	if (is_noslot_pfn(fault->pfn))
		return RET_PF_EMULATE;
	if (!(kvm->inject & KVM_INJECT_SKIP_RETRY_CHECK) && fault_retry_unsafe(kvm, fault)) {
		kvm_mmu_finish_page_fault(kvm, vcpu, fault, RET_PF_RETRY);
		return RET_PF_RETRY;
	}
	return RET_PF_CONTINUE;
}

/* arch/x86/kvm/mmu/tdp_mmu.c kvm_tdp_mmu_map(): install the leaf spte. */
static int kvm_tdp_mmu_map(struct kvm *kvm, struct kvm_page_fault *fault)
{
	struct kvm_spte *spte = &kvm->spte[fault->as_id][fault->gfn];
	bool writable = fault->map_writable;
	u32 generation;

	/* dirty logging write-protects; a write fault marks the gfn dirty instead */
	if ((fault->slot->flags & KVM_MEM_LOG_DIRTY_PAGES) && !fault->write)
		writable = false;
	/* read before the spte is published: no access may see it without */
	generation = page_generation(kvm->mm, fault->pfn);
	kfp_shared_write(spte_object(fault->as_id, fault->gfn), "tdp_mmu_map");
	if (!spte->present)
		kvm->nr_present_sptes++;
	spte->present = 1;
	spte->writable = writable;
	spte->pfn = (u32)fault->pfn;
	spte->hva = (u32)fault->hva;
	spte->generation = generation;
	spte->refcounted =
		kvm->design->spte_refcounted_bit && fault->refcounted_page != KFP_PFN_NONE;
	return RET_PF_FIXED;
}

/*
 * arch/x86/kvm/mmu/mmu.c kvm_tdp_mmu_page_fault(): resolve the pfn, take
 * mmu_lock for read, re-check under the lock (is_page_fault_stale()),
 * map, and release the page while still holding mmu_lock.
 */
int kvm_tdp_page_fault(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, bool write)
{
	struct kvm_page_fault fault = {
		.gfn = gfn,
		.write = write,
		.as_id = vcpu->in_smm,
		.refcounted_page = KFP_PFN_NONE,
	};
	bool after_map = kvm_seam_faultin_release_after_map(kvm);
	bool early_release = !after_map || !kvm->design->release_faultin_under_mmu_lock;
	int r;

	if (gfn >= KFP_NR_GFNS)
		return RET_PF_EMULATE;
	fault.slot = __gfn_to_memslot(kvm, fault.as_id, gfn);
	if (fault.slot) {
		fault.slot_copy = *fault.slot;
		fault.slot = &fault.slot_copy;
	}
	r = kvm_mmu_faultin_pfn(kvm, vcpu, &fault);
	if (r != RET_PF_CONTINUE)
		return r;
	/* a seam's broken answer: a clean release before mmu_lock (the dirty bit is lost too) */
	if (!after_map)
		kvm_release_lookup(kvm, &kvm->design->fault, fault.pfn, fault.refcounted_page,
				   fault.is_refcounted, false, false, vcpu->fault_owner);

	r = RET_PF_RETRY;
	kfp_read_lock(&kvm->mmu_lock);
	if (!(kvm->inject & KVM_INJECT_SKIP_RETRY_CHECK) && is_page_fault_stale(kvm, &fault))
		goto out_unlock;
	r = kvm_tdp_mmu_map(kvm, &fault);
out_unlock:
	if (!early_release)
		kvm_mmu_finish_page_fault(kvm, vcpu, &fault, r);
	kfp_read_unlock(&kvm->mmu_lock);
	if (early_release && after_map)
		kvm_mmu_finish_page_fault(kvm, vcpu, &fault, r);
	return r;
}

/* A vCPU would spin on RET_PF_RETRY; say what it waits for. */
static bool wait_before_retry(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn)
{
	const struct kvm_memory_slot *slot = __gfn_to_memslot(kvm, vcpu->in_smm, gfn);

	if (slot && (slot->flags & KVM_MEMSLOT_INVALID))
		return kfp_wait_for_change(memslots_object(vcpu->in_smm), "memslot update");
	kfp_shared_read(seq_object(), "mmu_invalidate_in_progress");
	if (kvm->mmu_invalidate_in_progress)
		return kfp_wait_for_change(seq_object(), "invalidation");
	return true;
}

enum spte_walk {
	SPTE_ACCESSED, /* the access went through the spte */
	SPTE_MISSING, /* no usable spte: take a fault */
	SPTE_CHANGED, /* the spte changed under the walk: look again */
};

/*
 * The guest's load or store through the spte.  The hardware walks the
 * spte and reaches the page in one step, and an invalidation's TLB flush
 * cannot split it, so the model makes it one step whose footprint is the
 * spte, the page and what the checker reads (kvm_access_step()).  The pfn
 * and hva are peeked first only to name that footprint; if the spte
 * changed by the time the step runs, the walk starts over.
 */
static enum spte_walk spte_access(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, bool write,
				  u64 *value)
{
	struct kvm_spte *spte = &kvm->spte[vcpu->in_smm][gfn];
	kfp_pfn_t seen = spte->present ? spte->pfn : KFP_PFN_NONE;
	struct kvm_access access;

	if (seen >= KFP_NR_PFNS) {
		kfp_shared_read(spte_object(vcpu->in_smm, gfn), "guest access");
		return spte->present ? SPTE_CHANGED : SPTE_MISSING;
	}
	kvm_access_step(kvm, spte_object(vcpu->in_smm, gfn), seen, write, spte->hva, vcpu->in_smm,
			"guest access");
	if (!spte->present || (write && !spte->writable))
		return SPTE_MISSING;
	if (spte->pfn != seen)
		return SPTE_CHANGED;
	access = (struct kvm_access){
		.via = KVM_ACCESS_SPTE,
		.write = write,
		.notifier_protected = 1,
		.vcpu = (s8)vcpu->id,
		.owner = vcpu->fault_owner,
		.generation = spte->generation,
		.pfn = spte->pfn,
		.hva = spte->hva,
		.gfn = gfn,
		.as_id = vcpu->in_smm,
	};
	kvm_report_access(kvm, &access);
	if (write)
		kvm->mm->page[seen].content = *value;
	else
		*value = kvm->mm->page[seen].content;
	return SPTE_ACCESSED;
}

/*
 * A guest load or store to @gfn (vcpu_enter_guest() plus the EPT
 * violations it takes).  A pending signal exits before entry.
 */
enum kvm_outcome kvm_guest_access(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, bool write,
				  u64 *value)
{
	/*
	 * vcpu_run() re-enters the guest until the access completes: no
	 * bound, as upstream (a retry waits for the write that ends it, so
	 * a schedule that loops forever is a livelock the explorer reports).
	 */
	for (;;) {
		int r;

		if (signal_pending(kvm->mm))
			return KVM_OUTCOME_EINTR;
		if (gfn < KFP_NR_GFNS) {
			enum spte_walk walk = spte_access(kvm, vcpu, gfn, write, value);

			if (walk == SPTE_ACCESSED)
				return KVM_OUTCOME_OK;
			if (walk == SPTE_CHANGED)
				continue;
		}
		/* vcpu_run() holds kvm->srcu outside guest mode */
		kvm_srcu_read_lock(kvm);
		r = kvm_tdp_page_fault(kvm, vcpu, gfn, write);
		kvm_srcu_read_unlock(kvm);
		if (r == RET_PF_EMULATE)
			return KVM_OUTCOME_MMIO;
		if (r == -EINTR)
			return KVM_OUTCOME_EINTR;
		if (r == -EHWPOISON)
			return KVM_OUTCOME_HWPOISON;
		if (r < 0)
			return KVM_OUTCOME_EFAULT;
		if (r == RET_PF_RETRY && !wait_before_retry(kvm, vcpu, gfn))
			break;
	}
	/* nobody else can end the wait: run alone (unit tests), the retry never completes */
	kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_MODEL_BUG, KFP_PFN_NONE, 0, (s64)gfn,
		   "guest fault never completes");
	return KVM_OUTCOME_EFAULT;
}

/* arch/x86/kvm/mmu/mmu.c kvm_mmu_slot_remove_write_access(): dirty logging starts */
void kvm_mmu_slot_remove_write_access(struct kvm *kvm, const struct kvm_memory_slot *slot)
{
	gfn_t gfn;

	kfp_write_lock(&kvm->mmu_lock);
	for (gfn = slot->base_gfn; gfn < slot->base_gfn + slot->npages; gfn++) {
		kfp_shared_write(spte_object(slot->as_id, gfn), "remove write access");
		kvm->spte[slot->as_id][gfn].writable = 0;
	}
	kfp_write_unlock(&kvm->mmu_lock);
}
