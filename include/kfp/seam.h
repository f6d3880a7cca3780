/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam between the model and whoever runs it.
 *
 * Every lock operation, atomic operation and shared access that a race can
 * turn on goes through the few functions below.  Run sequentially (unit
 * tests), the seam only counts steps and checks lock discipline.  Run under
 * the explorer, each call is a scheduling point: the explorer installs its
 * own struct kfp_seam_ops and decides which thread runs next, using the
 * object and access kind as the step's footprint for partial-order
 * reduction.  The model never knows which of the two it runs under.
 *
 * This is the same idea as the customised shims of tools/testing/vma: the
 * kernel's synchronisation calls keep their shape, their bodies record.
 */
#ifndef KFP_SEAM_H
#define KFP_SEAM_H

#include <kfp/report.h>
#include <kfp/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a step does to the object it touches. */
enum kfp_access {
	KFP_ACCESS_READ,
	KFP_ACCESS_WRITE,
};

/*
 * Objects are named by a class and an index.  The classes of the host mm
 * model are here; the KVM layer allocates its classes from
 * KFP_OBJECT_CLASS_KVM upwards.
 */
enum kfp_object_class {
	KFP_OBJECT_CLASS_NONE,
	KFP_OBJECT_CLASS_LOCK, /* index: lock number */
	KFP_OBJECT_CLASS_PAGE, /* index: pfn (refcount, flags, content) */
	KFP_OBJECT_CLASS_PTE, /* index: virtual page number */
	KFP_OBJECT_CLASS_VMA_TREE, /* the mm's VMA set */
	KFP_OBJECT_CLASS_MEMORY_OBJECT, /* index: memory object id */
	KFP_OBJECT_CLASS_SIGNAL, /* index: thread */
	KFP_OBJECT_CLASS_ZONE, /* the page allocator's free lists (zone->lock) */
	KFP_OBJECT_CLASS_KVM = 16,
};

/*
 * Everything one step touches, with how: a guest access reads its
 * translation, the host pte and the memslots the checker judges it by and
 * reads or writes the page, all in one step.  The explorer treats two steps
 * as dependent when any object of one conflicts with any object of the
 * other, so a step must name every object whose value its outcome (or the
 * checker's verdict on it) depends on.
 */
#define KFP_FOOTPRINT_MAX 6

struct kfp_footprint {
	u8 nr;
	u8 access[KFP_FOOTPRINT_MAX]; /* enum kfp_access */
	u32 object[KFP_FOOTPRINT_MAX];
};

#define KFP_OBJECT(class, index) (((u32)(class) << 24) | ((u32)(index)&0xffffff))
#define KFP_OBJECT_CLASS_OF(object) ((object) >> 24)
#define KFP_OBJECT_INDEX_OF(object) ((object)&0xffffff)

enum kfp_lock_kind {
	KFP_LOCK_MUTEX,
	KFP_LOCK_RWLOCK, /* rw_semaphore or rwlock_t */
	KFP_LOCK_SPINLOCK,
};

#define KFP_NO_THREAD (-1)

/* A lock of the model.  Plain data: it lives in the world arena. */
struct kfp_lock {
	u32 object; /* identity for the explorer and for traces */
	u8 kind; /* enum kfp_lock_kind */
	s8 writer; /* thread holding it exclusively, or KFP_NO_THREAD */
	u16 reader_mask; /* threads holding it shared (bit per thread) */
	u8 read_depth[KFP_MAX_THREADS]; /* shared holds per thread (srcu and rwsem readers nest) */
	const char *name; /* for traces: "mmap_lock", "mmu_lock", ... */
};

struct kfp_seam_ops {
	/* A visible step on @object is about to happen. */
	void (*point)(void *ctx, u32 object, enum kfp_access access, const char *what);
	/*
	 * The current thread cannot take @lock.  Return true once it may try
	 * again; false when no other thread can ever release it (the
	 * sequential seam), which the caller reports as a deadlock.
	 */
	bool (*block)(void *ctx, const struct kfp_lock *lock, bool write);
	/* The thread that is running. */
	int (*current_thread)(void *ctx);
	/*
	 * The current thread spins until another thread writes @object (a
	 * retry loop waiting for an invalidation or a memslot update to
	 * finish).  Return true once it may look again; false when nobody
	 * else can write it (the sequential seam, or a NULL hook).
	 */
	bool (*wait)(void *ctx, u32 object, const char *what);
	/*
	 * Optional: the current thread is about to take @lock.  A scheduler
	 * that implements it runs the thread on only once the lock is free;
	 * without it the take is an ordinary point on the lock's object.
	 */
	void (*acquire)(void *ctx, const struct kfp_lock *lock, bool write);
	/*
	 * Optional: one step that touches several objects at once (a guest
	 * access walks the spte and reaches the page in one hardware step).
	 * Without it the step is a point on its first object alone.
	 */
	void (*point_footprint)(void *ctx, const struct kfp_footprint *footprint, const char *what);
};

struct kfp_seam {
	const struct kfp_seam_ops *ops;
	void *ctx;
	/* Where violations of the run go; set by whoever owns the world. */
	struct kfp_reports *reports;
};

/*
 * The seam in force, one per OS thread: a model world runs on one OS
 * thread, and kfp check --jobs runs several worlds side by side.
 */
#ifdef __cplusplus
extern thread_local struct kfp_seam kfp_seam;
#else
extern _Thread_local struct kfp_seam kfp_seam;
#endif

void kfp_seam_use_sequential(struct kfp_reports *reports);
void kfp_seam_install(const struct kfp_seam_ops *ops, void *ctx, struct kfp_reports *reports);

static inline int kfp_current_thread(void)
{
	return kfp_seam.ops->current_thread(kfp_seam.ctx);
}

/* A shared access to @object: a scheduling point under the explorer. */
void kfp_shared_access(u32 object, enum kfp_access access, const char *what);

/*
 * Add @object to @footprint; an object already there keeps one entry, a
 * write if either access writes.  A footprint that overflows is a model
 * bug, reported when the step is made.
 */
static inline void kfp_footprint_add(struct kfp_footprint *footprint, u32 object,
				     enum kfp_access access)
{
	unsigned int i;

	for (i = 0; i < footprint->nr && i < KFP_FOOTPRINT_MAX; i++) {
		if (footprint->object[i] != object)
			continue;
		if (access == KFP_ACCESS_WRITE)
			footprint->access[i] = KFP_ACCESS_WRITE;
		return;
	}
	if (footprint->nr < KFP_FOOTPRINT_MAX) {
		footprint->object[footprint->nr] = object;
		footprint->access[footprint->nr] = (u8)access;
	}
	footprint->nr++;
}

/* One step on every object of @footprint: nothing can run between the accesses. */
void kfp_shared_access_footprint(const struct kfp_footprint *footprint, const char *what);

/* One step on two objects: nothing can run between the two accesses. */
static inline void kfp_shared_access2(u32 object, enum kfp_access access, u32 object2,
				      enum kfp_access access2, const char *what)
{
	struct kfp_footprint footprint = { 0, { 0 }, { 0 } };

	kfp_footprint_add(&footprint, object, access);
	kfp_footprint_add(&footprint, object2, access2);
	kfp_shared_access_footprint(&footprint, what);
}

static inline void kfp_shared_read(u32 object, const char *what)
{
	kfp_shared_access(object, KFP_ACCESS_READ, what);
}

static inline void kfp_shared_write(u32 object, const char *what)
{
	kfp_shared_access(object, KFP_ACCESS_WRITE, what);
}

/* Wait for another thread to write @object; false if none can. */
bool kfp_wait_for_change(u32 object, const char *what);

/* Atomic read-modify-write on a counter that belongs to @object. */
long kfp_atomic_add_return(u32 object, long *counter, long delta, const char *what);
long kfp_atomic_read(u32 object, const long *counter, const char *what);

void kfp_lock_init(struct kfp_lock *lock, enum kfp_lock_kind kind, u32 index, const char *name);
void kfp_write_lock(struct kfp_lock *lock);
void kfp_write_unlock(struct kfp_lock *lock);
void kfp_read_lock(struct kfp_lock *lock);
void kfp_read_unlock(struct kfp_lock *lock);
bool kfp_write_trylock(struct kfp_lock *lock);
bool kfp_lock_is_held(const struct kfp_lock *lock);
bool kfp_lock_is_write_held(const struct kfp_lock *lock);
bool kfp_lock_is_locked(const struct kfp_lock *lock);

/* lockdep_assert_held(): an invariant violation if the thread does not hold @lock. */
#define kfp_lockdep_assert_held(lock) kfp__lockdep_assert_held((lock), __func__)
#define kfp_lockdep_assert_held_write(lock) kfp__lockdep_assert_held_write((lock), __func__)
void kfp__lockdep_assert_held(const struct kfp_lock *lock, const char *function);
void kfp__lockdep_assert_held_write(const struct kfp_lock *lock, const char *function);

#ifdef __cplusplus
}
#endif

#endif /* KFP_SEAM_H */
