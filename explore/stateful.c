// SPDX-License-Identifier: GPL-2.0
/*
 * The stateful search.
 *
 * The model is deterministic: what a thread does next is a function of its
 * own stack and registers and of the program's state, and nothing else.
 * So a state of the search is the program's state (one arena), each
 * thread's status, its announced step and its live stack, and whether a
 * waiting thread was woken.  Two schedules that reach the same state have
 * the same futures: the search explores the first and cuts the others
 * (SPIN's and CMC's state caching, Musuvathi et al., OSDI 2002).
 *
 * Depth-first, every enabled thread tried at every state but those a
 * sleep set puts to sleep, so every reachable state is explored once.  What
 * an execution's end is judged by (the reports, the values the threads
 * read, the final state) is all in the arena, so every execution of the
 * program ends in a final state this search judged: a verdict over all
 * executions ("never", "always", "sometimes", outcomes) is the verdict
 * over the final states.  The counts are not: "executions" here are the
 * distinct final states, and a witness is the first schedule that
 * reached its final state.
 *
 * A state is stored as a 128-bit hash.  Two different states with the same
 * hash would cut a real future: with a few million states the odds are
 * below 1 in 10^25.
 *
 * Sleep sets (Godefroid, LNCS 1032, ch. 5) cut the transitions that only
 * lead back to states already reached: after a thread's step from a state
 * was explored, a sibling's subtree need not try that step again until a
 * conflicting step ran.  They cut no state.  With state caching, each
 * stored state keeps the sleep set it was explored with; a revisit with
 * a smaller one explores the steps that were asleep then and are awake
 * now, and the stored set shrinks to the intersection.  That is
 * Godefroid's combination, which keeps every reachable state; the test
 * suite checks that the number of states is the same with and without
 * (options.no_sleep_sets).
 *
 * To go back to a state with a thread left to try, the search keeps an
 * image of it (the arena, the threads, their stacks): restoring is a
 * memcpy, not a replay of the prefix.  Images exist only on x86-64, where
 * a coroutine is its stack pointer and the stack above it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_COMPARE_BLOCKS_AVX2 1
#else
#define HAVE_COMPARE_BLOCKS_AVX2 0
#endif

#include "arena_watch.h"
#include "internal.h"

/* ---- the hash ---------------------------------------------------------- */

#define PRIME1 0x9e3779b185ebca87ULL
#define PRIME2 0xc2b2ae3d27d4eb4fULL
#define PRIME3 0x165667b19e3779f9ULL

struct state_hash {
	u64 lo, hi;
};

/* Four independent lanes, so that the multiplications overlap. */
struct hasher {
	u64 lane[4];
	u64 length;
};

static inline u64 rotl64(u64 x, unsigned int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline u64 round64(u64 lane, u64 word)
{
	lane += word * PRIME2;
	lane = rotl64(lane, 31);
	return lane * PRIME1;
}

static void hasher_init(struct hasher *h)
{
	h->lane[0] = PRIME1 + PRIME2;
	h->lane[1] = PRIME2;
	h->lane[2] = 0;
	h->lane[3] = (u64)0 - PRIME1;
	h->length = 0;
}

static void hasher_add(struct hasher *h, const void *data, size_t len)
{
	const unsigned char *p = data;
	u64 w[4];

	h->length += len;
	while (len >= 32) {
		memcpy(w, p, 32);
		h->lane[0] = round64(h->lane[0], w[0]);
		h->lane[1] = round64(h->lane[1], w[1]);
		h->lane[2] = round64(h->lane[2], w[2]);
		h->lane[3] = round64(h->lane[3], w[3]);
		p += 32;
		len -= 32;
	}
	if (len) {
		memset(w, 0, sizeof(w));
		memcpy(w, p, len);
		/* the tail goes in with its length, so "ab" + "" differs from "a" + "b" */
		h->lane[0] = round64(h->lane[0], w[0] ^ len);
		h->lane[1] = round64(h->lane[1], w[1]);
		h->lane[2] = round64(h->lane[2], w[2]);
		h->lane[3] = round64(h->lane[3], w[3]);
	}
}

static u64 avalanche(u64 x)
{
	x ^= x >> 33;
	x *= PRIME2;
	x ^= x >> 29;
	x *= PRIME3;
	x ^= x >> 32;
	return x;
}

static struct state_hash hasher_end(const struct hasher *h)
{
	u64 a = h->lane[0], b = h->lane[1], c = h->lane[2], d = h->lane[3];
	struct state_hash out;

	out.lo = avalanche(rotl64(a, 1) + rotl64(b, 7) + rotl64(c, 12) + rotl64(d, 18) + h->length);
	out.hi =
		avalanche((a ^ rotl64(c, 29)) * PRIME3 + (b ^ rotl64(d, 41)) * PRIME1 + ~h->length);
	/* (0, 0) marks an empty slot of the table */
	out.hi |= 1;
	return out;
}

/* ---- what a state is ------------------------------------------------------- */

/*
 * The words of a pending step, into @w (room for PENDING_WORDS); returns
 * how many.  They go to the hasher in one call with what follows them,
 * not a word at a time: a short add costs a whole round of the four lanes.
 */
#define PENDING_WORDS (KFP_FOOTPRINT_MAX + 3)

static unsigned int pending_words(const struct pending *p, u64 *w)
{
	unsigned int k, n = 0;

	w[n++] = (u64)p->fp.nr | (u64)p->is_lock << 8 | (u64)p->is_wait << 9 |
		 (u64)p->lock_write << 10;
	for (k = 0; k < p->fp.nr && k < KFP_FOOTPRINT_MAX; k++)
		w[n++] = (u64)p->fp.object[k] << 8 | p->fp.access[k];
	w[n++] = (u64)(uintptr_t)p->lock;
	w[n++] = (u64)(uintptr_t)p->what;
	return n;
}

/*
 * The state between two steps.  History is left out:
 *  - the reports: what an execution is judged by is which properties it
 *    violated and which it broke in a way the design accepts, and nothing
 *    in the model reads the log back.  Which report came first, at which
 *    step, and how many, are the story of one schedule (a witness shows
 *    its own), not state: the log is hashed as those two bits per
 *    property;
 *  - the ranges the program names as history (statistics nothing reads).
 * canonical() puts that form in place; restore() undoes it.
 */
struct canonical_saved {
	/*
	 * Of the log, its counters and the reports it holds: the slots past
	 * its count are zeroes (a report is only ever added, at the count),
	 * so they are left as they are, and a state's hash does not copy,
	 * clear and copy back the whole log (680 bytes) every time.  Were a
	 * slot past the count not zeroes, it would only tell states apart,
	 * never merge two.
	 */
	struct kfp_reports log;
	size_t log_bytes;
	unsigned char range[KFP_MAX_HISTORY_RANGES][64];
};

/* The bytes of @reports that are not zeroes: its counters and the reports it holds. */
static size_t reports_used(const struct kfp_reports *reports)
{
	unsigned int count = reports->count < KFP_MAX_REPORTS ? reports->count : KFP_MAX_REPORTS;

	return offsetof(struct kfp_reports, report) + count * sizeof(reports->report[0]);
}

static void canonical(struct explorer *ex, void *state, struct kfp_reports *reports,
		      struct canonical_saved *saved)
{
	const struct kfp_program *program = ex->program;
	struct kfp_verdict verdict;
	unsigned int i, p;

	for (i = 0; i < program->nr_history; i++) {
		const struct kfp_state_range *r = &program->history[i];

		memcpy(saved->range[i], (char *)state + r->offset, r->size);
		memset((char *)state + r->offset, 0, r->size);
	}
	if (!reports)
		return;
	saved->log_bytes = reports_used(reports);
	memcpy(&saved->log, reports, saved->log_bytes);
	memset(reports, 0, saved->log_bytes);
	kfp_verdict_of(&saved->log, &verdict);
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		reports->by_property[p] = verdict.violations[p] != 0;
		reports->accepted_by_property[p] = verdict.accepted[p] != 0;
	}
}

static void restore(struct explorer *ex, void *state, struct kfp_reports *reports,
		    const struct canonical_saved *saved)
{
	const struct kfp_program *program = ex->program;
	unsigned int i;

	if (reports)
		memcpy(reports, &saved->log, saved->log_bytes);
	for (i = 0; i < program->nr_history; i++) {
		const struct kfp_state_range *r = &program->history[i];

		memcpy((char *)state + r->offset, saved->range[i], r->size);
	}
}

/*
 * The arena is hashed as the sum of its 64-byte blocks' hashes, each seeded
 * with its index; a step changes a few blocks of a 37 KB arena.  So the
 * sum is kept relative to the arena last hashed (a copy of it, and each
 * block's hash): only the blocks that differ from it are hashed again
 * (comparing is much cheaper than hashing).  Which blocks differ from the
 * arena as set up (the ones an image keeps) is kept along with it.
 */
#define BLOCK 64

struct arena_hash {
	unsigned char *initial; /* the arena as set up, in canonical form */
	struct state_hash *base; /* each block's hash in the arena as set up */
	struct state_hash total; /* their sum */
	size_t nr_blocks;
	bool avx2; /* the CPU has it: compare_blocks_avx2() */
	/*
	 * The arena last hashed, in canonical form, each of its blocks' hash,
	 * their sum, and which of its blocks differ from the arena as set up:
	 * a step changes a few blocks, so only those that differ from the
	 * last hashed arena are hashed again.
	 */
	unsigned char *last;
	struct state_hash *last_hash;
	struct state_hash last_total;
	u32 *last_dirty; /* its blocks that differ from the arena as set up, in no order */
	u32 nr_last_dirty;
	u32 *last_dirty_at; /* each block's place in last_dirty, NOT_DIRTY if none */
	/*
	 * The blocks where the arena last hashed differs from the arena as
	 * set up (in canonical form: the reports and the history ranges are
	 * kept whole in an image); dirty_valid is false once the arena
	 * changed since (an execution's end checks ran).
	 */
	u32 *dirty;
	u32 nr_dirty;
	bool dirty_valid;
	/* the pages ever written (arena_watch.c): the compare reads only those */
	struct arena_watch watch;
	struct arena_range range[ARENA_WATCH_MAX_RANGES];
	unsigned int nr_ranges;
};

static struct state_hash block_hash(size_t index, const unsigned char *block, size_t len)
{
	u64 w[BLOCK / 8] = { 0 }, lo = PRIME3 ^ (index * PRIME1), hi = PRIME2 ^ (index * PRIME3);
	struct state_hash out;
	unsigned int k;

	memcpy(w, block, len);
	for (k = 0; k < BLOCK / 8; k++) {
		lo = round64(lo, w[k]);
		hi = round64(hi, w[k] ^ PRIME3);
	}
	out.lo = avalanche(lo);
	out.hi = avalanche(hi ^ rotl64(lo, 17));
	return out;
}

static size_t block_len(size_t size, size_t index)
{
	return size - index * BLOCK < BLOCK ? size - index * BLOCK : BLOCK;
}

/*
 * canonical() rewrites the reports and the history ranges before each
 * hash: their pages are compared from the start, whatever the watch saw.
 */
static void watch_history_pages(struct explorer *ex, struct arena_hash *a)
{
	const struct kfp_program *program = ex->program;
	size_t base = (size_t)program->state;
	unsigned int i;

	if (program->reports)
		arena_watch_mark(&a->watch, (size_t)program->reports - base,
				 sizeof(*program->reports));
	for (i = 0; i < program->nr_history; i++)
		arena_watch_mark(&a->watch, program->history[i].offset, program->history[i].size);
}

/*
 * The arena as it is now is the root: its canonical form is a->initial
 * and the arena last hashed, and the watch starts over from it.  At the
 * start and after start_over(), which sets every byte of it again.
 */
static void arena_hash_reset(struct explorer *ex, struct arena_hash *a)
{
	const struct kfp_program *program = ex->program;
	size_t size = program->state_size, i;
	struct kfp_reports *reports = NULL;
	struct canonical_saved saved;

	arena_watch_stop(&a->watch);
	memset(a->last_dirty_at, 0xff, a->nr_blocks * sizeof(*a->last_dirty_at));
	a->nr_last_dirty = 0;
	memcpy(a->initial, program->state, size);
	if (program->reports)
		reports = (struct kfp_reports *)(a->initial + ((char *)program->reports -
							       (char *)program->state));
	canonical(ex, a->initial, reports, &saved);
	a->total = (struct state_hash){ 0, 0 };
	for (i = 0; i < a->nr_blocks; i++) {
		a->base[i] = block_hash(i, a->initial + i * BLOCK, block_len(size, i));
		a->total.lo += a->base[i].lo;
		a->total.hi += a->base[i].hi;
	}
	memcpy(a->last, a->initial, size);
	memcpy(a->last_hash, a->base, a->nr_blocks * sizeof(*a->base));
	a->last_total = a->total;
	/* from here, a page not written holds what a->last holds */
	arena_watch_start(&a->watch, program->state, size);
	watch_history_pages(ex, a);
	a->nr_ranges = arena_watch_ranges(&a->watch, a->range);
}

static bool arena_hash_init(struct explorer *ex, struct arena_hash *a)
{
	size_t size = ex->program->state_size;

	a->nr_blocks = (size + BLOCK - 1) / BLOCK;
#if HAVE_COMPARE_BLOCKS_AVX2
	a->avx2 = __builtin_cpu_supports("avx2");
#endif
	a->initial = malloc(size);
	a->base = calloc(a->nr_blocks, sizeof(*a->base));
	a->dirty = calloc(a->nr_blocks, sizeof(*a->dirty));
	a->last = malloc(size);
	a->last_hash = calloc(a->nr_blocks, sizeof(*a->last_hash));
	a->last_dirty = calloc(a->nr_blocks, sizeof(*a->last_dirty));
	a->last_dirty_at = malloc(a->nr_blocks * sizeof(*a->last_dirty_at));
	if (!a->initial || !a->base || !a->dirty || !a->last || !a->last_hash || !a->last_dirty ||
	    !a->last_dirty_at)
		return false;
	arena_hash_reset(ex, a);
	return true;
}

static void arena_hash_release(struct arena_hash *a)
{
	arena_watch_stop(&a->watch);
	free(a->initial);
	free(a->base);
	free(a->dirty);
	free(a->last);
	free(a->last_hash);
	free(a->last_dirty);
	free(a->last_dirty_at);
}

/*
 * Without AVX2, blocks are compared a chunk at a time with the C library's
 * memcmp(), then one at a time in a chunk that changed.
 */
#define CHUNK_BLOCKS 8

#define NOT_DIRTY ((u32)~0U)

/* Block @i of the arena differs from the last hashed one: hash it again and keep it. */
static void rehash_block(struct arena_hash *a, const unsigned char *state, size_t size, size_t i)
{
	size_t at = i * BLOCK, len = block_len(size, i);
	struct state_hash h = block_hash(i, state + at, len);
	bool dirty;
	u32 place;

	a->last_total.lo += h.lo - a->last_hash[i].lo;
	a->last_total.hi += h.hi - a->last_hash[i].hi;
	a->last_hash[i] = h;
	memcpy(a->last + at, state + at, len);
	dirty = memcmp(state + at, a->initial + at, len) != 0;
	place = a->last_dirty_at[i];
	if (dirty && place == NOT_DIRTY) {
		a->last_dirty_at[i] = a->nr_last_dirty;
		a->last_dirty[a->nr_last_dirty++] = (u32)i;
	} else if (!dirty && place != NOT_DIRTY) {
		u32 moved = a->last_dirty[--a->nr_last_dirty];

		a->last_dirty[place] = moved;
		a->last_dirty_at[moved] = place;
		a->last_dirty_at[i] = NOT_DIRTY;
	}
}

bool kfp_stateful_cross_check_arena;
u64 kfp_stateful_arena_misses;
bool kfp_stateful_seeded_arena_bug;

/*
 * The compare must find every block that changed since the arena was
 * last hashed: a block it misses keeps its old hash, and two states that
 * differ there are taken for one (a future cut).  With
 * kfp_stateful_cross_check_arena, every hash is checked against the whole
 * arena: the copy it now stands for must be the arena, byte for byte, and
 * each block that is not is a miss.  kfp_stateful_seeded_arena_bug seeds
 * one: each block is compared on its first 32 bytes only.
 */
static void cross_check_arena(struct arena_hash *a, const unsigned char *state, size_t size)
{
	size_t i;

	for (i = 0; i < a->nr_blocks; i++) {
		if (!memcmp(state + i * BLOCK, a->last + i * BLOCK, block_len(size, i)))
			continue;
		kfp_stateful_arena_misses++;
		/*
		 * Counted, then mended: an image leaves a missed block out,
		 * and a restore would hand the model a world no execution
		 * reaches (a present pte with no page), which it need not
		 * survive (a seeded miss read page[-1] under UBSan).
		 */
		rehash_block(a, state, size, i);
	}
}

static size_t compare_blocks_seeded_bug(struct arena_hash *a, const unsigned char *state,
					size_t from, size_t to)
{
	size_t whole = a->watch.size / BLOCK < to ? a->watch.size / BLOCK : to, i;

	for (i = from; i < whole; i++)
		if (memcmp(state + i * BLOCK, a->last + i * BLOCK, BLOCK / 2))
			rehash_block(a, state, a->watch.size, i);
	return i;
}

/*
 * With AVX2, the whole blocks are compared in one pass with no call: a
 * block is two pairs of 32-byte loads, and one that differs is hashed
 * again at once.  memcmp() on chunks costs a call per chunk and reads a
 * chunk that changed twice (then block by block).  Compares blocks
 * [@from, @to) but a short tail block, left to the caller.  Returns the
 * block it stopped at.
 */
#if HAVE_COMPARE_BLOCKS_AVX2
__attribute__((target("avx2"))) static size_t
compare_blocks_avx2(struct arena_hash *a, const unsigned char *state, size_t from, size_t to)
{
	size_t size = a->watch.size, whole = size / BLOCK < to ? size / BLOCK : to, i;

	for (i = from; i < whole; i++) {
		const __m256i *s = (const __m256i *)(const void *)(state + i * BLOCK);
		const __m256i *l = (const __m256i *)(const void *)(a->last + i * BLOCK);
		__m256i x = _mm256_or_si256(
			_mm256_xor_si256(_mm256_loadu_si256(s), _mm256_loadu_si256(l)),
			_mm256_xor_si256(_mm256_loadu_si256(s + 1), _mm256_loadu_si256(l + 1)));

		if (!_mm256_testz_si256(x, x))
			rehash_block(a, state, size, i);
	}
	return i;
}
#endif

/* Compare blocks [@from, @to) with the arena last hashed; hash again those that differ. */
static void compare_blocks(struct arena_hash *a, const unsigned char *state, size_t from, size_t to)
{
	size_t size = a->watch.size, i = from, end;

	if (kfp_stateful_seeded_arena_bug)
		i = compare_blocks_seeded_bug(a, state, from, to);
#if HAVE_COMPARE_BLOCKS_AVX2
	else if (a->avx2)
		i = compare_blocks_avx2(a, state, from, to);
#endif
	for (; i < to; i = end) {
		size_t at = i * BLOCK;

		end = i + CHUNK_BLOCKS < to ? i + CHUNK_BLOCKS : to;
		if (!memcmp(state + at, a->last + at,
			    end * BLOCK < size ? end * BLOCK - at : size - at))
			continue;
		for (; i < end; i++)
			if (memcmp(state + i * BLOCK, a->last + i * BLOCK, block_len(size, i)))
				rehash_block(a, state, size, i);
	}
}

/* The ranges of the arena the search wrote, brought up to date with the watch. */
static void written_ranges(struct arena_hash *a)
{
	if (a->watch.changed)
		a->nr_ranges = arena_watch_ranges(&a->watch, a->range);
}

/*
 * Only the pages the search wrote can differ from the arena last hashed
 * (arena_watch.c): their blocks are compared, and a block that straddles
 * a written page and one that is not is compared too.
 */
static struct state_hash hash_arena(struct explorer *ex, struct arena_hash *a)
{
	const struct kfp_program *program = ex->program;
	const unsigned char *state = program->state;
	size_t size = program->state_size;
	struct canonical_saved saved;
	unsigned int r;

	canonical(ex, program->state, program->reports, &saved);
	/* after canonical(), whose writes may be a page's first */
	written_ranges(a);
	for (r = 0; r < a->nr_ranges; r++)
		compare_blocks(a, state, a->range[r].start / BLOCK,
			       (a->range[r].end + BLOCK - 1) / BLOCK);
	if (kfp_stateful_cross_check_arena)
		cross_check_arena(a, state, size);
	restore(ex, program->state, program->reports, &saved);
	memcpy(a->dirty, a->last_dirty, a->nr_last_dirty * sizeof(*a->dirty));
	a->nr_dirty = a->nr_last_dirty;
	a->dirty_valid = true;
	return a->last_total;
}

/*
 * A thread's announced step and live stack change only when it runs: their
 * hash is kept per thread and redone for the thread that just stepped (or
 * taken from the image the search went back to).  Its status and whether it
 * was woken can change when another thread steps, and are hashed every time.
 */
struct thread_hashes {
	struct state_hash of[KFP_MAX_THREADS];
	thread_mask stale;
	u64 *stack; /* a live stack, copied out to be hashed (COROUTINE_STACKS_POISONED) */
};

/* Its pending step and its live stack, read in place where the stack is not poisoned. */
static struct state_hash hash_thread(const struct model_thread *t, u64 *stack)
{
	const void *live;
	u64 w[PENDING_WORDS + 1];
	struct hasher h;
	unsigned int n;
	size_t len;

	hasher_init(&h);
	n = pending_words(&t->pending, w);
	live = coroutine_live_stack(&t->co, &len);
	if (COROUTINE_STACKS_POISONED) {
		coroutine_copy_live(&t->co, stack);
		live = stack;
	}
	w[n++] = len;
	hasher_add(&h, w, n * sizeof(*w));
	hasher_add(&h, live, len);
	return hasher_end(&h);
}

static struct state_hash hash_state(struct explorer *ex, struct arena_hash *a,
				    struct thread_hashes *threads)
{
	const struct kfp_program *program = ex->program;
	struct state_hash arena = hash_arena(ex, a);
	u64 w[2 + 3 * KFP_MAX_THREADS];
	unsigned int i, n = 0;
	struct hasher h;

	w[n++] = arena.lo;
	w[n++] = arena.hi;
	for (i = 0; i < program->nr_threads; i++) {
		const struct model_thread *t = &ex->thread[i];

		w[n++] = (u64)t->status | (u64)(t->status == THREAD_WAIT && t->woken) << 8;
		if (t->status == THREAD_FINISHED)
			continue;
		if (threads->stale & bit(i))
			threads->of[i] = hash_thread(t, threads->stack);
		w[n++] = threads->of[i].lo;
		w[n++] = threads->of[i].hi;
	}
	threads->stale = 0;
	hasher_init(&h);
	hasher_add(&h, w, n * sizeof(*w));
	return hasher_end(&h);
}

/* ---- the set of states seen ------------------------------------------------- */

struct state_slot {
	struct state_hash key;
	thread_mask sleep; /* the sleep set the state was explored with */
	thread_mask persistent; /* the threads a step may be explored for (persistent.c) */
	bool on_path; /* the state is on the current path */
};

struct state_set {
	struct state_slot *slot;
	size_t capacity; /* a power of two */
	size_t used;
	u32 generation; /* how many times it grew: a slot's index is valid within one */
};

static size_t slot_of(const struct state_set *set, struct state_hash key)
{
	return (size_t)key.lo & (set->capacity - 1);
}

static bool same_key(struct state_hash a, struct state_hash b)
{
	return a.lo == b.lo && a.hi == b.hi;
}

static struct state_slot *probe(const struct state_set *set, struct state_hash key)
{
	size_t at = slot_of(set, key);

	while (set->slot[at].key.hi && !same_key(set->slot[at].key, key))
		at = (at + 1) & (set->capacity - 1);
	return &set->slot[at];
}

static bool set_grow(struct state_set *set)
{
	size_t capacity = set->capacity ? 2 * set->capacity : 1 << 16;
	struct state_set bigger = {
		.slot = calloc(capacity, sizeof(*bigger.slot)),
		.capacity = capacity,
		.used = set->used,
		.generation = set->generation + 1,
	};
	size_t i;

	if (!bigger.slot)
		return false;
	for (i = 0; i < set->capacity; i++)
		if (set->slot[i].key.hi)
			*probe(&bigger, set->slot[i].key) = set->slot[i];
	free(set->slot);
	*set = bigger;
	return true;
}

/*
 * 1: @key is new and now in the set; 0: seen before; -ENOMEM: no room.
 * *@slot is its entry, valid until the next insertion.
 */
static int set_insert(struct state_set *set, struct state_hash key, struct state_slot **slot)
{
	struct state_slot *at;

	if (2 * (set->used + 1) > set->capacity && !set_grow(set))
		return -ENOMEM;
	at = probe(set, key);
	*slot = at;
	if (at->key.hi)
		return 0;
	at->key = key;
	set->used++;
	return 1;
}

/*
 * The path goes on from the state of @slot, or left it for good (every
 * step out of it was tried).  Where it goes on, the frame keeps the slot's
 * index, so that leaving it needs no probe of the table (a cache miss, as
 * a state is left long after it was reached) unless the table grew since.
 */
struct path_mark {
	struct state_hash key;
	size_t index;
	u32 generation;
};

static void set_on_path(struct state_set *set, struct state_slot *slot, struct path_mark *mark)
{
	slot->on_path = true;
	mark->key = slot->key;
	mark->index = (size_t)(slot - set->slot);
	mark->generation = set->generation;
}

static void set_off_path(struct state_set *set, const struct path_mark *mark)
{
	struct state_slot *at;

	/* a step taken alone (go_on_alone()) has no state of its own */
	if (!mark->key.hi)
		return;
	at = mark->generation == set->generation ? &set->slot[mark->index] : probe(set, mark->key);
	if (at->key.hi)
		at->on_path = false;
}

/* ---- images: a state to come back to ---------------------------------------- */

struct thread_image {
	struct state_hash hash; /* of its announced step and live stack */
	u8 status;
	bool woken;
	bool finished;
	void *sp;
	void *fake_stack;
	struct pending pending;
	size_t stack_len;
};

/*
 * An image keeps the arena as the blocks that differ from the arena as set
 * up (the hash just found them), the reports and the history ranges whole,
 * and each thread's live stack: a few KB, not the 37 KB arena.
 */
#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

struct image {
	char *bytes; /* the dirty blocks, the reports, the history ranges, the stacks */
	size_t capacity;
	u32 *blocks;
	u32 nr_blocks;
	struct thread_image thread[KFP_MAX_THREADS];
};

/*
 * A node of the depth-first search: the threads left to try from it, the
 * sleep set it is explored with and the threads tried so far (asleep in
 * the subtrees of the siblings tried after them), and its image.
 */
struct frame {
	thread_mask todo;
	thread_mask sleep;
	thread_mask done;
	struct path_mark mark; /* its state's slot */
	struct image image;
};

static size_t history_bytes(struct explorer *ex)
{
	const struct kfp_program *program = ex->program;
	size_t size = program->reports ? sizeof(*program->reports) : 0;
	unsigned int i;

	for (i = 0; i < program->nr_history; i++)
		size += program->history[i].size;
	return size;
}

/*
 * The reports and the history ranges, to or from @bytes.  Of the reports,
 * only the used bytes are copied (reports_used(): the slots past the
 * count are zeroes); put back, the slots the arena used past the image's
 * count (@count_before, its count before the restore began) are zeroed.
 */
static size_t copy_history(struct explorer *ex, char *bytes, bool save, unsigned int count_before)
{
	const struct kfp_program *program = ex->program;
	struct kfp_reports *reports = program->reports;
	size_t at = 0;
	unsigned int i;

	if (reports && save) {
		memcpy(bytes, reports, reports_used(reports));
	} else if (reports) {
		memcpy(reports, bytes, offsetof(struct kfp_reports, report));
		memcpy(reports->report, bytes + offsetof(struct kfp_reports, report),
		       reports_used(reports) - offsetof(struct kfp_reports, report));
		count_before = count_before < KFP_MAX_REPORTS ? count_before : KFP_MAX_REPORTS;
		if (count_before > reports->count)
			memset(&reports->report[reports->count], 0,
			       (count_before - reports->count) * sizeof(reports->report[0]));
	}
	if (reports)
		at = sizeof(*reports);
	for (i = 0; i < program->nr_history; i++) {
		char *range = (char *)program->state + program->history[i].offset;

		if (save)
			memcpy(bytes + at, range, program->history[i].size);
		else
			memcpy(range, bytes + at, program->history[i].size);
		at += program->history[i].size;
	}
	return at;
}

/* Right after the state was hashed: its dirty blocks are known. */
static bool image_take(struct explorer *ex, struct image *image, const struct arena_hash *a,
		       const struct thread_hashes *threads)
{
	const struct kfp_program *program = ex->program;
	size_t size = (size_t)a->nr_dirty * BLOCK + history_bytes(ex), at = 0;
	unsigned int i;

	for (i = 0; i < program->nr_threads; i++) {
		size_t len;

		coroutine_live_stack(&ex->thread[i].co, &len);
		/* each stack starts 8-aligned in the image: it is copied a word at a time */
		size += ex->thread[i].status == THREAD_FINISHED ? 0 : len + 8;
	}
	if (size > image->capacity) {
		char *bytes = realloc(image->bytes, size);

		if (!bytes)
			return false;
		image->bytes = bytes;
		image->capacity = size;
	}
	if (!image->blocks) {
		image->blocks = malloc(a->nr_blocks * sizeof(*image->blocks));
		if (!image->blocks)
			return false;
	}
	image->nr_blocks = a->nr_dirty;
	for (i = 0; i < a->nr_dirty; i++) {
		size_t offset = (size_t)a->dirty[i] * BLOCK;

		image->blocks[i] = a->dirty[i];
		memcpy(image->bytes + at, (char *)program->state + offset,
		       block_len(program->state_size, a->dirty[i]));
		at += BLOCK;
	}
	at += copy_history(ex, image->bytes + at, true, 0);
	for (i = 0; i < program->nr_threads; i++) {
		const struct model_thread *t = &ex->thread[i];
		struct thread_image *ti = &image->thread[i];
		coroutine_live_stack(&t->co, &ti->stack_len);
		ti->hash = threads->of[i];
		ti->status = t->status;
		ti->woken = t->woken;
		ti->finished = t->co.finished;
		ti->sp = t->co.sp;
		ti->fake_stack = t->co.fake_stack;
		ti->pending = t->pending;
		if (t->status == THREAD_FINISHED) {
			ti->stack_len = 0;
			continue;
		}
		at = ALIGN8(at);
		coroutine_copy_live(&t->co, image->bytes + at);
		at += ti->stack_len;
	}
	return true;
}

/*
 * Back to the arena the search started from where it differs now (all of
 * it, if an end's checks changed it since it was hashed), then the image's
 * blocks on top, then its reports and history ranges.  That arena is
 * a->initial, the root state: the snapshot as set up plus what each thread
 * wrote before its first visible step (explorer_start_execution()), which
 * a block an image leaves out, as equal to the root's, must get back.
 */
static void image_restore(struct explorer *ex, const struct image *image, struct arena_hash *a,
			  struct thread_hashes *threads, unsigned int depth)
{
	const struct kfp_program *program = ex->program;
	const char *initial = (const char *)a->initial;
	char *state = program->state;
	unsigned int i, count_before = program->reports ? program->reports->count : 0;
	size_t at = 0;

	if (a->dirty_valid) {
		for (i = 0; i < a->nr_dirty; i++) {
			size_t offset = (size_t)a->dirty[i] * BLOCK;

			memcpy(state + offset, initial + offset,
			       block_len(program->state_size, a->dirty[i]));
		}
	} else {
		/* the pages never written hold the root's arena already */
		written_ranges(a);
		for (i = 0; i < a->nr_ranges; i++)
			memcpy(state + a->range[i].start, initial + a->range[i].start,
			       a->range[i].end - a->range[i].start);
	}
	for (i = 0; i < image->nr_blocks; i++) {
		size_t offset = (size_t)image->blocks[i] * BLOCK;

		memcpy(state + offset, image->bytes + at,
		       block_len(program->state_size, image->blocks[i]));
		a->dirty[i] = image->blocks[i];
		at += BLOCK;
	}
	a->nr_dirty = image->nr_blocks;
	a->dirty_valid = true;
	at += copy_history(ex, image->bytes + at, false, count_before);
	for (i = 0; i < program->nr_threads; i++) {
		struct model_thread *t = &ex->thread[i];
		const struct thread_image *ti = &image->thread[i];

		threads->of[i] = ti->hash;
		t->status = ti->status;
		t->woken = ti->woken;
		t->co.finished = ti->finished;
		t->co.sp = ti->sp;
		t->co.fake_stack = ti->fake_stack;
		t->pending = ti->pending;
		if (ti->status == THREAD_FINISHED)
			continue;
		coroutine_forget_frames(&t->co);
		at = ALIGN8(at);
		memcpy(t->co.sp, image->bytes + at, ti->stack_len);
		/*
		 * Below the stack pointer, what the branch explored since left
		 * there: zeroed before the thread runs again (explorer_run_step()),
		 * as after the step that reached the image, or the thread's next
		 * frames would start from that branch's bytes.
		 */
		t->dead_stack_dirty = true;
		at += ti->stack_len;
	}
	threads->stale = 0;
	ex->depth = depth;
}

/* ---- the search ---------------------------------------------------------- */

struct stateful {
	struct arena_hash arena;
	struct thread_hashes threads;
	struct state_set seen;
	struct frame *frame;
	unsigned int nr_frames;
	thread_mask next_sleep; /* the sleep set of the state the last step reached */
	double start;
	u64 ends; /* ended or cut paths, for the progress and timeout polls */
	u64 restart_at; /* a surprise: start over at this many states (surprised()) */
};

static bool frames_grow(struct stateful *s, unsigned int depth)
{
	unsigned int capacity;
	struct frame *frame;

	if (depth <= s->nr_frames)
		return true;
	capacity = explorer_capacity_for(s->nr_frames, depth);
	frame = explorer_grow_array(s->frame, sizeof(*frame), s->nr_frames, capacity);
	if (!frame)
		return false;
	s->frame = frame;
	s->nr_frames = capacity;
	return true;
}

/*
 * The threads asleep after @t's step: those asleep or tried before at this
 * state whose steps do not conflict with @t's (they did not run: their
 * announced steps are the same after it).
 */
static thread_mask sleep_after(struct explorer *ex, thread_mask asleep, unsigned int t)
{
	thread_mask keep = 0;
	unsigned int u;

	asleep &= (thread_mask)~bit(t);
	for (u = 0; asleep; u++) {
		if (!(asleep & bit(u)))
			continue;
		asleep &= (thread_mask)~bit(u);
		if (!pendings_conflict(&ex->thread[u].pending, &ex->thread[t].pending))
			keep |= bit(u);
	}
	return keep;
}

/*
 * After @t's step, its next steps that no other thread conflicts with are
 * taken at once, with no state of their own between them: at each such
 * state {@t} is a persistent set (persistent.c), so exploring only @t's
 * step from it is what the search would do, and not hashing, storing or
 * imaging those states is what makes it cheap.  The sleep set after them
 * is the one after @t's first step: they conflict with no other thread's
 * step.  Each is a node of the schedule, so replay takes them as steps.
 * At most ALONE_RUN of them in a row: then a state is stored, so that a
 * thread that never stops going on alone (a loop on an object no one
 * writes) comes back to a state on its path, a cycle, and not only to the
 * step bound.
 */
#define ALONE_RUN 64

static void go_on_alone(struct explorer *ex, struct stateful *s, unsigned int t)
{
	struct model_thread *thread = &ex->thread[t];
	unsigned int run;

	for (run = 0; run < ALONE_RUN; run++) {
		unsigned int depth = ex->depth;
		thread_mask enabled = explorer_enabled_threads(ex);
		struct node *node;

		/* a step to take, not a wait: a woken waiter's step is a decision */
		if (!(enabled & bit(t)) || thread->status == THREAD_WAIT)
			return;
		if (depth >= ex->max_steps || !explorer_grow(ex, depth + 1) ||
		    !frames_grow(s, depth + 1))
			return;
		if (!access_masks_goes_on_alone(ex->masks, ex, t))
			return;
		node = &ex->node[depth];
		node->enabled = enabled;
		node->previous = (u8)t;
		node->chosen = (u8)t;
		node->preemptions = depth ? ex->node[depth - 1].preemptions : 0;
		/* no state here: backtracking passes it by */
		s->frame[depth].todo = 0;
		s->frame[depth].mark.key = (struct state_hash){ 0, 0 };
		explorer_run_step(ex, t, false);
		ex->result->steps++;
	}
}

/* Run @t's step from the state at @depth (whose node records what was enabled). */
static void take_step(struct explorer *ex, struct stateful *s, unsigned int depth, unsigned int t)
{
	struct node *node = &ex->node[depth];
	struct frame *frame = &s->frame[depth];

	s->next_sleep =
		ex->options.no_sleep_sets ? 0 : sleep_after(ex, frame->sleep | frame->done, t);
	frame->done |= bit(t);

	node->chosen = (u8)t;
	node->preemptions = (u16)((depth ? ex->node[depth - 1].preemptions : 0) +
				  explorer_preemption_cost(node, t));
	explorer_run_step(ex, t, false);
	s->threads.stale |= bit(t);
	ex->result->steps++;
	if (ex->masks)
		go_on_alone(ex, s, t);
}

/*
 * A state with threads to try (@todo, of @enabled), explored with sleep
 * set @sleep: try the one that ran last if it may (the default policy, so
 * that a schedule's first execution is the replay's), keep an image if
 * others are left to try.  False when the image cannot be kept.
 */
static bool expand(struct explorer *ex, struct stateful *s, thread_mask enabled, thread_mask todo,
		   thread_mask sleep)
{
	unsigned int depth = ex->depth;
	struct node *node = &ex->node[depth];
	struct frame *frame = &s->frame[depth];
	unsigned int previous = depth ? ex->node[depth - 1].chosen : 0xff;
	unsigned int pick;

	node->enabled = enabled;
	node->previous = (u8)previous;
	pick = previous != 0xff && (todo & bit(previous)) ? previous : lowest(todo);
	frame->sleep = sleep;
	frame->done = 0;
	frame->todo = todo & (thread_mask)~bit(pick);
	if (frame->todo && !image_take(ex, &frame->image, &s->arena, &s->threads))
		return false;
	take_step(ex, s, depth, pick);
	return true;
}

/* The deepest state with a thread left to try: restore it and take that step. */
static bool backtrack(struct explorer *ex, struct stateful *s)
{
	unsigned int d = ex->depth;

	while (d-- > 0) {
		struct frame *frame = &s->frame[d];
		unsigned int t;

		if (!frame->todo) {
			set_off_path(&s->seen, &frame->mark);
			continue;
		}
		t = lowest(frame->todo);
		frame->todo &= (thread_mask)~bit(t);
		image_restore(ex, &frame->image, &s->arena, &s->threads, d);
		take_step(ex, s, d, t);
		return true;
	}
	return false;
}

/* A signal asked to stop, or the time is up: true, with the reason in the result. */
static bool interrupted(struct explorer *ex, struct stateful *s)
{
	const struct kfp_explore_options *options = &ex->options;
	struct kfp_explore_result *result = ex->result;

	if (options->stop && *options->stop) {
		result->stop = KFP_STOP_INTERRUPTED;
		return true;
	}
	if (options->timeout_seconds > 0 && now_seconds() - s->start > options->timeout_seconds) {
		result->stop = KFP_STOP_TIMEOUT;
		return true;
	}
	return false;
}

/* After an ended or cut path: true when a bound or a request stops the search. */
static bool must_stop(struct explorer *ex, struct stateful *s)
{
	const struct kfp_explore_options *options = &ex->options;
	struct kfp_explore_result *result = ex->result;

	s->ends++;
	if (options->progress && !(s->ends & 1023))
		options->progress(options->progress_arg, result);
	if (options->max_executions && result->executions >= options->max_executions) {
		result->stop = KFP_STOP_MAX_EXECUTIONS;
		return true;
	}
	/* the clock is read every 32 ends, and every 1024 new states (visit()) */
	return (options->stop && *options->stop) || !(s->ends & 31) ? interrupted(ex, s) : false;
}

bool kfp_stateful_supported(void)
{
	return COROUTINE_HAS_IMAGES;
}

/* An execution ended here (every thread done, or none can run): judge it and count it. */
static int end_here(struct explorer *ex, struct stateful *s, enum execution_end end)
{
	explorer_finish_execution(ex);
	/* the end's checks changed the arena since it was hashed */
	s->arena.dirty_valid = false;
	if (explorer_account(ex, end)) {
		ex->result->stop = KFP_STOP_VIOLATION;
		return -1;
	}
	return must_stop(ex, s) ? -1 : 0;
}

/*
 * Go on from the state just reached (@slot, @fresh if it is new), trying
 * the threads of @awake that can run, with sleep set @sleep.  Returns as
 * visit() does.
 */
static int go_on(struct explorer *ex, struct stateful *s, struct state_slot *slot, bool fresh,
		 thread_mask awake, thread_mask sleep)
{
	thread_mask enabled, todo;

	/* cut, not judged: what the threads would do next is unexplored */
	if (ex->depth >= ex->max_steps) {
		explorer_account(ex, END_STEP_BOUND);
		return must_stop(ex, s) ? -1 : 0;
	}
	if (!explorer_grow(ex, ex->depth + 1) || !frames_grow(s, ex->depth + 1))
		goto out_of_memory;
	enabled = explorer_enabled_threads(ex);
	if (!enabled) {
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_DEADLOCK, KFP_PFN_NONE, 0, ex->depth,
			   "no thread can run");
		return end_here(ex, s, END_DEADLOCK);
	}
	/* a new state: the threads whose steps it is explored for, once and for all */
	if (fresh && ex->masks) {
		slot->persistent = access_masks_persistent_set(ex->masks, ex, enabled, sleep);
		awake &= slot->persistent;
	}
	/* every step from here is asleep: each leads where a sibling's subtree went */
	todo = enabled & awake;
	if (!todo)
		return 0;
	set_on_path(&s->seen, slot, &s->frame[ex->depth].mark);
	if (!expand(ex, s, enabled, todo, sleep))
		goto out_of_memory;
	return 1;

out_of_memory:
	ex->result->stop = KFP_STOP_MEMORY;
	return -1;
}

/*
 * One state, reached with sleep set s->next_sleep: judge it if it is an
 * end, take its first step if it is new, cut it if it was seen with no
 * step asleep then that is awake now.  Returns 1 when it took a step, 0
 * when the path ended here, and -1 when the search must stop.
 */
static int visit(struct explorer *ex, struct stateful *s)
{
	struct kfp_explore_result *result = ex->result;
	struct state_hash key = hash_state(ex, &s->arena, &s->threads);
	thread_mask sleep = s->next_sleep, woke;
	struct state_slot *slot;
	int fresh = set_insert(&s->seen, key, &slot);

	if (fresh < 0) {
		result->stop = KFP_STOP_MEMORY;
		return -1;
	}
	if (fresh) {
		/* the state past the budget is neither counted nor explored */
		if (ex->options.max_states && result->states >= ex->options.max_states) {
			result->stop = KFP_STOP_MAX_STATES;
			return -1;
		}
		result->states++;
		/* most paths end in a revisit, not at an end: report by states too */
		if (ex->options.progress && !(result->states & 16383))
			ex->options.progress(ex->options.progress_arg, result);
		/*
		 * Most paths end in a revisit, so ends alone can be too rare to
		 * poll by (36 ends in 270,000 states on two vCPUs vs munmap+remap).
		 */
		if (!(result->states & 1023) && interrupted(ex, s))
			return -1;
		slot->sleep = sleep;
		if (explorer_all_finished(ex))
			return end_here(ex, s, END_COMPLETE);
		slot->persistent = (thread_mask)~0;
		return go_on(ex, s, slot, true, (thread_mask)~sleep, sleep);
	}
	result->revisits++;
	/* a schedule came back to where it was: it can loop forever */
	if (slot->on_path) {
		result->cycles++;
		return 0;
	}
	/* steps asleep when it was explored, awake now (Godefroid's revisit) */
	woke = slot->sleep & (thread_mask)~sleep & slot->persistent;
	if (!woke)
		return 0;
	slot->sleep &= sleep;
	return go_on(ex, s, slot, false, woke, slot->sleep);
}

/*
 * Run one execution to its end, taking at each step the first enabled
 * thread in @order (a permutation), or a random one when @order is NULL,
 * only so that the access masks learn what each thread touches (nothing
 * is judged or counted, and the program's end hook does not run).
 *
 * A random schedule runs in bursts: the thread that ran last goes on, 15
 * times in 16, if it can.  What the search meets late and has to start
 * over for is a thread stopped in the middle of an operation while
 * another runs a whole one (a vCPU holding its GUP reference across the
 * munmap, so that its put frees the page), which a schedule that switches
 * at every step rarely makes and one with few preemptions often does (the
 * bet of context bounding, Musuvathi and Qadeer, PLDI 2007, and of PCT,
 * Burckhardt et al., ASPLOS 2010).  On the library, the same 32 random
 * schedules: 106 starts over and 9.02 M steps (learning included)
 * switching at every step, 65 and 8.51 M in bursts.
 */
static void learn_from_one_execution(struct explorer *ex, const u8 *order)
{
	unsigned int nr = ex->program->nr_threads, k, last = 0;

	explorer_start_execution(ex);
	while (ex->depth < ex->max_steps) {
		thread_mask enabled = explorer_enabled_threads(ex);
		unsigned int t = 0;

		if (!enabled)
			break;
		if (order) {
			for (k = 0; k < nr; k++)
				if (enabled & bit(order[k]))
					break;
			t = order[k];
		} else {
			/*
			 * An LCG of its own, not dpor.c's splitmix64: the
			 * schedules it draws decide what the masks learn,
			 * and so the state counts of the search after them.
			 */
			ex->random_state =
				ex->random_state * 6364136223846793005ULL + 1442695040888963407ULL;
			t = nth_thread(enabled, (ex->random_state >> 33) % count_threads(enabled));
			if ((enabled & bit(last)) && ((ex->random_state >> 20) & 15) != 15)
				t = last;
		}
		last = t;
		explorer_run_step(ex, t, false);
	}
	/* not finished: the end's checks would count it among the search's results */
}

/* The next permutation of @order[0..@nr) in lexical order; false after the last. */
static bool next_order(u8 *order, unsigned int nr)
{
	unsigned int i = nr - 1, j = nr - 1;
	u8 swap;

	while (i > 0 && order[i - 1] >= order[i])
		i--;
	if (!i)
		return false;
	while (order[j] <= order[i - 1])
		j--;
	swap = order[i - 1];
	order[i - 1] = order[j];
	order[j] = swap;
	for (j = nr - 1; i < j; i++, j--) {
		swap = order[i];
		order[i] = order[j];
		order[j] = swap;
	}
	return true;
}

#define LEARNING_RANDOM_EXECUTIONS 32
#define LEARNING_MAX_ORDERS 24

/*
 * Before the search, teach the access masks what the threads touch: each
 * thread running alone in every order of the threads (each one first, and
 * each one after the others changed the world), and a few random
 * schedules.  Without it the first execution runs thread 0 alone as far
 * as it goes, every decision relies on masks that know nothing of the
 * others yet, and the search starts over a dozen times.  What this misses,
 * the surprises still catch.
 */
static void learn_access_masks(struct explorer *ex)
{
	unsigned int nr = ex->program->nr_threads, i, orders = 0;
	u8 order[KFP_MAX_THREADS];

	for (i = 0; i < nr; i++)
		order[i] = (u8)i;
	do
		learn_from_one_execution(ex, order);
	while (++orders < LEARNING_MAX_ORDERS && next_order(order, nr));
	ex->random_state = 0x6b6670; /* fixed: the same search every time */
	for (i = 0; i < LEARNING_RANDOM_EXECUTIONS; i++)
		learn_from_one_execution(ex, NULL);
	access_masks_start_over(ex->masks);
}

/*
 * A persistent set relied on an access mask that has grown since
 * (persistent.c): forget every state and result, and search again from
 * the start with what was learnt.
 */
static void start_over(struct explorer *ex, struct stateful *s)
{
	struct kfp_explore_result *result = ex->result;
	u64 restarts = result->restarts + 1, steps = result->steps;

	kfp_explore_result_release(result);
	memset(result, 0, sizeof(*result));
	result->stateful = true;
	result->stop = KFP_STOP_COMPLETE;
	result->restarts = restarts;
	/* the work done, not undone: steps count every start's */
	result->steps = steps;
	if (ex->program->at_start_over)
		ex->program->at_start_over(ex->program->at_end_arg);
	memset(s->seen.slot, 0, s->seen.capacity * sizeof(*s->seen.slot));
	s->seen.used = 0;
	s->ends = 0;
	s->next_sleep = 0;
	explorer_start_execution(ex);
	s->threads.stale = (thread_mask)~0;
	arena_hash_reset(ex, &s->arena);
	s->arena.dirty_valid = false;
}

/*
 * A thread broke an access mask a decision relied on: the decisions made
 * since the search started may have cut executions, so it starts over
 * with what it has learnt.  Not at once: the surprises of one search tend
 * to come together (the first interleaving where a vCPU drops a page's
 * last reference also has it fault on the page mapped after it), and each
 * start over repeats the search up to there.  So the search goes on for
 * RESTART_GRACE more states, as a lesson and no longer as a verdict, and
 * the masks learn what else it meets on the way; then, or when it ends,
 * it starts over.  Only a search that ends with no surprise gives its
 * results.  On the library (steps run in all, and in the searches that
 * started over): 10.41 M and 4.44 M when each surprise started over at
 * once, 7.46 M and 1.48 M this way; going on until the states doubled,
 * 8.39 M and 2.42 M.
 */
#define RESTART_GRACE 1024

static void note_surprise(struct explorer *ex, struct stateful *s)
{
	if (!s->restart_at && ex->masks && access_masks_surprised(ex->masks))
		s->restart_at = ex->result->states + RESTART_GRACE;
}

/*
 * The search must start over now: a surprise, and the lesson is over
 * (@ended: the search has nothing left to explore).  Not when it stopped
 * (a violation found, a bound or a signal stands: those executions were
 * real; visit() returns -1 with the stop).
 */
static bool surprised(struct explorer *ex, struct stateful *s, bool ended)
{
	if (!s->restart_at || (!ended && ex->result->states < s->restart_at))
		return false;
	if (ex->result->stop != KFP_STOP_COMPLETE || !access_masks_start_over(ex->masks))
		return false;
	s->restart_at = 0;
	return true;
}

void stateful_search(struct explorer *ex)
{
	struct stateful s = { .start = now_seconds() };
	unsigned int i;

	ex->stateful = true;
	ex->result->stateful = true;
	if (!ex->options.no_persistent_sets && !ex->options.no_sleep_sets) {
		ex->masks = access_masks_create();
		if (!ex->masks) {
			ex->result->stop = KFP_STOP_MEMORY;
			return;
		}
		learn_access_masks(ex);
	}
	explorer_start_execution(ex);
	s.threads.stale = (thread_mask)~0;
	s.threads.stack = malloc(STACK_SIZE);
	if (!s.threads.stack || !arena_hash_init(ex, &s.arena)) {
		ex->result->stop = KFP_STOP_MEMORY;
		goto out_release;
	}
	for (;;) {
		int next = visit(ex, &s);

		if (ex->masks && access_masks_out_of_memory(ex->masks)) {
			ex->result->stop = KFP_STOP_MEMORY;
			break;
		}
		note_surprise(ex, &s);
		if (surprised(ex, &s, false)) {
			start_over(ex, &s);
			continue;
		}
		/* backtracking takes no step before the next visit: no surprise here */
		if (next < 0 || (!next && !backtrack(ex, &s))) {
			if (!surprised(ex, &s, true))
				break;
			start_over(ex, &s);
		}
	}
out_release:
	access_masks_release(ex->masks);
	ex->masks = NULL;
	arena_hash_release(&s.arena);
	free(s.threads.stack);
	for (i = 0; i < s.nr_frames; i++) {
		free(s.frame[i].image.bytes);
		free(s.frame[i].image.blocks);
	}
	free(s.frame);
	free(s.seen.slot);
}
