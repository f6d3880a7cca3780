// SPDX-License-Identifier: GPL-2.0
/*
 * A driver revoking the memory it mapped into the process (as vfio-pci does
 * on a device reset: drivers/vfio/pci/vfio_pci_core.c), with
 * unmap_mapping_range() over the VMAs that map it.
 *
 * Every operation here changes ptes only between
 * mmu_notifier_invalidate_range_start() and _end(), and puts the pages it
 * unmapped after _end() (see mm/memory.c).
 */
#include "internal.h"

/* Give a revoked object's memory back to whoever it came from. */
static void release_object_memory(struct kfp_mm *mm, struct kfp_memory_object *object)
{
	unsigned int i;

	switch (object->kind) {
	case KFP_OBJECT_DRIVER_PAGES:
	case KFP_OBJECT_ZONE_DEVICE:
		for (i = 0; i < object->nr_pages; i++)
			put_page(mm, object->pfn[i], KFP_OWNER_DRIVER);
		break;
	case KFP_OBJECT_TTM:
		kfp_free_pages(mm, object->pfn[0], KFP_OWNER_DRIVER);
		break;
	default:
		/* device MMIO and reserved RAM: the range goes back to the driver */
		for (i = 0; i < object->nr_pages; i++) {
			struct kfp_page *page = &mm->page[object->pfn[i]];

			kfp_shared_write(KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, object->pfn[i]),
					 "device memory release");
			page->flags |= PG_released;
			page->generation++;
			page->content = KFP_POISON_FREE;
		}
		break;
	}
}

/*
 * A driver revokes its memory (e.g. vfio on device reset, a GPU buffer
 * being evicted): unmap_mapping_range() over every VMA that maps the
 * object, then the memory is released.
 */
int kfp_driver_revoke(struct kfp_mm *mm, int id)
{
	struct kfp_memory_object *object;
	unsigned int i;
	int ret;

	if (id < 0 || id >= KFP_MAX_OBJECTS || !mm->object[id].in_use)
		return -EBADF;
	object = &mm->object[id];
	if (object->kind == KFP_OBJECT_SHMEM || object->kind == KFP_OBJECT_FILE ||
	    object->kind == KFP_OBJECT_HUGETLB)
		return -EINVAL;
	mmap_read_lock(mm);
	/*
	 * drivers/vfio/pci/vfio_pci_core.c vfio_pci_zap_and_down_write_memory_lock():
	 * memory_lock for write, then refuse new faults, zap, and give the
	 * memory back.  A fault holds memory_lock for read across its released
	 * check and its insert (vfio_pci_mmap_huge_fault()), so it either
	 * inserts before the zap or sees the memory released.
	 */
	kfp_write_lock(&object->memory_lock);
	/*
	 * Tested under memory_lock: vfio-pci changes the memory enable with
	 * memory_lock held for write (vfio_pci_zap_and_down_write_memory_lock()),
	 * TTM evicts a buffer under its reservation (ttm_bo_evict() with the
	 * dma_resv lock held), so a second revoke finds the memory given back.
	 */
	ret = -ENODEV;
	if (object->released)
		goto out_unlock;
	kfp_shared_write(KFP_OBJECT(KFP_OBJECT_CLASS_MEMORY_OBJECT, id), "driver revoke");
	object->released = 1;
	for (i = 0; i < KFP_MAX_VMAS; i++) {
		struct kfp_vma *vma = &mm->vma[i];

		if (vma->in_use && vma->object == id &&
		    (vma->backing == KFP_BACKING_PFNMAP || vma->backing == KFP_BACKING_MIXEDMAP))
			zap_range(mm, vma->vm_start, vma->vm_end, MMU_NOTIFY_CLEAR);
	}
	release_object_memory(mm, object);
	ret = 0;
out_unlock:
	kfp_write_unlock(&object->memory_lock);
	mmap_read_unlock(mm);
	return ret;
}
