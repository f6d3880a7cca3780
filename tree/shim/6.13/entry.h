/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfp's shim for the 6.13+ lookup path, part 3: the entry points kfp finds
 * with dlsym() after the tree's definitions.  The translation unit is
 * compiled with -fvisibility=hidden, so the tree's own global functions
 * (hva_to_pfn(), kvm_release_page_clean()...) bind to each other and never
 * to kfp's functions of the same names; only these are exported.  A
 * struct page * crosses as its pfn, KFP_PFN_NONE (all ones) for NULL.
 */
#define KTS_ENTRY __attribute__((visibility("default")))

static u64 kts613_pfn_of(struct page *page)
{
	return page ? page_to_pfn(page) : ~0ULL;
}

/* virt/kvm/kvm_main.c kvm_follow_pfn(): what __kvm_faultin_pfn(), __gfn_to_page() and __kvm_vcpu_map() call */
KTS_ENTRY kvm_pfn_t kts613_follow_pfn(const struct kvm_memory_slot *slot, gfn_t gfn,
				      unsigned int flags, bool pin, bool *map_writable,
				      u64 *refcounted_page, hva_t *hva)
{
	struct page *page = NULL;
	struct kvm_follow_pfn kfp = {
		.slot = slot,
		.gfn = gfn,
		.flags = flags,
		.pin = pin,
		.map_writable = map_writable,
		.refcounted_page = &page,
	};
	kvm_pfn_t pfn = kvm_follow_pfn(&kfp);

	*hva = kfp.hva;
	*refcounted_page = kts613_pfn_of(page);
	return pfn;
}

/* arch/x86/kvm/mmu/mmu.c __kvm_mmu_faultin_pfn(): __kvm_faultin_pfn(fault->slot, ...) */
KTS_ENTRY kvm_pfn_t kts613_faultin_pfn(const struct kvm_memory_slot *slot, gfn_t gfn,
				       unsigned int foll, bool *writable, u64 *refcounted_page)
{
	struct page *page = NULL;
	kvm_pfn_t pfn = __kvm_faultin_pfn(slot, gfn, foll, writable, &page);

	*refcounted_page = kts613_pfn_of(page);
	return pfn;
}

/* virt/kvm/pfncache.c hva_to_pfn_retry(): hva_to_pfn() on a kvm_follow_pfn of its own */
KTS_ENTRY kvm_pfn_t kts613_hva_to_pfn(unsigned long addr, unsigned int flags, bool pin,
				      bool *map_writable, u64 *refcounted_page)
{
	struct page *page = NULL;
	struct kvm_follow_pfn kfp = {
		.hva = addr,
		.flags = flags,
		.pin = pin,
		.map_writable = map_writable,
		.refcounted_page = &page,
	};
	kvm_pfn_t pfn = hva_to_pfn(&kfp);

	*refcounted_page = kts613_pfn_of(page);
	return pfn;
}

/* virt/kvm/kvm_main.c kvm_release_page_clean()/kvm_release_page_dirty(): NULL is a no-op */
KTS_ENTRY void kts613_release_page(u64 pfn, bool dirty)
{
	struct page *page = pfn == ~0ULL ? NULL : pfn_to_page(pfn);

	if (dirty)
		kvm_release_page_dirty(page);
	else
		kvm_release_page_clean(page);
}

/* arch/x86/kvm/mmu/mmu.c is_page_fault_stale(): the tree's check under mmu_lock */
KTS_ENTRY int kts613_mmu_invalidate_retry_gfn(struct kvm *kvm, unsigned long mmu_seq, gfn_t gfn)
{
	return mmu_invalidate_retry_gfn(kvm, mmu_seq, gfn);
}

/* struct kvm as the tree's code sees it: checked against kfp's mirror when loaded. */
KTS_ENTRY void kts613_kvm_layout(u64 *v)
{
	v[0] = sizeof(struct kvm);
	v[1] = offsetof(struct kvm, mmu_invalidate_seq);
	v[2] = offsetof(struct kvm, mmu_invalidate_in_progress);
	v[3] = offsetof(struct kvm, mmu_invalidate_range_start);
	v[4] = offsetof(struct kvm, mmu_invalidate_range_end);
}

/*
 * virt/kvm/kvm_main.c __kvm_vcpu_map() on a map of its own: v[0] the
 * page, v[1] the pfn, v[2] the pinned page (~0 for NULL)
 */
KTS_ENTRY int kts613_vcpu_map(struct kvm_vcpu *vcpu, gfn_t gfn, bool writable, u64 *v)
{
	struct kvm_host_map map;
	int r = __kvm_vcpu_map(vcpu, gfn, &map, writable);

	v[0] = kts613_pfn_of(map.page);
	v[1] = map.pfn;
	v[2] = kts613_pfn_of(map.pinned_page);
	return r;
}

/* virt/kvm/kvm_main.c kvm_vcpu_unmap() on the map rebuilt from what kfp kept of it */
KTS_ENTRY void kts613_vcpu_unmap(struct kvm_vcpu *vcpu, gfn_t gfn, bool writable, const u64 *v)
{
	struct kvm_host_map map = {
		.pinned_page = v[2] == ~0ULL ? NULL : pfn_to_page(v[2]),
		.page = v[0] == ~0ULL ? NULL : pfn_to_page(v[0]),
		.hva = kts_pages + v[1], /* what kmap()/memremap() returned: not NULL */
		.pfn = v[1],
		.gfn = gfn,
		.writable = writable,
	};

	kvm_vcpu_unmap(vcpu, &map);
}

/* The tree's encodings kfp must share: checked when the tree is loaded. */
KTS_ENTRY void kts613_constants(u64 *v)
{
	v[0] = KVM_PFN_ERR_FAULT;
	v[1] = KVM_PFN_ERR_HWPOISON;
	v[2] = KVM_PFN_ERR_RO_FAULT;
	v[3] = KVM_PFN_NOSLOT;
	v[4] = KVM_HVA_ERR_BAD;
	v[5] = KVM_HVA_ERR_RO_BAD;
	v[6] = KVM_MEMSLOT_INVALID;
	v[7] = KVM_PFN_ERR_SIGPENDING;
	v[8] = KVM_PFN_ERR_NEEDS_IO;
}
