// SPDX-License-Identifier: GPL-2.0
/*
 * The seam, the locks and the report log (seam/seam.c, seam/report.c).
 *
 * The sequential seam runs everything as thread 0 and turns any wait into
 * a deadlock report.  A recording seam (below) stands in for the explorer:
 * it lets a test choose the running thread and see every scheduling point.
 * Tests that install it put the sequential seam back before they end.
 */
#include <string.h>

#include "../lib/mm_fixture.h"

#define RECORD_MAX 64

struct recorded_point {
	u32 object;
	enum kfp_access access;
	const char *what;
};

struct recording_seam {
	int thread;
	unsigned int nr_points;
	struct recorded_point point[RECORD_MAX];
	unsigned int nr_blocks;
	bool last_block_write;
	/* block(): release this lock (as another thread would) and retry */
	struct kfp_lock *release_on_block;
};

static void record_point(void *ctx, u32 object, enum kfp_access access, const char *what)
{
	struct recording_seam *seam = ctx;

	if (seam->nr_points < RECORD_MAX)
		seam->point[seam->nr_points] = (struct recorded_point){ object, access, what };
	seam->nr_points++;
}

static bool record_block(void *ctx, const struct kfp_lock *lock, bool write)
{
	struct recording_seam *seam = ctx;

	(void)lock;
	seam->nr_blocks++;
	seam->last_block_write = write;
	if (!seam->release_on_block)
		return false;
	seam->release_on_block->writer = KFP_NO_THREAD;
	seam->release_on_block->reader_mask = 0;
	seam->release_on_block = NULL;
	return true;
}

static int record_current_thread(void *ctx)
{
	return ((struct recording_seam *)ctx)->thread;
}

static const struct kfp_seam_ops recording_ops = {
	.point = record_point,
	.block = record_block,
	.current_thread = record_current_thread,
};

static struct recording_seam recorder;

static struct recording_seam *install_recorder(void)
{
	memset(&recorder, 0, sizeof(recorder));
	kfp_seam_install(&recording_ops, &recorder, test_reports());
	return &recorder;
}

static void restore_sequential(void)
{
	kfp_seam_use_sequential(test_reports());
}

/* ---- locks under the sequential seam ----------------------------------------- */

TEST(seam_write_lock_then_unlock_leaves_lock_free)
{
	struct kfp_mm *mm = test_mm();

	ASSERT_FALSE(kfp_lock_is_locked(&mm->page_table_lock));
	kfp_write_lock(&mm->page_table_lock);
	ASSERT_TRUE(kfp_lock_is_locked(&mm->page_table_lock));
	ASSERT_TRUE(kfp_lock_is_held(&mm->page_table_lock));
	ASSERT_TRUE(kfp_lock_is_write_held(&mm->page_table_lock));
	ASSERT_EQ(mm->page_table_lock.writer, 0);
	kfp_write_unlock(&mm->page_table_lock);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->page_table_lock));
	ASSERT_EQ(mm->page_table_lock.writer, KFP_NO_THREAD);
	ASSERT_NO_REPORTS();
}

TEST(seam_read_lock_is_held_but_not_for_write)
{
	struct kfp_mm *mm = test_mm();

	mmap_read_lock(mm);
	ASSERT_TRUE(kfp_lock_is_held(&mm->mmap_lock));
	ASSERT_FALSE(kfp_lock_is_write_held(&mm->mmap_lock));
	ASSERT_EQ(mm->mmap_lock.reader_mask, 1);
	mmap_read_unlock(mm);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_NO_REPORTS();
}

TEST(seam_write_unlock_not_held_is_reported)
{
	struct kfp_mm *mm = test_mm();

	kfp_write_unlock(&mm->folio_lock);
	ASSERT_REPORTED(KFP_REPORT_UNLOCK_NOT_HELD);
	ASSERT_EQ(test_reports()->report[0].property, KFP_PROPERTY_INVARIANT);
	ASSERT_EQ(strcmp(test_reports()->report[0].what, "folio_lock"), 0);
}

TEST(seam_read_unlock_not_held_is_reported)
{
	struct kfp_mm *mm = test_mm();

	mmap_read_unlock(mm);
	ASSERT_REPORTED(KFP_REPORT_UNLOCK_NOT_HELD);
	ASSERT_EQ(mm->mmap_lock.reader_mask, 0);
}

TEST(seam_write_unlock_of_read_held_lock_is_reported)
{
	struct kfp_mm *mm = test_mm();

	mmap_read_lock(mm);
	mmap_write_unlock(mm);
	ASSERT_REPORTED(KFP_REPORT_UNLOCK_NOT_HELD);
	/* the read hold is untouched */
	ASSERT_TRUE(kfp_lock_is_held(&mm->mmap_lock));
}

TEST(seam_sequential_write_lock_twice_is_deadlock)
{
	struct kfp_mm *mm = test_mm();

	kfp_write_lock(&mm->page_table_lock);
	ASSERT_NO_REPORTS();
	kfp_write_lock(&mm->page_table_lock);
	ASSERT_REPORTED(KFP_REPORT_DEADLOCK);
	ASSERT_EQ(test_reports()->report[0].value, 0);
	ASSERT_EQ(strcmp(test_reports()->report[0].what, "ptl"), 0);
}

TEST(seam_sequential_write_lock_under_own_read_lock_is_deadlock)
{
	struct kfp_mm *mm = test_mm();

	mmap_read_lock(mm);
	mmap_write_lock(mm);
	ASSERT_REPORTED(KFP_REPORT_DEADLOCK);
}

TEST(seam_sequential_read_lock_under_own_write_lock_is_deadlock)
{
	struct kfp_mm *mm = test_mm();

	mmap_write_lock(mm);
	mmap_read_lock(mm);
	ASSERT_REPORTED(KFP_REPORT_DEADLOCK);
}

TEST(seam_write_trylock_fails_on_held_lock_without_report)
{
	struct kfp_mm *mm = test_mm();

	ASSERT_TRUE(kfp_write_trylock(&mm->folio_lock));
	ASSERT_FALSE(kfp_write_trylock(&mm->folio_lock));
	kfp_write_unlock(&mm->folio_lock);
	mmap_read_lock(mm);
	ASSERT_FALSE(kfp_write_trylock(&mm->mmap_lock));
	mmap_read_unlock(mm);
	ASSERT_NO_REPORTS();
}

TEST(seam_lockdep_assert_held_reports_lock_not_held)
{
	struct kfp_mm *mm = test_mm();

	kfp_lockdep_assert_held(&mm->mmap_lock);
	ASSERT_REPORTED(KFP_REPORT_LOCK_NOT_HELD);
	/* the report names the function that asserted */
	ASSERT_EQ(strcmp(test_reports()->report[0].what,
			 "test_seam_lockdep_assert_held_reports_lock_not_held"),
		  0);
}

TEST(seam_lockdep_assert_held_is_quiet_for_read_or_write_holder)
{
	struct kfp_mm *mm = test_mm();

	mmap_read_lock(mm);
	kfp_lockdep_assert_held(&mm->mmap_lock);
	mmap_read_unlock(mm);
	mmap_write_lock(mm);
	kfp_lockdep_assert_held(&mm->mmap_lock);
	kfp_lockdep_assert_held_write(&mm->mmap_lock);
	mmap_write_unlock(mm);
	ASSERT_NO_REPORTS();
}

TEST(seam_lockdep_assert_held_write_rejects_a_reader)
{
	struct kfp_mm *mm = test_mm();

	mmap_read_lock(mm);
	kfp_lockdep_assert_held_write(&mm->mmap_lock);
	ASSERT_REPORTED(KFP_REPORT_LOCK_NOT_HELD);
	ASSERT_EQ(test_reports()->report[0].value, 1);
}

/* ---- steps and the report log ------------------------------------------------ */

TEST(seam_step_counter_counts_every_shared_access)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t pfn;
	u32 step = test_reports()->step;
	long counter = 0;

	kfp_shared_read(KFP_OBJECT(KFP_OBJECT_CLASS_PTE, 3), "read");
	ASSERT_EQ(test_reports()->step, step + 1);
	ASSERT_EQ(kfp_atomic_add_return(KFP_OBJECT(KFP_OBJECT_CLASS_KVM, 0), &counter, 2, "add"),
		  2);
	ASSERT_EQ(kfp_atomic_read(KFP_OBJECT(KFP_OBJECT_CLASS_KVM, 0), &counter, "read"), 2);
	ASSERT_EQ(test_reports()->step, step + 3);
	kfp_write_lock(&mm->page_table_lock);
	kfp_write_unlock(&mm->page_table_lock);
	ASSERT_EQ(test_reports()->step, step + 5);
	/* an allocation is two steps: the peek at the free lists, then the claim */
	pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	ASSERT_EQ(test_reports()->step, step + 7);
	get_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_EQ(test_reports()->step, step + 8);
	/* the last put is one step, the free to the lists another */
	put_page(mm, pfn, KFP_OWNER_HOST_GUP);
	ASSERT_EQ(test_reports()->step, step + 9);
	put_page(mm, pfn, KFP_OWNER_DRIVER);
	ASSERT_EQ(test_reports()->step, step + 11);
	ASSERT_TRUE(kfp_page_is_free(mm, pfn));
	ASSERT_NO_REPORTS();
}

TEST(seam_report_records_step_thread_owner_and_pfn)
{
	struct kfp_mm *mm = test_mm();
	const struct kfp_report *r;
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
	kfp_owner_t kvm = kfp_owner_register(mm, "vcpu0", KFP_OWNER_KIND_KVM);
	u32 step;

	put_page(mm, pfn, KFP_OWNER_DRIVER);
	step = test_reports()->step;
	get_page(mm, pfn, kvm);
	ASSERT_EQ(test_reports()->count, 1);
	r = &test_reports()->report[0];
	ASSERT_EQ(r->kind, KFP_REPORT_GET_ON_ZERO);
	ASSERT_EQ(r->property, KFP_PROPERTY_P1);
	ASSERT_EQ(r->step, step + 1);
	ASSERT_EQ(r->thread, 0);
	ASSERT_EQ(r->owner, kvm);
	ASSERT_EQ(r->pfn, pfn);
	ASSERT_EQ(r->accepted, 0);
	ASSERT_EQ(test_reports()->by_property[KFP_PROPERTY_P1], 1);
}

TEST(seam_report_log_overflow_counts_dropped)
{
	struct kfp_mm *mm = test_mm();
	unsigned int i;

	for (i = 0; i < KFP_MAX_REPORTS + 5; i++)
		kfp_write_unlock(&mm->folio_lock);
	ASSERT_EQ(test_reports()->count, KFP_MAX_REPORTS);
	ASSERT_EQ(test_reports()->dropped, 5);
	ASSERT_EQ(test_reports()->by_property[KFP_PROPERTY_INVARIANT], KFP_MAX_REPORTS + 5);
	ASSERT_EQ(kfp_reports_count_kind(test_reports(), KFP_REPORT_UNLOCK_NOT_HELD),
		  KFP_MAX_REPORTS);
}

TEST(seam_without_a_log_drops_reports_silently)
{
	struct kfp_mm *mm = test_mm();

	kfp_seam_use_sequential(NULL);
	kfp_write_unlock(&mm->folio_lock);
	kfp_shared_write(KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, 2), "write");
	restore_sequential();
	ASSERT_EQ(test_reports()->step, 0);
	ASSERT_NO_REPORTS();
	kfp_write_unlock(&mm->folio_lock);
	ASSERT_REPORTED(KFP_REPORT_UNLOCK_NOT_HELD);
}

TEST(seam_report_kind_names_and_properties)
{
	struct kfp_mm *mm = test_mm();
	unsigned int kind;

	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	for (kind = 0; kind < KFP_NR_REPORT_KINDS; kind++)
		ASSERT_NE(strcmp(kfp_report_kind_name(kind), "?"), 0);
	ASSERT_EQ(kfp_report_kind_property(KFP_REPORT_LEAK), KFP_PROPERTY_P1);
	ASSERT_EQ(kfp_report_kind_property(KFP_REPORT_ACCESS_FREED), KFP_PROPERTY_P2);
	ASSERT_EQ(kfp_report_kind_property(KFP_REPORT_STALE_PFN), KFP_PROPERTY_P3);
	ASSERT_EQ(kfp_report_kind_property(KFP_REPORT_DEADLOCK), KFP_PROPERTY_INVARIANT);
	ASSERT_EQ(kfp_report_kind_property(KFP_NR_REPORT_KINDS), KFP_PROPERTY_INVARIANT);
	ASSERT_EQ(strcmp(kfp_report_kind_name(KFP_NR_REPORT_KINDS), "?"), 0);
	ASSERT_EQ(strcmp(kfp_property_name(KFP_PROPERTY_P2), "P2"), 0);
	ASSERT_EQ(strcmp(kfp_property_name(KFP_NR_PROPERTIES), "?"), 0);
}

TEST(seam_object_encoding_round_trips_class_and_index)
{
	struct kfp_mm *mm = test_mm();
	u32 object = KFP_OBJECT(KFP_OBJECT_CLASS_PTE, 0x123456);

	ASSERT_EQ(KFP_OBJECT_CLASS_OF(object), KFP_OBJECT_CLASS_PTE);
	ASSERT_EQ(KFP_OBJECT_INDEX_OF(object), 0x123456);
	ASSERT_EQ(KFP_OBJECT_INDEX_OF(KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, 0x1000001)), 1);
	ASSERT_EQ(KFP_OBJECT_CLASS_OF(mm->mmap_lock.object), KFP_OBJECT_CLASS_LOCK);
	ASSERT_NE(mm->mmap_lock.object, mm->page_table_lock.object);
	ASSERT_NE(mm->page_table_lock.object, mm->folio_lock.object);
}

/* ---- a custom seam ----------------------------------------------------------- */

TEST(seam_custom_ops_see_lock_points_with_class_and_access)
{
	struct kfp_mm *mm = test_mm();
	struct recording_seam *seam = install_recorder();
	struct recorded_point p[4];
	u32 step = test_reports()->step;

	mmap_read_lock(mm);
	mmap_read_unlock(mm);
	kfp_write_lock(&mm->page_table_lock);
	kfp_write_unlock(&mm->page_table_lock);
	memcpy(p, seam->point, sizeof(p));
	restore_sequential();
	ASSERT_EQ(seam->nr_points, 4);
	ASSERT_EQ(p[0].object, mm->mmap_lock.object);
	ASSERT_EQ(p[0].access, KFP_ACCESS_READ);
	ASSERT_EQ(p[1].access, KFP_ACCESS_READ);
	ASSERT_EQ(p[2].object, mm->page_table_lock.object);
	ASSERT_EQ(KFP_OBJECT_CLASS_OF(p[2].object), KFP_OBJECT_CLASS_LOCK);
	ASSERT_EQ(p[2].access, KFP_ACCESS_WRITE);
	ASSERT_EQ(p[3].access, KFP_ACCESS_WRITE);
	ASSERT_EQ(strcmp(p[0].what, "mmap_lock"), 0);
	/* the step counter is the seam's to keep: a custom one keeps its own */
	ASSERT_EQ(test_reports()->step, step);
	ASSERT_NO_REPORTS();
}

TEST(seam_custom_ops_see_page_points_on_the_folio_head)
{
	struct kfp_mm *mm = test_mm();
	kfp_pfn_t head = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_DRIVER);
	struct recording_seam *seam = install_recorder();
	struct recorded_point p[3];

	get_page(mm, head + 2, KFP_OWNER_HOST_GUP);
	kfp_pfn_read(mm, head + 3);
	kfp_pfn_write(mm, head + 1, 1);
	memcpy(p, seam->point, sizeof(p));
	restore_sequential();
	ASSERT_EQ(seam->nr_points, 3);
	ASSERT_EQ(p[0].object, KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, head));
	ASSERT_EQ(p[0].access, KFP_ACCESS_WRITE);
	ASSERT_EQ(strcmp(p[0].what, "get_page"), 0);
	/* content is per subpage, the refcount per folio */
	ASSERT_EQ(p[1].object, KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, head + 3));
	ASSERT_EQ(p[1].access, KFP_ACCESS_READ);
	ASSERT_EQ(p[2].object, KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, head + 1));
	ASSERT_EQ(p[2].access, KFP_ACCESS_WRITE);
	put_page(mm, head, KFP_OWNER_HOST_GUP);
	ASSERT_LEDGER_CLEAN();
	ASSERT_NO_REPORTS();
}

TEST(seam_custom_ops_see_atomic_and_shared_access_points)
{
	struct kfp_mm *mm = test_mm();
	struct recording_seam *seam = install_recorder();
	u32 object = KFP_OBJECT(KFP_OBJECT_CLASS_KVM + 1, 7);
	struct recorded_point p[3];
	long counter = 5;

	kfp_atomic_add_return(object, &counter, -1, "dec");
	kfp_atomic_read(object, &counter, "peek");
	kfp_shared_write(KFP_OBJECT(KFP_OBJECT_CLASS_SIGNAL, 2), "signal");
	memcpy(p, seam->point, sizeof(p));
	restore_sequential();
	ASSERT_EQ(counter, 4);
	ASSERT_EQ(p[0].object, object);
	ASSERT_EQ(p[0].access, KFP_ACCESS_WRITE);
	ASSERT_EQ(p[1].access, KFP_ACCESS_READ);
	ASSERT_EQ(strcmp(p[1].what, "peek"), 0);
	ASSERT_EQ(KFP_OBJECT_CLASS_OF(p[2].object), KFP_OBJECT_CLASS_SIGNAL);
	ASSERT_EQ(KFP_OBJECT_INDEX_OF(p[2].object), 2);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_NO_REPORTS();
}

TEST(seam_rwlock_admits_readers_of_several_threads)
{
	struct kfp_mm *mm = test_mm();
	struct recording_seam *seam = install_recorder();
	u16 mask;
	unsigned int blocks;

	seam->thread = 1;
	mmap_read_lock(mm);
	seam->thread = 3;
	mmap_read_lock(mm);
	mask = mm->mmap_lock.reader_mask;
	blocks = seam->nr_blocks;
	seam->thread = 0;
	ASSERT_FALSE(kfp_lock_is_held(&mm->mmap_lock));
	seam->thread = 1;
	mmap_read_unlock(mm);
	seam->thread = 3;
	ASSERT_TRUE(kfp_lock_is_held(&mm->mmap_lock));
	mmap_read_unlock(mm);
	restore_sequential();
	ASSERT_EQ(mask, BIT(1) | BIT(3));
	ASSERT_EQ(blocks, 0);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_NO_REPORTS();
}

TEST(seam_writer_blocks_while_another_thread_reads)
{
	struct kfp_mm *mm = test_mm();
	struct recording_seam *seam = install_recorder();
	bool write;
	unsigned int blocks;

	seam->thread = 1;
	mmap_read_lock(mm);
	seam->thread = 2;
	/* nobody will release it: the seam says so and a deadlock is reported */
	mmap_write_lock(mm);
	blocks = seam->nr_blocks;
	write = seam->last_block_write;
	restore_sequential();
	ASSERT_EQ(blocks, 1);
	ASSERT_TRUE(write);
	ASSERT_REPORTED(KFP_REPORT_DEADLOCK);
	ASSERT_EQ(test_reports()->report[0].thread, 2);
}

TEST(seam_reader_blocks_while_another_thread_writes)
{
	struct kfp_mm *mm = test_mm();
	struct recording_seam *seam = install_recorder();
	unsigned int blocks;
	bool write;
	s8 writer;

	seam->thread = 1;
	mmap_write_lock(mm);
	seam->thread = 2;
	seam->release_on_block = &mm->mmap_lock;
	/* block() lets "thread 1" release the lock, then the read succeeds */
	mmap_read_lock(mm);
	blocks = seam->nr_blocks;
	write = seam->last_block_write;
	writer = mm->mmap_lock.writer;
	restore_sequential();
	ASSERT_EQ(blocks, 1);
	ASSERT_FALSE(write);
	ASSERT_EQ(writer, KFP_NO_THREAD);
	ASSERT_EQ(mm->mmap_lock.reader_mask, BIT(2));
	ASSERT_NO_REPORTS();
}

TEST(seam_unlock_by_another_thread_is_reported)
{
	struct kfp_mm *mm = test_mm();
	struct recording_seam *seam = install_recorder();
	s8 writer;

	seam->thread = 1;
	kfp_write_lock(&mm->folio_lock);
	seam->thread = 2;
	kfp_write_unlock(&mm->folio_lock);
	writer = mm->folio_lock.writer;
	restore_sequential();
	ASSERT_EQ(writer, 1);
	ASSERT_REPORTED(KFP_REPORT_UNLOCK_NOT_HELD);
	ASSERT_EQ(test_reports()->report[0].thread, 2);
	ASSERT_EQ(test_reports()->report[0].value, 1);
}

TEST(seam_lockdep_assert_held_is_per_thread)
{
	struct kfp_mm *mm = test_mm();
	struct recording_seam *seam = install_recorder();

	seam->thread = 4;
	kfp_write_lock(&mm->page_table_lock);
	kfp_lockdep_assert_held(&mm->page_table_lock);
	seam->thread = 5;
	kfp_lockdep_assert_held(&mm->page_table_lock);
	restore_sequential();
	ASSERT_EQ(kfp_reports_count_kind(test_reports(), KFP_REPORT_LOCK_NOT_HELD), 1);
	ASSERT_EQ(test_reports()->report[0].thread, 5);
}
