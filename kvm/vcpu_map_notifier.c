// SPDX-License-Identifier: GPL-2.0
/*
 * The proposal's kvm_vcpu_map(): a mapping that the mmu notifier
 * invalidates, as a gfn->pfn cache (virt/kvm/pfncache.c) is.
 *
 * Upstream (6.13+) __kvm_vcpu_map() pins the page and keeps the pfn until
 * kvm_vcpu_unmap(), whatever the host does to the hva meanwhile: the pin
 * keeps the page from being freed (P2), not from being replaced (P3).
 * Here the mapping is put on the list gfn_to_pfn_cache_invalidate_start()
 * walks, an invalidation of its hva marks it invalid under map->lock, and
 * every access takes map->lock for read, checks validity and the memslots
 * generation (kvm_gpc_check()), and looks the pfn up again when either
 * fails (hva_to_pfn_retry(): retried until no invalidation overlapped the
 * lookup).  The load or store runs under the read lock, which the
 * invalidation's write lock waits for: no access follows the start of an
 * invalidation of its page.  The mapping holds no reference or pin (the
 * lookup's reference is dropped once it is published, as the gpc drops
 * it); why none is needed is in kvm/design/proposal.c.
 *
 * Every function cites the upstream function whose protocol it follows.
 */
#include "internal.h"

static struct kvm_host_map *host_map(struct kvm_vcpu *vcpu, unsigned int index)
{
	return &vcpu->map[index];
}

static void map_mark(struct kvm_vcpu *vcpu, unsigned int index, const char *what)
{
	kfp_shared_write(host_map_object(vcpu, index), what);
}

/*
 * virt/kvm/pfncache.c kvm_gpc_check(), map->lock held: valid, and the
 * memslots are those the uhva was taken from.  One step that reads the
 * mapping and the memslots of its address space.
 */
static bool map_check(struct kvm *kvm, struct kvm_vcpu *vcpu, unsigned int index)
{
	struct kvm_host_map *map = host_map(vcpu, index);
	struct kfp_footprint fp = { 0 };

	kfp_lockdep_assert_held(&map->lock);
	kfp_footprint_add(&fp, host_map_object(vcpu, index), KFP_ACCESS_READ);
	kfp_footprint_add(&fp, memslots_object(map->as_id), KFP_ACCESS_READ);
	kfp_shared_access_footprint(&fp, "map check");
	kvm->stats.nr_revalidations++;
	return map->valid && map->slots_generation == kvm->memslots[map->as_id].generation;
}

/*
 * virt/kvm/pfncache.c hva_to_pfn_retry(), for a mapping: map->lock held
 * for write on entry and exit, dropped around the lookup, and the lookup
 * repeated until no invalidation ran in between.  The slot is looked up
 * again each time (__kvm_gpc_refresh() re-keys on a memslots generation
 * change).  Inside kvm->srcu.  0, or -EINVAL (no pfn: __kvm_vcpu_map()'s
 * error) with the mapping invalid.
 */
static int map_refresh(struct kvm *kvm, struct kvm_vcpu *vcpu, unsigned int index)
{
	struct kvm_host_map *map = host_map(vcpu, index);
	const struct kvm_caller_policy *policy = &kvm->design->vcpu_map;
	kfp_pfn_t page = KFP_PFN_NONE, pfn = KVM_PFN_ERR_FAULT;
	struct kvm_memory_slot *slot, slot_copy;
	struct kvm_follow_pfn kfp = {
		.gfn = map->gfn,
		.flags = map->writable ? FOLL_WRITE : 0,
		.refcounted_page = &page,
		.owner = vcpu->map_owner,
	};
	unsigned int loops = 0;
	bool busy = false;
	u64 slots_generation;
	u32 generation;
	long mmu_seq;

	kfp_lockdep_assert_held_write(&map->lock);
	kvm_follow_pfn_policy(&kfp, policy);
	map_mark(vcpu, index, "map refresh");
	map->valid = 0;
	do {
		kfp_shared_read(seq_object(), "mmu_invalidate_seq");
		mmu_seq = kvm->mmu_invalidate_seq;
		kfp_write_unlock(&map->lock);
		if (pfn != KVM_PFN_ERR_FAULT) {
			/* the previous iteration lost a race: drop what it got */
			kvm_release_lookup(kvm, policy, pfn, page, kfp.is_refcounted_page, true,
					   false, vcpu->map_owner);
			page = KFP_PFN_NONE;
			kfp_shared_read(mn_count_object(), "mn_active_invalidate_count");
			if (busy && kvm->mn_active_invalidate_count &&
			    !kfp_wait_for_change(mn_count_object(), "invalidation"))
				goto out_error;
		}
		slot = __gfn_to_memslot(kvm, map->as_id, map->gfn);
		slots_generation = kvm->memslots[map->as_id].generation;
		if (slot)
			slot_copy = *slot;
		kfp.slot = slot ? &slot_copy : NULL;
		kfp.is_refcounted_page = false;
		pfn = kvm_follow_pfn(kvm, &kfp);
		if (is_error_noslot_pfn(pfn))
			goto out_error;
		kfp_write_lock(&map->lock);
		if (++loops > 64) {
			kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_MODEL_BUG, pfn,
				   vcpu->map_owner, loops, "map refresh never completes");
			kvm_release_lookup(kvm, policy, pfn, page, kfp.is_refcounted_page, true,
					   false, vcpu->map_owner);
			return -EINVAL;
		}
	} while (mmu_notifier_retry_cache(kvm, mmu_seq, &busy));

	if (kvm_mm_released(kvm)) {
		kvm_release_lookup(kvm, policy, pfn, page, kfp.is_refcounted_page, true, false,
				   vcpu->map_owner);
		return -EINVAL;
	}
	generation = page_generation(kvm->mm, pfn);
	map_mark(vcpu, index, "map valid");
	map->valid = 1;
	map->pfn = pfn;
	map->page = pfn_valid(kvm->mm, pfn) ? pfn : KFP_PFN_NONE;
	map->uhva = kfp.hva;
	map->generation = generation;
	map->slots_generation = slots_generation;
	map->is_refcounted_page = kfp.is_refcounted_page;
	map->remapped = kfp.remapped;
	kvm->stats.nr_refreshes++;
	/* from here the mapping holds nothing: invalidation protects it */
	kvm_release_lookup(kvm, policy, pfn, page, kfp.is_refcounted_page, false, false,
			   vcpu->map_owner);
	return 0;

out_error:
	kfp_write_lock(&map->lock);
	return -EINVAL;
}

static void map_list(struct kvm *kvm, struct kvm_vcpu *vcpu, unsigned int index, bool listed)
{
	kfp_write_lock(&kvm->gpc_lock);
	map_mark(vcpu, index, listed ? "map list_add" : "map list_del");
	host_map(vcpu, index)->listed = listed;
	kfp_write_unlock(&kvm->gpc_lock);
}

/*
 * __kvm_vcpu_map() as __kvm_gpc_activate(): listed before it is made
 * valid, so that no lookup can set up a mapping invalidation cannot
 * reach.  Inside kvm->srcu.
 */
int kvm_vcpu_map_guarded(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, unsigned int index,
			 bool writable)
{
	struct kvm_host_map *map = host_map(vcpu, index);
	int ret;

	if (map->mapped)
		return -EBUSY;
	map_list(kvm, vcpu, index, true);
	kfp_write_lock(&map->lock);
	map_mark(vcpu, index, "kvm_vcpu_map");
	map->pinned_page = KFP_PFN_NONE;
	map->page = KFP_PFN_NONE;
	map->gfn = gfn;
	map->writable = writable;
	map->as_id = (u8)((kvm->inject & KVM_INJECT_VCPU_MAP_ADDRESS_SPACE_0) ? 0 : vcpu->in_smm);
	ret = map_refresh(kvm, vcpu, index);
	if (!ret)
		map->mapped = 1;
	kfp_write_unlock(&map->lock);
	if (ret)
		map_list(kvm, vcpu, index, false);
	return ret;
}

/*
 * kvm_vcpu_unmap(): nothing is held, so nothing is released; the mapping
 * leaves the invalidation list (kvm_gpc_deactivate()).  The page's dirty
 * bit was set by each write, under the lock (kvm_gpc_mark_dirty_in_slot()
 * marks the gfn at the write, not at unmap).
 */
void kvm_vcpu_unmap_guarded(struct kvm *kvm, struct kvm_vcpu *vcpu, unsigned int index)
{
	struct kvm_host_map *map = host_map(vcpu, index);

	kfp_write_lock(&map->lock);
	map_mark(vcpu, index, "kvm_vcpu_unmap");
	if (map->writable && map->as_id != vcpu->in_smm)
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_MEMSLOT_VIEW, map->pfn,
			   vcpu->map_owner, (s64)map->gfn, "kvm_vcpu_unmap");
	map->mapped = 0;
	map->valid = 0;
	map->page = KFP_PFN_NONE;
	kfp_write_unlock(&map->lock);
	map_list(kvm, vcpu, index, false);
}

/*
 * An access through the mapping, as kvm_gpc_access() does one: check under
 * the read lock, refresh under the write lock when stale, and load or
 * store while holding the read lock.  A refresh that finds no pfn (the
 * hva unmapped, the memslot gone) is -EFAULT to the caller, as a failed
 * kvm_gpc_refresh() is.
 */
enum kvm_outcome kvm_vcpu_map_guarded_access(struct kvm *kvm, struct kvm_vcpu *vcpu,
					     unsigned int index, bool write, u64 *value)
{
	struct kvm_host_map *map = host_map(vcpu, index);
	struct kvm_access access;
	int ret;

	kfp_read_lock(&map->lock);
	kvm->stats.nr_access_locks++;
	while (!map_check(kvm, vcpu, index)) {
		kfp_read_unlock(&map->lock);
		kvm_srcu_read_lock(kvm);
		kfp_write_lock(&map->lock);
		kvm->stats.nr_access_locks++;
		ret = map_refresh(kvm, vcpu, index);
		kfp_write_unlock(&map->lock);
		kvm_srcu_read_unlock(kvm);
		if (ret)
			return KVM_OUTCOME_EFAULT;
		kfp_read_lock(&map->lock);
		kvm->stats.nr_access_locks++;
	}
	access = (struct kvm_access){
		.via = KVM_ACCESS_HOST_MAP,
		.write = write,
		.notifier_protected = 1,
		.vcpu = (s8)vcpu->id,
		.owner = vcpu->map_owner,
		.generation = map->generation,
		.pfn = map->pfn,
		.hva = map->uhva,
		.gfn = map->gfn,
		.as_id = map->as_id,
		.remapped = map->remapped,
	};
	kvm_access_step(kvm, host_map_object(vcpu, index), access.pfn, write, access.hva,
			access.as_id, "access through mapping");
	kvm_report_access(kvm, &access);
	if (write) {
		kvm->mm->page[access.pfn].content = *value;
		if (!PageReserved(kvm->mm, access.pfn))
			SetPageDirty(kvm->mm, access.pfn);
	} else {
		*value = kvm->mm->page[access.pfn].content;
	}
	kfp_read_unlock(&map->lock);
	return KVM_OUTCOME_OK;
}

/* What an invalidation covers: an hva range, or a memslot's gfns in one address space. */
struct map_range {
	bool by_gfn;
	unsigned int as_id;
	u64 start, end;
};

static bool map_in_range(const struct kvm_host_map *map, const struct map_range *range)
{
	if (!map->valid)
		return false;
	if (range->by_gfn)
		return map->as_id == range->as_id && map->gfn >= range->start &&
		       map->gfn < range->end;
	return map->uhva >= range->start && map->uhva < range->end;
}

/*
 * virt/kvm/pfncache.c gfn_to_pfn_cache_invalidate_start()'s walk, for the
 * mappings (kvm->gpc_lock held): every valid mapping in @range becomes
 * invalid under its write lock, which waits for the access in progress.
 */
static void invalidate_maps(struct kvm *kvm, const struct map_range *range)
{
	unsigned int v, i;

	kfp_lockdep_assert_held_write(&kvm->gpc_lock);
	for (v = 0; v < kvm->nr_vcpus; v++) {
		struct kvm_vcpu *vcpu = &kvm->vcpu[v];

		for (i = 0; i < KFP_MAX_HOST_MAPS; i++) {
			struct kvm_host_map *map = host_map(vcpu, i);
			bool hit;

			if (!map->listed)
				continue;
			kfp_read_lock(&map->lock);
			kfp_shared_read(host_map_object(vcpu, i), "map invalidate check");
			hit = map_in_range(map, range);
			kfp_read_unlock(&map->lock);
			if (!hit)
				continue;
			kfp_write_lock(&map->lock);
			if (map_in_range(map, range)) {
				map_mark(vcpu, i, "map invalidate");
				map->valid = 0;
				kvm->stats.nr_marked_invalid++;
			}
			kfp_write_unlock(&map->lock);
		}
	}
}

/* From gfn_to_pfn_cache_invalidate_start(): the mappings of hvas in [start, end). */
void kvm_vcpu_maps_invalidate_start(struct kvm *kvm, u64 start, u64 end)
{
	struct map_range range = { .start = start, .end = end };

	invalidate_maps(kvm, &range);
}

/*
 * The proposal's addition to kvm_set_memslot(): when a slot is deleted or
 * moved, its mappings are invalidated where its sptes are zapped
 * (kvm_arch_flush_shadow_memslot(), after the slot is published
 * KVM_MEMSLOT_INVALID), so no access runs through the old gfn->hva
 * translation once the slot is gone.  Upstream's gpc re-keys on the next
 * kvm_gpc_check() instead, which leaves an access already past its check
 * to run through the old slot.
 */
void kvm_vcpu_maps_invalidate_memslot(struct kvm *kvm, unsigned int as_id, gfn_t start, gfn_t end)
{
	struct map_range range = { .by_gfn = true, .as_id = as_id, .start = start, .end = end };

	kfp_write_lock(&kvm->gpc_lock);
	invalidate_maps(kvm, &range);
	kfp_write_unlock(&kvm->gpc_lock);
}
