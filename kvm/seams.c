// SPDX-License-Identifier: GPL-2.0
/*
 * Test seams: each answers how one step of upstream's code goes, as
 * upstream does.  They are weak so that the unit tests can link a broken
 * answer over them (tests/lib/seeded.c) for a bug seeded only for a test,
 * which then has no name, no injection bit and no branch of its own in
 * the library (docs/model.md, "Failure injection").
 */
#include "internal.h"

/* arch/x86/kvm/mmu/mmu.c kvm_mmu_faultin_pfn(): the snapshot precedes the lookup */
__attribute__((weak)) bool kvm_seam_faultin_snapshot_first(const struct kvm *kvm)
{
	(void)kvm;
	return true;
}

/* arch/x86/kvm/mmu/mmu.c kvm_tdp_mmu_page_fault(): kvm_mmu_finish_page_fault() after the map */
__attribute__((weak)) bool kvm_seam_faultin_release_after_map(const struct kvm *kvm)
{
	(void)kvm;
	return true;
}

/* arch/x86/kvm/mmu/mmu.c kvm_mmu_finish_page_fault(): one kvm_release_faultin_page() */
__attribute__((weak)) unsigned int kvm_seam_faultin_releases(const struct kvm *kvm)
{
	(void)kvm;
	return 1;
}

/* kvm/design/proposal.c: the invalidation marks the pages it hits (KVM_REQ_APIC_PAGE_RELOAD) */
__attribute__((weak)) bool kvm_seam_gfn_to_page_reload(const struct kvm *kvm)
{
	(void)kvm;
	return true;
}

/* kvm/design/proposal.c (e): ->release invalidates every cache and kept mapping */
__attribute__((weak)) bool kvm_seam_release_invalidates(const struct kvm *kvm)
{
	(void)kvm;
	return true;
}
