// SPDX-License-Identifier: GPL-2.0
/*
 * The progress line kfp prints on stderr while it searches, so that a long
 * run is never silent: on a terminal one live line, redrawn at most four
 * times a second; elsewhere (a CI log) a line every few seconds.  It shows
 * the cells done, and the cell that last reported: its design, scenario,
 * states or executions, rate, and the explorer's estimate of its size
 * (explore.h: estimated_fraction), which is a guide, not a promise.
 *
 * Worker threads report through the explorer's progress callback (every
 * 1024 executions) into a slot of their own; the main thread reports each
 * cell it judged.  Whoever reports prints, under one lock.  Nothing here
 * touches stdout, whose bytes stay the same with or without progress.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"

#define NR_SLOTS 64
#define LIVE_WIDTH 79
#define LIVE_INTERVAL 0.25

struct kfp_progress_slot {
	const char *scenario, *design;
	double begin;
	u64 count;
	bool stateful, reported;
	double fraction, total;
};

static struct {
	pthread_mutex_t lock;
	bool on, tty, shown;
	double every, start, last;
	unsigned int nr_cells, done;
	struct kfp_progress_slot slot[NR_SLOTS];
	struct kfp_progress_slot *latest;
} progress = { .lock = PTHREAD_MUTEX_INITIALIZER };

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void kfp_progress_start(unsigned int nr_cells, double every, bool tty)
{
	pthread_mutex_lock(&progress.lock);
	progress.on = every > 0;
	progress.tty = tty;
	progress.every = tty ? LIVE_INTERVAL : every;
	progress.start = now();
	progress.last = progress.start;
	progress.nr_cells = nr_cells;
	progress.done = 0;
	progress.latest = NULL;
	pthread_mutex_unlock(&progress.lock);
}

struct kfp_progress_slot *kfp_progress_slot(unsigned int index)
{
	return &progress.slot[index % NR_SLOTS];
}

/* "kfp: 12/245 cells, 3s; upstream missing-retry-check: 5120 states, 900/s" */
static void format_line(char *line, size_t size, double t)
{
	const struct kfp_progress_slot *s = progress.latest;
	size_t len;

	len = (size_t)snprintf(line, size, "kfp: %u/%u cells, %.0fs", progress.done,
			       progress.nr_cells, t - progress.start);
	if (!s || len >= size)
		return;
	len += (size_t)snprintf(line + len, size - len, "; %s %s: %.0fs", s->design, s->scenario,
				t - s->begin);
	/* the explorer reports every 1024 executions: a short search never does */
	if (!s->reported || len >= size)
		return;
	len += (size_t)snprintf(line + len, size - len, ", %llu %s", (unsigned long long)s->count,
				s->stateful ? "states" : "executions");
	if (len < size && t > s->begin)
		len += (size_t)snprintf(line + len, size - len, ", %.0f/s",
					(double)s->count / (t - s->begin));
	if (len < size && s->fraction > 0 && s->fraction < 1)
		snprintf(line + len, size - len, ", ~%.0f%% of ~%.0f", 100 * s->fraction, s->total);
}

/* Print a line if the interval passed; the caller holds the lock. */
static void maybe_print(void)
{
	char line[256];
	double t;

	if (!progress.on)
		return;
	t = now();
	if (t - progress.last < progress.every)
		return;
	progress.last = t;
	format_line(line, sizeof(line), t);
	if (progress.tty) {
		fprintf(stderr, "\r%-*.*s", LIVE_WIDTH, LIVE_WIDTH, line);
		progress.shown = true;
	} else {
		fprintf(stderr, "%s\n", line);
	}
	fflush(stderr);
}

void kfp_progress_cell_begin(struct kfp_progress_slot *slot, const char *scenario,
			     const char *design)
{
	pthread_mutex_lock(&progress.lock);
	slot->scenario = scenario;
	slot->design = design;
	slot->begin = now();
	slot->count = 0;
	slot->stateful = false;
	slot->reported = false;
	slot->fraction = 0;
	progress.latest = slot;
	pthread_mutex_unlock(&progress.lock);
}

void kfp_progress_update(void *arg, const struct kfp_explore_result *result)
{
	struct kfp_progress_slot *slot = arg;

	pthread_mutex_lock(&progress.lock);
	slot->stateful = result->stateful;
	slot->reported = true;
	slot->count = result->stateful ? result->states : result->executions;
	slot->fraction = result->estimated_fraction;
	slot->total = result->estimated_total;
	progress.latest = slot;
	maybe_print();
	pthread_mutex_unlock(&progress.lock);
}

void kfp_progress_cell_done(void)
{
	pthread_mutex_lock(&progress.lock);
	progress.done++;
	maybe_print();
	pthread_mutex_unlock(&progress.lock);
}

/* Wipe the live line, so that what comes next on the terminal starts clean. */
void kfp_progress_clear(void)
{
	pthread_mutex_lock(&progress.lock);
	if (progress.shown) {
		fprintf(stderr, "\r%*s\r", LIVE_WIDTH, "");
		fflush(stderr);
		progress.shown = false;
	}
	pthread_mutex_unlock(&progress.lock);
}

void kfp_progress_end(void)
{
	kfp_progress_clear();
	pthread_mutex_lock(&progress.lock);
	progress.on = false;
	pthread_mutex_unlock(&progress.lock);
}
