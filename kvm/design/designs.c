// SPDX-License-Identifier: GPL-2.0
/*
 * The design variants a scenario can name, in the order the matrix shows
 * them (oldest first once the historical designs exist).
 */
#include <string.h>

#include <kfp/kvm.h>

/* clang-format off */
#define BUILT_IN_DESIGNS	\
	&kvm_design_pre_cve,	\
	&kvm_design_legacy,	\
	&kvm_design_sketch,	\
	&kvm_design_v9,		\
	&kvm_design_upstream,	\
	&kvm_design_proposal
/* clang-format on */

/* room after the built-in ones for the designs --kernel-tree makes */
const struct kvm_design *kfp_designs[KFP_MAX_DESIGNS] = { BUILT_IN_DESIGNS };
unsigned int kfp_nr_designs = ARRAY_SIZE(((const struct kvm_design *[]){ BUILT_IN_DESIGNS }));

int kfp_design_add(const struct kvm_design *design)
{
	if (kfp_nr_designs == KFP_MAX_DESIGNS)
		return -1;
	kfp_designs[kfp_nr_designs] = design;
	return (int)kfp_nr_designs++;
}

int kfp_design_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < kfp_nr_designs; i++)
		if (!strcmp(kfp_designs[i]->name, name))
			return (int)i;
	return -1;
}
