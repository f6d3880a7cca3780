// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim (mm/vmscan.c shrink_folio_list()) of the pages mapped in a range,
 * as MADV_PAGEOUT (mm/madvise.c) would pick them: anon pages go to swap,
 * page-cache pages leave the cache.
 *
 * Every operation here changes ptes only between
 * mmu_notifier_invalidate_range_start() and _end(), and puts the pages it
 * unmapped after _end() (see mm/memory.c).
 */
#include "internal.h"

/*
 * __remove_mapping(): freeze the count at reclaim's isolation reference
 * and the cache's @cache_refs; frozen, the folio leaves its cache and is
 * freed; otherwise reclaim lets go of it (putback) and it stays.
 */
static bool remove_mapping(struct kfp_mm *mm, kfp_pfn_t pfn, unsigned int cache_refs)
{
	if (folio_ref_freeze(mm, pfn, 1 + (int)cache_refs))
		return true;
	put_page(mm, pfn, KFP_OWNER_RECLAIM);
	return false;
}

/*
 * Reclaim of an anon page (mm/vmscan.c shrink_folio_list(), folio isolated
 * with a reference and locked throughout): add_to_swap() gives the swap
 * cache a reference (one per entry in the model), try_to_unmap() turns each
 * pte still mapping it into a swap entry, then __remove_mapping() freezes
 * the refcount (folio_ref_freeze()).  A fault that took a reference
 * meanwhile (folio_try_get()) makes the freeze fail and the folio stays in
 * the swap cache; otherwise it leaves the swap cache
 * (__delete_from_swap_cache()) and is freed.
 */
static void reclaim_anon(struct kfp_mm *mm, kfp_pfn_t pfn, u64 *addrs, unsigned int nr)
{
	unsigned int i, unmapped;

	kfp_write_lock(&mm->folio_lock);
	for (i = 0; i < nr; i++)
		get_page(mm, pfn, KFP_OWNER_SWAP_CACHE);
	mm->page[pfn].flags |= PG_swapcache;
	unmapped = unmap_all(mm, pfn, addrs, nr, KFP_PTE_SWAP);
	for (i = 0; i < nr; i++)
		put_page(mm, pfn, i < unmapped ? KFP_OWNER_PAGE_TABLE : KFP_OWNER_SWAP_CACHE);
	if (remove_mapping(mm, pfn, unmapped)) {
		for (i = 0; i < unmapped; i++) {
			struct kfp_pte *pte = kfp_pte_of(mm, addrs[i]);

			kfp_shared_write(kfp_pte_object(addrs[i]), "__delete_from_swap_cache");
			if (pte->kind == KFP_PTE_SWAP && pte->pfn == pfn)
				pte->pfn = KFP_NO_PFN32;
		}
		mm->page[pfn].flags &= ~PG_swapcache;
		free_frozen_folio(mm, pfn);
	}
	kfp_write_unlock(&mm->folio_lock);
}

/*
 * Reclaim of a page-cache page, the folio locked throughout
 * (mm/vmscan.c shrink_folio_list(): folio_trylock(); page-cache faults take
 * the same lock before they map it, mm/fault.c lock_cache_folio()):
 * try_to_unmap() clears every pte that maps it (under the PTL, inside the
 * notifier), then __remove_mapping() freezes the refcount at reclaim's and
 * the page cache's references; a fault holding a folio_try_get() reference
 * keeps it.  Frozen, it leaves the cache and is freed, its content kept in
 * the object: a shmem folio goes out through shmem_writeout() to swap; a
 * dirty folio of a regular file is written back first, which upstream's
 * MADV_PAGEOUT leaves to the flusher (shrink_folio_list():
 * folio_is_file_lru() && !current_is_kswapd() -> activate_locked) and the
 * model folds into this reclaim.
 */
static void reclaim_file(struct kfp_mm *mm, kfp_pfn_t pfn, u64 *addrs, unsigned int nr)
{
	struct kfp_page *page = &mm->page[pfn];
	struct kfp_memory_object *object = &mm->object[page->object];
	unsigned int i, index = (unsigned int)page->index;
	int id = page->object;

	kfp_write_lock(&mm->folio_lock);
	nr = unmap_all(mm, pfn, addrs, nr, KFP_PTE_NONE);
	for (i = 0; i < nr; i++)
		put_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	if (!remove_mapping(mm, pfn, 1))
		goto out_unlock;
	kfp_shared_write(KFP_OBJECT(KFP_OBJECT_CLASS_MEMORY_OBJECT, id), "__filemap_remove_folio");
	object->stored[index] = page->content;
	object->pfn[index] = KFP_NO_PFN16;
	page->flags &= ~PG_pagecache;
	free_frozen_folio(mm, pfn);
out_unlock:
	kfp_write_unlock(&mm->folio_lock);
}

/*
 * mm/madvise.c madvise_cold_or_pageout_pte_range(): under the PTL, the
 * folio mapped at @addr, isolated with a reference (folio_isolate_lru()).
 * The model reclaims order-0 anon and page-cache folios only.
 */
static bool reclaimable_page_at(struct kfp_mm *mm, u64 addr, kfp_pfn_t *pfn)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	bool ok;

	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_read(kfp_pte_object(addr), "madvise_cold_or_pageout_pte_range");
	*pfn = pte->pfn;
	ok = pte->kind == KFP_PTE_PRESENT && !pte->special && !PageCompound(mm, *pfn) &&
	     !PageReserved(mm, *pfn) && (mm->page[*pfn].flags & (PG_anon | PG_pagecache));
	if (ok)
		get_page(mm, *pfn, KFP_OWNER_RECLAIM);
	kfp_write_unlock(&mm->page_table_lock);
	return ok;
}

/*
 * mm/vmscan.c shrink_folio_list() on the pages mapped in [start, start+len)
 * (as MADV_PAGEOUT would pick them).  A maybe-pinned anon folio is skipped
 * before anything happens; any other folio with an extra reference (a
 * pinned file folio included) is unmapped (the notifier fires) and then
 * survives the refcount freeze.
 */
int kfp_reclaim(struct kfp_mm *mm, u64 start, u64 len)
{
	u64 end, addr, addrs[KFP_NR_VPAGES];
	int reclaimed = 0;

	if (!range_valid(start, len))
		return -EINVAL;
	end = start + page_align_len(len);
	mmap_read_lock(mm);
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		unsigned int nr;
		kfp_pfn_t pfn;

		if (!reclaimable_page_at(mm, addr, &pfn))
			continue;
		/*
		 * mm/vmscan.c shrink_folio_list(): a maybe-pinned anon folio not in
		 * the swap cache is kept before anything happens; a pinned file
		 * folio is unmapped and then kept (activate_locked), which the
		 * refcount check in reclaim_file() does.
		 */
		if ((mm->page[pfn].flags & PG_anon) && folio_maybe_dma_pinned(mm, pfn)) {
			put_page(mm, pfn, KFP_OWNER_RECLAIM);
			continue;
		}
		nr = rmap_walk(mm, pfn, addrs);
		if (mm->page[pfn].flags & PG_anon)
			reclaim_anon(mm, pfn, addrs, nr);
		else
			reclaim_file(mm, pfn, addrs, nr);
		reclaimed++;
	}
	mmap_read_unlock(mm);
	return reclaimed;
}
