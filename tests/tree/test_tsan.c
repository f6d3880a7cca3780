// SPDX-License-Identifier: GPL-2.0
/*
 * kfp's thread-sanitizer runtime (tree/tsan.c) under the real compiler
 * instrumentation: a small unit written for this test is compiled the way
 * --kernel-tree compiles a tree (tree/load.c kt_compile(): -fsanitize=thread,
 * no libtsan) and loaded; a load from a registered range is a shared
 * access whose value the range's refresh supplies, a load from anywhere
 * else is only counted.
 */
#include <dlfcn.h>
#include <string.h>

#include <kfp/seam.h>

#include "../lib/harness.h"
#include "../../tree/level.h"
#include "../../tree/tsan.h"

static const char unit[] = "__attribute__((visibility(\"default\"))) long load(long *p)\n"
			   "{\n"
			   "\treturn *p;\n"
			   "}\n"
			   "__attribute__((visibility(\"default\"))) void store(long *p, long v)\n"
			   "{\n"
			   "\t*p = v;\n"
			   "}\n";

static long mirrored, model_value, plain;
static unsigned int refreshes;

/* What a mirror of a model field does: the model's value, copied in before the load. */
static void refresh(struct kts_tsan_range *range)
{
	*(long *)range->start = model_value;
	refreshes++;
}

TEST(tsan_instrumented_loads_of_a_registered_range_are_shared_accesses)
{
	struct kts_tsan_range range = {
		.start = (uintptr_t)&mirrored,
		.len = sizeof(mirrored),
		.object = KFP_OBJECT(KFP_OBJECT_CLASS_KVM, 0),
		.what = "test mirror",
		.refresh = refresh,
	};
	long (*load)(long *);
	void (*store)(long *, long);
	struct kts_tsan_counts before;
	struct kt_buf err = { 0 };
	char so[4096];
	void *h;

	if (kt_compile(unit, "build/kernel-trees/cache", "tsan-test", so, sizeof(so), &err)) {
		kfp_test_diag("%s", err.s);
		ASSERT_TRUE(false);
	}
	h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	ASSERT_TRUE(h != NULL);
	*(void **)&load = dlsym(h, "load");
	*(void **)&store = dlsym(h, "store");
	ASSERT_TRUE(load && store);
	ASSERT_EQ(kts_tsan_register(&range), 0);
	before = kts_tsan_counts;
	model_value = 42;
	/* the mirror held 0: the load sees the model's value, after one shared access */
	ASSERT_EQ(load(&mirrored), 42);
	ASSERT_EQ(refreshes, 1);
	ASSERT_EQ(kts_tsan_counts.shared - before.shared, 1);
	ASSERT_EQ(kts_tsan_counts.reads - before.reads, 1);
	/* a load of anything else: counted, not shared, not refreshed */
	plain = 7;
	ASSERT_EQ(load(&plain), 7);
	ASSERT_EQ(refreshes, 1);
	ASSERT_EQ(kts_tsan_counts.shared - before.shared, 1);
	ASSERT_EQ(kts_tsan_counts.reads - before.reads, 2);
	/* a store to the range is a shared write too, with no refresh */
	store(&mirrored, 5);
	ASSERT_EQ(refreshes, 1);
	ASSERT_EQ(kts_tsan_counts.shared - before.shared, 2);
	ASSERT_EQ(kts_tsan_counts.writes - before.writes, 1);
	ASSERT_GE(kts_tsan_counts.calls - before.calls, 3);
	/* unregistered: the load sees what is there */
	kts_tsan_unregister_all();
	ASSERT_EQ(load(&mirrored), 5);
	ASSERT_EQ(refreshes, 1);
	kt_buf_free(&err);
}

/*
 * The shim registers its struct kvm's fields at every entry
 * (tree/shim61.c kts_kvm_of()): a range registered again at the same
 * address replaces the first instead of filling the table.
 */
TEST(tsan_registering_a_range_again_replaces_it)
{
	static u64 field;
	struct kts_tsan_range range = {
		.start = (uintptr_t)&field,
		.len = sizeof(field),
		.what = "field",
	};
	unsigned int i;

	kts_tsan_unregister_all();
	for (i = 0; i < 2 * KTS_TSAN_MAX_RANGES; i++) {
		range.object = i;
		ASSERT_EQ(kts_tsan_register(&range), 0);
	}
	kts_tsan_unregister_all();
}
