// SPDX-License-Identifier: GPL-2.0
/*
 * Host-mm behaviours KVM's verdicts rest on, explored with a vCPU racing
 * the host operation (scenario text, every interleaving, upstream design).
 * A host-model bug shows here as a violation KVM did not commit:
 *
 *   reclaim of shmem:  the folio stays locked from try_to_unmap() to
 *                      __remove_mapping() (mm/vmscan.c shrink_folio_list()),
 *                      and a page-cache fault locks it before mapping it
 *                      (mm/shmem.c shmem_get_folio_gfp()); try_to_unmap_one()
 *                      clears the pte under the PTL, inside the notifier.
 */
#include <string.h>

#include <kfp/scenario.h>

#include "../lib/kvm_fixture.h"

static struct kfp_scenario scenario;
static struct kfp_scenario_run run;

/* Parse @text and search every interleaving of it under @design. */
static void explore_text(const char *text, const char *design)
{
	struct kfp_explore_options options = { .preemption_bound = -1 };
	char error[KFP_ERROR_LEN];
	int d = kfp_design_index(design);

	ASSERT_GE(d, 0);
	if (kfp_scenario_parse("test_host_model", text, strlen(text), &scenario, error,
			       sizeof(error))) {
		kfp_test_diag("%s", error);
		ASSERT_TRUE(false);
	}
	ASSERT_EQ(kfp_scenario_run(&scenario, (unsigned int)d, &options, &run), 0);
	kfp_seam_use_sequential(test_kvm_reports());
	if (run.explore.has_counterexample)
		kfp_test_diag("counterexample %s", run.explore.counterexample);
}

static void assert_no_violation(void)
{
	unsigned int p;

	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		ASSERT_EQ(run.explore.executions_with_violation[p], 0);
	ASSERT_TRUE(run.explore.complete);
}

/*
 * A vCPU reads a shmem page while MADV_PAGEOUT reclaims it.  Before the
 * fix reclaim cleared the pte a second time after the invalidation had
 * ended: a fault that mapped the page again in between lost its pte with
 * no notifier, KVM kept an spte to it (P3) and the put hit a pte that was
 * no longer there (P1).  Now the refault waits for the folio lock: it maps
 * the folio reclaim had to keep, or reads the stored content into a new one.
 */
TEST(host_model_shmem_reclaim_never_clears_a_refaulted_pte)
{
	static const char text[] = "name test_host_model\n"
				   "object mem shmem 4\n"
				   "setup {\n"
				   "\tmmap 0x10000 4 rw shared mem\n"
				   "\tmemslot 0 gfn 0 pages 4 hva 0x10000\n"
				   "\thost-write 0x11000 7\n"
				   "}\n"
				   "thread vcpu0 vcpu {\n"
				   "\tr = read gfn 1\n"
				   "}\n"
				   "thread host {\n"
				   "\treclaim 0x10000 4\n"
				   "}\n"
				   "expect upstream {\n"
				   "\tnever P1\n"
				   "\tnever P3\n"
				   "\talways vcpu0.r == 7\n"
				   "}\n";

	explore_text(text, "upstream");
	assert_no_violation();
	ASSERT_TRUE(run.expectations_met);
	ASSERT_GT(run.explore.executions, 1);
	kfp_scenario_run_release(&run);
}

/*
 * virt/kvm/kvm_main.c kvm_put_kvm(): closing the VM fd while a vCPU fd is
 * open does not destroy the VM; the vCPU keeps its memslots until its own
 * fd goes.  Before the fix the close destroyed the VM at once and a read
 * after it found no memslot (an MMIO exit).
 */
TEST(host_model_vm_outlives_its_fd_while_a_vcpu_runs)
{
	static const char text[] = "name test_host_model\n"
				   "setup {\n"
				   "\tmmap 0x10000 4 rw anon\n"
				   "\tmemslot 0 gfn 0 pages 4 hva 0x10000\n"
				   "\thost-write 0x11000 7\n"
				   "}\n"
				   "thread vcpu0 vcpu {\n"
				   "\tr1 = read gfn 1\n"
				   "\tr2 = read gfn 1\n"
				   "}\n"
				   "thread vmm {\n"
				   "\tvm-teardown\n"
				   "}\n"
				   "expect upstream {\n"
				   "\toutcome of vcpu0.r1 is ok\n"
				   "\toutcome of vcpu0.r2 is ok\n"
				   "\talways vcpu0.r2 == 7\n"
				   "}\n";

	explore_text(text, "upstream");
	assert_no_violation();
	ASSERT_TRUE(run.expectations_met);
	kfp_scenario_run_release(&run);
}

/* The last of the VM fd and the vCPU fds destroys the VM, whichever it is. */
TEST(host_model_last_put_destroys_the_vm)
{
	struct kvm *kvm = test_kvm();

	test_world(&kvm_design_upstream);
	test_setup_anon();
	ASSERT_EQ(kvm->users_count, 1 + (long)kvm->nr_vcpus);
	while (kvm->users_count > 1) {
		kvm_put_kvm(kvm);
		ASSERT_FALSE(kvm->dead);
	}
	kvm_put_kvm(kvm);
	ASSERT_TRUE(kvm->dead);
	kfp_check_final(kvm);
	ASSERT_CLEAN();
}
