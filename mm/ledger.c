// SPDX-License-Identifier: GPL-2.0
/*
 * The reference ledger (SPEC §3, P1).
 *
 * The kernel only counts references; the model also records who holds each
 * one.  An entry is one (folio head, owner) pair with the references and
 * pins that owner holds.  From it the checker derives what each refcount
 * must be: refs + pins x GUP_PIN_COUNTING_BIAS on a small folio, refs +
 * pins (and _pincount = pins) on a large one (mm/gup.c try_grab_folio()).
 */
#include <string.h>

#include <kfp/mm.h>

static struct kfp_ledger_entry *ledger_find(struct kfp_ledger *ledger, kfp_pfn_t pfn,
					    kfp_owner_t owner)
{
	unsigned int i;

	for (i = 0; i < ledger->nr_entries; i++)
		if (ledger->entry[i].pfn == pfn && ledger->entry[i].owner == owner)
			return &ledger->entry[i];
	return NULL;
}

/*
 * Entries are kept sorted by (folio, owner), and a slot past the end is
 * all zeroes: the same references held make the same bytes, whatever the
 * order they were taken in.  Reports walk the ledger, so they come out in
 * a stable order too.
 */
static bool entry_before(const struct kfp_ledger_entry *entry, kfp_pfn_t pfn, kfp_owner_t owner)
{
	return entry->pfn < pfn || (entry->pfn == pfn && entry->owner < owner);
}

static void ledger_remove(struct kfp_ledger *ledger, struct kfp_ledger_entry *entry)
{
	unsigned int i = (unsigned int)(entry - ledger->entry);

	memmove(&ledger->entry[i], &ledger->entry[i + 1],
		(ledger->nr_entries - i - 1) * sizeof(*entry));
	ledger->nr_entries--;
	memset(&ledger->entry[ledger->nr_entries], 0, sizeof(*entry));
}

static struct kfp_ledger_entry *ledger_insert(struct kfp_ledger *ledger, kfp_pfn_t pfn,
					      kfp_owner_t owner)
{
	unsigned int i = 0;

	while (i < ledger->nr_entries && entry_before(&ledger->entry[i], pfn, owner))
		i++;
	memmove(&ledger->entry[i + 1], &ledger->entry[i],
		(ledger->nr_entries - i) * sizeof(ledger->entry[0]));
	ledger->nr_entries++;
	memset(&ledger->entry[i], 0, sizeof(ledger->entry[i]));
	ledger->entry[i].pfn = (u16)pfn;
	ledger->entry[i].owner = owner;
	return &ledger->entry[i];
}

void kfp_ledger_add(struct kfp_mm *mm, kfp_pfn_t head, kfp_owner_t owner, int refs, int pins)
{
	struct kfp_ledger *ledger = &mm->ledger;
	struct kfp_ledger_entry *entry = ledger_find(ledger, head, owner);

	if (!entry) {
		if (ledger->nr_entries >= KFP_MAX_LEDGER) {
			kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_MODEL_BUG, head, owner, 0,
				   "ledger full");
			return;
		}
		entry = ledger_insert(ledger, head, owner);
	}
	entry->refs = (s16)(entry->refs + refs);
	entry->pins = (s16)(entry->pins + pins);
	if (!entry->refs && !entry->pins)
		ledger_remove(ledger, entry);
}

int kfp_ledger_refs(const struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner)
{
	const struct kfp_ledger_entry *entry;

	entry = ledger_find((struct kfp_ledger *)&mm->ledger, compound_head_pfn(mm, pfn), owner);
	return entry ? entry->refs : 0;
}

int kfp_ledger_pins(const struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner)
{
	const struct kfp_ledger_entry *entry;

	entry = ledger_find((struct kfp_ledger *)&mm->ledger, compound_head_pfn(mm, pfn), owner);
	return entry ? entry->pins : 0;
}

static int ledger_pins_on(const struct kfp_mm *mm, kfp_pfn_t head)
{
	int pins = 0;
	unsigned int i;

	for (i = 0; i < mm->ledger.nr_entries; i++)
		if (mm->ledger.entry[i].pfn == head)
			pins += mm->ledger.entry[i].pins;
	return pins;
}

int kfp_ledger_expected_refcount(const struct kfp_mm *mm, kfp_pfn_t head)
{
	int expected = 0;
	unsigned int i;
	bool large;

	if (head >= KFP_NR_PFNS)
		return 0;
	large = mm->page[head].flags & PG_head;

	for (i = 0; i < mm->ledger.nr_entries; i++) {
		const struct kfp_ledger_entry *entry = &mm->ledger.entry[i];

		if (entry->pfn != head)
			continue;
		expected += entry->refs + entry->pins * (large ? 1 : (int)GUP_PIN_COUNTING_BIAS);
	}
	return expected;
}

/* One page: its refcount and _pincount must be what the ledger says. */
bool kfp_ledger_check_page(struct kfp_mm *mm, kfp_pfn_t pfn)
{
	const struct kfp_page *page;
	bool ok = true;
	int expected;

	if (!pfn_valid(mm, pfn))
		return true;
	page = &mm->page[pfn];
	if (page->flags & PG_tail) {
		/* include/linux/page_ref.h: a tail's own _refcount stays 0; page_count() reads the head */
		if (page->refcount == 0)
			return true;
		kfp_report(kfp_mismatch_blame(mm, pfn), KFP_REPORT_REFCOUNT_MISMATCH, pfn, 0,
			   page->refcount, "ledger check (tail)");
		return false;
	}
	expected = kfp_ledger_expected_refcount(mm, pfn);
	if (page->refcount != expected) {
		kfp_report(kfp_mismatch_blame(mm, pfn), KFP_REPORT_REFCOUNT_MISMATCH, pfn, 0,
			   page->refcount, "ledger check");
		ok = false;
	}
	if ((page->flags & PG_head) && page->pincount != ledger_pins_on(mm, pfn)) {
		kfp_report(kfp_mismatch_blame(mm, pfn), KFP_REPORT_PINCOUNT_MISMATCH, pfn, 0,
			   page->pincount, "ledger check");
		ok = false;
	}
	return ok;
}

/* Every page; returns the number of pages whose counts disagree. */
unsigned int kfp_ledger_check(struct kfp_mm *mm)
{
	unsigned int bad = 0;
	kfp_pfn_t pfn;

	for (pfn = 0; pfn < KFP_NR_PFNS; pfn++)
		if (!kfp_ledger_check_page(mm, pfn))
			bad++;
	return bad;
}

/* At the end of a scenario: owners of @kind must hold nothing. */
unsigned int kfp_ledger_check_leaks(struct kfp_mm *mm, enum kfp_owner_kind kind)
{
	unsigned int i, leaks = 0;

	for (i = 0; i < mm->ledger.nr_entries; i++) {
		const struct kfp_ledger_entry *entry = &mm->ledger.entry[i];

		if (mm->ledger.owner[entry->owner].kind != kind)
			continue;
		if (entry->refs <= 0 && entry->pins <= 0)
			continue;
		kfp_report(KFP_PROPERTY_P1, KFP_REPORT_LEAK, entry->pfn, entry->owner,
			   entry->refs + entry->pins, "teardown");
		leaks++;
	}
	return leaks;
}

unsigned int kfp_ledger_owner_holds(const struct kfp_mm *mm, kfp_owner_t owner)
{
	unsigned int i, n = 0;

	for (i = 0; i < mm->ledger.nr_entries; i++)
		if (mm->ledger.entry[i].owner == owner)
			n += (unsigned int)(mm->ledger.entry[i].refs + mm->ledger.entry[i].pins);
	return n;
}
