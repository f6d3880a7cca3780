/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfp's shim for the gfn->pfn cache at 6.1, part 3: the entry points, onto
 * 6.1's API, where the caller passes kvm and the gpa it set the cache up
 * for (arch/x86/kvm/xen.c passes gpc->gpa, read in vCPU context after the
 * activation; kfp passes the gpa of the last activation, which a caller
 * racing with that activation could not have read from gpc->gpa yet).
 */
KTS_ENTRY int ktsgpc_activate(struct gfn_to_pfn_cache *gpc, gpa_t gpa, unsigned long len)
{
	return kvm_gpc_activate(kts_gpc_kvm(), gpc, NULL, KVM_HOST_USES_PFN, gpa, len);
}

KTS_ENTRY int ktsgpc_refresh(struct gfn_to_pfn_cache *gpc, gpa_t gpa, unsigned long len)
{
	return kvm_gfn_to_pfn_cache_refresh(kts_gpc_kvm(), gpc, gpa, len);
}

KTS_ENTRY bool ktsgpc_check(struct gfn_to_pfn_cache *gpc, gpa_t gpa, unsigned long len)
{
	return kvm_gfn_to_pfn_cache_check(kts_gpc_kvm(), gpc, gpa, len);
}

KTS_ENTRY void ktsgpc_deactivate(struct gfn_to_pfn_cache *gpc)
{
	kvm_gpc_deactivate(kts_gpc_kvm(), gpc);
}

/* from a notifier that may block (kvm/kvm_main.c: no OOM reaper in the model) */
KTS_ENTRY void ktsgpc_invalidate_start(struct kvm *kvm, unsigned long start, unsigned long end)
{
	gfn_to_pfn_cache_invalidate_start(kvm, start, end, true);
}
