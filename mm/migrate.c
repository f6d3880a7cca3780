// SPDX-License-Identifier: GPL-2.0
/*
 * Page migration, move_pages(2) (mm/migrate.c).
 *
 * Every operation here changes ptes only between
 * mmu_notifier_invalidate_range_start() and _end(), and puts the pages it
 * unmapped after _end() (see mm/memory.c).
 */
#include "internal.h"

/*
 * mm/migrate.c remove_migration_ptes(): the entries become @pfn again.
 * Only where a migration entry still is: remove_migration_pte() walks with
 * PVMW_MIGRATION, and page_vma_mapped_walk() (mm/page_vma_mapped.c
 * check_pte()) matches migration entries of the folio only, so a pte
 * that MADV_DONTNEED or munmap zapped meanwhile, or that a fault has
 * filled again since, is left as it is.  (The model's folio_lock is one
 * for the mm, so no other migration's entry can be there.)
 */
static void remove_migration_ptes(struct kfp_mm *mm, const u64 *addrs, unsigned int nr,
				  kfp_pfn_t pfn)
{
	unsigned int i;

	kfp_write_lock(&mm->page_table_lock);
	for (i = 0; i < nr; i++) {
		struct kfp_pte *pte = kfp_pte_of(mm, addrs[i]);

		if (!pte || pte->kind != KFP_PTE_MIGRATION)
			continue;
		get_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
		set_pte_present(mm, addrs[i], pfn, pte->writable, false);
	}
	kfp_write_unlock(&mm->page_table_lock);
}

static int migratable_page_at(struct kfp_mm *mm, u64 addr, kfp_pfn_t *pfn)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);

	kfp_shared_read(kfp_pte_object(addr), "folio_walk_start");
	if (!pte || pte->kind != KFP_PTE_PRESENT || pte->special)
		return -EFAULT;
	*pfn = pte->pfn;
	/* the model migrates order-0 anon and page-cache pages only */
	if (PageCompound(mm, *pfn) || PageReserved(mm, *pfn) ||
	    !(mm->page[*pfn].flags & (PG_anon | PG_pagecache)))
		return -EINVAL;
	return 0;
}

/* mm/migrate.c migrate_folio_move(): copy to @new and map it everywhere. */
static void move_to_new_page(struct kfp_mm *mm, kfp_pfn_t old, kfp_pfn_t new_pfn, const u64 *addrs,
			     unsigned int nr)
{
	struct kfp_page *from = &mm->page[old], *to = &mm->page[new_pfn];

	to->content = from->content;
	to->flags |= from->flags & (PG_anon | PG_anon_exclusive | PG_pagecache | PG_dirty);
	to->object = from->object;
	to->index = from->index;
	if (from->flags & PG_pagecache) {
		mm->object[from->object].pfn[from->index] = (u16)new_pfn;
		get_page(mm, new_pfn, KFP_OWNER_PAGE_CACHE);
		put_page(mm, old, KFP_OWNER_PAGE_CACHE);
	}
	remove_migration_ptes(mm, addrs, nr, new_pfn);
	put_page(mm, new_pfn, KFP_OWNER_MIGRATION);
}

/*
 * Migrate the page mapped at @addr (move_pages(2): mm/migrate.c
 * migrate_pages()).  Each mapping is replaced by a migration entry inside
 * an MMU_NOTIFY_CLEAR bracket (try_to_migrate_one()); a pinned page
 * aborts there (-EBUSY), a page with any other extra reference fails the
 * refcount check (-EAGAIN); both get their old ptes back.
 */
int kfp_migrate_page(struct kfp_mm *mm, u64 addr)
{
	u64 addrs[KFP_NR_VPAGES];
	unsigned int nr, i, expected;
	kfp_pfn_t pfn, new_pfn;
	int ret;

	if (!kfp_hva_in_range(addr))
		return -EFAULT;
	addr &= PAGE_MASK;
	mmap_read_lock(mm);
	/* mm/migrate.c add_folio_for_migration(): folio_walk_start() and folio_get() under the PTL */
	kfp_write_lock(&mm->page_table_lock);
	ret = migratable_page_at(mm, addr, &pfn);
	if (!ret)
		get_page(mm, pfn, KFP_OWNER_MIGRATION); /* isolation */
	kfp_write_unlock(&mm->page_table_lock);
	if (ret)
		goto out_unlock;
	kfp_write_lock(&mm->folio_lock);
	/* mm/rmap.c try_to_migrate_one(): an MMU_NOTIFY_CLEAR range each */
	nr = unmap_all(mm, pfn, addrs, rmap_walk(mm, pfn, addrs), KFP_PTE_MIGRATION);
	for (i = 0; i < nr; i++)
		put_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	ret = -EBUSY;
	if (folio_maybe_dma_pinned(mm, pfn))
		goto out_restore;
	/* mm/migrate.c folio_migrate_mapping(): isolation + page cache only */
	expected = 1 + !!(mm->page[pfn].flags & PG_pagecache);
	ret = -EAGAIN;
	if (page_count(mm, pfn) != (int)expected)
		goto out_restore;
	new_pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_MIGRATION);
	ret = -ENOMEM;
	if (new_pfn == KFP_PFN_NONE)
		goto out_restore;
	move_to_new_page(mm, pfn, new_pfn, addrs, nr);
	put_page(mm, pfn, KFP_OWNER_MIGRATION);
	ret = 0;
	goto out_unlock_folio;
out_restore:
	remove_migration_ptes(mm, addrs, nr, pfn);
	put_page(mm, pfn, KFP_OWNER_MIGRATION);
out_unlock_folio:
	kfp_write_unlock(&mm->folio_lock);
out_unlock:
	mmap_read_unlock(mm);
	return ret;
}
