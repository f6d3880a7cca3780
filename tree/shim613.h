/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 6.13+ shim's kfp side (tree/shim613.c): what the 6.13+ tree's code
 * calls beyond what it calls as 6.1 and 6.12 did (tree/shim61.h,
 * tree/shim612.h).  Pointers of the kernel's types are void * here.
 */
#ifndef KFP_TREE_SHIM613_H
#define KFP_TREE_SHIM613_H

#include <stdbool.h>

int kts613_pin_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
			       void **pages);
long kts613_pin_user_pages_unlocked(unsigned long start, unsigned long nr_pages, void **pages,
				    unsigned int gup_flags);
bool kts613_allow_unsafe_mappings(void);

#endif /* KFP_TREE_SHIM613_H */
