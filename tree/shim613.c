// SPDX-License-Identifier: GPL-2.0
/*
 * kfp's shim for the 6.13+ lookup path, part 2: what 6.13+ calls beyond
 * what it calls as 6.1 and 6.12 did (tree/shim61.c: GUP, the page
 * helpers, mmap_lock, vma_lookup(), fixup_user_fault(); tree/shim612.c:
 * follow_pfnmap_start()/follow_pfnmap_end()).  kvm_follow_pfn.pin makes
 * the lookup pin instead of get (pin_user_pages_fast()/_unlocked()), and
 * hva_to_pfn_remapped() refuses a pin unless the allow_unsafe_mappings
 * module parameter is set, which is the model's per-world flag.
 */
#include <kfp/kvm.h>

#include "shim61.h"
#include "shim613.h"

/* mm/gup.c pin_user_pages_fast(): one page in the lookup path */
int kts613_pin_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags,
			       void **pages)
{
	kfp_pfn_t pfn;
	int n;

	if (nr_pages != 1)
		return -EINVAL;
	n = pin_user_pages_fast(kts_world()->mm, start, 1, gup_flags, &pfn, kts_owner());
	if (n == 1)
		pages[0] = kts_pages + pfn;
	return n;
}

/* mm/gup.c pin_user_pages_unlocked(): one page in the lookup path */
long kts613_pin_user_pages_unlocked(unsigned long start, unsigned long nr_pages, void **pages,
				    unsigned int gup_flags)
{
	kfp_pfn_t pfn;
	long n;

	if (nr_pages != 1)
		return -EINVAL;
	n = pin_user_pages_unlocked(kts_world()->mm, start, 1, &pfn, gup_flags, kts_owner());
	if (n == 1)
		pages[0] = kts_pages + pfn;
	return n;
}

/* virt/kvm/kvm_main.c allow_unsafe_mappings (module parameter, 6.13) */
bool kts613_allow_unsafe_mappings(void)
{
	return kts_world()->allow_unsafe_mappings;
}
