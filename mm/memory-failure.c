// SPDX-License-Identifier: GPL-2.0
/*
 * A hardware memory error (mm/memory-failure.c).
 *
 * Every operation here changes ptes only between
 * mmu_notifier_invalidate_range_start() and _end(), and puts the pages it
 * unmapped after _end() (see mm/memory.c).
 */
#include "internal.h"

/*
 * mm/memory-failure.c memory_failure(): mark the page poisoned and replace
 * every mapping by a hwpoison entry (try_to_unmap(), so the notifier
 * fires); later faults there get VM_FAULT_HWPOISON.  The page never goes
 * back to the allocator.
 */
int kfp_memory_failure(struct kfp_mm *mm, kfp_pfn_t pfn)
{
	u64 addrs[KFP_NR_VPAGES];
	unsigned int nr, i;

	if (!pfn_valid(mm, pfn))
		return -ENXIO;
	if (PageHWPoison(mm, pfn))
		return -EHWPOISON;
	mmap_read_lock(mm);
	/*
	 * A free page is taken off the free lists (take_page_off_buddy()
	 * under zone->lock): allocations read PG_hwpoison.
	 */
	kfp_shared_access2(KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, pfn), KFP_ACCESS_WRITE,
			   KFP_OBJECT(KFP_OBJECT_CLASS_ZONE, 0), KFP_ACCESS_WRITE,
			   "SetPageHWPoison");
	mm->page[pfn].flags |= PG_hwpoison;
	nr = unmap_all(mm, pfn, addrs, rmap_walk(mm, pfn, addrs), KFP_PTE_HWPOISON);
	for (i = 0; i < nr; i++)
		put_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	mmap_read_unlock(mm);
	return 0;
}
