/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the --kernel-tree tests share (tests/tree/test_tree*.c): a few
 * files of a Debian linux-source package unpacked once under
 * build/kernel-trees, patched copies of them, loading a tree as a design,
 * and the properties a scenario breaks under a design.  The kernel text is
 * never in kfp: it is read from /usr/src at test time, and a test SKIPs
 * when the package is not installed.
 */
#ifndef KFP_TESTS_KERNEL_TREE_H
#define KFP_TESTS_KERNEL_TREE_H

#include <stddef.h>

#define KERNEL_TREES "build/kernel-trees"
#define KERNEL_TREE_CACHE KERNEL_TREES "/cache"
/* the patched copies of each build, so that two builds never edit the same one */
#if SLOW_BUILD
#define KERNEL_TREE_BUILD "-san"
#else
#define KERNEL_TREE_BUILD ""
#endif

/*
 * Unpack @files of /usr/src/linux-source-@version.tar.xz into
 * KERNEL_TREES/linux-source-@version (once), or SKIP without the package.
 */
void kernel_tree_unpack(const char *version, const char *const *files, unsigned int nr_files);
/*
 * A copy of @tree under @dir with EXTRAVERSION @extraversion, its @file
 * edited by the sed script @edit, which must change it.  The script names
 * only short patterns: no kernel text is in kfp.
 */
void kernel_tree_patched_copy(const char *tree, const char *dir, const char *extraversion,
			      const char *file, const char *edit);
/* The same, in virt/kvm/kvm_main.c: @from becomes @to (once). */
void kernel_tree_patched_main(const char *tree, const char *dir, const char *extraversion,
			      const char *from, const char *to);
/* Load @dir as a design (kfp_kernel_tree_load()); its index. */
int kernel_tree_load(const char *dir);
/* Which properties some execution of @path violates (bit per property) and accepts (<< 8). */
unsigned int kernel_tree_verdict(const char *path, int design);

/* @path without its "param inject" lines, as KERNEL_TREES/uninjected/NAME in @out. */
const char *kernel_tree_uninjected(const char *path, char *out, size_t size);
/*
 * The scenarios of the skip-retry-check injection: under design @tree they
 * show P2 and P3 with the injection and are safe without it; design
 * @patched (a copy whose retry check never asks for a retry) shows,
 * without the injection, what the injection shows.
 */
void kernel_tree_retry_check_is_caught(int tree, int patched);

#endif
