/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two races of the model as explorer programs, shared by the tests and the
 * benchmark: the guest fault against munmap + MAP_FIXED remap, and a
 * gfn->pfn cache refresh against the same invalidation.
 */
#ifndef KFP_TEST_RACE_PROGRAMS_H
#define KFP_TEST_RACE_PROGRAMS_H

#include <kfp/check.h>
#include <kfp/explore.h>

struct race_state {
	struct kfp_world world;
	u64 value[2];
	int outcome[2];
};

extern struct race_state race_state;

/* Set race_state up for the race and fill @program; @inject goes to kvm->inject. */
int race_fault_vs_munmap(struct kfp_program *program, unsigned int inject);
int race_gpc_refresh_vs_invalidation(struct kfp_program *program, unsigned int inject);

#endif /* KFP_TEST_RACE_PROGRAMS_H */
