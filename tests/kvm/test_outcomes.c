// SPDX-License-Identifier: GPL-2.0
/*
 * The upstream (6.13+) outcome of every caller of the gfn -> hva -> pfn
 * lookup on every kind of backing: one test per row of the reference's
 * §2.6 "V4 outcomes" table, plus the error encodings of §1.4 and §2.1.
 *
 * Each test checks the returned pfn or guest-visible outcome, what the
 * KVM owner holds in the ledger while the caller runs and afterwards, and
 * that the run ends clean once the VM is destroyed (kfp_check_final()).
 *
 * Unless a test says otherwise the layout is:
 *
 *   hva   PG(16)           PG(17)           PG(18)           PG(19)
 *         +----------------+----------------+----------------+----------------+
 *   vma   | backing under test (4 pages, huge-page aligned)                   |
 *         +----------------+----------------+----------------+----------------+
 *   gfn   0                1                2                3      (memslot 0)
 */
#include "../lib/kvm_fixture.h"

#define HVA_BASE PG(16)
#define NR_PAGES 4
#define RW (PROT_READ | PROT_WRITE)

/* ---- helpers ------------------------------------------------------------ */

static int probe_value;
static kfp_owner_t probe_owner;

static void probe_holds(void *arg)
{
	(void)arg;
	probe_value = (int)kfp_ledger_owner_holds(test_kvm_mm(), probe_owner);
}

/* Record what @owner holds just before the @nth step labelled @what. */
static void probe_at(const char *what, unsigned int nth, kfp_owner_t owner)
{
	probe_owner = owner;
	probe_value = -1;
	test_trigger(what, nth, probe_holds, NULL);
}

static void slot_over_base(u32 flags)
{
	test_memslot(0, 0, NR_PAGES, HVA_BASE, flags);
}

static void map_anon(unsigned int prot, unsigned int flags)
{
	test_map(HVA_BASE, NR_PAGES, prot, flags, KFP_BACKING_ANON, -1);
	slot_over_base(0);
}

/* A driver object mapped VM_IO | VM_PFNMAP (or VM_MIXEDMAP). */
static int map_driver(enum kfp_memory_object_kind kind, enum kfp_backing backing, unsigned int prot,
		      bool populate)
{
	int id = test_object_of(kind, NR_PAGES);

	test_map(HVA_BASE, NR_PAGES, prot, KFP_MAP_SHARED | (populate ? KFP_MAP_POPULATE : 0),
		 backing, id);
	slot_over_base(0);
	return id;
}

static kfp_pfn_t host_pfn(u64 hva)
{
	kfp_pfn_t pfn = KFP_PFN_NONE;
	bool writable;

	ASSERT_TRUE(kfp_host_translate(test_kvm_mm(), hva, &pfn, &writable));
	return pfn;
}

static unsigned int fault_holds(void)
{
	return kfp_ledger_owner_holds(test_kvm_mm(), test_vcpu(0)->fault_owner);
}

static kfp_pfn_t faultin(gfn_t gfn, unsigned int foll, bool *writable, kfp_pfn_t *page,
			 kfp_owner_t owner)
{
	struct kvm *kvm = test_kvm();

	return __kvm_faultin_pfn(kvm, __gfn_to_memslot(kvm, 0, gfn), gfn, foll, writable, page,
				 owner);
}

/* kvm_mmu_finish_page_fault(): the GUP reference goes under mmu_lock. */
static void release_under_mmu_lock(kfp_pfn_t page, bool dirty, kfp_owner_t owner)
{
	struct kvm *kvm = test_kvm();

	kfp_read_lock(&kvm->mmu_lock);
	kvm_release_faultin_page(kvm, page, false, dirty, owner);
	kfp_read_unlock(&kvm->mmu_lock);
}

static kfp_owner_t test_owner(void)
{
	return kfp_owner_register(test_kvm_mm(), "test.faultin", KFP_OWNER_KIND_KVM);
}

static void finish_clean(void)
{
	kvm_destroy_vm(test_kvm());
	kfp_check_final(test_kvm());
	ASSERT_CLEAN();
}

/* ---- the guest fault: kvm_faultin_pfn ----------------------------------- */

/* Row "normal page, writable PTE, write": fast path, +1, released under mmu_lock. */
TEST(outcome_fault_anon_writable_pte_write_holds_one_ref_until_spte)
{
	struct kvm *kvm = test_kvm();
	kfp_pfn_t pfn;
	u64 value = 42;

	test_world(&kvm_design_upstream);
	map_anon(RW, 0);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 1), 0);
	pfn = host_pfn(PG(17));
	probe_at("mmu_lock", 1, test_vcpu(0)->fault_owner);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, true, &value), KVM_OUTCOME_OK);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(probe_value, 1);
	ASSERT_EQ(kvm->spte[0][1].pfn, pfn);
	ASSERT_TRUE(kvm->spte[0][1].writable);
	ASSERT_EQ(fault_holds(), 0);
	ASSERT_EQ(kfp_pfn_read(test_kvm_mm(), pfn), 42);
	finish_clean();
}

/* Same row: the page is put before mmu_lock is dropped (6.13), not after. */
TEST(outcome_fault_releases_page_before_mmu_unlock)
{
	struct kvm *kvm = test_kvm();
	u64 value = 3;

	test_world(&kvm_design_upstream);
	map_anon(RW, 0);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(16), 1), 0);
	/* the 2nd mmu_lock step of the fault is read_unlock */
	probe_at("mmu_lock", 2, test_vcpu(0)->fault_owner);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 0, true, &value), KVM_OUTCOME_OK);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(probe_value, 0);
	finish_clean();
}

/* Row "normal page, writable PTE, map_writable": a read fault maps writable. */
TEST(outcome_fault_anon_read_with_map_writable_maps_writable)
{
	struct kvm *kvm = test_kvm();
	kfp_owner_t owner;
	kfp_pfn_t pfn, page;
	bool writable;
	u64 value = 0;

	test_world(&kvm_design_upstream);
	map_anon(RW, 0);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(18), 9), 0);
	owner = test_owner();
	pfn = faultin(2, 0, &writable, &page, owner);
	ASSERT_EQ(pfn, host_pfn(PG(18)));
	ASSERT_EQ(page, pfn);
	ASSERT_TRUE(writable);
	ASSERT_EQ(kfp_ledger_refs(test_kvm_mm(), pfn, owner), 1);
	release_under_mmu_lock(page, writable, owner);
	ASSERT_EQ(kfp_ledger_refs(test_kvm_mm(), pfn, owner), 0);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 2, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 9);
	ASSERT_TRUE(kvm->spte[0][2].writable);
	finish_clean();
}

/*
 * Row "normal page, read fault, read-only PTE (zero page)": slow path
 * without FOLL_WRITE, the writable retry fails, map_writable = false.
 */
TEST(outcome_fault_anon_read_maps_zero_page_read_only)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	u64 value = 1;

	test_world(&kvm_design_upstream);
	map_anon(RW, 0);
	probe_at("mmu_lock", 1, test_vcpu(0)->fault_owner);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 0, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(probe_value, 1);
	ASSERT_EQ(value, 0);
	ASSERT_EQ(kvm->spte[0][0].pfn, mm->zero_pfn);
	ASSERT_FALSE(kvm->spte[0][0].writable);
	ASSERT_EQ(fault_holds(), 0);
	/* the write breaks CoW and maps the new page writable */
	value = 5;
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 0, true, &value), KVM_OUTCOME_OK);
	ASSERT_NE(kvm->spte[0][0].pfn, mm->zero_pfn);
	ASSERT_EQ(kvm->spte[0][0].pfn, host_pfn(HVA_BASE));
	ASSERT_TRUE(kvm->spte[0][0].writable);
	finish_clean();
}

/* Same row, KSM: a merged page is the zero page behind a read-only pte. */
TEST(outcome_fault_ksm_merged_page_maps_read_only)
{
	struct kvm *kvm = test_kvm();
	kfp_owner_t owner;
	kfp_pfn_t pfn, page;
	bool writable = true;

	test_world(&kvm_design_upstream);
	map_anon(RW, 0);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 0), 0);
	ASSERT_EQ(kfp_ksm_merge(test_kvm_mm(), PG(17)), 0);
	owner = test_owner();
	pfn = faultin(1, 0, &writable, &page, owner);
	ASSERT_EQ(pfn, test_kvm_mm()->zero_pfn);
	ASSERT_EQ(page, pfn);
	ASSERT_FALSE(writable);
	ASSERT_EQ(kfp_ledger_refs(test_kvm_mm(), pfn, owner), 1);
	release_under_mmu_lock(page, writable, owner);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), owner), 0);
	(void)kvm;
	finish_clean();
}

/*
 * Row "normal page, not present": FOLL_NOWAIT gives NEEDS_IO with nothing
 * held, the interruptible lookup reads the page in and holds +1.
 */
TEST(outcome_fault_file_page_needs_io_then_interruptible_lookup)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_owner_t owner;
	kfp_pfn_t pfn, page = 0;
	bool writable = true;
	int id;

	test_world(&kvm_design_upstream);
	id = test_object_of(KFP_OBJECT_FILE, NR_PAGES);
	mm->object[id].stored[1] = 0x1234;
	test_map(HVA_BASE, NR_PAGES, PROT_READ, 0, KFP_BACKING_FILE, id);
	slot_over_base(0);
	owner = test_owner();
	pfn = faultin(1, FOLL_NOWAIT, &writable, &page, owner);
	ASSERT_EQ(pfn, KVM_PFN_ERR_NEEDS_IO);
	ASSERT_TRUE(is_error_pfn(pfn));
	ASSERT_EQ(page, KFP_PFN_NONE);
	ASSERT_FALSE(writable);
	ASSERT_EQ(mm->object[id].pfn[1], KFP_NO_PFN16);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, owner), 0);

	pfn = faultin(1, FOLL_INTERRUPTIBLE, &writable, &page, owner);
	ASSERT_EQ(pfn, mm->object[id].pfn[1]);
	ASSERT_EQ(page, pfn);
	ASSERT_FALSE(writable);
	ASSERT_EQ(kfp_pfn_read(mm, pfn), 0x1234);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, owner), 1);
	release_under_mmu_lock(page, writable, owner);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, owner), 0);
	finish_clean();
}

/* Same row through the guest: NEEDS_IO is retried without NOWAIT, then ok. */
TEST(outcome_guest_read_of_file_page_reads_it_in)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	u64 value = 0;
	int id;

	test_world(&kvm_design_upstream);
	id = test_object_of(KFP_OBJECT_FILE, NR_PAGES);
	mm->object[id].stored[3] = 77;
	test_map(HVA_BASE, NR_PAGES, PROT_READ, 0, KFP_BACKING_FILE, id);
	slot_over_base(0);
	probe_at("mmu_lock", 1, test_vcpu(0)->fault_owner);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 3, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(probe_value, 1);
	ASSERT_EQ(value, 77);
	ASSERT_EQ(kvm->spte[0][3].pfn, mm->object[id].pfn[3]);
	ASSERT_FALSE(kvm->spte[0][3].writable);
	ASSERT_EQ(fault_holds(), 0);
	finish_clean();
}

/* Row "normal page" with shmem backing: the page-cache page, +1 during the fault. */
TEST(outcome_fault_shmem_write_maps_page_cache_page)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	u64 value = 11, host = 0;
	int id;

	test_world(&kvm_design_upstream);
	id = test_object_of(KFP_OBJECT_SHMEM, NR_PAGES);
	test_map(HVA_BASE, NR_PAGES, RW, KFP_MAP_SHARED, KFP_BACKING_SHARED, id);
	slot_over_base(0);
	probe_at("mmu_lock", 1, test_vcpu(0)->fault_owner);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 2, true, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(probe_value, 1);
	ASSERT_EQ(kvm->spte[0][2].pfn, mm->object[id].pfn[2]);
	ASSERT_TRUE(kvm->spte[0][2].writable);
	ASSERT_EQ(fault_holds(), 0);
	ASSERT_EQ(kfp_host_read(mm, PG(18), &host), 0);
	ASSERT_EQ(host, 11);
	finish_clean();
}

/* Row "normal page" with THP: the reference is on the folio head. */
TEST(outcome_fault_thp_reference_on_folio_head)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	kfp_owner_t owner;
	kfp_pfn_t pfn, page, head;
	bool writable;
	int before;

	test_world(&kvm_design_upstream);
	map_anon(RW, KFP_MAP_HUGEPAGE);
	ASSERT_EQ(kfp_host_write(mm, PG(16), 1), 0);
	pfn = host_pfn(PG(18));
	ASSERT_TRUE(PageCompound(mm, pfn));
	head = compound_head_pfn(mm, pfn);
	ASSERT_NE(head, pfn);
	before = page_count(mm, pfn);
	owner = test_owner();
	ASSERT_EQ(faultin(2, FOLL_WRITE, &writable, &page, owner), pfn);
	ASSERT_EQ(page, pfn);
	ASSERT_TRUE(writable);
	ASSERT_EQ(kfp_ledger_refs(mm, head, owner), 1);
	ASSERT_EQ(page_count(mm, pfn), before + 1);
	release_under_mmu_lock(page, writable, owner);
	ASSERT_EQ(page_count(mm, pfn), before);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, owner), 0);
	(void)kvm;
	finish_clean();
}

/* Row "normal page" with hugetlb: the hugetlbfs folio, +1 during the fault. */
TEST(outcome_fault_hugetlb_write_maps_hugetlb_folio)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	u64 value = 8;
	int id;

	test_world(&kvm_design_upstream);
	id = test_object_of(KFP_OBJECT_HUGETLB, NR_PAGES);
	test_map(HVA_BASE, NR_PAGES, RW, KFP_MAP_SHARED, KFP_BACKING_HUGETLB, id);
	slot_over_base(0);
	probe_at("mmu_lock", 1, test_vcpu(0)->fault_owner);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, true, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(probe_value, 1);
	ASSERT_EQ(kvm->spte[0][1].pfn, mm->object[id].pfn[1]);
	ASSERT_TRUE(mm->page[kvm->spte[0][1].pfn].flags & PG_hugetlb);
	ASSERT_EQ(fault_holds(), 0);
	finish_clean();
}

/* Row "VM_IO/PFNMAP, no struct page": the pte pfn, refcounted_page NULL, nothing held. */
TEST(outcome_fault_pfnmap_device_mmio_maps_pfn_without_reference)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	kfp_pfn_t pfn;
	u64 value = 0x55;
	int id;

	test_world(&kvm_design_upstream);
	id = map_driver(KFP_OBJECT_DEVICE_MMIO, KFP_BACKING_PFNMAP, RW, true);
	pfn = mm->object[id].pfn[1];
	ASSERT_FALSE(pfn_valid(mm, pfn));
	probe_at("mmu_lock", 1, test_vcpu(0)->fault_owner);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, true, &value), KVM_OUTCOME_OK);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(probe_value, 0);
	ASSERT_EQ(kvm->spte[0][1].pfn, pfn);
	ASSERT_TRUE(kvm->spte[0][1].writable);
	ASSERT_FALSE(kvm->spte[0][1].refcounted);
	value = 0;
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 0x55);
	finish_clean();
}

/* Row "VM_IO/PFNMAP, refcounted": a struct page, yet no reference (v13 rule b). */
TEST(outcome_fault_pfnmap_refcounted_driver_page_takes_no_reference)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_owner_t owner;
	kfp_pfn_t pfn, page = 0;
	bool writable = false;
	int id, before;

	test_world(&kvm_design_upstream);
	id = map_driver(KFP_OBJECT_DRIVER_PAGES, KFP_BACKING_PFNMAP, RW, true);
	pfn = mm->object[id].pfn[2];
	ASSERT_TRUE(pfn_valid(mm, pfn));
	before = page_ref_count(mm, pfn);
	ASSERT_GT(before, 0);
	owner = test_owner();
	ASSERT_EQ(faultin(2, FOLL_WRITE, &writable, &page, owner), pfn);
	ASSERT_EQ(page, KFP_PFN_NONE);
	ASSERT_TRUE(writable);
	ASSERT_EQ(page_ref_count(mm, pfn), before);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, owner), 0);
	/* kvm_release_faultin_page(NULL) is a no-op */
	release_under_mmu_lock(page, writable, owner);
	ASSERT_EQ(page_ref_count(mm, pfn), before);
	finish_clean();
}

/* Row "VM_IO/PFNMAP, refcount 0" (TTM tail page): mapped, never resurrected. */
TEST(outcome_fault_pfnmap_ttm_refcount_zero_page_is_mapped_untouched)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	kfp_pfn_t pfn;
	u64 value = 6;
	int id;

	test_world(&kvm_design_upstream);
	id = map_driver(KFP_OBJECT_TTM, KFP_BACKING_PFNMAP, RW, true);
	pfn = mm->object[id].pfn[3];
	ASSERT_EQ(page_ref_count(mm, pfn), 0);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 3, true, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(kvm->spte[0][3].pfn, pfn);
	ASSERT_EQ(page_ref_count(mm, pfn), 0);
	ASSERT_EQ(fault_holds(), 0);
	ASSERT_EQ(kfp_pfn_read(mm, pfn), 6);
	finish_clean();
}

/* Row "VM_IO/PFNMAP, PG_reserved": the pte pfn, no reference. */
TEST(outcome_fault_pfnmap_reserved_page_takes_no_reference)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_owner_t owner;
	kfp_pfn_t pfn, page = 0;
	bool writable = false;
	int id, before;

	test_world(&kvm_design_upstream);
	id = map_driver(KFP_OBJECT_RESERVED, KFP_BACKING_PFNMAP, RW, true);
	pfn = mm->object[id].pfn[0];
	ASSERT_TRUE(PageReserved(mm, pfn));
	before = page_ref_count(mm, pfn);
	owner = test_owner();
	ASSERT_EQ(faultin(0, 0, &writable, &page, owner), pfn);
	ASSERT_EQ(page, KFP_PFN_NONE);
	ASSERT_TRUE(writable);
	ASSERT_EQ(page_ref_count(mm, pfn), before);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, owner), 0);
	finish_clean();
}

/* Row "VM_IO/PFNMAP, read-only PTE, write": RO_FAULT, the guest exits to emulate. */
TEST(outcome_fault_read_only_pfnmap_write_is_ro_fault_and_mmio)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	kfp_owner_t owner;
	kfp_pfn_t page = 0;
	bool writable = true;
	u64 value = 1;
	int id;

	test_world(&kvm_design_upstream);
	id = map_driver(KFP_OBJECT_DEVICE_MMIO, KFP_BACKING_PFNMAP, PROT_READ, true);
	owner = test_owner();
	ASSERT_EQ(faultin(0, FOLL_WRITE, &writable, &page, owner), KVM_PFN_ERR_RO_FAULT);
	ASSERT_EQ(page, KFP_PFN_NONE);
	ASSERT_FALSE(writable);
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 0, true), RET_PF_EMULATE);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 0, true, &value), KVM_OUTCOME_MMIO);
	ASSERT_FALSE(kvm->spte[0][0].present);
	/* a read maps the pfn read-only */
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 0, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(kvm->spte[0][0].pfn, mm->object[id].pfn[0]);
	ASSERT_FALSE(kvm->spte[0][0].writable);
	finish_clean();
}

/* Row "VM_IO/PFNMAP, PTE not present": fixup_user_fault() faults it in, then as above. */
TEST(outcome_fault_pfnmap_not_present_is_faulted_in_by_fixup)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	u32 faults;
	u64 value = 0;
	int id;

	test_world(&kvm_design_upstream);
	id = map_driver(KFP_OBJECT_DEVICE_MMIO, KFP_BACKING_PFNMAP, RW, false);
	ASSERT_EQ(mm->pte[17].kind, KFP_PTE_NONE);
	faults = mm->stats.nr_faults;
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_GT(mm->stats.nr_faults, faults);
	ASSERT_EQ(mm->pte[17].kind, KFP_PTE_PRESENT);
	ASSERT_TRUE(mm->pte[17].special);
	ASSERT_EQ(kvm->spte[0][1].pfn, mm->object[id].pfn[1]);
	ASSERT_EQ(fault_holds(), 0);
	finish_clean();
}

/*
 * Same row, a driver that drops the mmap lock (VM_FAULT_RETRY): fixup sets
 * "unlocked", hva_to_pfn_remapped() returns -EAGAIN and the VMA is looked
 * up again.
 */
TEST(outcome_fault_pfnmap_driver_dropping_mmap_lock_looks_vma_up_again)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	kfp_owner_t owner;
	kfp_pfn_t page = 0;
	bool writable = false;
	u64 value = 4;
	int id;

	test_world(&kvm_design_upstream);
	id = map_driver(KFP_OBJECT_DRIVER_PAGES, KFP_BACKING_PFNMAP, RW, false);
	mm->object[id].fault_retries = 1;
	owner = test_owner();
	ASSERT_EQ(faultin(2, FOLL_WRITE, &writable, &page, owner), mm->object[id].pfn[2]);
	ASSERT_EQ(mm->object[id].fault_retries, 0);
	ASSERT_EQ(page, KFP_PFN_NONE);
	ASSERT_TRUE(writable);
	ASSERT_FALSE(kfp_lock_is_locked(&mm->mmap_lock));
	ASSERT_EQ(kfp_ledger_owner_holds(mm, owner), 0);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 2, true, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(kfp_pfn_read(mm, mm->object[id].pfn[2]), 4);
	finish_clean();
}

/* Row "no vma": FAULT, the guest's KVM_RUN fails with EFAULT. */
TEST(outcome_fault_no_vma_is_fault_and_efault)
{
	struct kvm *kvm = test_kvm();
	kfp_owner_t owner;
	kfp_pfn_t page = 0;
	bool writable = true;
	u64 value = 0;

	test_world(&kvm_design_upstream);
	/* memslot over hvas nothing maps */
	slot_over_base(0);
	owner = test_owner();
	ASSERT_EQ(faultin(0, FOLL_NOWAIT, &writable, &page, owner), KVM_PFN_ERR_FAULT);
	ASSERT_EQ(page, KFP_PFN_NONE);
	ASSERT_FALSE(writable);
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 0, false), -EFAULT);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 0, false, &value), KVM_OUTCOME_EFAULT);
	ASSERT_FALSE(kvm->spte[0][0].present);
	finish_clean();
}

/* Row "hwpoison": -EHWPOISON from GUP is HWPOISON, the guest gets SIGBUS. */
TEST(outcome_fault_hwpoisoned_page_is_hwpoison)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	kfp_owner_t owner;
	kfp_pfn_t pfn, page = 0;
	bool writable = true;
	u64 value = 0;

	test_world(&kvm_design_upstream);
	map_anon(RW, 0);
	ASSERT_EQ(kfp_host_write(mm, PG(17), 3), 0);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	pfn = kvm->spte[0][1].pfn;
	ASSERT_EQ(kfp_memory_failure(mm, pfn), 0);
	/* memory_failure() unmapped it inside an invalidation: the spte is gone */
	ASSERT_FALSE(kvm->spte[0][1].present);
	owner = test_owner();
	ASSERT_EQ(faultin(1, FOLL_WRITE, &writable, &page, owner), KVM_PFN_ERR_HWPOISON);
	ASSERT_EQ(page, KFP_PFN_NONE);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, false, &value), KVM_OUTCOME_HWPOISON);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, owner), 0);
	ASSERT_EQ(fault_holds(), 0);
	finish_clean();
}

/* Row "pending signal, page needs I/O": SIGPENDING, KVM_RUN returns EINTR. */
TEST(outcome_fault_signal_while_page_needs_io_is_eintr)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	kfp_owner_t owner;
	kfp_pfn_t page = 0;
	bool writable = true;
	u64 value = 0;
	int id;

	test_world(&kvm_design_upstream);
	id = test_object_of(KFP_OBJECT_FILE, NR_PAGES);
	test_map(HVA_BASE, NR_PAGES, PROT_READ, 0, KFP_BACKING_FILE, id);
	slot_over_base(0);
	kfp_send_signal(mm, 0, false);
	owner = test_owner();
	ASSERT_EQ(faultin(0, FOLL_INTERRUPTIBLE, &writable, &page, owner), KVM_PFN_ERR_SIGPENDING);
	ASSERT_EQ(page, KFP_PFN_NONE);
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 0, false), -EINTR);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 0, false, &value), KVM_OUTCOME_EINTR);
	ASSERT_EQ(mm->object[id].pfn[0], KFP_NO_PFN16);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, owner), 0);
	kfp_signal_delivered(mm, 0);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 0, false, &value), KVM_OUTCOME_OK);
	finish_clean();
}

/* Note under the table: VM_MIXEDMAP of refcounted pages goes through GUP, +1. */
TEST(outcome_fault_mixedmap_refcounted_page_goes_through_gup)
{
	struct kfp_mm *mm = test_kvm_mm();
	kfp_owner_t owner;
	kfp_pfn_t pfn, page = 0;
	bool writable = false;
	int id;

	test_world(&kvm_design_upstream);
	id = map_driver(KFP_OBJECT_DRIVER_PAGES, KFP_BACKING_MIXEDMAP, RW, true);
	pfn = mm->object[id].pfn[1];
	ASSERT_FALSE(mm->pte[17].special);
	owner = test_owner();
	ASSERT_EQ(faultin(1, FOLL_WRITE, &writable, &page, owner), pfn);
	ASSERT_EQ(page, pfn);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, owner), 1);
	release_under_mmu_lock(page, writable, owner);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, owner), 0);
	finish_clean();
}

/*
 * Same note, VM_MIXEDMAP-only with a special pte (no struct page): GUP
 * refuses it and the remapped path is never taken, so the lookup is
 * NEEDS_IO under FOLL_NOWAIT and FAULT without it.
 */
TEST(outcome_fault_mixedmap_special_pte_is_fault)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	kfp_owner_t owner;
	kfp_pfn_t page = 0;
	bool writable = true;
	u64 value = 0;

	test_world(&kvm_design_upstream);
	map_driver(KFP_OBJECT_DEVICE_MMIO, KFP_BACKING_MIXEDMAP, RW, true);
	ASSERT_TRUE(mm->pte[16].special);
	owner = test_owner();
	ASSERT_EQ(faultin(0, FOLL_NOWAIT, &writable, &page, owner), KVM_PFN_ERR_NEEDS_IO);
	ASSERT_EQ(faultin(0, FOLL_INTERRUPTIBLE, &writable, &page, owner), KVM_PFN_ERR_FAULT);
	ASSERT_EQ(page, KFP_PFN_NONE);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 0, false, &value), KVM_OUTCOME_EFAULT);
	finish_clean();
}

/* ---- kvm_vcpu_map / kvm_vcpu_unmap ---------------------------------------- */

/* Row "normal page, kvm_vcpu_map": a pin (small folio: +GUP_PIN_COUNTING_BIAS). */
TEST(outcome_vcpu_map_anon_page_pins_until_unmap)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	struct kvm_vcpu *vcpu = test_vcpu(0);
	kfp_pfn_t pfn;
	u64 value = 21;
	int before;

	test_world(&kvm_design_upstream);
	map_anon(RW, 0);
	ASSERT_EQ(kfp_host_write(mm, PG(17), 1), 0);
	pfn = host_pfn(PG(17));
	before = page_ref_count(mm, pfn);
	ASSERT_EQ(kvm_vcpu_map(kvm, vcpu, 1, 0, true), 0);
	ASSERT_EQ(vcpu->map[0].pfn, pfn);
	ASSERT_EQ(vcpu->map[0].pinned_page, pfn);
	ASSERT_EQ(vcpu->map[0].page, pfn);
	ASSERT_EQ(kfp_ledger_pins(mm, pfn, vcpu->map_owner), 1);
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, vcpu->map_owner), 0);
	ASSERT_EQ(page_ref_count(mm, pfn), before + (int)GUP_PIN_COUNTING_BIAS);
	ASSERT_EQ(kvm_vcpu_map_access(kvm, vcpu, 0, true, &value), KVM_OUTCOME_OK);
	mm->page[pfn].flags &= ~PG_dirty;
	kvm_vcpu_unmap(kvm, vcpu, 0);
	ASSERT_FALSE(vcpu->map[0].mapped);
	ASSERT_EQ(vcpu->map[0].pinned_page, KFP_PFN_NONE);
	ASSERT_TRUE(mm->page[pfn].flags & PG_dirty);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, vcpu->map_owner), 0);
	ASSERT_EQ(page_ref_count(mm, pfn), before);
	ASSERT_EQ(kfp_pfn_read(mm, pfn), 21);
	finish_clean();
}

/* Same row, large folio: +1 reference and +1 _pincount on the head. */
TEST(outcome_vcpu_map_thp_pins_folio_head)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	struct kvm_vcpu *vcpu = test_vcpu(0);
	kfp_pfn_t pfn, head;
	int refs, pins;

	test_world(&kvm_design_upstream);
	map_anon(RW, KFP_MAP_HUGEPAGE);
	ASSERT_EQ(kfp_host_write(mm, PG(16), 1), 0);
	pfn = host_pfn(PG(19));
	head = compound_head_pfn(mm, pfn);
	refs = mm->page[head].refcount;
	pins = mm->page[head].pincount;
	ASSERT_EQ(kvm_vcpu_map(kvm, vcpu, 3, 1, true), 0);
	ASSERT_EQ(vcpu->map[1].pinned_page, pfn);
	ASSERT_EQ(mm->page[head].refcount, refs + 1);
	ASSERT_EQ(mm->page[head].pincount, pins + 1);
	ASSERT_EQ(kfp_ledger_pins(mm, head, vcpu->map_owner), 1);
	ASSERT_TRUE(folio_maybe_dma_pinned(mm, pfn));
	kvm_vcpu_unmap(kvm, vcpu, 1);
	ASSERT_EQ(mm->page[head].refcount, refs);
	ASSERT_EQ(mm->page[head].pincount, pins);
	finish_clean();
}

/* Same row, a page that needs I/O: the pin's slow path reads it in (no NOWAIT). */
TEST(outcome_vcpu_map_readonly_file_page_pins_after_read_in)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	struct kvm_vcpu *vcpu = test_vcpu(0);
	u64 value = 0;
	int id;

	test_world(&kvm_design_upstream);
	id = test_object_of(KFP_OBJECT_FILE, NR_PAGES);
	mm->object[id].stored[2] = 0xfeed;
	test_map(HVA_BASE, NR_PAGES, PROT_READ, KFP_MAP_SHARED, KFP_BACKING_FILE, id);
	slot_over_base(0);
	ASSERT_EQ(kvm_vcpu_map(kvm, vcpu, 2, 0, false), 0);
	ASSERT_EQ(vcpu->map[0].pinned_page, mm->object[id].pfn[2]);
	ASSERT_EQ(kfp_ledger_pins(mm, vcpu->map[0].pfn, vcpu->map_owner), 1);
	ASSERT_EQ(kvm_vcpu_map_access(kvm, vcpu, 0, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 0xfeed);
	ASSERT_EQ(kvm_vcpu_map_access(kvm, vcpu, 0, true, &value), KVM_OUTCOME_EINVAL);
	kvm_vcpu_unmap(kvm, vcpu, 0);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, vcpu->map_owner), 0);
	finish_clean();
}

/* Row "VM_IO/PFNMAP, kvm_vcpu_map, parameter 0": remapped -EINVAL. */
TEST(outcome_vcpu_map_pfnmap_without_unsafe_mappings_is_einval)
{
	struct kvm *kvm = test_kvm();
	struct kvm_vcpu *vcpu = test_vcpu(0);

	test_world(&kvm_design_upstream);
	map_driver(KFP_OBJECT_DRIVER_PAGES, KFP_BACKING_PFNMAP, RW, true);
	ASSERT_EQ(kvm->allow_unsafe_mappings, 0);
	ASSERT_EQ(kvm_vcpu_map(kvm, vcpu, 0, 0, true), -EINVAL);
	ASSERT_FALSE(vcpu->map[0].mapped);
	ASSERT_EQ(vcpu->map[0].pfn, KVM_PFN_ERR_FAULT);
	ASSERT_EQ(vcpu->map[0].pinned_page, KFP_PFN_NONE);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), vcpu->map_owner), 0);
	kvm_vcpu_unmap(kvm, vcpu, 0); /* no hva: nothing to undo */
	finish_clean();
}

/*
 * Row "VM_IO/PFNMAP, kvm_vcpu_map, parameter 1", device MMIO: memremap()ed,
 * no pin, and the access is the P2 violation the parameter accepts.
 */
TEST(outcome_vcpu_map_pfnmap_with_unsafe_mappings_maps_without_pin)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	struct kvm_vcpu *vcpu = test_vcpu(0);
	struct kfp_verdict verdict;
	u64 value = 12;
	int id;

	test_world(&kvm_design_upstream);
	kvm->allow_unsafe_mappings = 1;
	id = map_driver(KFP_OBJECT_DEVICE_MMIO, KFP_BACKING_PFNMAP, RW, true);
	ASSERT_EQ(kvm_vcpu_map(kvm, vcpu, 1, 0, true), 0);
	ASSERT_EQ(vcpu->map[0].pfn, mm->object[id].pfn[1]);
	ASSERT_EQ(vcpu->map[0].pinned_page, KFP_PFN_NONE);
	ASSERT_EQ(vcpu->map[0].page, KFP_PFN_NONE); /* !pfn_valid: memremap() */
	ASSERT_EQ(kfp_ledger_owner_holds(mm, vcpu->map_owner), 0);
	ASSERT_EQ(kvm_vcpu_map_access(kvm, vcpu, 0, true, &value), KVM_OUTCOME_OK);
	ASSERT_ACCEPTED(KFP_REPORT_ACCESS_UNPROTECTED);
	kvm_vcpu_unmap(kvm, vcpu, 0);
	kvm_destroy_vm(kvm);
	kfp_check_final(kvm);
	kfp_verdict_of(test_kvm_reports(), &verdict);
	ASSERT_EQ(verdict.violations[KFP_PROPERTY_P1], 0);
	ASSERT_EQ(verdict.violations[KFP_PROPERTY_P2], 0);
	ASSERT_EQ(verdict.violations[KFP_PROPERTY_P3], 0);
	ASSERT_EQ(verdict.violations[KFP_PROPERTY_INVARIANT], 0);
	ASSERT_EQ(verdict.accepted[KFP_PROPERTY_P2], 1);
}

/* Same row, a refcounted driver page: kmap()ed (map->page set), still no pin. */
TEST(outcome_vcpu_map_pfnmap_struct_page_with_unsafe_mappings_is_kmapped_unpinned)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	struct kvm_vcpu *vcpu = test_vcpu(0);
	kfp_pfn_t pfn;
	u64 value = 0;
	int id, before;

	test_world(&kvm_design_upstream);
	kvm->allow_unsafe_mappings = 1;
	id = map_driver(KFP_OBJECT_DRIVER_PAGES, KFP_BACKING_PFNMAP, RW, true);
	pfn = mm->object[id].pfn[0];
	before = page_ref_count(mm, pfn);
	ASSERT_EQ(kvm_vcpu_map(kvm, vcpu, 0, 0, false), 0);
	ASSERT_EQ(vcpu->map[0].page, pfn);
	ASSERT_EQ(vcpu->map[0].pinned_page, KFP_PFN_NONE);
	ASSERT_EQ(page_ref_count(mm, pfn), before);
	ASSERT_EQ(kvm_vcpu_map_access(kvm, vcpu, 0, false, &value), KVM_OUTCOME_OK);
	ASSERT_ACCEPTED(KFP_REPORT_ACCESS_UNPROTECTED);
	ASSERT_NO_VIOLATION(KFP_REPORT_ACCESS_UNPROTECTED);
	kvm_vcpu_unmap(kvm, vcpu, 0);
	ASSERT_EQ(page_ref_count(mm, pfn), before);
}

/* Row "VM_IO/PFNMAP, read-only PTE, write": a pin with the parameter gets RO_FAULT too. */
TEST(outcome_vcpu_map_read_only_pfnmap_write_is_einval)
{
	struct kvm *kvm = test_kvm();
	struct kvm_vcpu *vcpu = test_vcpu(0);

	test_world(&kvm_design_upstream);
	kvm->allow_unsafe_mappings = 1;
	map_driver(KFP_OBJECT_DEVICE_MMIO, KFP_BACKING_PFNMAP, PROT_READ, true);
	ASSERT_EQ(kvm_vcpu_map(kvm, vcpu, 0, 0, true), -EINVAL);
	ASSERT_EQ(vcpu->map[0].pfn, KVM_PFN_ERR_RO_FAULT);
	ASSERT_FALSE(vcpu->map[0].mapped);
	ASSERT_EQ(kvm_vcpu_map(kvm, vcpu, 0, 0, false), 0);
	kvm_vcpu_unmap(kvm, vcpu, 0);
	finish_clean();
}

/* Row "no vma", kvm_vcpu_map: FAULT, -EINVAL. */
TEST(outcome_vcpu_map_no_vma_is_einval)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	slot_over_base(0);
	ASSERT_EQ(kvm_vcpu_map(kvm, test_vcpu(0), 0, 0, true), -EINVAL);
	ASSERT_EQ(test_vcpu(0)->map[0].pfn, KVM_PFN_ERR_FAULT);
	finish_clean();
}

/* ---- __gfn_to_page / kvm_release_page_* -------------------------------------- */

/* Row "normal page, __gfn_to_page": the page with +1, the caller releases it. */
TEST(outcome_gfn_to_page_anon_holds_ref_until_release)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	struct kvm_vcpu *vcpu = test_vcpu(0);
	kfp_pfn_t pfn;
	u64 value = 30;

	test_world(&kvm_design_upstream);
	map_anon(RW, 0);
	ASSERT_EQ(kfp_host_write(mm, PG(18), 1), 0);
	pfn = host_pfn(PG(18));
	ASSERT_EQ(kvm_gfn_to_page(kvm, vcpu, 2, true), 0);
	ASSERT_EQ(vcpu->page, pfn);
	ASSERT_EQ(vcpu->page_uhva, PG(18));
	ASSERT_EQ(kfp_ledger_refs(mm, pfn, vcpu->page_owner), 1);
	ASSERT_EQ(kvm_page_access(kvm, vcpu, true, &value), KVM_OUTCOME_OK);
	mm->page[pfn].flags &= ~PG_dirty;
	kvm_gfn_to_page_release(kvm, vcpu, true);
	ASSERT_TRUE(mm->page[pfn].flags & PG_dirty);
	ASSERT_EQ(vcpu->page, KFP_PFN_NONE);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, vcpu->page_owner), 0);
	finish_clean();
}

/* Same row, a read of an untouched page: the slow path's zero page, +1. */
TEST(outcome_gfn_to_page_read_of_untouched_anon_is_zero_page)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	struct kvm_vcpu *vcpu = test_vcpu(0);

	test_world(&kvm_design_upstream);
	map_anon(RW, 0);
	ASSERT_EQ(kvm_gfn_to_page(kvm, vcpu, 0, false), 0);
	ASSERT_EQ(vcpu->page, mm->zero_pfn);
	ASSERT_EQ(kfp_ledger_refs(mm, mm->zero_pfn, vcpu->page_owner), 1);
	kvm_gfn_to_page_release(kvm, vcpu, false);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, vcpu->page_owner), 0);
	finish_clean();
}

/* Row "VM_IO/PFNMAP, __gfn_to_page": NULL even for a refcounted page. */
TEST(outcome_gfn_to_page_pfnmap_is_null_without_reference)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	struct kvm_vcpu *vcpu = test_vcpu(0);
	kfp_pfn_t pfn;
	int id, before;

	test_world(&kvm_design_upstream);
	id = map_driver(KFP_OBJECT_DRIVER_PAGES, KFP_BACKING_PFNMAP, RW, true);
	pfn = mm->object[id].pfn[1];
	before = page_ref_count(mm, pfn);
	ASSERT_EQ(__gfn_to_page(kvm, vcpu, 1, true), KFP_PFN_NONE);
	ASSERT_EQ(kvm_gfn_to_page(kvm, vcpu, 1, true), -EFAULT);
	ASSERT_EQ(vcpu->page, KFP_PFN_NONE);
	ASSERT_EQ(page_ref_count(mm, pfn), before);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, vcpu->page_owner), 0);
	/* kvm_release_page_clean(NULL) is a no-op */
	kvm_gfn_to_page_release(kvm, vcpu, false);
	finish_clean();
}

/* Row "no vma", __gfn_to_page: NULL. */
TEST(outcome_gfn_to_page_no_vma_is_null)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	slot_over_base(0);
	ASSERT_EQ(kvm_gfn_to_page(kvm, test_vcpu(0), 3, false), -EFAULT);
	finish_clean();
}

/* ---- gfn_to_pfn_cache -------------------------------------------------------- */

/* Row "normal page, pfncache": +1 briefly inside the refresh, then nothing. */
TEST(outcome_gpc_anon_page_holds_ref_only_inside_refresh)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	struct gfn_to_pfn_cache *gpc = &kvm->gpc[0];
	u64 value = 17, host = 0;

	test_world(&kvm_design_upstream);
	map_anon(RW, 0);
	ASSERT_EQ(kfp_host_write(mm, PG(17), 1), 0);
	probe_at("gpc valid", 1, gpc->owner);
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(1) + 8, 8), 0);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(probe_value, 1);
	ASSERT_TRUE(gpc->valid);
	ASSERT_EQ(gpc->pfn, host_pfn(PG(17)));
	ASSERT_EQ(gpc->uhva, PG(17) + 8);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, gpc->owner), 0);
	ASSERT_EQ(kvm_gpc_access(kvm, 0, true, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(kfp_host_read(mm, PG(17), &host), 0);
	ASSERT_EQ(host, 17);
	kvm_gpc_deactivate(kvm, 0);
	ASSERT_FALSE(gpc->active);
	finish_clean();
}

/* Row "VM_IO/PFNMAP, pfncache": the pte pfn, no reference at any point. */
TEST(outcome_gpc_pfnmap_caches_pfn_without_reference)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	struct gfn_to_pfn_cache *gpc = &kvm->gpc[1];
	u64 value = 0;
	int id;

	test_world(&kvm_design_upstream);
	id = map_driver(KFP_OBJECT_DEVICE_MMIO, KFP_BACKING_PFNMAP, RW, true);
	probe_at("gpc valid", 1, gpc->owner);
	ASSERT_EQ(kvm_gpc_activate(kvm, 1, PG(3), 8), 0);
	ASSERT_EQ(probe_value, 0);
	ASSERT_EQ(gpc->pfn, mm->object[id].pfn[3]);
	ASSERT_EQ(gpc->khva, gpc->pfn);
	ASSERT_EQ(kvm_gpc_access(kvm, 1, false, &value), KVM_OUTCOME_OK);
	kvm_gpc_deactivate(kvm, 1);
	finish_clean();
}

/* Row "VM_IO/PFNMAP, read-only PTE, write": the cache always writes, so RO_FAULT fails it. */
TEST(outcome_gpc_read_only_pfnmap_fails_refresh)
{
	struct kvm *kvm = test_kvm();
	u64 value = 0;

	test_world(&kvm_design_upstream);
	map_driver(KFP_OBJECT_DEVICE_MMIO, KFP_BACKING_PFNMAP, PROT_READ, true);
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(0), 8), -EFAULT);
	ASSERT_FALSE(kvm->gpc[0].valid);
	ASSERT_EQ(kvm->gpc[0].pfn, KVM_PFN_ERR_FAULT);
	ASSERT_EQ(kvm_gpc_access(kvm, 0, false, &value), KVM_OUTCOME_EFAULT);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

/* Row "no vma", pfncache: FAULT, the refresh fails. */
TEST(outcome_gpc_no_vma_fails_refresh)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	slot_over_base(0);
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(2), 8), -EFAULT);
	ASSERT_FALSE(kvm->gpc[0].valid);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

/* ---- error encodings (§1.4, §2.1) ------------------------------------------- */

/* NOSLOT: not an error pfn, but an error-or-noslot one. */
TEST(encoding_noslot_is_not_an_error_pfn)
{
	ASSERT_FALSE(is_error_pfn(KVM_PFN_NOSLOT));
	ASSERT_TRUE(is_error_noslot_pfn(KVM_PFN_NOSLOT));
	ASSERT_TRUE(is_noslot_pfn(KVM_PFN_NOSLOT));
	ASSERT_TRUE(is_error_pfn(KVM_PFN_ERR_FAULT));
	ASSERT_TRUE(is_error_pfn(KVM_PFN_ERR_NEEDS_IO));
	ASSERT_FALSE(is_noslot_pfn(KVM_PFN_ERR_FAULT));
	ASSERT_FALSE(is_error_noslot_pfn(KFP_NR_PFNS - 1));
	ASSERT_TRUE(kvm_is_error_hva(KVM_HVA_ERR_BAD));
	ASSERT_TRUE(kvm_is_error_hva(KVM_HVA_ERR_RO_BAD));
	ASSERT_FALSE(kvm_is_error_hva(KFP_HVA_LIMIT));
}

/*
 *   gfn 0..3: memslot 0          gfn 10: no memslot
 */
TEST(encoding_gfn_outside_every_slot_is_noslot_and_mmio)
{
	struct kvm *kvm = test_kvm();
	kfp_pfn_t page = 0;
	bool writable = true;
	u64 value = 0;

	test_world(&kvm_design_upstream);
	map_anon(RW, 0);
	ASSERT_EQ(__gfn_to_memslot(kvm, 0, 10), NULL);
	ASSERT_EQ(__kvm_faultin_pfn(kvm, NULL, 10, FOLL_WRITE, &writable, &page,
				    test_vcpu(0)->fault_owner),
		  KVM_PFN_NOSLOT);
	ASSERT_EQ(page, KFP_PFN_NONE);
	ASSERT_FALSE(writable);
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 10, true), RET_PF_EMULATE);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 10, false, &value), KVM_OUTCOME_MMIO);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), KFP_NR_GFNS + 1, true, &value),
		  KVM_OUTCOME_MMIO);
	ASSERT_EQ(kvm_vcpu_map(kvm, test_vcpu(0), 10, 0, true), -EINVAL);
	ASSERT_EQ(test_vcpu(0)->map[0].pfn, KVM_PFN_NOSLOT);
	ASSERT_EQ(kvm_gpc_activate(kvm, 0, PG(10), 8), -EFAULT);
	kvm_gpc_deactivate(kvm, 0);
	finish_clean();
}

/* KVM_MEM_READONLY: a write is RO_BAD -> RO_FAULT -> mmio; reads map read-only. */
TEST(encoding_write_to_readonly_slot_is_ro_fault_and_mmio)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	const struct kvm_memory_slot *slot;
	kfp_pfn_t page = 0;
	bool writable = true;
	u64 value = 9;

	test_world(&kvm_design_upstream);
	test_map(HVA_BASE, NR_PAGES, RW, 0, KFP_BACKING_ANON, -1);
	slot_over_base(KVM_MEM_READONLY);
	ASSERT_EQ(kfp_host_write(mm, PG(17), 5), 0);
	slot = __gfn_to_memslot(kvm, 0, 1);
	ASSERT_EQ(__gfn_to_hva_many(slot, 1, true), KVM_HVA_ERR_RO_BAD);
	ASSERT_EQ(__gfn_to_hva_many(slot, 1, false), PG(17));
	ASSERT_EQ(__kvm_faultin_pfn(kvm, slot, 1, FOLL_WRITE, &writable, &page,
				    test_vcpu(0)->fault_owner),
		  KVM_PFN_ERR_RO_FAULT);
	ASSERT_EQ(page, KFP_PFN_NONE);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, true, &value), KVM_OUTCOME_MMIO);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 5);
	ASSERT_TRUE(kvm->spte[0][1].present);
	ASSERT_FALSE(kvm->spte[0][1].writable);
	/* the write still exits: the read-only spte does not satisfy it */
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, true, &value), KVM_OUTCOME_MMIO);
	finish_clean();
}

/* KVM_MEM_READONLY: map_writable is written false and dropped, even on a writable pte. */
TEST(encoding_readonly_slot_clears_map_writable)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	kfp_owner_t owner;
	kfp_pfn_t pfn, page = 0;
	bool writable = true;

	test_world(&kvm_design_upstream);
	test_map(HVA_BASE, NR_PAGES, RW, 0, KFP_BACKING_ANON, -1);
	slot_over_base(KVM_MEM_READONLY);
	ASSERT_EQ(kfp_host_write(mm, PG(16), 5), 0);
	owner = test_owner();
	pfn = __kvm_faultin_pfn(kvm, __gfn_to_memslot(kvm, 0, 0), 0, 0, &writable, &page, owner);
	ASSERT_EQ(pfn, host_pfn(PG(16)));
	ASSERT_FALSE(writable);
	ASSERT_EQ(page, pfn);
	release_under_mmu_lock(page, writable, owner);
	ASSERT_EQ(kfp_ledger_owner_holds(mm, owner), 0);
	finish_clean();
}

/* KVM_MEMSLOT_INVALID: the fault retries; the lookup sees no slot. */
TEST(encoding_invalid_memslot_fault_retries)
{
	struct kvm *kvm = test_kvm();
	struct kvm_memory_slot *slot;
	kfp_pfn_t page = 0;
	bool writable = true;

	test_world(&kvm_design_upstream);
	map_anon(RW, 0);
	slot = __gfn_to_memslot(kvm, 0, 2);
	ASSERT_NE(slot, NULL);
	/* what kvm_invalidate_memslot() publishes while a delete or move runs */
	slot->flags |= KVM_MEMSLOT_INVALID;
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 2, true), RET_PF_RETRY);
	ASSERT_EQ(__gfn_to_hva_many(slot, 2, false), KVM_HVA_ERR_BAD);
	ASSERT_EQ(__kvm_faultin_pfn(kvm, slot, 2, FOLL_WRITE, &writable, &page,
				    test_vcpu(0)->fault_owner),
		  KVM_PFN_NOSLOT);
	ASSERT_FALSE(kvm->spte[0][2].present);
	ASSERT_EQ(fault_holds(), 0);
	slot->flags &= ~KVM_MEMSLOT_INVALID;
	ASSERT_EQ(kvm_tdp_page_fault(kvm, test_vcpu(0), 2, true), RET_PF_FIXED);
	finish_clean();
}

/* A NULL refcounted_page pointer (or writable pointer) is FAULT, nothing taken. */
TEST(encoding_null_refcounted_page_pointer_is_fault)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	struct kvm_follow_pfn kfp = { 0 };
	kfp_pfn_t page = 0;
	bool writable = true;

	test_world(&kvm_design_upstream);
	map_anon(RW, 0);
	ASSERT_EQ(kfp_host_write(mm, PG(16), 5), 0);
	kfp.slot = __gfn_to_memslot(kvm, 0, 0);
	kfp.gfn = 0;
	kfp.flags = FOLL_WRITE;
	kfp.owner = test_vcpu(0)->fault_owner;
	kfp.refcounted_page = NULL;
	ASSERT_EQ(kvm_follow_pfn(kvm, &kfp), KVM_PFN_ERR_FAULT);
	ASSERT_EQ(__kvm_faultin_pfn(kvm, kfp.slot, 0, FOLL_WRITE, NULL, &page, kfp.owner),
		  KVM_PFN_ERR_FAULT);
	ASSERT_EQ(__kvm_faultin_pfn(kvm, kfp.slot, 0, FOLL_WRITE, &writable, NULL, kfp.owner),
		  KVM_PFN_ERR_FAULT);
	ASSERT_EQ(fault_holds(), 0);
	finish_clean();
}

/*
 *   hva  PG(40)                 PG(44)
 *        +----------------------+
 *   gfn  8  9  10 11            (memslot 3: base_gfn 8 -> PG(40))
 */
TEST(encoding_follow_pfn_computes_hva_from_slot)
{
	struct kvm *kvm = test_kvm();
	struct kfp_mm *mm = test_kvm_mm();
	struct kvm_follow_pfn kfp = { 0 };
	kfp_pfn_t page = KFP_PFN_NONE, pfn;

	test_world(&kvm_design_upstream);
	test_map(PG(40), 4, RW, 0, KFP_BACKING_ANON, -1);
	test_memslot(3, 8, 4, PG(40), 0);
	ASSERT_EQ(kfp_host_write(mm, PG(42), 1), 0);
	kfp.slot = __gfn_to_memslot(kvm, 0, 10);
	ASSERT_NE(kfp.slot, NULL);
	ASSERT_EQ(kfp.slot->id, 3);
	ASSERT_EQ(__gfn_to_hva_memslot(kfp.slot, 10), PG(42));
	kfp.gfn = 10;
	kfp.flags = FOLL_WRITE;
	kfp.refcounted_page = &page;
	kfp.owner = test_vcpu(0)->fault_owner;
	pfn = kvm_follow_pfn(kvm, &kfp);
	ASSERT_EQ(kfp.hva, PG(42));
	ASSERT_EQ(pfn, host_pfn(PG(42)));
	ASSERT_EQ(page, pfn);
	release_under_mmu_lock(page, true, kfp.owner);
	finish_clean();
}
