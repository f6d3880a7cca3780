// SPDX-License-Identifier: GPL-2.0
/*
 * sketch: the seed thread's proposal (reference §2.4): David Stevens' v7
 * "KVM: Make __kvm_follow_pfn not imply FOLL_GET"
 * (<20230704075054.3344915-1-stevensd@google.com>) with Sean
 * Christopherson's kvm_follow_refcounted_pfn() diff of 2023-07-11
 * (<ZK3Q34WNLjGVQQw+@google.com>) applied.
 *
 * FOLL_GET means "take a reference if the page is refcounted": without it
 * GUP's reference is dropped at once.  Non-refcounted pfns are allowed to
 * guarded callers, and to unguarded ones with allow_unsafe_mappings.  The
 * guest fault is guarded and holds no reference at all; kvm_vcpu_map is
 * still a legacy caller (FOLL_GET, unguarded, released by pfn), which is
 * David's objection: a refcount-0 page it maps is put at unmap.
 */
#include "design.h"

/* hva_to_pfn_remapped() of v7 with the 2023-07-11 diff */
static int sketch_hva_to_pfn_remapped(struct kvm *kvm, struct kfp_vma *vma,
				      struct kvm_follow_pfn *kfp, kfp_pfn_t *p_pfn)
{
	struct follow_pfnmap_args args;
	kfp_pfn_t pfn;
	int r;

	r = remapped_follow(kvm, vma, kfp, &args);
	if (r)
		return r;
	pfn = args.pfn;
	if (!remapped_permits(kfp, args.writable, &pfn))
		goto out;
	/* the page comes from kvm_pfn_to_refcounted_page() (reference §7: a guess) */
	if (kvm_pfn_to_refcounted_page(kvm, pfn) && get_page_unless_zero(kvm->mm, pfn, kfp->owner))
		kvm_resolve_pfn(kvm, kfp, pfn, NULL, args.writable);
out:
	follow_pfnmap_end(&args);
	if (!kfp->is_refcounted_page && !kfp->guarded_by_mmu_notifier &&
	    !kvm->allow_unsafe_mappings)
		r = -EFAULT;
	else
		*p_pfn = pfn;
	return r;
}

/* allow_unsafe_mappings lets unguarded callers map non-refcounted memory */
static bool sketch_accepts(const struct kvm *kvm, const struct kvm_access *access,
			   enum kfp_report_kind kind)
{
	return access->via == KVM_ACCESS_HOST_MAP && (vcpu_map_staleness_accepted(access, kind) ||
						      unsafe_mapping_accepted(kvm, access, kind));
}

const struct kvm_design kvm_design_sketch = {
	.name = "sketch",
	.summary = "v7 + the thread's kvm_follow_refcounted_pfn diff; kvm_vcpu_map still pfn-keyed",
	.renders = "2023-07 proposal",
	.hva_to_pfn_remapped = sketch_hva_to_pfn_remapped,
	.accepts = sketch_accepts,
	.pfn_is_refcounted = kvm_pfn_to_refcounted_page,
	.gup_put_unless_foll_get = true,
	.gfn_to_page_by_pfn = true,
	/* kvm_vcpu_map(): gfn_to_pfn(vcpu->kvm, gfn) / gfn_to_memslot(vcpu->kvm, gfn) */
	.vcpu_map_vm_memslots = true,
	/* the fault omits FOLL_GET and is guarded: nothing to release */
	.fault = { .guarded = 1, .aware = 1, .release = KVM_RELEASE_NOTHING },
	.vcpu_map = { .foll_get = 1, .foll_write = 1, .release = KVM_RELEASE_PFN },
	.gfn_to_page = { .foll_get = 1, .foll_write = 1, .release = KVM_RELEASE_PFN },
	/* the series left the cache unspecified: rendered as a guarded caller */
	.gpc = { .guarded = 1, .aware = 1, .release = KVM_RELEASE_NOTHING },
};
