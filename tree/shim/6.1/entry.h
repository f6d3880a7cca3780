/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfp's shim for the 6.1-era lookup path, part 3: the entry points kfp
 * finds with dlsym() after the tree's definitions.  The translation unit
 * is compiled with -fvisibility=hidden, so the tree's own global functions
 * (hva_to_pfn(), kvm_release_pfn_clean()...) bind to each other and never
 * to kfp's functions of the same names; only these are exported.
 */
#define KTS_ENTRY __attribute__((visibility("default")))

/* virt/kvm/kvm_main.c __gfn_to_pfn_memslot() as kvm_follow_pfn() uses it */
KTS_ENTRY kvm_pfn_t kts61_gfn_to_pfn_memslot(const struct kvm_memory_slot *slot, gfn_t gfn,
					     bool want_async, bool *async, bool write_fault,
					     bool *writable, hva_t *hva)
{
	return __gfn_to_pfn_memslot(slot, gfn, false, want_async ? async : NULL, write_fault,
				    writable, hva);
}

/* virt/kvm/kvm_main.c kvm_release_pfn_clean()/kvm_release_pfn_dirty() */
KTS_ENTRY void kts61_release_pfn(kvm_pfn_t pfn, bool dirty)
{
	if (dirty)
		kvm_release_pfn_dirty(pfn);
	else
		kvm_release_pfn_clean(pfn);
}

/* virt/kvm/kvm_main.c kvm_pfn_to_refcounted_page(): the release heuristic */
KTS_ENTRY bool kts61_pfn_is_refcounted(kvm_pfn_t pfn)
{
	return kvm_pfn_to_refcounted_page(pfn) != NULL;
}

/* virt/kvm/kvm_main.c hva_to_pfn() as the gfn->pfn cache calls it */
KTS_ENTRY kvm_pfn_t kts61_hva_to_pfn(unsigned long addr, bool want_async, bool *async,
				     bool write_fault, bool *writable)
{
	return hva_to_pfn(addr, false, want_async ? async : NULL, write_fault, writable);
}

/* arch/x86/kvm/mmu/mmu.c is_page_fault_stale(): the tree's check under mmu_lock */
KTS_ENTRY int kts61_mmu_invalidate_retry_hva(struct kvm *kvm, unsigned long mmu_seq,
					     unsigned long hva)
{
	return mmu_invalidate_retry_hva(kvm, mmu_seq, hva);
}

/* struct kvm as the tree's code sees it: checked against kfp's mirror when loaded. */
KTS_ENTRY void kts61_kvm_layout(u64 *v)
{
	v[0] = sizeof(struct kvm);
	v[1] = offsetof(struct kvm, mmu_invalidate_seq);
	v[2] = offsetof(struct kvm, mmu_invalidate_in_progress);
	v[3] = offsetof(struct kvm, mmu_invalidate_range_start);
	v[4] = offsetof(struct kvm, mmu_invalidate_range_end);
}

/*
 * virt/kvm/kvm_main.c kvm_vcpu_map() on a map of its own: v[0] the page
 * (~0 for KVM_UNMAPPED_PAGE), v[1] the pfn, v[2] the pinned page (none
 * before 6.13).  gfn_to_pfn() always looks up for write.
 */
KTS_ENTRY int kts61_vcpu_map(struct kvm_vcpu *vcpu, gfn_t gfn, bool writable, u64 *v)
{
	struct kvm_host_map map = { 0 };
	int r = kvm_vcpu_map(vcpu, gfn, &map);

	(void)writable;
	v[0] = map.page && map.page != KVM_UNMAPPED_PAGE ? page_to_pfn(map.page) : ~0ULL;
	v[1] = map.pfn;
	v[2] = ~0ULL;
	return r;
}

/* virt/kvm/kvm_main.c kvm_vcpu_unmap() on the map rebuilt from what kfp kept of it */
KTS_ENTRY void kts61_vcpu_unmap(struct kvm_vcpu *vcpu, gfn_t gfn, bool dirty, const u64 *v)
{
	struct kvm_host_map map = {
		.page = v[0] == ~0ULL ? KVM_UNMAPPED_PAGE : pfn_to_page(v[0]),
		.hva = kts_pages + v[1], /* what kmap()/memremap() returned: not NULL */
		.pfn = v[1],
		.gfn = gfn,
	};

	kvm_vcpu_unmap(vcpu, &map, dirty);
}

/* The tree's encodings kfp must share: checked when the tree is loaded. */
KTS_ENTRY void kts61_constants(u64 *v)
{
	v[0] = KVM_PFN_ERR_FAULT;
	v[1] = KVM_PFN_ERR_HWPOISON;
	v[2] = KVM_PFN_ERR_RO_FAULT;
	v[3] = KVM_PFN_NOSLOT;
	v[4] = KVM_HVA_ERR_BAD;
	v[5] = KVM_HVA_ERR_RO_BAD;
	v[6] = KVM_MEMSLOT_INVALID;
}
