// SPDX-License-Identifier: GPL-2.0
/*
 * Direct-access users of guest memory: kvm_vcpu_map() (nested
 * virtualisation structures) and __gfn_to_page() (virt/kvm/kvm_main.c,
 * 6.13+).  Neither is tied to the mmu notifier: a mapping keeps its pfn
 * when the host remaps the hva.  kvm_vcpu_map() pins (FOLL_PIN, v13 31/85)
 * so the page cannot be freed; __gfn_to_page() holds a plain reference.
 */
#include "internal.h"

/* What every kvm_vcpu_map() does once the lookup and kmap()/memremap() succeeded. */
static __attribute__((always_inline)) inline int
vcpu_map_done(struct kvm *kvm, struct kvm_vcpu *vcpu, struct kvm_host_map *map, bool pin)
{
	map->generation = page_generation(kvm->mm, map->pfn);
	map->mapped = 1;
	if ((kvm->inject & KVM_INJECT_VCPU_MAP_NO_PIN) && pin && map->pinned_page != KFP_PFN_NONE) {
		unpin_user_page(kvm->mm, map->pinned_page, vcpu->map_owner);
		map->pinned_page = KFP_PFN_NONE;
	}
	return 0;
}

/*
 * --kernel-tree: the body of the tree's kvm_vcpu_map() (6.1, 6.12) or
 * __kvm_vcpu_map() (6.13+), which chooses its memslots itself.  The
 * injection vcpu-map-address-space-0 hands it a vCPU whose own memslots
 * are address space 0's.
 */
static int tree_vcpu_map(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, unsigned int index,
			 bool writable, bool pin)
{
	struct kvm_host_map *map = &vcpu->map[index];
	unsigned int view_as = vcpu->in_smm;
	int r;

	if (kvm->inject & KVM_INJECT_VCPU_MAP_ADDRESS_SPACE_0)
		view_as = 0;
	kfp_shared_write(host_map_object(vcpu, index), "kvm_vcpu_map");
	map->pinned_page = KFP_PFN_NONE;
	map->page = KFP_PFN_NONE;
	map->gfn = gfn;
	map->writable = writable;
	map->as_id = (u8)view_as;
	r = kvm->design->vcpu_map_fn(kvm, vcpu, map, view_as);
	return r ? r : vcpu_map_done(kvm, vcpu, map, pin);
}

/*
 * virt/kvm/kvm_main.c __kvm_vcpu_map(): resolved through the vCPU's
 * memslots (kvm_vcpu_gfn_to_memslot(), "KVM: Use vCPU specific memslots in
 * __kvm_vcpu_map()", 2025).  6.13+ pins, and remapped memory gives -EINVAL
 * unless allow_unsafe_mappings, which maps it without a pin; before, the
 * lookup took a plain reference (FOLL_GET) that map->pinned_page holds,
 * or nothing for a pfn the design's lookup did not reference.
 */
static int __kvm_vcpu_map(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, unsigned int index,
			  bool writable)
{
	struct kvm_memory_slot *slot, slot_copy;
	struct kvm_host_map *map = &vcpu->map[index];
	unsigned int as_id;
	struct kvm_follow_pfn kfp = {
		.gfn = gfn,
		.flags = writable ? FOLL_WRITE : 0,
		.refcounted_page = &map->pinned_page,
		.owner = vcpu->map_owner,
	};

	if (kvm->design->vcpu_map_notifier)
		return kvm_vcpu_map_guarded(kvm, vcpu, gfn, index, writable);
	if (map->mapped)
		return -EBUSY;
	kvm_follow_pfn_policy(&kfp, &kvm->design->vcpu_map);
	/* before 6.13 kvm_vcpu_map() had no "writable": gfn_to_pfn() always wrote */
	writable = kfp.flags & FOLL_WRITE;
	if (kvm->design->vcpu_map_fn)
		return tree_vcpu_map(kvm, vcpu, gfn, index, writable, kfp.pin);
	as_id = vcpu->in_smm;
	if (kvm->design->vcpu_map_vm_memslots ||
	    (kvm->inject & KVM_INJECT_VCPU_MAP_ADDRESS_SPACE_0))
		as_id = 0;
	slot = __gfn_to_memslot(kvm, as_id, gfn);
	if (slot) {
		slot_copy = *slot;
		kfp.slot = &slot_copy;
	}
	kfp_shared_write(host_map_object(vcpu, index), "kvm_vcpu_map");
	map->pinned_page = KFP_PFN_NONE;
	map->page = KFP_PFN_NONE;
	map->gfn = gfn;
	map->writable = writable;
	map->as_id = (u8)as_id;
	map->pfn = kvm_follow_pfn(kvm, &kfp);
	map->is_refcounted_page = kfp.is_refcounted_page;
	map->remapped = kfp.remapped;
	if (is_error_noslot_pfn(map->pfn))
		return -EINVAL;
	/* kmap() a page, memremap() anything else: neither fails in the model */
	if (pfn_valid(kvm->mm, map->pfn))
		map->page = map->pfn;
	map->uhva = kfp.hva;
	return vcpu_map_done(kvm, vcpu, map, kfp.pin);
}

/* Callers run in vCPU context, inside kvm->srcu. */
int kvm_vcpu_map(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, unsigned int index,
		 bool writable)
{
	int ret;

	if (index >= KFP_MAX_HOST_MAPS)
		return -EBUSY;
	kvm_srcu_read_lock(kvm);
	ret = __kvm_vcpu_map(kvm, vcpu, gfn, index, writable);
	kvm_srcu_read_unlock(kvm);
	return ret;
}

/* virt/kvm/kvm_main.c kvm_vcpu_unmap(): 6.13+ unpins what was pinned, nothing else. */
void kvm_vcpu_unmap(struct kvm *kvm, struct kvm_vcpu *vcpu, unsigned int index)
{
	struct kvm_host_map *map = &vcpu->map[index];

	if (index >= KFP_MAX_HOST_MAPS || !map->mapped)
		return;
	if (kvm->design->vcpu_map_notifier) {
		kvm_vcpu_unmap_guarded(kvm, vcpu, index);
		return;
	}
	kfp_shared_write(host_map_object(vcpu, index), "kvm_vcpu_unmap");
	if (kvm->design->vcpu_unmap_fn) {
		/* the tree's kvm_vcpu_unmap(): its kvm_vcpu_mark_page_dirty() checks the view */
		kvm->design->vcpu_unmap_fn(kvm, vcpu, map);
		goto out;
	}
	/* kvm_vcpu_mark_page_dirty() looks the gfn up in the vCPU's memslots */
	if (map->writable && map->as_id != vcpu->in_smm)
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_MEMSLOT_VIEW, map->pfn,
			   vcpu->map_owner, (s64)map->gfn, "kvm_vcpu_unmap");
	if (!kvm->design->vcpu_map.pin) {
		/* before 6.13: kvm_release_pfn(map->pfn, dirty), or v9's refcounted-only release */
		kvm_release_lookup(kvm, &kvm->design->vcpu_map, map->pfn, map->pinned_page,
				   map->is_refcounted_page, false, map->writable, vcpu->map_owner);
	} else if (map->pinned_page != KFP_PFN_NONE) {
		if (map->writable && !PageReserved(kvm->mm, map->pinned_page))
			SetPageDirty(kvm->mm, map->pinned_page);
		if (!PageReserved(kvm->mm, map->pinned_page))
			mark_page_accessed(kvm->mm, map->pinned_page);
		unpin_user_page(kvm->mm, map->pinned_page, vcpu->map_owner);
	}
out:
	map->mapped = 0;
	map->pinned_page = KFP_PFN_NONE;
	map->page = KFP_PFN_NONE;
}

/*
 * One access through a kernel mapping: the check and the load or store are
 * one step whose footprint is the mapping, the page and what the checker
 * reads (kvm_access_step()), as a CPU access is.
 */
static void access_through(struct kvm *kvm, u32 object, const struct kvm_access *access, bool write,
			   u64 *value)
{
	kvm_access_step(kvm, object, access->pfn, write, access->hva, access->as_id,
			"access through mapping");
	kvm_report_access(kvm, access);
	if (write)
		kvm->mm->page[access->pfn].content = *value;
	else
		*value = kvm->mm->page[access->pfn].content;
}

/* KVM reads or writes through the kernel mapping (e.g. a vmcs12 field). */
enum kvm_outcome kvm_vcpu_map_access(struct kvm *kvm, struct kvm_vcpu *vcpu, unsigned int index,
				     bool write, u64 *value)
{
	struct kvm_host_map *map = &vcpu->map[index];
	struct kvm_access access;

	/* the vCPU's own mapping: only its thread changes it, no step needed to look */
	if (index >= KFP_MAX_HOST_MAPS || !map->mapped || (write && !map->writable))
		return KVM_OUTCOME_EINVAL;
	if (kvm->design->vcpu_map_notifier)
		return kvm_vcpu_map_guarded_access(kvm, vcpu, index, write, value);
	access = (struct kvm_access){
		.via = KVM_ACCESS_HOST_MAP,
		.write = write,
		.vcpu = (s8)vcpu->id,
		.owner = vcpu->map_owner,
		.generation = map->generation,
		.pfn = map->pfn,
		.hva = map->uhva,
		.gfn = map->gfn,
		.as_id = map->as_id,
		.remapped = map->remapped,
	};
	access_through(kvm, host_map_object(vcpu, index), &access, write, value);
	return KVM_OUTCOME_OK;
}

/*
 * virt/kvm/kvm_main.c __gfn_to_page() (6.13+): the page with a reference,
 * or NULL on error and for every remapped pfn (no reference is ever taken
 * there).  Before 6.13, gfn_to_page() took gfn_to_pfn()'s pfn and returned
 * KVM_ERR_PTR_BAD_PAGE unless the pfn heuristic found a page.
 */
kfp_pfn_t __gfn_to_page(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, bool write)
{
	kfp_pfn_t refcounted_page = KFP_PFN_NONE;
	struct kvm_memory_slot *slot = __gfn_to_memslot(kvm, 0, gfn), slot_copy;
	struct kvm_follow_pfn kfp = {
		.slot = slot ? &slot_copy : NULL,
		.gfn = gfn,
		.flags = write ? FOLL_WRITE : 0,
		.refcounted_page = &refcounted_page,
		.owner = vcpu->page_owner,
	};

	kfp_pfn_t pfn;

	if (slot)
		slot_copy = *slot;
	kvm_follow_pfn_policy(&kfp, &kvm->design->gfn_to_page);
	pfn = kvm_follow_pfn(kvm, &kfp);
	vcpu->page_uhva = kfp.hva;
	vcpu->page_gfn = gfn;
	if (!kvm->design->gfn_to_page_by_pfn)
		return refcounted_page;
	if (is_error_noslot_pfn(pfn) || !kvm->design->pfn_is_refcounted(kvm, pfn))
		return KFP_PFN_NONE;
	return pfn;
}

/* gfn_to_page() for a vCPU: 0, -EFAULT (no page), -EBUSY (one already held). */
int kvm_gfn_to_page(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, bool write)
{
	kfp_pfn_t page;

	if (kvm->design->gfn_to_page_notifier)
		return kvm_gfn_to_page_guarded(kvm, vcpu, gfn, write);
	if (vcpu->page != KFP_PFN_NONE)
		return -EBUSY;
	kvm_srcu_read_lock(kvm);
	page = __gfn_to_page(kvm, vcpu, gfn, write);
	kvm_srcu_read_unlock(kvm);
	if (page == KFP_PFN_NONE)
		return -EFAULT;
	vcpu->page = page;
	vcpu->page_generation = page_generation(kvm->mm, page);
	return 0;
}

enum kvm_outcome kvm_page_access(struct kvm *kvm, struct kvm_vcpu *vcpu, bool write, u64 *value)
{
	struct kvm_access access = {
		.via = KVM_ACCESS_PAGE,
		.write = write,
		.vcpu = (s8)vcpu->id,
		.owner = vcpu->page_owner,
		.generation = vcpu->page_generation,
		.pfn = vcpu->page,
		.hva = vcpu->page_uhva,
		.gfn = vcpu->page_gfn,
	};

	if (kvm->design->gfn_to_page_notifier)
		return kvm_page_access_guarded(kvm, vcpu, write, value);
	if (vcpu->page == KFP_PFN_NONE)
		return KVM_OUTCOME_EINVAL;
	access_through(kvm, gfn_page_object(vcpu), &access, write, value);
	return KVM_OUTCOME_OK;
}

/* kvm_release_page_clean/dirty() of the page __gfn_to_page() returned. */
void kvm_gfn_to_page_release(struct kvm *kvm, struct kvm_vcpu *vcpu, bool dirty)
{
	if (kvm->design->gfn_to_page_notifier) {
		kvm_gfn_to_page_release_guarded(kvm, vcpu, dirty);
		return;
	}
	if (dirty)
		kvm_release_page_dirty(kvm, vcpu->page, vcpu->page_owner);
	else
		kvm_release_page_clean(kvm, vcpu->page, vcpu->page_owner);
	vcpu->page = KFP_PFN_NONE;
}
