/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The explorer: runs a program's threads under a controlled scheduler,
 * one at a time, switching only at the seam's points, and explores their
 * interleavings depth-first with source-DPOR and sleep sets (Abdulla et
 * al., "Optimal dynamic partial order reduction", POPL 2014, Algorithm 1).
 *
 * Stateless: every execution restarts from a snapshot of the program's
 * state, copied back in place (one memcpy), and replays a prefix of
 * choices.  Deterministic: the same program and options give the same
 * executions in the same order.
 */
#ifndef KFP_EXPLORE_H
#define KFP_EXPLORE_H

#include <kfp/report.h>
#include <kfp/seam.h>

#define KFP_MAX_STEPS 4096
#define KFP_SCHEDULE_MAX 1024
#define KFP_THREAD_NAME_LEN 24

struct kfp_thread_spec {
	char name[KFP_THREAD_NAME_LEN];
	void (*fn)(void *state, void *arg);
	void *arg;
};

/* One step as a trace sees it, after the step ran. */
struct kfp_trace_step {
	unsigned int index;
	int thread;
	u32 object; /* the step's first object (the lock, for a lock) */
	u8 access; /* enum kfp_access */
	struct kfp_footprint footprint; /* every object the step touched */
	u8 is_lock; /* a lock acquisition */
	u8 is_wait; /* a wait for another thread's write */
	u8 finished; /* the thread ended with this step */
	const char *what;
};

struct kfp_program {
	/* The state threads work on, set up; restored in place per execution. */
	void *state;
	size_t state_size;
	struct kfp_reports *reports; /* inside state */
	unsigned int nr_threads;
	struct kfp_thread_spec thread[KFP_MAX_THREADS];
	/* After all threads ended (or the execution stopped): final checks. */
	void (*at_end)(void *state, void *arg);
	void *at_end_arg;
	/* Trace of replayed executions, step by step (may be NULL). */
	void (*trace)(void *state, void *arg, const struct kfp_trace_step *step);
	void *trace_arg;
};

struct kfp_explore_result;

struct kfp_explore_options {
	u64 max_executions; /* 0: no limit */
	unsigned int max_steps; /* per execution; 0: KFP_MAX_STEPS */
	int preemption_bound; /* < 0: none */
	double timeout_seconds; /* 0: none */
	bool no_reduction; /* every interleaving, no DPOR and no sleep sets */
	bool stop_on_violation; /* stop at the first execution with a violation */
	bool minimize; /* reduce the counterexample to the fewest preemptions */
	u64 random_executions; /* > 0: random mode, this many executions */
	u64 seed; /* random mode */
	unsigned int shard_index; /* sharding: this is shard index of count */
	unsigned int shard_count; /* 0 or 1: no sharding */
	/* called every 1024 executions (e.g. a progress line); may be NULL */
	void (*progress)(void *arg, const struct kfp_explore_result *result);
	void *progress_arg;
};

enum kfp_stop_reason {
	KFP_STOP_COMPLETE, /* the whole search ran */
	KFP_STOP_MAX_EXECUTIONS,
	KFP_STOP_TIMEOUT,
	KFP_STOP_VIOLATION, /* stop_on_violation */
	KFP_STOP_RANDOM_DONE, /* random mode: the requested runs ran (not exhaustive) */
	KFP_STOP_PREEMPTION_BOUND, /* complete within the bound, which cut something */
};

struct kfp_explore_result {
	u64 executions; /* complete executions (threads ended or deadlocked) */
	u64 sleep_blocked; /* redundant executions cut by sleep sets */
	u64 step_bound_hits; /* executions cut by max_steps (livelock?) */
	u64 deadlocks;
	u64 steps;
	bool complete; /* the search was exhaustive within its reduction */
	enum kfp_stop_reason stop;
	double seconds;
	/* over all executions */
	u64 executions_with_violation[KFP_NR_PROPERTIES];
	u64 executions_with_accepted[KFP_NR_PROPERTIES];
	/* the first execution with a violation (or, failing that, with an accepted one) */
	bool has_counterexample;
	char counterexample[KFP_SCHEDULE_MAX];
	unsigned int counterexample_preemptions;
	struct kfp_reports counterexample_reports;
	/* every property's first witness schedule, for expectations like "sometimes" */
	char witness[KFP_NR_PROPERTIES][KFP_SCHEDULE_MAX];
	char accepted_witness[KFP_NR_PROPERTIES][KFP_SCHEDULE_MAX];
};

int kfp_explore(const struct kfp_program *program, const struct kfp_explore_options *options,
		struct kfp_explore_result *result);

/*
 * Run exactly one execution following @schedule (then the default policy
 * once it runs out), calling the program's trace hook after each step.
 * Returns 0, or -EINVAL when the schedule names a thread that cannot run.
 * The program's state is left as the execution ended.
 */
int kfp_replay(const struct kfp_program *program, const char *schedule,
	       struct kfp_explore_result *result);

const char *kfp_stop_reason_name(enum kfp_stop_reason reason);

/* Inside a program's at_end hook: the schedule of the execution that just ended. */
void kfp_explore_current_schedule(char *out, size_t size);

#endif /* KFP_EXPLORE_H */
