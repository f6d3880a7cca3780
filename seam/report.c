// SPDX-License-Identifier: GPL-2.0
/*
 * The violation log.  Reports go to the log of the seam in force, tagged
 * with the step and thread that made them, so that a trace can point at the
 * exact step where a property broke.
 */
#include <string.h>

#include <kfp/report.h>
#include <kfp/seam.h>

static const char *const property_names[KFP_NR_PROPERTIES] = {
	[KFP_PROPERTY_P1] = "P1",
	[KFP_PROPERTY_P2] = "P2",
	[KFP_PROPERTY_P3] = "P3",
	[KFP_PROPERTY_INVARIANT] = "invariant",
};

static const struct {
	const char *name;
	enum kfp_property property;
} kinds[KFP_NR_REPORT_KINDS] = {
	[KFP_REPORT_REFCOUNT_MISMATCH] = { "refcount differs from the ledger", KFP_PROPERTY_P1 },
	[KFP_REPORT_PINCOUNT_MISMATCH] = { "pincount differs from the ledger", KFP_PROPERTY_P1 },
	[KFP_REPORT_PUT_NOT_OWNED] = { "put of a reference the owner does not hold",
				       KFP_PROPERTY_P1 },
	[KFP_REPORT_GET_ON_ZERO] = { "reference taken on a refcount-0 page", KFP_PROPERTY_P1 },
	[KFP_REPORT_LEAK] = { "reference leaked at teardown", KFP_PROPERTY_P1 },
	[KFP_REPORT_UNDERFLOW] = { "refcount underflow", KFP_PROPERTY_P1 },
	[KFP_REPORT_REF_ON_NO_PAGE] = { "reference on a pfn without struct page", KFP_PROPERTY_P1 },
	[KFP_REPORT_ACCESS_FREED] = { "access to a freed page", KFP_PROPERTY_P2 },
	[KFP_REPORT_ACCESS_REALLOCATED] = { "access to a reallocated page", KFP_PROPERTY_P2 },
	[KFP_REPORT_ACCESS_RELEASED] = { "access to released device memory", KFP_PROPERTY_P2 },
	[KFP_REPORT_ACCESS_UNPROTECTED] = { "access without reference, pin or notifier",
					    KFP_PROPERTY_P2 },
	[KFP_REPORT_STALE_PFN] = { "access through a stale pfn", KFP_PROPERTY_P3 },
	[KFP_REPORT_STALE_UNMAPPED] = { "access through a translation of an unmapped hva",
					KFP_PROPERTY_P3 },
	[KFP_REPORT_STALE_PERMISSION] = { "write through a translation the host made read-only",
					  KFP_PROPERTY_P3 },
	[KFP_REPORT_STALE_GFN] = { "access through a translation of another gfn", KFP_PROPERTY_P3 },
	[KFP_REPORT_LOCK_NOT_HELD] = { "lock not held", KFP_PROPERTY_INVARIANT },
	[KFP_REPORT_UNLOCK_NOT_HELD] = { "unlock of a lock not held", KFP_PROPERTY_INVARIANT },
	[KFP_REPORT_DEADLOCK] = { "deadlock", KFP_PROPERTY_INVARIANT },
	[KFP_REPORT_COUNTER_NEGATIVE] = { "counter went negative", KFP_PROPERTY_INVARIANT },
	[KFP_REPORT_UNBALANCED] = { "unbalanced begin/end", KFP_PROPERTY_INVARIANT },
	[KFP_REPORT_MODEL_BUG] = { "model inconsistency", KFP_PROPERTY_INVARIANT },
	[KFP_REPORT_MEMSLOT_VIEW] = { "kvm_vcpu_map and kvm_vcpu_unmap used different memslots",
				      KFP_PROPERTY_INVARIANT },
	[KFP_REPORT_WARN] = { "WARN_ON in the kernel tree's code", KFP_PROPERTY_INVARIANT },
};

void kfp_reports_init(struct kfp_reports *reports)
{
	memset(reports, 0, sizeof(*reports));
}

const char *kfp_property_name(enum kfp_property property)
{
	if ((unsigned int)property >= KFP_NR_PROPERTIES)
		return "?";
	return property_names[property];
}

const char *kfp_report_kind_name(enum kfp_report_kind kind)
{
	if ((unsigned int)kind >= KFP_NR_REPORT_KINDS)
		return "?";
	return kinds[kind].name;
}

enum kfp_property kfp_report_kind_property(enum kfp_report_kind kind)
{
	if ((unsigned int)kind >= KFP_NR_REPORT_KINDS)
		return KFP_PROPERTY_INVARIANT;
	return kinds[kind].property;
}

static void log_report(enum kfp_property property, enum kfp_report_kind kind, kfp_pfn_t pfn,
		       kfp_owner_t owner, s64 value, const char *what, bool accepted)
{
	struct kfp_reports *reports = kfp_seam.reports;
	struct kfp_report *report;

	if (!reports)
		return;
	/* counted before the log can refuse it: the verdict reads the counts */
	reports->by_property[property]++;
	if (accepted)
		reports->accepted_by_property[property]++;
	if (reports->count >= KFP_MAX_REPORTS) {
		reports->dropped++;
		return;
	}
	report = &reports->report[reports->count++];
	report->property = property;
	report->kind = kind;
	report->thread = (s8)kfp_current_thread();
	report->accepted = accepted;
	report->owner = owner;
	report->step = reports->step;
	report->pfn = pfn;
	report->value = value;
	report->what = what;
}

void kfp_report(enum kfp_property property, enum kfp_report_kind kind, kfp_pfn_t pfn,
		kfp_owner_t owner, s64 value, const char *what)
{
	log_report(property, kind, pfn, owner, value, what, false);
}

void kfp_report_accepted(enum kfp_property property, enum kfp_report_kind kind, kfp_pfn_t pfn,
			 kfp_owner_t owner, s64 value, const char *what)
{
	log_report(property, kind, pfn, owner, value, what, true);
}

u32 kfp_reports_violations(const struct kfp_reports *reports, enum kfp_property property)
{
	return reports->by_property[property] - reports->accepted_by_property[property];
}

u32 kfp_reports_accepted(const struct kfp_reports *reports, enum kfp_property property)
{
	return reports->accepted_by_property[property];
}

unsigned int kfp_reports_count_kind(const struct kfp_reports *reports, enum kfp_report_kind kind)
{
	unsigned int i, n = 0;

	for (i = 0; i < reports->count; i++)
		if (reports->report[i].kind == kind)
			n++;
	return n;
}

bool kfp_reports_have(const struct kfp_reports *reports, enum kfp_report_kind kind)
{
	return kfp_reports_count_kind(reports, kind) != 0;
}
