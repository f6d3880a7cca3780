// SPDX-License-Identifier: GPL-2.0
/*
 * The proposal's __gfn_to_page() users: a page that the mmu notifier
 * invalidates, as upstream already treats the one x86 page user it kept.
 *
 * Read at Kingxukai/linux @0291023e (~6.15) unless said otherwise.
 *
 * Upstream (6.13+) __gfn_to_page() (virt/kvm/kvm_main.c) returns the page
 * with a reference that its user keeps until kvm_release_page_*(), and no
 * notifier reaches it: s390's vSIE pin_guest_page() (arch/s390/kvm/vsie.c)
 * keeps the SCA and other control blocks that way while the nested guest
 * runs, PPC's XIVE keeps its queue pages (arch/powerpc/kvm/
 * book3s_xive_native.c).  The reference keeps the page alive (P2), not
 * current (P3): once the VMM remaps the hva, the user goes on with the old
 * page.  __gfn_to_page() carries a FIXME saying its users probably need
 * FOLL_PIN, which would not change that either.
 *
 * The APIC access page shows the other way, in upstream itself (6.13+,
 * v13 "KVM: VMX: Use __kvm_faultin_page() to get APIC access page/pfn"):
 * arch/x86/kvm/vmx/vmx.c vmx_set_apic_access_page_addr() snapshots
 * mmu_invalidate_seq, looks the page up (__kvm_faultin_pfn()), takes
 * mmu_lock, publishes the pfn only if mmu_invalidate_retry_gfn() allows,
 * and drops its reference under mmu_lock; arch/x86/kvm/mmu/mmu.c
 * kvm_unmap_gfn_range() raises KVM_REQ_APIC_PAGE_RELOAD when an
 * invalidation covers the page's slot, and the vCPU looks it up again
 * before it next enters the guest.  The proposal does that for every
 * __gfn_to_page() user:
 *
 *  - the lookup follows vmx_set_apic_access_page_addr(), publishing the
 *    page under mmu_lock for read and keeping no reference;
 *  - kvm_unmap_gfn_range() (and the memslot delete/move zap,
 *    kvm_arch_flush_shadow_memslot()) marks every page of a gfn in the
 *    zapped range invalid, under mmu_lock for write;
 *  - each access takes mmu_lock for read, re-validates, looks the page
 *    up again when it was marked, and loads or stores under the lock, so
 *    the invalidation's write lock waits for an access in flight.
 *
 * Why no reference or pin is needed is in kvm/design/proposal.c.
 */
#include "internal.h"

enum { GFN_TO_PAGE_MAX_LOOKUPS = 64 };

static void page_mark(struct kvm_vcpu *vcpu, const char *what)
{
	kfp_shared_write(gfn_page_object(vcpu), what);
}

/*
 * A lookup that lost to an invalidation waits for it to end before trying
 * again, as the vCPU that got KVM_REQ_APIC_PAGE_RELOAD does when it
 * re-enters.  False when nobody can end the wait.
 */
static bool wait_for_invalidation(struct kvm *kvm)
{
	kfp_shared_read(seq_object(), "mmu_invalidate_in_progress");
	if (!kvm->mmu_invalidate_in_progress)
		return true;
	return kfp_wait_for_change(seq_object(), "invalidation");
}

/*
 * One attempt of arch/x86/kvm/vmx/vmx.c vmx_set_apic_access_page_addr()'s
 * protocol for @vcpu's page: 0 published, -EAGAIN an invalidation
 * overlapped the lookup, -EFAULT no page (an error pfn, no slot, a
 * KVM_MEMSLOT_INVALID slot, or a remapped pfn, for which __gfn_to_page()
 * returns NULL).  Inside kvm->srcu.
 */
static int gfn_to_page_try(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, bool write)
{
	kfp_pfn_t page = KFP_PFN_NONE;
	struct kvm_memory_slot *slot, slot_copy;
	struct kvm_follow_pfn kfp = {
		.gfn = gfn,
		.flags = write ? FOLL_WRITE : 0,
		.refcounted_page = &page,
		.owner = vcpu->page_owner,
	};
	u32 generation;
	long mmu_seq;
	int ret = 0;

	kfp_shared_read(seq_object(), "mmu_invalidate_seq");
	mmu_seq = kvm->mmu_invalidate_seq;
	/* __gfn_to_page(): gfn_to_memslot(kvm, gfn), address space 0 */
	slot = __gfn_to_memslot(kvm, 0, gfn);
	if (slot) {
		slot_copy = *slot;
		kfp.slot = &slot_copy;
	}
	kvm_follow_pfn_policy(&kfp, &kvm->design->gfn_to_page);
	(void)kvm_follow_pfn(kvm, &kfp);
	if (page == KFP_PFN_NONE)
		return -EFAULT;
	generation = page_generation(kvm->mm, page);
	kfp_read_lock(&kvm->mmu_lock);
	if (mmu_invalidate_retry_gfn(kvm, mmu_seq, gfn)) {
		kvm_release_page_unused(kvm, page, vcpu->page_owner);
		ret = -EAGAIN;
		goto out_unlock;
	}
	if (kvm_mm_released(kvm)) {
		kvm_release_page_unused(kvm, page, vcpu->page_owner);
		ret = -EFAULT;
		goto out_unlock;
	}
	page_mark(vcpu, "gfn_to_page valid");
	vcpu->page = page;
	vcpu->page_generation = generation;
	vcpu->page_uhva = kfp.hva;
	vcpu->page_gfn = gfn;
	vcpu->page_write = write;
	vcpu->page_valid = 1;
	kvm->stats.nr_refreshes++;
	/* vmx_set_apic_access_page_addr(): released under mmu_lock, no pin kept */
	kvm_release_page_clean(kvm, page, vcpu->page_owner);
out_unlock:
	kfp_read_unlock(&kvm->mmu_lock);
	return ret;
}

/* The lookup, retried while invalidations overlap it.  Inside kvm->srcu. */
static int gfn_to_page_refresh(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, bool write)
{
	unsigned int loops;
	int ret;

	for (loops = 0; loops < GFN_TO_PAGE_MAX_LOOKUPS; loops++) {
		ret = gfn_to_page_try(kvm, vcpu, gfn, write);
		if (ret != -EAGAIN)
			return ret;
		if (!wait_for_invalidation(kvm))
			break;
	}
	kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_MODEL_BUG, KFP_PFN_NONE, vcpu->page_owner,
		   (s64)gfn, "gfn_to_page refresh never completes");
	return -EFAULT;
}

/* gfn_to_page() for a vCPU: 0, -EFAULT (no page), -EBUSY (one already kept). */
int kvm_gfn_to_page_guarded(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, bool write)
{
	int ret;

	if (vcpu->page != KFP_PFN_NONE)
		return -EBUSY;
	kvm_srcu_read_lock(kvm);
	ret = gfn_to_page_refresh(kvm, vcpu, gfn, write);
	kvm_srcu_read_unlock(kvm);
	return ret;
}

/* Re-validation under mmu_lock: the page is still what the gfn maps. */
static bool page_check(struct kvm *kvm, struct kvm_vcpu *vcpu)
{
	kfp_lockdep_assert_held(&kvm->mmu_lock);
	kfp_shared_read(gfn_page_object(vcpu), "gfn_to_page check");
	kvm->stats.nr_revalidations++;
	return vcpu->page_valid;
}

/*
 * An access through the page: mmu_lock for read, re-validate, look the
 * page up again when an invalidation marked it (with mmu_lock dropped:
 * the lookup sleeps), then load or store under the lock.  A lookup that
 * finds no page is -EFAULT to the caller; the page stays kept, invalid,
 * until its release.
 */
enum kvm_outcome kvm_page_access_guarded(struct kvm *kvm, struct kvm_vcpu *vcpu, bool write,
					 u64 *value)
{
	struct kvm_access access;
	int ret;

	if (vcpu->page == KFP_PFN_NONE)
		return KVM_OUTCOME_EINVAL;
	kfp_read_lock(&kvm->mmu_lock);
	kvm->stats.nr_access_locks++;
	while (!page_check(kvm, vcpu)) {
		kfp_read_unlock(&kvm->mmu_lock);
		kvm_srcu_read_lock(kvm);
		ret = gfn_to_page_refresh(kvm, vcpu, vcpu->page_gfn, vcpu->page_write);
		kvm_srcu_read_unlock(kvm);
		if (ret)
			return KVM_OUTCOME_EFAULT;
		kfp_read_lock(&kvm->mmu_lock);
		kvm->stats.nr_access_locks++;
	}
	access = (struct kvm_access){
		.via = KVM_ACCESS_PAGE,
		.write = write,
		.notifier_protected = 1,
		.vcpu = (s8)vcpu->id,
		.owner = vcpu->page_owner,
		.generation = vcpu->page_generation,
		.pfn = vcpu->page,
		.hva = vcpu->page_uhva,
		.gfn = vcpu->page_gfn,
	};
	kvm_access_step(kvm, gfn_page_object(vcpu), access.pfn, write, access.hva, access.as_id,
			"access through gfn_to_page");
	kvm_report_access(kvm, &access);
	if (write) {
		kvm->mm->page[access.pfn].content = *value;
		/* kvm_release_page_dirty()'s dirty bit, set at the write: nothing is released later */
		if (!PageReserved(kvm->mm, access.pfn))
			SetPageDirty(kvm->mm, access.pfn);
	} else {
		*value = kvm->mm->page[access.pfn].content;
	}
	kfp_read_unlock(&kvm->mmu_lock);
	return KVM_OUTCOME_OK;
}

/*
 * kvm_release_page_clean/dirty() of a kept page: nothing is held, so
 * nothing is put; the page stops being a translation of the vCPU's.
 */
void kvm_gfn_to_page_release_guarded(struct kvm *kvm, struct kvm_vcpu *vcpu, bool dirty)
{
	(void)kvm;
	(void)dirty;
	page_mark(vcpu, "gfn_to_page release");
	vcpu->page = KFP_PFN_NONE;
	vcpu->page_valid = 0;
}

static bool page_in_range(const struct kvm_vcpu *vcpu, gfn_t start, gfn_t end)
{
	return vcpu->page_valid && vcpu->page_gfn >= start && vcpu->page_gfn < end;
}

/*
 * arch/x86/kvm/mmu/mmu.c kvm_unmap_gfn_range()'s KVM_REQ_APIC_PAGE_RELOAD,
 * for every kept page: mmu_lock held for write, pages of gfns in
 * [start, end) of address space @as_id become invalid.  One step reads
 * every vCPU's page; one more per page that was hit marks it, looking
 * again inside its own step (the release takes no mmu_lock).
 */
void kvm_gfn_to_page_invalidate(struct kvm *kvm, unsigned int as_id, gfn_t start, gfn_t end)
{
	struct kfp_footprint fp = { 0 };
	unsigned int v, hits = 0;

	kfp_lockdep_assert_held_write(&kvm->mmu_lock);
	if (as_id || !kvm->nr_vcpus || !kvm_seam_gfn_to_page_reload(kvm))
		return;
	for (v = 0; v < kvm->nr_vcpus; v++)
		kfp_footprint_add(&fp, gfn_page_object(&kvm->vcpu[v]), KFP_ACCESS_READ);
	kfp_shared_access_footprint(&fp, "gfn_to_page invalidate check");
	for (v = 0; v < kvm->nr_vcpus; v++)
		if (page_in_range(&kvm->vcpu[v], start, end))
			hits |= 1u << v;
	for (v = 0; v < kvm->nr_vcpus; v++) {
		struct kvm_vcpu *vcpu = &kvm->vcpu[v];

		if (!(hits & (1u << v)))
			continue;
		page_mark(vcpu, "gfn_to_page invalidate");
		if (!page_in_range(vcpu, start, end))
			continue;
		vcpu->page_valid = 0;
		kvm->stats.nr_marked_invalid++;
	}
}
