/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checker (SPEC §3): P1 from the mm's ledger, P2 and P3 at every access
 * through a KVM translation, and the internal invariants.  Violations a
 * design documents as accepted are marked so, not counted as violations.
 */
#ifndef KFP_CHECK_H
#define KFP_CHECK_H

#include <kfp/kvm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Everything one execution needs, in one arena that can be copied. */
/*
 * The order is the stateful search's: it compares, at every state, the
 * pages of the arena a search ever wrote (explore/arena_watch.c), and a
 * scenario writes a few fields and the first entries of the arrays.  So
 * the small fields come first, each array's first entries as close to
 * them as the arrays allow, and the long tails last.
 */
struct kfp_world {
	struct kfp_reports reports;
	struct kvm kvm;
	struct kfp_mm mm;
};

/* Set a world up: mm, VM with @design, checker attached, sequential seam. */
int kfp_world_init(struct kfp_world *world, const struct kvm_design *design, unsigned int nr_vcpus,
		   unsigned int nr_gpcs);

/* Install the checker's access hook on @kvm. */
void kfp_check_attach(struct kvm *kvm);
/* End of an execution: the ledger, leaks of KVM owners, balanced counters. */
void kfp_check_final(struct kvm *kvm);

/* One execution's reports, per property: those the design does not accept, and those it does. */
struct kfp_verdict {
	u32 violations[KFP_NR_PROPERTIES]; /* not accepted */
	u32 accepted[KFP_NR_PROPERTIES];
};

/*
 * The only classifier of reports: the explorer counts an execution as
 * violating P when violations[P] != 0 and as accepting P when
 * accepted[P] != 0 (both may hold); everything above (scenario/verdict.c)
 * judges those counts.  From the counters, so that no report past the
 * log's capacity escapes.
 */
void kfp_verdict_of(const struct kfp_reports *reports, struct kfp_verdict *verdict);

#ifdef __cplusplus
}
#endif

#endif /* KFP_CHECK_H */
