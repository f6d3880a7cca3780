// SPDX-License-Identifier: GPL-2.0
/*
 * Persistent sets for the stateful search: a step that no other thread can
 * ever conflict with is taken alone.
 *
 * At a state where thread t's announced step touches only objects that no
 * other thread reads where t writes or writes where t reads (a host-only
 * lock, a memslot array nobody changes, a vCPU's own signal flag), that
 * step commutes with everything the other threads can still do, and it
 * cannot be disabled by them.  Every execution from the state is then
 * equivalent to one that takes t's step first: {t} is a persistent set
 * (Godefroid, LNCS 1032, ch. 4), and with sleep sets and state caching
 * the search still reaches every final state (ch. 5-6).  The
 * interleavings of such steps with the rest are where most states come
 * from: two vCPUs vs DONTNEED has 306,570 states without this.
 *
 * What "no other thread can ever" touch an object is not known before the
 * search.  It is learnt: the masks below record, for each object, the
 * threads that announced a read of it and those that announced a write,
 * in any execution of this search so far.  A decision relies on the masks
 * of the objects of the step it takes alone, and records on what, for each
 * other thread u that can still run: u never wrote the object (and never
 * read it, if the step writes), or u touched it only under locks the
 * stepping thread holds (below).  An access that breaks a fact a decision
 * relied on (u announces the kind of access it was relied on never to make,
 * or touches the object outside those locks) is a surprise: the decisions
 * made so far may be wrong, and the search starts over with the masks it
 * has now learnt.  News no decision relied on (a second reader of an
 * object only read alone, a lock not held where nobody relied on it) is
 * learnt, not a surprise.  The first access in any execution that breaks a
 * relied-on fact is announced in some execution the reduced search
 * explores (everything before it obeys those facts, so the reduction only
 * moved steps of other threads ahead of it), so a search that ends without
 * a surprise used facts that every execution obeys.  Recording what was
 * relied on, and not only that the object was: the library's searches
 * started over 269 times, not 424 (kfp check --jobs 2 scenarios, 522
 * cells).
 *
 * Locks widen "no other thread": each object also learns, per thread, the
 * locks that thread held at every one of its accesses (in any mode, and
 * for write).  A thread u that only ever touched the object holding lock
 * L cannot touch it while t holds L for write (or for read, when u always
 * held L for write): u would first have to take L, and t lets L go only by
 * a step of its own after the one taken alone.  So t's step commutes with
 * everything u can do before it, as if u never touched the object; this
 * holds for an acquisition too (nobody else can take a lock only taken
 * under one t holds).  A lockset that shrinks is a surprise like a mask
 * that grows.  On the library: 2.06 M states against 2.67 M without the
 * locks (kfp check --json scenarios, 462 cells, the same final states).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The locks a thread holds, as bits of the masks' lock table (lock_set). */
typedef u64 lock_set;
#define MAX_LOCKS 64

struct access_mask {
	u32 object;
	bool used;
	thread_mask readers;
	thread_mask writers;
	/*
	 * What the steps taken alone relied on, per other thread u: that u
	 * never read it (a write was taken alone), that u never wrote it,
	 * or that u touched it only under the locks noted below.  Only
	 * news that breaks one of these is a surprise (access_masks_note()).
	 */
	thread_mask relied_unread;
	thread_mask relied_unwritten;
	thread_mask relied_locks;
	/*
	 * The locks each thread held at every one of its accesses: in any
	 * mode, and for write.  A thread that only touches the object inside
	 * a lock that another thread holds now cannot touch it before that
	 * thread lets the lock go.
	 */
	lock_set held[KFP_MAX_THREADS];
	lock_set held_for_write[KFP_MAX_THREADS];
};

struct access_masks {
	struct access_mask *slot;
	unsigned int capacity; /* a power of two */
	unsigned int used;
	bool surprise; /* a relied-on mask grew: the search must start over */
	bool out_of_memory;
	/* the locks seen acquired so far, each a bit of a lock_set */
	const struct kfp_lock *lock[MAX_LOCKS];
	unsigned int nr_locks;
};

/* A lock whose acquisition @pending announces gets a bit (beyond MAX_LOCKS: none, never held). */
static void learn_lock(struct access_masks *m, const struct pending *pending)
{
	unsigned int i;

	if (!pending->is_lock || !pending->lock)
		return;
	for (i = 0; i < m->nr_locks; i++)
		if (m->lock[i] == pending->lock)
			return;
	if (m->nr_locks < MAX_LOCKS)
		m->lock[m->nr_locks++] = pending->lock;
}

/* The locks of the table thread @t holds now, in any mode (*@held) and for write. */
static void locks_held(const struct access_masks *m, unsigned int t, lock_set *held,
		       lock_set *for_write)
{
	unsigned int i;

	*held = 0;
	*for_write = 0;
	for (i = 0; i < m->nr_locks; i++) {
		const struct kfp_lock *lock = m->lock[i];

		if (lock->writer == (s8)t)
			*for_write |= 1ULL << i;
		else if (!lock->read_depth[t])
			continue;
		*held |= 1ULL << i;
	}
}

struct access_masks *access_masks_create(void)
{
	struct access_masks *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->capacity = 256;
	m->slot = calloc(m->capacity, sizeof(*m->slot));
	if (!m->slot) {
		free(m);
		return NULL;
	}
	return m;
}

void access_masks_release(struct access_masks *m)
{
	if (!m)
		return;
	free(m->slot);
	free(m);
}

static unsigned int object_slot(u32 object, unsigned int capacity)
{
	return (unsigned int)((object * 0x9e3779b1u) >> 7) & (capacity - 1);
}

static struct access_mask *lookup(const struct access_masks *m, u32 object)
{
	unsigned int at = object_slot(object, m->capacity);

	while (m->slot[at].used && m->slot[at].object != object)
		at = (at + 1) & (m->capacity - 1);
	return &m->slot[at];
}

static bool grow(struct access_masks *m)
{
	unsigned int capacity = 2 * m->capacity, i;
	struct access_mask *old = m->slot;
	struct access_masks bigger = { .capacity = capacity };

	bigger.slot = calloc(capacity, sizeof(*bigger.slot));
	if (!bigger.slot)
		return false;
	for (i = 0; i < m->capacity; i++)
		if (old[i].used)
			*lookup(&bigger, old[i].object) = old[i];
	free(old);
	m->slot = bigger.slot;
	m->capacity = capacity;
	return true;
}

/* @object's entry, made if new; NULL when out of memory. */
static struct access_mask *entry(struct access_masks *m, u32 object)
{
	struct access_mask *e;

	if (2 * (m->used + 1) > m->capacity && !grow(m)) {
		m->out_of_memory = true;
		return NULL;
	}
	e = lookup(m, object);
	if (!e->used) {
		e->used = true;
		e->object = object;
		m->used++;
	}
	return e;
}

/* @e learns that thread @t touched it holding @held (@for_write of them for write). */
static bool learn_locks(struct access_mask *e, unsigned int t, bool first, lock_set held,
			lock_set for_write)
{
	lock_set was = e->held[t], was_for_write = e->held_for_write[t];

	if (first) {
		e->held[t] = held;
		e->held_for_write[t] = for_write;
		return false;
	}
	e->held[t] &= held;
	e->held_for_write[t] &= for_write;
	return e->held[t] != was || e->held_for_write[t] != was_for_write;
}

/* Thread @t announced @pending: learn its accesses, and note a surprise that matters. */
void access_masks_note(struct access_masks *m, unsigned int t, const struct pending *pending)
{
	thread_mask self = bit(t);
	lock_set held, for_write;
	unsigned int k;

	learn_lock(m, pending);
	locks_held(m, t, &held, &for_write);
	for (k = 0; k < pending->fp.nr && k < KFP_FOOTPRINT_MAX; k++) {
		struct access_mask *e = entry(m, pending->fp.object[k]);
		bool write = pending->fp.access[k] == KFP_ACCESS_WRITE;
		thread_mask *mask, relied;
		bool first;

		if (!e)
			return;
		first = !((e->readers | e->writers) & self);
		if (learn_locks(e, t, first, held, for_write) && (e->relied_locks & self))
			m->surprise = true;
		mask = write ? &e->writers : &e->readers;
		relied = write ? e->relied_unwritten : e->relied_unread;
		if (!(*mask & self)) {
			*mask |= self;
			if (relied & self)
				m->surprise = true;
		}
	}
}

bool kfp_persistent_sets_seeded_bug;
bool kfp_persistent_sets_seeded_lock_bug;
bool kfp_persistent_sets_seeded_reliance_bug;

/*
 * Thread @u, which was seen touching @e only with the locks noted there,
 * cannot touch it while thread @t holds @held (@for_write of them for
 * write): a lock @t holds for write that @u always held, or one @t holds
 * for read that @u always held for write.
 */
static bool shut_out(const struct access_mask *e, unsigned int u, lock_set held, lock_set for_write)
{
	lock_set read_only = held & ~for_write;

	if (kfp_persistent_sets_seeded_lock_bug)
		return (e->held[u] & held) != 0;
	return (e->held[u] & for_write) || (e->held_for_write[u] & read_only);
}

/*
 * Thread @t's access to @object conflicts with nothing another thread can
 * do now.  Only the threads of @live can: one that finished takes no step.
 */
static bool alone_on(const struct access_masks *m, unsigned int t, u32 object, u8 access,
		     lock_set held, lock_set for_write, thread_mask live)
{
	const struct access_mask *e = lookup(m, object);
	thread_mask others;
	unsigned int u;

	if (!e->used)
		return false;
	others = (access == KFP_ACCESS_WRITE ? e->readers | e->writers : e->writers) & live &
		 (thread_mask)~bit(t);
	for (u = 0; others; u++) {
		if (!(others & bit(u)))
			continue;
		others &= (thread_mask)~bit(u);
		if (!shut_out(e, u, held, for_write))
			return false;
	}
	return true;
}

static bool step_alone(const struct access_masks *m, unsigned int t, const struct pending *pending,
		       thread_mask live)
{
	lock_set held, for_write;
	unsigned int k;

	/* a wait's enabling write is another thread's: never alone */
	if (pending->is_wait || !pending->fp.nr || pending->fp.nr > KFP_FOOTPRINT_MAX)
		return false;
	if (kfp_persistent_sets_seeded_bug)
		return true;
	locks_held(m, t, &held, &for_write);
	for (k = 0; k < pending->fp.nr; k++)
		if (!alone_on(m, t, pending->fp.object[k], pending->fp.access[k], held, for_write,
			      live))
			return false;
	return true;
}

/*
 * Thread @t's step is taken alone: note, per object of it, what that
 * relied on for each other thread that can still run (alone_on()'s
 * reasons): a thread shut out by its locks, or one that never made a
 * conflicting access (a write of @t's conflicts with every access, a
 * read with writes only).
 */
static void rely_on(struct access_masks *m, unsigned int t, const struct pending *pending,
		    thread_mask live)
{
	thread_mask others = live & (thread_mask)~bit(t);
	unsigned int k;

	for (k = 0; k < pending->fp.nr; k++) {
		struct access_mask *e = lookup(m, pending->fp.object[k]);
		bool write = pending->fp.access[k] == KFP_ACCESS_WRITE;
		thread_mask conflicting = (write ? e->readers | e->writers : e->writers) & others;

		e->relied_locks |= conflicting;
		if (!kfp_persistent_sets_seeded_reliance_bug)
			e->relied_unwritten |= others & (thread_mask)~conflicting;
		if (write)
			e->relied_unread |= others & (thread_mask)~conflicting;
	}
}

/*
 * The threads to explore from a state where @enabled can run and @sleep
 * sleep: one whose step is alone, preferring one asleep (then nothing is
 * explored from here: a sibling's subtree took that step already), else
 * every enabled thread.
 */
thread_mask access_masks_persistent_set(struct access_masks *m, struct explorer *ex,
					thread_mask enabled, thread_mask sleep)
{
	thread_mask alone = 0, live = explorer_live_threads(ex);
	unsigned int t;

	for (t = 0; t < ex->program->nr_threads; t++)
		if ((enabled & bit(t)) && step_alone(m, t, &ex->thread[t].pending, live))
			alone |= bit(t);
	if (!alone)
		return enabled;
	t = (alone & sleep) ? lowest(alone & sleep) : lowest(alone);
	rely_on(m, t, &ex->thread[t].pending, live);
	return bit(t);
}

/*
 * Thread @t may go on alone: its announced step is one no other thread
 * conflicts with.  The caller takes it without a decision of its own (and
 * so relies on the masks, as a persistent set of {@t} would).
 */
bool access_masks_goes_on_alone(struct access_masks *m, struct explorer *ex, unsigned int t)
{
	const struct pending *pending = &ex->thread[t].pending;
	thread_mask live = explorer_live_threads(ex);

	if (!step_alone(m, t, pending, live))
		return false;
	rely_on(m, t, pending, live);
	return true;
}

/* A surprise broke a decision: forget which decisions relied on what, and say so once. */
bool access_masks_start_over(struct access_masks *m)
{
	unsigned int i;

	if (!m->surprise)
		return false;
	for (i = 0; i < m->capacity; i++) {
		m->slot[i].relied_unread = 0;
		m->slot[i].relied_unwritten = 0;
		m->slot[i].relied_locks = 0;
	}
	m->surprise = false;
	return true;
}

bool access_masks_surprised(const struct access_masks *m)
{
	return m->surprise;
}

bool access_masks_out_of_memory(const struct access_masks *m)
{
	return m->out_of_memory;
}
