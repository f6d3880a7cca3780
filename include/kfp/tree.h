/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --kernel-tree DIR (tree/, docs/kernel-tree.md): check the KVM lookup
 * path of a kernel tree, compiled at run time against kfp's shim, as one
 * more design column, "tree:VERSION".
 */
#ifndef KFP_TREE_PUBLIC_H
#define KFP_TREE_PUBLIC_H

#include <stddef.h>

/*
 * Load DIR's code (compiled into @cache_dir, NULL: the default cache) and
 * register its design; the design's index, or -1 with @msg saying why.
 */
int kfp_kernel_tree_load(const char *dir, const char *cache_dir, char *msg, size_t msg_size);

/*
 * Take every --kernel-tree DIR out of argv and load it; 0, or 2 after
 * printing "PROGRAM: --kernel-tree DIR: why" on stderr.
 */
int kfp_kernel_tree_option(int *argc, char **argv, const char *program);

#endif /* KFP_TREE_PUBLIC_H */
