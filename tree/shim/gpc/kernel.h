/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfp's shim for the gfn->pfn cache (virt/kvm/pfncache.c, 6.12 and 6.13+),
 * part 1: the kernel-shaped declarations pfncache.c compiles against.  It
 * follows the level's kernel.h and precedes the tree's definitions.
 *
 * The cache's struct lives in kfp's world (kvm->tree_gpc[], so a restored
 * state restores it) and its racy fields (generation .. valid) are one
 * range of tree/tsan.c: every plain load or store of them is a shared
 * access of the model's gpc object.  Its locks, kvm->gpc_lock and the
 * gpc_list are only ever named by address: tree/gpc.c maps each address
 * onto the model's lock, and the list onto the model's `listed` flags.
 * Field order is kfp's (tree/gpc.c struct kts_gpc checks it at load).
 * struct kvm is the level shim's own (tree/shim/LEVEL/kernel.h), with
 * the cache's fields, which tree/shim61.c mirrors for every level.
 */
struct list_head {
	struct list_head *next, *prev;
};

/* include/linux/kvm_types.h enum pfn_cache_usage (6.1 .. 6.8), kfp's writing of its values */
enum pfn_cache_usage {
	KVM_GUEST_USES_PFN = 1 << 0,
	KVM_HOST_USES_PFN = 1 << 1,
	KVM_GUEST_AND_HOST_USE_PFN = KVM_GUEST_USES_PFN | KVM_HOST_USES_PFN,
};

/*
 * include/linux/kvm_types.h struct gfn_to_pfn_cache, every level's
 * fields (6.1's vcpu and usage, 6.12+'s kvm), the racy ones first.  The
 * locks are only ever named by address, so their types are kfp's.
 */
struct gfn_to_pfn_cache {
	u64 generation;
	gpa_t gpa;
	unsigned long uhva;
	struct kvm_memory_slot *memslot;
	void *khva;
	kvm_pfn_t pfn;
	bool active;
	bool valid;
	enum pfn_cache_usage usage;
	struct kvm *kvm;
	struct kvm_vcpu *vcpu;
	struct list_head list;
	struct {
		int kts_unused;
	} lock, refresh_lock;
};

/* include/linux/kvm_host.h struct kvm_memslots: what the cache reads of it */
struct kvm_memslots {
	u64 generation;
};

/* The kernel-shaped struct kvm the thread's pfncache code runs on (tree/gpc.c) */
struct kvm *kts_gpc_kvm(void);

/*
 * x86-64 has iomem: gpc_map()/gpc_unmap() (hva_to_pfn_retry() at 6.1)
 * memremap() a pfn without a struct page inside #ifdef CONFIG_HAS_IOMEM,
 * which the compiler evaluates (the extractor only chooses definitions)
 */
#define CONFIG_HAS_IOMEM 1
#define INVALID_GPA (~(gpa_t)0)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define offset_in_page(p) ((unsigned long)(p) & ~PAGE_MASK)
#define PAGE_ALIGN_DOWN(addr) ((addr) & PAGE_MASK)
#define smp_rmb() __asm__ __volatile__("" : : : "memory")
#define smp_wmb() __asm__ __volatile__("" : : : "memory")
/*
 * cond_resched() in hva_to_pfn_retry()'s loop: the thread yields until the
 * invalidation it retries on has moved on (tree/gpc.c)
 */
void kts_gpc_cond_resched(void);
#define cond_resched() kts_gpc_cond_resched()
#define __user
#define KVM_BUG_ON(cond, kvm) WARN_ON(cond)

/* locks: onto the model's, by address (tree/gpc.c kts_gpc_lock_of()) */
void kts_gpc_write_lock(const void *lock);
void kts_gpc_write_unlock(const void *lock);
void kts_gpc_read_lock(const void *lock);
void kts_gpc_read_unlock(const void *lock);
void kts_lockdep_assert_held(const void *lock);
void kts_gpc_lockdep_assert_held_write(const void *lock);
#define spin_lock(l) kts_gpc_write_lock(l)
#define spin_unlock(l) kts_gpc_write_unlock(l)
#define read_lock_irq(l) kts_gpc_read_lock(l)
#define read_unlock_irq(l) kts_gpc_read_unlock(l)
#define write_lock_irq(l) kts_gpc_write_lock(l)
#define write_unlock_irq(l) kts_gpc_write_unlock(l)
#define mutex_lock(l) kts_gpc_write_lock(l)
#define mutex_unlock(l) kts_gpc_write_unlock(l)
#define rwlock_init(l) ((void)(l))
#define mutex_init(l) ((void)(l))
#ifndef lockdep_assert_held
#define lockdep_assert_held(l) kts_lockdep_assert_held(l)
#endif
#define lockdep_assert_held_write(l) kts_gpc_lockdep_assert_held_write(l)

/* include/linux/cleanup.h guard(mutex)(&m): locked to the end of the scope */
static inline void *kts_guard_mutex_init(void *m)
{
	mutex_lock(m);
	return m;
}
static inline void kts_guard_mutex_exit(void **m)
{
	mutex_unlock(*m);
}
#define KTS_GUARD__(_name, n) \
	void *__kts_guard_##n __attribute__((cleanup(kts_guard_##_name##_exit))) = kts_guard_##_name##_init
#define KTS_GUARD_(_name, n) KTS_GUARD__(_name, n)
#define guard(_name) KTS_GUARD_(_name, __COUNTER__)

/* the gpc_list: the model's `listed` flags, in index order */
void kts_gpc_list_add(struct list_head *entry);
void kts_gpc_list_del(struct list_head *entry);
void *kts_gpc_list_next(void *gpc);
#define list_add(entry, head) kts_gpc_list_add(entry)
#define list_del(entry) kts_gpc_list_del(entry)
#define list_for_each_entry(pos, head, member) \
	for (pos = kts_gpc_list_next(NULL); pos; pos = kts_gpc_list_next(pos))

/* the memslots: a snapshot of the model's, the generation a shared read */
struct kvm_memslots *kts_gpc_memslots(struct kvm *kvm);
struct kvm_memory_slot *kts_gpc_gfn_to_memslot(gfn_t gfn);
#define kvm_memslots(kvm) kts_gpc_memslots(kvm)
#define __gfn_to_memslot(slots, gfn) kts_gpc_gfn_to_memslot(gfn)

/*
 * kmap()/memremap(): the direct-map address of the pfn, never dereferenced
 * (KVM accesses through the cache are kfp's, on gpc->pfn)
 */
#define MEMREMAP_WB 1
#define kmap(page) ((void *)(PAGE_OFFSET + (page_to_pfn(page) << PAGE_SHIFT)))
#define kunmap(page) ((void)(page))
#define memremap(hpa, size, flags) ((void *)(PAGE_OFFSET + (hpa)))
#define memunmap(khva) ((void)(khva))
