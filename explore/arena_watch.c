// SPDX-License-Identifier: GPL-2.0
/*
 * Which pages of the arena a search ever wrote.
 *
 * The stateful search finds what a step changed by comparing the arena
 * with the copy it last hashed (stateful.c).  In a search, most of the
 * arena never changes: across the bundled library a cell writes 11 of
 * its 614 blocks on average (page[], pte[], spte[] and the ledger are
 * sized for the whole language, a scenario uses their first entries).
 * Comparing the rest at every state is most of the cost of a state.
 *
 * So the whole pages of the arena are made read-only when the search
 * starts.  The first write to a page faults; the handler records the
 * page and makes it writable again, for the rest of the search.  A page
 * never written still holds what it held when the search started, so it
 * needs no compare: the compare reads the written pages and the partial
 * pages at either end, which are never protected.  A page costs one fault
 * per search, not one per step (mprotect() per step was measured at 4 us
 * a call and 12 us a fault, more than the compare it saves).
 *
 * Sound as long as every write to the arena is a store by this process
 * (no system call writes into it) and the handler sees each first write:
 * kfp_stateful_cross_check_arena checks the compare against the whole
 * arena, and kfp_arena_watch_seeded_bug (the first page written is made
 * writable and not recorded) shows that the check catches a page missed.
 *
 * The handler runs on an alternate stack of the OS thread, never on a
 * model thread's coroutine stack, so that a fault leaves no frame below a
 * thread's stack pointer.  A fault outside every watch is handed to the
 * handler there was before (the sanitizers') or, if none, kills the
 * process as it would have.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arena_watch.h"

bool kfp_arena_watch_seeded_bug;
bool kfp_arena_watch_disabled;

/* The watch of this OS thread's search, if any: a fault is this thread's own. */
static _Thread_local struct arena_watch *current;
static _Thread_local bool alt_stack_set;
static _Thread_local unsigned char alt_stack[64 * 1024] __attribute__((aligned(16)));

static struct sigaction previous;
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static bool handler_installed;

/* Hand a fault that is not a watch's to whoever handled it before. */
static void pass_on(int sig, siginfo_t *info, void *context)
{
	if (previous.sa_flags & SA_SIGINFO) {
		if (previous.sa_sigaction) {
			previous.sa_sigaction(sig, info, context);
			return;
		}
	} else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
		previous.sa_handler(sig);
		return;
	}
	/* the default: the store runs again, faults again and kills us */
	signal(sig, SIG_DFL);
}

/* Page @i writable again; recorded as written unless @record is false (the seeded bug). */
static int open_page(struct arena_watch *w, size_t i, bool record)
{
	if (record) {
		w->written[i] = 1;
		w->nr_written++;
		w->changed = 1;
	}
	return mprotect((void *)(w->first + i * w->page_size), w->page_size,
			PROT_READ | PROT_WRITE);
}

static void on_fault(int sig, siginfo_t *info, void *context)
{
	struct arena_watch *w = current;
	uintptr_t addr = (uintptr_t)info->si_addr;
	size_t page;
	int saved = errno;

	if (!w || info->si_code != SEGV_ACCERR || addr < w->first || addr >= w->end) {
		pass_on(sig, info, context);
		return;
	}
	page = (addr - w->first) / w->page_size;
	/* seeded: the first fault's page is made writable and not recorded */
	if (open_page(w, page, !(kfp_arena_watch_seeded_bug && !w->nr_faults++)))
		pass_on(sig, info, context);
	errno = saved;
}

static void install_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	handler_installed = !sigaction(SIGSEGV, &sa, &previous);
}

/* This OS thread's alternate signal stack, unless it has one already. */
static bool set_alt_stack(void)
{
	stack_t old, ss = { .ss_sp = alt_stack, .ss_size = sizeof(alt_stack) };

	if (alt_stack_set)
		return true;
	if (sigaltstack(NULL, &old))
		return false;
	if (!(old.ss_flags & SS_DISABLE)) {
		alt_stack_set = true;
		return true;
	}
	if (sigaltstack(&ss, NULL))
		return false;
	alt_stack_set = true;
	return true;
}

/*
 * Watch [@base, @base + @size): its whole pages become read-only.  False
 * (and every page counts as written) when it cannot be watched.
 */
bool arena_watch_start(struct arena_watch *w, void *base, size_t size)
{
	uintptr_t lo = (uintptr_t)base, hi = lo + size, ps = (uintptr_t)sysconf(_SC_PAGESIZE);

	memset(w, 0, sizeof(*w));
	w->base = lo;
	w->size = size;
	w->page_size = ps;
	w->first = (lo + ps - 1) & ~(ps - 1);
	w->end = hi & ~(ps - 1);
	if (kfp_arena_watch_disabled || w->end <= w->first ||
	    (w->end - w->first) / ps > ARENA_WATCH_MAX_PAGES)
		goto out_unwatched;
	pthread_once(&handler_once, install_handler);
	if (!handler_installed || !set_alt_stack())
		goto out_unwatched;
	w->nr_pages = (w->end - w->first) / ps;
	current = w;
	if (mprotect((void *)w->first, w->end - w->first, PROT_READ)) {
		current = NULL;
		w->nr_pages = 0;
		goto out_unwatched;
	}
	w->active = true;
	return true;

out_unwatched:
	w->first = w->end = lo;
	w->nr_pages = 0;
	return false;
}

/* Every page writable again; the watch ends. */
void arena_watch_stop(struct arena_watch *w)
{
	if (!w->active)
		return;
	mprotect((void *)w->first, w->end - w->first, PROT_READ | PROT_WRITE);
	w->active = false;
	if (current == w)
		current = NULL;
}

/* Count bytes [@offset, @offset + @len) of the arena as written from the start. */
void arena_watch_mark(struct arena_watch *w, size_t offset, size_t len)
{
	uintptr_t lo = w->base + offset, hi = lo + len, ps = w->page_size;
	size_t i;

	if (!w->active || !len)
		return;
	for (i = 0; i < w->nr_pages; i++) {
		uintptr_t page = w->first + i * ps;

		if (page + ps > lo && page < hi && !w->written[i])
			open_page(w, i, true);
	}
}

/* Whether page @i of the watched ones was written since the start. */
static bool page_written(const struct arena_watch *w, size_t i)
{
	return w->written[i];
}

/*
 * The byte ranges of the arena, from its base, that may differ from what
 * it held at the start: the partial pages at either end, and each whole
 * page written.  Adjacent ones are merged.  Returns how many.
 */
unsigned int arena_watch_ranges(struct arena_watch *w, struct arena_range *range)
{
	size_t ps = w->page_size, i;
	unsigned int n = 0;

	w->changed = 0;
	if (w->first > w->base)
		range[n++] = (struct arena_range){ 0, w->first - w->base };
	for (i = 0; i < w->nr_pages; i++) {
		size_t lo = w->first - w->base + i * ps;

		if (!page_written(w, i))
			continue;
		if (n && range[n - 1].end == lo)
			range[n - 1].end = lo + ps;
		else
			range[n++] = (struct arena_range){ lo, lo + ps };
	}
	if (w->base + w->size > w->end) {
		size_t lo = w->end - w->base;

		if (n && range[n - 1].end == lo)
			range[n - 1].end = w->size;
		else
			range[n++] = (struct arena_range){ lo, w->size };
	}
	return n;
}
