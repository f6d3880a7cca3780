// SPDX-License-Identifier: GPL-2.0
/*
 * P2 and P3 at each access through a KVM translation, P1 and the counters
 * at the end of an execution.
 *
 * P2: the pfn behind the translation must still be the page (or device
 * memory) it was when the translation was made: not freed, not given to
 * someone else, not released by its driver.  And something must keep it
 * so: a reference or pin held by the accessor, or the mmu notifier, which
 * would have removed the translation before the host let the page go.
 *
 * P3: the host must still map that pfn at that hva, writable if the access
 * writes.  Every host pte change happens inside an invalidation, so a
 * mismatch means the translation outlived the invalidation of its range. *
 * What the checks read, and where the explorer learns it.  A check runs
 * inside the access's step, so everything it reads must be in that step's
 * footprint (kvm_access_step(), kvm/follow_pfn.c), or the explorer takes a
 * step that writes it for independent of the access and never runs the
 * order that breaks the property:
 *
 *   check_p2()           page[pfn].flags (PG_free, PG_released), .generation:
 *                        the page's object (a driver's revoke writes it);
 *                        a folio's free writes every page's flags under the
 *                        head's object, which is in the footprint too
 *   access_holds_page()  the ledger entries (head, owner): the head's object
 *                        (folio_ref_change() is announced on it);
 *                        page[pfn].kind and the zero pfn never change
 *   design->accepts()    the same ledger entries
 *   check_gfn()          kvm->memslots[as_id]: memslots_object(as_id)
 *                        (kvm_swap_active_memslots() and
 *                        memslot_update_returns() write it)
 *   check_p3()           the host pte at the hva: kfp_pte_object(hva)
 *                        (set_pte_present(), pte_clear() and every pte
 *                        change of mm/ write it)
 *
 * The commutation audit (tests/explore/test_footprint.c) swaps steps the
 * explorer calls independent and fails if a world or a report changes.
 */
#include <kfp/check.h>

static const char *const access_via[] = {
	[KVM_ACCESS_SPTE] = "guest access through spte",
	[KVM_ACCESS_HOST_MAP] = "access through kvm_vcpu_map",
	[KVM_ACCESS_GPC] = "access through gfn_to_pfn_cache",
	[KVM_ACCESS_PAGE] = "access through gfn_to_page",
};

static void report_access(struct kvm *kvm, const struct kvm_access *access,
			  enum kfp_report_kind kind, s64 value)
{
	enum kfp_property property = kfp_report_kind_property(kind);

	/* judged before logging: a report past the log's capacity is still counted as what it is */
	if (kvm->design->accepts && kvm->design->accepts(kvm, access, kind))
		kfp_report_accepted(property, kind, access->pfn, access->owner, value,
				    access_via[access->via]);
	else
		kfp_report(property, kind, access->pfn, access->owner, value,
			   access_via[access->via]);
}

/* Does the accessor itself keep the page alive? */
static bool access_holds_page(struct kvm *kvm, const struct kvm_access *access)
{
	struct kfp_mm *mm = kvm->mm;

	if (!pfn_valid(mm, access->pfn))
		return false;
	/* the zero page and kernel-reserved pages are never freed */
	if (is_zero_pfn(mm, access->pfn) || mm->page[access->pfn].kind == KFP_PAGE_RESERVED)
		return true;
	return kfp_ledger_refs(mm, access->pfn, access->owner) > 0 ||
	       kfp_ledger_pins(mm, access->pfn, access->owner) > 0;
}

static void check_p2(struct kvm *kvm, const struct kvm_access *access)
{
	const struct kfp_page *page = &kvm->mm->page[access->pfn];

	if (pfn_valid(kvm->mm, access->pfn)) {
		if (page->flags & PG_free) {
			report_access(kvm, access, KFP_REPORT_ACCESS_FREED, page->generation);
			return;
		}
		if (page->generation != access->generation) {
			report_access(kvm, access, KFP_REPORT_ACCESS_REALLOCATED, page->generation);
			return;
		}
	} else if ((page->flags & PG_released) || page->generation != access->generation) {
		report_access(kvm, access, KFP_REPORT_ACCESS_RELEASED, page->generation);
		return;
	}
	if (!access->notifier_protected && !access_holds_page(kvm, access))
		report_access(kvm, access, KFP_REPORT_ACCESS_UNPROTECTED, 0);
}

static void check_p3(struct kvm *kvm, const struct kvm_access *access)
{
	kfp_pfn_t host_pfn;
	bool host_writable;

	if (!kfp_host_translate(kvm->mm, access->hva, &host_pfn, &host_writable))
		report_access(kvm, access, KFP_REPORT_STALE_UNMAPPED, 0);
	else if (host_pfn != access->pfn)
		report_access(kvm, access, KFP_REPORT_STALE_PFN, (s64)host_pfn);
	else if (access->write && !host_writable)
		report_access(kvm, access, KFP_REPORT_STALE_PERMISSION, 0);
}

/*
 * The guest's view, read without a scheduling point (the checker only
 * observes): the hva the memslots give @access's gfn now, or an error hva
 * when no slot covers it.  A KVM_MEMSLOT_INVALID slot still gives its hva:
 * between publishing it and zapping its sptes (kvm_invalidate_memslot())
 * the old translations are legitimately in use.
 */
static u64 current_hva_of(const struct kvm *kvm, const struct kvm_access *access)
{
	const struct kvm_memslots *slots = &kvm->memslots[access->as_id];
	unsigned int i;

	for (i = 0; i < KFP_MAX_MEMSLOTS; i++) {
		const struct kvm_memory_slot *slot = &slots->slot[i];

		if (slot->in_use && access->gfn >= slot->base_gfn &&
		    access->gfn < slot->base_gfn + slot->npages)
			return __gfn_to_hva_memslot(slot, access->gfn);
	}
	return KVM_HVA_ERR_BAD;
}

/*
 * Has the memslot update that took @access's gfn out of every slot returned
 * to the VMM?  From then on the VMM may use the memory for anything
 * (virt/kvm/kvm_main.c kvm_set_memslot(): the delete zaps the sptes and
 * synchronize_srcu_expedited() waits for every reader of the old slot
 * before the ioctl returns).  Before it, a user between its lookup and its
 * access (a gpc user under kvm->srcu) legitimately uses the old slot.
 */
static bool gfn_removal_returned(const struct kvm *kvm, const struct kvm_access *access)
{
	const struct kvm_memslots *slots = &kvm->memslots[access->as_id];

	return slots->returned_generation == slots->generation;
}

/*
 * P3 as the guest sees it: the translation must be the gfn's, not
 * another's, and the gfn must still be guest memory.  An spte of a
 * deleted slot is stale at once: the delete zaps it before
 * KVM_SET_USER_MEMORY_REGION returns (kvm_invalidate_memslot()).  Any
 * other translation of a gfn that left every slot is stale once that
 * update has returned (gfn_removal_returned()).
 */
static bool check_gfn(struct kvm *kvm, const struct kvm_access *access)
{
	u64 hva = current_hva_of(kvm, access);

	if (kvm_is_error_hva(hva) &&
	    (kvm->dead || (access->via != KVM_ACCESS_SPTE && !gfn_removal_returned(kvm, access))))
		return true;
	if ((hva & PAGE_MASK) == (access->hva & PAGE_MASK))
		return true;
	report_access(kvm, access, KFP_REPORT_STALE_GFN, (s64)hva);
	return false;
}

static void check_access(struct kvm *kvm, const struct kvm_access *access)
{
	if (access->pfn >= KFP_NR_PFNS) {
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_MODEL_BUG, access->pfn, access->owner,
			   0, "access through an error pfn");
		return;
	}
	check_p2(kvm, access);
	if (check_gfn(kvm, access))
		check_p3(kvm, access);
}

void kfp_check_attach(struct kvm *kvm)
{
	kvm->access_hook = check_access;
}

void kfp_check_final(struct kvm *kvm)
{
	kfp_ledger_check(kvm->mm);
	kfp_ledger_check_leaks(kvm->mm, KFP_OWNER_KIND_KVM);
	/*
	 * virt/kvm/kvm_main.c kvm_destroy_vm(): a start() whose end() came
	 * after KVM was unhooked, by mmu_notifier_unregister() or by
	 * exit_mmap()'s ->release (reclaim's invalidation, say, which needs
	 * no mm_users), leaves both counts raised; upstream expects it,
	 * resets mn_active_invalidate_count and frees the VM.  Each count
	 * must be raised by exactly the invalidations in flight at the
	 * unhook: any other value is a KVM bug.
	 */
	if (kvm->mmu_invalidate_in_progress != kvm->mm->ends_after_unhook)
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_UNBALANCED, KFP_PFN_NONE, 0,
			   kvm->mmu_invalidate_in_progress, "mmu_invalidate_in_progress at end");
	if (kvm->mn_active_invalidate_count != kvm->mm->ends_after_unhook)
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_UNBALANCED, KFP_PFN_NONE, 0,
			   kvm->mn_active_invalidate_count, "mn_active_invalidate_count at end");
	if (kvm->mm->active_invalidations)
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_UNBALANCED, KFP_PFN_NONE, 0,
			   kvm->mm->active_invalidations, "invalidate_range_start/end at end");
}

void kfp_verdict_of(const struct kfp_reports *reports, struct kfp_verdict *verdict)
{
	unsigned int p;

	/* the counters, not the log: they count the reports past its capacity too */
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		verdict->violations[p] = kfp_reports_violations(reports, p);
		verdict->accepted[p] = kfp_reports_accepted(reports, p);
	}
}

int kfp_world_init(struct kfp_world *world, const struct kvm_design *design, unsigned int nr_vcpus,
		   unsigned int nr_gpcs)
{
	int ret;

	kfp_reports_init(&world->reports);
	kfp_seam_use_sequential(&world->reports);
	kfp_mm_init(&world->mm);
	ret = kvm_create_vm(&world->kvm, &world->mm, design, nr_vcpus, nr_gpcs);
	if (ret)
		return ret;
	kfp_check_attach(&world->kvm);
	return 0;
}
