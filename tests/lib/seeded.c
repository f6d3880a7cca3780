// SPDX-License-Identifier: GPL-2.0
/*
 * The test side of the library's seams (kvm/seams.c): while a test seeds
 * a bug, the seam it lives behind answers as the broken code did;
 * otherwise as upstream does, as the library's weak definitions answer.
 */
#include "seeded.h"

static unsigned int seeded;

void test_seed(unsigned int bugs)
{
	seeded = bugs;
}

unsigned int test_seeded(void)
{
	return seeded;
}

bool kvm_seam_faultin_snapshot_first(const struct kvm *kvm)
{
	(void)kvm;
	return !(seeded & TEST_SEED_SNAPSHOT_AFTER_GUP);
}

bool kvm_seam_faultin_release_after_map(const struct kvm *kvm)
{
	(void)kvm;
	return !(seeded & TEST_SEED_RELEASE_BEFORE_SPTE);
}

unsigned int kvm_seam_faultin_releases(const struct kvm *kvm)
{
	(void)kvm;
	return seeded & TEST_SEED_DOUBLE_RELEASE ? 2 : 1;
}

bool kvm_seam_gfn_to_page_reload(const struct kvm *kvm)
{
	(void)kvm;
	return !(seeded & TEST_SEED_GFN_TO_PAGE_NO_RELOAD);
}

bool kvm_seam_release_invalidates(const struct kvm *kvm)
{
	(void)kvm;
	return !(seeded & TEST_SEED_RELEASE_KEEPS_CACHES);
}
