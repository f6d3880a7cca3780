// SPDX-License-Identifier: GPL-2.0
/*
 * kfp's own runtime for the thread-sanitizer hooks the compiler puts into
 * the tree's code (-fsanitize=thread on that translation unit only; the
 * shared object is linked without libtsan, so these definitions, which the
 * kfp binary exports, are the ones it calls).  This is what the kernel's
 * KCSAN does with the same hooks: every plain load and store of the
 * tree's code reaches kfp.
 *
 * An access to memory registered with kts_tsan_register() (kernel state
 * shared between threads: a kernel-shaped field that mirrors one of the
 * model's) becomes a shared access of the seam on the registered object,
 * i.e. a scheduling point, and the mirror is refreshed from the model
 * just before the load runs.  Any other access (the tree's locals, its
 * arguments, the shim's per-thread copies) is counted and otherwise left
 * alone: it is not shared.  A store to a registered range is a shared
 * write of its object but is not written back to the model: no function
 * the 6.1-era shim extracts stores to kernel state that kfp mirrors.
 * What the 6.1-era shim registers: struct kvm's mmu_invalidate_seq,
 * _in_progress and _range_start/_end (tree/shim61.c kts_kvm_of()).
 * The gfn->pfn cache's shim (tree/gpc.c) registers memory that is the
 * world's own (the tree's struct gfn_to_pfn_cache): its stores are the
 * state, and kts_tsan_before, run before every hook, lets it bring kfp's
 * view of that state up to date before the next scheduling point.
 */
#include <stdint.h>
#include <string.h>

#include <kfp/seam.h>

#include "tsan.h"

static __thread struct kts_tsan_range ranges[KTS_TSAN_MAX_RANGES];
static __thread unsigned int nr_ranges;
__thread struct kts_tsan_counts kts_tsan_counts;
__thread void (*kts_tsan_before)(void);

/* A range registered again at the same address replaces the first. */
int kts_tsan_register(const struct kts_tsan_range *range)
{
	unsigned int i;

	for (i = 0; i < nr_ranges; i++) {
		if (ranges[i].start == range->start) {
			ranges[i] = *range;
			return 0;
		}
	}
	if (nr_ranges == KTS_TSAN_MAX_RANGES)
		return -1;
	ranges[nr_ranges++] = *range;
	return 0;
}

void kts_tsan_unregister_all(void)
{
	nr_ranges = 0;
}

void kts_tsan_unregister_object(u32 object)
{
	unsigned int i, j;

	for (i = j = 0; i < nr_ranges; i++)
		if (ranges[i].object != object)
			ranges[j++] = ranges[i];
	nr_ranges = j;
}

static void access(uintptr_t addr, size_t size, bool write)
{
	unsigned int i;

	if (kts_tsan_before)
		kts_tsan_before();
	if (write)
		kts_tsan_counts.writes++;
	else
		kts_tsan_counts.reads++;
	for (i = 0; i < nr_ranges; i++) {
		struct kts_tsan_range *r = &ranges[i];

		if (addr + size <= r->start || addr >= r->start + r->len)
			continue;
		kts_tsan_counts.shared++;
		if (write)
			kfp_shared_write(r->object, r->what);
		else
			kfp_shared_read(r->object, r->what);
		/* after the scheduling point: the value the load is about to see */
		if (!write && r->refresh)
			r->refresh(r);
		return;
	}
}

/* The hooks: declared here for -Wmissing-prototypes, called only by compiled code. */
#define KTS_TSAN_SIZED(n)                           \
	void __tsan_read##n(void *addr);            \
	void __tsan_write##n(void *addr);           \
	void __tsan_unaligned_read##n(void *addr);  \
	void __tsan_unaligned_write##n(void *addr); \
	void __tsan_read##n(void *addr)             \
	{                                           \
		access((uintptr_t)addr, n, false);  \
	}                                           \
	void __tsan_write##n(void *addr)            \
	{                                           \
		access((uintptr_t)addr, n, true);   \
	}                                           \
	void __tsan_unaligned_read##n(void *addr)   \
	{                                           \
		access((uintptr_t)addr, n, false);  \
	}                                           \
	void __tsan_unaligned_write##n(void *addr)  \
	{                                           \
		access((uintptr_t)addr, n, true);   \
	}

KTS_TSAN_SIZED(1)
KTS_TSAN_SIZED(2)
KTS_TSAN_SIZED(4)
KTS_TSAN_SIZED(8)
KTS_TSAN_SIZED(16)

void __tsan_read_range(void *addr, long size);
void __tsan_write_range(void *addr, long size);
void __tsan_init(void);
void __tsan_func_entry(void *call_pc);
void __tsan_func_exit(void *unused);
void __tsan_vptr_update(void *vptr, void *new_val);
void __tsan_vptr_read(void *vptr);

void __tsan_read_range(void *addr, long size)
{
	access((uintptr_t)addr, (size_t)size, false);
}

void __tsan_write_range(void *addr, long size)
{
	access((uintptr_t)addr, (size_t)size, true);
}

/* The module constructor calls it; kfp needs no set-up. */
void __tsan_init(void)
{
}

void __tsan_func_entry(void *call_pc)
{
	(void)call_pc;
	kts_tsan_counts.calls++;
	if (kts_tsan_before)
		kts_tsan_before();
}

/* GCC's built-in is declared with an argument; the compiled code passes none */
void __tsan_func_exit(void *unused)
{
	(void)unused;
	if (kts_tsan_before)
		kts_tsan_before();
}

void __tsan_vptr_update(void *vptr, void *new_val)
{
	(void)vptr;
	(void)new_val;
}

void __tsan_vptr_read(void *vptr)
{
	(void)vptr;
}
