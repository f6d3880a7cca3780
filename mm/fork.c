// SPDX-License-Identifier: GPL-2.0
/*
 * fork(2) as it touches the parent's address space (kernel/fork.c
 * dup_mmap() -> mm/memory.c copy_page_range()), and the child's exit.
 *
 * Every operation here changes ptes only between
 * mmu_notifier_invalidate_range_start() and _end(), and puts the pages it
 * unmapped after _end() (see mm/memory.c).
 */
#include "internal.h"

/*
 * mm/memory.c copy_present_pte() for one pte at fork.  A normal page gets
 * the child's reference; in a CoW mapping both sides are write-protected
 * (__copy_present_ptes()), unless it is an anon page that may be pinned:
 * then the child gets its own copy at once and the parent pte is left
 * alone (folio_try_dup_anon_rmap_pte() -> copy_present_page()).  Special
 * ptes (zero page, pfnmap) take no reference but are write-protected too.
 */
static int copy_present_pte(struct kfp_mm *mm, u64 addr, bool cow)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	struct kfp_page *page;
	kfp_pfn_t copy;

	if (pte->kind != KFP_PTE_PRESENT)
		return 0;
	if (!pte->special) {
		page = &mm->page[pte->pfn];
		if ((page->flags & PG_anon) && folio_maybe_dma_pinned(mm, pte->pfn)) {
			copy = kfp_alloc_pages(mm, 0, false, KFP_OWNER_CHILD_MM);
			if (copy == KFP_PFN_NONE)
				return -ENOMEM;
			mm->page[copy].flags |= PG_anon | PG_anon_exclusive;
			mm->page[copy].content = page->content;
			return 0;
		}
		get_page(mm, pte->pfn, KFP_OWNER_CHILD_MM);
		if (page->flags & PG_anon)
			page->flags &= ~PG_anon_exclusive;
	}
	if (cow && pte->writable) {
		kfp_shared_write(kfp_pte_object(addr), "copy_present_pte");
		pte->writable = 0;
	}
	return 0;
}

/*
 * mm/memory.c vma_needs_copy(): ptes a fault would fill in the same way are
 * not copied; a VMA is copied when it is VM_PFNMAP/VM_MIXEDMAP or has an
 * anon_vma.  The model has no anon_vma and takes "maps an anon page or a
 * swap entry" for it.
 */
static bool vma_needs_copy(struct kfp_mm *mm, const struct kfp_vma *vma)
{
	u64 addr;

	if (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
		return true;
	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		const struct kfp_pte *pte = kfp_pte_of(mm, addr);

		if (pte->kind == KFP_PTE_SWAP || (pte->kind == KFP_PTE_PRESENT && !pte->special &&
						  (mm->page[pte->pfn].flags & PG_anon)))
			return true;
	}
	return false;
}

/*
 * mm/memory.c copy_page_range() for every VMA that needs it; a CoW
 * (private) mapping is copied inside an MMU_NOTIFY_PROTECTION_PAGE range
 * over the whole VMA.  The child is not modelled as an address space: its
 * references belong to KFP_OWNER_CHILD_MM.
 */
int kfp_fork(struct kfp_mm *mm)
{
	unsigned int i;
	int ret = 0;

	mmap_write_lock(mm);
	/* read under the mmap lock, which exit_mmap() holds where it sets it */
	if (mm->dead)
		ret = -EINVAL;
	for (i = 0; i < KFP_MAX_VMAS && !ret; i++) {
		struct kfp_vma *vma = &mm->vma[i];
		struct mmu_notifier_range range = { vma->vm_start, vma->vm_end,
						    MMU_NOTIFY_PROTECTION_PAGE, 1 };
		bool cow = !(vma->vm_flags & VM_SHARED);
		u64 addr;

		if (!vma->in_use || !vma_needs_copy(mm, vma))
			continue;
		if (cow) {
			mmu_notifier_invalidate_range_start(mm, &range);
			/* raw_write_seqcount_begin(&src_mm->write_protect_seq): GUP-fast pins back off */
			kfp_shared_write(write_protect_seq_object(), "raw_write_seqcount_begin");
			mm->write_protect_seq++;
		}
		kfp_write_lock(&mm->page_table_lock);
		for (addr = vma->vm_start; addr < vma->vm_end && !ret; addr += PAGE_SIZE)
			ret = copy_present_pte(mm, addr, cow);
		kfp_write_unlock(&mm->page_table_lock);
		if (cow) {
			kfp_shared_write(write_protect_seq_object(), "raw_write_seqcount_end");
			mm->write_protect_seq++;
			mmu_notifier_invalidate_range_end(mm, &range);
		}
	}
	mmap_write_unlock(mm);
	return ret;
}

/* The child exits: every reference it held goes. */
int kfp_child_exit(struct kfp_mm *mm)
{
	int dropped = 0;
	unsigned int i = 0;

	while (i < mm->ledger.nr_entries) {
		const struct kfp_ledger_entry *entry = &mm->ledger.entry[i];

		if (entry->owner != KFP_OWNER_CHILD_MM || entry->refs <= 0) {
			i++;
			continue;
		}
		put_page(mm, entry->pfn, KFP_OWNER_CHILD_MM);
		dropped++;
	}
	return dropped;
}
