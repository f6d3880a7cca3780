/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfp's shim for the gfn->pfn cache, part 3: the entry points kfp finds
 * with dlsym() (tree/gpc.c), after the tree's pfncache.c.
 */
KTS_ENTRY int ktsgpc_activate(struct gfn_to_pfn_cache *gpc, gpa_t gpa, unsigned long len)
{
	return kvm_gpc_activate(gpc, gpa, len);
}

KTS_ENTRY int ktsgpc_refresh(struct gfn_to_pfn_cache *gpc, unsigned long len)
{
	return kvm_gpc_refresh(gpc, len);
}

KTS_ENTRY bool ktsgpc_check(struct gfn_to_pfn_cache *gpc, unsigned long len)
{
	return kvm_gpc_check(gpc, len);
}

KTS_ENTRY void ktsgpc_deactivate(struct gfn_to_pfn_cache *gpc)
{
	kvm_gpc_deactivate(gpc);
}

KTS_ENTRY void ktsgpc_invalidate_start(struct kvm *kvm, unsigned long start, unsigned long end)
{
	gfn_to_pfn_cache_invalidate_start(kvm, start, end);
}

/* The shapes kfp's side must share (tree/gpc.c): sizes, then offsets. */
KTS_ENTRY void ktsgpc_layout(u64 *v)
{
	v[0] = sizeof(struct gfn_to_pfn_cache);
	v[1] = offsetof(struct gfn_to_pfn_cache, valid);
	v[2] = offsetof(struct gfn_to_pfn_cache, kvm);
	v[3] = offsetof(struct gfn_to_pfn_cache, lock);
	v[4] = offsetof(struct gfn_to_pfn_cache, refresh_lock);
	v[5] = sizeof(struct kvm);
	v[6] = offsetof(struct kvm, mn_active_invalidate_count);
	v[7] = offsetof(struct kvm, mmu_invalidate_seq);
	v[8] = sizeof(struct kvm_memory_slot);
}
