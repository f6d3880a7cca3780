/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared inside mm/ only (the model's mm/internal.h).
 */
#ifndef KFP_MM_INTERNAL_H
#define KFP_MM_INTERNAL_H

#include <kfp/mm.h>

/* Index of @addr's page in the VMA's memory object. */
static inline unsigned int vma_object_index(const struct kfp_vma *vma, u64 addr)
{
	return vma->pgoff + (unsigned int)((addr - vma->vm_start) >> PAGE_SHIFT);
}

static inline struct kfp_memory_object *vma_memory_object(struct kfp_mm *mm,
							  const struct kfp_vma *vma)
{
	return vma->object >= 0 ? &mm->object[vma->object] : NULL;
}

/* A memory object whose pages have a refcount KVM and mm may take. */
static inline bool memory_object_refcounted(const struct kfp_memory_object *object)
{
	return object->kind == KFP_OBJECT_SHMEM || object->kind == KFP_OBJECT_FILE ||
	       object->kind == KFP_OBJECT_HUGETLB || object->kind == KFP_OBJECT_DRIVER_PAGES ||
	       object->kind == KFP_OBJECT_ZONE_DEVICE;
}

void set_pte_present(struct kfp_mm *mm, u64 addr, kfp_pfn_t pfn, bool writable, bool special);
void pte_clear(struct kfp_mm *mm, u64 addr);

#endif /* KFP_MM_INTERNAL_H */
