/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 6.1-era shim's kfp side (tree/shim61.c): what the tree's code calls
 * (the kts_* functions tree/shim/6.1/kernel.h renames mm calls onto; the
 * kfp binary exports them) and how kfp enters and leaves the tree's code.
 * Pointers of the kernel's types are void * here: kfp never sees them.
 */
#ifndef KFP_TREE_SHIM61_H
#define KFP_TREE_SHIM61_H

#include <kfp/kvm.h>

extern char kts_pages[];

/* What a nested entry into the tree's code hides of the outer one. */
struct kts_saved {
	kfp_owner_t owner;
	u8 remapped;
};

/* Around every call into the tree's code: the world and the reference owner. */
struct kts_saved kts_enter(struct kvm *kvm, kfp_owner_t owner);
void kts_leave(struct kts_saved saved);

/* The world and the reference owner of the thread in the tree's code */
struct kvm *kts_world(void);
kfp_owner_t kts_owner(void);
void kts_warn(const char *file, int line, const char *what);
void *kts_current(void);
bool kts_get_user_page_fast_only(unsigned long addr, unsigned int gup_flags, void **pagep);
long kts_get_user_pages_unlocked(unsigned long start, unsigned long nr_pages, void **pages,
				 unsigned int gup_flags);
long kts_get_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
			void **pages, void **vmas);
bool kts_get_page_unless_zero(void *page);
void kts_put_page(void *page);
int kts_pfn_valid(unsigned long pfn);
int kts_PageReserved(const void *page);
int kts_is_zero_pfn(unsigned long pfn);
bool kts_is_zone_device_page(const void *page);
int kts_page_count(const void *page);
void kts_mark_page_accessed(void *page);
void kts_SetPageDirty(void *page);
int kts_follow_pte(void *mm_struct, unsigned long address, void **ptepp, void **ptlp);
void kts_pte_unmap_unlock(void *ptep, void *ptl);
int kts_fixup_user_fault(void *mm_struct, unsigned long address, unsigned int fault_flags,
			 bool *unlocked);
void kts_mmap_read_lock(void *mm_struct);
void kts_mmap_read_unlock(void *mm_struct);
void *kts_vma_lookup(void *mm_struct, unsigned long addr);

/* The kernel-shaped struct kvm the retry check reads, its fields registered as shared. */
void *kts_kvm_of(void);
/* Its size and the offsets of the four fields, to check against the tree's unit. */
void kts_kvm_layout(u64 *v);
void kts_lockdep_assert_held(const void *lock);
/* Its gpc_lock and mn_active_invalidate_count, which the 6.1 gfn->pfn cache uses (tree/gpc.c) */
void *kts61_gpc_lock(void);
long *kts61_mn_active_invalidate_count(void);

/* Was the remapped path taken since kts_enter()? */
bool kts_remapped(void);

#endif /* KFP_TREE_SHIM61_H */
