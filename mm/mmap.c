// SPDX-License-Identifier: GPL-2.0
/*
 * mmap(2), munmap(2) and exit_mmap() (mm/mmap.c).
 *
 * Every operation here changes ptes only between
 * mmu_notifier_invalidate_range_start() and _end(), and puts the pages it
 * unmapped after _end() (see mm/memory.c).
 */
#include <string.h>

#include "internal.h"

int kfp_munmap(struct kfp_mm *mm, u64 start, u64 len)
{
	int ret;

	/* mm/vma.c do_vmi_munmap(): -EINVAL for unaligned or out-of-range */
	if (!range_valid(start, len))
		return -EINVAL;
	mmap_write_lock(mm);
	ret = do_munmap(mm, start, start + page_align_len(len));
	mmap_write_unlock(mm);
	return ret;
}

static int check_mmap_backing(struct kfp_mm *mm, const struct kfp_mmap_args *args, u64 nr)
{
	const struct kfp_memory_object *object;
	bool driver = args->backing == KFP_BACKING_PFNMAP || args->backing == KFP_BACKING_MIXEDMAP;

	if ((unsigned int)args->backing >= KFP_NR_BACKINGS)
		return -EINVAL;
	if (args->backing == KFP_BACKING_ANON)
		return args->object < 0 ? 0 : -EINVAL;
	if (args->object < 0 || args->object >= KFP_MAX_OBJECTS || !mm->object[args->object].in_use)
		return -EBADF;
	object = &mm->object[args->object];
	switch (args->backing) {
	case KFP_BACKING_SHARED:
		if (object->kind != KFP_OBJECT_SHMEM || !(args->flags & KFP_MAP_SHARED))
			return -EINVAL;
		break;
	case KFP_BACKING_FILE:
		if (object->kind != KFP_OBJECT_FILE && object->kind != KFP_OBJECT_SHMEM)
			return -EINVAL;
		break;
	case KFP_BACKING_HUGETLB:
		/* the model maps hugetlbfs shared only and huge-page aligned */
		if (object->kind != KFP_OBJECT_HUGETLB || !(args->flags & KFP_MAP_SHARED) ||
		    (args->pgoff % KFP_HUGE_NR) || ((args->addr >> PAGE_SHIFT) % KFP_HUGE_NR))
			return -EINVAL;
		break;
	default:
		/* a driver's mmap() maps the driver's own memory only */
		if (object->kind == KFP_OBJECT_SHMEM || object->kind == KFP_OBJECT_FILE ||
		    object->kind == KFP_OBJECT_HUGETLB)
			return -EINVAL;
		break;
	}
	/* a driver's mmap() refuses a range past its memory */
	if ((driver || args->backing == KFP_BACKING_HUGETLB) && args->pgoff + nr > object->nr_pages)
		return -EINVAL;
	return 0;
}

/* A driver's memory the driver revoked (check_mmap_backing() vetted @args). */
static bool mmap_backing_revoked(const struct kfp_mm *mm, const struct kfp_mmap_args *args)
{
	if (args->backing != KFP_BACKING_PFNMAP && args->backing != KFP_BACKING_MIXEDMAP)
		return false;
	return mm->object[args->object].released;
}

static unsigned long mmap_vm_flags(const struct kfp_mmap_args *args)
{
	unsigned long flags = 0;

	if (args->prot & PROT_READ)
		flags |= VM_READ;
	if (args->prot & PROT_WRITE)
		flags |= VM_WRITE;
	if (args->flags & KFP_MAP_SHARED)
		flags |= VM_SHARED;
	switch (args->backing) {
	case KFP_BACKING_PFNMAP:
		/* mm/memory.c remap_pfn_range() / a driver's mmap */
		flags |= VM_IO | VM_PFNMAP;
		break;
	case KFP_BACKING_MIXEDMAP:
		flags |= VM_MIXEDMAP;
		break;
	case KFP_BACKING_HUGETLB:
		flags |= VM_HUGETLB;
		break;
	case KFP_BACKING_ANON:
		if (args->flags & KFP_MAP_HUGEPAGE)
			flags |= VM_HUGEPAGE;
		break;
	default:
		break;
	}
	return flags;
}

/* mm/memory.c remap_pfn_range() / vm_insert_page() at mmap time. */
static void populate_driver_vma(struct kfp_mm *mm, struct kfp_vma *vma)
{
	const struct kfp_memory_object *object = vma_memory_object(mm, vma);
	bool writable = vma->vm_flags & VM_WRITE;
	u64 addr;

	kfp_write_lock(&mm->page_table_lock);
	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		kfp_pfn_t pfn = object->pfn[vma_object_index(vma, addr)];

		if (vma->backing == KFP_BACKING_MIXEDMAP && memory_object_refcounted(object)) {
			get_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
			set_pte_present(mm, addr, pfn, writable, false);
		} else {
			set_pte_present(mm, addr, pfn, writable, true);
		}
	}
	kfp_write_unlock(&mm->page_table_lock);
}

/*
 * mm/mmap.c do_mmap().  The model does not choose addresses: without
 * KFP_MAP_FIXED a range that is in use gives -EEXIST (as MAP_FIXED_NOREPLACE
 * would); with it the old mappings are unmapped first.
 */
int kfp_mmap(struct kfp_mm *mm, const struct kfp_mmap_args *args)
{
	u64 len = page_align_len(args->len), end = args->addr + len;
	struct kfp_vma *vma;
	int ret;

	if (!PAGE_ALIGNED(args->addr) || !args->len)
		return -EINVAL;
	if (!range_valid(args->addr, len))
		return -ENOMEM;
	ret = check_mmap_backing(mm, args, len >> PAGE_SHIFT);
	if (ret)
		return ret;
	mmap_write_lock(mm);
	/* read under the mmap lock, which exit_mmap() holds where it sets it */
	ret = -EINVAL;
	if (mm->dead)
		goto out_unlock;
	/*
	 * The driver's ->mmap() (mm/mmap.c mmap_region() -> call_mmap(), under
	 * the mmap lock for write, which revoke takes for read) refuses
	 * memory it gave back; tested before, a revoke could slip in between
	 * and populate_driver_vma() would map freed pages.
	 */
	ret = -ENODEV;
	if (mmap_backing_revoked(mm, args))
		goto out_unlock;
	if (!range_is_free(mm, args->addr, end)) {
		ret = -EEXIST;
		if (!(args->flags & KFP_MAP_FIXED))
			goto out_unlock;
		ret = do_munmap(mm, args->addr, end);
		if (ret)
			goto out_unlock;
	}
	vma = vma_alloc(mm);
	ret = -ENOMEM;
	if (!vma)
		goto out_unlock;
	kfp_shared_write(vma_tree_object(), "mmap");
	memset(vma, 0, sizeof(*vma));
	vma->in_use = 1;
	vma->backing = (u8)args->backing;
	vma->object = (s8)args->object;
	vma->pgoff = args->pgoff;
	vma->vm_start = args->addr;
	vma->vm_end = end;
	vma->vm_flags = mmap_vm_flags(args);
	if ((args->flags & KFP_MAP_POPULATE) &&
	    (vma->backing == KFP_BACKING_PFNMAP || vma->backing == KFP_BACKING_MIXEDMAP))
		populate_driver_vma(mm, vma);
	ret = 0;
out_unlock:
	mmap_write_unlock(mm);
	return ret;
}

/*
 * kernel/fork.c mmput() -> mm/mmap.c exit_mmap(): release the notifier
 * subscribers first (they must drop every secondary mapping), then unmap
 * everything.  The subscribers are gone, so the unmaps notify nobody.
 */
void kfp_mm_teardown(struct kfp_mm *mm)
{
	struct unmap_batch batch;
	unsigned int i;
	u64 addr;

	if (mm->dead)
		return;
	mmu_notifier_release(mm);
	mmap_write_lock(mm);
	batch.nr = 0;
	kfp_write_lock(&mm->page_table_lock);
	for (addr = KFP_HVA_MIN; addr < KFP_HVA_LIMIT; addr += PAGE_SIZE)
		zap_pte(mm, addr, &batch);
	kfp_write_unlock(&mm->page_table_lock);
	for (i = 0; i < KFP_MAX_VMAS; i++)
		mm->vma[i].in_use = 0;
	mm->dead = 1;
	mmap_write_unlock(mm);
	batch_release(mm, &batch);
}
