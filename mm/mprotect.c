// SPDX-License-Identifier: GPL-2.0
/*
 * mprotect(2) (mm/mprotect.c).
 *
 * Every operation here changes ptes only between
 * mmu_notifier_invalidate_range_start() and _end(), and puts the pages it
 * unmapped after _end() (see mm/memory.c).
 */
#include "internal.h"

static bool range_has_ptes(struct kfp_mm *mm, u64 start, u64 end)
{
	u64 addr;

	for (addr = start; addr < end; addr += PAGE_SIZE)
		if (kfp_pte_of(mm, addr)->kind != KFP_PTE_NONE)
			return true;
	return false;
}

/* mm/mprotect.c change_pte_range(): new protections on the present ptes. */
static void change_protection(struct kfp_mm *mm, struct kfp_vma *vma, unsigned long newflags)
{
	struct mmu_notifier_range range = { vma->vm_start, vma->vm_end, MMU_NOTIFY_PROTECTION_VMA,
					    1 };
	bool none = !(newflags & (VM_READ | VM_WRITE));
	bool notify = range_has_ptes(mm, vma->vm_start, vma->vm_end);
	u64 addr;

	if (notify)
		mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_write(vma_tree_object(), "mprotect");
	vma->vm_flags = (vma->vm_flags & ~(VM_READ | VM_WRITE)) | newflags;
	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		struct kfp_pte *pte = kfp_pte_of(mm, addr);

		if (pte->kind != KFP_PTE_PRESENT)
			continue;
		kfp_shared_write(kfp_pte_object(addr), "change_pte_range");
		/* write permission comes back through a write fault, not here */
		if (!(newflags & VM_WRITE))
			pte->writable = 0;
		pte->protnone = none;
	}
	kfp_write_unlock(&mm->page_table_lock);
	if (notify)
		mmu_notifier_invalidate_range_end(mm, &range);
}

/* mm/mprotect.c do_mprotect_pkey() */
int kfp_mprotect(struct kfp_mm *mm, u64 start, u64 len, unsigned int prot)
{
	unsigned long newflags = 0;
	u64 end, addr;
	int ret;

	if (!PAGE_ALIGNED(start) || (prot & ~(PROT_READ | PROT_WRITE)))
		return -EINVAL;
	if (!len)
		return 0;
	end = start + page_align_len(len);
	if (!range_valid(start, end - start))
		return -ENOMEM;
	if (prot & PROT_READ)
		newflags |= VM_READ;
	if (prot & PROT_WRITE)
		newflags |= VM_WRITE;
	/*
	 * mm/mprotect.c do_mprotect_pkey(): VMA by VMA from @start; a hole
	 * stops the walk with -ENOMEM, the VMAs before it keep their change.
	 */
	mmap_write_lock(mm);
	ret = 0;
	for (addr = start; addr < end && !ret;) {
		struct kfp_vma *vma = vma_lookup(mm, addr);
		u64 stop;

		if (!vma) {
			ret = -ENOMEM;
			break;
		}
		stop = vma->vm_end < end ? vma->vm_end : end;
		/* mm/mprotect.c mprotect_fixup(): newflags == oldflags is a no-op */
		if ((vma->vm_flags & (VM_READ | VM_WRITE)) == newflags) {
			addr = stop;
			continue;
		}
		ret = split_range(mm, addr, stop);
		if (ret)
			break;
		change_protection(mm, vma_lookup(mm, addr), newflags);
		addr = stop;
	}
	mmap_write_unlock(mm);
	return ret;
}
