// SPDX-License-Identifier: GPL-2.0
/*
 * pre-cve: Linux <= 5.12, before f8be156be163 "KVM: do not allow mapping
 * valid but non-reference-counted pages" (CVE-2021-22543; reference §2.3).
 *
 * As legacy, except that the remapped path took its reference with
 * kvm_get_pfn(): a plain get_page() on any pfn kvm_is_reserved_pfn() does
 * not call reserved, even a struct page whose refcount is 0 (the tail of a
 * non-compound higher-order allocation).  The release later drops the
 * count back to 0 and frees a page KVM never owned.
 *
 * Its gfn->pfn cache is kvm_map_gfn()'s struct gfn_to_pfn_cache
 * (917248144db5, 5.6; removed by 357a18ad230f for 5.17), not the gpc:
 * v5.10 virt/kvm/kvm_main.c __kvm_map_gfn() looks the pfn up again with
 * kvm_cache_gfn_to_pfn() only when the gfn or the memslots generation
 * changed, keeps gfn_to_pfn_memslot()'s reference in the cache, and
 * releases it by pfn (kvm_release_pfn()) at the next re-key or in
 * kvm_arch_vcpu_destroy().  No mmu notifier reaches it, so a remap behind
 * it leaves a stale translation (P3) whose page the reference keeps
 * allocated.  kvm/pfncache.c renders it under gpc_map_gfn; docs/model.md
 * lists what it simplifies.
 */
#include "design.h"

/* virt/kvm/kvm_main.c hva_to_pfn_remapped() + kvm_get_pfn() (5.12) */
static int pre_cve_hva_to_pfn_remapped(struct kvm *kvm, struct kfp_vma *vma,
				       struct kvm_follow_pfn *kfp, kfp_pfn_t *p_pfn)
{
	struct follow_pfnmap_args args;
	bool writable;
	int r;

	r = remapped_follow(kvm, vma, kfp, &args);
	if (r)
		return r;
	/* before bd2fae8da794 the pte's write bit was not looked at */
	writable = args.writable || (kvm->inject & KVM_INJECT_PFNMAP_ASSUME_WRITABLE);
	if (!remapped_permits(kfp, writable, p_pfn))
		goto out;
	/* kvm_get_pfn(): get_page() unless kvm_is_reserved_pfn(), whatever the count */
	if (kvm_pfn_to_refcounted_page(kvm, args.pfn))
		get_page(kvm->mm, args.pfn, kfp->owner);
	*p_pfn = args.pfn;
out:
	follow_pfnmap_end(&args);
	return 0;
}

const struct kvm_design kvm_design_pre_cve = {
	.name = "pre-cve",
	.summary = "kvm_get_pfn: a reference on any non-reserved struct page behind PFNMAP",
	.renders = "Linux <= 5.12",
	.hva_to_pfn_remapped = pre_cve_hva_to_pfn_remapped,
	/* kvm_release_pfn_clean(): put_page() iff !kvm_is_reserved_pfn() */
	.pfn_is_refcounted = kvm_pfn_to_refcounted_page,
	.gfn_to_page_by_pfn = true,
	.fault = { .release = KVM_RELEASE_PFN },
	.vcpu_map = { .foll_write = 1, .release = KVM_RELEASE_PFN },
	.gfn_to_page = { .foll_write = 1, .release = KVM_RELEASE_PFN },
	/* kvm_cache_gfn_to_pfn(): gfn_to_pfn_memslot(), kvm_release_pfn() at re-key */
	.gpc = { .release = KVM_RELEASE_PFN },
	.gpc_map_gfn = true,
};
