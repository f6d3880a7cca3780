/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared inside kvm/ only.
 */
#ifndef KFP_KVM_INTERNAL_H
#define KFP_KVM_INTERNAL_H

#include <stdio.h>

#include <kfp/kvm.h>

#include "memslots.h"

static inline u32 seq_object(void)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_KVM_SEQ, 0);
}

static inline u32 mn_count_object(void)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_KVM_MN_COUNT, 0);
}

/* the proposal's kvm->mm_released */
static inline u32 released_object(void)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_KVM_RELEASED, 0);
}

/*
 * The proposal: after ->release nothing may publish a translation, since
 * no invalidation will reach it.  A refresh can race exit_mmap(): the
 * irqfd workqueue borrows the mm with kthread_use_mm(), which holds no
 * mm_users (arch/x86/kvm/xen.c kvm_xen_set_evtchn() -> kvm_gpc_refresh()).
 * Read where a refresh is about to publish, under the lock that the
 * release's invalidation of it takes after setting the mark.
 */
static inline bool kvm_mm_released(struct kvm *kvm)
{
	if (!kvm->design->invalidate_on_release)
		return false;
	kfp_shared_read(released_object(), "mm released");
	return kvm->mm_released;
}

static inline u32 spte_object(unsigned int as_id, gfn_t gfn)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_KVM_SPTE, as_id * KFP_NR_GFNS + gfn);
}

static inline u32 gpc_object(unsigned int index)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_KVM_GPC, index);
}

static inline u32 host_map_object(const struct kvm_vcpu *vcpu, unsigned int index)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_KVM_MAP, vcpu->id * KFP_MAX_HOST_MAPS + index);
}

/* the page a vCPU's __gfn_to_page() user keeps (vcpu->page and its fields) */
static inline u32 gfn_page_object(const struct kvm_vcpu *vcpu)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_KVM_MAP, 0x800 + vcpu->id);
}

/*
 * The generation a translation records when it is made (the checker's
 * P2 compares it with the page's at each access).  It is a read of the
 * page, so it is a step of its own: a step's footprint must hold all it
 * reads, or a free running beside it is taken to commute with it.
 */
static inline u32 page_generation(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	if (pfn >= KFP_NR_PFNS)
		return 0;
	kfp_shared_read(KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, pfn), "page generation");
	return mm->page[pfn].generation;
}

void gfn_to_pfn_cache_invalidate_start(struct kvm *kvm, u64 start, u64 end);
bool mmu_notifier_retry_cache(struct kvm *kvm, long mmu_seq, bool *busy);
/* the proposal's notifier-protected kvm_vcpu_map() (kvm/vcpu_map_notifier.c) */
int kvm_vcpu_map_guarded(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, unsigned int index,
			 bool writable);
void kvm_vcpu_unmap_guarded(struct kvm *kvm, struct kvm_vcpu *vcpu, unsigned int index);
enum kvm_outcome kvm_vcpu_map_guarded_access(struct kvm *kvm, struct kvm_vcpu *vcpu,
					     unsigned int index, bool write, u64 *value);
void kvm_vcpu_maps_invalidate_start(struct kvm *kvm, u64 start, u64 end);
void kvm_vcpu_maps_invalidate_memslot(struct kvm *kvm, unsigned int as_id, gfn_t start, gfn_t end);
/* the proposal's notifier-protected __gfn_to_page() users (kvm/gfn_to_page_notifier.c) */
int kvm_gfn_to_page_guarded(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, bool write);
enum kvm_outcome kvm_page_access_guarded(struct kvm *kvm, struct kvm_vcpu *vcpu, bool write,
					 u64 *value);
void kvm_gfn_to_page_release_guarded(struct kvm *kvm, struct kvm_vcpu *vcpu, bool dirty);
void kvm_gfn_to_page_invalidate(struct kvm *kvm, unsigned int as_id, gfn_t start, gfn_t end);
void kvm_gpc_release_vcpu_caches(struct kvm *kvm);
void kvm_mmu_slot_remove_write_access(struct kvm *kvm, const struct kvm_memory_slot *slot);
void kvm_report_access(struct kvm *kvm, const struct kvm_access *access);
void kvm_access_step(struct kvm *kvm, u32 translation, kfp_pfn_t pfn, bool write, u64 hva,
		     unsigned int as_id, const char *what);

#endif /* KFP_KVM_INTERNAL_H */
