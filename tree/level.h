/* SPDX-License-Identifier: GPL-2.0 */
/* API levels of KVM's lookup path (tree/level.c, docs/kernel-tree.md). */
#ifndef KFP_TREE_LEVEL_H
#define KFP_TREE_LEVEL_H

#include "tree.h"

enum kt_level {
	KT_LEVEL_6_1, /* 6.1 .. ~6.7: follow_pte, __gfn_to_pfn_memslot, retry by hva */
	KT_LEVEL_6_12, /* follow_pfnmap_start, retry by gfn */
	KT_LEVEL_6_13, /* kvm_follow_pfn with refcounted_page */
};

const char *kt_level_name(enum kt_level level);
/* From virt/kvm/kvm_main.c and include/linux/kvm_host.h; -1 with @err naming what is missing. */
int kt_detect_level(const struct kt_source *kvm_main, const struct kt_source *kvm_host,
		    enum kt_level *level, struct kt_buf *err);
/* "6.1.192" from DIR/Makefile into @version. */
int kt_tree_version(const char *dir, char *version, size_t size, struct kt_buf *err);

/* A kernel tree opened for --kernel-tree (tree/load.c). */
struct kt_tree {
	const char *dir;
	char version[32];
	enum kt_level level;
	struct kt_source kvm_main, kvm_host;
	struct kt_source kvm_mm; /* virt/kvm/kvm_mm.h: 6.13+ only (struct kvm_follow_pfn) */
	struct kt_source pfncache; /* virt/kvm/pfncache.c if present, at 6.12 and 6.13+ */
};

/* Read DIR's files, version and level; -1 with @err saying what is wrong. */
int kt_tree_open(struct kt_tree *t, const char *dir, struct kt_buf *err);
void kt_tree_close(struct kt_tree *t);
/* The translation unit of the tree's level: kfp's constants, shim, the tree's definitions. */
int kt_generate(const struct kt_tree *t, struct kt_buf *tu, struct kt_buf *err);
/* Compile @tu into @cache_dir (reused when its hash is there); the .so's path in @so. */
int kt_compile(const char *tu, const char *cache_dir, const char *version, char *so, size_t so_size,
	       struct kt_buf *err);
/* $KFP_CACHE_DIR, else $XDG_CACHE_HOME/kfp, else ~/.cache/kfp. */
void kt_cache_dir(char *dir, size_t size);

#endif /* KFP_TREE_LEVEL_H */
