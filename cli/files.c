// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario files a command works on: the paths it is given, each a
 * file or a directory searched for .kfp files, sorted by path so that the
 * output does not depend on the order readdir() returns.  kfp check, kfp
 * diff and the matrix share it.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int add_file(struct kfp_cli_files *files, const char *path)
{
	if (files->nr == KFP_CLI_MAX_FILES) {
		fprintf(stderr, "%s:0:0: more than %d scenario files\n", path, KFP_CLI_MAX_FILES);
		return -1;
	}
	files->path[files->nr++] = strdup(path);
	return 0;
}

/* A file, or every .kfp under a directory: 0, or -1 after saying why. */
int kfp_cli_add_path(struct kfp_cli_files *files, const char *path)
{
	struct dirent *entry;
	struct stat st;
	DIR *dir;
	int ret = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "%s:0:0: cannot read: no such file or directory\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return add_file(files, path);
	dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "%s:0:0: cannot open directory\n", path);
		return -1;
	}
	while ((entry = readdir(dir)) && !ret) {
		char child[PATH_MAX];

		if (entry->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, entry->d_name);
		if (stat(child, &st))
			continue;
		if (S_ISDIR(st.st_mode) || ends_with(entry->d_name, ".kfp"))
			ret = kfp_cli_add_path(files, child);
	}
	closedir(dir);
	return ret;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void kfp_cli_sort_files(struct kfp_cli_files *files)
{
	qsort(files->path, files->nr, sizeof(files->path[0]), by_name);
}
