// SPDX-License-Identifier: GPL-2.0
/*
 * --kernel-tree on a 6.13+ tree (docs/kernel-tree.md "The 6.13+ column"):
 * the lookup path on a struct kvm_follow_pfn (kvm_follow_pfn(),
 * hva_to_pfn*(), kvm_resolve_pfn(), kvm_release_page_*()) compiled against
 * tree/shim/6.13, instrumented, loaded as a design with upstream's caller
 * policies; its verdicts beside upstream's; patched copies caught.  No
 * distribution ships a 6.13+ source package kfp's CI can install, so the
 * tree is the one $KFP_TREE_613 names (its Makefile, virt/kvm and
 * include/linux/kvm_host.h), and the tests SKIP without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kfp/scenario.h>
#include <kfp/tree.h>

#include "../lib/harness.h"
#include "../lib/kernel_tree.h"
#include "../lib/library.h"
#include "../../tree/level.h"
#include "../../tree/tsan.h"

#define TREES KERNEL_TREES
#define BUILD KERNEL_TREE_BUILD

static int tree_design = -1, asref_design = -1, unsafe_design = -1, noretry_design = -1,
	   warn_design = -1;

/* $KFP_TREE_613, or SKIP */
static const char *tree_dir(void)
{
	const char *dir = getenv("KFP_TREE_613");
	char path[4096];

	if (!dir || !*dir)
		SKIP("KFP_TREE_613 not set (a 6.13+ kernel tree)");
	snprintf(path, sizeof(path), "%s/virt/kvm/kvm_mm.h", dir);
	if (access(path, R_OK))
		SKIP("KFP_TREE_613 has no virt/kvm/kvm_mm.h");
	return dir;
}

static void setup(void)
{
	const char *dir = tree_dir();

	if (tree_design < 0)
		tree_design = kernel_tree_load(dir);
}

TEST(tree613_loads_at_level_6_13)
{
	struct kt_buf err = { 0 };
	struct kt_tree t;

	setup();
	ASSERT_TRUE(!strncmp(kfp_designs[tree_design]->name, "tree:", 5));
	ASSERT_EQ(kt_tree_open(&t, tree_dir(), &err), 0);
	ASSERT_EQ(t.level, KT_LEVEL_6_13);
	kt_tree_close(&t);
	kt_buf_free(&err);
}

/* The unit holds the tree's kvm_follow_pfn path, its struct from kvm_mm.h, the 6.13 shim. */
TEST(tree613_code_is_the_trees_behind_its_line)
{
	struct kt_buf tu = { 0 }, err = { 0 };
	char want[4200];
	struct kt_tree t;

	setup();
	ASSERT_EQ(kt_tree_open(&t, tree_dir(), &err), 0);
	ASSERT_EQ(kt_generate(&t, &tu, &err), 0);
	snprintf(want, sizeof(want), "\"%s/virt/kvm/kvm_mm.h\"\nstruct kvm_follow_pfn {",
		 tree_dir());
	ASSERT_TRUE(strstr(tu.s, want) != NULL);
	snprintf(want, sizeof(want), "\"%s/virt/kvm/kvm_main.c\"\nstatic int hva_to_pfn_remapped(",
		 tree_dir());
	ASSERT_TRUE(strstr(tu.s, want) != NULL);
	ASSERT_TRUE(strstr(tu.s, "\"<kfp>/tree/shim/6.13/kernel.h\"") != NULL);
	ASSERT_TRUE(strstr(tu.s, "kts613_follow_pfn") != NULL);
	ASSERT_TRUE(strstr(tu.s, "kts612_gfn_to_pfn_memslot") == NULL);
	kt_tree_close(&t);
	kt_buf_free(&tu);
	kt_buf_free(&err);
}

/* The tree's code runs instrumented, and its remapped path is the model's pfnmap walk. */
TEST(tree613_runs_instrumented)
{
	unsigned long calls;

	setup();
	calls = kts_tsan_counts.calls;
	kernel_tree_verdict("scenarios/races/pfnmap-revoke-vs-fault.kfp", tree_design);
	ASSERT_GT(kts_tsan_counts.calls, calls);
	ASSERT_GT(kts_tsan_counts.reads, 0);
}

/*
 * Under the tree's code, the library's verdicts are upstream's: remapped
 * pages never referenced, kvm_vcpu_map()'s pin and allow_unsafe_mappings,
 * the release of the refcounted_page, the races of the lookup.
 */
TEST(tree613_verdicts_are_upstreams)
{
	static const char *const paths[] = {
		"scenarios/bugs/cve-2021-22543-refcount-zero-tail.kfp",
		"scenarios/bugs/pfnmap-writability-ignored.kfp",
		"scenarios/bugs/vcpu-map-of-mmio-unprotected.kfp",
		"scenarios/bugs/vcpu-map-of-mmio-unsafe-allowed.kfp",
		"scenarios/bugs/vcpu-map-unpinned-anon-not-unsafe-allowed.kfp",
		"scenarios/races/fault-vs-munmap.kfp",
		"scenarios/races/gpc-on-readonly-memslot.kfp",
		"scenarios/races/pfnmap-revoke-vs-fault.kfp",
		"scenarios/races/vcpu-map-vs-munmap.kfp",
		"scenarios/thread/sean-snippet-corrupts-refcount.kfp",
		"scenarios/thread/vcpu-map-stale-but-not-freed.kfp",
	};
	int upstream = kfp_design_index("upstream");
	unsigned int i;

	setup();
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		unsigned int a = kernel_tree_verdict(paths[i], upstream),
			     b = kernel_tree_verdict(paths[i], tree_design);

		if (a != b)
			kfp_test_diag("%s: upstream 0x%x, tree 0x%x", paths[i], a, b);
		ASSERT_EQ(a, b);
	}
}

/*
 * Patched: hva_to_pfn_remapped() hands the remapped pfn's page out as the
 * refcounted_page although it took no reference, so the caller's
 * kvm_release_page_*() puts a reference it never held.  The unpatched
 * tree is P1-clean on the same scenarios.
 */
TEST(tree613_patched_remapped_page_as_refcounted_is_caught)
{
	static const char *const paths[] = {
		"scenarios/thread/sean-snippet-corrupts-refcount.kfp",
		"scenarios/bugs/cve-2021-22543-refcount-zero-tail.kfp",
	};
	const char *dir = TREES "/linux-source-613-asref" BUILD;
	unsigned int i;

	setup();
	if (asref_design < 0) {
		kernel_tree_patched_main(
			tree_dir(), dir, "-asref" BUILD,
			"kvm_resolve_pfn(kfp, NULL, [&]args, args.writable)",
			"kvm_resolve_pfn(kfp, pfn_to_page(args.pfn), NULL, args.writable)");
		asref_design = kernel_tree_load(dir);
	}
	ASSERT_TRUE(strstr(kfp_designs[asref_design]->name, "-asref") != NULL);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		ASSERT_FALSE(kernel_tree_verdict(paths[i], tree_design) & (1u << KFP_PROPERTY_P1));
		ASSERT_TRUE(kernel_tree_verdict(paths[i], asref_design) & (1u << KFP_PROPERTY_P1));
	}
}

/*
 * Patched: hva_to_pfn_remapped() without its allow_unsafe_mappings check,
 * so kvm_vcpu_map() maps MMIO it cannot pin: the unprotected mapping that
 * upstream refuses (and accepts only when the parameter is set) is a
 * violation nobody asked for.
 */
TEST(tree613_patched_unsafe_pin_of_remapped_is_caught)
{
	const char *path = "scenarios/bugs/vcpu-map-of-mmio-unprotected.kfp";
	const char *dir = TREES "/linux-source-613-unsafe" BUILD;
	unsigned int mask = (1u << KFP_NR_PROPERTIES) - 1;

	setup();
	if (unsafe_design < 0) {
		kernel_tree_patched_main(tree_dir(), dir, "-unsafe" BUILD,
					 "if (kfp->pin [&][&] !allow_unsafe_mappings)", "if (0)");
		unsafe_design = kernel_tree_load(dir);
	}
	ASSERT_FALSE(kernel_tree_verdict(path, tree_design) & mask);
	ASSERT_TRUE(kernel_tree_verdict(path, unsafe_design) & mask);
}

/* The fault's check under mmu_lock is the tree's mmu_invalidate_retry_gfn(). */
TEST(tree613_retry_check_is_the_trees)
{
	struct kt_buf tu = { 0 }, err = { 0 };
	unsigned long shared;
	char want[4200];
	struct kt_tree t;

	setup();
	ASSERT_EQ(kt_tree_open(&t, tree_dir(), &err), 0);
	ASSERT_EQ(kt_generate(&t, &tu, &err), 0);
	snprintf(want, sizeof(want),
		 "\"%s/include/linux/kvm_host.h\"\nstatic inline int mmu_invalidate_retry_gfn(",
		 tree_dir());
	ASSERT_TRUE(strstr(tu.s, want) != NULL);
	kt_tree_close(&t);
	kt_buf_free(&tu);
	kt_buf_free(&err);
	ASSERT_TRUE(kfp_designs[tree_design]->mmu_invalidate_retry_gfn != NULL);
	shared = kts_tsan_counts.shared;
	kernel_tree_verdict("scenarios/races/fault-vs-munmap.kfp", tree_design);
	ASSERT_GT(kts_tsan_counts.shared, shared);
}

/*
 * Patched: mmu_invalidate_retry_gfn() never asks for a retry.  The
 * skip-retry-check scenarios without their injection are safe under the
 * tree and show, under the patched copy, what the injection shows.
 */
TEST(tree613_patched_to_skip_the_retry_check_is_caught)
{
	const char *dir = TREES "/linux-source-613-noretry" BUILD;

	setup();
	if (noretry_design < 0) {
		kernel_tree_patched_copy(
			tree_dir(), dir, "-noretry" BUILD, "include/linux/kvm_host.h",
			"/int mmu_invalidate_retry_gfn(/,/^}/s/return 1;/return 0;/");
		noretry_design = kernel_tree_load(dir);
	}
	ASSERT_TRUE(strstr(kfp_designs[noretry_design]->name, "-noretry") != NULL);
	kernel_tree_retry_check_is_caught(tree_design, noretry_design);
}

/*
 * kfp's TDP fault calls the tree's __kvm_faultin_pfn() (kvm_main.c, 6.13+):
 * it is in the unit behind its #line, and a copy whose argument check
 * (a WARN_ON_ONCE) fires on every fault reports the WARN in a fault-only
 * scenario, where the tree reports nothing.
 */
TEST(tree613_fault_runs_the_trees_faultin_pfn)
{
	const char *path = "scenarios/races/fault-vs-munmap.kfp";
	const unsigned int inv = 1u << KFP_PROPERTY_INVARIANT;
	const char *dir = TREES "/linux-source-613-warn" BUILD;
	struct kt_buf tu = { 0 }, err = { 0 };
	char want[4200];
	struct kt_tree t;

	setup();
	ASSERT_EQ(kt_tree_open(&t, tree_dir(), &err), 0);
	ASSERT_EQ(kt_generate(&t, &tu, &err), 0);
	snprintf(want, sizeof(want), "\"%s/virt/kvm/kvm_main.c\"\nkvm_pfn_t __kvm_faultin_pfn(",
		 tree_dir());
	ASSERT_TRUE(strstr(tu.s, want) != NULL);
	kt_tree_close(&t);
	kt_buf_free(&tu);
	kt_buf_free(&err);
	ASSERT_TRUE(kfp_designs[tree_design]->faultin_pfn != NULL);
	if (warn_design < 0) {
		kernel_tree_patched_main(tree_dir(), dir, "-warn" BUILD,
					 "WARN_ON_ONCE(!writable || !refcounted_page)",
					 "WARN_ON_ONCE(writable)");
		warn_design = kernel_tree_load(dir);
	}
	ASSERT_FALSE(kernel_tree_verdict(path, tree_design) & inv);
	ASSERT_TRUE(kernel_tree_verdict(path, warn_design) & inv);
}

/*
 * The body of __kvm_vcpu_map()/kvm_vcpu_unmap() is the tree's
 * (tree/vcpu_map.c).  Since "KVM: Use vCPU specific memslots in
 * __kvm_vcpu_map()" (2025-11) it resolves the gfn in the vCPU's own
 * memslots: vcpu-map-address-space-of-the-vcpu is clean, as under
 * upstream.  A copy that resolves it in the VM's (address space 0) shows
 * legacy's inv; the injection vcpu-map-address-space-0 still reaches the
 * unpatched tree, through the vCPU view kfp hands it.
 */
TEST(tree613_vcpu_map_uses_the_vcpus_memslots)
{
	const char *path = "scenarios/bugs/vcpu-map-address-space-of-the-vcpu.kfp";
	const unsigned int inv = 1u << KFP_PROPERTY_INVARIANT;
	const char *dir = TREES "/linux-source-613-vmslots" BUILD;
	struct kt_buf tu = { 0 }, err = { 0 };
	char want[4200];
	struct kt_tree t;
	int patched;

	setup();
	ASSERT_EQ(kt_tree_open(&t, tree_dir(), &err), 0);
	ASSERT_EQ(kt_generate(&t, &tu, &err), 0);
	snprintf(want, sizeof(want), "\"%s/virt/kvm/kvm_main.c\"\nint __kvm_vcpu_map(", tree_dir());
	ASSERT_TRUE(strstr(tu.s, want) != NULL);
	kt_tree_close(&t);
	kt_buf_free(&tu);
	kt_buf_free(&err);
	ASSERT_TRUE(kfp_designs[tree_design]->vcpu_map_fn != NULL);
	ASSERT_FALSE(kfp_designs[tree_design]->vcpu_map_vm_memslots);
	kernel_tree_patched_main(tree_dir(), dir, "-vmslots" BUILD,
				 ".slot = kvm_vcpu_gfn_to_memslot(vcpu, gfn),",
				 ".slot = gfn_to_memslot(vcpu->kvm, gfn),");
	patched = kernel_tree_load(dir);
	ASSERT_FALSE(kernel_tree_verdict(path, tree_design) & inv);
	ASSERT_TRUE(kernel_tree_verdict(path, patched) & inv);
	path = "scenarios/bugs/vcpu-map-address-space-mismatch.kfp";
	ASSERT_TRUE(kernel_tree_verdict(path, tree_design) & inv);
}

/* The tree's kvm_vcpu_unmap() unpins; a copy that unpins twice is caught. */
TEST(tree613_patched_unmap_to_unpin_twice_is_caught)
{
	const char *path = "scenarios/races/vcpu-map-vs-munmap.kfp";
	const unsigned int bad = 1u << KFP_PROPERTY_P1 | 1u << KFP_PROPERTY_INVARIANT;
	const char *dir = TREES "/linux-source-613-unpin2" BUILD;
	int patched;

	setup();
	kernel_tree_patched_main(
		tree_dir(), dir, "-unpin2" BUILD, "unpin_user_page(map->pinned_page);",
		"unpin_user_page(map->pinned_page); unpin_user_page(map->pinned_page);");
	patched = kernel_tree_load(dir);
	ASSERT_FALSE(kernel_tree_verdict(path, tree_design) & bad);
	ASSERT_TRUE(kernel_tree_verdict(path, patched) & bad);
}
