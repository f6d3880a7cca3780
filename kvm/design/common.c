// SPDX-License-Identifier: GPL-2.0
#include "design.h"

int remapped_follow(struct kvm *kvm, struct kfp_vma *vma, struct kvm_follow_pfn *kfp,
		    struct follow_pfnmap_args *args)
{
	bool write_fault = kfp->flags & FOLL_WRITE;
	bool unlocked = false;
	int r;

	args->vma = vma;
	args->address = kfp->hva;
	if (!follow_pfnmap_start(kvm->mm, args))
		return 0;
	/* GUP never faults VM_IO|VM_PFNMAP in: KVM has to (add6a0cd1c5b) */
	r = fixup_user_fault(kvm->mm, kfp->hva, write_fault ? FAULT_FLAG_WRITE : 0, &unlocked);
	if (unlocked)
		return -EAGAIN;
	if (r)
		return r;
	return follow_pfnmap_start(kvm->mm, args);
}

bool kvm_pfn_to_refcounted_page(const struct kvm *kvm, kfp_pfn_t pfn)
{
	const struct kfp_mm *mm = kvm->mm;

	if (!pfn_valid(mm, pfn))
		return false;
	if (!PageReserved(mm, pfn))
		return true;
	/* the ZERO_PAGE is reserved but refcounted; before 7df003c85218 it leaked */
	if (is_zero_pfn(mm, pfn))
		return !(kvm->inject & KVM_INJECT_ZERO_PAGE_RESERVED);
	/* ZONE_DEVICE pages were PG_reserved yet refcounted, and were never freed */
	if (is_zone_device_page(mm, pfn))
		return !(kvm->inject & KVM_INJECT_ZONE_DEVICE_RESERVED) && page_count(mm, pfn);
	return false;
}

bool remapped_permits(struct kvm_follow_pfn *kfp, bool writable, kfp_pfn_t *pfn)
{
	if ((kfp->flags & FOLL_WRITE) && !writable) {
		*pfn = KVM_PFN_ERR_RO_FAULT;
		return false;
	}
	if (kfp->map_writable)
		*kfp->map_writable = writable;
	return true;
}

bool vcpu_map_staleness_accepted(const struct kvm_access *access, enum kfp_report_kind kind)
{
	return access->via == KVM_ACCESS_HOST_MAP &&
	       kfp_report_kind_property(kind) == KFP_PROPERTY_P3;
}

/*
 * What allow_unsafe_mappings relaxes: memory reached through a VM_IO|VM_PFNMAP
 * pte (no struct page, or one follow_pfnmap_start() found) mapped with no
 * reference or pin of the mapper's own and no notifier (virt/kvm/kvm_main.c
 * hva_to_pfn_remapped(), 6.13+, v13 35/85; v9 3/6 rule 2).  A GUP'd page is
 * never covered: if its mapper lost its pin or reference, that is a bug.
 */
bool unsafe_mapping_accepted(const struct kvm *kvm, const struct kvm_access *access,
			     enum kfp_report_kind kind)
{
	return kvm->allow_unsafe_mappings && access->remapped && !access->notifier_protected &&
	       kfp_report_kind_property(kind) == KFP_PROPERTY_P2 &&
	       !kfp_ledger_refs(kvm->mm, access->pfn, access->owner) &&
	       !kfp_ledger_pins(kvm->mm, access->pfn, access->owner);
}
