/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A replayed execution, recorded step by step, and its renderings: the
 * text trace kfp replay prints, and the sequence charts (SVG, DOT) of
 * kfp check --trace-format and kfp replay --svg/--dot.
 *
 * A row is one step of the explorer; its number is the step number the
 * reports name ("step 9: P2"), so the trace and the reports agree.  The
 * last row, of no thread, is the end of the execution, where the final
 * checks (leaks, balances) report.  Each row keeps the state after it of
 * every page (refcount, pins, mapcount) and the notifier counters, so
 * that a chart can draw them as tracks below the lanes.
 */
#ifndef KFP_TRACE_H
#define KFP_TRACE_H

#include <stdio.h>

#include <kfp/report.h>
#include <kfp/types.h>

#ifdef __cplusplus
extern "C" {
#endif

enum kfp_trace_action {
	KFP_TRACE_READ,
	KFP_TRACE_WRITE,
	KFP_TRACE_WAIT, /* waits for another thread's write */
	KFP_TRACE_LOCK, /* takes a lock exclusively (mutex, spinlock, write side) */
	KFP_TRACE_UNLOCK, /* releases an exclusive hold */
	KFP_TRACE_READ_LOCK, /* takes a lock shared (read side of rwsem, rwlock, srcu) */
	KFP_TRACE_READ_UNLOCK, /* releases a shared hold */
	KFP_TRACE_END, /* the end of the execution: the final checks */
};

const char *kfp_trace_action_name(enum kfp_trace_action action);

/* A page's state after a step. */
struct kfp_trace_page {
	s16 refcount, pins, mapcount;
	u8 free;
};

#define KFP_TRACE_NO_OP (-1)

struct kfp_trace_row {
	u32 step; /* the step number reports name */
	s8 thread; /* -1: the end of the execution */
	u8 action; /* enum kfp_trace_action */
	u8 finished; /* the thread ended with this step */
	s8 op_begins; /* the thread's op that begins with this step, or KFP_TRACE_NO_OP */
	s8 op_ends; /* the thread's op that ends with this step, or KFP_TRACE_NO_OP */
	char what[40]; /* the site: "gup_fast pte", "mmu_lock" */
	char object[96]; /* the object the step touched, after it */
	long mmu_invalidate_seq, mmu_invalidate_in_progress;
	struct kfp_trace_page page[KFP_NR_PFNS];
};

struct kfp_scenario;

struct kfp_trace {
	const struct kfp_scenario *scenario;
	unsigned int design;
	char schedule[4096]; /* as given (cut if longer: it is for titles) */
	unsigned int nr_rows, capacity;
	struct kfp_trace_row *row;
	u8 involved[KFP_NR_PFNS]; /* a step touched the page, or a report names it */
	struct kfp_reports reports;
	/* owner names of the reports, taken before the world goes */
	char owner[KFP_MAX_OWNERS][24];
};

/* Free the rows of @trace. */
void kfp_trace_release(struct kfp_trace *trace);
/* The rows a report names (its step), or -1. */
int kfp_trace_row_of_step(const struct kfp_trace *trace, u32 step);

/* "vcpu0 op 2 (line 14): m = map"; the thread's name when @op is none */
void kfp_trace_op_label(const struct kfp_trace *trace, int thread, int op, char *out, size_t size);
/* A row's thread name; "(end)" for the end of the execution. */
const char *kfp_trace_thread_name(const struct kfp_trace *trace, int thread);
/* Does a report name @row's step?  1 a violation, 2 only accepted ones, 0 none. */
int kfp_trace_row_mark(const struct kfp_trace *trace, const struct kfp_trace_row *row);

/*
 * Text: one line per step, numbered as the reports number them, the
 * violating rows marked '>' and followed by what they broke, where each
 * of the scenario's ops begins and ends.  0, or -EIO when @out failed.
 */
int kfp_trace_print_text(const struct kfp_trace *trace, FILE *out);
/*
 * SVG: a self-contained sequence chart, one lane per thread, one column
 * per step, each report's step a band (id "violation-step-N" or
 * "accepted-step-N"), tracks of the pages and counters below.  DOT: the
 * steps as a graph, a cluster per thread.  0, or -EIO when @out failed.
 */
int kfp_trace_print_svg(const struct kfp_trace *trace, FILE *out);
int kfp_trace_print_dot(const struct kfp_trace *trace, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* KFP_TRACE_H */
