/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the design variants share: the front half of hva_to_pfn_remapped()
 * (read the PFNMAP pte, fault it in once) and the pfn heuristic that every
 * design before 6.13 releases by.
 */
#ifndef KFP_KVM_DESIGN_H
#define KFP_KVM_DESIGN_H

#include "../internal.h"

/*
 * Read the pte behind kfp->hva (follow_pfnmap_start(); follow_pte() before
 * 6.12), faulting it in once with fixup_user_fault().  0: @args filled and
 * the page-table lock held until follow_pfnmap_end(); -EAGAIN: the mmap
 * lock was dropped, look the VMA up again; other errors: give up.
 */
int remapped_follow(struct kvm *kvm, struct kfp_vma *vma, struct kvm_follow_pfn *kfp,
		    struct follow_pfnmap_args *args);

/*
 * virt/kvm/kvm_main.c kvm_pfn_to_refcounted_page() (5.18..6.12), which is
 * !kvm_is_reserved_pfn() of 5.5..5.17 under another name: a page that is
 * not PG_reserved, or the zero page (7df003c85218), or a ZONE_DEVICE page.
 */
bool kvm_pfn_to_refcounted_page(const struct kvm *kvm, kfp_pfn_t pfn);

/*
 * A write through a read-only remapped pte is KVM_PFN_ERR_RO_FAULT
 * (bd2fae8da794); otherwise the pte's writability is reported through
 * map_writable.  False when *@pfn was set to the error.
 */
bool remapped_permits(struct kvm_follow_pfn *kfp, bool writable, kfp_pfn_t *pfn);

/*
 * What the 2023 designs and upstream accept: kvm_vcpu_map() keeps using a
 * stale translation after the VMA changes (David Stevens and Sean
 * Christopherson, 2023-09-06), and with allow_unsafe_mappings an access
 * through an unguarded mapping of remapped (VM_IO|VM_PFNMAP) memory that
 * holds neither reference nor pin.  Never a GUP'd page.
 */
bool vcpu_map_staleness_accepted(const struct kvm_access *access, enum kfp_report_kind kind);
bool unsafe_mapping_accepted(const struct kvm *kvm, const struct kvm_access *access,
			     enum kfp_report_kind kind);

/* virt/kvm/kvm_main.c hva_to_pfn_remapped() of 6.13+ (kvm/design/upstream.c) */
int upstream_hva_to_pfn_remapped(struct kvm *kvm, struct kfp_vma *vma, struct kvm_follow_pfn *kfp,
				 kfp_pfn_t *p_pfn);

#endif /* KFP_KVM_DESIGN_H */
