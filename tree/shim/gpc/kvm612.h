/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfp's shim for the gfn->pfn cache at 6.12+: include/linux/kvm_host.h
 * struct kvm, what pfncache.c reads of it.  The two counters are
 * registered ranges refreshed from the model's (tree/gpc.c).
 */
struct kvm {
	spinlock_t gpc_lock;
	struct list_head gpc_list;
	long mn_active_invalidate_count;
	unsigned long mmu_invalidate_seq;
};
