// SPDX-License-Identifier: GPL-2.0
/*
 * The shim's kernel-side text (tree/shim/LEVEL/ headers), built into the kfp
 * binary so that --kernel-tree needs nothing from kfp's source directory
 * at run time.  Each is NUL-terminated.
 */
#include "shim_text.h"

#define KTS_INCBIN(symbol, file)               \
	__asm__(".section .rodata\n"           \
		".global " #symbol "\n"        \
		".type " #symbol ", @object\n" \
		".balign 8\n" #symbol ":\n"    \
		".incbin \"" file "\"\n"       \
		".byte 0\n"                    \
		".previous\n")

KTS_INCBIN(kts_shim61_kernel_h, "tree/shim/6.1/kernel.h");
KTS_INCBIN(kts_shim61_entry_h, "tree/shim/6.1/entry.h");
KTS_INCBIN(kts_shim612_kernel_h, "tree/shim/6.12/kernel.h");
KTS_INCBIN(kts_shim612_entry_h, "tree/shim/6.12/entry.h");
KTS_INCBIN(kts_shim613_kernel_h, "tree/shim/6.13/kernel.h");
KTS_INCBIN(kts_shim613_entry_h, "tree/shim/6.13/entry.h");
KTS_INCBIN(kts_shimgpc_kernel_h, "tree/shim/gpc/kernel.h");
KTS_INCBIN(kts_shimgpc_entry_h, "tree/shim/gpc/entry.h");
KTS_INCBIN(kts_shimgpc_kernel61_h, "tree/shim/gpc/kernel61.h");
KTS_INCBIN(kts_shimgpc_entry61_h, "tree/shim/gpc/entry61.h");
KTS_INCBIN(kts_shimgpc_layout_h, "tree/shim/gpc/layout.h");
