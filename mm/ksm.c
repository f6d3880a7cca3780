// SPDX-License-Identifier: GPL-2.0
/*
 * KSM merging a page of zeroes into the zero page (mm/ksm.c).
 *
 * Every operation here changes ptes only between
 * mmu_notifier_invalidate_range_start() and _end(), and puts the pages it
 * unmapped after _end() (see mm/memory.c).
 */
#include "internal.h"

/*
 * mm/ksm.c get_next_rmap_item(): the anon page the pte at @addr maps, with
 * a reference of ksmd's own (folio_walk_start() under the PTL, then
 * folio_get()), or KFP_PFN_NONE.
 */
static kfp_pfn_t ksm_get_page(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_read(kfp_pte_object(addr), "ksm pte");
	if (vma->backing == KFP_BACKING_ANON && pte->kind == KFP_PTE_PRESENT && !pte->special &&
	    !PageCompound(mm, pte->pfn)) {
		pfn = pte->pfn;
		get_page(mm, pfn, KFP_OWNER_KSM);
	}
	kfp_write_unlock(&mm->page_table_lock);
	return pfn;
}

/*
 * mm/ksm.c write_protect_page(), in its MMU_NOTIFY_CLEAR bracket: under the
 * PTL the pte must still map @pfn (page_vma_mapped_walk()); a writable,
 * dirty or exclusive one is cleared, and kept only if no one but its
 * mapping and ksmd holds the page (mapcount + 1 == refcount: no O_DIRECT,
 * no GUP, no pin) - the model counts the one mapping, refusing a page fork
 * shares - and the page can be made shared (folio_try_share_anon_rmap_pte():
 * PG_anon_exclusive goes); it comes back read-only and clean.  The pte is
 * then @orig, which replace_page() checks.  False when the page is left.
 */
static bool ksm_write_protect_page(struct kfp_mm *mm, u64 addr, kfp_pfn_t pfn, struct kfp_pte *orig)
{
	struct mmu_notifier_range range = { addr, addr + PAGE_SIZE, MMU_NOTIFY_CLEAR, 1 };
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	struct kfp_page *page = &mm->page[pfn];
	bool ok = false;

	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_write(kfp_pte_object(addr), "write_protect_page");
	if (pte->kind != KFP_PTE_PRESENT || pte->special || pte->pfn != pfn)
		goto out_unlock;
	if (pte->writable || pte->dirty || (page->flags & PG_anon_exclusive)) {
		if (page_count(mm, pfn) != 1 + 1 || folio_maybe_dma_pinned(mm, pfn))
			goto out_unlock;
		page->flags &= ~PG_anon_exclusive;
		if (pte->dirty)
			SetPageDirty(mm, pfn);
		pte->writable = 0;
		pte->dirty = 0;
	}
	*orig = *pte;
	ok = true;
out_unlock:
	kfp_write_unlock(&mm->page_table_lock);
	mmu_notifier_invalidate_range_end(mm, &range);
	return ok;
}

/*
 * mm/ksm.c replace_page() with the zero page as kpage, in its own
 * MMU_NOTIFY_CLEAR bracket: under the PTL the pte must still be @orig
 * (pte_same()), or a fault changed it since the write protection and the
 * page stays; it becomes the zero page (special, and dirty: a KSM-placed
 * zero page) and the mapping's reference goes (folio_put()).
 */
static bool ksm_replace_page(struct kfp_mm *mm, u64 addr, kfp_pfn_t pfn, const struct kfp_pte *orig)
{
	struct mmu_notifier_range range = { addr, addr + PAGE_SIZE, MMU_NOTIFY_CLEAR, 1 };
	bool replaced = false;

	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_write(kfp_pte_object(addr), "replace_page");
	if (pte_same(kfp_pte_of(mm, addr), orig)) {
		set_pte_present(mm, addr, mm->zero_pfn, false, true);
		kfp_pte_of(mm, addr)->dirty = 1;
		replaced = true;
	}
	kfp_write_unlock(&mm->page_table_lock);
	mmu_notifier_invalidate_range_end(mm, &range);
	if (replaced)
		put_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	return replaced;
}

/*
 * ksmd merging the page at @addr into the zero page (mm/ksm.c with
 * use_zero_pages: cmp_and_merge_page() on a page whose checksum is the
 * zero page's, then try_to_merge_one_page()): the page is taken with
 * ksmd's reference and locked (folio_trylock(), or it is left), write
 * protected, compared with the zero page again now that no one can write
 * it (pages_identical()), and replaced if its pte did not change since.
 * A write before the write protection fails the compare; one after it
 * faults, cannot reuse the page ksmd holds (do_wp_page() copies it) and
 * fails replace_page()'s pte_same().  Returns 0 when merged, -EBUSY when
 * the page stays.
 */
int kfp_ksm_merge(struct kfp_mm *mm, u64 addr)
{
	struct kfp_pte orig;
	struct kfp_vma *vma;
	kfp_pfn_t pfn;
	int ret = -EFAULT;

	if (!kfp_hva_in_range(addr))
		return -EFAULT;
	addr &= PAGE_MASK;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (!vma)
		goto out_unlock;
	ret = -EBUSY;
	pfn = ksm_get_page(mm, vma, addr);
	if (pfn == KFP_PFN_NONE)
		goto out_unlock;
	/* calc_checksum() == zero_checksum: read with no lock */
	if (kfp_pfn_read(mm, pfn) != 0 || !kfp_write_trylock(&mm->folio_lock))
		goto out_put;
	if (ksm_write_protect_page(mm, addr, pfn, &orig) && kfp_pfn_read(mm, pfn) == 0 &&
	    ksm_replace_page(mm, addr, pfn, &orig))
		ret = 0;
	kfp_write_unlock(&mm->folio_lock);
out_put:
	put_page(mm, pfn, KFP_OWNER_KSM);
out_unlock:
	mmap_read_unlock(mm);
	return ret;
}
