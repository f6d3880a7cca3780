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
 *  (d) virt/kvm/kvm_main.c __gfn_to_page() users (s390 vSIE's
 *      pin_guest_page(), PPC XIVE's queue pages): the page is kept the way
 *      upstream keeps the APIC access page (kvm/gfn_to_page_notifier.c).
 *      The lookup follows arch/x86/kvm/vmx/vmx.c
 *      vmx_set_apic_access_page_addr(): seq snapshot, lookup, mmu_lock
 *      for read, publish only if mmu_invalidate_retry_gfn() allows, drop
 *      the reference under mmu_lock.  arch/x86/kvm/mmu/mmu.c
 *      kvm_unmap_gfn_range() (and the memslot delete/move zap) marks the
 *      page invalid under mmu_lock for write, as it raises
 *      KVM_REQ_APIC_PAGE_RELOAD for the APIC page; each access takes
 *      mmu_lock for read, re-validates, and looks the page up again when
 *      marked.  kvm_release_page_clean/dirty() of a kept page puts
 *      nothing.  Remapped pfns still give NULL, as upstream's.
 *  (e) virt/kvm/kvm_main.c kvm_mmu_notifier_release(): exit_mmap() calls
 *      ->release and unhooks the notifier (mm/mmu_notifier.c
 *      mn_hlist_release()) before unmap_vmas() frees the pages, so no
 *      invalidate_range_start() follows.  Upstream's release only zaps
 *      the sptes: a gfn->pfn cache stays valid over pages exit_mmap()
 *      frees, and a user outside the VMM's threads (arch/x86/kvm/xen.c
 *      xen_timer_callback() -> kvm_xen_set_evtchn_fast(), an irqfd)
 *      writes through it before the vCPU fds close in exit_files(), which
 *      kernel/exit.c do_exit() runs after exit_mm().  The proposal's
 *      release invalidates every cache and notifier-kept mapping, as
 *      gfn_to_pfn_cache_invalidate_start() does for the whole address
 *      space, and marks the VM so that no refresh publishes afterwards
 *      (kvm_mm_released()).  The mark is needed in the kernel too: a
 *      refresh can race exit_mmap(), since xen.c kvm_xen_set_evtchn()
 *      refreshes from the irqfd workqueue with the mm borrowed by
 *      kthread_use_mm(), which holds no mm_users; its lookup can find a
 *      page before unmap_vmas() and publish it after the release.
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
 *    The same holds for a __gfn_to_page() page with mmu_lock in the
 *    place of map->lock: it is published under mmu_lock for read only if
 *    no invalidation overlapped the lookup, the zap that precedes any
 *    free marks it under mmu_lock for write, and every access holds
 *    mmu_lock for read from its re-validation to its load or store.
 *  - P1: nothing is held, so nothing can be put wrongly; the lookup's
 *    reference lives only from GUP to publication, as the gpc's does.
 *  - What a pin bought beyond P2 is a cost: a pinned anonymous page
 *    blocks migration and reclaim (mm/migrate.c folio_migrate_mapping()
 *    fails on the extra count; shrink_folio_list() skips pinned anon
 *    folios).  Without it those host operations succeed and the mapping
 *    follows the page.  Pins exist for device DMA and O_DIRECT, where no
 *    notifier reaches the user; KVM's CPU accesses are not such a user.
 *    __gfn_to_page()'s comment names firmware DMA as what it is for, and
 *    its FIXME asks its users for FOLL_PIN: a device that reads the page behind
 *    KVM's back, with no vCPU to stop, is the one user that still needs
 *    a pin, and for it no notifier can make the page fresh (the pinned
 *    page is what the device sees, as with VFIO).  Hardware that reads
 *    the page in guest mode (the APIC access page, s390's SIE control
 *    blocks) is not that user: the invalidation's request kicks the vCPU
 *    out of guest mode before invalidate_range_start() returns, which
 *    the model's mmu_lock around each access stands for.
 *  The costs that replace the pin are counted in kvm->stats: a lock on
 *  every access, a re-validation per access, a refresh per invalidation
 *  that hit (docs/proposal.md gives them per scenario).
 *
 * Everything else is upstream's: the rows of upstream.c apply.
 */
#include "design.h"

const struct kvm_design kvm_design_proposal = {
	.name = "proposal",
	.summary = "upstream + kvm_vcpu_map and gfn_to_page under the mmu notifier: no pin, "
		   "no staleness, no allow_unsafe_mappings",
	.renders = "kfp issue 14",
	/* hva_to_pfn_remapped() of 6.13+: a pin request still needs the parameter */
	.hva_to_pfn_remapped = upstream_hva_to_pfn_remapped,
	.sigpending_on_eagain = true,
	.release_faultin_under_mmu_lock = true,
	/* nothing is accepted: no hook */
	.vcpu_map_notifier = true,
	.gfn_to_page_notifier = true,
	.invalidate_on_release = true,
	.fault = { .release = KVM_RELEASE_PAGE },
	/* __kvm_vcpu_map(): no pin; the lookup's reference is released once published */
	.vcpu_map = { .release = KVM_RELEASE_PAGE },
	.gfn_to_page = { .release = KVM_RELEASE_PAGE },
	.gpc = { .release = KVM_RELEASE_PAGE },
};
