// SPDX-License-Identifier: GPL-2.0
/*
 * The sequential seam and the lock operations.
 *
 * Locks are plain data; taking one is a scheduling point on the lock's
 * object (exclusive takes write it, shared takes read it, so that two
 * shared takes commute for partial-order reduction).  When a lock cannot be
 * taken the seam's block() decides: the explorer parks the thread, the
 * sequential seam reports a deadlock, since a single thread waiting on
 * itself would wait forever.
 */
#include <string.h>

#include <kfp/seam.h>

/*
 * Run sequentially, each visible step counts in the reports' step counter.
 * Under the explorer the explorer keeps that counter (the index of the
 * step being made): a model thread never reads a count of everybody's
 * steps, which would make its stack remember the interleaving.
 */
static void sequential_point(void *ctx, u32 object, enum kfp_access access, const char *what)
{
	(void)ctx;
	if (kfp_seam.reports)
		kfp_seam.reports->step++;
	(void)object;
	(void)access;
	(void)what;
}

static bool sequential_block(void *ctx, const struct kfp_lock *lock, bool write)
{
	(void)ctx;
	(void)lock;
	(void)write;
	return false;
}

static int sequential_current_thread(void *ctx)
{
	(void)ctx;
	return 0;
}

static const struct kfp_seam_ops sequential_ops = {
	.point = sequential_point,
	.block = sequential_block,
	.current_thread = sequential_current_thread,
};

_Thread_local struct kfp_seam kfp_seam = { .ops = &sequential_ops };

void kfp_seam_use_sequential(struct kfp_reports *reports)
{
	kfp_seam_install(&sequential_ops, NULL, reports);
}

void kfp_seam_install(const struct kfp_seam_ops *ops, void *ctx, struct kfp_reports *reports)
{
	kfp_seam.ops = ops;
	kfp_seam.ctx = ctx;
	kfp_seam.reports = reports;
}

void kfp_shared_access(u32 object, enum kfp_access access, const char *what)
{
	kfp_seam.ops->point(kfp_seam.ctx, object, access, what);
}

void kfp_shared_access_footprint(const struct kfp_footprint *footprint, const char *what)
{
	struct kfp_footprint fp = *footprint;

	if (!fp.nr || fp.nr > KFP_FOOTPRINT_MAX) {
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_MODEL_BUG, KFP_PFN_NONE, 0, fp.nr,
			   "step footprint empty or too large");
		if (!fp.nr)
			return;
		fp.nr = KFP_FOOTPRINT_MAX;
	}
	if (!kfp_seam.ops->point_footprint) {
		kfp_shared_access(fp.object[0], (enum kfp_access)fp.access[0], what);
		return;
	}
	kfp_seam.ops->point_footprint(kfp_seam.ctx, &fp, what);
}

long kfp_atomic_add_return(u32 object, long *counter, long delta, const char *what)
{
	kfp_shared_access(object, KFP_ACCESS_WRITE, what);
	*counter += delta;
	return *counter;
}

long kfp_atomic_read(u32 object, const long *counter, const char *what)
{
	kfp_shared_access(object, KFP_ACCESS_READ, what);
	return *counter;
}

void kfp_lock_init(struct kfp_lock *lock, enum kfp_lock_kind kind, u32 index, const char *name)
{
	lock->object = KFP_OBJECT(KFP_OBJECT_CLASS_LOCK, index);
	lock->kind = (u8)kind;
	lock->writer = KFP_NO_THREAD;
	lock->reader_mask = 0;
	memset(lock->read_depth, 0, sizeof(lock->read_depth));
	lock->name = name;
}

static u16 thread_bit(int thread)
{
	return (u16)(1U << thread);
}

/* Wait until @available holds; false (and a deadlock report) if it never will. */
static bool wait_for_lock(struct kfp_lock *lock, bool write)
{
	for (;;) {
		bool available = lock->writer == KFP_NO_THREAD && (!write || !lock->reader_mask);

		if (available)
			return true;
		if (!kfp_seam.ops->block(kfp_seam.ctx, lock, write)) {
			kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_DEADLOCK, KFP_PFN_NONE, 0,
				   lock->writer, lock->name);
			return false;
		}
	}
}

/* Taking a lock is a scheduling point on the lock's object. */
static void acquire_point(struct kfp_lock *lock, bool write)
{
	if (!kfp_seam.ops->acquire) {
		kfp_shared_access(lock->object, write ? KFP_ACCESS_WRITE : KFP_ACCESS_READ,
				  lock->name);
		return;
	}
	kfp_seam.ops->acquire(kfp_seam.ctx, lock, write);
}

void kfp_write_lock(struct kfp_lock *lock)
{
	acquire_point(lock, true);
	wait_for_lock(lock, true);
	lock->writer = (s8)kfp_current_thread();
}

bool kfp_write_trylock(struct kfp_lock *lock)
{
	kfp_shared_access(lock->object, KFP_ACCESS_WRITE, lock->name);
	if (lock->writer != KFP_NO_THREAD || lock->reader_mask)
		return false;
	lock->writer = (s8)kfp_current_thread();
	return true;
}

/*
 * A thread that already holds @lock for read takes it again at once: no
 * writer can hold it meanwhile, and the other threads' chances to take it
 * do not change (reader_mask already names the thread).  So the nested
 * take is a read of the lock's object, not an acquisition: an acquisition
 * is where the search reverses the race with a writer's, and that race is
 * with the outermost one, when the read section began.
 */
void kfp_read_lock(struct kfp_lock *lock)
{
	int self = kfp_current_thread();

	if (lock->read_depth[self]) {
		kfp_shared_access(lock->object, KFP_ACCESS_READ, lock->name);
		lock->read_depth[self]++;
		return;
	}
	acquire_point(lock, false);
	wait_for_lock(lock, false);
	lock->read_depth[self]++;
	lock->reader_mask |= thread_bit(self);
}

void kfp_write_unlock(struct kfp_lock *lock)
{
	kfp_shared_access(lock->object, KFP_ACCESS_WRITE, lock->name);
	if (lock->writer != kfp_current_thread()) {
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_UNLOCK_NOT_HELD, KFP_PFN_NONE, 0,
			   lock->writer, lock->name);
		return;
	}
	lock->writer = KFP_NO_THREAD;
}

void kfp_read_unlock(struct kfp_lock *lock)
{
	int self = kfp_current_thread();

	kfp_shared_access(lock->object, KFP_ACCESS_READ, lock->name);
	if (!lock->read_depth[self]) {
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_UNLOCK_NOT_HELD, KFP_PFN_NONE, 0,
			   lock->reader_mask, lock->name);
		return;
	}
	if (!--lock->read_depth[self])
		lock->reader_mask &= (u16)~thread_bit(self);
}

bool kfp_lock_is_write_held(const struct kfp_lock *lock)
{
	return lock->writer == kfp_current_thread();
}

bool kfp_lock_is_held(const struct kfp_lock *lock)
{
	return kfp_lock_is_write_held(lock) ||
	       (lock->reader_mask & thread_bit(kfp_current_thread()));
}

bool kfp_lock_is_locked(const struct kfp_lock *lock)
{
	return lock->writer != KFP_NO_THREAD || lock->reader_mask;
}

void kfp__lockdep_assert_held(const struct kfp_lock *lock, const char *function)
{
	if (!kfp_lock_is_held(lock))
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_LOCK_NOT_HELD, KFP_PFN_NONE, 0, 0,
			   function);
}

void kfp__lockdep_assert_held_write(const struct kfp_lock *lock, const char *function)
{
	if (!kfp_lock_is_write_held(lock))
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_LOCK_NOT_HELD, KFP_PFN_NONE, 0, 1,
			   function);
}
