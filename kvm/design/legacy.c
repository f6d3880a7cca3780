// SPDX-License-Identifier: GPL-2.0
/*
 * legacy: Linux ~6.5, the 2023 thread's baseline (CachyOS/linux @79f4411d
 * virt/kvm/kvm_main.c; reference §2.2).
 *
 * The lookup returns only a pfn; every caller releases it with
 * kvm_release_pfn_clean(), which re-derives "is there a page to put" from
 * the pfn (kvm_pfn_to_refcounted_page()).  So the remapped path takes a
 * reference by hand whenever that heuristic will later put one
 * (kvm_try_get_pfn(), f8be156be163), and fails on a page it cannot take
 * one on: non-refcounted struct pages behind VM_PFNMAP are unmappable.
 */
#include "design.h"

/* virt/kvm/kvm_main.c hva_to_pfn_remapped() + kvm_try_get_pfn() (~6.5) */
static int legacy_hva_to_pfn_remapped(struct kvm *kvm, struct kfp_vma *vma,
				      struct kvm_follow_pfn *kfp, kfp_pfn_t *p_pfn)
{
	struct follow_pfnmap_args args;
	kfp_pfn_t pfn;
	int r;

	r = remapped_follow(kvm, vma, kfp, &args);
	if (r)
		return r;
	if (!remapped_permits(kfp, args.writable, p_pfn))
		goto out;
	pfn = args.pfn;
	/* kvm_try_get_pfn(): no page, no reference; a refcount of 0 is -EFAULT */
	if (kvm_pfn_to_refcounted_page(kvm, pfn) && !get_page_unless_zero(kvm->mm, pfn, kfp->owner))
		r = -EFAULT;
	*p_pfn = pfn;
out:
	follow_pfnmap_end(&args);
	return r;
}

const struct kvm_design kvm_design_legacy = {
	.name = "legacy",
	.summary = "pfn-only API; kvm_try_get_pfn on remapped pfns; release keyed on the pfn",
	.renders = "Linux ~6.5",
	.hva_to_pfn_remapped = legacy_hva_to_pfn_remapped,
	.pfn_is_refcounted = kvm_pfn_to_refcounted_page,
	.gfn_to_page_by_pfn = true,
	/* kvm_vcpu_map(): gfn_to_pfn(vcpu->kvm, gfn) / gfn_to_memslot(vcpu->kvm, gfn) */
	.vcpu_map_vm_memslots = true,
	/* kvm_mmu_invalidate_begin(kvm, start, end); is_page_fault_stale(): mmu_invalidate_retry_hva() */
	.mmu_invalidate_by_hva = true,
	/* direct_page_fault(): kvm_release_pfn_clean(fault->pfn) after unlocking mmu_lock */
	.fault = { .release = KVM_RELEASE_PFN },
	/* kvm_vcpu_map(): gfn_to_pfn(); kvm_vcpu_unmap(): kvm_release_pfn(map->pfn, dirty) */
	.vcpu_map = { .foll_write = 1, .release = KVM_RELEASE_PFN },
	.gfn_to_page = { .foll_write = 1, .release = KVM_RELEASE_PFN },
	/* hva_to_pfn_retry() (~6.2): kvm_release_pfn_clean(new_pfn) once mapped */
	.gpc = { .release = KVM_RELEASE_PFN },
};
