// SPDX-License-Identifier: GPL-2.0
/*
 * kfp: until the KVM layer and the scenario front end land, the main job
 * is a narrated demo of the host mm model end to end: faults, GUP,
 * notifiers, host operations and the reference ledger.
 */
#include <stdio.h>
#include <string.h>

#include <kfp/mm.h>

static struct kfp_mm demo_mm;
static struct kfp_reports demo_reports;
static unsigned int notifications;

static int count_start(struct kfp_mm *mm, void *private, const struct mmu_notifier_range *range)
{
	(void)mm;
	(void)private;
	(void)range;
	notifications++;
	return 0;
}

static const struct mmu_notifier_ops demo_notifier = {
	.invalidate_range_start = count_start,
};

static void step(const char *what, int ret)
{
	printf("  %-52s -> %d (ledger %s, %u notifier calls)\n", what, ret,
	       kfp_ledger_check(&demo_mm) ? "MISMATCH" : "ok", notifications);
}

int main(int argc, char **argv)
{
	struct kfp_mmap_args anon = { 0x10000, 4 * PAGE_SIZE,	 PROT_READ | PROT_WRITE,
				      0,       KFP_BACKING_ANON, -1,
				      0 };
	kfp_owner_t gup_user;
	kfp_pfn_t pfn = KFP_PFN_NONE;
	u64 value = 0;
	int ret;

	if (argc > 1 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("kfp 0.1 (host mm model)\n");
		return 0;
	}
	kfp_reports_init(&demo_reports);
	kfp_seam_use_sequential(&demo_reports);
	kfp_mm_init(&demo_mm);
	gup_user = kfp_owner_register(&demo_mm, "demo-gup", KFP_OWNER_KIND_KVM);
	mmu_notifier_register(&demo_mm, &demo_notifier, NULL);

	printf("kfp: host mm model demo\n");
	step("mmap 4 pages private anon at 0x10000", kfp_mmap(&demo_mm, &anon));
	step("host write 0x11000 = 7 (write fault allocates)",
	     kfp_host_write(&demo_mm, 0x11000, 7));
	ret = (int)get_user_pages_unlocked(&demo_mm, 0x11000, 1, &pfn, FOLL_WRITE, gup_user);
	step("get_user_pages_unlocked(0x11000, FOLL_WRITE)", ret);
	printf("    pfn %llu, page_count %d\n", (unsigned long long)pfn, page_count(&demo_mm, pfn));
	step("migrate 0x11000 (refused: GUP reference)", kfp_migrate_page(&demo_mm, 0x11000));
	put_page(&demo_mm, pfn, gup_user);
	step("put_page by the GUP user", 0);
	step("migrate 0x11000", kfp_migrate_page(&demo_mm, 0x11000));
	step("host read 0x11000", kfp_host_read(&demo_mm, 0x11000, &value));
	printf("    value %llu (content moved with the page)\n", (unsigned long long)value);
	step("munmap 0x10000..0x14000", kfp_munmap(&demo_mm, 0x10000, 4 * PAGE_SIZE));
	put_page(&demo_mm, pfn, gup_user);
	step("a second put_page of the same reference", 0);
	printf("reports: %u\n", demo_reports.count);
	for (unsigned int i = 0; i < demo_reports.count; i++) {
		const struct kfp_report *r = &demo_reports.report[i];

		printf("  %s: %s (pfn %lld, owner %s, at %s)\n", kfp_property_name(r->property),
		       kfp_report_kind_name(r->kind), (long long)r->pfn,
		       kfp_owner_name(&demo_mm, r->owner), r->what);
	}
	kfp_mm_teardown(&demo_mm);
	return 0;
}
