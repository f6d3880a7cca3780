// SPDX-License-Identifier: GPL-2.0
/* The bundled scenario library, listed (library.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "library.h"

static const char *const library_dirs[] = { "scenarios/bugs", "scenarios/races",
					    "scenarios/thread" };

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

unsigned int kfp_library_list(char (*paths)[KFP_LIBRARY_PATH_LEN])
{
	unsigned int d, n = 0;

	for (d = 0; d < sizeof(library_dirs) / sizeof(library_dirs[0]); d++) {
		DIR *dir = opendir(library_dirs[d]);
		struct dirent *de;

		while (dir && (de = readdir(dir)) && n < KFP_LIBRARY_MAX) {
			size_t len = strlen(de->d_name);
			int written;

			if (len < 5 || strcmp(de->d_name + len - 4, ".kfp"))
				continue;
			written = snprintf(paths[n], KFP_LIBRARY_PATH_LEN, "%s/%s", library_dirs[d],
					   de->d_name);
			if (written > 0 && written < KFP_LIBRARY_PATH_LEN)
				n++;
		}
		if (dir)
			closedir(dir);
	}
	qsort(paths, n, KFP_LIBRARY_PATH_LEN, by_name);
	return n;
}
