/* SPDX-License-Identifier: GPL-2.0 */
/* kfp's thread-sanitizer runtime for the tree's code (tree/tsan.c). */
#ifndef KFP_TREE_TSAN_H
#define KFP_TREE_TSAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kfp/types.h>

#define KTS_TSAN_MAX_RANGES 24

/* Memory of the tree's code that is kernel state shared between threads. */
struct kts_tsan_range {
	uintptr_t start;
	size_t len;
	u32 object; /* the seam object an access to it is */
	const char *what;
	/* copy the model's value in before a load (NULL: the memory is the model's) */
	void (*refresh)(struct kts_tsan_range *range);
	void *data;
};

/* What the hooks saw (per OS thread): instrumentation is live if calls > 0. */
struct kts_tsan_counts {
	unsigned long calls, reads, writes, shared;
};
extern __thread struct kts_tsan_counts kts_tsan_counts;

int kts_tsan_register(const struct kts_tsan_range *range);
void kts_tsan_unregister_all(void);
/* Drop every range of the seam object @object (the gpc's of an earlier world). */
void kts_tsan_unregister_object(u32 object);
/* Run at the start of every hook, before its scheduling point (NULL: nothing). */
extern __thread void (*kts_tsan_before)(void);

#endif /* KFP_TREE_TSAN_H */
