// SPDX-License-Identifier: GPL-2.0
/*
 * --kernel-tree: the gfn->pfn cache of the tree (virt/kvm/pfncache.c)
 * in place of kfp's kvm/pfncache.c (docs/kernel-tree.md, tree/gpc.c), at
 * 6.1 and 6.12 (Debian's linux-source-6.1 and -6.12, as tests/tree/
 * test_tree61.c and test_tree612.c unpack them) and 6.13+ ($KFP_TREE_613,
 * SKIP without it): the unit holds the
 * tree's pfncache behind its #line; the library's gpc scenarios give the
 * closest design's verdicts; copies patched to drop the invalidation of
 * the cache, or the mmu_notifier_retry_cache() check of the refresh, are
 * caught.  The patches are one-line sed patterns: no kernel text is here.
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

#define TREE61 KERNEL_TREES "/linux-source-6.1"
#define TREE612 KERNEL_TREES "/linux-source-6.12"
#define TREES KERNEL_TREES
#define BUILD KERNEL_TREE_BUILD

/* tests/tree/test_tree61*.c's lists: the last file is what a new unpack adds */
static const char *const files[] = {
	"Makefile",
	"virt/kvm/kvm_main.c",
	"include/linux/kvm_host.h",
	"virt/kvm/pfncache.c",
};

/* In gfn_to_pfn_cache_invalidate_start() only, the store that invalidates a cache goes. */
#define EDIT_NO_INVALIDATE "/^void gfn_to_pfn_cache_invalidate_start/,/^}/s/gpc->valid = false;/;/"
/* hva_to_pfn_retry() publishes its first lookup, whatever invalidation ran meanwhile. */
#define EDIT_NO_RETRY "s/} while (mmu_notifier_retry_cache([^)]*));/} while (0);/"

#define BIT_OF(p) (1u << (p))
#define P2_P3 (BIT_OF(KFP_PROPERTY_P2) | BIT_OF(KFP_PROPERTY_P3))

/* The design another test file already loaded from @dir, or load it now. */
static int design_of(const char *dir)
{
	unsigned int i;

	for (i = 0; i < kfp_nr_designs; i++)
		if (kfp_designs[i]->kernel_tree && !strcmp(kfp_designs[i]->kernel_tree, dir))
			return (int)i;
	return kernel_tree_load(dir);
}

/* A copy of @tree with pfncache.c edited by @edit, loaded (once per process). */
static int patched(const char *tree, const char *dir, const char *extraversion, const char *edit)
{
	unsigned int i;

	for (i = 0; i < kfp_nr_designs; i++)
		if (kfp_designs[i]->kernel_tree && !strcmp(kfp_designs[i]->kernel_tree, dir))
			return (int)i;
	kernel_tree_patched_copy(tree, dir, extraversion, "virt/kvm/pfncache.c", edit);
	return kernel_tree_load(dir);
}

/*
 * The gpc scenarios of the library that no injection of kfp's
 * kvm/pfncache.c changes (gpc-no-invalidate, in cve-2019-3016-stale-cache,
 * skips the notifier's call into the cache: it reaches the tree's too).
 */
static const char *const gpc_paths[] = {
	"scenarios/bugs/cve-2019-3016-stale-cache.kfp",
	"scenarios/bugs/gpc-deactivate-after-memslot-delete.kfp",
	"scenarios/bugs/gpc-memslot-replace-no-srcu-sync.kfp",
	"scenarios/bugs/gpc-serialised-refresh.kfp",
	"scenarios/bugs/steal-time-cache-rekeyed.kfp",
	"scenarios/races/gpc-on-readonly-memslot.kfp",
	"scenarios/races/gpc-refresh-vs-invalidation.kfp",
	"scenarios/races/gpc-vs-memslot-replace.kfp",
};

static void verdicts_are(int design, int tree)
{
	unsigned int i;

	for (i = 0; i < sizeof(gpc_paths) / sizeof(gpc_paths[0]); i++) {
		unsigned int a = kernel_tree_verdict(gpc_paths[i], design),
			     b = kernel_tree_verdict(gpc_paths[i], tree);

		if (a != b)
			kfp_test_diag("%s: %s 0x%x, %s 0x%x", gpc_paths[i],
				      kfp_designs[design]->name, a, kfp_designs[tree]->name, b);
		ASSERT_EQ(a, b);
	}
}

/* Which outcomes each named result of @path ends with, over the search under @design. */
static void outcomes(const char *path, int design, u32 *seen, unsigned int *n)
{
	static struct kfp_scenario sc;
	static struct kfp_scenario_run run;
	struct kfp_explore_options options = { .preemption_bound = -1 };
	char err[KFP_ERROR_LEN];

	if (kfp_scenario_load(path, &sc, err, sizeof(err)))
		SKIP("scenario files not found (run from the top directory)");
	ASSERT_EQ(kfp_scenario_run(&sc, (unsigned int)design, &options, &run), 0);
	ASSERT_TRUE(run.explore.complete);
	*n = sc.nr_results;
	memcpy(seen, run.outcomes_seen, sizeof(run.outcomes_seen));
	kfp_scenario_run_release(&run);
}

/*
 * The cache of a PFNMAP BAR (a pfn without a struct page: gpc_map()
 * memremap()s it, under #ifdef CONFIG_HAS_IOMEM) against its revocation:
 * every op ends as under the closest design.  A unit without
 * CONFIG_HAS_IOMEM fails every refresh of the BAR (efault, never ok).
 */
static void outcomes_are(int design, int tree)
{
	const char *path = "tests/audit/gpc-vs-revoke-of-a-bar.kfp";
	u32 a[KFP_SCENARIO_MAX_RESULTS], b[KFP_SCENARIO_MAX_RESULTS];
	unsigned int i, n, m;

	outcomes(path, design, a, &n);
	outcomes(path, tree, b, &m);
	ASSERT_EQ(n, m);
	ASSERT_GT(n, 0);
	ASSERT_TRUE(a[0] & (1u << KFP_OUTCOME_OK));
	for (i = 0; i < n; i++) {
		if (a[i] != b[i])
			kfp_test_diag("%s: result %u: %s 0x%x, %s 0x%x", path, i,
				      kfp_designs[design]->name, a[i], kfp_designs[tree]->name,
				      b[i]);
		ASSERT_EQ(a[i], b[i]);
	}
}

/* The unit has the tree's pfncache.c behind its #line, and the design its hooks. */
static void code_is_the_trees(const char *dir, int tree)
{
	struct kt_buf tu = { 0 }, err = { 0 };
	char want[4200];
	struct kt_tree t;

	ASSERT_EQ(kt_tree_open(&t, dir, &err), 0);
	ASSERT_EQ(kt_generate(&t, &tu, &err), 0);
	snprintf(want, sizeof(want),
		 "\"%s/virt/kvm/pfncache.c\"\nstatic kvm_pfn_t hva_to_pfn_retry(", dir);
	ASSERT_TRUE(strstr(tu.s, want) != NULL);
	snprintf(want, sizeof(want),
		 "\"%s/virt/kvm/pfncache.c\"\nvoid gfn_to_pfn_cache_invalidate_start(", dir);
	ASSERT_TRUE(strstr(tu.s, want) != NULL);
	ASSERT_TRUE(strstr(tu.s, "\"<kfp>/tree/shim/gpc/kernel.h\"") != NULL);
	ASSERT_TRUE(kfp_designs[tree]->gpc_refresh != NULL);
	ASSERT_TRUE(kfp_designs[tree]->gpc_invalidate_start != NULL);
	kt_tree_close(&t);
	kt_buf_free(&tu);
	kt_buf_free(&err);
}

/* The tree's stores and loads of the cache's fields are shared accesses. */
static void runs_instrumented(int tree)
{
	unsigned long shared = kts_tsan_counts.shared;

	kernel_tree_verdict("scenarios/races/gpc-refresh-vs-invalidation.kfp", tree);
	ASSERT_GT(kts_tsan_counts.shared, shared);
}

/*
 * Without the store in gfn_to_pfn_cache_invalidate_start(), a cache stays
 * valid over the munmap and remap of its page (CVE-2019-3016's stale
 * cache): the unpatched tree is safe, the patched one reads a freed page.
 */
static void no_invalidate_is_caught(int tree, int noinv)
{
	const char *path = "scenarios/races/gpc-refresh-vs-invalidation.kfp";

	ASSERT_FALSE(kernel_tree_verdict(path, tree) & P2_P3);
	ASSERT_TRUE(kernel_tree_verdict(path, noinv) & BIT_OF(KFP_PROPERTY_P3));
}

/*
 * Without the mmu_notifier_retry_cache() check, a refresh publishes a pfn
 * that an invalidation took away meanwhile: the violations of the
 * gpc-no-retry injection, which changes kfp's rendering only, so that the
 * unpatched tree is safe on its scenario.
 */
static void no_retry_is_caught(int design, int tree, int noretry)
{
	const char *path = "scenarios/bugs/gpc-refresh-race-2022.kfp";
	unsigned int injected = kernel_tree_verdict(path, design);

	ASSERT_TRUE(injected & BIT_OF(KFP_PROPERTY_P3));
	ASSERT_FALSE(kernel_tree_verdict(path, tree) & P2_P3);
	ASSERT_EQ(kernel_tree_verdict(path, noretry), injected);
}

/* ---- 6.1 (kvm_gfn_to_pfn_cache_refresh(), _check(), the usage flags) ---- */

static int setup61(void)
{
	kernel_tree_unpack("6.1", files, sizeof(files) / sizeof(files[0]));
	return design_of(TREE61);
}

TEST(tree61_gpc_code_is_the_trees_behind_its_line)
{
	int tree = setup61();

	code_is_the_trees(TREE61, tree);
}

TEST(tree61_gpc_runs_instrumented)
{
	runs_instrumented(setup61());
}

TEST(tree61_gpc_verdicts_are_legacys)
{
	int tree = setup61();

	verdicts_are(kfp_design_index("legacy"), tree);
}

TEST(tree61_gpc_maps_a_bar_as_legacy_does)
{
	int tree = setup61();

	outcomes_are(kfp_design_index("legacy"), tree);
}

TEST(tree61_gpc_patched_without_invalidation_is_caught)
{
	int tree = setup61();

	no_invalidate_is_caught(tree, patched(TREE61, TREES "/linux-source-6.1-gpcnoinv" BUILD,
					      "-gpcnoinv" BUILD, EDIT_NO_INVALIDATE));
}

TEST(tree61_gpc_patched_without_retry_is_caught)
{
	int tree = setup61();

	no_retry_is_caught(kfp_design_index("legacy"), tree,
			   patched(TREE61, TREES "/linux-source-6.1-gpcnoretry" BUILD,
				   "-gpcnoretry" BUILD, EDIT_NO_RETRY));
}

/* ---- 6.12 ---- */

static int setup612(void)
{
	kernel_tree_unpack("6.12", files, sizeof(files) / sizeof(files[0]));
	return design_of(TREE612);
}

TEST(tree612_gpc_code_is_the_trees_behind_its_line)
{
	int tree = setup612();

	code_is_the_trees(TREE612, tree);
}

TEST(tree612_gpc_runs_instrumented)
{
	runs_instrumented(setup612());
}

TEST(tree612_gpc_verdicts_are_legacys)
{
	int tree = setup612();

	verdicts_are(kfp_design_index("legacy"), tree);
}

TEST(tree612_gpc_maps_a_bar_as_legacy_does)
{
	int tree = setup612();

	outcomes_are(kfp_design_index("legacy"), tree);
}

TEST(tree612_gpc_patched_without_invalidation_is_caught)
{
	int tree = setup612();

	no_invalidate_is_caught(tree, patched(TREE612, TREES "/linux-source-6.12-gpcnoinv" BUILD,
					      "-gpcnoinv" BUILD, EDIT_NO_INVALIDATE));
}

TEST(tree612_gpc_patched_without_retry_is_caught)
{
	int tree = setup612();

	no_retry_is_caught(kfp_design_index("legacy"), tree,
			   patched(TREE612, TREES "/linux-source-6.12-gpcnoretry" BUILD,
				   "-gpcnoretry" BUILD, EDIT_NO_RETRY));
}

/* ---- 6.13+ ---- */

/* $KFP_TREE_613 with its pfncache.c, or SKIP */
static const char *tree613(void)
{
	const char *dir = getenv("KFP_TREE_613");
	char path[4096];

	if (!dir || !*dir)
		SKIP("KFP_TREE_613 not set (a 6.13+ kernel tree)");
	snprintf(path, sizeof(path), "%s/virt/kvm/pfncache.c", dir);
	if (access(path, R_OK))
		SKIP("KFP_TREE_613 has no virt/kvm/pfncache.c");
	return dir;
}

TEST(tree613_gpc_code_is_the_trees_behind_its_line)
{
	const char *dir = tree613();

	code_is_the_trees(dir, design_of(dir));
}

TEST(tree613_gpc_runs_instrumented)
{
	runs_instrumented(design_of(tree613()));
}

TEST(tree613_gpc_verdicts_are_upstreams)
{
	int tree = design_of(tree613());

	verdicts_are(kfp_design_index("upstream"), tree);
}

TEST(tree613_gpc_maps_a_bar_as_upstream_does)
{
	int tree = design_of(tree613());

	outcomes_are(kfp_design_index("upstream"), tree);
}

TEST(tree613_gpc_patched_without_invalidation_is_caught)
{
	const char *dir = tree613();
	int tree = design_of(dir);

	no_invalidate_is_caught(tree, patched(dir, TREES "/linux-source-613-gpcnoinv" BUILD,
					      "-gpcnoinv" BUILD, EDIT_NO_INVALIDATE));
}

TEST(tree613_gpc_patched_without_retry_is_caught)
{
	const char *dir = tree613();
	int tree = design_of(dir);

	no_retry_is_caught(kfp_design_index("upstream"), tree,
			   patched(dir, TREES "/linux-source-613-gpcnoretry" BUILD,
				   "-gpcnoretry" BUILD, EDIT_NO_RETRY));
}
