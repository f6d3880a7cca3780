// SPDX-License-Identifier: GPL-2.0
/*
 * Reverse mapping (mm/rmap.c): finding the ptes that map a page and
 * replacing them with non-present entries (try_to_unmap(),
 * try_to_migrate()), for migration, reclaim and memory failure.
 */
#include "internal.h"

/* The ptes that map @pfn through a refcounted mapping: a small rmap walk. */
unsigned int rmap_walk(struct kfp_mm *mm, kfp_pfn_t pfn, u64 *addrs)
{
	unsigned int vpn, nr = 0;

	for (vpn = 1; vpn < KFP_NR_VPAGES; vpn++) {
		const struct kfp_pte *pte = &mm->pte[vpn];

		if (pte->kind == KFP_PTE_PRESENT && !pte->special && pte->pfn == pfn)
			addrs[nr++] = (u64)vpn << PAGE_SHIFT;
	}
	return nr;
}

/*
 * mm/rmap.c try_to_unmap_one() and try_to_migrate_one(): an exclusive anon
 * page is made shared before its pte becomes a swap or migration entry
 * (folio_try_share_anon_rmap_pte()), which fails on a folio that may be
 * pinned (__folio_try_share_anon_rmap(): folio_maybe_dma_pinned()): the
 * pte is put back and the walk aborts.  Under the PTL, after the clear, so
 * a GUP that pinned since the caller's own check is seen here (GUP-fast
 * re-reads the pte after its pin and backs out if it changed).  The model
 * keeps PG_anon_exclusive on the page: upstream carries it in the entry
 * (pte_swp_mkexclusive(), make_readable_exclusive_migration_entry()) and
 * puts it back with the pte.
 */
static bool pinned_exclusive_anon(const struct kfp_mm *mm, kfp_pfn_t pfn, enum kfp_pte_kind kind)
{
	const struct kfp_page *page = &mm->page[pfn];

	if (kind != KFP_PTE_SWAP && kind != KFP_PTE_MIGRATION)
		return false;
	return (page->flags & PG_anon) && (page->flags & PG_anon_exclusive) &&
	       folio_maybe_dma_pinned(mm, pfn);
}

/*
 * Install a non-present entry of @kind in place of the pte that maps @pfn,
 * in a bracket (mm/rmap.c try_to_unmap_one()).  The rmap walk ran without
 * the PTL; page_vma_mapped_walk() checks under it that the pte still maps
 * the folio, and a pte zapped meanwhile is left alone (false), as is the
 * pte of a maybe-pinned exclusive anon page (pinned_exclusive_anon()).
 */
static bool unmap_one(struct kfp_mm *mm, u64 addr, kfp_pfn_t pfn, enum kfp_pte_kind kind,
		      enum mmu_notifier_event event)
{
	struct mmu_notifier_range range = { addr, addr + PAGE_SIZE, (u8)event, 1 };
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	bool mapped;

	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_write(kfp_pte_object(addr), "try_to_unmap_one");
	mapped = pte->kind == KFP_PTE_PRESENT && !pte->special && pte->pfn == pfn &&
		 !pinned_exclusive_anon(mm, pfn, kind);
	if (!mapped)
		goto out_unlock;
	if (pte->dirty)
		SetPageDirty(mm, pte->pfn);
	/* mm/rmap.c try_to_unmap_one(): a file folio's pte is cleared under the PTL */
	if (kind == KFP_PTE_NONE) {
		*pte = (struct kfp_pte){ .kind = KFP_PTE_NONE, .pfn = KFP_NO_PFN32 };
		goto out_unlock;
	}
	/* a swap entry: its content is written out (pageout()), its slot is the swap cache */
	if (kind == KFP_PTE_SWAP)
		pte->swap_content = mm->page[pte->pfn].content;
	pte->kind = (u8)kind;
	/* a page-cache pte is cleared here, under the PTL in the bracket (ptep_clear_flush()) */
	if (kind == KFP_PTE_NONE)
		pte->pfn = KFP_NO_PFN32;
	pte->writable = pte->writable && kind == KFP_PTE_MIGRATION;
out_unlock:
	kfp_write_unlock(&mm->page_table_lock);
	mmu_notifier_invalidate_range_end(mm, &range);
	return mapped;
}

/* try_to_unmap() over @addrs; keeps (and returns the number of) those it unmapped. */
unsigned int unmap_all(struct kfp_mm *mm, kfp_pfn_t pfn, u64 *addrs, unsigned int nr,
		       enum kfp_pte_kind kind)
{
	unsigned int i, unmapped = 0;

	for (i = 0; i < nr; i++)
		if (unmap_one(mm, addrs[i], pfn, kind, MMU_NOTIFY_CLEAR))
			addrs[unmapped++] = addrs[i];
	return unmapped;
}
