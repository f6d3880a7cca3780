/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfp's shim for the 6.1-era lookup path, part 1: the kernel-shaped
 * declarations the tree's code compiles against (in the manner of Linux's
 * tools/testing/vma/vma_internal.h).  kfp writes the constants it shares
 * with the model (FOLL_*, VM_*, PAGE_OFFSET...) above this text; the
 * tree's definitions, each behind its #line, follow it; entry.h closes
 * the translation unit.
 *
 * Every call the tree's code makes into mm is renamed onto a kts_*
 * function that the kfp binary exports (tree/shim61.c): kfp's model has
 * functions of the same names with other signatures, and the two must
 * never meet at link time.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef u64 kvm_pfn_t;
typedef u64 gfn_t;
typedef u64 gpa_t;
typedef u64 hpa_t;
typedef unsigned long hva_t;

#define PAGE_SIZE (1UL << PAGE_SHIFT)

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __always_inline inline __attribute__((always_inline))
#define might_sleep() \
	do {          \
	} while (0)
#define array_index_nospec(index, size) ((index) < (size) ? (index) : 0)

#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) ((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
#define IS_ERR(ptr) IS_ERR_VALUE((unsigned long)(ptr))
#define POISON_POINTER_DELTA 0

/* include/asm-generic/bug.h: a WARN or BUG is a report of the model */
void kts_warn(const char *file, int line, const char *what);
#define WARN_ON(condition)                                      \
	({                                                      \
		int __ret_warn_on = !!(condition);              \
		if (unlikely(__ret_warn_on))                    \
			kts_warn(__FILE__, __LINE__, #condition); \
		unlikely(__ret_warn_on);                        \
	})
#define WARN_ON_ONCE(condition) WARN_ON(condition)
#define BUG_ON(condition) ((void)WARN_ON(condition))

/* struct page: an address kfp maps to the pfn (no field of it is ever read) */
struct page;
extern char kts_pages[];
#define pfn_to_page(pfn) ((struct page *)(kts_pages + (pfn)))
#define page_to_pfn(page) ((kvm_pfn_t)((const char *)(page)-kts_pages))

struct mm_struct;
/* the fields the lookup path reads; kfp fills them at vma_lookup() (tree/shim61.c) */
struct vm_area_struct {
	struct mm_struct *vm_mm;
	unsigned long vm_start, vm_end, vm_flags;
	void *kfp_vma;
};
struct task_struct {
	struct mm_struct *mm;
};
struct task_struct *kts_current(void);
#define current (kts_current())

typedef struct {
	int kts_unused;
} spinlock_t;
typedef struct {
	unsigned long pfn;
	unsigned long write;
} pte_t;
static inline int pte_write(pte_t pte)
{
	return pte.write != 0;
}
static inline unsigned long pte_pfn(pte_t pte)
{
	return pte.pfn;
}

/* include/linux/kvm_host.h: the fields of a memslot the lookup reads */
struct kvm_memory_slot {
	gfn_t base_gfn;
	unsigned long npages;
	unsigned long userspace_addr;
	u32 flags;
	short id;
	u16 as_id;
};
/*
 * include/linux/kvm_host.h struct kvm: the fields mmu_invalidate_retry_hva()
 * reads.  kfp hands the tree one of these (tree/shim61.c kts_kvm_of()),
 * its four fields registered with kfp's TSan runtime: each load of them
 * is a shared read of the model's invalidation state.  The notifier's
 * range_start/_end are hvas at this level.
 */
typedef struct {
	int kts_unused;
} rwlock_t;
struct kvm {
	rwlock_t mmu_lock;
	unsigned long mmu_invalidate_seq;
	long mmu_invalidate_in_progress;
	unsigned long mmu_invalidate_range_start;
	unsigned long mmu_invalidate_range_end;
	/* the gfn->pfn cache's (tree/gpc.c): its list (named, never walked) and counter */
	spinlock_t gpc_lock;
	struct {
		void *next, *prev;
	} gpc_list;
	long mn_active_invalidate_count;
};
/*
 * include/linux/kvm_host.h struct kvm_vcpu: what kvm_vcpu_map() reads
 * (vcpu->kvm), and kfp's own: its vCPU and map, and the address space
 * kvm_vcpu_gfn_to_memslot() resolves in (tree/vcpu_map.c)
 */
struct kvm_vcpu {
	struct kvm *kvm;
	void *kfp_vcpu;
	void *kfp_map;
	unsigned int kfp_as_id;
	int vcpu_idx; /* 6.1's pfncache.c: the vCPU a KVM_GUEST_USES_PFN cache kicks */
};

/*
 * What kvm_vcpu_map() and kvm_vcpu_unmap() call beyond the lookup, onto
 * kfp's model (tree/vcpu_map.c): the memslot lookups, the dirty log,
 * kmap() and memremap()
 */
#define gfn_to_memslot kts_gfn_to_memslot
#define kvm_vcpu_gfn_to_memslot kts_vcpu_gfn_to_memslot
#define kvm_vcpu_mark_page_dirty kts_vcpu_mark_page_dirty
#define kmap kts_kmap
#define kunmap kts_kunmap
#define memremap kts_memremap
#define memunmap kts_memunmap
struct kvm_memory_slot *gfn_to_memslot(struct kvm *kvm, gfn_t gfn);
struct kvm_memory_slot *kvm_vcpu_gfn_to_memslot(struct kvm_vcpu *vcpu, gfn_t gfn);
void kvm_vcpu_mark_page_dirty(struct kvm_vcpu *vcpu, gfn_t gfn);
void *kmap(struct page *page);
void kunmap(struct page *page);
void *memremap(u64 offset, size_t size, unsigned long flags);
void memunmap(void *addr);
#define MEMREMAP_WB 1
/* include/linux/kvm_host.h: kvm_release_pfn() comes before their definitions */
void kvm_release_pfn_clean(kvm_pfn_t pfn);
void kvm_release_pfn_dirty(kvm_pfn_t pfn);

/*
 * kfp's model has a mmu_invalidate_retry_hva() of its own, which the
 * binary exports: the tree's is renamed, so that a unit without it fails
 * to load instead of calling kfp's.
 */
#define mmu_invalidate_retry_hva kts61_tree_mmu_invalidate_retry_hva

/* include/linux/lockdep.h: an assertion on the model's lock */
void kts_lockdep_assert_held(const void *lock);
#define lockdep_assert_held(l) kts_lockdep_assert_held(l)

/* mm, renamed onto kfp's model */
#define get_user_page_fast_only kts_get_user_page_fast_only
#define get_user_pages_unlocked kts_get_user_pages_unlocked
#define get_user_pages kts_get_user_pages
#define get_page_unless_zero kts_get_page_unless_zero
#define put_page kts_put_page
#define pfn_valid kts_pfn_valid
#define PageReserved kts_PageReserved
#define is_zero_pfn kts_is_zero_pfn
#define is_zone_device_page kts_is_zone_device_page
#define page_count kts_page_count
#define mark_page_accessed kts_mark_page_accessed
#define SetPageDirty kts_SetPageDirty
#define follow_pte kts_follow_pte
#define pte_unmap_unlock kts_pte_unmap_unlock
#define fixup_user_fault kts_fixup_user_fault
#define mmap_read_lock kts_mmap_read_lock
#define mmap_read_unlock kts_mmap_read_unlock
#define vma_lookup kts_vma_lookup

bool get_user_page_fast_only(unsigned long addr, unsigned int gup_flags, struct page **pagep);
long get_user_pages_unlocked(unsigned long start, unsigned long nr_pages, struct page **pages,
			     unsigned int gup_flags);
long get_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
		    struct page **pages, struct vm_area_struct **vmas);
bool get_page_unless_zero(struct page *page);
void put_page(struct page *page);
int pfn_valid(unsigned long pfn);
int PageReserved(const struct page *page);
int is_zero_pfn(unsigned long pfn);
bool is_zone_device_page(const struct page *page);
int page_count(const struct page *page);
void mark_page_accessed(struct page *page);
void SetPageDirty(struct page *page);
int follow_pte(struct mm_struct *mm, unsigned long address, pte_t **ptepp, spinlock_t **ptlp);
void pte_unmap_unlock(pte_t *ptep, spinlock_t *ptl);
int fixup_user_fault(struct mm_struct *mm, unsigned long address, unsigned int fault_flags,
		     bool *unlocked);
void mmap_read_lock(struct mm_struct *mm);
void mmap_read_unlock(struct mm_struct *mm);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
