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

#include <signal.h>

#include <kfp/report.h>
#include <kfp/seam.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Steps per execution when no bound is given: a net for a model that loops.
 * The node and event arrays grow with the executions, so this is no limit
 * of a scenario; an execution it cuts makes the search incomplete.
 */
#define KFP_DEFAULT_MAX_STEPS (1U << 20)
#define KFP_THREAD_NAME_LEN 24
#define KFP_MAX_HISTORY_RANGES 4

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
	/*
	 * The search starts over (the stateful search's persistent sets
	 * learnt something a decision relied on, explore/persistent.c): what
	 * at_end gathered so far is to be forgotten, as every final state
	 * will be reached, and judged, again.  Called with at_end_arg.
	 */
	void (*at_start_over)(void *arg);
	/*
	 * Bytes of @state that record history, not state: statistics that
	 * nothing in the model or its checks reads back.  The stateful search
	 * leaves them out of a state's identity (as it does the reports' step
	 * counter, which the explorer keeps).
	 */
	struct kfp_state_range {
		size_t offset, size;
	} history[KFP_MAX_HISTORY_RANGES];
	unsigned int nr_history;
	/* Trace of replayed executions, step by step (may be NULL). */
	void (*trace)(void *state, void *arg, const struct kfp_trace_step *step);
	void *trace_arg;
};

struct kfp_explore_result;

struct kfp_explore_options {
	u64 max_executions; /* 0: no limit */
	u64 max_states; /* stateful search: distinct states stored; 0: no limit */
	unsigned int max_steps; /* per execution; 0: KFP_DEFAULT_MAX_STEPS */
	int preemption_bound; /* < 0: none */
	double timeout_seconds; /* 0: none */
	bool no_reduction; /* every interleaving, no DPOR and no sleep sets */
	/*
	 * Stateful search: each distinct state (the program's state and every
	 * thread's stack and registers) is explored once, its revisits are
	 * cut.  Used when the options allow it (no preemption bound, random
	 * mode or shard, and reduction on) on x86-64; result->stateful says.
	 */
	bool stateful;
	/*
	 * Stateful search without sleep sets: every enabled thread is tried
	 * at every state.  The same states, more revisits; for validating
	 * the sleep sets against.
	 */
	bool no_sleep_sets;
	/*
	 * Stateful search without persistent sets: a step that no other
	 * thread can conflict with is not taken alone, but interleaved with
	 * every other thread's.  The same final states and answers, more
	 * states; for validating the persistent sets against.
	 */
	bool no_persistent_sets;
	/*
	 * Stateless search without checkpoints: every execution replays its
	 * prefix from the start.  The same search, slower; for validating
	 * the checkpoints against.
	 */
	bool no_checkpoints;
	bool stop_on_violation; /* stop at the first execution with a violation */
	bool minimize; /* reduce the counterexample to the fewest preemptions */
	u64 random_executions; /* > 0: random mode, this many executions */
	u64 seed; /* random mode */
	unsigned int shard_index; /* sharding: this is shard index of count */
	unsigned int shard_count; /* 0 or 1: no sharding */
	/* called every 1024 executions (e.g. a progress line); may be NULL */
	void (*progress)(void *arg, const struct kfp_explore_result *result);
	void *progress_arg;
	/* polled after every execution: when set (e.g. by a signal handler), stop */
	const volatile sig_atomic_t *stop;
};

/*
 * Failure injection for the test suite: when set, the stateful search's
 * persistent sets take every step alone, as if no thread conflicted with
 * any other (an unsound reduction).  tests/explore/test_stateful.c shows
 * that the library cross-check of the reductions catches it.
 */
extern bool kfp_persistent_sets_seeded_bug;
/*
 * The same for the locks of persistent sets: a lock another thread always
 * held at an object shuts it out even when both hold it only for read.
 */
extern bool kfp_persistent_sets_seeded_lock_bug;
/*
 * The same for what a step taken alone relied on: that another thread
 * never writes an object is not recorded, so its first write there is
 * no surprise.
 */
extern bool kfp_persistent_sets_seeded_reliance_bug;
/*
 * For the test suite: after every state's hash, the stateful search
 * checks that the arena it hashed is the arena, byte for byte (its
 * compare found every block a step or a restore changed), and counts
 * each block that is not in kfp_stateful_arena_misses.
 * kfp_stateful_seeded_arena_bug seeds such a miss: a block is compared
 * on its first half only.
 */
extern bool kfp_stateful_cross_check_arena;
extern u64 kfp_stateful_arena_misses;
extern bool kfp_stateful_seeded_arena_bug;

enum kfp_stop_reason {
	KFP_STOP_COMPLETE, /* the whole search ran */
	KFP_STOP_MAX_EXECUTIONS,
	KFP_STOP_TIMEOUT,
	KFP_STOP_VIOLATION, /* stop_on_violation */
	KFP_STOP_RANDOM_DONE, /* random mode: the requested runs ran (not exhaustive) */
	KFP_STOP_PREEMPTION_BOUND, /* complete within the bound, which cut something */
	KFP_STOP_STEP_BOUND, /* the step bound cut executions: their ends are unexplored */
	KFP_STOP_SHARD, /* a shard explored its whole part: a partial result, to be merged */
	KFP_STOP_INTERRUPTED, /* options.stop was set */
	KFP_STOP_MEMORY, /* the stateful search could not store another state */
	KFP_STOP_CYCLE, /* the stateful search found a schedule that loops forever */
	KFP_STOP_MAX_STATES, /* the stateful search reached options.max_states */
};

struct kfp_explore_result {
	u64 executions; /* ended executions (threads ended or deadlocked) */
	u64 sleep_blocked; /* redundant executions cut by sleep sets */
	u64 step_bound_hits; /* executions cut by max_steps: not counted, not judged */
	u64 deadlocks;
	u64 steps;
	/*
	 * Stateful search: distinct states stored, revisits cut, and revisits
	 * of a state on the current path (a schedule that loops forever, which
	 * the stateless search would run until max_steps cuts it)
	 */
	bool stateful;
	u64 states;
	u64 revisits;
	u64 cycles;
	/*
	 * Stateful search: times it started over because a thread touched an
	 * object in a way a persistent set had relied on no thread doing
	 * (explore/persistent.c); the counts above are those of the last start,
	 * but steps, which counts the steps of every start
	 */
	u64 restarts;
	/*
	 * How much of its tree the stateless exhaustive search has covered,
	 * estimated from its current path: at each node on it, the children
	 * it has so far and how many of them are done (the depth-first form
	 * of Knuth's estimator: the path is the probe).  estimated_total is
	 * the executions divided by it.  Updated with each progress call and
	 * when the search stops; 1 and the count once a search is complete;
	 * 0 when there is no estimate: random mode, shards, and the stateful
	 * search before it completes (its first branch reaches most states
	 * and the siblings mostly revisit them, so a path says nothing of
	 * what is left: measured, 10^-13 "done" after 28 k of 0.5 M states).
	 */
	double estimated_fraction;
	double estimated_total;
	bool complete; /* the search was exhaustive within its reduction */
	enum kfp_stop_reason stop;
	double seconds;
	/* over all executions */
	u64 executions_with_violation[KFP_NR_PROPERTIES];
	u64 executions_with_accepted[KFP_NR_PROPERTIES];
	/*
	 * Schedules ("0:3,1,0:2": thread:decisions) are whole, in strings the
	 * explorer allocates; kfp_explore_result_release() frees them.
	 */
	/* an execution with an unaccepted violation: the first, or with options.minimize
	 * one with the fewest preemptions */
	bool has_counterexample;
	char *counterexample;
	unsigned int counterexample_preemptions;
	struct kfp_reports counterexample_reports;
	/* every property's first witness schedule, for expectations like "sometimes",
	 * and the reports of that execution */
	char *witness[KFP_NR_PROPERTIES];
	char *accepted_witness[KFP_NR_PROPERTIES];
	struct kfp_reports witness_reports[KFP_NR_PROPERTIES];
	struct kfp_reports accepted_witness_reports[KFP_NR_PROPERTIES];
};

/*
 * Fills @result from scratch.  @result is zeroed or filled by an earlier
 * call, whose schedules this frees; kfp_explore_result_release() frees the last.
 */
int kfp_explore(const struct kfp_program *program, const struct kfp_explore_options *options,
		struct kfp_explore_result *result);
/* Free the schedules in @result; the counts stay. */
void kfp_explore_result_release(struct kfp_explore_result *result);

/*
 * Run exactly one execution following @schedule (then the default policy
 * once it runs out), calling the program's trace hook after each step.
 * Returns 0, or -EINVAL when the schedule names a thread that cannot run.
 * The program's state is left as the execution ended; @result holds the
 * counts and no schedule.
 */
int kfp_replay(const struct kfp_program *program, const char *schedule,
	       struct kfp_explore_result *result);
/*
 * The same under the bounds of the search that printed @schedule:
 * options->max_steps, and options->preemption_bound (-ERANGE when the
 * schedule has more preemptions, so that search never ran it).
 */
int kfp_replay_with_options(const struct kfp_program *program, const char *schedule,
			    const struct kfp_explore_options *options,
			    struct kfp_explore_result *result);

const char *kfp_stop_reason_name(enum kfp_stop_reason reason);

/*
 * Inside a program's at_end hook: the schedule of the execution that just
 * ended, in a string the caller frees (NULL outside a search, or out of memory).
 */
char *kfp_explore_current_schedule(void);
/* Inside a program's at_end hook: the preemptions of that schedule (0 outside a search). */
unsigned int kfp_explore_current_preemptions(void);

#ifdef __cplusplus
}
#endif

#endif /* KFP_EXPLORE_H */
