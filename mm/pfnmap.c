// SPDX-License-Identifier: GPL-2.0
/*
 * Reading PFNMAP ptes and faulting them in (mm/memory.c follow_pfnmap_start(),
 * follow_pfnmap_end(), mm/gup.c fixup_user_fault(); 6da8e9634bb7 "mm: new
 * follow_pfnmap API", 6.12; follow_pte() before it).
 *
 * follow_pfnmap_start() returns holding the page-table lock; the caller
 * must keep the mmap lock from start to end.  The model's page table has
 * no pmd/pud leaves, so the re-read fixed by ffef67b93aa3 cannot go wrong
 * here: the pte is read once, under the lock.
 */
#include "internal.h"

int follow_pfnmap_start(struct kfp_mm *mm, struct follow_pfnmap_args *args)
{
	struct kfp_vma *vma = args->vma;
	struct kfp_pte *pte;

	kfp_lockdep_assert_held(&mm->mmap_lock);
	if (!vma || args->address < vma->vm_start || args->address >= vma->vm_end)
		return -EINVAL;
	if (!(vma->vm_flags & (VM_IO | VM_PFNMAP)))
		return -EINVAL;
	kfp_write_lock(&mm->page_table_lock);
	pte = kfp_pte_of(mm, args->address);
	kfp_shared_read(kfp_pte_object(args->address), "follow_pfnmap_start");
	if (pte->kind != KFP_PTE_PRESENT || pte->protnone) {
		kfp_write_unlock(&mm->page_table_lock);
		return -EINVAL;
	}
	args->mm = mm;
	args->pfn = pte->pfn;
	args->writable = pte->writable;
	args->special = pte->special;
	return 0;
}

void follow_pfnmap_end(struct follow_pfnmap_args *args)
{
	kfp_write_unlock(&args->mm->page_table_lock);
}

/* mm/gup.c vma_permits_fault() */
static bool vma_permits_fault(const struct kfp_vma *vma, unsigned int fault_flags)
{
	unsigned long required = (fault_flags & FAULT_FLAG_WRITE) ? VM_WRITE : VM_READ;

	return vma->vm_flags & required;
}

/*
 * mm/gup.c fixup_user_fault(): fault @address in with the mmap lock held.
 * When @unlocked is given the fault may drop the lock; the function then
 * retakes it, sets *@unlocked and retries, so the caller must look the VMA
 * up again.  Poison is -EFAULT here (no FOLL_HWPOISON).
 */
int fixup_user_fault(struct kfp_mm *mm, u64 address, unsigned int fault_flags, bool *unlocked)
{
	kfp_lockdep_assert_held(&mm->mmap_lock);
	if (unlocked)
		fault_flags |= FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE;
	for (;;) {
		struct kfp_vma *vma = vma_lookup(mm, address);
		vm_fault_t ret;

		if (!vma || !vma_permits_fault(vma, fault_flags))
			return -EFAULT;
		if ((fault_flags & FAULT_FLAG_KILLABLE) && fatal_signal_pending(mm))
			return -EINTR;
		ret = handle_mm_fault(mm, vma, address, fault_flags);
		if (ret & VM_FAULT_ERROR)
			return vm_fault_to_errno(ret, 0);
		if (!(ret & VM_FAULT_RETRY))
			return 0;
		mmap_read_lock(mm);
		*unlocked = true;
		fault_flags |= FAULT_FLAG_TRIED;
	}
}
