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

/*
 * mm/migrate.c add_folio_for_migration() -> __add_folio_for_migration()
 * (6.12+, folio_walk_start() with FW_ZEROPAGE), under the PTL: -EFAULT for
 * no VMA, a !vma_migratable() one (VM_IO | VM_PFNMAP) or the zero page;
 * -ENOENT when no normal page is mapped (a none, swap, migration or
 * hwpoison entry; a special pte, vm_normal_page() NULL) or the page is
 * ZONE_DEVICE; -EBUSY when folio_isolate_lru() fails (a page on no LRU:
 * driver, TTM, reserved).  The model does not migrate large folios (THP,
 * hugetlb), which upstream migrates or splits: -EINVAL, no kernel answer.
 */
static int migratable_page_at(struct kfp_mm *mm, u64 addr, kfp_pfn_t *pfn)
{
	struct kfp_vma *vma = vma_lookup(mm, addr);
	struct kfp_pte *pte = kfp_pte_of(mm, addr);

	if (!vma || (vma->vm_flags & (VM_IO | VM_PFNMAP)))
		return -EFAULT;
	kfp_shared_read(kfp_pte_object(addr), "folio_walk_start");
	if (pte->kind != KFP_PTE_PRESENT)
		return -ENOENT;
	*pfn = pte->pfn;
	if (is_zero_pfn(mm, *pfn))
		return -EFAULT;
	if (pte->special || is_zone_device_page(mm, *pfn))
		return -ENOENT;
	if (PageCompound(mm, *pfn))
		return -EINVAL;
	if (PageReserved(mm, *pfn) || !(mm->page[*pfn].flags & (PG_anon | PG_pagecache)))
		return -EBUSY;
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
 * an MMU_NOTIFY_CLEAR bracket (try_to_migrate_one()); a pinned anon page
 * aborts there (folio_try_share_anon_rmap_pte() fails), a page with any
 * other extra reference (a pin included) fails the refcount check
 * (folio_migrate_mapping()); both get their old ptes back and are
 * -EAGAIN: migrate_pages() retries (NR_MAX_MIGRATE_PAGES_RETRY) and counts
 * the folio failed, and move_pages() returns the number of pages it did
 * not move (do_move_pages_to_node()), 1 here.
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
	ret = -EAGAIN;
	if (folio_maybe_dma_pinned(mm, pfn))
		goto out_restore;
	/* mm/migrate.c folio_migrate_mapping(): isolation + page cache only */
	expected = 1 + !!(mm->page[pfn].flags & PG_pagecache);
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
