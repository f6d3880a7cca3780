/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host memory model: the parts of Linux mm that KVM's pfn lookup touches.
 *
 * Names follow the kernel (get_user_page_fast_only, follow_pfnmap_start,
 * handle_mm_fault, ...) so that a kernel developer finds the function a
 * behaviour comes from; each definition cites the upstream function it
 * follows.  Functions take the mm explicitly, and those that take or drop a
 * reference also take the *owner* of that reference: the kernel does not
 * track owners, the model does, so that refcount corruption (SPEC P1) is
 * caught at the step that causes it.
 *
 * All state is in struct kfp_mm, a plain-data arena.
 */
#ifndef KFP_MM_H
#define KFP_MM_H

#include <kfp/report.h>
#include <kfp/seam.h>
#include <kfp/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- physical memory: struct page ------------------------------------ */

/* What a pfn was set up as; fixed for the life of the pfn. */
enum kfp_page_kind {
	KFP_PAGE_RAM, /* ordinary allocatable RAM (anon, page cache, driver) */
	KFP_PAGE_ZERO, /* ZERO_PAGE: PG_reserved but refcounted */
	KFP_PAGE_RESERVED, /* PG_reserved RAM the kernel owns (mem= + /dev/mem) */
	KFP_PAGE_ZONE_DEVICE, /* ZONE_DEVICE: refcounted, historically PG_reserved */
	KFP_PAGE_DEVICE_MMIO, /* no struct page: !pfn_valid() */
};

/* Page flags (include/linux/page-flags.h names where one exists). */
#define PG_reserved BIT(0)
#define PG_head BIT(1) /* compound head: refcount of the folio */
#define PG_tail BIT(2) /* compound tail: page_count() reads the head */
#define PG_hwpoison BIT(3)
#define PG_dirty BIT(4)
#define PG_referenced BIT(5) /* mark_page_accessed() */
#define PG_anon_exclusive BIT(6)
#define PG_free BIT(7) /* in the allocator (the model's buddy lists) */
#define PG_anon BIT(8)
#define PG_pagecache BIT(9)
#define PG_swapcache BIT(10)
#define PG_hugetlb BIT(11)
#define PG_released BIT(12) /* device memory given back by its driver */
#define PG_high_order BIT(13) /* first page of a non-compound order>0 allocation */
/*
 * The model's, not the kernel's: a KVM owner corrupted this page's count
 * (a P1 report on it), so a disagreement the ledger finds later is that
 * corruption's consequence, P1 too (kfp_mismatch_blame()).  Kept through
 * the page's free and its next allocation.
 */
#define PG_kvm_corrupted BIT(14)

struct kfp_page {
	u32 flags;
	s32 refcount; /* _refcount of this struct page */
	s32 pincount; /* _pincount: large folios only */
	u16 head; /* the compound head, or the page itself */
	u8 order; /* allocation order (compound or not), on the first page */
	u8 kind; /* enum kfp_page_kind */
	u32 generation; /* bumped each time the page is freed */
	s16 object; /* memory object the page belongs to, -1 if none */
	s16 index; /* index of the page in that object */
	u64 content; /* one word of data: enough to observe staleness */
};

/* Value a freed page reads as (include/linux/poison.h: PAGE_POISON bytes). */
#define KFP_POISON_FREE 0xaaaaaaaaaaaaaaaaULL

/* ---- the reference ledger ---------------------------------------------- */

enum kfp_owner_kind {
	KFP_OWNER_KIND_NONE,
	KFP_OWNER_KIND_MM, /* page tables, page cache, swap cache, child mm */
	KFP_OWNER_KIND_KERNEL, /* boot-time references: zero page, reserved */
	KFP_OWNER_KIND_DRIVER, /* the driver that allocated the memory */
	KFP_OWNER_KIND_HOST, /* a host-side GUP user (e.g. vfio, O_DIRECT) */
	KFP_OWNER_KIND_KVM, /* a KVM caller: must own nothing at the end */
};

/* Owners every mm has; others are registered with kfp_owner_register(). */
enum {
	KFP_OWNER_NONE,
	KFP_OWNER_KERNEL,
	KFP_OWNER_PAGE_TABLE,
	KFP_OWNER_PAGE_CACHE,
	KFP_OWNER_SWAP_CACHE,
	KFP_OWNER_DRIVER,
	KFP_OWNER_CHILD_MM,
	KFP_OWNER_MIGRATION,
	KFP_OWNER_HOST_GUP,
	KFP_OWNER_FAULT, /* the folio reference a fault holds while it works (vmf->page) */
	KFP_OWNER_RECLAIM, /* reclaim's isolation reference (isolate_lru_folios()) */
	KFP_OWNER_KSM, /* ksmd's reference on the page it scans (get_next_rmap_item()) */
	KFP_NR_FIXED_OWNERS,
};

#define KFP_OWNER_NAME_LEN 24

struct kfp_owner {
	u8 kind;
	char name[KFP_OWNER_NAME_LEN];
};

/* One (page, owner) pair: the references and pins that owner holds. */
struct kfp_ledger_entry {
	u16 pfn; /* the folio head: references live there */
	kfp_owner_t owner;
	s16 refs;
	s16 pins;
};

struct kfp_ledger {
	u16 nr_entries;
	u16 nr_owners;
	struct kfp_ledger_entry entry[KFP_MAX_LEDGER];
	struct kfp_owner owner[KFP_MAX_OWNERS];
};

/* ---- memory objects: what VMAs map ------------------------------------ */

enum kfp_memory_object_kind {
	KFP_OBJECT_SHMEM, /* shmem / memfd / shared anon: page cache, resident */
	KFP_OBJECT_FILE, /* regular file: page cache, read in on fault */
	KFP_OBJECT_HUGETLB, /* hugetlbfs: compound pages */
	KFP_OBJECT_DEVICE_MMIO, /* device memory without struct page (PCI BAR) */
	KFP_OBJECT_DRIVER_PAGES, /* refcounted struct pages of a driver (udmabuf-like) */
	KFP_OBJECT_TTM, /* non-compound higher-order allocation: tails refcount 0 */
	KFP_OBJECT_RESERVED, /* PG_reserved RAM (mem= plus /dev/mem) */
	KFP_OBJECT_ZONE_DEVICE, /* ZONE_DEVICE pages (refcounted) */
	KFP_NR_OBJECT_KINDS,
};

struct kfp_memory_object {
	u8 in_use;
	u8 kind; /* enum kfp_memory_object_kind */
	u8 released; /* the driver revoked it and gave the memory back */
	u8 fault_retries; /* driver fault handler: VM_FAULT_RETRY this many times */
	u16 nr_pages;
	/*
	 * drivers/vfio/pci/vfio_pci_core.c vdev->memory_lock: the fault handler
	 * holds it for read across the enabled check and the insert, revoke for
	 * write across the zap (the model gives every driver object one).
	 */
	struct kfp_lock memory_lock;
	u16 pfn[KFP_OBJECT_MAX_PAGES]; /* KFP_NO_PFN16 where not resident */
	u64 stored[KFP_OBJECT_MAX_PAGES]; /* backing store (file contents) */
};

#define KFP_NO_PFN16 0xffff

/* ---- address space ------------------------------------------------------ */

/* include/linux/mm.h VM_* values */
#define VM_READ 0x00000001UL
#define VM_WRITE 0x00000002UL
#define VM_SHARED 0x00000008UL
#define VM_PFNMAP 0x00000400UL
#define VM_IO 0x00004000UL
#define VM_HUGETLB 0x00400000UL
#define VM_MIXEDMAP 0x10000000UL
#define VM_HUGEPAGE 0x20000000UL

/* What the VMA maps. */
enum kfp_backing {
	KFP_BACKING_ANON, /* private anonymous (THP with VM_HUGEPAGE) */
	KFP_BACKING_SHARED, /* shared mapping of a shmem/memfd object */
	KFP_BACKING_FILE, /* file mapping: private (CoW) or VM_SHARED */
	KFP_BACKING_HUGETLB, /* hugetlbfs mapping */
	KFP_BACKING_PFNMAP, /* driver: VM_IO | VM_PFNMAP, special ptes */
	KFP_BACKING_MIXEDMAP, /* driver: VM_MIXEDMAP, struct pages inserted */
	KFP_NR_BACKINGS,
};

struct kfp_vma {
	u8 in_use;
	u8 backing; /* enum kfp_backing */
	s8 object; /* memory object, -1 for private anon */
	u8 pad;
	u32 pgoff; /* page offset of vm_start into the object */
	u64 vm_start, vm_end;
	unsigned long vm_flags;
};

enum kfp_pte_kind {
	KFP_PTE_NONE,
	KFP_PTE_PRESENT,
	KFP_PTE_SWAP, /* swapped out: content in swap_content, or in swap cache */
	KFP_PTE_MIGRATION, /* migration entry: faults wait */
	KFP_PTE_HWPOISON, /* hwpoison entry: faults give VM_FAULT_HWPOISON */
};

struct kfp_pte {
	u8 kind; /* enum kfp_pte_kind */
	u8 writable;
	u8 special; /* pte_special(): no struct page refcounting */
	u8 protnone; /* PROT_NONE: present but inaccessible */
	u8 dirty;
	u8 accessed;
	u16 pad;
	u32 pfn; /* present: mapped pfn; swap: swap-cache pfn or KFP_NO_PFN32 */
	u64 swap_content;
};

#define KFP_NO_PFN32 0xffffffffU

/* ---- mmu notifiers (include/linux/mmu_notifier.h) ------------------------ */

enum mmu_notifier_event {
	MMU_NOTIFY_UNMAP,
	MMU_NOTIFY_CLEAR,
	MMU_NOTIFY_PROTECTION_VMA,
	MMU_NOTIFY_PROTECTION_PAGE,
	MMU_NOTIFY_SOFT_DIRTY,
	MMU_NOTIFY_RELEASE,
	MMU_NOTIFY_MIGRATE,
	MMU_NOTIFY_EXCLUSIVE,
};

struct mmu_notifier_range {
	u64 start, end;
	u8 event; /* enum mmu_notifier_event */
	u8 blockable;
};

struct kfp_mm;

struct mmu_notifier_ops {
	void (*release)(struct kfp_mm *mm, void *data);
	int (*invalidate_range_start)(struct kfp_mm *mm, void *data,
				      const struct mmu_notifier_range *range);
	void (*invalidate_range_end)(struct kfp_mm *mm, void *data,
				     const struct mmu_notifier_range *range);
};

struct kfp_mmu_notifier {
	const struct mmu_notifier_ops *ops;
	void *data; /* points into the same world arena */
};

/* ---- the mm ------------------------------------------------------------ */

enum kfp_signal_state {
	KFP_SIGNAL_NONE,
	KFP_SIGNAL_PENDING, /* signal_pending() */
	KFP_SIGNAL_FATAL, /* fatal_signal_pending() */
};

/* Small fields first, then the arrays, whose first entries a scenario uses (struct kfp_world). */
struct kfp_mm {
	struct kfp_mmu_notifier subscriber[KFP_MAX_SUBSCRIBERS];
	struct kfp_lock mmap_lock;
	struct kfp_lock page_table_lock;
	struct kfp_lock folio_lock; /* held by migration: faults on its entries wait */
	struct kfp_lock notifier_srcu; /* mm/mmu_notifier.c srcu: callbacks against the unhook */
	u8 nr_subscribers;
	u8 dead; /* exit_mmap() ran */
	u8 signal[KFP_MAX_THREADS]; /* enum kfp_signal_state */
	u16 nr_device_pfns_used;
	u32 zero_pfn;
	s32 active_invalidations; /* invalidate_range_start() without its end yet */
	/*
	 * Invalidations in flight when a subscriber was unhooked (->release,
	 * mmu_notifier_unregister()): they reached it at their start, and
	 * their ends reach it no more.
	 */
	s32 ends_after_unhook;
	/* mm_types.h mm->write_protect_seq: odd while fork() write-protects a CoW VMA */
	u32 write_protect_seq;
	/*
	 * Statistics for tests.  Nothing in the model or the checker reads
	 * them back: they are history, not state, and the stateful search
	 * leaves them out of a state's identity (scenario/run.c).
	 */
	struct kfp_mm_stats {
		u32 nr_invalidate_start, nr_invalidate_end, nr_release;
		u32 nr_faults;
		u32 nr_frees;
		u32 nr_fault_backouts; /* a fault's re-check found the pte changed and backed out */
		u32 nr_lookup_retries; /* a cache lookup's folio_try_get() failed on a frozen folio */
	} stats;
	struct kfp_vma vma[KFP_MAX_VMAS];
	struct kfp_ledger ledger;
	struct kfp_page page[KFP_NR_PFNS];
	struct kfp_pte pte[KFP_NR_VPAGES];
	struct kfp_memory_object object[KFP_MAX_OBJECTS];
};

/* ---- errors and flags ---------------------------------------------------- */

/* include/linux/mm_types.h vm_fault_t bits */
typedef unsigned int vm_fault_t;
#define VM_FAULT_OOM 0x000001
#define VM_FAULT_SIGBUS 0x000002
#define VM_FAULT_HWPOISON 0x000010
#define VM_FAULT_SIGSEGV 0x000040
#define VM_FAULT_RETRY 0x000400
#define VM_FAULT_COMPLETED 0x004000
#define VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON)

/* include/linux/mm_types.h enum fault_flag */
#define FAULT_FLAG_WRITE BIT(0)
#define FAULT_FLAG_ALLOW_RETRY BIT(2)
#define FAULT_FLAG_RETRY_NOWAIT BIT(3)
#define FAULT_FLAG_KILLABLE BIT(4)
#define FAULT_FLAG_TRIED BIT(5)
#define FAULT_FLAG_USER BIT(6)
#define FAULT_FLAG_REMOTE BIT(7)
#define FAULT_FLAG_INTERRUPTIBLE BIT(9)
#define FAULT_FLAG_UNSHARE BIT(10)

/* include/linux/mm_types.h enum foll_flags (public) and mm/internal.h (private) */
#define FOLL_WRITE BIT(0)
#define FOLL_GET BIT(1)
#define FOLL_FORCE BIT(3)
#define FOLL_NOWAIT BIT(4)
#define FOLL_NOFAULT BIT(5)
#define FOLL_HWPOISON BIT(6)
#define FOLL_ANON BIT(7)
#define FOLL_LONGTERM BIT(8)
#define FOLL_INTERRUPTIBLE BIT(11)
#define FOLL_HONOR_NUMA_FAULT BIT(12)
#define FOLL_PIN BIT(20)
#define FOLL_UNLOCKABLE BIT(21)

/* mmap prot bits */
#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2

/* ---- setup (mm/init.c) --------------------------------------------------- */

void kfp_mm_init(struct kfp_mm *mm);
kfp_owner_t kfp_owner_register(struct kfp_mm *mm, const char *name, enum kfp_owner_kind kind);
const char *kfp_owner_name(const struct kfp_mm *mm, kfp_owner_t owner);

int kfp_memory_object_create(struct kfp_mm *mm, enum kfp_memory_object_kind kind,
			     unsigned int nr_pages);
const char *kfp_memory_object_kind_name(enum kfp_memory_object_kind kind);

/* ---- pages and references (mm/page.c) ------------------------------------ */

bool pfn_valid(const struct kfp_mm *mm, kfp_pfn_t pfn);
kfp_pfn_t compound_head_pfn(const struct kfp_mm *mm, kfp_pfn_t pfn);
int page_count(const struct kfp_mm *mm, kfp_pfn_t pfn);
int page_ref_count(const struct kfp_mm *mm, kfp_pfn_t pfn);
bool PageReserved(const struct kfp_mm *mm, kfp_pfn_t pfn);
bool PageCompound(const struct kfp_mm *mm, kfp_pfn_t pfn);
bool PageHWPoison(const struct kfp_mm *mm, kfp_pfn_t pfn);
bool is_zero_pfn(const struct kfp_mm *mm, kfp_pfn_t pfn);
bool is_zone_device_page(const struct kfp_mm *mm, kfp_pfn_t pfn);
bool folio_test_large(const struct kfp_mm *mm, kfp_pfn_t pfn);
bool folio_maybe_dma_pinned(const struct kfp_mm *mm, kfp_pfn_t pfn);
bool kfp_page_is_free(const struct kfp_mm *mm, kfp_pfn_t pfn);

void get_page(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner);
bool get_page_unless_zero(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner);
void put_page(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner);
int try_grab_folio(struct kfp_mm *mm, kfp_pfn_t pfn, unsigned int gup_flags, kfp_owner_t owner);
void unpin_user_page(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner);
void kfp_transfer_reference(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t from, kfp_owner_t to);
void mark_page_accessed(struct kfp_mm *mm, kfp_pfn_t pfn);
void SetPageDirty(struct kfp_mm *mm, kfp_pfn_t pfn);

bool folio_try_get(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner);
bool folio_ref_freeze(struct kfp_mm *mm, kfp_pfn_t pfn, int count);
void free_frozen_folio(struct kfp_mm *mm, kfp_pfn_t pfn);
bool kfp_put_unless_frozen(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner);
enum kfp_property kfp_ref_blame(const struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner);
enum kfp_property kfp_mismatch_blame(const struct kfp_mm *mm, kfp_pfn_t pfn);

kfp_pfn_t kfp_alloc_pages(struct kfp_mm *mm, unsigned int order, bool compound, kfp_owner_t owner);
/* Test only: kfp_alloc_pages() claims its run in the caller's step (seeds the audit). */
extern bool kfp_test_alloc_unannounced;
/* Test only: a host access touches the page its pte maps without naming it again (the old bug). */
extern bool kfp_test_host_access_stale_page;
void kfp_free_pages(struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner);
kfp_pfn_t kfp_alloc_device_pfns(struct kfp_mm *mm, unsigned int nr);

/* ---- the ledger (mm/ledger.c) -------------------------------------------- */

void kfp_ledger_add(struct kfp_mm *mm, kfp_pfn_t head, kfp_owner_t owner, int refs, int pins);
int kfp_ledger_refs(const struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner);
int kfp_ledger_pins(const struct kfp_mm *mm, kfp_pfn_t pfn, kfp_owner_t owner);
int kfp_ledger_expected_refcount(const struct kfp_mm *mm, kfp_pfn_t head);
bool kfp_ledger_check_page(struct kfp_mm *mm, kfp_pfn_t pfn);
unsigned int kfp_ledger_check(struct kfp_mm *mm);
unsigned int kfp_ledger_check_leaks(struct kfp_mm *mm, enum kfp_owner_kind kind);
unsigned int kfp_ledger_owner_holds(const struct kfp_mm *mm, kfp_owner_t owner);

/* ---- address space (mm/vma.c) ------------------------------------------- */

struct kfp_vma *vma_lookup(struct kfp_mm *mm, u64 addr);
int kfp_vma_index(const struct kfp_mm *mm, const struct kfp_vma *vma);
bool vma_is_valid(const struct kfp_vma *vma, bool write_fault);
struct kfp_pte *kfp_pte_of(struct kfp_mm *mm, u64 addr);
u32 kfp_pte_object(u64 addr);
bool kfp_hva_in_range(u64 addr);
bool kfp_host_translate(struct kfp_mm *mm, u64 addr, kfp_pfn_t *pfn, bool *writable);

void mmap_read_lock(struct kfp_mm *mm);
void mmap_read_unlock(struct kfp_mm *mm);
void mmap_write_lock(struct kfp_mm *mm);
void mmap_write_unlock(struct kfp_mm *mm);

/* ---- faults (mm/fault.c) ------------------------------------------------ */

vm_fault_t handle_mm_fault(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, unsigned int flags);
int vm_fault_to_errno(vm_fault_t fault, unsigned int gup_flags);

/* ---- GUP and follow_pfnmap (mm/gup.c, mm/pfnmap.c) -------------------------- */

bool get_user_page_fast_only(struct kfp_mm *mm, u64 addr, unsigned int gup_flags, kfp_pfn_t *pfn,
			     kfp_owner_t owner);
int get_user_pages_fast_only(struct kfp_mm *mm, u64 start, int nr_pages, unsigned int gup_flags,
			     kfp_pfn_t *pfns, kfp_owner_t owner);
int pin_user_pages_fast(struct kfp_mm *mm, u64 start, int nr_pages, unsigned int gup_flags,
			kfp_pfn_t *pfns, kfp_owner_t owner);
long get_user_pages_unlocked(struct kfp_mm *mm, u64 start, unsigned long nr_pages, kfp_pfn_t *pfns,
			     unsigned int gup_flags, kfp_owner_t owner);
long pin_user_pages_unlocked(struct kfp_mm *mm, u64 start, unsigned long nr_pages, kfp_pfn_t *pfns,
			     unsigned int gup_flags, kfp_owner_t owner);
int check_vma_flags(const struct kfp_vma *vma, unsigned long gup_flags);

struct follow_pfnmap_args {
	/* inputs */
	struct kfp_vma *vma;
	u64 address;
	/* internal: the page-table lock is held between start and end */
	struct kfp_mm *mm;
	/* outputs */
	kfp_pfn_t pfn;
	bool writable;
	bool special;
};

int follow_pfnmap_start(struct kfp_mm *mm, struct follow_pfnmap_args *args);
void follow_pfnmap_end(struct follow_pfnmap_args *args);
int fixup_user_fault(struct kfp_mm *mm, u64 address, unsigned int fault_flags, bool *unlocked);

/* ---- signals (mm/vma.c) ------------------------------------------------- */

bool signal_pending(const struct kfp_mm *mm);
bool fatal_signal_pending(const struct kfp_mm *mm);
void kfp_send_signal(struct kfp_mm *mm, int thread, bool fatal);
void kfp_signal_delivered(struct kfp_mm *mm, int thread);

/* ---- mmu notifiers (mm/notifier.c) --------------------------------------- */

int mmu_notifier_register(struct kfp_mm *mm, const struct mmu_notifier_ops *ops, void *data);
void mmu_notifier_unregister(struct kfp_mm *mm, void *data);
void mmu_notifier_invalidate_range_start(struct kfp_mm *mm, const struct mmu_notifier_range *range);
void mmu_notifier_invalidate_range_end(struct kfp_mm *mm, const struct mmu_notifier_range *range);
void mmu_notifier_release(struct kfp_mm *mm);

/*
 * ---- host operations --------------------------------------------------------
 * Each in the file upstream keeps it in: mm/mmap.c (mmap, munmap, teardown),
 * mprotect.c, madvise.c, mremap.c, migrate.c, vmscan.c (reclaim), fork.c,
 * ksm.c, memory-failure.c, driver.c (revoke), fault.c (host read/write).
 */

#define KFP_MAP_SHARED BIT(0)
#define KFP_MAP_FIXED BIT(1)
#define KFP_MAP_POPULATE BIT(2) /* PFNMAP: remap_pfn_range() at mmap time */
#define KFP_MAP_HUGEPAGE BIT(3) /* anon: madvise(MADV_HUGEPAGE), THP */

struct kfp_mmap_args {
	u64 addr;
	u64 len;
	unsigned int prot; /* PROT_* */
	unsigned int flags; /* KFP_MAP_* */
	enum kfp_backing backing;
	int object; /* memory object, -1 for private anon */
	u32 pgoff; /* in pages */
};

int kfp_mmap(struct kfp_mm *mm, const struct kfp_mmap_args *args);
int kfp_munmap(struct kfp_mm *mm, u64 start, u64 len);
int kfp_mprotect(struct kfp_mm *mm, u64 start, u64 len, unsigned int prot);
int kfp_madvise_dontneed(struct kfp_mm *mm, u64 start, u64 len);
int kfp_mremap(struct kfp_mm *mm, u64 old_addr, u64 len, u64 new_addr);
int kfp_migrate_page(struct kfp_mm *mm, u64 addr);
int kfp_reclaim(struct kfp_mm *mm, u64 start, u64 len);
int kfp_fork(struct kfp_mm *mm);
int kfp_child_exit(struct kfp_mm *mm);
int kfp_ksm_merge(struct kfp_mm *mm, u64 addr);
int kfp_driver_revoke(struct kfp_mm *mm, int object);
int kfp_host_read(struct kfp_mm *mm, u64 addr, u64 *value);
int kfp_host_write(struct kfp_mm *mm, u64 addr, u64 value);
int kfp_memory_failure(struct kfp_mm *mm, kfp_pfn_t pfn);
void kfp_mm_teardown(struct kfp_mm *mm);

/* Reading and writing a pfn's content word (the model's memcpy). */
u64 kfp_pfn_read(struct kfp_mm *mm, kfp_pfn_t pfn);
void kfp_pfn_write(struct kfp_mm *mm, kfp_pfn_t pfn, u64 value);

#ifdef __cplusplus
}
#endif

#endif /* KFP_MM_H */
