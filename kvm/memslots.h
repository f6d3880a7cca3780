/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bottom layer of kvm/: memslot lookups and kvm->srcu, as upstream's
 * include/linux/kvm_host.h and virt/kvm/kvm_mm.h helpers.  Everything else
 * in kvm/ may call down to it; it calls nothing in kvm/.  The lookups that
 * code outside kvm/ uses are declared in <kfp/kvm.h>; the memslot updates
 * (kvm_set_memory_region()) are kvm/kvm_main.c's.
 */
#ifndef KFP_KVM_MEMSLOTS_H
#define KFP_KVM_MEMSLOTS_H

#include <kfp/kvm.h>

static inline u32 memslots_object(unsigned int as_id)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_KVM_MEMSLOTS, as_id);
}

/* include/linux/kvm_host.h hva_to_gfn_memslot() */
static inline gfn_t hva_to_gfn_memslot(u64 hva, const struct kvm_memory_slot *slot)
{
	return slot->base_gfn + ((hva - slot->userspace_addr) >> PAGE_SHIFT);
}

#endif /* KFP_KVM_MEMSLOTS_H */
