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

/*
 * mm/madvise.c madvise_dontneed_free_valid_vma(): not on VM_PFNMAP; on a
 * hugetlb VMA (allowed since 5.18, 90e7e7f5ef3f) the start must be huge
 * page aligned (else -EINVAL) and the end is rounded down to a huge page
 * ("mm,madvise,hugetlb: fix unexpected data loss with MADV_DONTNEED on
 * hugetlbfs", 2022), so only whole huge pages are zapped.  The range
 * [@start, @stop) lies inside @vma; *@zap_end is where the zap ends.
 */
static bool dontneed_valid_vma(const struct kfp_vma *vma, u64 start, u64 *zap_end, u64 stop)
{
	u64 huge = (u64)KFP_HUGE_NR << PAGE_SHIFT;

	*zap_end = stop;
	if (vma->vm_flags & VM_PFNMAP)
		return false;
	if (!(vma->vm_flags & VM_HUGETLB))
		return true;
	if (start & (huge - 1))
		return false;
	*zap_end = stop & ~(huge - 1);
	return true;
}

/* mm/madvise.c madvise_dontneed_single_vma() under the mmap read lock. */
int kfp_madvise_dontneed(struct kfp_mm *mm, u64 start, u64 len)
{
	u64 end, addr, zap_end;
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
		if (!dontneed_valid_vma(vma, addr, &zap_end, stop)) {
			ret = -EINVAL;
			break;
		}
		/* mm/madvise.c madvise_dontneed_free(): start == end does nothing */
		if (zap_end > addr)
			zap_range(mm, addr, zap_end, MMU_NOTIFY_CLEAR);
		addr = stop;
	}
	mmap_read_unlock(mm);
	return ret;
}
