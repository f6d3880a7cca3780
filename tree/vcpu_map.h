/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --kernel-tree: the bodies of the tree's kvm_vcpu_map() (6.1, 6.12) or
 * __kvm_vcpu_map() (6.13+) and kvm_vcpu_unmap() as a design's hooks
 * (tree/vcpu_map.c), and what they call, onto kfp's model.  Pointers of
 * the kernel's types are void * here: kfp never sees them.
 */
#ifndef KFP_TREE_VCPU_MAP_H
#define KFP_TREE_VCPU_MAP_H

#include <kfp/kvm.h>

#include "tree.h"

/* The entry points @prefix"vcpu_map" and "vcpu_unmap" of the unit @h, for design @d. */
int kt_vcpu_map_load(const struct kvm_design *d, void *h, const char *prefix, const char *version,
		     struct kt_buf *err);
/* Set @d's vcpu_map/vcpu_unmap hooks to the tree's (after kt_vcpu_map_load()). */
void kt_vcpu_map_design(struct kvm_design *d);

/* What the tree's kvm_vcpu_map()/kvm_vcpu_unmap() call (tree/shim/LEVEL/kernel.h) */
void *kts_gfn_to_memslot(void *kvm, u64 gfn);
void *kts_vcpu_gfn_to_memslot(void *vcpu, u64 gfn);
void kts_vcpu_mark_page_dirty(void *vcpu, u64 gfn);
void *kts_kmap(void *page);
void kts_kunmap(void *page);
void *kts_memremap(u64 offset, size_t size, unsigned long flags);
void kts_memunmap(void *addr);
void kts613_unpin_user_page(void *page);

#endif /* KFP_TREE_VCPU_MAP_H */
