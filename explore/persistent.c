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
 * of the objects of the step it takes alone.  A thread that announces an
 * access its object's masks did not hold is a surprise; if a decision
 * relied on that object for another thread, the decisions made so far may
 * be wrong, and the search starts over with the masks it has now learnt.
 * The first access in any execution that breaks the masks is announced in
 * some execution the reduced search explores (everything before it obeys
 * the masks, so the reduction only moved steps of other threads ahead of
 * it), so a search that ends without a surprise it relied on used masks
 * that every execution obeys.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct access_mask {
	u32 object;
	bool used;
	thread_mask readers;
	thread_mask writers;
	thread_mask relied_by; /* threads whose steps were taken alone on its masks */
};

struct access_masks {
	struct access_mask *slot;
	unsigned int capacity; /* a power of two */
	unsigned int used;
	bool surprise; /* a relied-on mask grew: the search must start over */
	bool out_of_memory;
};

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

/* Thread @t announced @pending: learn its accesses, and note a surprise that matters. */
void access_masks_note(struct access_masks *m, unsigned int t, const struct pending *pending)
{
	thread_mask self = bit(t);
	unsigned int k;

	for (k = 0; k < pending->fp.nr && k < KFP_FOOTPRINT_MAX; k++) {
		struct access_mask *e = entry(m, pending->fp.object[k]);
		thread_mask *mask;

		if (!e)
			return;
		mask = pending->fp.access[k] == KFP_ACCESS_WRITE ? &e->writers : &e->readers;
		if (*mask & self)
			continue;
		*mask |= self;
		if (e->relied_by & (thread_mask)~self)
			m->surprise = true;
	}
}

/* Thread @t's access to @object conflicts with nothing another thread was seen to do. */
static bool alone_on(const struct access_masks *m, unsigned int t, u32 object, u8 access)
{
	const struct access_mask *e = lookup(m, object);
	thread_mask others = (thread_mask)~bit(t);

	if (!e->used)
		return false;
	if (access == KFP_ACCESS_WRITE)
		return !((e->readers | e->writers) & others);
	return !(e->writers & others);
}

bool kfp_persistent_sets_seeded_bug;

static bool step_alone(const struct access_masks *m, unsigned int t, const struct pending *pending)
{
	unsigned int k;

	/* a wait's enabling write is another thread's: never alone */
	if (pending->is_wait || !pending->fp.nr || pending->fp.nr > KFP_FOOTPRINT_MAX)
		return false;
	if (kfp_persistent_sets_seeded_bug)
		return true;
	for (k = 0; k < pending->fp.nr; k++)
		if (!alone_on(m, t, pending->fp.object[k], pending->fp.access[k]))
			return false;
	return true;
}

static void rely_on(struct access_masks *m, unsigned int t, const struct pending *pending)
{
	unsigned int k;

	for (k = 0; k < pending->fp.nr; k++)
		lookup(m, pending->fp.object[k])->relied_by |= bit(t);
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
	thread_mask alone = 0;
	unsigned int t;

	for (t = 0; t < ex->program->nr_threads; t++)
		if ((enabled & bit(t)) && step_alone(m, t, &ex->thread[t].pending))
			alone |= bit(t);
	if (!alone)
		return enabled;
	t = (alone & sleep) ? lowest(alone & sleep) : lowest(alone);
	rely_on(m, t, &ex->thread[t].pending);
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

	if (!step_alone(m, t, pending))
		return false;
	rely_on(m, t, pending);
	return true;
}

/* A surprise broke a decision: forget which decisions relied on what, and say so once. */
bool access_masks_start_over(struct access_masks *m)
{
	unsigned int i;

	if (!m->surprise)
		return false;
	for (i = 0; i < m->capacity; i++)
		m->slot[i].relied_by = 0;
	m->surprise = false;
	return true;
}

bool access_masks_out_of_memory(const struct access_masks *m)
{
	return m->out_of_memory;
}
