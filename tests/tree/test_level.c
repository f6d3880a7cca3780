// SPDX-License-Identifier: GPL-2.0
/*
 * Level detection (tree/level.c) on small files written for these tests,
 * which hold only the marker names, no kernel text: each level from its
 * markers, the error that names a missing symbol, the unknown level, and
 * the version read from a Makefile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/harness.h"
#include "../../tree/level.h"

/* kvm_main.c of a made-up 6.1-era tree: every marker, as empty definitions. */
static const char main61[] = "static int hva_to_pfn_fast(void) { return 0; }\n"
			     "static int hva_to_pfn_slow(void) { return 0; }\n"
			     "static int kvm_try_get_pfn(void) { return 0; }\n"
			     "static int hva_to_pfn_remapped(void) { return follow_pte(0); }\n"
			     "int hva_to_pfn(void) { return 0; }\n"
			     "int __gfn_to_pfn_memslot(void) { return 0; }\n"
			     "void *kvm_pfn_to_refcounted_page(void) { return 0; }\n"
			     "void kvm_release_pfn_clean(void) { }\n"
			     "void kvm_release_pfn_dirty(void) { }\n"
			     "int kvm_vcpu_map(void) { return 0; }\n"
			     "void kvm_vcpu_unmap(void) { }\n";
static const char host61[] = "static inline int mmu_invalidate_retry_hva(void) { return 0; }\n";

static int detect(const char *kvm_main, const char *kvm_host, enum kt_level *level,
		  struct kt_buf *err)
{
	struct kt_source m, h;
	int r;

	kt_source_init(&m, "virt/kvm/kvm_main.c", kvm_main);
	kt_source_init(&h, "include/linux/kvm_host.h", kvm_host);
	r = kt_detect_level(&m, &h, level, err);
	kt_source_free(&m);
	kt_source_free(&h);
	return r;
}

TEST(level_6_1_from_follow_pte_and_retry_by_hva)
{
	struct kt_buf err = { 0 };
	enum kt_level level = KT_LEVEL_6_13;

	ASSERT_EQ(detect(main61, host61, &level, &err), 0);
	ASSERT_EQ(level, KT_LEVEL_6_1);
	kt_buf_free(&err);
}

/* kvm_main.c of a made-up 6.12 tree: every marker, as empty definitions. */
static const char main612[] = "static int hva_to_pfn_fast(void) { return 0; }\n"
			      "static int hva_to_pfn_slow(void) { return 0; }\n"
			      "static int kvm_try_get_pfn(void) { return 0; }\n"
			      "static int hva_to_pfn_remapped(void)\n"
			      "{\n\tfollow_pfnmap_end(0);\n\treturn follow_pfnmap_start(0);\n}\n"
			      "int hva_to_pfn(void) { return 0; }\n"
			      "int __gfn_to_pfn_memslot(void) { return 0; }\n"
			      "void *kvm_pfn_to_refcounted_page(void) { return 0; }\n"
			      "void kvm_release_pfn_clean(void) { }\n"
			      "void kvm_release_pfn_dirty(void) { }\n";
static const char host612[] = "static inline int mmu_invalidate_retry_gfn(void) { return 0; }\n";

TEST(level_6_12_from_follow_pfnmap_and_retry_by_gfn)
{
	struct kt_buf err = { 0 };
	enum kt_level level = KT_LEVEL_6_1;

	ASSERT_EQ(detect(main612, host612, &level, &err), 0);
	ASSERT_EQ(level, KT_LEVEL_6_12);
	kt_buf_free(&err);
}

TEST(level_6_12_names_the_missing_symbol)
{
	char *m = strdup(main612);
	struct kt_buf err = { 0 };
	enum kt_level level;

	/* no kvm_try_get_pfn(): the 6.12 level is recognised, then refused */
	memcpy(strstr(m, "kvm_try_get_pfn"), "kvm_try_got_pfn", 15);
	ASSERT_EQ(detect(m, host612, &level, &err), -1);
	ASSERT_TRUE(strstr(err.s, "virt/kvm/kvm_main.c: looks like level 6.12") == err.s);
	ASSERT_TRUE(strstr(err.s, "does not define kvm_try_get_pfn") != NULL);
	free(m);
	kt_buf_free(&err);
}

/* kvm_main.c of a made-up 6.13+ tree: every marker, as empty definitions. */
static const char main613[] = "static int kvm_resolve_pfn(struct kvm_follow_pfn *kfp)\n"
			      "{\n\t*kfp->refcounted_page = 0;\n"
			      "\treturn follow_pfnmap_start(0);\n}\n"
			      "static int hva_to_pfn_fast(void) { return 0; }\n"
			      "static int hva_to_pfn_slow(void) { return 0; }\n"
			      "static int hva_to_pfn_remapped(void) { return 0; }\n"
			      "int hva_to_pfn(void) { return 0; }\n"
			      "static int kvm_follow_pfn(void) { return 0; }\n"
			      "void kvm_release_page_clean(void) { }\n"
			      "void kvm_release_page_dirty(void) { }\n";
static const char host613[] = "static inline int mmu_invalidate_retry_gfn(void) { return 0; }\n";

TEST(level_6_13_from_kvm_follow_pfn_with_refcounted_page)
{
	struct kt_buf err = { 0 };
	enum kt_level level = KT_LEVEL_6_1;

	ASSERT_EQ(detect(main613, host613, &level, &err), 0);
	ASSERT_EQ(level, KT_LEVEL_6_13);
	kt_buf_free(&err);
}

TEST(level_6_13_names_the_missing_symbol)
{
	char *m = strdup(main613);
	struct kt_buf err = { 0 };
	enum kt_level level;

	/* no kvm_follow_pfn(): the 6.13+ level is recognised, then refused */
	memcpy(strstr(m, "int kvm_follow_pfn"), "int kvm_follow_pfx", 18);
	ASSERT_EQ(detect(m, host613, &level, &err), -1);
	ASSERT_TRUE(strstr(err.s, "virt/kvm/kvm_main.c: looks like level 6.13+") == err.s);
	ASSERT_TRUE(strstr(err.s, "does not define kvm_follow_pfn") != NULL);
	free(m);
	kt_buf_free(&err);
}

TEST(level_names_the_missing_symbol)
{
	char *m = strdup(main61);
	struct kt_buf err = { 0 };
	enum kt_level level;

	/* no kvm_try_get_pfn(): the 6.1-era level is recognised, then refused */
	memcpy(strstr(m, "kvm_try_get_pfn"), "kvm_try_got_pfn", 15);
	ASSERT_EQ(detect(m, host61, &level, &err), -1);
	ASSERT_TRUE(strstr(err.s, "does not define kvm_try_get_pfn") != NULL);
	ASSERT_TRUE(strstr(err.s, "virt/kvm/kvm_main.c: looks like level 6.1-era") == err.s);
	kt_buf_free(&err);
	err = (struct kt_buf){ 0 };
	ASSERT_EQ(detect(main61, "int other;\n", &level, &err), -1);
	ASSERT_TRUE(strstr(err.s, "include/linux/kvm_host.h: ") == err.s);
	ASSERT_TRUE(strstr(err.s, "does not define mmu_invalidate_retry_hva") != NULL);
	free(m);
	kt_buf_free(&err);
}

TEST(level_a_marker_in_a_comment_does_not_count)
{
	static const char m[] = "/* follow_pte() and follow_pfnmap_start() */\n"
				"static const char *s = \"kvm_resolve_pfn\";\n";
	struct kt_buf err = { 0 };
	enum kt_level level;

	ASSERT_EQ(detect(m, host61, &level, &err), -1);
	ASSERT_TRUE(strstr(err.s, "unknown level") != NULL);
	kt_buf_free(&err);
}

TEST(level_version_from_the_makefile)
{
	char dir[] = "/tmp/kfp-test-level-XXXXXX", path[64], version[32];
	struct kt_buf err = { 0 };
	FILE *f;

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/Makefile", dir);
	f = fopen(path, "w");
	ASSERT_TRUE(f != NULL);
	fputs("# comment\nVERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\nEXTRAVERSION = -noref\n"
	      "NAME = x\n",
	      f);
	fclose(f);
	ASSERT_EQ(kt_tree_version(dir, version, sizeof(version), &err), 0);
	ASSERT_TRUE(!strcmp(version, "6.1.192-noref"));
	unlink(path);
	ASSERT_EQ(kt_tree_version(dir, version, sizeof(version), &err), -1);
	ASSERT_TRUE(strstr(err.s, "/Makefile: cannot read the tree's version") != NULL);
	rmdir(dir);
	kt_buf_free(&err);
}
