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
 * mm/ksm.c with use_zero_pages: a page of zeroes is write-protected
 * (write_protect_page(), which backs out when someone else holds a
 * reference) and then replaced by the zero page (replace_page(): a special
 * pte, no reference), each step in its own MMU_NOTIFY_CLEAR bracket.
 * Returns 0 when merged, -EBUSY when the page stays.
 */
int kfp_ksm_merge(struct kfp_mm *mm, u64 addr)
{
	struct mmu_notifier_range range = { addr & PAGE_MASK, (addr & PAGE_MASK) + PAGE_SIZE,
					    MMU_NOTIFY_CLEAR, 1 };
	struct kfp_vma *vma;
	struct kfp_pte *pte;
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
	pte = kfp_pte_of(mm, addr);
	kfp_shared_read(kfp_pte_object(addr), "ksm pte");
	if (vma->backing != KFP_BACKING_ANON || pte->kind != KFP_PTE_PRESENT || pte->special)
		goto out_unlock;
	pfn = pte->pfn;
	if (PageCompound(mm, pfn) || mm->page[pfn].content != 0)
		goto out_unlock;
	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_write(kfp_pte_object(addr), "write_protect_page");
	/*
	 * page_vma_mapped_walk(): the pte must still map the page; then one
	 * mapping and nothing else: mapcount + 1 (KSM's own) == page_count
	 */
	if (pte->kind != KFP_PTE_PRESENT || pte->pfn != pfn || page_count(mm, pfn) != 1) {
		kfp_write_unlock(&mm->page_table_lock);
		mmu_notifier_invalidate_range_end(mm, &range);
		goto out_unlock;
	}
	pte->writable = 0;
	kfp_write_unlock(&mm->page_table_lock);
	mmu_notifier_invalidate_range_end(mm, &range);

	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	set_pte_present(mm, addr, mm->zero_pfn, false, true);
	pte->dirty = 1; /* marks a KSM-placed zero page */
	kfp_write_unlock(&mm->page_table_lock);
	mmu_notifier_invalidate_range_end(mm, &range);
	put_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	ret = 0;
out_unlock:
	mmap_read_unlock(mm);
	return ret;
}
