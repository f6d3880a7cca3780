// SPDX-License-Identifier: GPL-2.0
/*
 * VM lifetime, memslot updates and the mmu-notifier protocol
 * (virt/kvm/kvm_main.c, 6.13+ unless a comment says otherwise).
 *
 * KVM is an mmu-notifier subscriber of the VMM's mm.  Its
 * invalidate_range_start zaps the sptes of every memslot the range hits and
 * invalidates gfn->pfn caches; its invalidate_range_end bumps
 * mmu_invalidate_seq.  Faults snapshot the sequence before looking a pfn
 * up and retry when an invalidation overlapped the lookup (§3 of the
 * reference).  Memslot updates wait for in-flight invalidations
 * (52ac8b358b0c) so that begin and end always see the same memslots.
 */
#include <string.h>

#include "internal.h"

enum {
	KVM_LOCK_SLOTS = 16,
	KVM_LOCK_MMU,
	KVM_LOCK_MN_INVALIDATE,
	KVM_LOCK_GPC_LIST,
	KVM_LOCK_SRCU,
	KVM_LOCK_GPC_FIRST, /* two per gpc: lock, refresh_lock */
	/* one per kvm_vcpu_map() slot: the proposal's map->lock */
	KVM_LOCK_MAP_FIRST = KVM_LOCK_GPC_FIRST + 2 * KFP_MAX_GPCS,
};

static void zap_spte(struct kvm *kvm, unsigned int as_id, gfn_t gfn)
{
	struct kvm_spte *spte = &kvm->spte[as_id][gfn];

	if (!spte->present)
		return;
	kfp_shared_write(spte_object(as_id, gfn), "zap spte");
	memset(spte, 0, sizeof(*spte));
	kvm->nr_present_sptes--;
}

/* arch/x86/kvm/mmu kvm_unmap_gfn_range() / kvm_arch_flush_shadow_memslot() */
static void kvm_zap_gfn_range(struct kvm *kvm, unsigned int as_id, gfn_t start, gfn_t end)
{
	gfn_t gfn;

	kfp_lockdep_assert_held_write(&kvm->mmu_lock);
	/* the proposal: kvm_unmap_gfn_range()'s APIC page reload, for every gfn_to_page() user */
	if (kvm->design->gfn_to_page_notifier)
		kvm_gfn_to_page_invalidate(kvm, as_id, start, end);
	for (gfn = start; gfn < end && gfn < KFP_NR_GFNS && kvm->nr_present_sptes; gfn++)
		zap_spte(kvm, as_id, gfn);
}

/*
 * virt/kvm/kvm_main.c kvm_swap_active_memslots(): publish @slot's new
 * state, first waiting until no invalidation is in flight (rcuwait on
 * mn_active_invalidate_count), and move the generation on.
 */
static bool kvm_swap_active_memslots(struct kvm *kvm, unsigned int as_id,
				     struct kvm_memory_slot *slot,
				     const struct kvm_memory_slot *update)
{
	kfp_write_lock(&kvm->mn_invalidate_lock);
	/* before 52ac8b358b0c nothing kept an update out of an invalidation */
	while (!(kvm->inject & KVM_INJECT_MEMSLOT_NO_WAIT)) {
		kfp_shared_read(mn_count_object(), "mn_active_invalidate_count");
		if (!kvm->mn_active_invalidate_count)
			break;
		kfp_write_unlock(&kvm->mn_invalidate_lock);
		/* rcuwait_wait_event(): look again, and sleep only while it is still raised */
		kfp_shared_read(mn_count_object(), "mn_memslots_update_rcuwait");
		if (kvm->mn_active_invalidate_count &&
		    !kfp_wait_for_change(mn_count_object(), "mn_memslots_update_rcuwait")) {
			/*
			 * Upstream sleeps here and never publishes inside an
			 * invalidation (52ac8b358b0c); a seam that cannot wait
			 * reports the deadlock and publishes nothing, so that
			 * invalidate_range_end still finds the slots its start saw.
			 */
			kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_DEADLOCK, KFP_PFN_NONE, 0,
				   kvm->mn_active_invalidate_count, "kvm_swap_active_memslots");
			return false;
		}
		kfp_write_lock(&kvm->mn_invalidate_lock);
	}
	kfp_shared_write(memslots_object(as_id), "kvm_swap_active_memslots");
	*slot = *update;
	kvm->memslots[as_id].generation++;
	kfp_write_unlock(&kvm->mn_invalidate_lock);
	/* readers that looked the old slot up finish before anything is zapped or reused */
	if (!(kvm->inject & KVM_INJECT_MEMSLOT_NO_SRCU_SYNC))
		kvm_synchronize_srcu(kvm);
	return true;
}

/*
 * The ioctl is about to return: from here on the VMM may reuse the memory of
 * a slot it deleted or moved (after synchronize_srcu_expedited() in
 * kvm_swap_active_memslots() no reader of the old slot is left), so a KVM
 * user still translating one of its gfns through it is stale.  A model
 * step of its own, on the memslots' object, so that the checker's reading
 * of it at an access is ordered against it.
 */
static void memslot_update_returns(struct kvm *kvm, unsigned int as_id)
{
	kfp_shared_write(memslots_object(as_id), "kvm_set_memory_region returns");
	kvm->memslots[as_id].returned_generation = kvm->memslots[as_id].generation;
}

static int check_memory_region(struct kvm *kvm, unsigned int as_id, unsigned int slot_id, u32 flags,
			       gfn_t base_gfn, u64 npages, u64 userspace_addr)
{
	unsigned int i;

	if (as_id >= KVM_ADDRESS_SPACE_NUM || slot_id >= KFP_MAX_MEMSLOTS)
		return -EINVAL;
	if (flags & ~(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY))
		return -EINVAL;
	/* virt/kvm/kvm_main.c:__kvm_set_memory_region(): checked for deletes too */
	if (!PAGE_ALIGNED(userspace_addr))
		return -EINVAL;
	if (!npages)
		return 0;
	if (base_gfn + npages > KFP_NR_GFNS || base_gfn + npages < base_gfn)
		return -EINVAL;
	/* the model's address space bounds userspace_addr (access_ok()) */
	if (!kfp_hva_in_range(userspace_addr) ||
	    userspace_addr + (npages << PAGE_SHIFT) > KFP_HVA_LIMIT)
		return -EINVAL;
	for (i = 0; i < KFP_MAX_MEMSLOTS; i++) {
		const struct kvm_memory_slot *other = &kvm->memslots[as_id].slot[i];

		if (i == slot_id || !other->in_use)
			continue;
		if (base_gfn < other->base_gfn + other->npages &&
		    other->base_gfn < base_gfn + npages)
			return -EEXIST;
	}
	return 0;
}

/*
 * virt/kvm/kvm_main.c __kvm_set_memory_region() -> kvm_set_memslot().
 * Deleting or moving a slot first publishes it as KVM_MEMSLOT_INVALID (so
 * faults retry or exit to userspace), zaps its sptes, and only then
 * publishes the final state.
 */
int kvm_set_memory_region(struct kvm *kvm, unsigned int as_id, unsigned int slot_id, u32 flags,
			  gfn_t base_gfn, u64 npages, u64 userspace_addr)
{
	struct kvm_memory_slot *slot, update, invalid;
	bool log_dirty_on;
	int ret;

	ret = check_memory_region(kvm, as_id, slot_id, flags, base_gfn, npages, userspace_addr);
	if (ret)
		return ret;
	if (kvm->dead)
		return -EIO;
	kfp_write_lock(&kvm->slots_lock);
	slot = &kvm->memslots[as_id].slot[slot_id];
	ret = -EINVAL;
	if (!npages && !slot->in_use)
		goto out_unlock;
	/*
	 * virt/kvm/kvm_main.c:__kvm_set_memory_region(): an existing slot keeps
	 * its hva, size and READONLY flag; an identical update changes nothing.
	 */
	if (npages && slot->in_use &&
	    (userspace_addr != slot->userspace_addr || npages != slot->npages ||
	     ((flags ^ slot->flags) & KVM_MEM_READONLY)))
		goto out_unlock;
	ret = 0;
	if (npages && slot->in_use && base_gfn == slot->base_gfn && flags == slot->flags)
		goto out_unlock;
	ret = -EDEADLK; /* model only: the seam could not wait for an invalidation */
	memset(&update, 0, sizeof(update));
	if (npages) {
		update.in_use = 1;
		update.as_id = (u8)as_id;
		update.id = (u16)slot_id;
		update.flags = flags;
		update.base_gfn = base_gfn;
		update.npages = npages;
		update.userspace_addr = userspace_addr;
	}
	if (slot->in_use && (!npages || base_gfn != slot->base_gfn)) {
		invalid = *slot;
		invalid.flags |= KVM_MEMSLOT_INVALID;
		if (!kvm_swap_active_memslots(kvm, as_id, slot, &invalid))
			goto out_unlock;
		kfp_write_lock(&kvm->mmu_lock);
		kvm_zap_gfn_range(kvm, as_id, slot->base_gfn, slot->base_gfn + slot->npages);
		kfp_write_unlock(&kvm->mmu_lock);
		if (kvm->design->vcpu_map_notifier)
			kvm_vcpu_maps_invalidate_memslot(kvm, as_id, slot->base_gfn,
							 slot->base_gfn + slot->npages);
	}
	log_dirty_on = slot->in_use && npages && (flags & KVM_MEM_LOG_DIRTY_PAGES) &&
		       !(slot->flags & KVM_MEM_LOG_DIRTY_PAGES);
	if (!kvm_swap_active_memslots(kvm, as_id, slot, &update))
		goto out_unlock;
	/*
	 * arch/x86/kvm/x86.c:kvm_mmu_slot_apply_flags(): write-protect after
	 * the new flags are published, so no fault can map writable in between.
	 */
	if (log_dirty_on)
		kvm_mmu_slot_remove_write_access(kvm, slot);
	memslot_update_returns(kvm, as_id);
	ret = 0;
out_unlock:
	kfp_write_unlock(&kvm->slots_lock);
	return ret;
}

/* ---- the notifier protocol -------------------------------------------- */

/*
 * virt/kvm/kvm_main.c kvm_mmu_invalidate_begin(kvm, start, end) (6.1):
 * the notifier's whole hva range, widened to cover every invalidation in
 * progress.  Only designs that retry by hva keep it.
 */
static void kvm_mmu_invalidate_begin_hva(struct kvm *kvm, u64 start, u64 end)
{
	if (!kvm->design->mmu_invalidate_by_hva)
		return;
	if (kvm->mmu_invalidate_in_progress == 1) {
		kvm->mmu_invalidate_hva_start = start;
		kvm->mmu_invalidate_hva_end = end;
		return;
	}
	if (start < kvm->mmu_invalidate_hva_start)
		kvm->mmu_invalidate_hva_start = start;
	if (end > kvm->mmu_invalidate_hva_end)
		kvm->mmu_invalidate_hva_end = end;
}

/* virt/kvm/kvm_main.c kvm_mmu_invalidate_begin() */
static void kvm_mmu_invalidate_begin(struct kvm *kvm, u64 start, u64 end)
{
	kfp_lockdep_assert_held_write(&kvm->mmu_lock);
	kfp_shared_write(seq_object(), "mmu_invalidate_begin");
	kvm->mmu_invalidate_in_progress++;
	if (kvm->mmu_invalidate_in_progress == 1) {
		kvm->mmu_invalidate_range_start = INVALID_GPA;
		kvm->mmu_invalidate_range_end = INVALID_GPA;
	}
	kvm_mmu_invalidate_begin_hva(kvm, start, end);
}

/* virt/kvm/kvm_main.c kvm_mmu_invalidate_range_add() */
static void kvm_mmu_invalidate_range_add(struct kvm *kvm, gfn_t start, gfn_t end)
{
	kfp_shared_write(seq_object(), "mmu_invalidate_range_add");
	if (!kvm->mmu_invalidate_in_progress)
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_UNBALANCED, KFP_PFN_NONE, 0, 0,
			   "mmu_invalidate_range_add without begin");
	if (kvm->mmu_invalidate_range_start == INVALID_GPA) {
		kvm->mmu_invalidate_range_start = start;
		kvm->mmu_invalidate_range_end = end;
		return;
	}
	if (start < kvm->mmu_invalidate_range_start)
		kvm->mmu_invalidate_range_start = start;
	if (end > kvm->mmu_invalidate_range_end)
		kvm->mmu_invalidate_range_end = end;
}

/* virt/kvm/kvm_main.c kvm_mmu_invalidate_end(); the seq moves before the count drops */
static void kvm_mmu_invalidate_end(struct kvm *kvm)
{
	kfp_lockdep_assert_held_write(&kvm->mmu_lock);
	kfp_shared_write(seq_object(), "mmu_invalidate_end");
	kvm->mmu_invalidate_seq++;
	kvm->mmu_invalidate_in_progress--;
	if (kvm->mmu_invalidate_in_progress < 0)
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_COUNTER_NEGATIVE, KFP_PFN_NONE, 0,
			   kvm->mmu_invalidate_in_progress, "mmu_invalidate_in_progress");
	if (kvm->mmu_invalidate_range_start == INVALID_GPA)
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_UNBALANCED, KFP_PFN_NONE, 0, 0,
			   "mmu_invalidate_end without a range");
}

enum hva_handler { HANDLE_UNMAP, HANDLE_NOTHING };

/*
 * virt/kvm/kvm_main.c __kvm_handle_hva_range(): for every memslot (both
 * address spaces) whose hva range meets [start, end), take mmu_lock for
 * write on the first hit and run on_lock, then the handler.  No hit, no
 * lock: the sequence does not move.
 */
static bool kvm_handle_hva_range(struct kvm *kvm, u64 start, u64 end, bool begin,
				 enum hva_handler handler)
{
	bool locked = false;
	unsigned int as_id, i;

	kvm_srcu_read_lock(kvm);
	for (as_id = 0; as_id < KVM_ADDRESS_SPACE_NUM; as_id++) {
		struct kvm_memslots slots;

		/*
		 * __kvm_memslots() once per address space: the handler works on
		 * that snapshot while a memslot update may publish another (the
		 * model's memslots change in place, so it copies them in the
		 * step that names them).
		 */
		kfp_shared_read(memslots_object(as_id), "kvm_handle_hva_range");
		slots = kvm->memslots[as_id];
		for (i = 0; i < KFP_MAX_MEMSLOTS; i++) {
			const struct kvm_memory_slot *slot = &slots.slot[i];
			u64 slot_end = slot->userspace_addr + (slot->npages << PAGE_SHIFT);
			u64 hva_start, hva_end;

			if (!slot->in_use || slot->userspace_addr >= end || slot_end <= start)
				continue;
			hva_start = start > slot->userspace_addr ? start : slot->userspace_addr;
			hva_end = end < slot_end ? end : slot_end;
			if (!locked) {
				locked = true;
				kfp_write_lock(&kvm->mmu_lock);
				if (begin)
					kvm_mmu_invalidate_begin(kvm, start, end);
				else
					kvm_mmu_invalidate_end(kvm);
			}
			if (handler == HANDLE_UNMAP) {
				gfn_t gfn_start = hva_to_gfn_memslot(hva_start, slot);
				gfn_t gfn_end = hva_to_gfn_memslot(hva_end + PAGE_SIZE - 1, slot);

				kvm_mmu_invalidate_range_add(kvm, gfn_start, gfn_end);
				kvm_zap_gfn_range(kvm, as_id, gfn_start, gfn_end);
			}
		}
	}
	if (locked)
		kfp_write_unlock(&kvm->mmu_lock);
	kvm_srcu_read_unlock(kvm);
	return locked;
}

/* virt/kvm/kvm_main.c kvm_mmu_notifier_invalidate_range_start() */
static int kvm_mmu_notifier_invalidate_range_start(struct kfp_mm *mm, void *private,
						   const struct mmu_notifier_range *range)
{
	struct kvm *kvm = private;

	(void)mm;
	kvm->stats.nr_invalidations++;
	kfp_write_lock(&kvm->mn_invalidate_lock);
	kfp_shared_write(mn_count_object(), "mn_active_invalidate_count++");
	kvm->mn_active_invalidate_count++;
	kfp_write_unlock(&kvm->mn_invalidate_lock);
	/*
	 * before mmu_lock: this is why caches check mn_active_invalidate_count;
	 * kvm_map_gfn()'s cache (<= 5.15) was never told
	 */
	if (!(kvm->inject & KVM_INJECT_GPC_NO_INVALIDATE) && !kvm->design->gpc_map_gfn)
		gfn_to_pfn_cache_invalidate_start(kvm, range->start, range->end);
	kvm_handle_hva_range(kvm, range->start, range->end, true, HANDLE_UNMAP);
	return 0;
}

/* virt/kvm/kvm_main.c kvm_mmu_notifier_invalidate_range_end() */
static void kvm_mmu_notifier_invalidate_range_end(struct kfp_mm *mm, void *private,
						  const struct mmu_notifier_range *range)
{
	struct kvm *kvm = private;

	(void)mm;
	kvm_handle_hva_range(kvm, range->start, range->end, false, HANDLE_NOTHING);
	kfp_write_lock(&kvm->mn_invalidate_lock);
	kfp_shared_write(mn_count_object(), "mn_active_invalidate_count--");
	if (kvm->mn_active_invalidate_count <= 0)
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_COUNTER_NEGATIVE, KFP_PFN_NONE, 0,
			   kvm->mn_active_invalidate_count, "mn_active_invalidate_count");
	else
		kvm->mn_active_invalidate_count--;
	kfp_write_unlock(&kvm->mn_invalidate_lock);
}

/*
 * virt/kvm/kvm_main.c kvm_mmu_notifier_release() -> kvm_flush_shadow_all().
 * exit_mmap() unhooks the notifier right after this (mm/mmu_notifier.c
 * mn_hlist_release()) and then frees every page with no invalidation, so
 * upstream's gfn->pfn caches stay valid over freed pages.  The proposal
 * invalidates them here, and refuses any later publication.
 */
static void kvm_mmu_notifier_release(struct kfp_mm *mm, void *private)
{
	struct kvm *kvm = private;
	unsigned int as_id;

	(void)mm;
	kfp_write_lock(&kvm->mmu_lock);
	if (kvm->design->invalidate_on_release) {
		kfp_shared_write(released_object(), "mm released");
		kvm->mm_released = 1;
	}
	for (as_id = 0; as_id < KVM_ADDRESS_SPACE_NUM; as_id++)
		kvm_zap_gfn_range(kvm, as_id, 0, KFP_NR_GFNS);
	kfp_write_unlock(&kvm->mmu_lock);
	if (kvm->design->invalidate_on_release && kvm_seam_release_invalidates(kvm))
		gfn_to_pfn_cache_invalidate_start(kvm, 0, ~(u64)0);
}

static const struct mmu_notifier_ops kvm_mmu_notifier_ops = {
	.release = kvm_mmu_notifier_release,
	.invalidate_range_start = kvm_mmu_notifier_invalidate_range_start,
	.invalidate_range_end = kvm_mmu_notifier_invalidate_range_end,
};

/* ---- VM lifetime ----------------------------------------------------------- */

static void init_vcpu(struct kvm *kvm, struct kvm_vcpu *vcpu, unsigned int id)
{
	char name[KFP_OWNER_NAME_LEN];
	unsigned int i;

	vcpu->id = (int)id;
	vcpu->page = KFP_PFN_NONE;
	for (i = 0; i < KFP_MAX_HOST_MAPS; i++)
		kfp_lock_init(&vcpu->map[i].lock, KFP_LOCK_RWLOCK,
			      KVM_LOCK_MAP_FIRST + id * KFP_MAX_HOST_MAPS + i, "map->lock");
	snprintf(name, sizeof(name), "vcpu%u.fault", id);
	vcpu->fault_owner = kfp_owner_register(kvm->mm, name, KFP_OWNER_KIND_KVM);
	snprintf(name, sizeof(name), "vcpu%u.map", id);
	vcpu->map_owner = kfp_owner_register(kvm->mm, name, KFP_OWNER_KIND_KVM);
	snprintf(name, sizeof(name), "vcpu%u.page", id);
	vcpu->page_owner = kfp_owner_register(kvm->mm, name, KFP_OWNER_KIND_KVM);
}

static void init_gpc(struct kvm *kvm, struct gfn_to_pfn_cache *gpc, unsigned int index)
{
	char name[KFP_OWNER_NAME_LEN];

	kfp_lock_init(&gpc->lock, KFP_LOCK_RWLOCK, KVM_LOCK_GPC_FIRST + 2 * index, "gpc->lock");
	kfp_lock_init(&gpc->refresh_lock, KFP_LOCK_MUTEX, KVM_LOCK_GPC_FIRST + 2 * index + 1,
		      "gpc->refresh_lock");
	gpc->pfn = KVM_PFN_ERR_FAULT;
	gpc->khva = KFP_PFN_NONE;
	gpc->held_page = KFP_PFN_NONE;
	gpc->uhva = KVM_HVA_ERR_BAD;
	gpc->gpa = INVALID_GPA;
	gpc->memslot = -1;
	snprintf(name, sizeof(name), "gpc%u", index);
	gpc->owner = kfp_owner_register(kvm->mm, name, KFP_OWNER_KIND_KVM);
	/* --kernel-tree: the tree's struct gfn_to_pfn_cache too */
	if (kvm->design->gpc_init)
		kvm->design->gpc_init(kvm, index);
}

/* virt/kvm/kvm_main.c kvm_create_vm(): state, locks, and the notifier subscription. */
int kvm_create_vm(struct kvm *kvm, struct kfp_mm *mm, const struct kvm_design *design,
		  unsigned int nr_vcpus, unsigned int nr_gpcs)
{
	unsigned int i;

	if (nr_vcpus > KFP_MAX_VCPUS || nr_gpcs > KFP_MAX_GPCS || !design)
		return -EINVAL;
	memset(kvm, 0, sizeof(*kvm));
	kvm->mm = mm;
	kvm->design = design;
	kvm->nr_vcpus = (u8)nr_vcpus;
	kvm->nr_gpcs = (u8)nr_gpcs;
	kvm->users_count = 1 + (long)nr_vcpus;
	kvm->mmu_invalidate_range_start = INVALID_GPA;
	kvm->mmu_invalidate_range_end = INVALID_GPA;
	kfp_lock_init(&kvm->slots_lock, KFP_LOCK_MUTEX, KVM_LOCK_SLOTS, "slots_lock");
	kfp_lock_init(&kvm->mmu_lock, KFP_LOCK_RWLOCK, KVM_LOCK_MMU, "mmu_lock");
	kfp_lock_init(&kvm->mn_invalidate_lock, KFP_LOCK_SPINLOCK, KVM_LOCK_MN_INVALIDATE,
		      "mn_invalidate_lock");
	kfp_lock_init(&kvm->gpc_lock, KFP_LOCK_MUTEX, KVM_LOCK_GPC_LIST, "gpc_lock");
	kfp_lock_init(&kvm->srcu, KFP_LOCK_RWLOCK, KVM_LOCK_SRCU, "kvm->srcu");
	for (i = 0; i < nr_vcpus; i++)
		init_vcpu(kvm, &kvm->vcpu[i], i);
	for (i = 0; i < nr_gpcs; i++)
		init_gpc(kvm, &kvm->gpc[i], i);
	return mmu_notifier_register(mm, &kvm_mmu_notifier_ops, kvm);
}

/*
 * virt/kvm/kvm_main.c kvm_destroy_vm(): unregister from the mm, whose
 * mmu_notifier_unregister() calls our release (flushing every spte) unless
 * exit_mmap() already did, and drop the memslots.  Whatever a caller still
 * holds is a leak the checker reports.
 */
void kvm_destroy_vm(struct kvm *kvm)
{
	if (kvm->dead)
		return;
	kvm_gpc_release_vcpu_caches(kvm);
	mmu_notifier_unregister(kvm->mm, kvm);
	memset(kvm->memslots, 0, sizeof(kvm->memslots));
	kvm->dead = 1;
}

/*
 * virt/kvm/kvm_main.c kvm_put_kvm(): the VM fd and every vCPU fd hold a
 * reference (kvm_dev_ioctl_create_vm(), kvm_vm_ioctl_create_vcpu()
 * kvm_get_kvm()); the VM is destroyed when the last one is dropped, so
 * closing the VM fd while a vCPU still runs only defers kvm_destroy_vm()
 * to the vCPU fd's release (kvm_vcpu_release()).
 */
void kvm_put_kvm(struct kvm *kvm)
{
	if (!kfp_atomic_add_return(KFP_OBJECT(KFP_OBJECT_CLASS_KVM_USERS, 0), &kvm->users_count, -1,
				   "kvm_put_kvm"))
		kvm_destroy_vm(kvm);
}
