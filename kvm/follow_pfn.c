// SPDX-License-Identifier: GPL-2.0
/*
 * The gfn -> hva -> pfn lookup (virt/kvm/kvm_main.c kvm_follow_pfn(),
 * hva_to_pfn() and its fast, slow and remapped paths, 6.13+) and the
 * release helpers, which take the struct page KVM was given, never a pfn.
 *
 * The remapped path is the design's (struct kvm_design); the rest is the
 * same code in every design the model renders.
 */
#include "internal.h"

/*
 * virt/kvm/kvm_main.c kvm_resolve_pfn(): the only writer of the outputs.
 * refcounted_page is the GUP'd page, or "NULL" (KFP_PFN_NONE) for every
 * remapped pfn, even one with a refcounted struct page.  For a GUP'd page
 * the v7..v9 designs also set is_refcounted_page, and v7's
 * kvm_follow_refcounted_pfn() drops GUP's reference at once when the
 * caller did not ask for one (the FIXME in the seed thread's diff).
 */
kfp_pfn_t kvm_resolve_pfn(struct kvm *kvm, struct kvm_follow_pfn *kfp, kfp_pfn_t page,
			  const struct follow_pfnmap_args *map, bool writable)
{
	if (kfp->map_writable)
		*kfp->map_writable = writable;
	if (map) {
		*kfp->refcounted_page = KFP_PFN_NONE;
		return map->pfn;
	}
	kfp->is_refcounted_page = true;
	*kfp->refcounted_page = page;
	/*
	 * v7's drop is of the reference GUP returns for FOLL_GET; a FOLL_PIN
	 * lookup (6.13's kvm_follow_pfn.pin, which v7 predates) holds a pin
	 * that is the caller's to unpin_user_page(), never put_page()
	 */
	if (kvm->design->gup_put_unless_foll_get && !kfp->pin && !(kfp->flags & FOLL_GET)) {
		put_page(kvm->mm, page, kfp->owner);
		*kfp->refcounted_page = KFP_PFN_NONE;
	}
	return page;
}

void kvm_follow_pfn_policy(struct kvm_follow_pfn *kfp, const struct kvm_caller_policy *policy)
{
	if (policy->foll_get)
		kfp->flags |= FOLL_GET;
	if (policy->foll_write)
		kfp->flags |= FOLL_WRITE;
	kfp->pin = policy->pin;
	kfp->guarded_by_mmu_notifier = policy->guarded;
	kfp->allow_non_refcounted_struct_page = policy->aware;
}

/*
 * virt/kvm/kvm_main.c hva_to_pfn_fast(): only for a write or when a
 * writable mapping is wanted; a read-only lockless GUP could race with a
 * CoW break and leave KVM on the old page.
 */
static bool hva_to_pfn_fast(struct kvm *kvm, struct kvm_follow_pfn *kfp, kfp_pfn_t *pfn)
{
	kfp_pfn_t page;
	bool got;

	if (!((kfp->flags & FOLL_WRITE) || kfp->map_writable))
		return false;
	if (kfp->pin)
		got = pin_user_pages_fast(kvm->mm, kfp->hva, 1, FOLL_WRITE, &page, kfp->owner) == 1;
	else
		got = get_user_page_fast_only(kvm->mm, kfp->hva, FOLL_WRITE, &page, kfp->owner);
	if (!got)
		return false;
	*pfn = kvm_resolve_pfn(kvm, kfp, page, NULL, true);
	return true;
}

/*
 * virt/kvm/kvm_main.c hva_to_pfn_slow(): GUP may fault and sleep.  A read
 * that wants a writable mapping also tries a writable GUP-fast and keeps
 * that page if it gets one ("map read fault as writable if possible").
 */
static long hva_to_pfn_slow(struct kvm *kvm, struct kvm_follow_pfn *kfp, kfp_pfn_t *pfn)
{
	unsigned int flags = FOLL_HWPOISON | FOLL_HONOR_NUMA_FAULT | (kfp->flags & ~FOLL_GET);
	kfp_pfn_t page, wpage;
	long npages;

	if (kfp->pin)
		npages = pin_user_pages_unlocked(kvm->mm, kfp->hva, 1, &page, flags, kfp->owner);
	else
		npages = get_user_pages_unlocked(kvm->mm, kfp->hva, 1, &page, flags, kfp->owner);
	if (npages != 1)
		return npages;
	/* map_writable and pin are mutually exclusive (WARN_ON_ONCE upstream) */
	if (kfp->map_writable && !kfp->pin && !(flags & FOLL_WRITE) &&
	    get_user_page_fast_only(kvm->mm, kfp->hva, FOLL_WRITE, &wpage, kfp->owner)) {
		put_page(kvm->mm, page, kfp->owner);
		page = wpage;
		flags |= FOLL_WRITE;
	}
	*pfn = kvm_resolve_pfn(kvm, kfp, page, NULL, flags & FOLL_WRITE);
	return npages;
}

int kvm_hva_to_pfn_remapped(struct kvm *kvm, struct kfp_vma *vma, struct kvm_follow_pfn *kfp,
			    kfp_pfn_t *pfn)
{
	return kvm->design->hva_to_pfn_remapped(kvm, vma, kfp, pfn);
}

/*
 * virt/kvm/kvm_main.c hva_to_pfn(): fast, slow, then under mmap_lock the
 * VMA decides: VM_IO|VM_PFNMAP takes the remapped path (looked up again
 * when fixup_user_fault() dropped the lock), anything else is either
 * "needs I/O" (FOLL_NOWAIT on a valid VMA) or a fault.
 */
kfp_pfn_t hva_to_pfn(struct kvm *kvm, struct kvm_follow_pfn *kfp)
{
	struct kfp_vma *vma;
	kfp_pfn_t pfn;
	long npages;
	int r;

	if (!kfp->refcounted_page)
		return KVM_PFN_ERR_FAULT;
	if (kvm->design->hva_to_pfn)
		return kvm->design->hva_to_pfn(kvm, kfp);
	if (hva_to_pfn_fast(kvm, kfp, &pfn))
		return pfn;
	npages = hva_to_pfn_slow(kvm, kfp, &pfn);
	if (npages == 1)
		return pfn;
	if (npages == -EINTR || (npages == -EAGAIN && kvm->design->sigpending_on_eagain))
		return KVM_PFN_ERR_SIGPENDING;
	if (npages == -EHWPOISON)
		return KVM_PFN_ERR_HWPOISON;

	mmap_read_lock(kvm->mm);
	for (;;) {
		vma = vma_lookup(kvm->mm, kfp->hva);
		if (!vma) {
			pfn = KVM_PFN_ERR_FAULT;
			break;
		}
		if (vma->vm_flags & (VM_IO | VM_PFNMAP)) {
			r = kvm_hva_to_pfn_remapped(kvm, vma, kfp, &pfn);
			if (r == -EAGAIN)
				continue;
			if (r < 0)
				pfn = KVM_PFN_ERR_FAULT;
			kfp->remapped = !is_error_noslot_pfn(pfn);
			break;
		}
		if ((kfp->flags & FOLL_NOWAIT) && vma_is_valid(vma, kfp->flags & FOLL_WRITE))
			pfn = KVM_PFN_ERR_NEEDS_IO;
		else
			pfn = KVM_PFN_ERR_FAULT;
		break;
	}
	mmap_read_unlock(kvm->mm);
	return pfn;
}

/* virt/kvm/kvm_main.c kvm_follow_pfn(): gfn -> hva, then hva_to_pfn(). */
kfp_pfn_t kvm_follow_pfn(struct kvm *kvm, struct kvm_follow_pfn *kfp)
{
	if (kvm->design->follow_pfn)
		return kvm->design->follow_pfn(kvm, kfp);
	kfp->hva = __gfn_to_hva_many(kfp->slot, kfp->gfn, kfp->flags & FOLL_WRITE);
	if (kfp->hva == KVM_HVA_ERR_RO_BAD)
		return KVM_PFN_ERR_RO_FAULT;
	if (kvm_is_error_hva(kfp->hva))
		return KVM_PFN_NOSLOT;
	if ((kfp->slot->flags & KVM_MEM_READONLY) && kfp->map_writable) {
		*kfp->map_writable = false;
		kfp->map_writable = NULL;
	}
	return hva_to_pfn(kvm, kfp);
}

/* virt/kvm/kvm_main.c __kvm_faultin_pfn(): outputs cleared first, so errors leave NULL. */
kfp_pfn_t __kvm_faultin_pfn(struct kvm *kvm, const struct kvm_memory_slot *slot, gfn_t gfn,
			    unsigned int foll, bool *writable, kfp_pfn_t *refcounted_page,
			    kfp_owner_t owner)
{
	struct kvm_follow_pfn kfp = {
		.slot = slot,
		.gfn = gfn,
		.flags = foll,
		.map_writable = writable,
		.refcounted_page = refcounted_page,
		.owner = owner,
	};

	if (!writable || !refcounted_page)
		return KVM_PFN_ERR_FAULT;
	*writable = false;
	*refcounted_page = KFP_PFN_NONE;
	return kvm_follow_pfn(kvm, &kfp);
}

/* virt/kvm/kvm_main.c kvm_is_ad_tracked_page(): the owner of a reserved page tracks A/D */
static bool kvm_is_ad_tracked_page(struct kvm *kvm, kfp_pfn_t page)
{
	return !PageReserved(kvm->mm, page);
}

/* virt/kvm/kvm_main.c kvm_release_page_clean(): NULL is a no-op */
void kvm_release_page_clean(struct kvm *kvm, kfp_pfn_t page, kfp_owner_t owner)
{
	if (kvm->design->release_page) {
		kvm->design->release_page(kvm, page, false, owner);
		return;
	}
	if (page == KFP_PFN_NONE)
		return;
	if (kvm_is_ad_tracked_page(kvm, page))
		mark_page_accessed(kvm->mm, page);
	put_page(kvm->mm, page, owner);
}

void kvm_release_page_dirty(struct kvm *kvm, kfp_pfn_t page, kfp_owner_t owner)
{
	if (kvm->design->release_page) {
		kvm->design->release_page(kvm, page, true, owner);
		return;
	}
	if (page == KFP_PFN_NONE)
		return;
	if (kvm_is_ad_tracked_page(kvm, page))
		SetPageDirty(kvm->mm, page);
	kvm_release_page_clean(kvm, page, owner);
}

void kvm_release_page_unused(struct kvm *kvm, kfp_pfn_t page, kfp_owner_t owner)
{
	if (page == KFP_PFN_NONE)
		return;
	put_page(kvm->mm, page, owner);
}

/* Give @page back as unused, dirty or clean; NULL is a no-op. */
static void release_page(struct kvm *kvm, kfp_pfn_t page, bool unused, bool dirty,
			 kfp_owner_t owner)
{
	if (unused)
		kvm_release_page_unused(kvm, page, owner);
	else if (dirty)
		kvm_release_page_dirty(kvm, page, owner);
	else
		kvm_release_page_clean(kvm, page, owner);
}

/*
 * virt/kvm/kvm_main.c kvm_release_faultin_page(): a used page may only be
 * marked dirty under mmu_lock (it races with writeback otherwise).
 */
void kvm_release_faultin_page(struct kvm *kvm, kfp_pfn_t page, bool unused, bool dirty,
			      kfp_owner_t owner)
{
	if (!unused && kvm->design->release_faultin_under_mmu_lock)
		kfp_lockdep_assert_held(&kvm->mmu_lock);
	release_page(kvm, page, unused, dirty, owner);
}

/*
 * The page a caller gives back under its release rule.  By pfn (before
 * 6.13: kvm_release_pfn_clean()/_dirty()) the pfn is all the caller kept,
 * and the design's heuristic decides whether it names a page to put.
 */
static kfp_pfn_t page_to_release(struct kvm *kvm, const struct kvm_caller_policy *policy,
				 kfp_pfn_t pfn, kfp_pfn_t page, bool is_refcounted)
{
	if (policy->release == KVM_RELEASE_PAGE)
		return page;
	if (is_error_noslot_pfn(pfn))
		return KFP_PFN_NONE;
	if (policy->release == KVM_RELEASE_IF_REFCOUNTED)
		return is_refcounted ? pfn : KFP_PFN_NONE;
	if (policy->release == KVM_RELEASE_PFN && kvm->design->pfn_is_refcounted &&
	    kvm->design->pfn_is_refcounted(kvm, pfn))
		return pfn;
	return KFP_PFN_NONE;
}

void kvm_release_lookup(struct kvm *kvm, const struct kvm_caller_policy *policy, kfp_pfn_t pfn,
			kfp_pfn_t page, bool is_refcounted, bool unused, bool dirty,
			kfp_owner_t owner)
{
	/* the pfn-based API had no "unused" release: a retry put the page clean */
	if (policy->release == KVM_RELEASE_PFN && kvm->design->release_pfn) {
		kvm->design->release_pfn(kvm, pfn, dirty && !unused, owner);
		return;
	}
	page = page_to_release(kvm, policy, pfn, page, is_refcounted);
	if (policy->release == KVM_RELEASE_PFN)
		release_page(kvm, page, false, dirty && !unused, owner);
	else
		release_page(kvm, page, unused, dirty, owner);
}

/* The checker's hook, if one is installed. */
void kvm_report_access(struct kvm *kvm, const struct kvm_access *access)
{
	if (kvm->access_hook)
		kvm->access_hook(kvm, access);
}

unsigned int kvm_test_narrow_footprint;

/*
 * The one step of an access through a translation: the CPU reads the
 * translation (@translation: spte, kernel mapping, cache) and reads or
 * writes the page, and the checker judges the access in that same step
 * (check/check.c).  So the step names what the checker reads too: the
 * page (flags, generation; a driver's release), its folio head (the
 * references and pins, and the free of the whole folio, are announced
 * there), the host pte at @hva (P3) and the memslots of @as_id (the gfn's
 * current hva).  Without them a pte or memslot change would look
 * independent of the access and the order that breaks P3 never run.
 */
void kvm_access_step(struct kvm *kvm, u32 translation, kfp_pfn_t pfn, bool write, u64 hva,
		     unsigned int as_id, const char *what)
{
	struct kfp_footprint fp = { 0 };

	kfp_footprint_add(&fp, translation, KFP_ACCESS_READ);
	if (pfn < KFP_NR_PFNS) {
		kfp_footprint_add(&fp, KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, pfn),
				  write ? KFP_ACCESS_WRITE : KFP_ACCESS_READ);
		if (!(kvm_test_narrow_footprint & KVM_NARROW_HEAD))
			kfp_footprint_add(
				&fp,
				KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, compound_head_pfn(kvm->mm, pfn)),
				KFP_ACCESS_READ);
	}
	if (!(kvm_test_narrow_footprint & KVM_NARROW_PTE) && kfp_hva_in_range(hva))
		kfp_footprint_add(&fp, kfp_pte_object(hva), KFP_ACCESS_READ);
	if (!(kvm_test_narrow_footprint & KVM_NARROW_MEMSLOTS))
		kfp_footprint_add(&fp, memslots_object(as_id), KFP_ACCESS_READ);
	kfp_shared_access_footprint(&fp, what);
}
