// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "kvm_fixture.h"
#include "trigger.h"

static struct kfp_world world;

struct kfp_world *test_world(const struct kvm_design *design)
{
	ASSERT_EQ(kfp_world_init(&world, design, 2, 2), 0);
	test_trigger_install(&world.reports);
	return &world;
}

struct kvm *test_kvm(void)
{
	return &world.kvm;
}

struct kfp_mm *test_kvm_mm(void)
{
	return &world.mm;
}

struct kvm_vcpu *test_vcpu(unsigned int id)
{
	return &world.kvm.vcpu[id];
}

struct kfp_reports *test_kvm_reports(void)
{
	return &world.reports;
}

void test_memslot(unsigned int id, gfn_t gfn, u64 npages, u64 hva, u32 flags)
{
	ASSERT_EQ(kvm_set_memory_region(&world.kvm, 0, id, flags, gfn, npages, hva), 0);
}

int test_object_of(enum kfp_memory_object_kind kind, unsigned int nr_pages)
{
	int id = kfp_memory_object_create(&world.mm, kind, nr_pages);

	ASSERT_GE(id, 0);
	return id;
}

void test_map(u64 addr, u64 pages, unsigned int prot, unsigned int flags, enum kfp_backing backing,
	      int object)
{
	struct kfp_mmap_args args = { addr, PG(pages), prot, flags, backing, object, 0 };

	ASSERT_EQ(kfp_mmap(&world.mm, &args), 0);
}

void test_trigger(const char *what, unsigned int nth, test_action action, void *arg)
{
	test_trigger_arm(what, nth, action, arg);
}

bool test_trigger_fired(void)
{
	return test_trigger_has_fired();
}

unsigned int test_count(enum kfp_report_kind kind, bool accepted)
{
	unsigned int i, n = 0;

	for (i = 0; i < world.reports.count; i++)
		if (world.reports.report[i].kind == kind &&
		    !!world.reports.report[i].accepted == accepted)
			n++;
	return n;
}

void test_dump(void)
{
	unsigned int i;

	for (i = 0; i < world.reports.count; i++) {
		const struct kfp_report *r = &world.reports.report[i];

		kfp_test_diag("report %u: %s%s: %s (%s), pfn %lld, owner %s, step %u", i,
			      kfp_property_name(r->property), r->accepted ? " accepted" : "",
			      kfp_report_kind_name(r->kind), r->what ? r->what : "?",
			      (long long)r->pfn, kfp_owner_name(&world.mm, r->owner), r->step);
	}
}

void test_setup_anon(void)
{
	test_map(PG(16), 4, PROT_READ | PROT_WRITE, 0, KFP_BACKING_ANON, -1);
	test_memslot(0, 0, 4, PG(16), 0);
	ASSERT_EQ(kfp_host_write(&world.mm, PG(17), 7), 0);
}

kfp_pfn_t test_host_pfn(u64 hva)
{
	kfp_pfn_t pfn = KFP_PFN_NONE;
	bool writable;

	if (!kfp_host_translate(&world.mm, hva, &pfn, &writable))
		return KFP_PFN_NONE;
	return pfn;
}

void test_finish(void)
{
	kvm_destroy_vm(&world.kvm);
	kfp_check_final(&world.kvm);
}
