// SPDX-License-Identifier: GPL-2.0
/*
 * Physical memory: struct pages, references, pins, allocation and freeing.
 *
 * Every change to a refcount goes through folio_ref_change(), which also
 * updates the ledger, so that the model's refcount and its record of who
 * holds what can only disagree when something corrupts one of them on
 * purpose (the P1 checker's tests do exactly that).
 *
 * Device pfns (no struct page) also have an entry in mm->page[]: the model
 * needs somewhere to keep their content and whether the driver released
 * them.  pfn_valid() tells whether the kernel would have a struct page.
 */
#include <kfp/mm.h>

static u32 page_object(kfp_pfn_t pfn)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, pfn);
}

bool pfn_valid(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	return pfn < KFP_NR_PFNS && mm->page[pfn].kind != KFP_PAGE_DEVICE_MMIO;
}

/* include/linux/page-flags.h compound_head(): tails point at the head. */
kfp_pfn_t compound_head_pfn(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	if (pfn >= KFP_NR_PFNS)
		return pfn;
	return mm->page[pfn].head;
}

/* include/linux/mm.h page_count(): the folio's count, read on the head. */
int page_count(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	if (!pfn_valid(mm, pfn))
		return 0;
	return mm->page[compound_head_pfn(mm, pfn)].refcount;
}

/* include/linux/page_ref.h page_ref_count(): this struct page's own count. */
int page_ref_count(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	if (!pfn_valid(mm, pfn))
		return 0;
	return mm->page[pfn].refcount;
}

bool PageReserved(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	return pfn_valid(mm, pfn) && (mm->page[pfn].flags & PG_reserved);
}

bool PageCompound(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	return pfn_valid(mm, pfn) && (mm->page[pfn].flags & (PG_head | PG_tail));
}

bool PageHWPoison(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	return pfn_valid(mm, pfn) && (mm->page[pfn].flags & PG_hwpoison);
}

bool is_zero_pfn(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	return pfn == mm->zero_pfn;
}

bool is_zone_device_page(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	return pfn_valid(mm, pfn) && mm->page[pfn].kind == KFP_PAGE_ZONE_DEVICE;
}

bool folio_test_large(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	return pfn_valid(mm, pfn) && (mm->page[compound_head_pfn(mm, pfn)].flags & PG_head);
}

/* include/linux/mm.h folio_maybe_dma_pinned() */
bool folio_maybe_dma_pinned(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	kfp_pfn_t head = compound_head_pfn(mm, pfn);

	if (!pfn_valid(mm, pfn))
		return false;
	if (folio_test_large(mm, pfn))
		return mm->page[head].pincount > 0;
	return (unsigned int)mm->page[head].refcount >= GUP_PIN_COUNTING_BIAS;
}

bool kfp_page_is_free(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	return pfn < KFP_NR_PFNS && (mm->page[pfn].flags & PG_free);
}

/*
 * The zone's free lists: which pfns the buddy allocator holds
 * (mm/page_alloc.c: zone->free_area[], changed only under zone->lock, by
 * rmqueue() -> __rmqueue_smallest() and by free_one_page() ->
 * __free_one_page()).  Every step that takes pages off the lists or puts
 * them back writes this object, so that two allocations, or an allocation
 * and a free, are ordered by the explorer: which run an allocation gets
 * depends on it.
 */
static u32 zone_object(void)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_ZONE, 0);
}

/*
 * mm/page_alloc.c: one critical section under zone->lock on the @nr pages
 * from @first (none: the lists alone), announced before it reads or writes
 * any of them.  A run of more pages than a footprint holds is reported by
 * the seam as a model bug, except where nothing interleaves (the
 * sequential seam: set-up creates TTM objects of up to 32 pages there).
 */
static void zone_lock_step(kfp_pfn_t first, unsigned int nr, const char *what)
{
	struct kfp_footprint footprint = { 0 };
	unsigned int i;

	kfp_footprint_add(&footprint, zone_object(), KFP_ACCESS_WRITE);
	for (i = 0; i < nr; i++)
		kfp_footprint_add(&footprint, page_object(first + i), KFP_ACCESS_WRITE);
	if (footprint.nr > KFP_FOOTPRINT_MAX && !kfp_seam.ops->point_footprint)
		footprint.nr = KFP_FOOTPRINT_MAX;
	kfp_shared_access_footprint(&footprint, what);
}

/* Free one page: poison it and bump its generation so stale users are seen. */
static void free_one_page(struct kfp_mm *mm, kfp_pfn_t pfn)
{
	struct kfp_page *page = &mm->page[pfn];

	page->flags = PG_free | (page->flags & (PG_hwpoison | PG_kvm_corrupted));
	page->refcount = 0;
	page->pincount = 0;
	page->head = (u16)pfn;
	page->order = 0;
	page->object = -1;
	page->index = -1;
	page->generation++;
	page->content = KFP_POISON_FREE;
	mm->stats.nr_frees++;
}

/* include/linux/mm.h folio_nr_pages() */
static unsigned int folio_nr_pages(const struct kfp_mm *mm, kfp_pfn_t head)
{
	return (mm->page[head].flags & PG_head) ? 1U << mm->page[head].order : 1;
}

static void __free_folio(struct kfp_mm *mm, kfp_pfn_t head)
{
	unsigned int nr = folio_nr_pages(mm, head), i;

	for (i = 0; i < nr; i++)
		free_one_page(mm, head + i);
}

/*
 * mm/swap.c __folio_put() -> mm/page_alloc.c free_unref_folios() /
 * free_one_page(), mm/memremap.c free_zone_device_folio(): give a folio
 * whose count reached zero back.  RAM returns to the allocator; ZONE_DEVICE
 * memory to its driver's pool (not allocatable here).  Either way the old
 * contents are gone and the generation moves on.
 *
 * The free is a step of its own, after the one that dropped the count to
 * zero, naming the free lists and the folio's pages.  The put cannot name
 * the free lists itself: its footprint is announced before it knows
 * whether it drops the last reference, and naming them in every put would
 * order every put against every allocation.  Upstream has the same window
 * (folio_put_testzero(), then the free under zone->lock): in it the count
 * is 0 but the pages are not yet free, so folio_try_get() and
 * get_page_unless_zero() fail as they do upstream, an allocation cannot
 * take the pages yet, and an access sees the old generation without
 * PG_free.  check_p2() still judges such an access (the accessor holds no
 * reference: unprotected), and the free step writes the pages, so the
 * explorer also runs the access after it, where it is a freed page.
 */
static void free_folio(struct kfp_mm *mm, kfp_pfn_t head)
{
	zone_lock_step(head, folio_nr_pages(mm, head), "free_pages");
	__free_folio(mm, head);
}

/*
 * Whom a corrupted refcount is charged to.  P1 judges KVM: a reference
 * misused by a KVM owner, or a count that went wrong on a folio where a KVM
 * owner has put more than it got (its debt is in the ledger), is P1.  The
 * host mm corrupting its own counts is a bug of the model, reported as an
 * invariant violation so that KVM is never blamed for it.
 */
static bool owner_is_kvm(const struct kfp_mm *mm, kfp_owner_t owner)
{
	return owner < mm->ledger.nr_owners && mm->ledger.owner[owner].kind == KFP_OWNER_KIND_KVM;
}

static bool kvm_involved(const struct kfp_mm *mm, kfp_pfn_t head, bool debt_only)
{
	unsigned int i;

	for (i = 0; i < mm->ledger.nr_entries; i++) {
		const struct kfp_ledger_entry *entry = &mm->ledger.entry[i];

		if (entry->pfn != head || !owner_is_kvm(mm, entry->owner))
			continue;
		if (!debt_only || entry->refs < 0 || entry->pins < 0)
			return true;
	}
	return false;
}

enum kfp_property kfp_ref_blame(const struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner)
{
	if (owner_is_kvm(mm, owner) || kvm_involved(mm, compound_head_pfn(mm, pfn), true))
		return KFP_PROPERTY_P1;
	return KFP_PROPERTY_INVARIANT;
}

/*
 * kfp_ref_blame() for a report about to be made on @pfn: a P1 also marks
 * the folio (PG_kvm_corrupted), whose later ledger disagreements follow
 * from it.
 */
static enum kfp_property ref_blame_mark(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner)
{
	enum kfp_property property = kfp_ref_blame(mm, pfn, owner);

	if (property == KFP_PROPERTY_P1 && pfn < KFP_NR_PFNS)
		mm->page[compound_head_pfn(mm, pfn)].flags |= PG_kvm_corrupted;
	return property;
}

/*
 * A count the ledger disagrees with: P1 if a KVM owner has any stake in the
 * folio, or corrupted its count before (a balanced get and put of a page it
 * had no right to leave no stake, and the mismatch comes after).
 */
enum kfp_property kfp_mismatch_blame(const struct kfp_mm *mm, kfp_pfn_t pfn)
{
	kfp_pfn_t head = compound_head_pfn(mm, pfn);

	if (kvm_involved(mm, head, false) ||
	    ((mm->page[head].flags | mm->page[pfn].flags) & PG_kvm_corrupted))
		return KFP_PROPERTY_P1;
	return KFP_PROPERTY_INVARIANT;
}

/*
 * The one place a folio's refcount changes.  A pin on a small folio adds
 * GUP_PIN_COUNTING_BIAS; on a large folio +1 and +1 _pincount
 * (mm/gup.c try_grab_folio(), gup_put_folio()).  True when a put dropped
 * the last reference (folio_put_testzero()): the caller frees.
 */
static bool folio_ref_update(struct kfp_mm *mm, kfp_pfn_t head, kfp_owner_t owner, int refs,
			     int pins)
{
	struct kfp_page *page = &mm->page[head];

	if (page->flags & PG_head) {
		page->refcount += refs + pins;
		page->pincount += pins;
	} else {
		page->refcount += refs + pins * (int)GUP_PIN_COUNTING_BIAS;
	}
	kfp_ledger_add(mm, head, owner, refs, pins);
	if (page->refcount < 0)
		kfp_report(ref_blame_mark(mm, head, owner), KFP_REPORT_UNDERFLOW, head, owner,
			   page->refcount, "folio_put");
	else if (page->refcount == 0 && (refs < 0 || pins < 0))
		return true;
	return false;
}

static void folio_ref_change(struct kfp_mm *mm, kfp_pfn_t head, kfp_owner_t owner, int refs,
			     int pins)
{
	if (folio_ref_update(mm, head, owner, refs, pins))
		free_folio(mm, head);
}

/* A reference on a pfn without struct page is a P1 report, not a crash. */
static bool check_struct_page(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner, const char *what)
{
	if (pfn_valid(mm, pfn))
		return true;
	kfp_report(ref_blame_mark(mm, pfn, owner), KFP_REPORT_REF_ON_NO_PAGE, pfn, owner, 0, what);
	return false;
}

/* The folio a reference helper works on: its head, announced as the step's write. */
static bool ref_folio(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner, const char *what,
		      kfp_pfn_t *head)
{
	if (!check_struct_page(mm, pfn, owner, what))
		return false;
	*head = compound_head_pfn(mm, pfn);
	kfp_shared_write(page_object(*head), what);
	return true;
}

/* include/linux/mm.h get_page(): never fails, even on a zero count. */
void get_page(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner)
{
	kfp_pfn_t head;

	if (!ref_folio(mm, pfn, owner, "get_page", &head))
		return;
	if (mm->page[head].refcount <= 0)
		kfp_report(ref_blame_mark(mm, head, owner), KFP_REPORT_GET_ON_ZERO, pfn, owner,
			   mm->page[head].refcount, "get_page");
	folio_ref_change(mm, head, owner, 1, 0);
}

/* include/linux/mm.h get_page_unless_zero() */
bool get_page_unless_zero(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner)
{
	kfp_pfn_t head;

	if (!ref_folio(mm, pfn, owner, "get_page_unless_zero", &head))
		return false;
	if (mm->page[head].refcount == 0)
		return false;
	folio_ref_change(mm, head, owner, 1, 0);
	return true;
}

/*
 * include/linux/page_ref.h folio_try_get(): a speculative reference for a
 * lookup (page cache, swap cache) that fails on a frozen or freed folio;
 * the caller then looks again.
 */
bool folio_try_get(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner)
{
	kfp_pfn_t head;

	if (!ref_folio(mm, pfn, owner, "folio_try_get", &head))
		return false;
	if (mm->page[head].refcount <= 0)
		return false;
	folio_ref_change(mm, head, owner, 1, 0);
	return true;
}

/*
 * include/linux/page_ref.h folio_ref_freeze(): cmpxchg the refcount from
 * @count to 0.  It fails when anyone holds a reference beyond the @count
 * the caller expects (reclaim: its isolation reference and the cache's),
 * e.g. a fault's folio_try_get().  The frozen count takes every reference
 * the ledger records on the folio.  Frozen, the folio is still in its cache
 * but every folio_try_get() fails; the caller removes it from the cache and
 * frees it (free_frozen_folio()).
 */
bool folio_ref_freeze(struct kfp_mm *mm, kfp_pfn_t pfn, int count)
{
	struct kfp_ledger *ledger = &mm->ledger;
	unsigned int i = 0;
	kfp_pfn_t head;

	if (!ref_folio(mm, pfn, KFP_OWNER_NONE, "folio_ref_freeze", &head))
		return false;
	if (mm->page[head].refcount != count)
		return false;
	if (kfp_ledger_expected_refcount(mm, head) != count)
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_MODEL_BUG, head, KFP_OWNER_NONE,
			   count, "folio_ref_freeze");
	mm->page[head].refcount = 0;
	while (i < ledger->nr_entries) {
		struct kfp_ledger_entry *entry = &ledger->entry[i];

		if (entry->pfn == head)
			kfp_ledger_add(mm, head, entry->owner, -entry->refs, -entry->pins);
		else
			i++;
	}
	return true;
}

/*
 * The model's put of a swap entry's swap-cache reference (mm/swapfile.c
 * free_swap_and_cache()): in one step, and not on a folio reclaim has
 * frozen, whose references the freeze already took.
 */
bool kfp_put_unless_frozen(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner)
{
	kfp_pfn_t head;

	if (!ref_folio(mm, pfn, owner, "free_swap_and_cache", &head))
		return false;
	if (mm->page[head].refcount == 0)
		return false;
	if (kfp_ledger_refs(mm, head, owner) <= 0)
		kfp_report(ref_blame_mark(mm, head, owner), KFP_REPORT_PUT_NOT_OWNED, pfn, owner,
			   mm->page[head].refcount, "free_swap_and_cache");
	folio_ref_change(mm, head, owner, -1, 0);
	return true;
}

/*
 * mm/vmscan.c shrink_folio_list() -> free_unref_folios(): a frozen folio
 * goes back to the free lists, in one step under zone->lock.
 */
void free_frozen_folio(struct kfp_mm *mm, kfp_pfn_t pfn)
{
	kfp_pfn_t head;

	if (!check_struct_page(mm, pfn, KFP_OWNER_NONE, "free_frozen_folio"))
		return;
	/* frozen, the folio cannot change shape: its head and order are safe to peek */
	head = compound_head_pfn(mm, pfn);
	zone_lock_step(head, folio_nr_pages(mm, head), "free_frozen_folio");
	if (mm->page[head].refcount != 0) {
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_MODEL_BUG, head, KFP_OWNER_NONE,
			   mm->page[head].refcount, "free_frozen_folio");
		return;
	}
	__free_folio(mm, head);
}

/* include/linux/mm.h put_page(): the owner must hold what it drops. */
void put_page(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner)
{
	kfp_pfn_t head;

	if (!ref_folio(mm, pfn, owner, "put_page", &head))
		return;
	if (kfp_ledger_refs(mm, head, owner) <= 0)
		kfp_report(ref_blame_mark(mm, head, owner), KFP_REPORT_PUT_NOT_OWNED, pfn, owner,
			   mm->page[head].refcount, "put_page");
	folio_ref_change(mm, head, owner, -1, 0);
}

/*
 * mm/gup.c try_grab_folio(): GUP's reference or pin.  Fails on a zero
 * count (try_get_folio / the WARN in try_grab_page).  Pins on the zero page
 * are not accounted (c8070b787519 "mm: Don't pin ZERO_PAGE in
 * pin_user_pages()", 6.5).
 */
int try_grab_folio(struct kfp_mm *mm, kfp_pfn_t pfn, unsigned int gup_flags, kfp_owner_t owner)
{
	kfp_pfn_t head;

	if (!pfn_valid(mm, pfn))
		return -EFAULT;
	head = compound_head_pfn(mm, pfn);
	kfp_shared_write(page_object(head), "try_grab_folio");
	if (mm->page[head].refcount <= 0)
		return -ENOMEM;
	/* mm/gup.c:try_grab_folio(): FOLL_GET is tested first; neither flag grabs nothing. */
	if (gup_flags & FOLL_GET) {
		folio_ref_change(mm, head, owner, 1, 0);
	} else if (gup_flags & FOLL_PIN) {
		if (is_zero_pfn(mm, pfn))
			return 0;
		folio_ref_change(mm, head, owner, 0, 1);
	}
	return 0;
}

/* mm/gup.c unpin_user_page() -> gup_put_folio(folio, 1, FOLL_PIN) */
void unpin_user_page(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner)
{
	kfp_pfn_t head;

	/* pins of the zero page are not accounted (c8070b787519) */
	if (pfn_valid(mm, pfn) && is_zero_pfn(mm, pfn))
		return;
	if (!ref_folio(mm, pfn, owner, "unpin_user_page", &head))
		return;
	if (kfp_ledger_pins(mm, head, owner) <= 0)
		kfp_report(ref_blame_mark(mm, head, owner), KFP_REPORT_PUT_NOT_OWNED, pfn, owner,
			   mm->page[head].refcount, "unpin_user_page");
	folio_ref_change(mm, head, owner, 0, -1);
}

/* Hand one reference from one owner to another (e.g. swap cache -> pte). */
void kfp_transfer_reference(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t from, kfp_owner_t to)
{
	kfp_pfn_t head;

	if (!check_struct_page(mm, pfn, from, "transfer"))
		return;
	head = compound_head_pfn(mm, pfn);

	if (kfp_ledger_refs(mm, head, from) <= 0)
		kfp_report(ref_blame_mark(mm, head, from), KFP_REPORT_PUT_NOT_OWNED, pfn, from,
			   mm->page[head].refcount, "transfer");
	kfp_ledger_add(mm, head, from, -1, 0);
	kfp_ledger_add(mm, head, to, 1, 0);
}

void mark_page_accessed(struct kfp_mm *mm, kfp_pfn_t pfn)
{
	if (pfn_valid(mm, pfn))
		mm->page[compound_head_pfn(mm, pfn)].flags |= PG_referenced;
}

void SetPageDirty(struct kfp_mm *mm, kfp_pfn_t pfn)
{
	if (pfn_valid(mm, pfn))
		mm->page[compound_head_pfn(mm, pfn)].flags |= PG_dirty;
}

static bool run_is_free(const struct kfp_mm *mm, kfp_pfn_t first, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		const struct kfp_page *page = &mm->page[first + i];

		if (page->kind != KFP_PAGE_RAM || !(page->flags & PG_free) ||
		    (page->flags & PG_hwpoison))
			return false;
	}
	return true;
}

/*
 * mm/page_alloc.c __rmqueue_smallest(): the lowest free, naturally aligned
 * run first, so that a freed page is handed out again soon and stale users
 * see someone else's data.
 */
static kfp_pfn_t find_free_run(const struct kfp_mm *mm, unsigned int nr)
{
	kfp_pfn_t first;

	for (first = 0; first + nr <= KFP_NR_RAM_PFNS; first += nr)
		if (run_is_free(mm, first, nr))
			return first;
	return KFP_PFN_NONE;
}

/* mm/page_alloc.c prep_new_page(): the run's struct pages, set up for its new user. */
static void prep_new_run(struct kfp_mm *mm, kfp_pfn_t first, unsigned int order, bool compound)
{
	unsigned int nr = 1U << order, i;

	for (i = 0; i < nr; i++) {
		struct kfp_page *page = &mm->page[first + i];

		page->flags &= PG_kvm_corrupted;
		page->refcount = 0;
		page->pincount = 0;
		page->head = (u16)(compound ? first : first + i);
		page->order = 0;
		page->content = 0;
		page->object = -1;
		page->index = -1;
		if (compound)
			page->flags |= i ? PG_tail : PG_head;
	}
	mm->page[first].order = (u8)order;
	if (!compound && order)
		mm->page[first].flags |= PG_high_order;
}

/* Test only: claim the run in the caller's step, before announcing it (the old bug). */
bool kfp_test_alloc_unannounced;

/*
 * mm/page_alloc.c alloc_pages() -> rmqueue(): take a run off the free
 * lists under zone->lock.  The step names the lists and the run's pages,
 * so it is announced with the run peeked beforehand, in a step that reads
 * the lists (as a guest access peeks its spte's pfn); inside the claim's
 * step the lists are scanned again and,
 * if another thread changed them in between, the allocation goes round
 * with the run it sees now.  @compound builds a folio (__GFP_COMP);
 * without it an order>0 allocation leaves the tail pages at refcount 0, as
 * TTM's ttm_pool_alloc_page() does.
 */
kfp_pfn_t kfp_alloc_pages(struct kfp_mm *mm, unsigned int order, bool compound, kfp_owner_t owner)
{
	unsigned int nr = 1U << order;
	kfp_pfn_t seen, first;

	/*
	 * The peek is a step of its own that reads the lists: which pages the
	 * claim names must not depend on state the step before did not name.
	 */
	if (!kfp_test_alloc_unannounced)
		kfp_shared_read(zone_object(), "alloc_pages peek");
	seen = find_free_run(mm, nr);
	if (kfp_test_alloc_unannounced && seen != KFP_PFN_NONE) {
		prep_new_run(mm, seen, order, compound);
		zone_lock_step(seen, nr, "alloc_pages");
		first = seen;
		goto refcounted;
	}
	for (;;) {
		zone_lock_step(seen, seen == KFP_PFN_NONE ? 0 : nr, "alloc_pages");
		first = find_free_run(mm, nr);
		if (first == seen)
			break;
		seen = first;
	}
	if (first == KFP_PFN_NONE)
		return KFP_PFN_NONE;
	prep_new_run(mm, first, order, compound);
refcounted:
	/* set_page_refcounted(): the allocation's own reference */
	mm->page[first].refcount = 1;
	kfp_ledger_add(mm, first, owner, 1, 0);
	return first;
}

/*
 * mm/page_alloc.c __free_pages(): drop the allocator's reference on the
 * first page.  The last reference frees the whole run (free_frozen_pages()
 * of @order); otherwise, for a non-compound order>0 allocation whose first
 * page is still referenced elsewhere, the tail pages are freed anyway, in
 * halves of decreasing order, each under zone->lock.
 */
void kfp_free_pages(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner)
{
	unsigned int order, nr, i;
	bool high_order;
	kfp_pfn_t head;

	if (!pfn_valid(mm, pfn) || !(mm->page[pfn].flags & PG_high_order)) {
		put_page(mm, pfn, owner);
		return;
	}
	if (!ref_folio(mm, pfn, owner, "__free_pages", &head))
		return;
	order = mm->page[pfn].order;
	high_order = mm->page[pfn].flags & PG_high_order;
	if (kfp_ledger_refs(mm, head, owner) <= 0)
		kfp_report(ref_blame_mark(mm, head, owner), KFP_REPORT_PUT_NOT_OWNED, pfn, owner,
			   mm->page[head].refcount, "__free_pages");
	if (folio_ref_update(mm, head, owner, -1, 0)) {
		zone_lock_step(pfn, 1U << order, "free_pages");
		for (i = 0; i < (1U << order); i++)
			free_one_page(mm, pfn + i);
		return;
	}
	if (!high_order)
		return;
	while (order-- > 0) {
		kfp_pfn_t chunk = pfn + (1U << order);

		nr = 1U << order;
		zone_lock_step(chunk, nr, "__free_pages");
		for (i = 0; i < nr; i++)
			if (!kfp_page_is_free(mm, chunk + i))
				free_one_page(mm, chunk + i);
	}
}

kfp_pfn_t kfp_alloc_device_pfns(struct kfp_mm *mm, unsigned int nr)
{
	kfp_pfn_t first = KFP_NR_RAM_PFNS + mm->nr_device_pfns_used;

	if (first + nr > KFP_NR_PFNS)
		return KFP_PFN_NONE;
	mm->nr_device_pfns_used += (u16)nr;
	return first;
}

u64 kfp_pfn_read(struct kfp_mm *mm, kfp_pfn_t pfn)
{
	if (pfn >= KFP_NR_PFNS)
		return 0;
	kfp_shared_read(page_object(pfn), "read");
	return mm->page[pfn].content;
}

void kfp_pfn_write(struct kfp_mm *mm, kfp_pfn_t pfn, u64 value)
{
	if (pfn >= KFP_NR_PFNS)
		return;
	kfp_shared_write(page_object(pfn), "write");
	mm->page[pfn].content = value;
}
