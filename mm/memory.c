// SPDX-License-Identifier: GPL-2.0
/*
 * Zapping ptes (mm/memory.c zap_pte_range(), unmap_vmas(),
 * zap_page_range_single()), the step shared by munmap, MADV_DONTNEED,
 * exit_mmap and a driver's revoke.
 *
 * The pages a zap unmaps are gathered and put once the invalidation has
 * ended (mm/mmap.c unmap_region() -> mm/mmu_gather.c tlb_finish_mmu()).
 * Upstream may flush a full TLB batch, freeing pages, before _end(); the
 * model's batches never fill, so it always frees after _end() — still after
 * _start(), which is what the notifier contract relies on.
 */
#include "internal.h"

static void batch_add(struct unmap_batch *batch, kfp_pfn_t pfn, kfp_owner_t owner)
{
	batch->pfn[batch->nr] = (u16)pfn;
	batch->owner[batch->nr] = owner;
	batch->nr++;
}

/* mm/mmu_gather.c tlb_finish_mmu(): release the gathered pages. */
void batch_release(struct kfp_mm *mm, struct unmap_batch *batch)
{
	unsigned int i;

	for (i = 0; i < batch->nr; i++)
		put_page(mm, batch->pfn[i], batch->owner[i]);
	batch->nr = 0;
}

/*
 * mm/swapfile.c free_swap_and_cache() -> __try_to_reclaim_swap() (under the
 * PTL) for the swap entry at @addr: the entry's swap-cache folio leaves the
 * cache only if folio_trylock() gets it, and only if it is still the
 * entry's once locked (folio_test_swapcache() and the entry checked under
 * the folio lock).  Reclaim deletes a folio from the swap cache under the
 * folio lock but not the PTL, so the slot the zap read before may be gone,
 * and its pfn freed and reused, by the time the lock is taken.  A folio
 * that reclaim or a swap-in holds locked stays in the swap cache with its
 * reference: reclaim's folio_ref_freeze() counts it, and a folio left
 * behind waits for a later reclaim (folio_free_swap() of a folio no entry
 * names), as upstream.  (The model's folio lock is one lock for every
 * folio, so a trylock can also fail on another folio's holder; the folio
 * then only stays cached.)
 */
static void free_swap_and_cache(struct kfp_mm *mm, u64 addr)
{
	const struct kfp_pte *pte = kfp_pte_of(mm, addr);

	if (!kfp_write_trylock(&mm->folio_lock))
		return;
	kfp_shared_read(kfp_pte_object(addr), "__try_to_reclaim_swap");
	if (pte->kind == KFP_PTE_SWAP && pte->pfn != KFP_NO_PFN32)
		kfp_put_unless_frozen(mm, pte->pfn, KFP_OWNER_SWAP_CACHE);
	kfp_write_unlock(&mm->folio_lock);
}

/* mm/memory.c zap_pte_range(): clear one pte, gathering what it held. */
void zap_pte(struct kfp_mm *mm, u64 addr, struct unmap_batch *batch)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);

	kfp_shared_read(kfp_pte_object(addr), "zap_pte");
	if (pte->kind == KFP_PTE_PRESENT && !pte->special) {
		if (pte->dirty)
			SetPageDirty(mm, pte->pfn);
		batch_add(batch, pte->pfn, KFP_OWNER_PAGE_TABLE);
	} else if (pte->kind == KFP_PTE_SWAP && pte->pfn != KFP_NO_PFN32) {
		free_swap_and_cache(mm, addr);
	}
	if (pte->kind != KFP_PTE_NONE)
		pte_clear(mm, addr);
}

/* mm/memory.c unmap_vmas()/zap_page_range_single(): notifier, zap, put. */
void zap_range(struct kfp_mm *mm, u64 start, u64 end, enum mmu_notifier_event event)
{
	struct mmu_notifier_range range = { start, end, (u8)event, 1 };
	struct unmap_batch batch;
	u64 addr;

	batch.nr = 0;
	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	for (addr = start; addr < end; addr += PAGE_SIZE)
		zap_pte(mm, addr, &batch);
	kfp_write_unlock(&mm->page_table_lock);
	mmu_notifier_invalidate_range_end(mm, &range);
	batch_release(mm, &batch);
}
