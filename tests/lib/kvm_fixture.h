/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixtures for the KVM-layer tests: a world (mm + VM + checker) per test,
 * helpers for memslots, and a trigger seam that runs a host operation, as
 * another thread, just before the N-th visible step with a given label:
 * the way these tests drive an interleaving by hand.
 */
#ifndef KFP_TEST_KVM_FIXTURE_H
#define KFP_TEST_KVM_FIXTURE_H

#include <kfp/check.h>

#include "harness.h"
#include "trigger.h"

#define PG(n) ((u64)(n) << PAGE_SHIFT)

struct kfp_world *test_world(const struct kvm_design *design);
struct kvm *test_kvm(void);
struct kfp_mm *test_kvm_mm(void);
struct kvm_vcpu *test_vcpu(unsigned int id);

/* A memslot in address space 0: gfns [gfn, gfn+npages) at hva. */
void test_memslot(unsigned int id, gfn_t gfn, u64 npages, u64 hva, u32 flags);
int test_object_of(enum kfp_memory_object_kind kind, unsigned int nr_pages);
void test_map(u64 addr, u64 pages, unsigned int prot, unsigned int flags, enum kfp_backing backing,
	      int object);

/* Run @action(@arg) as thread 1 before the @nth step labelled @what. */
void test_trigger(const char *what, unsigned int nth, test_action action, void *arg);
bool test_trigger_fired(void);

unsigned int test_count(enum kfp_report_kind kind, bool accepted);

/*
 *  hva 0x10000 .. 0x14000  private anon, rw; 0x11000 holds 7
 *  gfn 0 .. 4              memslot 0 -> hva 0x10000
 */
void test_setup_anon(void);
/* The pfn the host maps at @hva, or KFP_PFN_NONE. */
kfp_pfn_t test_host_pfn(u64 hva);
/* Tear the VM down and run the end-of-execution checks. */
void test_finish(void);
void test_dump(void);

#define ASSERT_CLEAN()                                   \
	do {                                             \
		if (test_kvm_reports()->count)           \
			test_dump();                     \
		ASSERT_EQ(test_kvm_reports()->count, 0); \
	} while (0)
#define ASSERT_VIOLATION(kind) ASSERT_GT(test_count(kind, false), 0)
#define ASSERT_ACCEPTED(kind) ASSERT_GT(test_count(kind, true), 0)
#define ASSERT_NO_VIOLATION(kind) ASSERT_EQ(test_count(kind, false), 0)

struct kfp_reports *test_kvm_reports(void);

#endif /* KFP_TEST_KVM_FIXTURE_H */
