// SPDX-License-Identifier: GPL-2.0
/*
 * follow_pfnmap_start()/follow_pfnmap_end() and fixup_user_fault()
 * (mm/pfnmap.c): how KVM reads and faults in ptes that GUP refuses.
 */
#include "../lib/mm_fixture.h"

/*
 * The fixture's ASSERT_LEDGER_CLEAN() calls test_mm(), which re-initialises
 * the mm before checking it; check the mm under test instead.
 */
#define ASSERT_MM_LEDGER_CLEAN(mm) ASSERT_EQ(kfp_ledger_check(mm), 0)

/* follow_pfnmap_start() under the mmap read lock, which the caller keeps. */
static int follow_locked(struct kfp_mm *mm, u64 addr, struct follow_pfnmap_args *args)
{
	args->vma = vma_lookup(mm, addr);
	args->address = addr;
	args->pfn = KFP_PFN_NONE;
	return follow_pfnmap_start(mm, args);
}

TEST(follow_pfnmap_start_returns_pfn_writable_special_and_holds_ptl)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 2);
	struct follow_pfnmap_args args;

	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, KFP_MAP_SHARED | KFP_MAP_POPULATE,
		  KFP_BACKING_PFNMAP, id, 0);
	mmap_read_lock(mm);
	ASSERT_EQ(follow_locked(mm, PG(17), &args), 0);
	/*
	 *   0x10000 |P| vma 0  pfn 96
	 *   0x11000 |P| vma 0  pfn 97   <- followed
	 */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(args.pfn, mm->object[id].pfn[1]);
	ASSERT_TRUE(args.writable);
	ASSERT_TRUE(args.special);
	ASSERT_TRUE(kfp_lock_is_write_held(&mm->page_table_lock));
	follow_pfnmap_end(&args);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->page_table_lock));
	ASSERT_TRUE(kfp_lock_is_held(&mm->mmap_lock));
	mmap_read_unlock(mm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(follow_pfnmap_start_reports_readonly_pte)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	struct follow_pfnmap_args args;

	test_mmap(PG(16), 1, PROT_READ, KFP_MAP_SHARED | KFP_MAP_POPULATE, KFP_BACKING_PFNMAP, id,
		  0);
	mmap_read_lock(mm);
	ASSERT_EQ(follow_locked(mm, PG(16), &args), 0);
	/*
	 *   0x10000 |p| vma 0  pfn 96
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(args.pfn, mm->object[id].pfn[0]);
	ASSERT_FALSE(args.writable);
	ASSERT_TRUE(args.special);
	follow_pfnmap_end(&args);
	mmap_read_unlock(mm);
	ASSERT_NO_REPORTS();
}

TEST(follow_pfnmap_start_on_pfnmap_of_refcounted_pages_takes_no_reference)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DRIVER_PAGES, 1);
	kfp_pfn_t pfn = mm->object[id].pfn[0];
	struct follow_pfnmap_args args;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED | KFP_MAP_POPULATE,
		  KFP_BACKING_PFNMAP, id, 0);
	mmap_read_lock(mm);
	ASSERT_EQ(follow_locked(mm, PG(16), &args), 0);
	/*
	 *   0x10000 |P| vma 0  pfn 2    <- a struct page behind a special pte
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(args.pfn, pfn);
	ASSERT_EQ(page_count(mm, pfn), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, KFP_OWNER_DRIVER), 1);
	follow_pfnmap_end(&args);
	mmap_read_unlock(mm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(follow_pfnmap_start_on_non_pfnmap_vma_einval)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DRIVER_PAGES, 1);
	struct follow_pfnmap_args args;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	test_mmap(PG(17), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED | KFP_MAP_POPULATE,
		  KFP_BACKING_MIXEDMAP, id, 0);
	test_write(PG(16), 1);
	mmap_read_lock(mm);
	ASSERT_EQ(follow_locked(mm, PG(16), &args), -EINVAL);
	ASSERT_EQ(follow_locked(mm, PG(17), &args), -EINVAL);
	/*
	 *   0x10000 |W| vma 0  pfn 3    <- anon
	 *   0x11000 |W| vma 1  pfn 2    <- VM_MIXEDMAP, not VM_IO | VM_PFNMAP
	 */
	test_draw(PG(16), PG(18));
	ASSERT_EQ(args.pfn, KFP_PFN_NONE);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->page_table_lock));
	mmap_read_unlock(mm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(follow_pfnmap_start_address_outside_vma_einval)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 2);
	struct follow_pfnmap_args args;

	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, KFP_MAP_SHARED | KFP_MAP_POPULATE,
		  KFP_BACKING_PFNMAP, id, 0);
	mmap_read_lock(mm);
	args.vma = vma_lookup(mm, PG(16));
	args.address = PG(18);
	args.pfn = KFP_PFN_NONE;
	ASSERT_EQ(follow_pfnmap_start(mm, &args), -EINVAL);
	args.address = PG(15);
	ASSERT_EQ(follow_pfnmap_start(mm, &args), -EINVAL);
	/*
	 *   0x0f000 |.| vma -1          <- below vm_start
	 *   0x10000 |P| vma 0  pfn 96
	 *   0x11000 |P| vma 0  pfn 97
	 *   0x12000 |.| vma -1          <- at vm_end
	 */
	test_draw(PG(15), PG(19));
	ASSERT_EQ(args.pfn, KFP_PFN_NONE);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->page_table_lock));
	/* no vma at all */
	args.vma = NULL;
	ASSERT_EQ(follow_pfnmap_start(mm, &args), -EINVAL);
	mmap_read_unlock(mm);
	ASSERT_NO_REPORTS();
}

TEST(follow_pfnmap_start_on_non_present_pte_einval)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	struct follow_pfnmap_args args;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	mmap_read_lock(mm);
	ASSERT_EQ(follow_locked(mm, PG(16), &args), -EINVAL);
	/*
	 *   0x10000 |.| vma 0           <- not faulted in yet
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(args.pfn, KFP_PFN_NONE);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->page_table_lock));
	mmap_read_unlock(mm);
	ASSERT_NO_REPORTS();
}

TEST(follow_pfnmap_start_on_protnone_pte_einval)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	struct follow_pfnmap_args args;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED | KFP_MAP_POPULATE,
		  KFP_BACKING_PFNMAP, id, 0);
	ASSERT_EQ(kfp_mprotect(mm, PG(16), PG(1), PROT_NONE), 0);
	mmap_read_lock(mm);
	ASSERT_EQ(follow_locked(mm, PG(16), &args), -EINVAL);
	/*
	 *   0x10000 |-| vma 0  pfn 96
	 */
	test_draw(PG(16), PG(17));
	ASSERT_FALSE(kfp_lock_is_locked(&mm->page_table_lock));
	mmap_read_unlock(mm);
	ASSERT_NO_REPORTS();
}

TEST(follow_pfnmap_start_after_revoke_einval)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	struct follow_pfnmap_args args;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED | KFP_MAP_POPULATE,
		  KFP_BACKING_PFNMAP, id, 0);
	ASSERT_EQ(kfp_driver_revoke(mm, id), 0);
	mmap_read_lock(mm);
	ASSERT_EQ(follow_locked(mm, PG(16), &args), -EINVAL);
	/*
	 *   0x10000 |.| vma 0           <- zapped by the driver
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(args.pfn, KFP_PFN_NONE);
	mmap_read_unlock(mm);
	ASSERT_NO_REPORTS();
}

TEST(follow_pfnmap_start_without_mmap_lock_reports_lockdep)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	struct follow_pfnmap_args args;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED | KFP_MAP_POPULATE,
		  KFP_BACKING_PFNMAP, id, 0);
	ASSERT_EQ(follow_locked(mm, PG(16), &args), 0);
	follow_pfnmap_end(&args);
	/*
	 *   0x10000 |P| vma 0  pfn 96
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_reports_count_kind(test_reports(), KFP_REPORT_LOCK_NOT_HELD), 1);
	ASSERT_EQ(test_reports()->count, 1);
}

TEST(fixup_user_fault_faults_pfnmap_pte_in_with_lock_held)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 2);
	bool unlocked = false;
	struct kfp_pte *pte;

	test_mmap(PG(16), 2, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	mmap_read_lock(mm);
	ASSERT_EQ(fixup_user_fault(mm, PG(17), FAULT_FLAG_WRITE, &unlocked), 0);
	/*
	 *   0x10000 |.| vma 0
	 *   0x11000 |P| vma 0  pfn 97
	 */
	test_draw(PG(16), PG(18));
	pte = kfp_pte_of(mm, PG(17));
	ASSERT_FALSE(unlocked);
	ASSERT_TRUE(kfp_lock_is_held(&mm->mmap_lock));
	ASSERT_EQ(pte->kind, KFP_PTE_PRESENT);
	ASSERT_EQ(pte->pfn, mm->object[id].pfn[1]);
	ASSERT_TRUE(pte->special);
	ASSERT_TRUE(pte->writable);
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_NONE);
	mmap_read_unlock(mm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fixup_user_fault_then_follow_pfnmap_finds_the_pfn)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	struct follow_pfnmap_args args;
	bool unlocked = false;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	mmap_read_lock(mm);
	ASSERT_EQ(follow_locked(mm, PG(16), &args), -EINVAL);
	ASSERT_EQ(fixup_user_fault(mm, PG(16), 0, &unlocked), 0);
	ASSERT_EQ(follow_locked(mm, PG(16), &args), 0);
	/*
	 *   0x10000 |P| vma 0  pfn 96
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(args.pfn, mm->object[id].pfn[0]);
	ASSERT_TRUE(args.writable);
	follow_pfnmap_end(&args);
	mmap_read_unlock(mm);
	ASSERT_NO_REPORTS();
}

TEST(fixup_user_fault_driver_retry_sets_unlocked_and_returns_with_lock_held)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	bool unlocked = false;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	mm->object[id].fault_retries = 1;
	mmap_read_lock(mm);
	ASSERT_EQ(fixup_user_fault(mm, PG(16), FAULT_FLAG_WRITE, &unlocked), 0);
	/*
	 *   0x10000 |P| vma 0  pfn 96   <- inserted on the FAULT_FLAG_TRIED retry
	 */
	test_draw(PG(16), PG(17));
	ASSERT_TRUE(unlocked);
	ASSERT_TRUE(kfp_lock_is_held(&mm->mmap_lock));
	ASSERT_EQ(mm->object[id].fault_retries, 0);
	ASSERT_EQ(mm->stats.nr_faults, 2);
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->pfn, mm->object[id].pfn[0]);
	mmap_read_unlock(mm);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_NO_REPORTS();
}

TEST(fixup_user_fault_without_unlocked_does_not_drop_the_lock)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	mm->object[id].fault_retries = 1;
	mmap_read_lock(mm);
	/* no FAULT_FLAG_ALLOW_RETRY: the driver must not ask for a retry */
	ASSERT_EQ(fixup_user_fault(mm, PG(16), 0, NULL), 0);
	/*
	 *   0x10000 |P| vma 0  pfn 96
	 */
	test_draw(PG(16), PG(17));
	ASSERT_TRUE(kfp_lock_is_held(&mm->mmap_lock));
	ASSERT_EQ(mm->object[id].fault_retries, 1);
	ASSERT_EQ(mm->stats.nr_faults, 1);
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_PRESENT);
	mmap_read_unlock(mm);
	ASSERT_NO_REPORTS();
}

TEST(fixup_user_fault_without_vma_efault)
{
	struct kfp_mm *mm = test_mm();
	bool unlocked = false;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	mmap_read_lock(mm);
	ASSERT_EQ(fixup_user_fault(mm, PG(17), 0, &unlocked), -EFAULT);
	/*
	 *   0x10000 |.| vma 0
	 *   0x11000 |.| vma -1
	 */
	test_draw(PG(16), PG(18));
	ASSERT_FALSE(unlocked);
	ASSERT_TRUE(kfp_lock_is_held(&mm->mmap_lock));
	ASSERT_EQ(mm->stats.nr_faults, 0);
	mmap_read_unlock(mm);
	ASSERT_NO_REPORTS();
}

TEST(fixup_user_fault_write_to_readonly_vma_efault)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	bool unlocked = false;

	test_mmap(PG(16), 1, PROT_READ, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	mmap_read_lock(mm);
	ASSERT_EQ(fixup_user_fault(mm, PG(16), FAULT_FLAG_WRITE, &unlocked), -EFAULT);
	/*
	 *   0x10000 |.| vma 0           <- vma_permits_fault() said no
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(mm->stats.nr_faults, 0);
	ASSERT_TRUE(kfp_lock_is_held(&mm->mmap_lock));
	/* a read of the same page is fine */
	ASSERT_EQ(fixup_user_fault(mm, PG(16), 0, &unlocked), 0);
	ASSERT_FALSE(kfp_pte_of(mm, PG(16))->writable);
	mmap_read_unlock(mm);
	ASSERT_NO_REPORTS();
}

TEST(fixup_user_fault_on_hwpoison_entry_efault)
{
	struct kfp_mm *mm = test_mm();
	bool unlocked = false;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1, 0);
	test_write(PG(16), 1);
	ASSERT_EQ(kfp_memory_failure(mm, test_pte_pfn(PG(16))), 0);
	mmap_read_lock(mm);
	/* vm_fault_to_errno(ret, 0): no FOLL_HWPOISON here */
	ASSERT_EQ(fixup_user_fault(mm, PG(16), FAULT_FLAG_WRITE, &unlocked), -EFAULT);
	/*
	 *   0x10000 |x| vma 0
	 */
	test_draw(PG(16), PG(17));
	ASSERT_FALSE(unlocked);
	ASSERT_TRUE(kfp_lock_is_held(&mm->mmap_lock));
	mmap_read_unlock(mm);
	ASSERT_MM_LEDGER_CLEAN(mm);
	ASSERT_NO_REPORTS();
}

TEST(fixup_user_fault_with_fatal_signal_eintr)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	bool unlocked = false;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	kfp_send_signal(mm, 0, true);
	mmap_read_lock(mm);
	ASSERT_EQ(fixup_user_fault(mm, PG(16), FAULT_FLAG_WRITE, &unlocked), -EINTR);
	/*
	 *   0x10000 |.| vma 0
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_NONE);
	ASSERT_EQ(mm->stats.nr_faults, 0);
	ASSERT_TRUE(kfp_lock_is_held(&mm->mmap_lock));
	mmap_read_unlock(mm);
	ASSERT_NO_REPORTS();
}

TEST(fixup_user_fault_with_fatal_signal_but_no_unlocked_is_not_killable)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	kfp_send_signal(mm, 0, true);
	mmap_read_lock(mm);
	ASSERT_EQ(fixup_user_fault(mm, PG(16), FAULT_FLAG_WRITE, NULL), 0);
	/*
	 *   0x10000 |P| vma 0  pfn 96
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_PRESENT);
	mmap_read_unlock(mm);
	ASSERT_NO_REPORTS();
}

TEST(fixup_user_fault_pending_non_fatal_signal_does_not_interrupt)
{
	struct kfp_mm *mm = test_mm();
	int id = test_object(KFP_OBJECT_DEVICE_MMIO, 1);
	bool unlocked = false;

	test_mmap(PG(16), 1, PROT_READ | PROT_WRITE, KFP_MAP_SHARED, KFP_BACKING_PFNMAP, id, 0);
	kfp_send_signal(mm, 0, false);
	mmap_read_lock(mm);
	ASSERT_EQ(fixup_user_fault(mm, PG(16), FAULT_FLAG_WRITE, &unlocked), 0);
	/*
	 *   0x10000 |P| vma 0  pfn 96
	 */
	test_draw(PG(16), PG(17));
	ASSERT_EQ(kfp_pte_of(mm, PG(16))->kind, KFP_PTE_PRESENT);
	ASSERT_TRUE(signal_pending(mm));
	mmap_read_unlock(mm);
	ASSERT_NO_REPORTS();
}
