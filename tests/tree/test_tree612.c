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
#include "../lib/library.h"
#include "../../tree/level.h"
#include "../../tree/tsan.h"

#define TARBALL "/usr/src/linux-source-6.12.tar.xz"
#define TREES "build/kernel-trees"
#define TREE TREES "/linux-source-6.12"
#define CACHE TREES "/cache"
/* the patched copies of each build, so that two builds never edit the same one */
#if SLOW_BUILD
#define BUILD "-san"
#else
#define BUILD ""
#endif

static const char *const files[] = {
	"Makefile",
	"virt/kvm/kvm_main.c",
	"include/linux/kvm_host.h",
};

static int tree_design = -1, noref_design = -1;

/*
 * The files the tests read, unpacked once; SKIP without the package.  The
 * plain and the sanitizer builds run side by side (make check): each
 * unpacks into a directory of its own and renames it in, and the first
 * rename wins.
 */
static void unpack(void)
{
	char cmd[1024], path[512], tmp[256];
	unsigned int i;
	size_t n;

	if (access(TARBALL, R_OK))
		SKIP(TARBALL " not installed (apt-get install linux-source-6.12)");
	snprintf(path, sizeof(path), TREE "/%s", files[1]);
	if (!access(path, R_OK))
		return;
	snprintf(tmp, sizeof(tmp), TREES "/unpack612.%d", (int)getpid());
	n = (size_t)snprintf(cmd, sizeof(cmd), "mkdir -p %s && tar -xJf " TARBALL " -C %s", tmp,
			     tmp);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " linux-source-6.12/%s", files[i]);
	ASSERT_EQ(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/linux-source-6.12", tmp);
	if (rename(path, TREE))
		ASSERT_TRUE(errno == ENOTEMPTY || errno == EEXIST);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	ASSERT_EQ(system(cmd), 0);
}

/* A copy of the tree under @dir, kvm_main.c edited: @from becomes @to. */
static void patched_copy(const char *dir, const char *extraversion, const char *from,
			 const char *to)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "rm -rf %s && mkdir -p %s && cp -r " TREE "/. %s && "
		 "sed -i 's/^EXTRAVERSION =.*/EXTRAVERSION = %s/' %s/Makefile && "
		 "grep -q '%s' %s/virt/kvm/kvm_main.c && "
		 "sed -i 's/%s/%s/' %s/virt/kvm/kvm_main.c",
		 dir, dir, dir, extraversion, dir, from, dir, from, to, dir);
	ASSERT_EQ(system(cmd), 0);
}

static int load_tree(const char *dir)
{
	char msg[8192];
	int d = kfp_kernel_tree_load(dir, CACHE, msg, sizeof(msg));

	if (d < 0)
		kfp_test_diag("%s", msg);
	ASSERT_TRUE(d >= 0);
	return d;
}

static void setup(void)
{
	unpack();
	if (tree_design < 0)
		tree_design = load_tree(TREE);
}

/* Which properties some execution of @path violates (bit per property) and accepts (<< 8). */
static unsigned int verdict(const char *path, int design)
{
	static struct kfp_scenario sc;
	static struct kfp_scenario_run run;
	struct kfp_explore_options options = { .preemption_bound = -1 };
	unsigned int p, bits = 0;
	char err[KFP_ERROR_LEN];

	if (kfp_scenario_load(path, &sc, err, sizeof(err)))
		SKIP("scenario files not found (run from the top directory)");
	ASSERT_EQ(kfp_scenario_run(&sc, (unsigned int)design, &options, &run), 0);
	ASSERT_TRUE(run.explore.complete);
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		if (run.explore.executions_with_violation[p])
			bits |= 1u << p;
		if (run.explore.executions_with_accepted[p])
			bits |= 1u << (p + 8);
	}
	kfp_scenario_run_release(&run);
	return bits;
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
	verdict("scenarios/races/pfnmap-revoke-vs-fault.kfp", tree_design);
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
		unsigned int a = verdict(paths[i], legacy), b = verdict(paths[i], tree_design);

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
	ASSERT_TRUE(verdict(path, legacy) & (1u << KFP_PROPERTY_P1));
	ASSERT_FALSE(verdict(path, tree_design) & (1u << KFP_PROPERTY_P1));
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
		patched_copy(dir, "-noref" BUILD, "if (!kvm_try_get_pfn(pfn))", "if (0)");
		noref_design = load_tree(dir);
	}
	ASSERT_TRUE(strstr(kfp_designs[noref_design]->name, "6.12") != NULL);
	ASSERT_TRUE(strstr(kfp_designs[noref_design]->name, "-noref") != NULL);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		ASSERT_FALSE(verdict(paths[i], tree_design) & (1u << KFP_PROPERTY_P1));
		ASSERT_TRUE(verdict(paths[i], noref_design) & (1u << KFP_PROPERTY_P1));
	}
}
