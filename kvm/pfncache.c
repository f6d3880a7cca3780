// SPDX-License-Identifier: GPL-2.0
/*
 * gfn -> pfn caches (virt/kvm/pfncache.c; Kingxukai/linux @0291023e, ~6.15).
 *
 * A cache keeps a kernel mapping of one guest page and holds no reference:
 * invalidate_range_start clears `valid` (before mmu_lock is taken, which
 * is why the refresh loop watches mn_active_invalidate_count, not
 * mmu_invalidate_in_progress), and users check `valid` under gpc->lock
 * around every access.
 */
#include "internal.h"

static void gpc_mark(unsigned int index, const char *what)
{
	kfp_shared_write(gpc_object(index), what);
}

/*
 * virt/kvm/pfncache.c gfn_to_pfn_cache_invalidate_start(): any valid cache
 * whose uhva is in [start, end) becomes invalid, under its write lock.
 */
void gfn_to_pfn_cache_invalidate_start(struct kvm *kvm, u64 start, u64 end)
{
	unsigned int i;

	/* --kernel-tree: the tree's own walk (tree/gpc.c) */
	if (kvm->design->gpc_invalidate_start) {
		kvm->design->gpc_invalidate_start(kvm, start, end);
		return;
	}
	kfp_write_lock(&kvm->gpc_lock);
	for (i = 0; i < kvm->nr_gpcs; i++) {
		struct gfn_to_pfn_cache *gpc = &kvm->gpc[i];
		bool hit;

		if (!gpc->listed)
			continue;
		kfp_read_lock(&gpc->lock);
		kfp_shared_read(gpc_object(i), "gpc invalidate check");
		hit = gpc->valid && !is_error_noslot_pfn(gpc->pfn) && gpc->uhva >= start &&
		      gpc->uhva < end;
		kfp_read_unlock(&gpc->lock);
		if (!hit)
			continue;
		kfp_write_lock(&gpc->lock);
		if (gpc->valid && !is_error_noslot_pfn(gpc->pfn) && gpc->uhva >= start &&
		    gpc->uhva < end) {
			gpc_mark(i, "gpc invalidate");
			gpc->valid = 0;
			kvm->stats.nr_marked_invalid++;
		}
		kfp_write_unlock(&gpc->lock);
	}
	/* the proposal: kvm_vcpu_map() mappings are on the same list */
	if (kvm->design->vcpu_map_notifier)
		kvm_vcpu_maps_invalidate_start(kvm, start, end);
	kfp_write_unlock(&kvm->gpc_lock);
}

/* virt/kvm/pfncache.c mmu_notifier_retry_cache() */
bool mmu_notifier_retry_cache(struct kvm *kvm, long mmu_seq, bool *busy)
{
	kfp_shared_read(mn_count_object(), "mn_active_invalidate_count");
	*busy = kvm->mn_active_invalidate_count != 0;
	if (*busy)
		return true;
	kfp_shared_read(seq_object(), "mmu_invalidate_seq");
	return kvm->mmu_invalidate_seq != mmu_seq;
}

/*
 * virt/kvm/pfncache.c hva_to_pfn_retry(): refresh_lock held, gpc->lock
 * held for write on entry and exit.  Look the pfn up with the lock
 * dropped, and loop until no invalidation ran in between.
 */
static int hva_to_pfn_retry(struct kvm *kvm, unsigned int index)
{
	struct gfn_to_pfn_cache *gpc = &kvm->gpc[index];
	kfp_pfn_t page = KFP_PFN_NONE, new_pfn = KVM_PFN_ERR_FAULT, new_khva = KFP_PFN_NONE;
	kfp_pfn_t old_khva = gpc->khva;
	u32 generation;
	struct kvm_follow_pfn kfp = {
		.slot = gpc->memslot >= 0 ? &kvm->memslots[0].slot[gpc->memslot] : NULL,
		.gfn = gpc->gpa >> PAGE_SHIFT,
		.flags = FOLL_WRITE,
		.hva = gpc->uhva & PAGE_MASK,
		.refcounted_page = &page,
		.owner = gpc->owner,
	};
	const struct kvm_caller_policy *policy = &kvm->design->gpc;
	bool busy = false;
	unsigned int loops = 0;
	long mmu_seq;

	if (!(kvm->inject & KVM_INJECT_GPC_NO_REFRESH_LOCK))
		kfp_lockdep_assert_held(&gpc->refresh_lock);
	kfp_lockdep_assert_held_write(&gpc->lock);
	kvm_follow_pfn_policy(&kfp, policy);
	gpc_mark(index, "gpc refresh");
	gpc->valid = 0;
	do {
		kfp_shared_read(seq_object(), "mmu_invalidate_seq");
		mmu_seq = kvm->mmu_invalidate_seq;
		kfp_write_unlock(&gpc->lock);
		if (new_pfn != KVM_PFN_ERR_FAULT) {
			/* the previous iteration lost a race: drop what it got */
			kvm_release_lookup(kvm, policy, new_pfn, page, kfp.is_refcounted_page, true,
					   false, gpc->owner);
			page = KFP_PFN_NONE;
			/* the loop would spin until the invalidation ends: wait for that */
			kfp_shared_read(mn_count_object(), "mn_active_invalidate_count");
			if (busy && kvm->mn_active_invalidate_count &&
			    !kfp_wait_for_change(mn_count_object(), "invalidation"))
				goto out_error;
		}
		kfp.is_refcounted_page = false;
		new_pfn = hva_to_pfn(kvm, &kfp);
		if (is_error_noslot_pfn(new_pfn))
			goto out_error;
		/* kmap() or memremap(): reuse the old mapping for the same pfn */
		new_khva = new_pfn == gpc->pfn ? old_khva : new_pfn;
		kfp_write_lock(&gpc->lock);
		/* WARN_ON_ONCE(gpc->valid) upstream: another refresh ran meanwhile */
		if (gpc->valid)
			kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_UNBALANCED, new_pfn,
				   gpc->owner, 0, "gpc valid during refresh");
		if (kvm->inject & KVM_INJECT_GPC_NO_RETRY)
			break;
		if (++loops > 64) {
			kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_MODEL_BUG, new_pfn,
				   gpc->owner, loops, "gpc refresh never completes");
			kvm_release_lookup(kvm, policy, new_pfn, page, kfp.is_refcounted_page, true,
					   false, gpc->owner);
			return -EFAULT;
		}
	} while (mmu_notifier_retry_cache(kvm, mmu_seq, &busy));

	if (kvm_mm_released(kvm)) {
		kvm_release_lookup(kvm, policy, new_pfn, page, kfp.is_refcounted_page, true, false,
				   gpc->owner);
		return -EFAULT;
	}
	/* read before the cache is published valid: no user may see it without */
	generation = page_generation(kvm->mm, new_pfn);
	gpc_mark(index, "gpc valid");
	gpc->valid = 1;
	gpc->pfn = new_pfn;
	gpc->khva = new_khva;
	gpc->generation_of_page = generation;
	kvm->stats.nr_refreshes++;
	if (kvm->inject & (KVM_INJECT_GPC_DOUBLE_PUT | KVM_INJECT_GPC_REUSE_LEAK)) {
		/*
		 * 982ed0de4753 (5.17): the cache keeps its reference and puts the
		 * old one; gpc-reuse-leak keeps both when the pfn is the same
		 * ("KVM: Put the extra pfn reference when reusing a pfn in the
		 * gpc cache", 2022).
		 */
		if (gpc->held_page != KFP_PFN_NONE &&
		    !((kvm->inject & KVM_INJECT_GPC_REUSE_LEAK) && gpc->held_page == page))
			put_page(kvm->mm, gpc->held_page, gpc->owner);
		gpc->held_page = page;
		return 0;
	}
	/* from here the cache holds nothing: invalidation protects it */
	kvm_release_lookup(kvm, policy, new_pfn, page, kfp.is_refcounted_page, false, false,
			   gpc->owner);
	return 0;

out_error:
	kfp_write_lock(&gpc->lock);
	return -EFAULT;
}

/*
 * Upstream takes one memslots snapshot (kvm_memslots()) and reads both
 * the generation and the gfn's slot from it.  The model's memslots change
 * in place, so the key is one step that writes the cache and reads the
 * memslots, and the slot is looked up inside it.
 */
static void gpc_key_step(unsigned int index)
{
	struct kfp_footprint fp = { 0 };

	kfp_footprint_add(&fp, gpc_object(index), KFP_ACCESS_WRITE);
	kfp_footprint_add(&fp, memslots_object(0), KFP_ACCESS_READ);
	kfp_shared_access_footprint(&fp, "gpc key");
}

/* __gfn_to_memslot() within a step that already names the memslots. */
static struct kvm_memory_slot *memslot_in_step(struct kvm *kvm, gfn_t gfn)
{
	struct kvm_memslots *slots = &kvm->memslots[0];
	unsigned int i;

	for (i = 0; i < KFP_MAX_MEMSLOTS; i++) {
		struct kvm_memory_slot *slot = &slots->slot[i];

		if (slot->in_use && gfn >= slot->base_gfn && gfn < slot->base_gfn + slot->npages)
			return slot;
	}
	return NULL;
}

/*
 * The <= 5.15 cache's release: virt/kvm/kvm_main.c (v5.10) kvm_release_pfn(
 * cache->pfn, cache->dirty, cache) puts the pfn by the design's heuristic and
 * forgets it.  cache->dirty is not modelled: the release is clean.
 */
static void kvm_release_cached_pfn(struct kvm *kvm, struct gfn_to_pfn_cache *gpc)
{
	if (gpc->held_page == KFP_PFN_NONE)
		return;
	kvm_release_lookup(kvm, &kvm->design->gpc, gpc->held_page, KFP_PFN_NONE, false, false,
			   false, gpc->owner);
	gpc->held_page = KFP_PFN_NONE;
}

/*
 * virt/kvm/kvm_main.c (v5.10) kvm_cache_gfn_to_pfn(), as __kvm_map_gfn()
 * calls it when the key (gfn, memslots generation) changed: release the old
 * pfn, look the new one up with gfn_to_pfn_memslot() (a write lookup that
 * keeps its reference), and cache it.  No mmu_invalidate_seq, no retry: no
 * invalidation ever reaches this cache.  gpc->lock stands in for the vCPU
 * owning its cache and is dropped around the lookup, as GUP may sleep.
 */
static int kvm_cache_gfn_to_pfn(struct kvm *kvm, unsigned int index)
{
	struct gfn_to_pfn_cache *gpc = &kvm->gpc[index];
	kfp_pfn_t page = KFP_PFN_NONE, pfn;
	u32 generation;
	struct kvm_follow_pfn kfp = {
		.slot = gpc->memslot >= 0 ? &kvm->memslots[0].slot[gpc->memslot] : NULL,
		.gfn = gpc->gpa >> PAGE_SHIFT,
		.flags = FOLL_WRITE,
		.hva = gpc->uhva & PAGE_MASK,
		.refcounted_page = &page,
		.owner = gpc->owner,
	};

	kfp_lockdep_assert_held_write(&gpc->lock);
	kvm_follow_pfn_policy(&kfp, &kvm->design->gpc);
	gpc_mark(index, "kvm_cache_gfn_to_pfn");
	gpc->valid = 0;
	kvm_release_cached_pfn(kvm, gpc);
	kfp_write_unlock(&gpc->lock);
	pfn = hva_to_pfn(kvm, &kfp);
	kfp_write_lock(&gpc->lock);
	if (is_error_noslot_pfn(pfn))
		return -EFAULT;
	/* read before the cache is published valid: no user may see it without */
	generation = page_generation(kvm->mm, pfn);
	gpc_mark(index, "cache->pfn");
	gpc->valid = 1;
	gpc->pfn = pfn;
	gpc->khva = pfn;
	gpc->generation_of_page = generation;
	gpc->held_page = pfn;
	return 0;
}

/* virt/kvm/pfncache.c __kvm_gpc_refresh() for a gpa-based cache (address space 0). */
static int __kvm_gpc_refresh(struct kvm *kvm, unsigned int index, gpa_t gpa)
{
	struct gfn_to_pfn_cache *gpc = &kvm->gpc[index];
	struct kvm_memslots *slots = &kvm->memslots[0];
	bool rekeyed = false;
	u64 old_uhva;
	int ret = 0;

	kfp_write_lock(&gpc->lock);
	if (!gpc->active) {
		ret = -EINVAL;
		goto out_unlock;
	}
	old_uhva = gpc->uhva & PAGE_MASK;
	gpc->requested_gpa = gpa; /* model: what the caller asked for */
	kfp_shared_read(memslots_object(0), "memslots generation");
	/* 7e2175ebd695 keyed the steal-time cache on the generation alone (901d3765fa80) */
	if ((gpc->gpa != gpa && !(kvm->inject & KVM_INJECT_GPC_KEY_NO_GPA)) ||
	    gpc->generation != slots->generation || kvm_is_error_hva(gpc->uhva)) {
		gfn_t gfn = gpa >> PAGE_SHIFT;
		struct kvm_memory_slot *slot;

		gpc_key_step(index);
		slot = memslot_in_step(kvm, gfn);
		rekeyed = true;
		gpc->gpa = gpa;
		gpc->generation = slots->generation;
		gpc->memslot = slot ? (s8)slot->id : -1;
		/*
		 * gfn_to_hva_memslot() asks for a writable hva (gfn_to_hva_many()
		 * passes write = true): a KVM_MEM_READONLY slot gives
		 * KVM_HVA_ERR_RO_BAD, so the cache is never set up on it.
		 */
		gpc->uhva = __gfn_to_hva_many(slot, gfn, true);
		if (!kvm_is_error_hva(gpc->uhva))
			gpc->uhva += gpa & ~PAGE_MASK;
		if (kvm_is_error_hva(gpc->uhva)) {
			ret = -EFAULT;
			goto out;
		}
	}
	/* __kvm_map_gfn() (v5.10) looked up again whenever the key changed */
	if (kvm->design->gpc_map_gfn && (rekeyed || !gpc->valid))
		ret = kvm_cache_gfn_to_pfn(kvm, index);
	else if (!kvm->design->gpc_map_gfn && (!gpc->valid || old_uhva != (gpc->uhva & PAGE_MASK)))
		ret = hva_to_pfn_retry(kvm, index);
out:
	/* kvm_cache_gfn_to_pfn() released the old pfn before its lookup failed */
	if (ret && kvm->design->gpc_map_gfn)
		kvm_release_cached_pfn(kvm, gpc);
	/*
	 * 5.17's __release_gpc() on the error path put the reference but left
	 * the pfn in place for the next release to put again (fixed by
	 * 79593c086eb9 "KVM: avoid double put_page with gfn-to-pfn cache").
	 */
	if (ret && (kvm->inject & KVM_INJECT_GPC_DOUBLE_PUT) && gpc->held_page != KFP_PFN_NONE)
		put_page(kvm->mm, gpc->held_page, gpc->owner);
	if (ret) {
		gpc_mark(index, "gpc error");
		gpc->valid = 0;
		gpc->pfn = KVM_PFN_ERR_FAULT;
		gpc->khva = KFP_PFN_NONE;
	}
out_unlock:
	kfp_write_unlock(&gpc->lock);
	return ret;
}

static bool gpc_length_ok(gpa_t gpa, unsigned long len)
{
	return (gpa & ~PAGE_MASK) + len <= PAGE_SIZE;
}

/*
 * "KVM: Fully serialize gfn=>pfn cache refresh via mutex" (2022) added
 * refresh_lock; gpc-no-refresh-lock renders the 5.17 gpc before it.  The
 * <= 5.15 cache had no lock: it belonged to one vCPU (vcpu->arch.st.cache),
 * which refresh_lock stands for, so that injection does not apply to it.
 */
static bool refresh_unserialised(const struct kvm *kvm)
{
	return (kvm->inject & KVM_INJECT_GPC_NO_REFRESH_LOCK) && !kvm->design->gpc_map_gfn;
}

static void refresh_lock(struct kvm *kvm, struct gfn_to_pfn_cache *gpc)
{
	if (!refresh_unserialised(kvm))
		kfp_write_lock(&gpc->refresh_lock);
}

static void refresh_unlock(struct kvm *kvm, struct gfn_to_pfn_cache *gpc)
{
	if (!refresh_unserialised(kvm))
		kfp_write_unlock(&gpc->refresh_lock);
}

/* virt/kvm/pfncache.c kvm_gpc_refresh() */
int kvm_gpc_refresh(struct kvm *kvm, unsigned int index, unsigned long len)
{
	struct gfn_to_pfn_cache *gpc = &kvm->gpc[index];
	int ret;

	if (index >= kvm->nr_gpcs)
		return -EINVAL;
	kvm_srcu_read_lock(kvm);
	/* --kernel-tree: the tree's kvm_gpc_refresh(), in the caller's srcu section */
	if (kvm->design->gpc_refresh) {
		ret = kvm->design->gpc_refresh(kvm, index, len);
		kvm_srcu_read_unlock(kvm);
		return ret;
	}
	refresh_lock(kvm, gpc);
	/* gpc->gpa is read under refresh_lock only: without it, racing with an activate */
	kfp_shared_read(gpc_object(index), "kvm_gpc_refresh gpa");
	ret = gpc_length_ok(gpc->gpa, len) ? __kvm_gpc_refresh(kvm, index, gpc->gpa) : -EINVAL;
	refresh_unlock(kvm, gpc);
	kvm_srcu_read_unlock(kvm);
	return ret;
}

/*
 * virt/kvm/pfncache.c __kvm_gpc_activate(): listed before active, so no
 * refresh can set up a mapping that invalidation cannot reach.
 */
int kvm_gpc_activate(struct kvm *kvm, unsigned int index, gpa_t gpa, unsigned long len)
{
	struct gfn_to_pfn_cache *gpc = &kvm->gpc[index];
	int ret;

	if (index >= kvm->nr_gpcs)
		return -EINVAL;
	/* --kernel-tree: the tree's kvm_gpc_activate(), which checks the length itself */
	if (kvm->design->gpc_activate) {
		kvm_srcu_read_lock(kvm);
		ret = kvm->design->gpc_activate(kvm, index, gpa, len);
		kvm_srcu_read_unlock(kvm);
		return ret;
	}
	if (!gpc_length_ok(gpa, len))
		return -EINVAL;
	kvm_srcu_read_lock(kvm);
	refresh_lock(kvm, gpc);
	if (!gpc->active) {
		ret = -EIO; /* KVM_BUG_ON(gpc->valid) */
		if (gpc->valid)
			goto out_unlock;
		kfp_write_lock(&kvm->gpc_lock);
		gpc_mark(index, "gpc list_add");
		gpc->listed = 1;
		kfp_write_unlock(&kvm->gpc_lock);
		kfp_write_lock(&gpc->lock);
		gpc_mark(index, "gpc active");
		gpc->active = 1;
		kfp_write_unlock(&gpc->lock);
	}
	ret = __kvm_gpc_refresh(kvm, index, gpa);
out_unlock:
	refresh_unlock(kvm, gpc);
	kvm_srcu_read_unlock(kvm);
	return ret;
}

/* virt/kvm/pfncache.c kvm_gpc_check(): gpc->lock held for read by the caller. */
bool kvm_gpc_check(struct kvm *kvm, unsigned int index, unsigned long len)
{
	struct gfn_to_pfn_cache *gpc = &kvm->gpc[index];

	kfp_lockdep_assert_held(&gpc->lock);
	kvm->stats.nr_revalidations++;
	/* --kernel-tree: the tree's kvm_gpc_check() */
	if (kvm->design->gpc_check)
		return kvm->design->gpc_check(kvm, index, len);
	kfp_shared_read(gpc_object(index), "kvm_gpc_check");
	if (!gpc->active)
		return false;
	kfp_shared_read(memslots_object(0), "memslots generation");
	if (gpc->generation != kvm->memslots[0].generation || kvm_is_error_hva(gpc->uhva))
		return false;
	if (!gpc_length_ok(gpc->gpa, len))
		return false;
	return gpc->valid;
}

/* virt/kvm/pfncache.c kvm_gpc_deactivate() */
void kvm_gpc_deactivate(struct kvm *kvm, unsigned int index)
{
	struct gfn_to_pfn_cache *gpc = &kvm->gpc[index];

	if (index >= kvm->nr_gpcs)
		return;
	/* --kernel-tree: the tree's kvm_gpc_deactivate() */
	if (kvm->design->gpc_deactivate) {
		kvm->design->gpc_deactivate(kvm, index);
		return;
	}
	refresh_lock(kvm, gpc);
	if (gpc->active) {
		kfp_write_lock(&gpc->lock);
		gpc_mark(index, "gpc deactivate");
		gpc->active = 0;
		gpc->valid = 0;
		gpc->pfn = KVM_PFN_ERR_FAULT;
		gpc->khva = KFP_PFN_NONE;
		/*
		 * the 5.17 cache's __release_gpc() at deactivation; the <= 5.15
		 * cache's kvm_release_pfn() at vCPU destruction
		 * (kvm_arch_vcpu_destroy(), x86, v5.10)
		 */
		if (kvm->design->gpc_map_gfn)
			kvm_release_cached_pfn(kvm, gpc);
		else if (gpc->held_page != KFP_PFN_NONE)
			put_page(kvm->mm, gpc->held_page, gpc->owner);
		gpc->held_page = KFP_PFN_NONE;
		kfp_write_unlock(&gpc->lock);
		kfp_write_lock(&kvm->gpc_lock);
		gpc->listed = 0;
		kfp_write_unlock(&kvm->gpc_lock);
	}
	refresh_unlock(kvm, gpc);
}

/*
 * VM destruction: x86 kvm_arch_vcpu_destroy() (v5.10) gives the <= 5.15
 * cache's pfn back with kvm_release_pfn(cache->pfn, cache->dirty, cache).
 * The gpc of 5.17+ holds nothing its owner has not deactivated.
 */
void kvm_gpc_release_vcpu_caches(struct kvm *kvm)
{
	unsigned int i;

	if (!kvm->design->gpc_map_gfn)
		return;
	for (i = 0; i < kvm->nr_gpcs; i++) {
		struct gfn_to_pfn_cache *gpc = &kvm->gpc[i];

		kfp_write_lock(&gpc->lock);
		if (gpc->held_page != KFP_PFN_NONE) {
			gpc_mark(i, "kvm_arch_vcpu_destroy");
			gpc->valid = 0;
			gpc->pfn = KVM_PFN_ERR_FAULT;
			kvm_release_cached_pfn(kvm, gpc);
		}
		kfp_write_unlock(&gpc->lock);
	}
}

/* The check, refresh and access of kvm_gpc_access(), kvm->srcu held. */
static enum kvm_outcome __kvm_gpc_access(struct kvm *kvm, unsigned int index, bool write,
					 u64 *value)
{
	struct gfn_to_pfn_cache *gpc = &kvm->gpc[index];
	struct kvm_access access;

	kfp_read_lock(&gpc->lock);
	kvm->stats.nr_access_locks++;
	while (!kvm_gpc_check(kvm, index, sizeof(u64))) {
		kfp_read_unlock(&gpc->lock);
		/* outside gpc->lock: a deactivate can come between the check and this */
		kfp_shared_read(gpc_object(index), "gpc active");
		if (!gpc->active)
			return KVM_OUTCOME_EINVAL;
		/*
		 * callers loop until the check passes (arch/x86/kvm/xen.c
		 * kvm_xen_update_runstate_guest()); kvm_gpc_refresh() takes
		 * kvm->srcu itself, nested in the caller's read section as
		 * SRCU allows (virt/kvm/pfncache.c kvm_gpc_refresh())
		 */
		if (kvm_gpc_refresh(kvm, index, sizeof(u64)))
			return KVM_OUTCOME_EFAULT;
		kfp_read_lock(&gpc->lock);
		kvm->stats.nr_access_locks++;
	}
	access = (struct kvm_access){
		.via = KVM_ACCESS_GPC,
		.write = write,
		/* the <= 5.15 cache is protected by its reference only */
		.notifier_protected = !kvm->design->gpc_map_gfn,
		.vcpu = -1,
		.owner = gpc->owner,
		.generation = gpc->generation_of_page,
		.pfn = gpc->pfn,
		.hva = gpc->uhva & PAGE_MASK,
		.gfn = gpc->requested_gpa >> PAGE_SHIFT,
	};
	/* the load or store and its check are one step, as through any translation */
	kvm_access_step(kvm, gpc_object(index), access.pfn, write, access.hva, access.as_id,
			"access through gfn_to_pfn_cache");
	kvm_report_access(kvm, &access);
	if (write && access.pfn < KFP_NR_PFNS)
		kvm->mm->page[access.pfn].content = *value;
	else if (!write)
		*value = access.pfn < KFP_NR_PFNS ? kvm->mm->page[access.pfn].content : 0;
	kfp_read_unlock(&gpc->lock);
	return KVM_OUTCOME_OK;
}

/*
 * A user of the cache (e.g. Xen shared info, kvmclock): check under the
 * read lock, refresh when stale, access while still holding the lock.
 * Each check and its access inside kvm->srcu: kvm_gpc_check() (~6.15)
 * reads the memslots generation through kvm_memslots(), an
 * srcu_dereference_check() on kvm->srcu (or slots_lock), so its callers
 * hold the SRCU read lock
 * (arch/x86/kvm/x86.c kvm_arch_vcpu_put() takes it around the preempted
 * steal-time / Xen runstate update for that very check; vCPU context
 * holds it anyway).  A memslot update's synchronize_srcu() therefore
 * waits for an access that passed its check against the old generation.
 */
enum kvm_outcome kvm_gpc_access(struct kvm *kvm, unsigned int index, bool write, u64 *value)
{
	enum kvm_outcome outcome;

	if (index >= kvm->nr_gpcs)
		return KVM_OUTCOME_EINVAL;
	kvm_srcu_read_lock(kvm);
	outcome = __kvm_gpc_access(kvm, index, write, value);
	kvm_srcu_read_unlock(kvm);
	return outcome;
}
