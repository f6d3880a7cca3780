// SPDX-License-Identifier: GPL-2.0
/*
 * The guest fault against host invalidations, interleaved by hand
 * (reference §3.5 interleavings 1, 2 and 7), under the upstream design and
 * with the retry check seeded out.
 */
#include "../lib/kvm_fixture.h"

/*
 *  hva 0x10000 .. 0x14000  private anon, rw
 *  gfn 0 .. 4              memslot 0 -> hva 0x10000
 */
static void setup_anon(void)
{
	test_map(PG(16), 4, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1);
	test_memslot(0, 0, 4, PG(16), 0);
}

static void host_munmap_and_remap(void *arg)
{
	struct kfp_mmap_args args = {
		PG(16), PG(4), PROT_READ | PROT_WRITE, KFP_MAP_FIXED, KFP_BACKING_ANON, -1, 0
	};

	(void)arg;
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 7), 0);
	ASSERT_EQ(kfp_munmap(test_kvm_mm(), PG(16), PG(4)), 0);
	ASSERT_EQ(kfp_mmap(test_kvm_mm(), &args), 0);
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 99), 0);
}

TEST(kvm_guest_write_then_read_is_ok_and_holds_no_reference)
{
	struct kvm *kvm = test_kvm();
	u64 value = 5;

	test_world(&kvm_design_upstream);
	setup_anon();
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, true, &value), KVM_OUTCOME_OK);
	ASSERT_TRUE(kvm->spte[0][1].present);
	ASSERT_TRUE(kvm->spte[0][1].writable);
	ASSERT_EQ(kfp_ledger_owner_holds(test_kvm_mm(), test_vcpu(0)->fault_owner), 0);
	value = 0;
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(value, 5);
	kvm_destroy_vm(kvm);
	kfp_check_final(kvm);
	ASSERT_CLEAN();
}

/* Invalidation between the lookup and mmu_lock: the authoritative check retries. */
TEST(kvm_fault_retries_when_munmap_lands_between_lookup_and_mmu_lock)
{
	struct kvm *kvm = test_kvm();
	u64 value = 0;

	test_world(&kvm_design_upstream);
	setup_anon();
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 7), 0);
	test_trigger("mmu_lock", 1, host_munmap_and_remap, NULL);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_TRUE(test_trigger_fired());
	ASSERT_EQ(value, 99);
	ASSERT_EQ(kvm->spte[0][1].pfn, test_kvm_mm()->pte[17].pfn);
	kvm_destroy_vm(kvm);
	kfp_check_final(kvm);
	ASSERT_CLEAN();
}

/*
 * The same race with the retry check seeded out: the spte is installed with
 * the old page, whose last reference KVM then drops, so the guest reads a
 * freed page through a translation the host no longer has.
 */
TEST(kvm_fault_without_retry_check_uses_stale_translation)
{
	struct kvm *kvm = test_kvm();
	u64 value = 0;

	test_world(&kvm_design_upstream);
	kvm->inject = KVM_INJECT_SKIP_RETRY_CHECK;
	setup_anon();
	ASSERT_EQ(kfp_host_write(test_kvm_mm(), PG(17), 7), 0);
	test_trigger("mmu_lock", 1, host_munmap_and_remap, NULL);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_EQ(kvm_guest_access(kvm, test_vcpu(0), 1, false, &value), KVM_OUTCOME_OK);
	ASSERT_NE(value, 99);
	ASSERT_VIOLATION(KFP_REPORT_STALE_PFN);
	ASSERT_VIOLATION(KFP_REPORT_ACCESS_FREED);
	ASSERT_EQ(value, KFP_POISON_FREE);
}
