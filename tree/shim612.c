// SPDX-License-Identifier: GPL-2.0
/*
 * kfp's shim for the 6.12 lookup path, part 2: the customised behaviour
 * that differs from 6.1's (tree/shim61.c has the rest: GUP, the page
 * helpers, mmap_lock, vma_lookup(), fixup_user_fault(), which 6.12 calls
 * as 6.1 did).  6.12 walks a VM_IO|VM_PFNMAP VMA's page table with
 * follow_pfnmap_start()/follow_pfnmap_end() where 6.1 had follow_pte():
 * here they are the model's functions of the same names, on the VMA the
 * tree's vma_lookup() returned.  The page-table lock the thread holds
 * between the two lives in kvm->tree_frame[thread].pte_args, inside the
 * world, as 6.1's does.
 */
#include <stddef.h>
#include <string.h>

#include <kfp/kvm.h>

#include "shim61.h"
#include "shim612.h"

/* tree/shim/6.12/kernel.h struct follow_pfnmap_args, as kfp sees it */
struct kts612_args {
	void *vma; /* struct vm_area_struct: tree/shim61.c's copy of the model's VMA */
	unsigned long address;
	unsigned long pfn;
	bool writable;
	bool special;
};

/* tree/shim/6.1/kernel.h (and 6.12's) struct vm_area_struct, as kfp sees it */
struct kts612_vma {
	void *vm_mm;
	unsigned long vm_start, vm_end, vm_flags;
	struct kfp_vma *kfp_vma;
};

/* The frame of the thread in the tree's code: kts_current() is its task. */
static struct kvm_tree_frame *frame(void)
{
	return (struct kvm_tree_frame *)((char *)kts_current() -
					 offsetof(struct kvm_tree_frame, task));
}

/*
 * mm/memory.c follow_pfnmap_start() (6.12): the pfn and write bit of
 * args->address in args->vma, with the page-table lock held until
 * follow_pfnmap_end(); -EINVAL when nothing is mapped there.
 */
int kts612_follow_pfnmap_start(void *args)
{
	struct kvm_tree_frame *f = frame();
	struct kts612_args *a = args;
	const struct kts612_vma *vma = a->vma;
	int r;

	memset(&f->pte_args, 0, sizeof(f->pte_args));
	f->pte_args.vma = vma->kfp_vma;
	f->pte_args.address = a->address;
	r = follow_pfnmap_start((struct kfp_mm *)(uintptr_t)f->task[0], &f->pte_args);
	if (r)
		return r;
	a->pfn = f->pte_args.pfn;
	a->writable = f->pte_args.writable;
	a->special = f->pte_args.special;
	f->remapped = 1;
	return 0;
}

/* mm/memory.c follow_pfnmap_end(): the page-table lock is dropped */
void kts612_follow_pfnmap_end(void *args)
{
	(void)args;
	follow_pfnmap_end(&frame()->pte_args);
}
