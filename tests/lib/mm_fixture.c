// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "mm_fixture.h"
#include "trigger.h"

static struct kfp_mm test_world_mm;
static struct kfp_reports test_world_reports;
static struct notifier_log test_world_log;

struct kfp_reports *test_reports(void)
{
	return &test_world_reports;
}

struct notifier_log *test_notifier(void)
{
	return &test_world_log;
}

struct kfp_mm *test_mm_current(void)
{
	return &test_world_mm;
}

struct kfp_mm *test_mm(void)
{
	kfp_reports_init(&test_world_reports);
	kfp_seam_use_sequential(&test_world_reports);
	memset(&test_world_log, 0, sizeof(test_world_log));
	kfp_mm_init(&test_world_mm);
	return &test_world_mm;
}

static void log_call(char what, u8 event, u64 start, u64 end)
{
	struct notifier_log *log = &test_world_log;

	if (log->nr < NOTIFIER_LOG_MAX)
		log->call[log->nr] = (struct notifier_call){ what, event, start, end };
	log->nr++;
}

static int record_start(struct kfp_mm *mm, void *private, const struct mmu_notifier_range *range)
{
	kfp_pfn_t pfn;
	bool writable;

	(void)private;
	log_call('s', range->event, range->start, range->end);
	if (kfp_host_translate(mm, range->start, &pfn, &writable))
		test_world_log.starts_with_pte_present++;
	return 0;
}

static void record_end(struct kfp_mm *mm, void *private, const struct mmu_notifier_range *range)
{
	(void)mm;
	(void)private;
	log_call('e', range->event, range->start, range->end);
}

static void record_release(struct kfp_mm *mm, void *private)
{
	(void)mm;
	(void)private;
	log_call('r', MMU_NOTIFY_RELEASE, 0, 0);
}

static const struct mmu_notifier_ops record_ops = {
	.release = record_release,
	.invalidate_range_start = record_start,
	.invalidate_range_end = record_end,
};

void test_subscribe(void)
{
	ASSERT_EQ(mmu_notifier_register(&test_world_mm, &record_ops, &test_world_log), 0);
}

int test_object(enum kfp_memory_object_kind kind, unsigned int nr_pages)
{
	int id = kfp_memory_object_create(&test_world_mm, kind, nr_pages);

	ASSERT_GE(id, 0);
	return id;
}

void test_mmap(u64 addr, u64 pages, unsigned int prot, unsigned int flags, enum kfp_backing backing,
	       int object, u32 pgoff)
{
	struct kfp_mmap_args args = {
		.addr = addr,
		.len = PG(pages),
		.prot = prot,
		.flags = flags,
		.backing = backing,
		.object = object,
		.pgoff = pgoff,
	};

	ASSERT_EQ(kfp_mmap(&test_world_mm, &args), 0);
}

kfp_pfn_t test_pte_pfn(u64 addr)
{
	kfp_pfn_t pfn;
	bool writable;

	if (!kfp_host_translate(&test_world_mm, addr, &pfn, &writable))
		return KFP_PFN_NONE;
	return pfn;
}

u64 test_read(u64 addr)
{
	u64 value = 0;

	ASSERT_EQ(kfp_host_read(&test_world_mm, addr, &value), 0);
	return value;
}

void test_write(u64 addr, u64 value)
{
	ASSERT_EQ(kfp_host_write(&test_world_mm, addr, value), 0);
}

static char pte_glyph(const struct kfp_pte *pte)
{
	switch (pte->kind) {
	case KFP_PTE_NONE:
		return '.';
	case KFP_PTE_SWAP:
		return 's';
	case KFP_PTE_MIGRATION:
		return 'm';
	case KFP_PTE_HWPOISON:
		return 'x';
	default:
		break;
	}
	if (pte->protnone)
		return '-';
	if (pte->special)
		return pte->writable ? 'P' : 'p';
	return pte->writable ? 'W' : 'R';
}

/*
 * One line per page of [start, end): the VMA it belongs to and its pte.
 *   W/R writable/read-only page, P/p special (PFNMAP or zero page),
 *   s swap, m migration entry, x hwpoison, - PROT_NONE, . none
 */
void test_draw(u64 start, u64 end)
{
	u64 addr;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		struct kfp_vma *vma = vma_lookup(&test_world_mm, addr);
		const struct kfp_pte *pte = kfp_pte_of(&test_world_mm, addr);

		kfp_test_diag("  %#07llx |%c| vma %-2d pfn %-4d", (unsigned long long)addr,
			      pte_glyph(pte), vma ? kfp_vma_index(&test_world_mm, vma) : -1,
			      pte->kind == KFP_PTE_PRESENT ? (int)pte->pfn : -1);
	}
}

void test_dump_reports(void)
{
	unsigned int i;

	for (i = 0; i < test_world_reports.count; i++) {
		const struct kfp_report *r = &test_world_reports.report[i];

		kfp_test_diag("report %u: %s: %s at %s, pfn %lld, owner %s, value %lld", i,
			      kfp_property_name(r->property), kfp_report_kind_name(r->kind),
			      r->what ? r->what : "?", (long long)r->pfn,
			      kfp_owner_name(&test_world_mm, r->owner), (long long)r->value);
	}
}

const struct kfp_pte *pte_at(struct kfp_mm *mm, u64 addr)
{
	return kfp_pte_of(mm, addr);
}

void assert_bracket(unsigned int i, u8 event, u64 start, u64 end)
{
	const struct notifier_log *log = test_notifier();

	ASSERT_GT(log->nr, i + 1);
	ASSERT_EQ(log->call[i].what, 's');
	ASSERT_EQ(log->call[i].event, event);
	ASSERT_EQ(log->call[i].start, start);
	ASSERT_EQ(log->call[i].end, end);
	ASSERT_EQ(log->call[i + 1].what, 'e');
	ASSERT_EQ(log->call[i + 1].event, event);
	ASSERT_EQ(log->call[i + 1].start, start);
	ASSERT_EQ(log->call[i + 1].end, end);
}

void test_mm_trigger(const char *what, unsigned int nth, test_mm_action action, void *arg)
{
	test_trigger_install(&test_world_reports);
	test_trigger_arm(what, nth, action, arg);
}

bool test_mm_trigger_fired(void)
{
	return test_trigger_has_fired();
}
