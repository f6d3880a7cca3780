/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Violation reports.
 *
 * The model never crashes on an inconsistency: it records a report naming
 * the property, what went wrong, the pfn, the owner involved and the step,
 * and carries on.  The checker (check/) reads and classifies them.  The log
 * is plain data in the world arena.
 */
#ifndef KFP_REPORT_H
#define KFP_REPORT_H

#include <kfp/types.h>

#ifdef __cplusplus
extern "C" {
#endif

enum kfp_property {
	KFP_PROPERTY_P1, /* refcounts are never corrupted */
	KFP_PROPERTY_P2, /* no access to a pfn after it was freed */
	KFP_PROPERTY_P3, /* no use of a stale hva->pfn translation */
	KFP_PROPERTY_INVARIANT, /* lock discipline, counters, model sanity */
	KFP_NR_PROPERTIES,
};

enum kfp_report_kind {
	/* P1, from the ledger */
	KFP_REPORT_REFCOUNT_MISMATCH, /* refcount != what the ledger says */
	KFP_REPORT_PINCOUNT_MISMATCH, /* _pincount != pins in the ledger */
	KFP_REPORT_PUT_NOT_OWNED, /* put/unpin by an owner holding nothing */
	KFP_REPORT_GET_ON_ZERO, /* reference taken on a refcount-0 page */
	KFP_REPORT_LEAK, /* a KVM owner still holds something at the end */
	KFP_REPORT_UNDERFLOW, /* refcount went below zero */
	KFP_REPORT_REF_ON_NO_PAGE, /* a get/put on a pfn without struct page */
	/* P2 */
	KFP_REPORT_ACCESS_FREED, /* access to a freed page */
	KFP_REPORT_ACCESS_REALLOCATED, /* access to a page given to another owner */
	KFP_REPORT_ACCESS_RELEASED, /* access to released device memory */
	KFP_REPORT_ACCESS_UNPROTECTED, /* no reference, pin or notifier protection */
	/* P3 */
	KFP_REPORT_STALE_PFN, /* the host maps another pfn at that hva */
	KFP_REPORT_STALE_UNMAPPED, /* the host maps nothing at that hva */
	KFP_REPORT_STALE_PERMISSION, /* write through a translation the host made read-only */
	KFP_REPORT_STALE_GFN, /* the translation belongs to another gfn than the one accessed */
	/* invariants */
	KFP_REPORT_LOCK_NOT_HELD, /* lockdep_assert_held() failed */
	KFP_REPORT_UNLOCK_NOT_HELD, /* unlock of a lock the thread does not hold */
	KFP_REPORT_DEADLOCK, /* a thread waits for a lock nobody can release */
	KFP_REPORT_COUNTER_NEGATIVE, /* e.g. mmu_invalidate_in_progress < 0 */
	KFP_REPORT_UNBALANCED, /* begin/end or start/end not paired */
	KFP_REPORT_MODEL_BUG, /* the model reached a state it must not */
	KFP_REPORT_MEMSLOT_VIEW, /* map and unmap looked the gfn up in different address spaces */
	KFP_REPORT_WARN, /* a kernel tree's WARN_ON()/BUG_ON() fired (--kernel-tree) */
	KFP_NR_REPORT_KINDS,
};

struct kfp_report {
	u8 property; /* enum kfp_property */
	u8 kind; /* enum kfp_report_kind */
	s8 thread; /* thread that made the step, or KFP_NO_THREAD */
	u8 accepted; /* the design documents this as accepted */
	kfp_owner_t owner;
	u16 pad;
	u32 step;
	u64 pfn;
	s64 value; /* kind-specific: refcount seen, expected value, ... */
	const char *what; /* a static label of the site: function or object */
};

/*
 * The log keeps the first KFP_MAX_REPORTS reports for the trace; the
 * counters count every report, logged or not, so that no capacity can hide
 * a property from a verdict.
 */
struct kfp_reports {
	u32 step; /* visible steps so far in this execution */
	u16 count; /* reports stored */
	u16 dropped; /* reports beyond KFP_MAX_REPORTS */
	u32 by_property[KFP_NR_PROPERTIES]; /* every report of the property */
	u32 accepted_by_property[KFP_NR_PROPERTIES]; /* of which the design accepts */
	struct kfp_report report[KFP_MAX_REPORTS];
};

void kfp_reports_init(struct kfp_reports *reports);
/* Record a report in the log of the seam in force. */
void kfp_report(enum kfp_property property, enum kfp_report_kind kind, kfp_pfn_t pfn,
		kfp_owner_t owner, s64 value, const char *what);
/* The same, for a report the design documents as accepted. */
void kfp_report_accepted(enum kfp_property property, enum kfp_report_kind kind, kfp_pfn_t pfn,
			 kfp_owner_t owner, s64 value, const char *what);
/* Reports of @property so far, logged or not: not accepted, and accepted. */
u32 kfp_reports_violations(const struct kfp_reports *reports, enum kfp_property property);
u32 kfp_reports_accepted(const struct kfp_reports *reports, enum kfp_property property);
const char *kfp_property_name(enum kfp_property property);
const char *kfp_report_kind_name(enum kfp_report_kind kind);
enum kfp_property kfp_report_kind_property(enum kfp_report_kind kind);
bool kfp_reports_have(const struct kfp_reports *reports, enum kfp_report_kind kind);
unsigned int kfp_reports_count_kind(const struct kfp_reports *reports, enum kfp_report_kind kind);

#ifdef __cplusplus
}
#endif

#endif /* KFP_REPORT_H */
