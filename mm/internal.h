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

/* The seam's object for mm->write_protect_seq (an id no memory object has). */
static inline u32 write_protect_seq_object(void)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_MEMORY_OBJECT, 0xffffe);
}

void set_pte_present(struct kfp_mm *mm, u64 addr, kfp_pfn_t pfn, bool writable, bool special);
void pte_clear(struct kfp_mm *mm, u64 addr);
/* include/linux/pgtable.h pte_same(): every bit of the entry (mm/gup.c) */
bool pte_same(const struct kfp_pte *a, const struct kfp_pte *b);

/* ---- shared by the host operations ---- */

static inline u32 vma_tree_object(void)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_VMA_TREE, 0);
}

static inline bool range_valid(u64 start, u64 len)
{
	return PAGE_ALIGNED(start) && len && kfp_hva_in_range(start) && start + len > start &&
	       start + len <= KFP_HVA_LIMIT;
}

static inline u64 page_align_len(u64 len)
{
	return (len + PAGE_SIZE - 1) & PAGE_MASK;
}

/* mm/vma.c: VMAs as host operations change them. */
struct kfp_vma *vma_alloc(struct kfp_mm *mm);
int split_range(struct kfp_mm *mm, u64 start, u64 end);
bool range_is_free(struct kfp_mm *mm, u64 start, u64 end);
int do_munmap(struct kfp_mm *mm, u64 start, u64 end);

/* Pages unmapped inside one invalidation, put once it has ended. */
struct unmap_batch {
	unsigned int nr;
	u16 pfn[KFP_NR_VPAGES];
	kfp_owner_t owner[KFP_NR_VPAGES];
};

/* mm/memory.c: zapping ptes. */
void batch_release(struct kfp_mm *mm, struct unmap_batch *batch);
void zap_pte(struct kfp_mm *mm, u64 addr, struct unmap_batch *batch);
void zap_range(struct kfp_mm *mm, u64 start, u64 end, enum mmu_notifier_event event);

/* mm/rmap.c: the ptes that map a page, and unmapping them. */
unsigned int rmap_walk(struct kfp_mm *mm, kfp_pfn_t pfn, u64 *addrs);
unsigned int unmap_all(struct kfp_mm *mm, kfp_pfn_t pfn, u64 *addrs, unsigned int nr,
		       enum kfp_pte_kind kind);

#endif /* KFP_MM_INTERNAL_H */
