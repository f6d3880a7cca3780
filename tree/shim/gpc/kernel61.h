/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfp's shim for the gfn->pfn cache at 6.1: what only 6.1's pfncache.c
 * names.  kfp activates every cache with KVM_HOST_USES_PFN (KVM accesses
 * through the kernel mapping, as kfp's gpc ops do), so the eviction of
 * vCPUs that use the pfn in guest mode is compiled but never reached; if
 * it were, the request is a WARN report (tree/gpc.c).
 */
#define KVM_MAX_VCPUS 64
#define DECLARE_BITMAP(name, bits) unsigned long name[((bits) + 63) / 64]
#define bitmap_zero(map, bits) __builtin_memset(map, 0, sizeof(unsigned long) * (((bits) + 63) / 64))
#define __set_bit(nr, map) ((map)[(nr) / 64] |= 1UL << ((nr) % 64))
#define KVM_REQUEST_WAIT (1U << 9)
#define KVM_REQ_OUTSIDE_GUEST_MODE (KVM_REQUEST_WAIT | 1U << 10)
bool kts_gpc_make_vcpus_request_mask(struct kvm *kvm, unsigned int req, unsigned long *vcpu_bitmap);
#define kvm_make_vcpus_request_mask kts_gpc_make_vcpus_request_mask
