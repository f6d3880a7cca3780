// SPDX-License-Identifier: GPL-2.0
/*
 * Memslot lookups and kvm->srcu (include/linux/kvm_host.h,
 * virt/kvm/kvm_main.c, 6.13+): the bottom layer of kvm/ (kvm/memslots.h).
 */
#include "memslots.h"

/* include/linux/kvm_host.h __gfn_to_hva_memslot() */
u64 __gfn_to_hva_memslot(const struct kvm_memory_slot *slot, gfn_t gfn)
{
	return slot->userspace_addr + ((gfn - slot->base_gfn) << PAGE_SHIFT);
}

/* include/linux/kvm_host.h __gfn_to_memslot(): lockless (SRCU) lookup. */
struct kvm_memory_slot *__gfn_to_memslot(struct kvm *kvm, unsigned int as_id, gfn_t gfn)
{
	struct kvm_memslots *slots = &kvm->memslots[as_id];
	unsigned int i;

	kfp_shared_read(memslots_object(as_id), "gfn_to_memslot");
	for (i = 0; i < KFP_MAX_MEMSLOTS; i++) {
		struct kvm_memory_slot *slot = &slots->slot[i];

		if (slot->in_use && gfn >= slot->base_gfn && gfn < slot->base_gfn + slot->npages)
			return slot;
	}
	return NULL;
}

/* virt/kvm/kvm_main.c __gfn_to_hva_many() */
u64 __gfn_to_hva_many(const struct kvm_memory_slot *slot, gfn_t gfn, bool write)
{
	if (!slot || (slot->flags & KVM_MEMSLOT_INVALID))
		return KVM_HVA_ERR_BAD;
	if ((slot->flags & KVM_MEM_READONLY) && write)
		return KVM_HVA_ERR_RO_BAD;
	return __gfn_to_hva_memslot(slot, gfn);
}

void kvm_srcu_read_lock(struct kvm *kvm)
{
	kfp_read_lock(&kvm->srcu);
}

void kvm_srcu_read_unlock(struct kvm *kvm)
{
	kfp_read_unlock(&kvm->srcu);
}

/* virt/kvm/kvm_main.c kvm_swap_active_memslots(): synchronize_srcu_expedited() */
void kvm_synchronize_srcu(struct kvm *kvm)
{
	kfp_write_lock(&kvm->srcu);
	kfp_write_unlock(&kvm->srcu);
}
