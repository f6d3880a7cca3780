// SPDX-License-Identifier: GPL-2.0
/*
 * madvise(2) MADV_DONTNEED (mm/madvise.c).  MADV_PAGEOUT's reclaim is in
 * mm/vmscan.c.
 *
 * Every operation here changes ptes only between
 * mmu_notifier_invalidate_range_start() and _end(), and puts the pages it
 * unmapped after _end() (see mm/memory.c).
 */
#include "internal.h"

/* mm/madvise.c madvise_dontneed_single_vma() under the mmap read lock. */
int kfp_madvise_dontneed(struct kfp_mm *mm, u64 start, u64 len)
{
	u64 end, addr;
	int ret = 0;

	if (!PAGE_ALIGNED(start))
		return -EINVAL;
	if (!len)
		return 0;
	end = start + page_align_len(len);
	if (!range_valid(start, end - start))
		return -ENOMEM;
	mmap_read_lock(mm);
	for (addr = start; addr < end;) {
		struct kfp_vma *vma = vma_lookup(mm, addr);
		u64 stop;

		if (!vma) {
			ret = -ENOMEM;
			addr += PAGE_SIZE;
			continue;
		}
		stop = vma->vm_end < end ? vma->vm_end : end;
		/* madvise_dontneed_free_valid_vma(): not on VM_PFNMAP */
		if (vma->vm_flags & VM_PFNMAP) {
			ret = -EINVAL;
			break;
		}
		zap_range(mm, addr, stop, MMU_NOTIFY_CLEAR);
		addr = stop;
	}
	mmap_read_unlock(mm);
	return ret;
}
