// SPDX-License-Identifier: GPL-2.0
/*
 * Host races kfp hunt found as reports in every design, explored over
 * every interleaving (no KVM: two host threads on one mm).  A driver's
 * revoke racing another revoke, or an mmap() that populates the driver's
 * memory, with the released check made before the lock that orders it:
 *
 *   revoke vs revoke:   the check under memory_lock (vfio-pci changes the
 *                       memory enable under memory_lock held for write;
 *                       TTM evicts under the buffer's reservation)
 *   mmap vs revoke:     the check in the driver's ->mmap(), under the mmap
 *                       lock for write that revoke takes for read
 *                       (mm/mmap.c mmap_region() -> call_mmap())
 *
 * And migration racing MADV_DONTNEED, which zaps the migration entry:
 * remove_migration_ptes() must leave the zapped pte alone (it put the new
 * page where a later fault had mapped another, under KVM's spte: P3).
 */
#include <string.h>

#include <kfp/explore.h>

#include "../lib/mm_fixture.h"

#define ADDR PG(16)

struct revoke_race {
	struct kfp_mm mm;
	struct kfp_reports reports;
	int object;
	int ret[2];
};

static struct revoke_race race;
static struct kfp_explore_result result;

/* Per-execution outcomes, counted across the whole exploration. */
static struct {
	unsigned int executions, bad, first_won, second_won, mapped, refused, migrated;
} seen;

static void revoke0_thread(void *state, void *arg)
{
	struct revoke_race *s = state;

	(void)arg;
	s->ret[0] = kfp_driver_revoke(&s->mm, s->object);
}

static void revoke1_thread(void *state, void *arg)
{
	struct revoke_race *s = state;

	(void)arg;
	s->ret[1] = kfp_driver_revoke(&s->mm, s->object);
}

static void mmap_thread(void *state, void *arg)
{
	struct revoke_race *s = state;
	struct kfp_mmap_args args = {
		ADDR, 2 * PAGE_SIZE, RW, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_MIXEDMAP, 0,
		0
	};

	(void)arg;
	args.object = s->object;
	s->ret[0] = kfp_mmap(&s->mm, &args);
}

static void migrate_thread(void *state, void *arg)
{
	struct revoke_race *s = state;

	(void)arg;
	s->ret[0] = kfp_migrate_page(&s->mm, ADDR);
}

static void dontneed_thread(void *state, void *arg)
{
	struct revoke_race *s = state;

	(void)arg;
	s->ret[1] = kfp_madvise_dontneed(&s->mm, ADDR, PAGE_SIZE);
}

/* Whatever the order, DONTNEED leaves nothing mapped: the page is gone. */
static void migrate_dontneed_at_end(void *state, void *arg)
{
	struct revoke_race *s = state;

	(void)arg;
	seen.executions++;
	if (kfp_ledger_check(&s->mm) || s->ret[1] ||
	    s->mm.pte[ADDR >> PAGE_SHIFT].kind != KFP_PTE_NONE)
		seen.bad++;
	if (!s->ret[0])
		seen.migrated++;
}

/* One revoke gives the memory back, the other finds it given back. */
static void two_revokes_at_end(void *state, void *arg)
{
	struct revoke_race *s = state;

	(void)arg;
	seen.executions++;
	if (kfp_ledger_check(&s->mm))
		seen.bad++;
	if (!s->ret[0] && s->ret[1] == -ENODEV)
		seen.first_won++;
	else if (s->ret[0] == -ENODEV && !s->ret[1])
		seen.second_won++;
	else
		seen.bad++;
}

/* The mmap maps the pages before the revoke zaps them, or is refused. */
static void mmap_revoke_at_end(void *state, void *arg)
{
	struct revoke_race *s = state;
	unsigned int i;

	(void)arg;
	seen.executions++;
	if (kfp_ledger_check(&s->mm) || s->ret[1])
		seen.bad++;
	for (i = 0; i < 2; i++)
		if (s->mm.pte[(ADDR >> PAGE_SHIFT) + i].kind != KFP_PTE_NONE)
			seen.bad++;
	if (!s->ret[0])
		seen.mapped++;
	else if (s->ret[0] == -ENODEV)
		seen.refused++;
	else
		seen.bad++;
}

static void explore(void (*first)(void *, void *), void (*other)(void *, void *),
		    void (*at_end)(void *, void *))
{
	struct kfp_explore_options options = { .preemption_bound = -1 };
	struct kfp_program program;
	unsigned int p;

	memset(&program, 0, sizeof(program));
	program.state = &race;
	program.state_size = sizeof(race);
	program.reports = &race.reports;
	program.nr_threads = 2;
	strcpy(program.thread[0].name, "first");
	program.thread[0].fn = first;
	strcpy(program.thread[1].name, "other");
	program.thread[1].fn = other;
	program.at_end = at_end;
	memset(&seen, 0, sizeof(seen));
	kfp_reports_init(&race.reports);
	ASSERT_EQ(kfp_explore(&program, &options, &result), 0);
	kfp_seam_use_sequential(test_reports());
	kfp_test_diag("%llu executions", (unsigned long long)result.executions);
	ASSERT_TRUE(result.complete);
	ASSERT_EQ(result.deadlocks, 0);
	ASSERT_EQ(seen.executions, result.executions);
	for (p = 0; p < result.counterexample_reports.count; p++) {
		const struct kfp_report *r = &result.counterexample_reports.report[p];

		kfp_test_diag("%s: %s (%s) pfn %lld, schedule %s", kfp_property_name(r->property),
			      kfp_report_kind_name(r->kind), r->what, (long long)r->pfn,
			      result.counterexample);
	}
	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		ASSERT_EQ(result.executions_with_violation[p], 0);
	ASSERT_EQ(seen.bad, 0);
}

static void race_setup(enum kfp_memory_object_kind kind, unsigned int pages)
{
	memset(&race, 0, sizeof(race));
	kfp_seam_use_sequential(&race.reports);
	kfp_mm_init(&race.mm);
	race.object = kfp_memory_object_create(&race.mm, kind, pages);
	ASSERT_EQ(race.object, 0);
}

/* Two revokes of a TTM buffer: the block is freed once, by whichever locks first. */
TEST(explore_two_revokes_give_the_memory_back_once)
{
	race_setup(KFP_OBJECT_TTM, 4);
	explore(revoke0_thread, revoke1_thread, two_revokes_at_end);
	ASSERT_GT(seen.first_won, 0);
	ASSERT_GT(seen.second_won, 0);
}

/*
 * mmap(MAP_POPULATE) of ZONE_DEVICE pages behind VM_MIXEDMAP against the
 * driver's revoke: the populate's get_page() never finds a page the
 * revoke gave back, and no pte is left at the end.
 */
TEST(explore_populating_mmap_vs_revoke_never_maps_released_pages)
{
	race_setup(KFP_OBJECT_ZONE_DEVICE, 2);
	explore(mmap_thread, revoke1_thread, mmap_revoke_at_end);
	ASSERT_GT(seen.mapped, 0);
	ASSERT_GT(seen.refused, 0);
}

/*
 * move_pages() of an anonymous page against MADV_DONTNEED of it: a zap
 * between try_to_migrate() and remove_migration_ptes() clears the
 * migration entry, and the new page must not be mapped there afterwards.
 */
TEST(explore_migration_vs_dontneed_never_maps_a_zapped_pte_again)
{
	struct kfp_mmap_args args = { ADDR, PAGE_SIZE, RW, 0, KFP_BACKING_ANON, -1, 0 };

	memset(&race, 0, sizeof(race));
	kfp_seam_use_sequential(&race.reports);
	kfp_mm_init(&race.mm);
	ASSERT_EQ(kfp_mmap(&race.mm, &args), 0);
	ASSERT_EQ(kfp_host_write(&race.mm, ADDR, 7), 0);
	explore(migrate_thread, dontneed_thread, migrate_dontneed_at_end);
	ASSERT_GT(seen.migrated, 0);
	ASSERT_LT(seen.migrated, seen.executions);
}
