/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfp's shim for the gfn->pfn cache, part 3: the entry points kfp finds
 * with dlsym() (tree/gpc.c), after the tree's pfncache.c.
 */
KTS_ENTRY int ktsgpc_activate(struct gfn_to_pfn_cache *gpc, gpa_t gpa, unsigned long len)
{
	return kvm_gpc_activate(gpc, gpa, len);
}

/* @gpa: 6.1's callers pass it (entry61.h); 6.12+ reads gpc->gpa under refresh_lock */
KTS_ENTRY int ktsgpc_refresh(struct gfn_to_pfn_cache *gpc, gpa_t gpa, unsigned long len)
{
	return kvm_gpc_refresh(gpc, len);
}

KTS_ENTRY bool ktsgpc_check(struct gfn_to_pfn_cache *gpc, gpa_t gpa, unsigned long len)
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
