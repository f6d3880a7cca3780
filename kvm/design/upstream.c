// SPDX-License-Identifier: GPL-2.0
/*
 * upstream: Linux 6.13+ (Sean Christopherson, "KVM: Stop grabbing
 * references to PFNMAP'd pages", v13 <20241010182427.1434605-1-seanjc@google.com>,
 * merged for 6.13).
 *
 *  (a) every GUP'd page is released right after the fault, under mmu_lock;
 *  (b) remapped pfns never carry a reference;
 *  (c) direct-access users (kvm_vcpu_map) pin, and a pin of remapped
 *      memory needs allow_unsafe_mappings.
 */
#include "design.h"

/*
 * virt/kvm/kvm_main.c hva_to_pfn_remapped() (6.13+, mmap_lock held): read
 * the PFNMAP pte, faulting it in once if needed; a write to a read-only
 * pte is RO_FAULT; the pfn is returned with no reference taken.
 */
int upstream_hva_to_pfn_remapped(struct kvm *kvm, struct kfp_vma *vma, struct kvm_follow_pfn *kfp,
				 kfp_pfn_t *p_pfn)
{
	struct follow_pfnmap_args args;
	int r;

	/* v13 35/85: remapped memory cannot be pinned; only the parameter allows it */
	if (kfp->pin && !kvm->allow_unsafe_mappings)
		return -EINVAL;
	r = remapped_follow(kvm, vma, kfp, &args);
	if (r)
		return r;
	if (remapped_permits(kfp, args.writable, p_pfn))
		*p_pfn = kvm_resolve_pfn(kvm, kfp, KFP_PFN_NONE, &args, args.writable);
	follow_pfnmap_end(&args);
	return 0;
}

/*
 * Documented as accepted upstream: kvm_vcpu_map() keeps using a stale
 * translation after the VMA changes (David Stevens and Sean
 * Christopherson, 2023-09-06), and an unpinned mapping of remapped memory
 * is what allow_unsafe_mappings=1 asks for (v13 35/85).
 */
static bool upstream_accepts(const struct kvm *kvm, const struct kvm_access *access,
			     enum kfp_report_kind kind)
{
	return access->via == KVM_ACCESS_HOST_MAP && (vcpu_map_staleness_accepted(access, kind) ||
						      unsafe_mapping_accepted(kvm, access, kind));
}

const struct kvm_design kvm_design_upstream = {
	.name = "upstream",
	.summary = "kvm_follow_pfn with refcounted_page; remapped pfns never referenced; "
		   "kvm_vcpu_map pins",
	.renders = "Linux 6.13+",
	.hva_to_pfn_remapped = upstream_hva_to_pfn_remapped,
	.sigpending_on_eagain = true,
	.release_faultin_under_mmu_lock = true,
	.accepts = upstream_accepts,
	/* kvm_faultin_pfn(): FOLL_WRITE/NOWAIT; the page goes under mmu_lock */
	.fault = { .release = KVM_RELEASE_PAGE },
	/* __kvm_vcpu_map(): pin = true, refcounted_page = &map->pinned_page */
	.vcpu_map = { .pin = 1, .release = KVM_RELEASE_PAGE },
	/* __gfn_to_page(): the page, or NULL for every remapped pfn */
	.gfn_to_page = { .release = KVM_RELEASE_PAGE },
	/* hva_to_pfn_retry(): a local page, released clean once mapped */
	.gpc = { .release = KVM_RELEASE_PAGE },
};
