// SPDX-License-Identifier: GPL-2.0
/*
 * mremap(2) with MREMAP_MAYMOVE | MREMAP_FIXED (mm/mremap.c).
 *
 * Every operation here changes ptes only between
 * mmu_notifier_invalidate_range_start() and _end(), and puts the pages it
 * unmapped after _end() (see mm/memory.c).
 */
#include "internal.h"

/* mm/mremap.c move_page_tables(): the ptes move, the pfns stay. */
static void move_ptes(struct kfp_mm *mm, u64 old_addr, u64 new_addr, u64 len)
{
	struct mmu_notifier_range range = { old_addr, old_addr + len, MMU_NOTIFY_UNMAP, 1 };
	u64 off;

	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	for (off = 0; off < len; off += PAGE_SIZE) {
		struct kfp_pte *from = kfp_pte_of(mm, old_addr + off);
		struct kfp_pte *to = kfp_pte_of(mm, new_addr + off);

		kfp_shared_write(kfp_pte_object(old_addr + off), "move_pte");
		kfp_shared_write(kfp_pte_object(new_addr + off), "move_pte");
		*to = *from;
		pte_clear(mm, old_addr + off);
	}
	kfp_write_unlock(&mm->page_table_lock);
	mmu_notifier_invalidate_range_end(mm, &range);
}

/*
 * mm/mremap.c mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, new):
 * -EINVAL for unaligned or overlapping ranges, -EFAULT when the old range
 * is not inside one VMA.
 */
int kfp_mremap(struct kfp_mm *mm, u64 old_addr, u64 len, u64 new_addr)
{
	struct kfp_vma *old, *moved;
	u64 size = page_align_len(len);
	int ret;

	if (!PAGE_ALIGNED(old_addr) || !PAGE_ALIGNED(new_addr) || !len)
		return -EINVAL;
	if (!range_valid(new_addr, size))
		return -EINVAL;
	/* mm/mremap.c: no VMA there (vma_lookup() fails) */
	if (!range_valid(old_addr, size))
		return -EFAULT;
	if (old_addr < new_addr + size && new_addr < old_addr + size)
		return -EINVAL;
	mmap_write_lock(mm);
	old = vma_lookup(mm, old_addr);
	ret = -EFAULT;
	if (!old || old_addr + size > old->vm_end)
		goto out_unlock;
	ret = do_munmap(mm, new_addr, new_addr + size);
	if (ret)
		goto out_unlock;
	ret = split_range(mm, old_addr, old_addr + size);
	if (ret)
		goto out_unlock;
	old = vma_lookup(mm, old_addr);
	moved = vma_alloc(mm);
	ret = -ENOMEM;
	if (!moved)
		goto out_unlock;
	kfp_shared_write(vma_tree_object(), "mremap");
	*moved = *old;
	moved->vm_start = new_addr;
	moved->vm_end = new_addr + size;
	move_ptes(mm, old_addr, new_addr, size);
	old->in_use = 0;
	ret = 0;
out_unlock:
	mmap_write_unlock(mm);
	return ret;
}
