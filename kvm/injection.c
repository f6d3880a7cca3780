// SPDX-License-Identifier: GPL-2.0
/*
 * Named injections: old or broken code put back into a design that has
 * the fix, each citing what it renders.  The first group are seeded bugs
 * that bundled scenarios name; the second are historical bugs that
 * predate the designs the model renders.  Bugs seeded only for unit tests
 * are in tests/lib/seeded.c, behind kvm/seams.c (docs/model.md, "Failure
 * injection").
 */
#include <string.h>

#include "internal.h"

const struct kvm_injection_info kvm_injections[] = {
	{ "skip-retry-check", KVM_INJECT_SKIP_RETRY_CHECK,
	  "seeded: the fault installs its spte without mmu_invalidate_retry_gfn()" },
	{ "vcpu-map-no-pin", KVM_INJECT_VCPU_MAP_NO_PIN,
	  "seeded: kvm_vcpu_map() drops its pin at once" },
	{ "memslot-no-srcu-sync", KVM_INJECT_MEMSLOT_NO_SRCU_SYNC,
	  "seeded: kvm_swap_active_memslots() skips synchronize_srcu_expedited(), so a fault that "
	  "looked the old slot up outlives its zap (kvm->srcu has guarded memslots since "
	  "41ee8e8690fb, 2009)" },
	{ "gpc-no-retry", KVM_INJECT_GPC_NO_RETRY,
	  "hva_to_pfn_retry() without its retry loop: the 2022 gpc refresh race "
	  "(\"KVM: Fix multiple races in gfn=>pfn cache refresh\")" },
	{ "gpc-no-invalidate", KVM_INJECT_GPC_NO_INVALIDATE,
	  "a cache the notifier never invalidates: the CVE-2019-3016-era kvm_map_gfn() cache "
	  "(917248144db5 .. 357a18ad230f)" },
	{ "zero-page-reserved", KVM_INJECT_ZERO_PAGE_RESERVED,
	  "the zero pfn counts as reserved, so its reference is never put: before "
	  "7df003c85218 \"KVM: fix overflow of zero page refcount with ksm running\"" },
	{ "zone-device-reserved", KVM_INJECT_ZONE_DEVICE_RESERVED,
	  "ZONE_DEVICE pages count as reserved and are never put (described in "
	  "<20220429010416.2788472-10-seanjc@google.com>; fix not identified)" },
	{ "pfnmap-assume-writable", KVM_INJECT_PFNMAP_ASSUME_WRITABLE,
	  "remapped ptes are taken as writable: before bd2fae8da794 \"KVM: do not assume PTE "
	  "is writable after follow_pfn\" (pre-cve only)" },
	{ "memslot-no-wait", KVM_INJECT_MEMSLOT_NO_WAIT,
	  "memslot updates do not wait for in-flight invalidations: before 52ac8b358b0c "
	  "\"KVM: Block memslot updates across range_start() and range_end()\"" },
	{ "gpc-key-no-gpa", KVM_INJECT_GPC_KEY_NO_GPA,
	  "a cache keyed on the memslot generation alone, so a new gpa hits the old entry: "
	  "7e2175ebd695 (steal time) until 901d3765fa80 \"KVM: x86: revalidate steal time "
	  "cache if MSR value changes\"" },
	{ "gpc-double-put", KVM_INJECT_GPC_DOUBLE_PUT,
	  "the 5.17 cache (982ed0de4753) holding a reference, whose error path put it and left "
	  "the pfn for deactivation to put again: before 79593c086eb9 \"KVM: avoid double "
	  "put_page with gfn-to-pfn cache\"" },
	{ "vcpu-map-address-space-0", KVM_INJECT_VCPU_MAP_ADDRESS_SPACE_0,
	  "__kvm_vcpu_map() resolves through address space 0 while kvm_vcpu_unmap() marks the "
	  "vCPU's (maybe SMM) memslots dirty: before \"KVM: Use vCPU specific memslots in "
	  "__kvm_vcpu_map()\" (2025, <20251121223444.355422-2-seanjc@google.com>)" },
	{ "gpc-no-refresh-lock", KVM_INJECT_GPC_NO_REFRESH_LOCK,
	  "cache refreshes not serialised: before \"KVM: Fully serialize gfn=>pfn cache refresh "
	  "via mutex\" (2022)" },
	{ "gpc-reuse-leak", KVM_INJECT_GPC_REUSE_LEAK,
	  "the 5.17 reference-holding cache keeping GUP's extra reference when a refresh finds "
	  "the same pfn: before \"KVM: Put the extra pfn reference when reusing a pfn in the gpc "
	  "cache\" (2022)" },
};

const unsigned int kvm_nr_injections = ARRAY_SIZE(kvm_injections);

const struct kvm_injection_info *kvm_injection_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < kvm_nr_injections; i++)
		if (!strcmp(kvm_injections[i].name, name))
			return &kvm_injections[i];
	return NULL;
}
