// SPDX-License-Identifier: GPL-2.0
/*
 * v9: David Stevens, "[PATCH v9 0/6] KVM: allow mapping non-refcounted
 * pages" (<20230911021637.1941096-1-stevensd@google.com>, 2023-09-11;
 * reference §2.5).
 *
 * Every refcounted page comes back with a reference and is_refcounted_page
 * set; a caller that honours it (allow_non_refcounted_struct_page: the x86
 * fault, kvm_vcpu_map) may get non-refcounted struct pages, which it never
 * releases; unmigrated callers still release by pfn and are refused such
 * pages (rule 1).  Memory that is not refcounted needs the mmu notifier or
 * allow_unsafe_mappings (rule 2).  sptes carry SPTE_MMU_PAGE_REFCOUNTED.
 */
#include "design.h"

/* hva_to_pfn_remapped() of v9 3/6 */
static int v9_hva_to_pfn_remapped(struct kvm *kvm, struct kfp_vma *vma, struct kvm_follow_pfn *kfp,
				  kfp_pfn_t *p_pfn)
{
	struct follow_pfnmap_args args;
	bool page;
	kfp_pfn_t pfn;
	int r;

	r = remapped_follow(kvm, vma, kfp, &args);
	if (r)
		return r;
	pfn = args.pfn;
	page = kvm_pfn_to_refcounted_page(kvm, pfn);
	if (!remapped_permits(kfp, args.writable, &pfn))
		goto out;
	if (page && get_page_unless_zero(kvm->mm, pfn, kfp->owner))
		kvm_resolve_pfn(kvm, kfp, pfn, NULL, args.writable);
out:
	follow_pfnmap_end(&args);
	/* rule 1 (TODO upstream: until every caller is migrated) */
	if (pfn_valid(kvm->mm, args.pfn) && !kfp->is_refcounted_page &&
	    !kfp->allow_non_refcounted_struct_page)
		r = -EFAULT;
	/* rule 2 */
	else if (!kfp->is_refcounted_page && !kfp->guarded_by_mmu_notifier &&
		 !kvm->allow_unsafe_mappings)
		r = -EFAULT;
	else
		*p_pfn = pfn;
	return r;
}

/*
 * allow_unsafe_mappings (v9 3/6): non-refcounted memory may be mapped
 * without notifier protection (the cover letter says "memory without a
 * struct page"; rule 2 lets any non-refcounted pfn of the remapped path
 * through, and kvm_vcpu_map is aware of non-refcounted struct pages);
 * stale kvm_vcpu_map translations are userspace's problem (Sean,
 * 2023-09-06).  A GUP'd page always comes back referenced
 * (kvm_follow_refcounted_pfn()), so the parameter never covers one.  The
 * unmigrated cache is notifier-protected: nothing of it is accepted.
 */
static bool v9_accepts(const struct kvm *kvm, const struct kvm_access *access,
		       enum kfp_report_kind kind)
{
	return access->via == KVM_ACCESS_HOST_MAP && (vcpu_map_staleness_accepted(access, kind) ||
						      unsafe_mapping_accepted(kvm, access, kind));
}

const struct kvm_design kvm_design_v9 = {
	.name = "v9",
	.summary = "is_refcounted_page honoured by the fault and kvm_vcpu_map; refcounted spte bit",
	.renders = "v9 2023-09-11",
	.hva_to_pfn_remapped = v9_hva_to_pfn_remapped,
	.accepts = v9_accepts,
	.pfn_is_refcounted = kvm_pfn_to_refcounted_page,
	.gfn_to_page_by_pfn = true,
	/* kvm_vcpu_map(): gfn_to_pfn(vcpu->kvm, gfn) / gfn_to_memslot(vcpu->kvm, gfn) */
	.vcpu_map_vm_memslots = true,
	.spte_refcounted_bit = true,
	/* x86 __kvm_faultin_pfn: guarded; aware with TDP on 64-bit; released after mmu_lock */
	.fault = { .guarded = 1, .aware = 1, .release = KVM_RELEASE_IF_REFCOUNTED },
	/* 4/6: kvm_vcpu_unmap() releases only refcounted pages */
	.vcpu_map = { .aware = 1, .foll_write = 1, .release = KVM_RELEASE_IF_REFCOUNTED },
	/* unmigrated: gfn_to_pfn_prot() and the cache release by pfn */
	.gfn_to_page = { .foll_write = 1, .release = KVM_RELEASE_PFN },
	.gpc = { .release = KVM_RELEASE_PFN },
};
