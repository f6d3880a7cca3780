// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "race_programs.h"

struct race_state race_state;

#define HVA 0x10000ULL
#define GFN 1

/*
 *   hva 0x10000..0x14000 private anon rw, memslot 0 gfn 0..4
 *   host:  write 7 at gfn 1's hva; later munmap, mmap MAP_FIXED, write 99
 *   vcpu0: guest read of gfn 1, twice
 */
static int setup_anon(unsigned int inject, unsigned int nr_gpcs)
{
	struct kfp_world *w = &race_state.world;
	struct kfp_mmap_args args = { HVA, 4 * PAGE_SIZE,    PROT_READ | PROT_WRITE,
				      0,   KFP_BACKING_ANON, -1,
				      0 };
	int ret;

	memset(&race_state, 0, sizeof(race_state));
	ret = kfp_world_init(w, &kvm_design_upstream, 1, nr_gpcs);
	if (!ret)
		ret = kfp_mmap(&w->mm, &args);
	if (!ret)
		ret = kvm_set_memory_region(&w->kvm, 0, 0, 0, 0, 4, HVA);
	if (!ret)
		ret = kfp_host_write(&w->mm, HVA + GFN * PAGE_SIZE, 7);
	w->kvm.inject = inject;
	return ret;
}

static void host_remap(void *state, void *arg)
{
	struct race_state *s = state;
	struct kfp_mmap_args args = {
		HVA, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, KFP_MAP_FIXED, KFP_BACKING_ANON, -1, 0
	};

	(void)arg;
	kfp_munmap(&s->world.mm, HVA, 4 * PAGE_SIZE);
	kfp_mmap(&s->world.mm, &args);
	kfp_host_write(&s->world.mm, HVA + GFN * PAGE_SIZE, 99);
}

static void vcpu_reads_twice(void *state, void *arg)
{
	struct race_state *s = state;
	struct kvm *kvm = &s->world.kvm;

	(void)arg;
	s->outcome[0] = kvm_guest_access(kvm, &kvm->vcpu[0], GFN, false, &s->value[0]);
	s->outcome[1] = kvm_guest_access(kvm, &kvm->vcpu[0], GFN, false, &s->value[1]);
}

static void gpc_reads_twice(void *state, void *arg)
{
	struct race_state *s = state;
	struct kvm *kvm = &s->world.kvm;

	(void)arg;
	s->outcome[0] = kvm_gpc_activate(kvm, 0, GFN * PAGE_SIZE, 8);
	if (s->outcome[0])
		return;
	s->outcome[0] = kvm_gpc_access(kvm, 0, false, &s->value[0]);
	s->outcome[1] = kvm_gpc_access(kvm, 0, false, &s->value[1]);
	kvm_gpc_deactivate(kvm, 0);
}

static void at_end(void *state, void *arg)
{
	struct race_state *s = state;

	(void)arg;
	kvm_destroy_vm(&s->world.kvm);
	kfp_check_final(&s->world.kvm);
}

static void fill(struct kfp_program *program, void (*kvm_side)(void *state, void *arg))
{
	memset(program, 0, sizeof(*program));
	program->state = &race_state;
	program->state_size = sizeof(race_state);
	program->reports = &race_state.world.reports;
	program->nr_threads = 2;
	strcpy(program->thread[0].name, "vcpu0");
	program->thread[0].fn = kvm_side;
	strcpy(program->thread[1].name, "host");
	program->thread[1].fn = host_remap;
	program->at_end = at_end;
}

int race_fault_vs_munmap(struct kfp_program *program, unsigned int inject)
{
	fill(program, vcpu_reads_twice);
	return setup_anon(inject, 0);
}

int race_gpc_refresh_vs_invalidation(struct kfp_program *program, unsigned int inject)
{
	fill(program, gpc_reads_twice);
	return setup_anon(inject, 1);
}
