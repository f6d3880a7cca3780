/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KFP_TREE_SHIM_TEXT_H
#define KFP_TREE_SHIM_TEXT_H

/* tree/shim/6.1/kernel.h and entry.h, NUL-terminated (tree/shim_text.c) */
extern const char kts_shim61_kernel_h[];
extern const char kts_shim61_entry_h[];
/* tree/shim/6.12/kernel.h and entry.h */
extern const char kts_shim612_kernel_h[];
extern const char kts_shim612_entry_h[];
/* tree/shim/6.13/kernel.h and entry.h */
extern const char kts_shim613_kernel_h[];
extern const char kts_shim613_entry_h[];
/* tree/shim/gpc/: the gfn->pfn cache (kernel.h, then kernel61.h at 6.1; entry*.h, layout.h) */
extern const char kts_shimgpc_kernel_h[];
extern const char kts_shimgpc_entry_h[];
extern const char kts_shimgpc_kernel61_h[];
extern const char kts_shimgpc_entry61_h[];
extern const char kts_shimgpc_layout_h[];

#endif /* KFP_TREE_SHIM_TEXT_H */
