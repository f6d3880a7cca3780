/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 6.12 shim's kfp side (tree/shim612.c): what the 6.12 tree's code
 * calls beyond what it calls as 6.1 did (tree/shim61.h).  Pointers of the
 * kernel's types are void * here: kfp never sees them.
 */
#ifndef KFP_TREE_SHIM612_H
#define KFP_TREE_SHIM612_H

int kts612_follow_pfnmap_start(void *args);
void kts612_follow_pfnmap_end(void *args);

#endif /* KFP_TREE_SHIM612_H */
