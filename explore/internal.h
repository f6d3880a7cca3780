/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the explorer's parts share: the threads, the decision nodes, and
 * the execution driver that every search uses (driver.c).  The entry
 * point is explore.c; the depth-first source-DPOR search lives in dpor.c
 * (its shards in shard.c, its checkpoints in checkpoint.c), the stateful
 * search in stateful.c, replay and minimisation in replay.c.  A search's
 * whole state is one struct explorer, passed to every function that reads
 * it; the only per-OS-thread state is the seam (seam/seam.c), whose
 * context is the explorer while a search runs.
 */
#ifndef KFP_EXPLORE_INTERNAL_H
#define KFP_EXPLORE_INTERNAL_H

#include <time.h>

#include <kfp/check.h> /* kfp_verdict_of(): what an ended execution reported */
#include <kfp/explore.h>

#include "coroutine.h"

#define STACK_SIZE (256 * 1024)
#define OBJECT_TABLE_SIZE 1024 /* power of two */
/*
 * The stateful search zeroes this much of a thread's stack below its stack
 * pointer before the thread runs again after a step or a restore, so that
 * the frames it pushes start from zeroes and not from what an earlier step
 * computed there (the deepest a model thread goes is about 5 KiB in the
 * optimised build).  It affects how many states are told apart, never
 * which.
 */
#define DEAD_STACK_WINDOW (8 * 1024)
/* The stateless search keeps a checkpoint every this many steps (checkpoint.c). */
#define CHECKPOINT_EVERY 16
/*
 * Choice nodes above the shard floor.  Every node above the floor tries
 * every awake thread in every shard, and the alternatives sleep sets then
 * block are explored by all shards: a deeper floor only repeats more.  One
 * already gives many prefixes, as every alternative before the first race
 * that reaches it is one (bundled library, N = 2, 3, 4: all shards' steps
 * 1.13, 1.21, 1.28 of the unsharded search; with two, 1.13, 1.91, 2.23).
 */
#define SHARD_SPLIT 1

typedef u16 thread_mask;

enum thread_status {
	THREAD_READY,
	THREAD_LOCK, /* wants a lock */
	THREAD_WAIT, /* waits for a write to an object */
	THREAD_FINISHED,
};

/* A lock or a wait names its object as fp.object[0], alone. */
struct pending {
	struct kfp_footprint fp;
	u8 is_lock;
	u8 is_wait;
	u8 lock_write;
	const struct kfp_lock *lock;
	const char *what;
};

struct model_thread {
	struct explorer *explorer; /* the search this thread runs in */
	struct coroutine co;
	char *stack;
	u8 status;
	u16 steps; /* events so far: its own vector-clock component */
	s32 last_event; /* index of its latest event in this execution, or -1 */
	bool woken; /* stateful search: a waiting thread's object was written since it began to wait */
	/*
	 * Stateful search: below its stack pointer is what its last step or
	 * a restore left there, to be zeroed before it runs again (not
	 * before: nothing reads it until then, and a restore of another
	 * image would only zero it again).
	 */
	bool dead_stack_dirty;
	struct pending pending;
};

struct event {
	u8 thread;
	struct kfp_footprint fp;
	u16 clock[KFP_MAX_THREADS];
};

struct node {
	thread_mask enabled, backtrack, done, sleep;
	u8 chosen;
	u8 previous; /* thread that ran the step before, or 0xff */
	u16 preemptions; /* up to and including this choice */
	u8 above_floor; /* sharding: tries every awake thread, reverses no race */
	struct pending pending[KFP_MAX_THREADS];
};

struct object_state {
	u32 key;
	u32 epoch;
	s32 last_write;
	s32 last_read[KFP_MAX_THREADS]; /* since the last write */
	u16 write_clock[KFP_MAX_THREADS];
	u16 read_clock[KFP_MAX_THREADS];
};

struct explorer {
	const struct kfp_program *program;
	struct kfp_explore_options options;
	struct kfp_explore_result *result;
	void *snapshot;
	struct model_thread thread[KFP_MAX_THREADS];
	struct node *node;
	struct event *event;
	unsigned int *scratch; /* reverse_race()'s list of events */
	unsigned int capacity; /* nodes, events and scratch entries allocated */
	bool out_of_memory;
	unsigned int max_steps;
	unsigned int depth; /* decisions made in this execution */
	unsigned int prefix; /* decisions to replay from the previous one */
	int running; /* thread in a coroutine, or -1 */
	bool passive; /* seam points do not schedule (setup, at_end) */
	bool aborted; /* the execution stopped early on purpose */
	bool full_at_every_node; /* no reduction */
	bool stateful; /* the stateful search (stateful.c) runs this search */
	struct access_masks
		*masks; /* persistent sets (persistent.c): what threads were seen to touch */
	u32 epoch;
	struct object_state objects[OBJECT_TABLE_SIZE];
	u16 live_object[OBJECT_TABLE_SIZE]; /* the slots of objects this epoch */
	unsigned int nr_live_objects;
	/* checkpoints of the stateless search, one per CHECKPOINT_EVERY steps */
	bool checkpoints;
	struct checkpoint *checkpoint;
	unsigned int nr_checkpoints;
	u64 random_state;
	/* replay */
	const u8 *forced;
	unsigned int nr_forced;
	bool forced_invalid;
	/*
	 * Sharding: the floor of an execution is where it has passed
	 * split_branchings nodes with a choice (two awake threads or more);
	 * nodes above it try every awake thread and reverse no race.
	 */
	unsigned int split_branchings; /* 0: no sharding */
	unsigned int branchings; /* choice nodes passed in this execution */
	bool below_floor;
	u64 prefixes_seen; /* distinct prefixes so far, in depth-first order */
	bool shard_skip; /* the current prefix belongs to another shard */
	/* minimisation: only keep executions violating this property */
	int want_property;
};

enum execution_end {
	END_COMPLETE,
	END_DEADLOCK,
	END_SLEEP_BLOCKED,
	END_STEP_BOUND,
	END_SHARD_SKIPPED,
	END_FORCED_INVALID,
};

static inline thread_mask bit(unsigned int thread)
{
	return (thread_mask)(1U << thread);
}

static inline unsigned int lowest(thread_mask mask)
{
	return (unsigned int)__builtin_ctz(mask);
}

/*
 * Two steps conflict when they touch one object and one of them writes
 * it.  Steps that do not conflict commute, and neither enables nor
 * disables the other (a lock acquisition writes or reads the lock's
 * object, a wait reads what wakes it): the commutation audit
 * (tests/explore/test_footprint.c) holds the model to that.
 */
static inline bool footprints_conflict(const struct kfp_footprint *a, const struct kfp_footprint *b)
{
	unsigned int i, j;

	for (i = 0; i < a->nr; i++)
		for (j = 0; j < b->nr; j++)
			if (a->object[i] == b->object[j] &&
			    (a->access[i] == KFP_ACCESS_WRITE || b->access[j] == KFP_ACCESS_WRITE))
				return true;
	return false;
}

static inline bool pendings_conflict(const struct pending *a, const struct pending *b)
{
	return footprints_conflict(&a->fp, &b->fp);
}

static inline unsigned int count_threads(thread_mask mask)
{
	return (unsigned int)__builtin_popcount(mask);
}

/* The thread of @mask with @k threads of @mask below it (k < count_threads(mask)). */
static inline unsigned int nth_thread(thread_mask mask, u64 k)
{
	unsigned int t;

	for (t = 0;; t++)
		if ((mask & bit(t)) && !k--)
			return t;
}

/*
 * The estimate of explore.h: @path_fraction of the tree is covered, and
 * @count of its leaves (or states) were seen.
 */
static inline void explorer_set_estimate(struct kfp_explore_result *result, double path_fraction,
					 u64 count)
{
	result->estimated_fraction = path_fraction;
	result->estimated_total = path_fraction > 0 ? (double)count / path_fraction : 0;
}

static inline double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The execution driver (driver.c). */
extern const struct kfp_seam_ops explorer_ops;
void explorer_start_execution(struct explorer *ex);
thread_mask explorer_enabled_threads(struct explorer *ex);
thread_mask explorer_live_threads(const struct explorer *ex);
bool explorer_all_finished(struct explorer *ex);
void explorer_run_step(struct explorer *ex, unsigned int t, bool tracing);
void explorer_finish_execution(struct explorer *ex);
bool explorer_account(struct explorer *ex, enum execution_end end);
bool explorer_grow(struct explorer *ex, unsigned int depth);
unsigned int explorer_capacity_for(unsigned int capacity, unsigned int depth);
void *explorer_grow_array(void *array, size_t size, unsigned int old, unsigned int capacity);
unsigned int explorer_preemption_cost(const struct node *node, unsigned int choice);
char *explorer_format_schedule(struct explorer *ex, unsigned int depth);

/* Setting a search up and tearing it down (explore.c). */
int explorer_setup(struct explorer *e, const struct kfp_program *program,
		   const struct kfp_explore_options *options, struct kfp_explore_result *result);
void explorer_teardown(struct explorer *e);

/* The stateless search (dpor.c), its shards (shard.c), replay and minimisation (replay.c). */
void dpor_record_event(struct explorer *ex, unsigned int t, const struct pending *pending);
enum execution_end explorer_run_execution(struct explorer *ex, bool tracing);
void dpor_search(struct explorer *ex);
bool shard_skips_this_prefix(struct explorer *ex);
bool shard_is_choice(struct explorer *ex, const struct node *node);
enum execution_end shard_ended(struct explorer *ex, enum execution_end end);
void explorer_minimize(const struct kfp_program *program, const struct kfp_explore_options *options,
		       struct kfp_explore_result *result);

/* Checkpoints of the stateless search (checkpoint.c). */
bool checkpoints_apply(struct explorer *ex);
void checkpoint_take(struct explorer *ex, unsigned int depth);
bool checkpoint_restore(struct explorer *ex, unsigned int depth);
void checkpoints_drop_below(struct explorer *ex, unsigned int depth);
void checkpoints_release(struct explorer *e);

/* Persistent sets of the stateful search (persistent.c). */
struct access_masks;
struct access_masks *access_masks_create(void);
void access_masks_release(struct access_masks *m);
void access_masks_note(struct access_masks *m, unsigned int t, const struct pending *pending);
thread_mask access_masks_persistent_set(struct access_masks *m, struct explorer *ex,
					thread_mask enabled, thread_mask sleep);
bool access_masks_goes_on_alone(struct access_masks *m, struct explorer *ex, unsigned int t);
bool access_masks_start_over(struct access_masks *m);
bool access_masks_surprised(const struct access_masks *m);
bool access_masks_out_of_memory(const struct access_masks *m);

/* The stateful search (stateful.c). */
bool kfp_stateful_supported(void);
void stateful_search(struct explorer *ex);

#endif /* KFP_EXPLORE_INTERNAL_H */
