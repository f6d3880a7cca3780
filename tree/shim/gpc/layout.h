/* SPDX-License-Identifier: GPL-2.0 */
/* The shapes kfp's side must share (tree/gpc.c check_layout()): sizes, then offsets. */
KTS_ENTRY void ktsgpc_layout(u64 *v)
{
	v[0] = sizeof(struct gfn_to_pfn_cache);
	v[1] = offsetof(struct gfn_to_pfn_cache, valid);
	v[2] = offsetof(struct gfn_to_pfn_cache, usage);
	v[3] = offsetof(struct gfn_to_pfn_cache, kvm);
	v[4] = offsetof(struct gfn_to_pfn_cache, list);
	v[5] = offsetof(struct gfn_to_pfn_cache, lock);
	v[6] = offsetof(struct gfn_to_pfn_cache, refresh_lock);
	v[7] = sizeof(struct kvm_memory_slot);
	v[8] = offsetof(struct kvm, gpc_lock);
	v[9] = offsetof(struct kvm, mn_active_invalidate_count);
	v[10] = offsetof(struct kvm, mmu_invalidate_seq);
}
