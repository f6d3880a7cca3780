// SPDX-License-Identifier: GPL-2.0
/*
 * The arena watch (explore/arena_watch.c): the stateful search compares
 * only the pages a search wrote, so the watch must report every page
 * written since it started, and the partial pages at either end always.
 * The arena below starts 100 bytes into a page and ends 200 bytes into
 * the fifth page after it:
 *
 *     page:   0        1        2        3        4        5
 *           |..[xxxxx|xxxxxxxx|xxxxxxxx|xxxxxxxx|xxxxxxxx|xx]....|
 *              ^ base                                        ^ base + size
 *           head: partial page 0, always compared
 *           watched: pages 1..4 (read-only until their first write)
 *           tail: partial page 5, always compared
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/harness.h"
#include "../../explore/arena_watch.h"

#define PAGES 6
#define HEAD 100
#define TAIL 200

static size_t ps;

static unsigned char *arena_pages(void)
{
	void *p;

	ps = (size_t)sysconf(_SC_PAGESIZE);
	p = mmap(NULL, PAGES * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static size_t arena_size(void)
{
	return (PAGES - 1) * ps - HEAD + TAIL;
}

TEST(arena_watch_reports_the_ends_and_each_page_written)
{
	unsigned char *pages = arena_pages(), *base;
	struct arena_range range[ARENA_WATCH_MAX_RANGES];
	struct arena_watch w;
	unsigned int n;

	ASSERT_TRUE(pages != NULL);
	base = pages + HEAD;
	ASSERT_TRUE(arena_watch_start(&w, base, arena_size()));
	ASSERT_EQ(w.nr_pages, 4);
	/* nothing written: the two ends */
	n = arena_watch_ranges(&w, range);
	ASSERT_EQ(n, 2);
	ASSERT_EQ(range[0].start, 0);
	ASSERT_EQ(range[0].end, ps - HEAD);
	ASSERT_EQ(range[1].start, 5 * ps - HEAD);
	ASSERT_EQ(range[1].end, arena_size());
	/* a store into page 3 and a read of page 2: page 3 alone joins */
	pages[3 * ps + 17] = 0x5a;
	ASSERT_EQ(*(volatile unsigned char *)&pages[2 * ps + 5], 0);
	ASSERT_TRUE(w.changed);
	n = arena_watch_ranges(&w, range);
	ASSERT_FALSE(w.changed);
	ASSERT_EQ(n, 3);
	ASSERT_EQ(range[1].start, 3 * ps - HEAD);
	ASSERT_EQ(range[1].end, 4 * ps - HEAD);
	ASSERT_EQ(pages[3 * ps + 17], 0x5a);
	/* page 1, next to the head, and page 4, next to the tail: merged with them */
	memset(pages + ps, 1, 8);
	pages[4 * ps + ps - 1] = 2;
	n = arena_watch_ranges(&w, range);
	ASSERT_EQ(n, 2);
	ASSERT_EQ(range[0].end, 2 * ps - HEAD);
	ASSERT_EQ(range[1].start, 3 * ps - HEAD);
	ASSERT_EQ(range[1].end, arena_size());
	ASSERT_EQ(w.nr_written, 3);
	/* a page marked by hand counts as written; after the stop, all writable */
	arena_watch_mark(&w, 2 * ps - HEAD + 1, 1);
	n = arena_watch_ranges(&w, range);
	ASSERT_EQ(n, 1);
	arena_watch_stop(&w);
	memset(base, 3, arena_size());
	munmap(pages, PAGES * ps);
}

/* Unwatched (too small, or disabled): one range, the whole arena. */
TEST(arena_watch_unwatched_arena_is_one_range)
{
	unsigned char *pages = arena_pages();
	struct arena_range range[ARENA_WATCH_MAX_RANGES];
	struct arena_watch w;

	ASSERT_TRUE(pages != NULL);
	ASSERT_FALSE(arena_watch_start(&w, pages + HEAD, 300));
	ASSERT_EQ(arena_watch_ranges(&w, range), 1);
	ASSERT_EQ(range[0].start, 0);
	ASSERT_EQ(range[0].end, 300);
	kfp_arena_watch_disabled = true;
	ASSERT_FALSE(arena_watch_start(&w, pages + HEAD, arena_size()));
	kfp_arena_watch_disabled = false;
	ASSERT_EQ(arena_watch_ranges(&w, range), 1);
	ASSERT_EQ(range[0].end, arena_size());
	arena_watch_stop(&w);
	munmap(pages, PAGES * ps);
}

/*
 * A fault that is not a watch's first write is not swallowed: a store to
 * a read-only page outside the arena still kills the process (in a child),
 * through the handler there was before the watch's.
 */
TEST(arena_watch_passes_other_faults_on)
{
	unsigned char *pages = arena_pages();
	struct arena_watch w;
	int status;
	pid_t pid;

	ASSERT_TRUE(pages != NULL);
	ASSERT_TRUE(arena_watch_start(&w, pages + HEAD, 3 * ps));
	mprotect(pages + 5 * ps, ps, PROT_READ);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (!pid) {
		struct rlimit none = { 0, 0 };
		int quiet = open("/dev/null", O_WRONLY);

		/* no core file, and no sanitizer report, for the expected crash */
		setrlimit(RLIMIT_CORE, &none);
		if (quiet >= 0)
			dup2(quiet, STDERR_FILENO);
		pages[5 * ps] = 1;
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	arena_watch_stop(&w);
	munmap(pages, PAGES * ps);
	/* killed by the signal, or, under AddressSanitizer, its report's exit */
	ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
