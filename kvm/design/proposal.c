// SPDX-License-Identifier: GPL-2.0
/*
 * proposal: upstream (6.13+) with every long-lived translation under the
 * mmu notifier.  Not a posted series: kfp's answer to issue 14 ("a design
 * with nothing to accept"), taking upstream's move of kvm_vcpu_map() users
 * to gfn->pfn caches to its end.
 *
 * Departures from upstream, each in the function it changes:
 *
 *  (a) virt/kvm/kvm_main.c __kvm_vcpu_map(): the mapping is a gfn->pfn
 *      cache (kvm/vcpu_map_notifier.c).  It is on the list that
 *      virt/kvm/pfncache.c gfn_to_pfn_cache_invalidate_start() walks;
 *      an invalidation of its hva marks it invalid under map->lock; each
 *      access takes map->lock for read and re-validates first, as
 *      kvm_gpc_check() + kvm_gpc_refresh() do, and looks the pfn up
 *      again (hva_to_pfn_retry()'s protocol) when the hva or the memslots
 *      changed.  The guest sees the fresh page where upstream reads a
 *      stale one.
 *  (b) virt/kvm/kvm_main.c kvm_vcpu_unmap(): nothing to unpin.
 *  (c) __kvm_vcpu_map() asks for no pin (FOLL_PIN dropped), so
 *      hva_to_pfn_remapped()'s "pin needs allow_unsafe_mappings" check
 *      never fires for it: PFNMAP memory, refcount-0 TTM tails and
 *      memory without struct page are mapped with no reference, as the
 *      TDP fault and the gpc already map them.  allow_unsafe_mappings is
 *      left in place for the direct lookup's pin requests only; nothing
 *      in the kernel's own users needs it.
 *
 * Is a pin still needed?  No, for what kfp checks:
 *  - P2 (no access to freed memory): the host frees or reuses a page only
 *    after its pte is cleared, and clears the pte only inside
 *    invalidate_range_start/end.  Start marks the mapping invalid under
 *    map->lock for write, which waits for any access holding the read
 *    lock, and every later access re-validates under the lock first.  A
 *    lookup that overlapped an invalidation is retried
 *    (mmu_notifier_retry_cache()), and the mapping is listed before it is
 *    made valid.  So no access reaches a page after the start of the
 *    invalidation that precedes its free: the gpc's argument, unchanged.
 *  - P1: nothing is held, so nothing can be put wrongly; the lookup's
 *    reference lives only from GUP to publication, as the gpc's does.
 *  - What a pin bought beyond P2 is a cost: a pinned anonymous page
 *    blocks migration and reclaim (mm/migrate.c folio_migrate_mapping()
 *    fails on the extra count; shrink_folio_list() skips pinned anon
 *    folios).  Without it those host operations succeed and the mapping
 *    follows the page.  Pins exist for device DMA and O_DIRECT, where no
 *    notifier reaches the user; KVM's CPU accesses are not such a user.
 *  The costs that replace the pin are counted in kvm->stats: a lock on
 *  every access, a re-validation per access, a refresh per invalidation
 *  that hit (docs/proposal.md gives them per scenario).
 *
 * Everything else, including __gfn_to_page() (reference held, NULL for
 * remapped pfns), is upstream's: the rows of upstream.c apply.
 */
#include "design.h"

const struct kvm_design kvm_design_proposal = {
	.name = "proposal",
	.summary = "upstream + kvm_vcpu_map as a notifier-invalidated cache: no pin, "
		   "no staleness, no allow_unsafe_mappings",
	.renders = "kfp issue 14",
	/* hva_to_pfn_remapped() of 6.13+: a pin request still needs the parameter */
	.hva_to_pfn_remapped = upstream_hva_to_pfn_remapped,
	.sigpending_on_eagain = true,
	.release_faultin_under_mmu_lock = true,
	/* nothing is accepted: no hook */
	.vcpu_map_notifier = true,
	.fault = { .release = KVM_RELEASE_PAGE },
	/* __kvm_vcpu_map(): no pin; the lookup's reference is released once published */
	.vcpu_map = { .release = KVM_RELEASE_PAGE },
	.gfn_to_page = { .release = KVM_RELEASE_PAGE },
	.gpc = { .release = KVM_RELEASE_PAGE },
};
