// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario files a command works on: the paths it is given, each a
 * file or a directory searched for .kfp files, sorted by path so that the
 * output does not depend on the order readdir() returns.  kfp check, kfp
 * diff and the matrix share it.  The walk reads only regular files (a
 * FIFO would block the loader's open), and follows a symbolic link to a
 * directory unless the directory is one it is already inside (a loop).
 * Every message names the path it is about, as PATH:0:0.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The directories from the walk's start down to the one being read. */
struct ancestor {
	dev_t dev;
	ino_t ino;
	const struct ancestor *parent;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int add_file(struct kfp_cli_files *files, const char *path)
{
	char *copy;

	if (files->nr == KFP_CLI_MAX_FILES) {
		fprintf(stderr, "%s:0:0: more than %d scenario files\n", path, KFP_CLI_MAX_FILES);
		return -1;
	}
	copy = strdup(path);
	if (!copy) {
		fprintf(stderr, "%s:0:0: out of memory\n", path);
		return -1;
	}
	files->path[files->nr++] = copy;
	return 0;
}

static bool inside(const struct ancestor *a, const struct stat *st)
{
	for (; a; a = a->parent)
		if (a->dev == st->st_dev && a->ino == st->st_ino)
			return true;
	return false;
}

static int add_tree(struct kfp_cli_files *files, const char *path, const struct stat *st,
		    const struct ancestor *parent);

/* One entry of a directory: a .kfp regular file, or a directory to search. */
static int add_entry(struct kfp_cli_files *files, const char *dir, const char *name,
		     const struct ancestor *parent)
{
	char child[PATH_MAX];
	struct stat st;

	if (name[0] == '.')
		return 0;
	if ((size_t)snprintf(child, sizeof(child), "%s/%s", dir, name) >= sizeof(child)) {
		fprintf(stderr, "%s/%s:0:0: path too long\n", dir, name);
		return -1;
	}
	/* stat, not lstat: a link to a file or directory is followed, its loops are not */
	if (stat(child, &st))
		return 0; /* a dangling link: nothing to read */
	if (S_ISDIR(st.st_mode)) {
		if (inside(parent, &st)) {
			fprintf(stderr,
				"%s:0:0: warning: a link back to a directory being searched "
				"(a loop), not followed\n",
				child);
			return 0;
		}
		return add_tree(files, child, &st, parent);
	}
	if (!ends_with(name, ".kfp"))
		return 0;
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr,
			"%s:0:0: warning: not a regular file (a FIFO or device?), skipped\n",
			child);
		return 0;
	}
	return add_file(files, child);
}

/* Every .kfp under the directory @path (@st its stat). */
static int add_tree(struct kfp_cli_files *files, const char *path, const struct stat *st,
		    const struct ancestor *parent)
{
	struct ancestor self = { .dev = st->st_dev, .ino = st->st_ino, .parent = parent };
	struct dirent *entry;
	DIR *dir;
	int ret = 0;

	dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "%s:0:0: cannot open directory\n", path);
		return -1;
	}
	while ((entry = readdir(dir)) && !ret)
		ret = add_entry(files, path, entry->d_name, &self);
	closedir(dir);
	return ret;
}

/* A file, or every .kfp under a directory: 0, or -1 after saying why. */
int kfp_cli_add_path(struct kfp_cli_files *files, const char *path)
{
	struct stat st;

	if (stat(path, &st)) {
		fprintf(stderr, "%s:0:0: cannot read: no such file or directory\n", path);
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return add_tree(files, path, &st, NULL);
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s:0:0: not a regular file or a directory (a FIFO or device?)\n",
			path);
		return -1;
	}
	return add_file(files, path);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void kfp_cli_sort_files(struct kfp_cli_files *files)
{
	qsort(files->path, files->nr, sizeof(files->path[0]), by_name);
}

/*
 * Two files that define the same scenario name: the second's name, a
 * warning with both positions (the JSON and kfp merge tell cells apart by
 * name, so a reader must know).  @scenarios in the order of the files.
 */
void kfp_cli_warn_duplicates(struct kfp_scenario *const *scenarios, unsigned int nr)
{
	unsigned int i, j;

	for (j = 1; j < nr; j++) {
		for (i = 0; i < j; i++)
			if (!strcmp(scenarios[i]->name, scenarios[j]->name))
				break;
		if (i == j)
			continue;
		fprintf(stderr, "%s:%u:%u: warning: scenario '%s' is also defined at %s:%u:%u\n",
			scenarios[j]->path, scenarios[j]->name_pos.line, scenarios[j]->name_pos.col,
			scenarios[j]->name, scenarios[i]->path, scenarios[i]->name_pos.line,
			scenarios[i]->name_pos.col);
	}
}

/* Does the directory @path exist (and, given @st, which it is)? */
static bool is_dir(const char *path, struct stat *st)
{
	return !stat(path, st) && S_ISDIR(st->st_mode);
}

/* @path, or "scenarios" when that names the same directory (@st its stat). */
static const char *shortest(const char *path, const struct stat *st)
{
	struct stat here;

	if (is_dir("scenarios", &here) && here.st_dev == st->st_dev && here.st_ino == st->st_ino)
		return "scenarios";
	return path;
}

/*
 * The bundled library, found from the binary (/proc/self/exe): first
 * BINDIR/../share/kfp/scenarios, where make install puts it (so that a
 * tree staged under DESTDIR or moved elsewhere works as it is); then
 * build/normal/../../scenarios, the source tree the binary was built in;
 * then the SCENARIODIR make install was given (when BINDIR and DATADIR
 * are not siblings); last ./scenarios.  Shown as "scenarios" when it is
 * the working directory's, so that a run in the source tree prints short
 * paths.
 */
const char *kfp_cli_library_path(void)
{
	static const char *const beside[] = { "/../share/kfp/scenarios", "/../../scenarios" };
	static char path[PATH_MAX];
	char self[PATH_MAX];
	unsigned int i;
	struct stat st;
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	for (i = 0; slash && i < sizeof(beside) / sizeof(beside[0]); i++)
		if ((size_t)snprintf(path, sizeof(path), "%s%s", self, beside[i]) < sizeof(path) &&
		    is_dir(path, &st))
			return shortest(path, &st);
#ifdef KFP_SCENARIODIR
	if (is_dir(KFP_SCENARIODIR, &st))
		return shortest(KFP_SCENARIODIR, &st);
#endif
	return "scenarios";
}
