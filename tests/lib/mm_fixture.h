/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixtures for the mm tests: a fresh mm per test with the sequential seam,
 * a recording notifier subscriber (the "customised" shim of
 * tools/testing/vma: it counts and remembers what it was told), helpers
 * that assert success, and an ASCII picture of the address space.
 */
#ifndef KFP_TEST_MM_FIXTURE_H
#define KFP_TEST_MM_FIXTURE_H

#include <kfp/mm.h>

#include "harness.h"

#define NOTIFIER_LOG_MAX 32

struct notifier_call {
	char what; /* 's'tart, 'e'nd, 'r'elease */
	u8 event;
	u64 start, end;
};

struct notifier_log {
	unsigned int nr;
	struct notifier_call call[NOTIFIER_LOG_MAX];
	/* what the subscriber saw when invalidate_range_start ran */
	unsigned int starts_with_pte_present;
};

struct kfp_mm *test_mm(void);
/* The test's mm as it is now (test_mm() starts a fresh one). */
struct kfp_mm *test_mm_current(void);
struct kfp_reports *test_reports(void);
struct notifier_log *test_notifier(void);
/* Register the recording subscriber on the test mm. */
void test_subscribe(void);

int test_object(enum kfp_memory_object_kind kind, unsigned int nr_pages);
void test_mmap(u64 addr, u64 pages, unsigned int prot, unsigned int flags, enum kfp_backing backing,
	       int object, u32 pgoff);
void test_draw(u64 start, u64 end);
u64 test_read(u64 addr);
void test_write(u64 addr, u64 value);

/* The pfn mapped at @addr, or KFP_PFN_NONE. */
kfp_pfn_t test_pte_pfn(u64 addr);

#define ASSERT_NO_REPORTS()                          \
	do {                                         \
		if (test_reports()->count)           \
			test_dump_reports();         \
		ASSERT_EQ(test_reports()->count, 0); \
	} while (0)

#define ASSERT_REPORTED(kind) ASSERT_GT(kfp_reports_count_kind(test_reports(), kind), 0)
#define ASSERT_LEDGER_CLEAN() ASSERT_EQ(kfp_ledger_check(test_mm_current()), 0)

void test_dump_reports(void);

#define RW (PROT_READ | PROT_WRITE)

/* The pte at @addr of @mm. */
const struct kfp_pte *pte_at(struct kfp_mm *mm, u64 addr);
/* Calls @i and @i + 1 of the notifier log are one start/end pair of @event over [start, end). */
void assert_bracket(unsigned int i, u8 event, u64 start, u64 end);

#define PG(n) ((u64)(n) << PAGE_SHIFT)

/*
 * A hand-driven interleaving: when the test's thread (0) reaches the
 * @nth seam point named @what, @action runs to completion as thread 1,
 * then thread 0 carries on.  A lock thread 0 holds at that point makes
 * thread 1 report a deadlock, so pick a point where it holds none that
 * @action needs (the mmap lock is shared by readers).
 */
typedef void (*test_mm_action)(void *arg);
void test_mm_trigger(const char *what, unsigned int nth, test_mm_action action, void *arg);
bool test_mm_trigger_fired(void);

#endif /* KFP_TEST_MM_FIXTURE_H */
