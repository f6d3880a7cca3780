// SPDX-License-Identifier: GPL-2.0
/*
 * --kernel-tree on Debian's linux-source-6.12 (docs/kernel-tree.md): the
 * 6.12 level's lookup path (follow_pfnmap_start(), __gfn_to_pfn_memslot()
 * with @interruptible) compiled against tree/shim/6.12, instrumented,
 * loaded as a design; its verdicts beside legacy's, the closest design;
 * a copy patched to take no reference in hva_to_pfn_remapped() caught.
 * The kernel text is never in kfp: the tests unpack the three files they
 * need from /usr/src/linux-source-6.12.tar.xz into build/kernel-trees
 * (once) and skip when the package is not installed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kfp/scenario.h>
#include <kfp/tree.h>

#include "../lib/harness.h"
#include "../lib/kernel_tree.h"
#include "../lib/library.h"
#include "../../tree/level.h"
#include "../../tree/tsan.h"

#define TREE KERNEL_TREES "/linux-source-6.12"
#define TREES KERNEL_TREES
#define BUILD KERNEL_TREE_BUILD

static const char *const files[] = {
	"Makefile", "virt/kvm/kvm_main.c", "include/linux/kvm_host.h",
	"virt/kvm/pfncache.c", /* last: a tree unpacked without it gets it */
};

static int tree_design = -1, noref_design = -1, noretry_design = -1;

static void setup(void)
{
	kernel_tree_unpack("6.12", files, sizeof(files) / sizeof(files[0]));
	if (tree_design < 0)
		tree_design = kernel_tree_load(TREE);
}

TEST(tree612_loads_as_the_design_tree_6_12)
{
	struct kt_buf err = { 0 };
	struct kt_tree t;

	setup();
	ASSERT_TRUE(!strncmp(kfp_designs[tree_design]->name, "tree:6.12.", 10));
	ASSERT_EQ(kt_tree_open(&t, TREE, &err), 0);
	ASSERT_EQ(t.level, KT_LEVEL_6_12);
	kt_tree_close(&t);
	kt_buf_free(&err);
}

/* The unit holds the tree's 6.12 walk and the 6.12 shim, not 6.1's. */
TEST(tree612_code_is_the_trees_behind_its_line)
{
	struct kt_buf tu = { 0 }, err = { 0 };
	char want[256];
	struct kt_tree t;

	setup();
	ASSERT_EQ(kt_tree_open(&t, TREE, &err), 0);
	ASSERT_EQ(kt_generate(&t, &tu, &err), 0);
	snprintf(want, sizeof(want), "\"%s/virt/kvm/kvm_main.c\"\nstatic int hva_to_pfn_remapped(",
		 TREE);
	ASSERT_TRUE(strstr(tu.s, want) != NULL);
	ASSERT_TRUE(strstr(tu.s, "follow_pfnmap_start(&args)") != NULL);
	ASSERT_TRUE(strstr(tu.s, "\"<kfp>/tree/shim/6.12/kernel.h\"") != NULL);
	ASSERT_TRUE(strstr(tu.s, "kts612_gfn_to_pfn_memslot") != NULL);
	ASSERT_TRUE(strstr(tu.s, "kts61_") == NULL);
	kt_tree_close(&t);
	kt_buf_free(&tu);
	kt_buf_free(&err);
}

/* The tree's code runs instrumented, and its remapped path is the model's pfnmap walk. */
TEST(tree612_runs_instrumented)
{
	unsigned long calls;

	setup();
	calls = kts_tsan_counts.calls;
	kernel_tree_verdict("scenarios/races/pfnmap-revoke-vs-fault.kfp", tree_design);
	ASSERT_GT(kts_tsan_counts.calls, calls);
	ASSERT_GT(kts_tsan_counts.reads, 0);
}

/*
 * Under the real 6.12 code, the library's verdicts are legacy's
 * (docs/kernel-tree.md "The 6.12 column"): the scenarios of remapped
 * pages, the release by pfn and the races of the lookup.
 */
TEST(tree612_verdicts_are_legacys)
{
	static const char *const paths[] = {
		"scenarios/bugs/cve-2021-22543-refcount-zero-tail.kfp",
		"scenarios/bugs/pfn-keyed-release-of-refcount-zero-page.kfp",
		"scenarios/bugs/pfnmap-writability-ignored.kfp",
		"scenarios/bugs/vcpu-map-of-mmio-unprotected.kfp",
		"scenarios/races/device-fault-vs-revoke.kfp",
		"scenarios/races/fault-vs-munmap.kfp",
		"scenarios/races/gpc-on-readonly-memslot.kfp",
		"scenarios/races/pfnmap-revoke-vs-fault.kfp",
		"scenarios/races/vcpu-map-vs-munmap.kfp",
		"scenarios/thread/honouring-is-refcounted-page-is-safe.kfp",
		"scenarios/thread/p3-is-not-p2.kfp",
		"scenarios/thread/sean-snippet-corrupts-refcount.kfp",
	};
	int legacy = kfp_design_index("legacy");
	unsigned int i;

	setup();
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		unsigned int a = kernel_tree_verdict(paths[i], legacy),
			     b = kernel_tree_verdict(paths[i], tree_design);

		if (a != b)
			kfp_test_diag("%s: legacy 0x%x, tree 0x%x", paths[i], a, b);
		ASSERT_EQ(a, b);
	}
}

/* 6.12's kvm_pfn_to_refcounted_page() has 7df003c85218: the injection does not reach it. */
TEST(tree612_zero_page_injection_does_not_reach_the_tree)
{
	const char *path = "scenarios/bugs/zero-page-refcount-leak.kfp";
	int legacy = kfp_design_index("legacy");

	setup();
	ASSERT_TRUE(kernel_tree_verdict(path, legacy) & (1u << KFP_PROPERTY_P1));
	ASSERT_FALSE(kernel_tree_verdict(path, tree_design) & (1u << KFP_PROPERTY_P1));
}

/*
 * The patched 6.12 tree: hva_to_pfn_remapped() without kvm_try_get_pfn(),
 * so a refcounted page behind VM_PFNMAP is released by pfn without the
 * reference it was looked up with.  The unpatched tree is P1-clean on the
 * same scenarios; the patched one corrupts the refcount, as pre-cve does.
 */
TEST(tree612_patched_to_take_no_reference_is_caught)
{
	static const char *const paths[] = {
		"scenarios/thread/sean-snippet-corrupts-refcount.kfp",
		"scenarios/bugs/cve-2021-22543-refcount-zero-tail.kfp",
	};
	const char *dir = TREES "/linux-source-6.12-noref" BUILD;
	unsigned int i;

	setup();
	if (noref_design < 0) {
		kernel_tree_patched_main(TREE, dir, "-noref" BUILD, "if (!kvm_try_get_pfn(pfn))",
					 "if (0)");
		noref_design = kernel_tree_load(dir);
	}
	ASSERT_TRUE(strstr(kfp_designs[noref_design]->name, "6.12") != NULL);
	ASSERT_TRUE(strstr(kfp_designs[noref_design]->name, "-noref") != NULL);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		ASSERT_FALSE(kernel_tree_verdict(paths[i], tree_design) & (1u << KFP_PROPERTY_P1));
		ASSERT_TRUE(kernel_tree_verdict(paths[i], noref_design) & (1u << KFP_PROPERTY_P1));
	}
}

/*
 * The fault's check under mmu_lock is the tree's mmu_invalidate_retry_gfn()
 * (kvm_host.h), behind its #line, and its loads of struct kvm's
 * invalidation fields are shared reads of the seam (the TSan mapping).
 */
TEST(tree612_retry_check_is_the_trees)
{
	struct kt_buf tu = { 0 }, err = { 0 };
	unsigned long shared;
	char want[256];
	struct kt_tree t;

	setup();
	ASSERT_EQ(kt_tree_open(&t, TREE, &err), 0);
	ASSERT_EQ(kt_generate(&t, &tu, &err), 0);
	snprintf(want, sizeof(want),
		 "\"%s/include/linux/kvm_host.h\"\nstatic inline int mmu_invalidate_retry_gfn(",
		 TREE);
	ASSERT_TRUE(strstr(tu.s, want) != NULL);
	kt_tree_close(&t);
	kt_buf_free(&tu);
	kt_buf_free(&err);
	ASSERT_FALSE(kfp_designs[tree_design]->mmu_invalidate_by_hva);
	ASSERT_TRUE(kfp_designs[tree_design]->mmu_invalidate_retry_gfn != NULL);
	shared = kts_tsan_counts.shared;
	kernel_tree_verdict("scenarios/races/fault-vs-munmap.kfp", tree_design);
	ASSERT_GT(kts_tsan_counts.shared, shared);
}

/*
 * The patched 6.12 tree: mmu_invalidate_retry_gfn() never asks for a
 * retry (kfp's fault calls it from is_page_fault_stale()).  Without the
 * injection the unpatched tree is safe; the patched one shows what the
 * skip-retry-check injection shows (P2 and P3).
 */
TEST(tree612_patched_to_skip_the_retry_check_is_caught)
{
	const char *dir = TREES "/linux-source-6.12-noretry" BUILD;

	setup();
	if (noretry_design < 0) {
		kernel_tree_patched_copy(
			TREE, dir, "-noretry" BUILD, "include/linux/kvm_host.h",
			"/int mmu_invalidate_retry_gfn(/,/^}/s/return 1;/return 0;/");
		noretry_design = kernel_tree_load(dir);
	}
	ASSERT_TRUE(strstr(kfp_designs[noretry_design]->name, "-noretry") != NULL);
	kernel_tree_retry_check_is_caught(tree_design, noretry_design);
}

/*
 * The body of kvm_vcpu_map()/kvm_vcpu_unmap() is the tree's (tree/vcpu_map.c).
 * 6.12's kvm_vcpu_map() resolves the gfn with gfn_to_pfn(vcpu->kvm, gfn), in
 * address space 0, so an SMM vCPU's map comes from the wrong memslots
 * (vcpu-map-address-space-of-the-vcpu: inv), which is what the design's
 * bit vcpu_map_vm_memslots (legacy's) says.  A copy that looks the gfn up in
 * the vCPU's own memslots, as pre-cve and 6.13+ do, is clean there: the
 * tree's code, not the bit, decides.
 */
TEST(tree612_vcpu_map_resolves_through_address_space_0)
{
	const char *path = "scenarios/bugs/vcpu-map-address-space-of-the-vcpu.kfp";
	const unsigned int inv = 1u << KFP_PROPERTY_INVARIANT;
	const char *dir = TREES "/linux-source-6.12-vcpuslots" BUILD;
	struct kt_buf tu = { 0 }, err = { 0 };
	char want[256];
	struct kt_tree t;
	int patched;

	setup();
	ASSERT_EQ(kt_tree_open(&t, TREE, &err), 0);
	ASSERT_EQ(kt_generate(&t, &tu, &err), 0);
	snprintf(want, sizeof(want), "\"%s/virt/kvm/kvm_main.c\"\nint kvm_vcpu_map(", TREE);
	ASSERT_TRUE(strstr(tu.s, want) != NULL);
	kt_tree_close(&t);
	kt_buf_free(&tu);
	kt_buf_free(&err);
	ASSERT_TRUE(kfp_designs[tree_design]->vcpu_map_fn != NULL);
	ASSERT_TRUE(kfp_designs[tree_design]->vcpu_map_vm_memslots);
	kernel_tree_patched_main(TREE, dir, "-vcpuslots" BUILD, "gfn_to_pfn(vcpu->kvm, gfn)",
				 "gfn_to_pfn_memslot(kvm_vcpu_gfn_to_memslot(vcpu, gfn), gfn)");
	patched = kernel_tree_load(dir);
	ASSERT_TRUE(kernel_tree_verdict(path, tree_design) & inv);
	ASSERT_FALSE(kernel_tree_verdict(path, patched) & inv);
	/* the injection still reaches the tree: kfp hands it address space 0's view */
	path = "scenarios/bugs/vcpu-map-address-space-mismatch.kfp";
	ASSERT_TRUE(kernel_tree_verdict(path, patched) & inv);
}

/*
 * The tree's kvm_vcpu_unmap() releases the map's pfn (kvm_release_pfn());
 * a copy that releases it twice corrupts the refcount where the tree does not.
 */
TEST(tree612_patched_unmap_to_release_twice_is_caught)
{
	const char *path = "scenarios/races/vcpu-map-vs-munmap.kfp";
	const unsigned int p1 = 1u << KFP_PROPERTY_P1;
	const char *dir = TREES "/linux-source-6.12-unmap2" BUILD;
	int patched;

	setup();
	kernel_tree_patched_main(
		TREE, dir, "-unmap2" BUILD, "kvm_release_pfn(map->pfn, dirty);",
		"kvm_release_pfn(map->pfn, dirty); kvm_release_pfn(map->pfn, dirty);");
	patched = kernel_tree_load(dir);
	ASSERT_FALSE(kernel_tree_verdict(path, tree_design) & p1);
	ASSERT_TRUE(kernel_tree_verdict(path, patched) & p1);
}
