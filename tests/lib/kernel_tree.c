// SPDX-License-Identifier: GPL-2.0
/* What the --kernel-tree tests share: see kernel_tree.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kfp/scenario.h>
#include <kfp/tree.h>

#include "harness.h"
#include "kernel_tree.h"
#include "library.h"

/*
 * The plain and the sanitizer builds run side by side (make check): each
 * unpacks into a directory of its own and renames it in, and the first
 * rename wins.
 */
void kernel_tree_unpack(const char *version, const char *const *files, unsigned int nr_files)
{
	static char why[256]; /* the harness prints it after the test has left */
	char cmd[1024], path[512], tmp[256], tarball[128], tree[128];
	unsigned int i;
	size_t n;

	snprintf(tarball, sizeof(tarball), "/usr/src/linux-source-%s.tar.xz", version);
	if (access(tarball, R_OK)) {
		snprintf(why, sizeof(why), "%s not installed (apt-get install linux-source-%s)",
			 tarball, version);
		SKIP(why);
	}
	snprintf(tree, sizeof(tree), KERNEL_TREES "/linux-source-%s", version);
	snprintf(path, sizeof(path), "%s/%s", tree, files[nr_files - 1]);
	if (!access(path, R_OK))
		return;
	snprintf(tmp, sizeof(tmp), KERNEL_TREES "/unpack-%s.%d", version, (int)getpid());
	n = (size_t)snprintf(cmd, sizeof(cmd), "mkdir -p %s && tar -xJf %s -C %s", tmp, tarball,
			     tmp);
	for (i = 0; i < nr_files; i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " linux-source-%s/%s", version,
				      files[i]);
	ASSERT_TRUE(n < sizeof(cmd));
	ASSERT_EQ(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/linux-source-%s", tmp, version);
	/* a tree unpacked before the list grew: add the files it lacks */
	if (rename(path, tree)) {
		ASSERT_TRUE(errno == ENOTEMPTY || errno == EEXIST);
		snprintf(cmd, sizeof(cmd), "cp -rn %s/. %s", path, tree);
		ASSERT_EQ(system(cmd), 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	ASSERT_EQ(system(cmd), 0);
}

void kernel_tree_patched_copy(const char *tree, const char *dir, const char *extraversion,
			      const char *file, const char *edit)
{
	char cmd[1536];
	int n;

	n = snprintf(cmd, sizeof(cmd),
		     "rm -rf %s && mkdir -p %s && cp -r %s/. %s && "
		     "sed -i 's/^EXTRAVERSION =.*/EXTRAVERSION = %s/' %s/Makefile && "
		     "sed -i '%s' %s/%s && ! cmp -s %s/%s %s/%s",
		     dir, dir, tree, dir, extraversion, dir, edit, dir, file, tree, file, dir,
		     file);
	ASSERT_TRUE(n > 0 && (size_t)n < sizeof(cmd));
	ASSERT_EQ(system(cmd), 0);
}

void kernel_tree_patched_main(const char *tree, const char *dir, const char *extraversion,
			      const char *from, const char *to)
{
	char edit[256];

	snprintf(edit, sizeof(edit), "s/%s/%s/", from, to);
	kernel_tree_patched_copy(tree, dir, extraversion, "virt/kvm/kvm_main.c", edit);
}

int kernel_tree_load(const char *dir)
{
	char msg[8192];
	int d = kfp_kernel_tree_load(dir, KERNEL_TREE_CACHE, msg, sizeof(msg));

	if (d < 0)
		kfp_test_diag("%s", msg);
	ASSERT_TRUE(d >= 0);
	return d;
}

unsigned int kernel_tree_verdict(const char *path, int design)
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

const char *kernel_tree_uninjected(const char *path, char *out, size_t size)
{
	char cmd[2048];

	snprintf(out, size, KERNEL_TREES "/uninjected%s/%s", KERNEL_TREE_BUILD,
		 strrchr(path, '/') + 1);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p " KERNEL_TREES "/uninjected%s && grep -v '^param inject' %s > %s.tmp && "
		 "mv %s.tmp %s",
		 KERNEL_TREE_BUILD, path, out, out, out);
	ASSERT_EQ(system(cmd), 0);
	return out;
}

void kernel_tree_retry_check_is_caught(int tree, int patched)
{
	static const char *const paths[] = {
		"scenarios/bugs/missing-retry-check.kfp",
		"scenarios/found/missing-retry-check-read-vs-munmap.kfp",
	};
	const unsigned int p2p3 = 1u << KFP_PROPERTY_P2 | 1u << KFP_PROPERTY_P3;
	char plain[512];
	unsigned int i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		unsigned int injected = kernel_tree_verdict(paths[i], tree) & p2p3;

		kernel_tree_uninjected(paths[i], plain, sizeof(plain));
		ASSERT_EQ(injected, p2p3);
		ASSERT_EQ(kernel_tree_verdict(plain, tree) & p2p3, 0);
		ASSERT_EQ(kernel_tree_verdict(plain, patched) & p2p3, injected);
	}
}
