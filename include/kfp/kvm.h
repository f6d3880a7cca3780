/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KVM layer: memslots, the mmu-notifier protocol, the gfn -> hva -> pfn
 * lookup, and its callers (the x86 TDP guest fault, guest accesses through
 * sptes, kvm_vcpu_map, gfn->pfn caches, gfn_to_page), shared by every
 * design variant.  What differs between the real historical designs lives
 * in struct kvm_design (kvm/design/).
 *
 * Names mirror virt/kvm/kvm_main.c, virt/kvm/pfncache.c and
 * arch/x86/kvm/mmu/mmu.c; each function cites the one it follows.
 */
#ifndef KFP_KVM_H
#define KFP_KVM_H

#include <kfp/mm.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KVM_ADDRESS_SPACE_NUM 2
#define KFP_MAX_MEMSLOTS 8
#define KFP_MAX_VCPUS 4
#define KFP_MAX_GPCS 4
#define KFP_MAX_HOST_MAPS 2
#define KFP_NR_GFNS 256

typedef u64 gfn_t;
typedef u64 gpa_t;

/* include/linux/kvm_host.h error pfns */
#define KVM_PFN_ERR_MASK (0x7ffULL << 52)
#define KVM_PFN_ERR_NOSLOT_MASK (0xfffULL << 52)
#define KVM_PFN_NOSLOT (0x1ULL << 63)
#define KVM_PFN_ERR_FAULT (KVM_PFN_ERR_MASK)
#define KVM_PFN_ERR_HWPOISON (KVM_PFN_ERR_MASK + 1)
#define KVM_PFN_ERR_RO_FAULT (KVM_PFN_ERR_MASK + 2)
#define KVM_PFN_ERR_SIGPENDING (KVM_PFN_ERR_MASK + 3)
#define KVM_PFN_ERR_NEEDS_IO (KVM_PFN_ERR_MASK + 4)

static inline bool is_error_pfn(kfp_pfn_t pfn)
{
	return pfn & KVM_PFN_ERR_MASK;
}

static inline bool is_error_noslot_pfn(kfp_pfn_t pfn)
{
	return pfn & KVM_PFN_ERR_NOSLOT_MASK;
}

static inline bool is_noslot_pfn(kfp_pfn_t pfn)
{
	return pfn == KVM_PFN_NOSLOT;
}

/* include/linux/kvm_host.h: hvas at or above PAGE_OFFSET are errors */
#define KFP_PAGE_OFFSET 0xffff800000000000ULL
#define KVM_HVA_ERR_BAD (KFP_PAGE_OFFSET)
#define KVM_HVA_ERR_RO_BAD (KFP_PAGE_OFFSET + PAGE_SIZE)

static inline bool kvm_is_error_hva(u64 hva)
{
	return hva >= KFP_PAGE_OFFSET;
}

#define INVALID_GPA (~(u64)0)

/* include/uapi/linux/kvm.h and include/linux/kvm_host.h memslot flags */
#define KVM_MEM_LOG_DIRTY_PAGES BIT(0)
#define KVM_MEM_READONLY BIT(1)
#define KVM_MEMSLOT_INVALID BIT(16)

struct kvm_memory_slot {
	u8 in_use;
	u8 as_id;
	u16 id;
	u32 flags;
	gfn_t base_gfn;
	u64 npages;
	u64 userspace_addr;
};

struct kvm_memslots {
	u64 generation;
	/*
	 * The generation at which the last KVM_SET_USER_MEMORY_REGION
	 * returned to the VMM (the model's, for the checker): once it equals
	 * generation, no KVM user may still use a gfn translation of a slot
	 * that update removed.
	 */
	u64 returned_generation;
	struct kvm_memory_slot slot[KFP_MAX_MEMSLOTS];
};

/*
 * A secondary-MMU entry (the TDP MMU's leaf spte).  hva and generation are
 * the model's: what the checker compares with the host at each access.
 */
struct kvm_spte {
	u8 present;
	u8 writable;
	u8 refcounted; /* v9's SPTE_MMU_PAGE_REFCOUNTED (bit 59) */
	u8 pad;
	u32 generation; /* page generation when installed */
	u32 pfn; /* < KFP_NR_PFNS */
	u32 hva; /* < KFP_HVA_LIMIT */
};

/*
 * virt/kvm/kvm_mm.h struct kvm_follow_pfn (6.13+), with the fields of the
 * 2023 series the older designs use (v7..v9: FOLL_GET in flags,
 * guarded_by_mmu_notifier, allow_non_refcounted_struct_page,
 * is_refcounted_page), plus the model's owner.
 */
struct kvm_follow_pfn {
	const struct kvm_memory_slot *slot;
	gfn_t gfn;
	unsigned int flags; /* FOLL_WRITE, FOLL_NOWAIT, FOLL_INTERRUPTIBLE; FOLL_GET (v7..v9) */
	bool pin;
	bool guarded_by_mmu_notifier; /* in, v7..v9 */
	bool allow_non_refcounted_struct_page; /* in, v9 */
	bool is_refcounted_page; /* out, v7..v9 */
	bool remapped; /* out, model: the pfn came from hva_to_pfn_remapped(), not GUP */
	u64 hva; /* out */
	bool *map_writable; /* in/out, optional */
	kfp_pfn_t *refcounted_page; /* out, required: KFP_PFN_NONE stands for NULL */
	kfp_owner_t owner; /* model: who the GUP reference or pin belongs to */
};

/* How a caller gives back what the lookup returned. */
enum kvm_release_rule {
	KVM_RELEASE_PAGE, /* the struct page it was handed (6.13+) */
	KVM_RELEASE_IF_REFCOUNTED, /* the pfn's page if is_refcounted_page (v9) */
	KVM_RELEASE_PFN, /* kvm_release_pfn_clean(pfn): the design's pfn heuristic */
	KVM_RELEASE_NOTHING, /* nothing is held (the sketch's guarded fault) */
};

/* What one caller asks of the lookup and how it releases, in one design. */
struct kvm_caller_policy {
	u8 foll_get; /* FOLL_GET: "take a reference if refcounted" (v7..v9) */
	u8 pin; /* FOLL_PIN (6.13+ kvm_vcpu_map) */
	u8 foll_write; /* always FOLL_WRITE: gfn_to_pfn() (write_fault = true) before 6.13 */
	u8 guarded; /* guarded_by_mmu_notifier */
	u8 aware; /* allow_non_refcounted_struct_page: honours is_refcounted_page */
	u8 release; /* enum kvm_release_rule */
};

/* include/linux/kvm_host.h struct kvm_host_map */
struct kvm_host_map {
	u8 mapped; /* hva != NULL */
	u8 writable;
	u8 as_id;
	u8 is_refcounted_page; /* v9 */
	u8 remapped; /* model: mapped from a VM_IO|VM_PFNMAP pte, not through GUP */
	u32 generation; /* model: page generation when mapped */
	kfp_pfn_t pinned_page;
	kfp_pfn_t page; /* kmap target when pfn_valid() */
	kfp_pfn_t pfn;
	gfn_t gfn;
	u64 uhva; /* model: the userspace hva the mapping was made from */
	/* the proposal (kvm/vcpu_map_notifier.c): the mapping as a gfn->pfn cache */
	u8 listed; /* invalidation sees it (under kvm->gpc_lock) */
	u8 valid; /* no invalidation of uhva since the lookup */
	u64 slots_generation; /* of the memslots uhva was taken from */
	struct kfp_lock lock; /* rwlock: readers access, invalidation and refresh write */
};

/* include/linux/kvm_types.h struct gfn_to_pfn_cache */
struct gfn_to_pfn_cache {
	struct kfp_lock lock; /* rwlock: readers access, writers refresh */
	struct kfp_lock refresh_lock; /* mutex */
	u8 listed; /* on kvm->gpc_list */
	u8 active;
	u8 valid;
	u8 pad;
	u32 generation_of_page; /* model: page generation when mapped */
	gpa_t gpa;
	gpa_t requested_gpa; /* model: the gpa of the last refresh or activation asked for */
	u64 uhva;
	u64 generation; /* memslots generation */
	kfp_pfn_t pfn;
	kfp_pfn_t khva; /* the kernel mapping: the pfn it maps, KFP_PFN_NONE if none */
	kfp_pfn_t held_page; /* the reference of the 5.17 (injected) or <= 5.15 cache, else NONE */
	s8 memslot;
	kfp_owner_t owner;
};

struct kvm_vcpu {
	int id;
	u8 in_smm; /* uses address space 1 */
	struct kvm_host_map map[KFP_MAX_HOST_MAPS];
	kfp_owner_t fault_owner;
	kfp_owner_t map_owner;
	kfp_owner_t page_owner;
	kfp_pfn_t page; /* from __gfn_to_page(), KFP_PFN_NONE if none */
	u32 page_generation;
	u64 page_uhva;
	gfn_t page_gfn;
	/* the proposal (kvm/gfn_to_page_notifier.c): invalidation clears it */
	u8 page_valid;
	u8 page_write; /* looked up with FOLL_WRITE, and looked up so again */
};

/* A guest or KVM access through a translation, as the checker sees it. */
enum kvm_access_via {
	KVM_ACCESS_SPTE, /* the guest through the secondary MMU */
	KVM_ACCESS_HOST_MAP, /* KVM through a kvm_vcpu_map() mapping */
	KVM_ACCESS_GPC, /* KVM through a gfn->pfn cache */
	KVM_ACCESS_PAGE, /* KVM through a __gfn_to_page() page */
};

struct kvm_access {
	u8 via; /* enum kvm_access_via */
	u8 write;
	u8 notifier_protected; /* invalidation would have removed it */
	s8 vcpu;
	kfp_owner_t owner; /* who must hold a reference or pin, if anyone */
	u16 pad;
	u32 generation; /* page generation when the translation was made */
	kfp_pfn_t pfn;
	u64 hva;
	gfn_t gfn;
	u8 as_id; /* the address space gfn belongs to */
	u8 remapped; /* the translation came from a VM_IO|VM_PFNMAP pte, not GUP */
};

struct kvm;

/*
 * What a design variant decides.  Everything else is shared.  A hook that
 * is NULL takes the upstream (6.13+) behaviour.
 */
struct kvm_design {
	const char *name;
	const char *summary;
	const char *renders; /* upstream version or series */
	/* virt/kvm/kvm_main.c hva_to_pfn_remapped() */
	int (*hva_to_pfn_remapped)(struct kvm *kvm, struct kfp_vma *vma, struct kvm_follow_pfn *kfp,
				   kfp_pfn_t *pfn);
	/* hva_to_pfn(): GUP's -EAGAIN means a signal (6.13 "Return ERR_SIGPENDING ... -EAGAIN") */
	bool sigpending_on_eagain;
	/* the guest fault releases its page under mmu_lock (6.13) or after unlocking it */
	bool release_faultin_under_mmu_lock;
	/* sptes record whether they map a refcounted page (v9's bit 59) */
	bool spte_refcounted_bit;
	/* Is this violation one the design documents as accepted? */
	bool (*accepts)(const struct kvm *kvm, const struct kvm_access *access,
			enum kfp_report_kind kind);
	/*
	 * The pfn heuristic of the designs whose callers release by pfn:
	 * kvm_pfn_to_refcounted_page() (5.18..6.12) or !kvm_is_reserved_pfn()
	 * (before).  NULL: the design never guesses (6.13+).
	 */
	bool (*pfn_is_refcounted)(const struct kvm *kvm, kfp_pfn_t pfn);
	/* v7's helper: a GUP'd page is put at once unless the caller passed FOLL_GET */
	bool gup_put_unless_foll_get;
	/* gfn_to_page() goes through gfn_to_pfn() and the pfn heuristic (before 6.13) */
	bool gfn_to_page_by_pfn;
	/*
	 * The gfn->pfn cache is kvm_map_gfn()'s struct gfn_to_pfn_cache
	 * (917248144db5, 5.6 .. 357a18ad230f, 5.16): keyed on gfn and memslot
	 * generation, holding its lookup's reference, unknown to the notifier.
	 */
	bool gpc_map_gfn;
	/*
	 * kvm_vcpu_map() mappings are invalidated by the mmu notifier and
	 * re-validated before each access, as gfn->pfn caches are (the
	 * proposal, kvm/vcpu_map_notifier.c); vcpu_map.pin is then 0.
	 */
	bool vcpu_map_notifier;
	/*
	 * __gfn_to_page() users hold no reference past the lookup: the page is
	 * marked invalid by the invalidation that zaps the gfn's sptes and
	 * looked up again before the next access, as the APIC access page is
	 * (the proposal, kvm/gfn_to_page_notifier.c).
	 */
	bool gfn_to_page_notifier;
	/*
	 * The notifier's ->release (exit_mmap(), before it unmaps everything
	 * with the notifier already unhooked) invalidates every gfn->pfn cache
	 * and every notifier-kept mapping, and no lookup may publish one after
	 * it (the proposal, kvm/kvm_main.c kvm_mmu_notifier_release()).
	 */
	bool invalidate_on_release;
	/*
	 * kvm_vcpu_map() resolves through the VM's memslots, address space 0
	 * (gfn_to_pfn(vcpu->kvm, gfn), 357a18ad230f 5.17 .. "KVM: Use vCPU
	 * specific memslots in __kvm_vcpu_map()", 2025-11), while
	 * kvm_vcpu_unmap() marks dirty through the vCPU's.
	 */
	bool vcpu_map_vm_memslots;
	/*
	 * The invalidation is recorded and checked by hva range, not gfn
	 * range (virt/kvm/kvm_main.c kvm_mmu_invalidate_begin(kvm, start,
	 * end) and include/linux/kvm_host.h mmu_invalidate_retry_hva(), until
	 * "KVM: Use gfn instead of hva for mmu_notifier_retry", 6.8).
	 */
	bool mmu_invalidate_by_hva;
	/* the caller policies */
	struct kvm_caller_policy fault, vcpu_map, gfn_to_page, gpc;
	/*
	 * --kernel-tree (tree/, docs/kernel-tree.md): the tree's own code in
	 * place of the model's kvm_follow_pfn() and hva_to_pfn(), and of the
	 * release by pfn (kvm_release_pfn_clean()/_dirty()).  NULL: the model's.
	 */
	kfp_pfn_t (*follow_pfn)(struct kvm *kvm, struct kvm_follow_pfn *kfp);
	kfp_pfn_t (*hva_to_pfn)(struct kvm *kvm, struct kvm_follow_pfn *kfp);
	void (*release_pfn)(struct kvm *kvm, kfp_pfn_t pfn, bool dirty, kfp_owner_t owner);
	/* 6.13+: kvm_release_page_clean()/_dirty() (NULL: the model's) */
	void (*release_page)(struct kvm *kvm, kfp_pfn_t page, bool dirty, kfp_owner_t owner);
	/* the fault's check under mmu_lock, by hva (NULL: the model's mmu_invalidate_retry_hva()) */
	bool (*mmu_invalidate_retry_hva)(struct kvm *kvm, long mmu_seq, u64 hva);
	/*
	 * --kernel-tree: the tree's virt/kvm/pfncache.c in place of the
	 * model's (kvm/pfncache.c): kvm_gpc_init() at VM creation,
	 * kvm_gpc_activate(), kvm_gpc_refresh(), kvm_gpc_check() (gpc->lock
	 * held for read), kvm_gpc_deactivate() and the notifier's
	 * gfn_to_pfn_cache_invalidate_start().  NULL: the model's.
	 */
	void (*gpc_init)(struct kvm *kvm, unsigned int index);
	int (*gpc_activate)(struct kvm *kvm, unsigned int index, gpa_t gpa, unsigned long len);
	int (*gpc_refresh)(struct kvm *kvm, unsigned int index, unsigned long len);
	bool (*gpc_check)(struct kvm *kvm, unsigned int index, unsigned long len);
	void (*gpc_deactivate)(struct kvm *kvm, unsigned int index);
	void (*gpc_invalidate_start)(struct kvm *kvm, u64 start, u64 end);
	/* 6.8+: the fault's check under mmu_lock, by gfn (NULL: the model's mmu_invalidate_retry_gfn()) */
	bool (*mmu_invalidate_retry_gfn)(struct kvm *kvm, long mmu_seq, gfn_t gfn);
	/*
	 * 6.13+: virt/kvm/kvm_main.c __kvm_faultin_pfn(), which x86's fault
	 * calls with kfp's slot, gfn, flags, map_writable and refcounted_page
	 * (NULL: the model's kvm_follow_pfn() with the fault's policy)
	 */
	kfp_pfn_t (*faultin_pfn)(struct kvm *kvm, struct kvm_follow_pfn *kfp);
	/*
	 * virt/kvm/kvm_main.c kvm_vcpu_map() (__kvm_vcpu_map() 6.13+) and
	 * kvm_vcpu_unmap() of the tree: map->gfn and map->writable in; the
	 * map's pfn, page, pinned_page, as_id, uhva and remapped out.  The
	 * tree chooses the memslots; @view_as is the address space the vCPU's
	 * own (kvm_vcpu_gfn_to_memslot()) resolves in.  NULL: the model's.
	 */
	int (*vcpu_map_fn)(struct kvm *kvm, struct kvm_vcpu *vcpu, struct kvm_host_map *map,
			   unsigned int view_as);
	void (*vcpu_unmap_fn)(struct kvm *kvm, struct kvm_vcpu *vcpu, struct kvm_host_map *map);
	/* the --kernel-tree DIR the design was made from (a replay needs it), or NULL */
	const char *kernel_tree;
};

extern const struct kvm_design kvm_design_pre_cve;
extern const struct kvm_design kvm_design_legacy;
extern const struct kvm_design kvm_design_sketch;
extern const struct kvm_design kvm_design_v9;
extern const struct kvm_design kvm_design_upstream;
extern const struct kvm_design kvm_design_proposal;

/* Every design, in the matrix's order (kvm/design/designs.c). */
/* design_mask (include/kfp/scenario.h) has a bit per design */
#define KFP_MAX_DESIGNS 32
extern const struct kvm_design *kfp_designs[];
extern unsigned int kfp_nr_designs;
/* A design made at run time (--kernel-tree), after the built-in ones; -1 if full. */
int kfp_design_add(const struct kvm_design *design);
/* Index of the design named @name, or -1. */
int kfp_design_index(const char *name);

/*
 * Old code put back, per VM, by name (kvm/injection.c; docs/model.md,
 * "Failure injection"): each renders a historical design or bug, or is a
 * seeded bug that a bundled scenario names.  Bugs seeded only for unit
 * tests are not here but behind the test seams below (bits 1, 2, 5 and
 * 17 were theirs).
 */
enum kvm_injection {
	/* seeded bugs that bundled scenarios name */
	KVM_INJECT_SKIP_RETRY_CHECK = BIT(0),
	KVM_INJECT_VCPU_MAP_NO_PIN = BIT(3),
	KVM_INJECT_MEMSLOT_NO_SRCU_SYNC = BIT(16),
	/* historical code (kvm/injection.c says which) */
	KVM_INJECT_GPC_NO_RETRY = BIT(4),
	KVM_INJECT_GPC_NO_INVALIDATE = BIT(6),
	KVM_INJECT_ZERO_PAGE_RESERVED = BIT(7),
	KVM_INJECT_ZONE_DEVICE_RESERVED = BIT(8),
	KVM_INJECT_PFNMAP_ASSUME_WRITABLE = BIT(9),
	KVM_INJECT_MEMSLOT_NO_WAIT = BIT(10),
	KVM_INJECT_GPC_KEY_NO_GPA = BIT(11),
	KVM_INJECT_GPC_DOUBLE_PUT = BIT(12),
	KVM_INJECT_VCPU_MAP_ADDRESS_SPACE_0 = BIT(13),
	KVM_INJECT_GPC_NO_REFRESH_LOCK = BIT(14),
	KVM_INJECT_GPC_REUSE_LEAK = BIT(15),
};

struct kvm_injection_info {
	const char *name;
	unsigned int bit;
	const char *description;
};

extern const struct kvm_injection_info kvm_injections[];
extern const unsigned int kvm_nr_injections;
const struct kvm_injection_info *kvm_injection_by_name(const char *name);

/*
 * Test seams (kvm/seams.c; docs/model.md, "Failure injection"): each
 * answers how one step of upstream's code goes.  The library's weak
 * definitions answer as upstream does; tests/lib/seeded.c overrides them
 * at link time to seed a bug that only the unit tests use, as
 * tools/testing/vma's shims customise what mm/vma.c calls.
 */
struct kvm;
/* arch/x86/kvm/mmu/mmu.c kvm_mmu_faultin_pfn(): mmu_invalidate_seq is read before the lookup */
bool kvm_seam_faultin_snapshot_first(const struct kvm *kvm);
/* arch/x86/kvm/mmu/mmu.c kvm_tdp_mmu_page_fault(): the page is released only once mapped */
bool kvm_seam_faultin_release_after_map(const struct kvm *kvm);
/* arch/x86/kvm/mmu/mmu.c kvm_mmu_finish_page_fault(): how often the page is released (once) */
unsigned int kvm_seam_faultin_releases(const struct kvm *kvm);
/* the proposal's invalidation marks the __gfn_to_page() pages it hits for reload */
bool kvm_seam_gfn_to_page_reload(const struct kvm *kvm);
/* the proposal's ->release invalidates every gfn->pfn cache and kept mapping */
bool kvm_seam_release_invalidates(const struct kvm *kvm);

/* Guest-visible outcome of an access (SPEC §2). */
enum kvm_outcome {
	KVM_OUTCOME_OK,
	KVM_OUTCOME_EFAULT, /* KVM_RUN fails with EFAULT */
	KVM_OUTCOME_MMIO, /* exit for emulation */
	KVM_OUTCOME_HWPOISON, /* SIGBUS BUS_MCEERR_AR */
	KVM_OUTCOME_EINTR, /* signal pending */
	KVM_OUTCOME_EINVAL, /* e.g. kvm_vcpu_map() refused */
	KVM_NR_OUTCOMES,
};

struct kvm {
	struct kfp_mm *mm;
	const struct kvm_design *design;
	unsigned int inject; /* enum kvm_injection bits */
	u8 allow_unsafe_mappings;
	u8 dead;
	u8 nr_vcpus;
	u8 nr_gpcs;
	/*
	 * design->invalidate_on_release: ->release ran.  Set before the
	 * release takes each listed cache's and mapping's lock, and read
	 * under that lock where a refresh publishes.
	 */
	u8 mm_released;
	/* the VM fd and one per vCPU fd (kvm_vm_ioctl_create_vcpu() takes one) */
	long users_count;

	struct kvm_memslots memslots[KVM_ADDRESS_SPACE_NUM];
	struct kfp_lock slots_lock; /* mutex: memslot updates */
	struct kfp_lock mmu_lock; /* rwlock */
	struct kfp_lock mn_invalidate_lock; /* spinlock */
	struct kfp_lock gpc_lock; /* mutex: gpc_list */
	struct kfp_lock srcu; /* kvm->srcu: readers of the memslots */

	/* written only with mmu_lock held for write */
	unsigned int nr_present_sptes; /* lets a zap of an empty MMU stop early */
	long mmu_invalidate_seq;
	long mmu_invalidate_in_progress;
	gfn_t mmu_invalidate_range_start;
	gfn_t mmu_invalidate_range_end;
	/*
	 * Designs that retry by hva (design->mmu_invalidate_by_hva): the
	 * notifier's hva range, which 6.1's kvm_mmu_invalidate_begin() keeps
	 * in mmu_invalidate_range_start/_end.  Zero in the other designs.
	 */
	u64 mmu_invalidate_hva_start;
	u64 mmu_invalidate_hva_end;
	/* under mn_invalidate_lock */
	long mn_active_invalidate_count;

	struct gfn_to_pfn_cache gpc[KFP_MAX_GPCS];
	struct kvm_vcpu vcpu[KFP_MAX_VCPUS];

	/*
	 * What keeping translations fresh costs (history, not state: nothing
	 * reads them back).  kfp diff --price and bench/price.sh add them up.
	 */
	struct kvm_stats {
		u32 nr_invalidations; /* invalidate_range_start callbacks KVM ran */
		u32 nr_marked_invalid; /* gpcs and maps an invalidation marked invalid */
		u32 nr_revalidations; /* validity checks before an access (gpc, map) */
		u32 nr_refreshes; /* lookups that made a gpc or a map valid again */
		u32 nr_access_locks; /* lock acquisitions on the access path (gpc, map) */
	} stats;

	/* The checker's hook: called at every access through a translation. */
	void (*access_hook)(struct kvm *kvm, const struct kvm_access *access);

	/* after the small fields: a scenario's gfns are the first entries (struct kfp_world) */
	struct kvm_spte spte[KVM_ADDRESS_SPACE_NUM][KFP_NR_GFNS];

	/*
	 * --kernel-tree: what a thread inside the tree's code holds between two
	 * calls into the shim (tree/shim61.c), kept here so that a restored
	 * state restores it too.  All zero outside the tree's code.
	 */
	struct kvm_tree_frame {
		u64 vma[5]; /* the kernel-shaped vm_area_struct of vma_lookup() */
		u64 pte[2]; /* the pte_t follow_pte() hands out: pfn, writable */
		u64 task[1]; /* current: its mm */
		struct follow_pfnmap_args pte_args; /* follow_pte() .. pte_unmap_unlock() */
		u64 slot[4]; /* the memslot gfn_to_memslot() hands out (tree/vcpu_map.c) */
		u8 slot_as; /* the address space it was looked up in */
		kfp_owner_t owner;
		u8 depth; /* nested entries into the tree's code */
		u8 remapped; /* follow_pte() found the pfn: hva_to_pfn_remapped() ran */
	} tree_frame[KFP_MAX_THREADS];
	/*
	 * --kernel-tree with virt/kvm/pfncache.c: the tree's struct
	 * gfn_to_pfn_cache of each gpc (tree/gpc.c), of which kvm->gpc[] is
	 * kfp's view.  All zero for the other designs.
	 */
	u64 tree_gpc[KFP_MAX_GPCS][12];
};

/* KVM's objects for the seam (KFP_OBJECT_CLASS_KVM and up). */
enum {
	KFP_OBJECT_CLASS_KVM_SEQ = KFP_OBJECT_CLASS_KVM, /* mmu_invalidate_seq/in_progress/range */
	KFP_OBJECT_CLASS_KVM_SPTE, /* index: as_id * KFP_NR_GFNS + gfn */
	KFP_OBJECT_CLASS_KVM_MEMSLOTS, /* index: as_id */
	KFP_OBJECT_CLASS_KVM_MN_COUNT, /* mn_active_invalidate_count */
	KFP_OBJECT_CLASS_KVM_GPC, /* index: gpc */
	KFP_OBJECT_CLASS_KVM_MAP, /* index: vcpu * KFP_MAX_HOST_MAPS + map */
	KFP_OBJECT_CLASS_KVM_USERS, /* kvm->users_count */
	KFP_OBJECT_CLASS_KVM_RELEASED, /* kvm->mm_released (the proposal) */
};

/* ---- memslots and kvm->srcu (kvm/memslots.c) ----------------------------- */

/*
 * kvm->srcu.  Readers (faults, maps, caches, the notifier) hold it while
 * they use a memslot; a memslot update waits for the readers that may
 * still see the old slot (synchronize_srcu()).  Modelled as the read and
 * write sides of a lock: a writer that takes and drops it has waited for
 * every reader that was inside.
 */
void kvm_srcu_read_lock(struct kvm *kvm);
void kvm_srcu_read_unlock(struct kvm *kvm);
void kvm_synchronize_srcu(struct kvm *kvm);
struct kvm_memory_slot *__gfn_to_memslot(struct kvm *kvm, unsigned int as_id, gfn_t gfn);
u64 __gfn_to_hva_many(const struct kvm_memory_slot *slot, gfn_t gfn, bool write);
u64 __gfn_to_hva_memslot(const struct kvm_memory_slot *slot, gfn_t gfn);

/* ---- VM lifetime and memslot updates (kvm/kvm_main.c) --------------------- */

int kvm_create_vm(struct kvm *kvm, struct kfp_mm *mm, const struct kvm_design *design,
		  unsigned int nr_vcpus, unsigned int nr_gpcs);
void kvm_destroy_vm(struct kvm *kvm);
void kvm_put_kvm(struct kvm *kvm);
int kvm_set_memory_region(struct kvm *kvm, unsigned int as_id, unsigned int slot_id, u32 flags,
			  gfn_t base_gfn, u64 npages, u64 userspace_addr);

/* ---- the lookup and the access step (kvm/follow_pfn.c + the design's hooks) */

/*
 * Test only: leave objects out of every access step's footprint, to show
 * that the commutation audit and the verdicts notice (tests/explore/).
 * Zero, the default, is the model.
 */
enum {
	KVM_NARROW_PTE = BIT(0), /* the host pte at the access's hva */
	KVM_NARROW_MEMSLOTS = BIT(1), /* the memslots of its address space */
	KVM_NARROW_HEAD = BIT(2), /* the folio head of a tail page */
};
extern unsigned int kvm_test_narrow_footprint;

kfp_pfn_t kvm_follow_pfn(struct kvm *kvm, struct kvm_follow_pfn *kfp);
kfp_pfn_t hva_to_pfn(struct kvm *kvm, struct kvm_follow_pfn *kfp);
kfp_pfn_t kvm_resolve_pfn(struct kvm *kvm, struct kvm_follow_pfn *kfp, kfp_pfn_t page,
			  const struct follow_pfnmap_args *map, bool writable);
int kvm_hva_to_pfn_remapped(struct kvm *kvm, struct kfp_vma *vma, struct kvm_follow_pfn *kfp,
			    kfp_pfn_t *pfn);
kfp_pfn_t __kvm_faultin_pfn(struct kvm *kvm, const struct kvm_memory_slot *slot, gfn_t gfn,
			    unsigned int foll, bool *writable, kfp_pfn_t *refcounted_page,
			    kfp_owner_t owner);
void kvm_release_page_clean(struct kvm *kvm, kfp_pfn_t page, kfp_owner_t owner);
void kvm_release_page_dirty(struct kvm *kvm, kfp_pfn_t page, kfp_owner_t owner);
void kvm_release_page_unused(struct kvm *kvm, kfp_pfn_t page, kfp_owner_t owner);
void kvm_release_faultin_page(struct kvm *kvm, kfp_pfn_t page, bool unused, bool dirty,
			      kfp_owner_t owner);
/* Release what a lookup gave a caller, by the caller's rule in the design. */
void kvm_release_lookup(struct kvm *kvm, const struct kvm_caller_policy *policy, kfp_pfn_t pfn,
			kfp_pfn_t page, bool is_refcounted, bool unused, bool dirty,
			kfp_owner_t owner);
/* Fill the caller's inputs of @kfp from @policy. */
void kvm_follow_pfn_policy(struct kvm_follow_pfn *kfp, const struct kvm_caller_policy *policy);

/* ---- the notifier protocol (kvm/mmu.c) ------------------------------------- */

bool mmu_invalidate_retry_gfn(struct kvm *kvm, long mmu_seq, gfn_t gfn);
bool mmu_invalidate_retry_gfn_unsafe(struct kvm *kvm, long mmu_seq, gfn_t gfn);
bool mmu_invalidate_retry_hva(struct kvm *kvm, long mmu_seq, u64 hva);
bool mmu_invalidate_retry_hva_unsafe(struct kvm *kvm, long mmu_seq, u64 hva);

/* ---- callers (kvm/mmu.c, kvm/vcpu_map.c, kvm/pfncache.c) -------------------- */

/* arch/x86/kvm/mmu: a guest access to @gfn, faulting as often as needed. */
enum kvm_outcome kvm_guest_access(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, bool write,
				  u64 *value);
/* One TDP page fault; RET_PF_* */
int kvm_tdp_page_fault(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, bool write);

int kvm_vcpu_map(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, unsigned int index,
		 bool writable);
void kvm_vcpu_unmap(struct kvm *kvm, struct kvm_vcpu *vcpu, unsigned int index);
enum kvm_outcome kvm_vcpu_map_access(struct kvm *kvm, struct kvm_vcpu *vcpu, unsigned int index,
				     bool write, u64 *value);

int kvm_gpc_activate(struct kvm *kvm, unsigned int index, gpa_t gpa, unsigned long len);
int kvm_gpc_refresh(struct kvm *kvm, unsigned int index, unsigned long len);
bool kvm_gpc_check(struct kvm *kvm, unsigned int index, unsigned long len);
void kvm_gpc_deactivate(struct kvm *kvm, unsigned int index);
enum kvm_outcome kvm_gpc_access(struct kvm *kvm, unsigned int index, bool write, u64 *value);

kfp_pfn_t __gfn_to_page(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, bool write);
int kvm_gfn_to_page(struct kvm *kvm, struct kvm_vcpu *vcpu, gfn_t gfn, bool write);
enum kvm_outcome kvm_page_access(struct kvm *kvm, struct kvm_vcpu *vcpu, bool write, u64 *value);
void kvm_gfn_to_page_release(struct kvm *kvm, struct kvm_vcpu *vcpu, bool dirty);

/* RET_PF_* (arch/x86/kvm/mmu/mmu_internal.h) */
enum {
	RET_PF_CONTINUE = 0,
	RET_PF_RETRY,
	RET_PF_EMULATE,
	RET_PF_WRITE_PROTECTED,
	RET_PF_INVALID,
	RET_PF_FIXED,
	RET_PF_SPURIOUS,
};

#ifdef __cplusplus
}
#endif

#endif /* KFP_KVM_H */
