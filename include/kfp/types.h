/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Basic types and limits shared by every layer of kfp.
 *
 * Every piece of model state lives in fixed-size arrays inside one arena
 * (struct kfp_mm, struct kvm, ...) and refers to other pieces by index, never
 * by pointer, so that the explorer can reset a whole world with one memcpy.
 * The limits below size those arrays; the scenario front end rejects input
 * that would exceed them.
 */
#ifndef KFP_TYPES_H
#define KFP_TYPES_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;
typedef int64_t s64;
typedef int32_t s32;
typedef int16_t s16;
typedef int8_t s8;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGNED(x) (((x) & (PAGE_SIZE - 1)) == 0)

/* Physical memory: pfns [0, KFP_NR_PFNS). */
#define KFP_NR_PFNS 128
/* Pfns with a struct page ("RAM"); the rest are device pfns. */
#define KFP_NR_RAM_PFNS 96
/* Host virtual address space modelled: [KFP_HVA_MIN, KFP_HVA_LIMIT). */
#define KFP_NR_VPAGES 512
#define KFP_HVA_MIN PAGE_SIZE
#define KFP_HVA_LIMIT ((u64)KFP_NR_VPAGES << PAGE_SHIFT)
#define KFP_MAX_VMAS 16
#define KFP_MAX_OBJECTS 16
#define KFP_OBJECT_MAX_PAGES 32
#define KFP_MAX_LEDGER 256
#define KFP_MAX_OWNERS 48
#define KFP_MAX_SUBSCRIBERS 4
#define KFP_MAX_REPORTS 16
#define KFP_MAX_THREADS 8

/*
 * The model's "huge" page: a compound page of this order.  Real THP and
 * hugetlb pages are order 9 (2 MiB); the model scales them down to 4
 * subpages, which keeps head/tail behaviour and the refcount-on-head rule
 * while fitting in the small pfn space.
 */
#define KFP_HUGE_ORDER 2
#define KFP_HUGE_NR (1U << KFP_HUGE_ORDER)

/* include/linux/mm.h: GUP_PIN_COUNTING_BIAS */
#define GUP_PIN_COUNTING_BIAS (1U << 10)

typedef u64 kfp_pfn_t;
#define KFP_PFN_NONE ((kfp_pfn_t)-1)

/* An owner of references in the ledger (see mm/ledger.c). */
typedef u16 kfp_owner_t;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1UL << (n))

#ifndef EHWPOISON
#define EHWPOISON 133
#endif

#ifdef __cplusplus
}
#endif

#endif /* KFP_TYPES_H */
