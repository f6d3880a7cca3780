// SPDX-License-Identifier: GPL-2.0
/*
 * get_user_pages (mm/gup.c): the lockless fast path, the slow path that
 * faults, FOLL_PIN accounting, and the signals and errors GUP reports.
 * References are taken for a KVM-like owner so that the ledger shows who
 * holds what.
 */
#include <string.h>

#include "../lib/mm_fixture.h"

/*
 * The fixture's ASSERT_LEDGER_CLEAN() calls test_mm(), which re-initialises
 * the mm before checking it; check the mm under test instead.
 */
#define ASSERT_MM_LEDGER_CLEAN(mm) ASSERT_EQ(kfp_ledger_check(mm), 0)

static kfp_owner_t kvm_owner(struct kfp_mm *mm)
{
	kfp_owner_t owner = kfp_owner_register(mm, "kvm", KFP_OWNER_KIND_KVM);

	ASSERT_NE(owner, KFP_OWNER_NONE);
	return owner;
}

/* An anon page at @addr, faulted in writable, holding @value. */
static kfp_pfn_t anon_page(u64 addr, u64 value)
{
	test_write(addr, value);
	return test_pte_pfn(addr);
}

/*
 * A seam that runs a host operation at GUP-fast's pte recheck, i.e. between
 * the lockless pte read plus grab and the re-read (another thread's munmap
 * or mprotect landing there; GUP-fast holds no lock that would stop it).
 */
enum race_op { RACE_MPROTECT_RO, RACE_MUNMAP };

struct race {
	struct kfp_mm *mm;
	enum race_op op;
	u64 addr;
	bool fired;
};

static void race_point(void *ctx, u32 object, enum kfp_access access, const char *what)
{
	struct race *race = ctx;

	(void)object;
	(void)access;
	if (race->fired || strcmp(what, "gup_fast pte recheck"))
		return;
	race->fired = true;
	if (race->op == RACE_MPROTECT_RO)
		kfp_mprotect(race->mm, race->addr, PAGE_SIZE, PROT_READ);
	else
		kfp_munmap(race->mm, race->addr, PAGE_SIZE);
}

static bool race_block(void *ctx, const struct kfp_lock *lock, bool write)
{
	(void)ctx;
	(void)lock;
	(void)write;
	return false;
}

static int race_current_thread(void *ctx)
{
	(void)ctx;
	return 0;
}

static const struct kfp_seam_ops race_ops = {
	.point = race_point,
	.block = race_block,
	.current_thread = race_current_thread,
};

TEST(gup_fast_only_takes_reference_on_writable_anon_pte)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn, got = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	pfn = anon_page(PG(16), 1);
	ASSERT_TRUE(get_user_page_fast_only(mm, PG(16), FOLL_WRITE, &got, kvm));
	/*
	 *   0x10000 |W| vma 0  pfn 2    <- page table + kvm
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(got, pfn);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, kvm), 1);
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, kvm), 0);
	ASSERT_EQ(mm->stats.nr_faults, 1);
	ASSERT_MM_LEDGER_CLEAN(mm);
	put_page(mm, got, kvm);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_fast_only_read_takes_reference_on_readonly_page_cache_pte)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	int id = test_object(KFP_OBJECT_FILE, 1);
	kfp_pfn_t pfn, got = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_FILE, id, 0);
	test_read(PG(16));
	pfn = test_pte_pfn(PG(16));
	ASSERT_TRUE(get_user_page_fast_only(mm, PG(16), 0, &got, kvm));
	/*
	 *   0x10000 |R| vma 0  pfn 2    <- page cache + page table + kvm
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(got, pfn);
	ASSERT_EQ(page_count(mm, pfn), 3);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, kvm), 1);
	put_page(mm, got, kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_fast_only_fails_on_zero_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t got = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(test_read(PG(16)), 0);
	ASSERT_FALSE(get_user_page_fast_only(mm, PG(16), 0, &got, kvm));
	/*
	 *   0x10000 |p| vma 0  pfn 1    <- special: GUP-fast gives up
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(got, KFP_PFN_NONE);
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_fast_only_fails_on_pfnmap_special_pte)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	int id = test_object(KFP_OBJECT_DRIVER_PAGES, 1);
	kfp_pfn_t got = KFP_PFN_NONE;

	/* refcounted pages behind it, but the pte is special */
	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED | KFP_MAP_POPULATE,
		  KFP_BACKING_PFNMAP, id, 0);
	ASSERT_FALSE(get_user_page_fast_only(mm, PG(16), FOLL_WRITE, &got, kvm));
	/*
	 *   0x10000 |P| vma 0  pfn 2
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(got, KFP_PFN_NONE);
	ASSERT_EQ(page_count(mm, mm->object[id].pfn[0]), 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_fast_only_fails_on_non_present_pte_without_faulting)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t got = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_FALSE(get_user_page_fast_only(mm, PG(16), FOLL_WRITE, &got, kvm));
	/*
	 *   0x10000 |.| vma 0           <- still nothing: GUP-fast never faults
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(mm->stats.nr_faults, 0);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_fast_only_write_fails_on_readonly_pte)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	int id = test_object(KFP_OBJECT_FILE, 1);
	kfp_pfn_t pfn, got = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_FILE, id, 0);
	test_read(PG(16));
	pfn = test_pte_pfn(PG(16));
	ASSERT_FALSE(get_user_page_fast_only(mm, PG(16), FOLL_WRITE, &got, kvm));
	/*
	 *   0x10000 |R| vma 0  pfn 2
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(got, KFP_PFN_NONE);
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_fast_only_fails_on_protnone_pte)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn, got = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	pfn = anon_page(PG(16), 1);
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(1), PROT_NONE), 0);
	ASSERT_FALSE(get_user_page_fast_only(mm, PG(16), 0, &got, kvm));
	/*
	 *   0x10000 |-| vma 0  pfn 2
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_fast_only_fails_on_refcount_zero_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	int id = test_object(KFP_OBJECT_TTM, 4);
	kfp_pfn_t tail = mm->object[id].pfn[1], got = KFP_PFN_NONE;
	struct kfp_pte *pte;

	test_mmap(PG(16), 4, PROT_READ | PROT_WRITE, KFP_MAP_SHARED | KFP_MAP_POPULATE,
		  KFP_BACKING_MIXEDMAP, id, 0);
	/*
	 * Map the TTM tail page through a normal pte, as an arch without
	 * pte_special would (mm/memory.c __vm_insert_mixed() -> insert_page()).
	 */
	pte = kfp_pte_of(mm, PG(17));
	pte->special = 0;
	ASSERT_EQ(page_ref_count(mm, tail), 0);
	ASSERT_FALSE(get_user_page_fast_only(mm, PG(17), FOLL_WRITE, &got, kvm));
	/*
	 *   0x10000 |P| vma 0  pfn 4
	 *   0x11000 |W| vma 0  pfn 5    <- refcount 0: try_get_folio() fails
	 *   0x12000 |P| vma 0  pfn 6
	 *   0x13000 |P| vma 0  pfn 7
	 */
	test_draw(PG(16), PG(20));
	ASSERT_EQ(got, KFP_PFN_NONE);
	ASSERT_EQ(page_ref_count(mm, tail), 0);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_FALSE(kfp_reports_have(test_reports(), KFP_REPORT_GET_ON_ZERO));
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_fast_only_many_returns_the_present_prefix)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfns[4] = { KFP_PFN_NONE, KFP_PFN_NONE, KFP_PFN_NONE, KFP_PFN_NONE };
	kfp_pfn_t a, b, d;

	test_mmap(PG(16), 4, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	a = anon_page(PG(16), 1);
	b = anon_page(PG(17), 2);
	d = anon_page(PG(19), 4);
	ASSERT_EQ(get_user_pages_fast_only(mm, PG(16), 4, FOLL_WRITE, pfns, kvm), 2);
	/*
	 *   0x10000 |W| vma 0  pfn 2    <- got
	 *   0x11000 |W| vma 0  pfn 3    <- got
	 *   0x12000 |.| vma 0           <- stops here
	 *   0x13000 |W| vma 0  pfn 4
	 */
	test_draw(PG(16), PG(20));
	ASSERT_EQ(pfns[0], a);
	ASSERT_EQ(pfns[1], b);
	ASSERT_EQ(pfns[2], KFP_PFN_NONE);
	ASSERT_EQ(page_count(mm, a), 2);
	ASSERT_EQ(page_count(mm, b), 2);
	ASSERT_EQ(page_count(mm, d), 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 2);
	ASSERT_EQ(kfp_pte_of(mm, PG(18))->kind, KFP_PTE_NONE);
	put_page(mm, a, kvm);
	put_page(mm, b, kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_faults_in_anon_page_and_releases_mmap_lock)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(17), 1, &pfn, FOLL_WRITE, kvm), 1);
	/*
	 *   0x10000 |.| vma 0
	 *   0x11000 |W| vma 0  pfn 2    <- faulted in, page table + kvm
	 */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(test_pte_pfn(PG(17)), pfn);
	ASSERT_TRUE(kfp_pte_of(mm, PG(17))->writable);
	ASSERT_TRUE(mm->page[pfn].flags & PG_dirty);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, kvm), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_PAGE_TABLE), 1);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	put_page(mm, pfn, kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_write_breaks_cow_of_zero_page_into_new_pfn)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	struct notifier_log *log = test_notifier();
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_subscribe();
	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(test_read(PG(16)), 0);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_WRITE, kvm), 1);
	/*
	 *   0x10000 |W| vma 0  pfn 2    <- was |p| pfn 1
	 */
	test_draw(PG(16), PG(17));
	ASSERT_NE(pfn, mm->zero_pfn);
	ASSERT_EQ(test_pte_pfn(PG(16)), pfn);
	ASSERT_TRUE(kfp_pte_of(mm, PG(16))->writable);
	ASSERT_EQ(page_count(mm, pfn), 2);
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, kvm), 1);
	ASSERT_EQ(log->nr, 2);
	ASSERT_EQ(log->call[0].event, MMU_NOTIFY_CLEAR);
	ASSERT_EQ(log->call[0].start, PG(16));
	put_page(mm, pfn, kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_write_breaks_cow_of_forked_anon_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t old, pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	old = anon_page(PG(16), 0x77);
	ASSERT_EQ(kfp_fork(mm), 0);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_WRITE, kvm), 1);
	/*
	 *   0x10000 |W| vma 0  pfn 3    <- the child keeps pfn 2
	 */
	test_draw(PG(16), PG(17));
	ASSERT_NE(pfn, old);
	ASSERT_EQ(mm->page[pfn].content, 0x77);
	ASSERT_EQ(page_count(mm, old), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, old, KFP_OWNER_CHILD_MM), 1);
	ASSERT_EQ(page_count(mm, pfn), 2);
	put_page(mm, pfn, kvm);
	ASSERT_EQ(kfp_child_exit(mm), 1);
	ASSERT_TRUE(kfp_page_is_free(mm, old));
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_read_returns_zero_page_with_reference)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, 0, kvm), 1);
	/*
	 *   0x10000 |p| vma 0  pfn 1    <- the pte takes no reference, GUP does
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, mm->zero_pfn);
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 2);
	ASSERT_EQ(kfp_ledger_refs(mm, mm->zero_pfn, kvm), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, mm->zero_pfn, KFP_OWNER_PAGE_TABLE), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	put_page(mm, pfn, kvm);
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 1);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_refuses_pfnmap_vma_with_efault)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED | KFP_MAP_POPULATE,
		  KFP_BACKING_PFNMAP, id, 0);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, 0, kvm), -EFAULT);
	/*
	 *   0x10000 |P| vma 0  pfn 96   <- VM_IO | VM_PFNMAP: check_vma_flags()
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, KFP_PFN_NONE);
	ASSERT_EQ(mm->stats.nr_faults, 0);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_write_to_readonly_vma_efault)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_WRITE, kvm), -EFAULT);
	/*
	 *   0x10000 |.| vma 0
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(mm->stats.nr_faults, 0);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_without_vma_efault)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(17), 1, &pfn, 0, kvm), -EFAULT);
	/*
	 *   0x10000 |.| vma 0
	 *   0x11000 |.| vma -1          <- no vma
	 */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(pfn, KFP_PFN_NONE);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_returns_pages_done_before_an_error)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfns[2] = { KFP_PFN_NONE, KFP_PFN_NONE };

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 2, pfns, FOLL_WRITE, kvm), 1);
	/*
	 *   0x10000 |W| vma 0  pfn 2
	 *   0x11000 |.| vma -1          <- -EFAULT here, but one page was done
	 */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(pfns[0], test_pte_pfn(PG(16)));
	ASSERT_EQ(pfns[1], KFP_PFN_NONE);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 1);
	put_page(mm, pfns[0], kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_nowait_on_non_resident_file_page_returns_zero_pages)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	int id = test_object(KFP_OBJECT_FILE, 1);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_FILE, id, 0);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_NOWAIT, kvm), 0);
	/*
	 *   0x10000 |.| vma 0           <- would need I/O
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, KFP_PFN_NONE);
	ASSERT_EQ(mm->object[id].pfn[0], KFP_NO_PFN16);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_nowait_on_resident_page_succeeds)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	int id = test_object(KFP_OBJECT_FILE, 1);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_FILE, id, 0);
	test_read(PG(16));
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_NOWAIT, kvm), 1);
	/*
	 *   0x10000 |R| vma 0  pfn 2
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, mm->object[id].pfn[0]);
	ASSERT_EQ(page_count(mm, pfn), 3);
	put_page(mm, pfn, kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_interruptible_with_pending_signal_on_io_returns_eintr)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	int id = test_object(KFP_OBJECT_FILE, 1);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_FILE, id, 0);
	kfp_send_signal(mm, 0, false);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_INTERRUPTIBLE, kvm), -EINTR);
	/*
	 *   0x10000 |.| vma 0
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, KFP_PFN_NONE);
	ASSERT_EQ(mm->object[id].pfn[0], KFP_NO_PFN16);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_TRUE(signal_pending(mm));
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_interruptible_with_pending_signal_on_resident_page_succeeds)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = KFP_PFN_NONE, mapped;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	mapped = anon_page(PG(16), 3);
	kfp_send_signal(mm, 0, false);
	/* gup_signal_pending() is only checked after the lock was dropped */
	ASSERT_EQ(
		get_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_INTERRUPTIBLE | FOLL_WRITE, kvm),
		1);
	/*
	 *   0x10000 |W| vma 0  pfn 2
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, mapped);
	put_page(mm, pfn, kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_pending_signal_without_interruptible_does_not_interrupt_io)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	int id = test_object(KFP_OBJECT_FILE, 1);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	mm->object[id].stored[0] = 0xf11e;
	test_mmap(PG(16), 1, PROT_READ, 0, KFP_BACKING_FILE, id, 0);
	kfp_send_signal(mm, 0, false);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, 0, kvm), 1);
	/*
	 *   0x10000 |R| vma 0  pfn 2    <- read in after dropping the lock, mapped on retry
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, mm->object[id].pfn[0]);
	ASSERT_EQ(mm->page[pfn].content, 0xf11e);
	ASSERT_EQ(page_count(mm, pfn), 3);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_TRUE(signal_pending(mm));
	put_page(mm, pfn, kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_fatal_signal_returns_eintr_even_for_resident_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = KFP_PFN_NONE, mapped;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	mapped = anon_page(PG(16), 3);
	kfp_send_signal(mm, 0, true);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_WRITE, kvm), -EINTR);
	/*
	 *   0x10000 |W| vma 0  pfn 2    <- mapped, yet not taken
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, KFP_PFN_NONE);
	ASSERT_EQ(page_count(mm, mapped), 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_hwpoison_with_foll_hwpoison_returns_ehwpoison)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(kfp_memory_failure(mm, anon_page(PG(16), 1)), 0);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_HWPOISON | FOLL_WRITE, kvm),
		  -EHWPOISON);
	/*
	 *   0x10000 |x| vma 0
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, KFP_PFN_NONE);
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_HWPOISON);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_hwpoison_without_foll_hwpoison_returns_efault)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(kfp_memory_failure(mm, anon_page(PG(16), 1)), 0);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, 0, kvm), -EFAULT);
	/*
	 *   0x10000 |x| vma 0
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, KFP_PFN_NONE);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_mixedmap_special_pte_returns_eexist)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_MIXEDMAP, id, 0);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_WRITE, kvm), -EEXIST);
	/*
	 *   0x10000 |P| vma 0  pfn 96   <- faulted in, but no struct page to return
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, KFP_PFN_NONE);
	ASSERT_TRUE(kfp_pte_of(mm, PG(16))->special);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_mixedmap_refcounted_page_is_returned_with_reference)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	int id = test_object(KFP_OBJECT_DRIVER_PAGES, 1);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_MIXEDMAP, id, 0);
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_WRITE, kvm), 1);
	/*
	 *   0x10000 |W| vma 0  pfn 2    <- driver + page table + kvm
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, mm->object[id].pfn[0]);
	ASSERT_EQ(page_count(mm, pfn), 3);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, kvm), 1);
	put_page(mm, pfn, kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unlocked_driver_retry_relocks_and_succeeds)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	int id = test_object(KFP_OBJECT_DRIVER_PAGES, 1);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_MIXEDMAP, id, 0);
	mm->object[id].fault_retries = 1;
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_WRITE, kvm), 1);
	/*
	 *   0x10000 |W| vma 0  pfn 2
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, mm->object[id].pfn[0]);
	ASSERT_EQ(mm->object[id].fault_retries, 0);
	ASSERT_EQ(mm->stats.nr_faults, 2);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	put_page(mm, pfn, kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	/* the dropped lock was not unlocked twice */
	ASSERT_NO_REPORTS();
}

TEST(pin_fast_small_folio_adds_pin_bias)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t mapped, pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	mapped = anon_page(PG(16), 1);
	ASSERT_EQ(pin_user_pages_fast(mm, PG(16), 1, FOLL_WRITE, &pfn, kvm), 1);
	/*
	 *   0x10000 |W| vma 0  pfn 2    <- refcount 1 + 1024
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, mapped);
	ASSERT_EQ(page_count(mm, pfn), 1 + (int)GUP_PIN_COUNTING_BIAS);
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, kvm), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, kvm), 0);
	ASSERT_TRUE(folio_maybe_dma_pinned(mm, pfn));
	ASSERT_EQ(mm->page[pfn].pincount, 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	unpin_user_page(mm, pfn, kvm);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_FALSE(folio_maybe_dma_pinned(mm, pfn));
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(pin_fast_large_folio_adds_one_ref_and_one_pincount)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t head, pfn = KFP_PFN_NONE;

	test_mmap(PG(32), KFP_HUGE_NR, PROT_READ | PROT_WRITE, KFP_MAP_HUGEPAGE, KFP_BACKING_ANON,
		  -1, 0);
	test_write(PG(32), 1);
	head = test_pte_pfn(PG(32));
	ASSERT_EQ(pin_user_pages_fast(mm, PG(34), 1, FOLL_WRITE, &pfn, kvm), 1);
	/*
	 *   0x20000 |W| vma 0  pfn 4
	 *   0x21000 |W| vma 0  pfn 5
	 *   0x22000 |W| vma 0  pfn 6    <- pinned subpage; counts on the head
	 *   0x23000 |W| vma 0  pfn 7
	 */
	test_draw(PG(32), PG(32 + KFP_HUGE_NR));
	ASSERT_EQ(pfn, head + 2);
	ASSERT_EQ(page_count(mm, head), KFP_HUGE_NR + 1);
	ASSERT_EQ(mm->page[head].pincount, 1);
	ASSERT_EQ(page_ref_count(mm, head + 2), 0);
	ASSERT_EQ(kfp_ledger_pins(mm, head, kvm), 1);
	ASSERT_TRUE(folio_maybe_dma_pinned(mm, head + 3));
	ASSERT_MM_LEDGER_CLEAN(mm);
	unpin_user_page(mm, pfn, kvm);
	ASSERT_EQ(page_count(mm, head), KFP_HUGE_NR);
	ASSERT_EQ(mm->page[head].pincount, 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(pin_fast_zero_page_is_not_accounted)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	ASSERT_EQ(test_read(PG(16)), 0);
	/* GUP-fast refuses the special pte; the slow path returns the zero page */
	ASSERT_EQ(pin_user_pages_fast(mm, PG(16), 1, 0, &pfn, kvm), 1);
	/*
	 *   0x10000 |p| vma 0  pfn 1
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, mm->zero_pfn);
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 1);
	ASSERT_EQ(kfp_ledger_pins(mm, mm->zero_pfn, kvm), 0);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	unpin_user_page(mm, pfn, kvm);
	ASSERT_EQ(page_count(mm, mm->zero_pfn), 1);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(pin_fast_falls_back_to_slow_path_for_missing_pages)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfns[2] = { KFP_PFN_NONE, KFP_PFN_NONE }, first;

	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	first = anon_page(PG(16), 1);
	ASSERT_EQ(pin_user_pages_fast(mm, PG(16), 2, FOLL_WRITE, pfns, kvm), 2);
	/*
	 *   0x10000 |W| vma 0  pfn 2    <- pinned by GUP-fast
	 *   0x11000 |W| vma 0  pfn 3    <- faulted in and pinned by the slow path
	 */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(pfns[0], first);
	ASSERT_EQ(pfns[1], test_pte_pfn(PG(17)));
	ASSERT_EQ(page_count(mm, pfns[0]), 1 + (int)GUP_PIN_COUNTING_BIAS);
	ASSERT_EQ(page_count(mm, pfns[1]), 1 + (int)GUP_PIN_COUNTING_BIAS);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 2);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	unpin_user_page(mm, pfns[0], kvm);
	unpin_user_page(mm, pfns[1], kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(pin_fast_readonly_pin_of_forked_anon_page_unshares)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	struct notifier_log *log = test_notifier();
	kfp_pfn_t old, pfn = KFP_PFN_NONE;
	struct kfp_pte *pte;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	old = anon_page(PG(16), 0x99);
	ASSERT_EQ(kfp_fork(mm), 0);
	test_subscribe();
	ASSERT_EQ(pin_user_pages_fast(mm, PG(16), 1, 0, &pfn, kvm), 1);
	/*
	 *   0x10000 |R| vma 0  pfn 3    <- a private copy, still read-only; the child keeps pfn 2
	 */
	test_draw(PG(16), PG(17));
	pte = kfp_pte_of(mm, PG(16));
	ASSERT_NE(pfn, old);
	ASSERT_EQ(pte->pfn, pfn);
	ASSERT_FALSE(pte->writable);
	ASSERT_TRUE(mm->page[pfn].flags & PG_anon_exclusive);
	ASSERT_EQ(mm->page[pfn].content, 0x99);
	ASSERT_EQ(page_count(mm, pfn), 1 + (int)GUP_PIN_COUNTING_BIAS);
	ASSERT_EQ(page_count(mm, old), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, old, KFP_OWNER_CHILD_MM), 1);
	ASSERT_EQ(log->nr, 2);
	ASSERT_EQ(log->call[0].event, MMU_NOTIFY_CLEAR);
	unpin_user_page(mm, pfn, kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(pin_unlocked_readonly_pin_of_forked_anon_page_unshares)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t old, pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	old = anon_page(PG(16), 0x99);
	ASSERT_EQ(kfp_fork(mm), 0);
	ASSERT_EQ(pin_user_pages_unlocked(mm, PG(16), 1, &pfn, 0, kvm), 1);
	/*
	 *   0x10000 |R| vma 0  pfn 3
	 */
	test_draw(PG(16), PG(17));
	ASSERT_NE(pfn, old);
	ASSERT_FALSE(kfp_pte_of(mm, PG(16))->writable);
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, kvm), 1);
	ASSERT_EQ(kfp_ledger_pins(mm, old, kvm), 0);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	unpin_user_page(mm, pfn, kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(get_unlocked_readonly_get_of_forked_anon_page_keeps_shared_page)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t old, pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	old = anon_page(PG(16), 0x99);
	ASSERT_EQ(kfp_fork(mm), 0);
	/* gup_must_unshare() is for FOLL_PIN only */
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, 0, kvm), 1);
	/*
	 *   0x10000 |R| vma 0  pfn 2    <- still shared with the child
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, old);
	ASSERT_EQ(page_count(mm, old), 3);
	put_page(mm, pfn, kvm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_unaligned_address_or_zero_pages_einval)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	/*
	 *   0x10000 |W| vma 0  pfn 2
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16) + 8, 1, &pfn, 0, kvm), -EINVAL);
	ASSERT_EQ(pin_user_pages_unlocked(mm, PG(16) + 8, 1, &pfn, 0, kvm), -EINVAL);
	ASSERT_EQ(pin_user_pages_fast(mm, PG(16) + 8, 1, 0, &pfn, kvm), -EINVAL);
	ASSERT_FALSE(get_user_page_fast_only(mm, PG(16) + 8, 0, &pfn, kvm));
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 0, &pfn, 0, kvm), -EINVAL);
	ASSERT_EQ(pin_user_pages_unlocked(mm, PG(16), 0, &pfn, 0, kvm), -EINVAL);
	ASSERT_EQ(pin_user_pages_fast(mm, PG(16), 0, 0, &pfn, kvm), -EINVAL);
	ASSERT_EQ(get_user_pages_fast_only(mm, PG(16), 0, 0, &pfn, kvm), 0);
	ASSERT_EQ(pfn, KFP_PFN_NONE);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_foll_get_and_foll_pin_together_einval)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	/*
	 *   0x10000 |W| vma 0  pfn 2
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(get_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_PIN, kvm), -EINVAL);
	ASSERT_EQ(pin_user_pages_unlocked(mm, PG(16), 1, &pfn, FOLL_GET, kvm), -EINVAL);
	ASSERT_EQ(pin_user_pages_fast(mm, PG(16), 1, FOLL_GET, &pfn, kvm), -EINVAL);
	ASSERT_EQ(pfn, KFP_PFN_NONE);
	ASSERT_EQ(page_count(mm, test_pte_pfn(PG(16))), 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_fast_only_with_internal_foll_pin_is_rejected)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	kfp_pfn_t mapped, pfn = KFP_PFN_NONE;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	mapped = anon_page(PG(16), 1);
	/* mm/gup.c is_valid_gup_args(): FOLL_PIN is internal to mm */
	ASSERT_EQ(get_user_pages_fast_only(mm, PG(16), 1, FOLL_PIN, &pfn, kvm), -EINVAL);
	ASSERT_FALSE(get_user_page_fast_only(mm, PG(16), FOLL_WRITE | FOLL_PIN, &pfn, kvm));
	/*
	 *   0x10000 |W| vma 0  pfn 2
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(pfn, KFP_PFN_NONE);
	ASSERT_EQ(page_count(mm, mapped), 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

/*
 * One writable anon page at 0x10000, then GUP-fast on it while @race's
 * host operation runs between GUP-fast's pte read and its re-check.
 */
static bool gup_fast_racing(struct race *race, kfp_owner_t owner, kfp_pfn_t *mapped, kfp_pfn_t *pfn)
{
	bool got;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	*mapped = anon_page(PG(16), 1);
	kfp_seam_install(&race_ops, race, test_reports());
	got = get_user_page_fast_only(race->mm, PG(16), FOLL_WRITE, pfn, owner);
	kfp_seam_use_sequential(test_reports());
	return got;
}

TEST(gup_fast_backs_out_when_pte_is_write_protected_during_grab)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	struct race race = { mm, RACE_MPROTECT_RO, PG(16), false };
	kfp_pfn_t mapped, pfn = KFP_PFN_NONE;
	bool got = gup_fast_racing(&race, kvm, &mapped, &pfn);
	/*
	 *   0x10000 |R| vma 0  pfn 2    <- made read-only after GUP-fast read it writable
	 */
	test_draw(PG(16), PG(17));
	ASSERT_TRUE(race.fired);
	ASSERT_FALSE(kfp_pte_of(mm, PG(16))->writable);
	/* mm/gup.c gup_fast_pte_range(): the pte changed, so the grab is undone */
	ASSERT_FALSE(got);
	ASSERT_EQ(pfn, KFP_PFN_NONE);
	ASSERT_EQ(page_count(mm, mapped), 1);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(gup_fast_backs_out_and_frees_page_when_munmap_races_the_grab)
{
	struct kfp_mm *mm = test_mm();
	kfp_owner_t kvm = kvm_owner(mm);
	struct race race = { mm, RACE_MUNMAP, PG(16), false };
	kfp_pfn_t mapped, pfn = KFP_PFN_NONE;
	bool got = gup_fast_racing(&race, kvm, &mapped, &pfn);
	/*
	 *   0x10000 |.| vma -1          <- unmapped while GUP-fast held its reference
	 */
	test_draw(PG(16), PG(17));
	ASSERT_TRUE(race.fired);
	ASSERT_FALSE(got);
	/* GUP-fast's reference was the last one: its put freed the page */
	ASSERT_TRUE(kfp_page_is_free(mm, mapped));
	ASSERT_EQ(kfp_ledger_owner_holds(mm, kvm), 0);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}
