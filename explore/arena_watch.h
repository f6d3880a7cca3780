/* SPDX-License-Identifier: GPL-2.0 */
/* Which pages of the arena a search ever wrote (arena_watch.c). */
#ifndef KFP_EXPLORE_ARENA_WATCH_H
#define KFP_EXPLORE_ARENA_WATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 64 pages of 4 KiB: the scenario arena is 10 */
#define ARENA_WATCH_MAX_PAGES 64
/* the partial pages at either end, and at most one range per page between */
#define ARENA_WATCH_MAX_RANGES (ARENA_WATCH_MAX_PAGES + 2)

struct arena_watch {
	uintptr_t base; /* the arena */
	size_t size;
	uintptr_t first, end; /* its whole pages, the ones watched */
	size_t page_size;
	size_t nr_pages;
	bool active;
	/* written by the fault handler */
	volatile unsigned char written[ARENA_WATCH_MAX_PAGES];
	volatile sig_atomic_t nr_written;
	volatile sig_atomic_t changed; /* a page was written since arena_watch_ranges() */
	volatile sig_atomic_t nr_faults;
};

/* [start, end) bytes from the arena's base */
struct arena_range {
	size_t start, end;
};

bool arena_watch_start(struct arena_watch *w, void *base, size_t size);
void arena_watch_mark(struct arena_watch *w, size_t offset, size_t len);
void arena_watch_stop(struct arena_watch *w);
unsigned int arena_watch_ranges(struct arena_watch *w, struct arena_range *range);

/* for the test suite: the watch is not used; a page's first write goes unrecorded */
extern bool kfp_arena_watch_disabled;
extern bool kfp_arena_watch_seeded_bug;

#endif /* KFP_EXPLORE_ARENA_WATCH_H */
