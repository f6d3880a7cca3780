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
