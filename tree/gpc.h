/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --kernel-tree: the tree's gfn->pfn cache (virt/kvm/pfncache.c) in place
 * of kfp's kvm/pfncache.c, at every level kfp has a shim for (6.1-era,
 * 6.12, 6.13+): what to extract, the shim's texts, the design's hooks.
 */
#ifndef KFP_TREE_GPC_H
#define KFP_TREE_GPC_H

#include <kfp/kvm.h>

#include "level.h"

/* One definition the gpc's shim takes from the tree. */
struct kt_wanted {
	const char *file; /* under the tree */
	enum kt_kind kind;
	const char *name;
};

/* The pfncache definitions of @level (and what they call), or NULL if kfp has no shim for it. */
const struct kt_wanted *kt_gpc_wanted(enum kt_level level, unsigned int *n);

/* The shim's texts, in order: after the level's kernel.h (@entry false), after its entry.h. */
struct kt_gpc_text {
	const char *name; /* under tree/shim/, for #line */
	const char *text;
};
const struct kt_gpc_text *kt_gpc_texts(enum kt_level level, bool entry, unsigned int *n);

/* Does the unit compiled into @so have the gpc's entry points?  Then hook them into @design. */
int kt_gpc_load(struct kvm_design *design, enum kt_level level, const char *so, const char *version,
		struct kt_buf *err);

/* The model's lock whose kernel-shaped stand-in is at @lock, or NULL (tree/shim61.c). */
struct kfp_lock *kts_gpc_lock_of(const void *lock);

/* What the tree's pfncache.c calls (tree/shim/gpc/kernel.h; kernel pointers are void * here) */
void kts_gpc_write_lock(const void *lock);
void kts_gpc_write_unlock(const void *lock);
void kts_gpc_read_lock(const void *lock);
void kts_gpc_read_unlock(const void *lock);
void kts_gpc_lockdep_assert_held_write(const void *lock);
void kts_gpc_list_add(void *entry);
void kts_gpc_list_del(void *entry);
void *kts_gpc_list_next(void *gpc);
void *kts_gpc_memslots(void *kvm);
void *kts_gpc_gfn_to_memslot(u64 gfn);
void kts_gpc_cond_resched(void);
struct kvm *kts_gpc_kvm(void);
bool kts_gpc_make_vcpus_request_mask(void *kvm, unsigned int req, unsigned long *vcpu_bitmap);

#endif /* KFP_TREE_GPC_H */
