/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bugs seeded only for the unit tests (docs/model.md, "Failure
 * injection"): tests/lib/seeded.c links a broken answer over one of the
 * library's test seams (kvm/seams.c) while a test asks for it.  A bug
 * that a bundled scenario names is an injection instead (kvm/injection.c).
 */
#ifndef KFP_TEST_SEEDED_H
#define KFP_TEST_SEEDED_H

#include <kfp/kvm.h>

enum test_seed {
	/* the fault reads mmu_invalidate_seq after the lookup (reference §3.5 #7) */
	TEST_SEED_SNAPSHOT_AFTER_GUP = BIT(0),
	/* the fault puts its page, clean, before taking mmu_lock */
	TEST_SEED_RELEASE_BEFORE_SPTE = BIT(1),
	/* the fault releases its page twice */
	TEST_SEED_DOUBLE_RELEASE = BIT(2),
	/*
	 * the proposal's invalidation leaves __gfn_to_page() pages valid (no
	 * KVM_REQ_APIC_PAGE_RELOAD-style mark), while they hold no reference
	 */
	TEST_SEED_GFN_TO_PAGE_NO_RELOAD = BIT(3),
	/* the proposal's ->release leaves gfn->pfn caches valid, as upstream's */
	TEST_SEED_RELEASE_KEEPS_CACHES = BIT(4),
};

/*
 * Seed @bugs (enum test_seed bits) in every VM until the test ends (the
 * harness unseeds before each test) or test_seed() says otherwise.
 */
void test_seed(unsigned int bugs);
/* The bugs seeded now. */
unsigned int test_seeded(void);

#endif /* KFP_TEST_SEEDED_H */
