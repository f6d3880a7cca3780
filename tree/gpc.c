// SPDX-License-Identifier: GPL-2.0
/*
 * --kernel-tree: the tree's gfn->pfn cache (virt/kvm/pfncache.c of 6.12
 * and 6.13+) run in place of kfp's kvm/pfncache.c, part 2 of its shim
 * (part 1 and 3: tree/shim/gpc/kernel.h, entry.h).
 *
 * The tree's struct gfn_to_pfn_cache of each gpc is kvm->tree_gpc[i],
 * inside the world, so that a restored state restores it.  Its racy
 * fields (generation .. valid) are one range of tree/tsan.c: each plain
 * load or store of them by the tree's code is a shared access of the
 * model's gpc object.  kvm->gpc[i] becomes kfp's view of it: after each
 * store, before the tree's code reaches its next scheduling point (any
 * hook, any lock operation), gpc_sync() copies the tree's fields into the
 * view, which is what kfp's checker (kvm/pfncache.c kvm_gpc_access()),
 * the scenario's gpc ops and the traces read.  The one thing the tree
 * does not record is the model's page generation: the view takes it
 * when the tree publishes a pfn (valid goes up, or the pfn changes),
 * when kfp's rendering reads it too (before the lookup's reference goes).
 *
 * The locks are named by address: gpc->lock (rwlock), gpc->refresh_lock
 * (mutex, also through guard(mutex)) and kvm->gpc_lock are the model's
 * locks of that gpc and VM.  kvm->gpc_list is the model's `listed` flags.
 * kvm->mn_active_invalidate_count and ->mmu_invalidate_seq, and the
 * memslots' generation, are registered ranges refreshed from the model's.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include <kfp/report.h>
#include <kfp/seam.h>

#include "../kvm/internal.h"
#include "gpc.h"
#include "shim61.h"
#include "shim_text.h"
#include "tsan.h"

/* tree/shim/gpc/kernel.h struct gfn_to_pfn_cache, as kfp sees it */
struct kts_gpc {
	u64 generation;
	u64 gpa;
	unsigned long uhva;
	void *memslot;
	void *khva;
	u64 pfn;
	bool active;
	bool valid;
	int usage;
	void *kvm;
	void *vcpu;
	void *list[2];
	int lock;
	int refresh_lock;
};

_Static_assert(sizeof(struct kts_gpc) <= sizeof(((struct kvm *)0)->tree_gpc[0]), "tree_gpc");

/* tree/shim/6.12/kernel.h struct kvm_memory_slot (6.13's is the same) */
struct kts_slot {
	u64 base_gfn;
	unsigned long npages;
	unsigned long userspace_addr;
	u32 flags;
	short id;
	u16 as_id;
};

/* One OS thread's stand-ins: the same addresses for every world it runs */
static __thread struct {
	u64 generation;
} memslots_mirror;
static __thread struct kts_slot slot_mirror[KFP_MAX_MEMSLOTS];
/* The level's struct kvm the thread's pfncache code runs on, and its gpc fields */
static __thread void *cur_kvm, *cur_gpc_lock;
static __thread long *cur_mn_count;

/* The entry points of each loaded unit that has them, by design */
struct gpc_tree {
	const struct kvm_design *design;
	enum kt_level level;
	int (*activate)(void *gpc, u64 gpa, unsigned long len);
	int (*refresh)(void *gpc, u64 gpa, unsigned long len);
	bool (*check)(void *gpc, u64 gpa, unsigned long len);
	void (*deactivate)(void *gpc);
	void (*invalidate_start)(void *kvm, unsigned long start, unsigned long end);
	void (*layout)(u64 *v);
};

#define GPC_MAX_TREES 24
static struct gpc_tree gpc_trees[GPC_MAX_TREES];
static unsigned int nr_gpc_trees;

static const struct gpc_tree *gpc_tree_of(const struct kvm *kvm)
{
	unsigned int i;

	for (i = 0; i < nr_gpc_trees; i++)
		if (gpc_trees[i].design == kvm->design)
			return &gpc_trees[i];
	return NULL;
}

static struct kts_gpc *tree_gpc(struct kvm *kvm, unsigned int index)
{
	return (struct kts_gpc *)kvm->tree_gpc[index];
}

/* The index of the tree's gpc at @p in the thread's world, or -1 */
static int gpc_index(const void *p)
{
	struct kvm *kvm = kts_world();
	unsigned int i;

	if (!kvm || !p)
		return -1;
	for (i = 0; i < kvm->nr_gpcs; i++)
		if (p == tree_gpc(kvm, i))
			return (int)i;
	return -1;
}

/* ---- kfp's view ---- */

/*
 * kvm->gpc[i] from the tree's struct.  The page generation is taken when
 * the tree publishes a pfn, as kvm/pfncache.c hva_to_pfn_retry() takes it
 * before it sets valid.
 */
static void gpc_sync(void)
{
	struct kvm *kvm = kts_world();
	unsigned int i;

	if (!kvm || !gpc_tree_of(kvm))
		return;
	for (i = 0; i < kvm->nr_gpcs; i++) {
		const struct kts_gpc *t = tree_gpc(kvm, i);
		struct gfn_to_pfn_cache *gpc = &kvm->gpc[i];

		if (t->valid && (!gpc->valid || gpc->pfn != t->pfn))
			gpc->generation_of_page = page_generation(kvm->mm, t->pfn);
		gpc->active = t->active;
		gpc->valid = t->valid;
		gpc->gpa = t->gpa;
		gpc->uhva = t->uhva;
		gpc->generation = t->generation;
		gpc->pfn = t->pfn;
		gpc->khva = t->khva ? ((uintptr_t)t->khva - KFP_PAGE_OFFSET) >> PAGE_SHIFT :
				      KFP_PFN_NONE;
		gpc->memslot = t->memslot ? (s8)((const struct kts_slot *)t->memslot)->id : -1;
	}
}

/* ---- what the tree's code calls (tree/shim/gpc/kernel.h) ---- */

struct kfp_lock *kts_gpc_lock_of(const void *lock)
{
	struct kvm *kvm = kts_world();
	int i;

	if (!kvm)
		return NULL;
	if (lock == cur_gpc_lock)
		return &kvm->gpc_lock;
	for (i = 0; i < kvm->nr_gpcs; i++) {
		if (lock == &tree_gpc(kvm, (unsigned int)i)->lock)
			return &kvm->gpc[i].lock;
		if (lock == &tree_gpc(kvm, (unsigned int)i)->refresh_lock)
			return &kvm->gpc[i].refresh_lock;
	}
	return NULL;
}

static struct kfp_lock *lock_or_warn(const void *lock)
{
	struct kfp_lock *l;

	gpc_sync();
	l = kts_gpc_lock_of(lock);
	if (!l)
		kts_warn(__FILE__, __LINE__, "a lock kfp does not map");
	return l;
}

/* spin_lock(), write_lock_irq(), mutex_lock(): the model's lock, for write */
void kts_gpc_write_lock(const void *lock)
{
	struct kfp_lock *l = lock_or_warn(lock);

	if (l)
		kfp_write_lock(l);
}

void kts_gpc_write_unlock(const void *lock)
{
	struct kfp_lock *l = lock_or_warn(lock);

	if (l)
		kfp_write_unlock(l);
}

/* read_lock_irq()/read_unlock_irq() */
void kts_gpc_read_lock(const void *lock)
{
	struct kfp_lock *l = lock_or_warn(lock);

	if (l)
		kfp_read_lock(l);
}

void kts_gpc_read_unlock(const void *lock)
{
	struct kfp_lock *l = lock_or_warn(lock);

	if (l)
		kfp_read_unlock(l);
}

/* include/linux/lockdep.h lockdep_assert_held_write() */
void kts_gpc_lockdep_assert_held_write(const void *lock)
{
	struct kfp_lock *l = lock_or_warn(lock);

	if (l)
		kfp__lockdep_assert_held_write(l, "lockdep_assert_held_write in the tree's code");
}

/* list_add(&gpc->list, &kvm->gpc_list) under gpc_lock: the model's gpc is listed */
void kts_gpc_list_add(void *entry)
{
	int i = gpc_index((char *)entry - offsetof(struct kts_gpc, list));

	if (i < 0) {
		kts_warn(__FILE__, __LINE__, "list_add() of a gpc kfp does not know");
		return;
	}
	kfp_shared_write(gpc_object((unsigned int)i), "gpc list_add");
	kts_world()->gpc[i].listed = 1;
}

/* list_del(&gpc->list) under gpc_lock */
void kts_gpc_list_del(void *entry)
{
	int i = gpc_index((char *)entry - offsetof(struct kts_gpc, list));

	if (i < 0) {
		kts_warn(__FILE__, __LINE__, "list_del() of a gpc kfp does not know");
		return;
	}
	kts_world()->gpc[i].listed = 0;
}

/* list_for_each_entry(gpc, &kvm->gpc_list, list): the listed gpcs after @gpc */
void *kts_gpc_list_next(void *gpc)
{
	struct kvm *kvm = kts_world();
	unsigned int i = gpc ? (unsigned int)(gpc_index(gpc) + 1) : 0;

	for (; kvm && i < kvm->nr_gpcs; i++)
		if (kvm->gpc[i].listed)
			return tree_gpc(kvm, i);
	return NULL;
}

/* kvm_memslots(kvm): address space 0's, whose generation is a registered range */
void *kts_gpc_memslots(void *kvm)
{
	(void)kvm;
	return &memslots_mirror;
}

/*
 * include/linux/kvm_host.h __gfn_to_memslot(): one read of the model's
 * memslots; the slot is copied into the thread's stand-in of that id.
 */
void *kts_gpc_gfn_to_memslot(u64 gfn)
{
	struct kvm *kvm = kts_world();
	unsigned int i;

	kfp_shared_read(memslots_object(0), "__gfn_to_memslot");
	for (i = 0; i < KFP_MAX_MEMSLOTS; i++) {
		const struct kvm_memory_slot *slot = &kvm->memslots[0].slot[i];
		struct kts_slot *s;

		if (!slot->in_use || gfn < slot->base_gfn || gfn >= slot->base_gfn + slot->npages)
			continue;
		s = &slot_mirror[slot->id % KFP_MAX_MEMSLOTS];
		s->base_gfn = slot->base_gfn;
		s->npages = slot->npages;
		s->userspace_addr = slot->userspace_addr;
		s->flags = slot->flags;
		s->id = (short)slot->id;
		s->as_id = slot->as_id;
		return s;
	}
	return NULL;
}

/*
 * include/linux/sched.h cond_resched(), which hva_to_pfn_retry() calls
 * after an iteration lost to an invalidation: the kernel's loop ends
 * because the invalidating thread runs meanwhile.  The explorer would
 * otherwise follow the loop forever, so while an invalidation is active
 * the thread waits for mn_active_invalidate_count to change, as
 * kvm/pfncache.c hva_to_pfn_retry() does at the same place.
 */
void kts_gpc_cond_resched(void)
{
	struct kvm *kvm = kts_world();

	if (!kvm)
		return;
	gpc_sync();
	kfp_shared_read(mn_count_object(), "mn_active_invalidate_count");
	/* no thread can end the invalidation: the tree's loop has no bound of its own */
	if (kvm->mn_active_invalidate_count &&
	    !kfp_wait_for_change(mn_count_object(), "invalidation"))
		kfp_report(
			KFP_PROPERTY_INVARIANT, KFP_REPORT_MODEL_BUG, KFP_PFN_NONE, 0,
			kvm->mn_active_invalidate_count,
			"the tree's hva_to_pfn_retry() loops: no thread can end the invalidation");
}

/* ---- entering the tree's code ---- */

static void refresh_mn_count(struct kts_tsan_range *r)
{
	*(long *)r->data = kts_world()->mn_active_invalidate_count;
}

static void refresh_generation(struct kts_tsan_range *r)
{
	(void)r;
	memslots_mirror.generation = kts_world()->memslots[0].generation;
}

/*
 * The level shim's struct kvm (tree/shim/LEVEL/kernel.h), whose mirror
 * tree/shim61.c keeps and registers (mmu_invalidate_seq) for every level.
 */
static void use_kvm(const struct gpc_tree *g)
{
	(void)g;
	cur_kvm = kts_kvm_of();
	cur_gpc_lock = kts61_gpc_lock();
	cur_mn_count = kts61_mn_active_invalidate_count();
}

static void register_ranges(struct kvm *kvm)
{
	const struct kts_tsan_range fixed[] = {
		{ (uintptr_t)cur_mn_count, sizeof(*cur_mn_count), mn_count_object(),
		  "mn_active_invalidate_count", refresh_mn_count, cur_mn_count },
		{ (uintptr_t)&memslots_mirror.generation, sizeof(memslots_mirror.generation),
		  memslots_object(0), "memslots generation", refresh_generation, NULL },
	};
	unsigned int i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		kts_tsan_register(&fixed[i]);
	for (i = 0; i < kvm->nr_gpcs; i++) {
		struct kts_tsan_range r = {
			.start = (uintptr_t)tree_gpc(kvm, i),
			.len = offsetof(struct kts_gpc, kvm),
			.object = gpc_object(i),
			.what = "struct gfn_to_pfn_cache",
		};

		kts_tsan_unregister_object(gpc_object(i));
		kts_tsan_register(&r);
		tree_gpc(kvm, i)->kvm = cur_kvm;
	}
}

struct kvm *kts_gpc_kvm(void)
{
	return cur_kvm;
}

/*
 * virt/kvm/kvm_main.c kvm_make_vcpus_request_mask(), which 6.1's
 * invalidation calls for caches a vCPU uses in guest mode: kfp activates
 * none (tree/shim/gpc/entry61.h), so reaching it is a report.
 */
bool kts_gpc_make_vcpus_request_mask(void *kvm, unsigned int req, unsigned long *vcpu_bitmap)
{
	(void)kvm;
	(void)req;
	(void)vcpu_bitmap;
	kts_warn(__FILE__, __LINE__, "a vCPU request kfp does not model");
	return false;
}

struct gpc_saved {
	struct kts_saved kts;
	void (*before)(void);
};

static struct gpc_saved gpc_enter(struct kvm *kvm, kfp_owner_t owner)
{
	struct gpc_saved saved;

	saved.kts = kts_enter(kvm, owner);
	use_kvm(gpc_tree_of(kvm));
	register_ranges(kvm);
	saved.before = kts_tsan_before;
	kts_tsan_before = gpc_sync;
	return saved;
}

static void gpc_leave(struct gpc_saved saved)
{
	gpc_sync();
	kts_tsan_before = saved.before;
	kts_leave(saved.kts);
}

/* ---- the design's hooks ---- */

/*
 * virt/kvm/pfncache.c kvm_gpc_init(): rendered, not run (no lock is needed
 * yet).  6.1's initialises the locks only: activation sets the rest.
 */
static void tree_gpc_init(struct kvm *kvm, unsigned int index)
{
	struct kts_gpc *t = tree_gpc(kvm, index);

	memset(kvm->tree_gpc[index], 0, sizeof(kvm->tree_gpc[index]));
	if (gpc_tree_of(kvm)->level == KT_LEVEL_6_1)
		return;
	t->kvm = kts_kvm_of();
	t->pfn = KVM_PFN_ERR_FAULT;
	t->gpa = INVALID_GPA;
	t->uhva = KVM_HVA_ERR_BAD;
}

static int tree_gpc_activate(struct kvm *kvm, unsigned int index, gpa_t gpa, unsigned long len)
{
	struct gpc_saved saved;
	int r;

	/* model: what the caller asked for, which 6.1's callers pass back (entry61.h) */
	kvm->gpc[index].requested_gpa = gpa;
	saved = gpc_enter(kvm, kvm->gpc[index].owner);
	r = gpc_tree_of(kvm)->activate(tree_gpc(kvm, index), gpa, len);

	gpc_leave(saved);
	return r;
}

static int tree_gpc_refresh(struct kvm *kvm, unsigned int index, unsigned long len)
{
	struct gpc_saved saved = gpc_enter(kvm, kvm->gpc[index].owner);
	int r = gpc_tree_of(kvm)->refresh(tree_gpc(kvm, index), kvm->gpc[index].requested_gpa, len);

	if (!r)
		kvm->stats.nr_refreshes++;
	gpc_leave(saved);
	return r;
}

static bool tree_gpc_check(struct kvm *kvm, unsigned int index, unsigned long len)
{
	struct gpc_saved saved = gpc_enter(kvm, kvm->gpc[index].owner);
	bool r = gpc_tree_of(kvm)->check(tree_gpc(kvm, index), kvm->gpc[index].requested_gpa, len);

	gpc_leave(saved);
	return r;
}

static void tree_gpc_deactivate(struct kvm *kvm, unsigned int index)
{
	struct gpc_saved saved = gpc_enter(kvm, kvm->gpc[index].owner);

	gpc_tree_of(kvm)->deactivate(tree_gpc(kvm, index));
	gpc_leave(saved);
}

static void tree_gpc_invalidate_start(struct kvm *kvm, u64 start, u64 end)
{
	struct gpc_saved saved = gpc_enter(kvm, KFP_OWNER_NONE);

	gpc_tree_of(kvm)->invalidate_start(cur_kvm, start, end);
	gpc_leave(saved);
}

/* ---- loading ---- */

#define PFNCACHE "virt/kvm/pfncache.c"
#define KVM_HOST "include/linux/kvm_host.h"
#define KVM_MAIN "virt/kvm/kvm_main.c"

/* 6.1's pfncache.c (the API on kvm and gpa, the usage flags, no guard()) */
static const struct kt_wanted gpc61[] = {
	{ KVM_HOST, KT_FUNCTION, "gpa_to_gfn" },
	{ KVM_HOST, KT_FUNCTION, "pfn_to_hpa" },
	{ KVM_MAIN, KT_FUNCTION, "gfn_to_hva_many" },
	{ KVM_MAIN, KT_FUNCTION, "gfn_to_hva_memslot" },
	{ PFNCACHE, KT_FUNCTION, "gfn_to_pfn_cache_invalidate_start" },
	{ PFNCACHE, KT_FUNCTION, "kvm_gfn_to_pfn_cache_check" },
	{ PFNCACHE, KT_FUNCTION, "gpc_unmap_khva" },
	{ PFNCACHE, KT_FUNCTION, "mmu_notifier_retry_cache" },
	{ PFNCACHE, KT_FUNCTION, "hva_to_pfn_retry" },
	{ PFNCACHE, KT_FUNCTION, "kvm_gfn_to_pfn_cache_refresh" },
	{ PFNCACHE, KT_FUNCTION, "kvm_gfn_to_pfn_cache_unmap" },
	{ PFNCACHE, KT_FUNCTION, "kvm_gpc_activate" },
	{ PFNCACHE, KT_FUNCTION, "kvm_gpc_deactivate" },
};

/*
 * 6.12's and 6.13+'s, in each file's order.  6.13+'s hva_to_pfn_retry()
 * drops an unused page with kvm_host.h's kvm_release_page_unused().
 */
#define GPC_WANTED_612                                                                            \
	{ KVM_HOST, KT_FUNCTION, "kvm_is_error_gpa" }, { KVM_HOST, KT_FUNCTION, "gpa_to_gfn" },   \
		{ KVM_HOST, KT_FUNCTION, "pfn_to_hpa" },                                          \
		{ KVM_MAIN, KT_FUNCTION, "gfn_to_hva_many" },                                     \
		{ KVM_MAIN, KT_FUNCTION, "gfn_to_hva_memslot" },                                  \
		{ PFNCACHE, KT_FUNCTION, "gfn_to_pfn_cache_invalidate_start" },                   \
		{ PFNCACHE, KT_FUNCTION, "kvm_gpc_is_valid_len" },                                \
		{ PFNCACHE, KT_FUNCTION, "kvm_gpc_check" }, { PFNCACHE, KT_FUNCTION, "gpc_map" }, \
		{ PFNCACHE, KT_FUNCTION, "gpc_unmap" },                                           \
		{ PFNCACHE, KT_FUNCTION, "mmu_notifier_retry_cache" },                            \
		{ PFNCACHE, KT_FUNCTION, "hva_to_pfn_retry" },                                    \
		{ PFNCACHE, KT_FUNCTION, "__kvm_gpc_refresh" },                                   \
		{ PFNCACHE, KT_FUNCTION, "kvm_gpc_refresh" },                                     \
		{ PFNCACHE, KT_FUNCTION, "__kvm_gpc_activate" },                                  \
		{ PFNCACHE, KT_FUNCTION, "kvm_gpc_activate" },                                    \
	{                                                                                         \
		PFNCACHE, KT_FUNCTION, "kvm_gpc_deactivate"                                       \
	}

static const struct kt_wanted gpc612[] = { GPC_WANTED_612 };
static const struct kt_wanted gpc613[] = {
	GPC_WANTED_612,
	{ KVM_HOST, KT_FUNCTION, "kvm_release_page_unused" },
};

#define KT_NR(w) (sizeof(w) / sizeof(w[0]))

const struct kt_wanted *kt_gpc_wanted(enum kt_level level, unsigned int *n)
{
	switch (level) {
	case KT_LEVEL_6_1:
		*n = KT_NR(gpc61);
		return gpc61;
	case KT_LEVEL_6_12:
		*n = KT_NR(gpc612);
		return gpc612;
	case KT_LEVEL_6_13:
		*n = KT_NR(gpc613);
		return gpc613;
	}
	*n = 0;
	return NULL;
}

/* The shim's texts: after the level's kernel.h, and after its entry.h */
static const struct kt_gpc_text kernel61[] = {
	{ "gpc/kernel.h", kts_shimgpc_kernel_h },
	{ "gpc/kernel61.h", kts_shimgpc_kernel61_h },
};
static const struct kt_gpc_text kernel612[] = {
	{ "gpc/kernel.h", kts_shimgpc_kernel_h },
};
static const struct kt_gpc_text entry61[] = {
	{ "gpc/entry61.h", kts_shimgpc_entry61_h },
	{ "gpc/layout.h", kts_shimgpc_layout_h },
};
static const struct kt_gpc_text entry612[] = {
	{ "gpc/entry.h", kts_shimgpc_entry_h },
	{ "gpc/layout.h", kts_shimgpc_layout_h },
};

const struct kt_gpc_text *kt_gpc_texts(enum kt_level level, bool entry, unsigned int *n)
{
	if (entry) {
		*n = 2;
		return level == KT_LEVEL_6_1 ? entry61 : entry612;
	}
	*n = level == KT_LEVEL_6_1 ? KT_NR(kernel61) : KT_NR(kernel612);
	return level == KT_LEVEL_6_1 ? kernel61 : kernel612;
}

/* The unit's structs must be kfp's shapes above (6.1: the 6.1 shim's mirror's) */
static int check_layout(const struct gpc_tree *g, const char *version, struct kt_buf *err)
{
	char *m = kts_kvm_of();
	u64 kvm_layout[5];
	u64 ours[] = {
		sizeof(struct kts_gpc),
		offsetof(struct kts_gpc, valid),
		offsetof(struct kts_gpc, usage),
		offsetof(struct kts_gpc, kvm),
		offsetof(struct kts_gpc, list),
		offsetof(struct kts_gpc, lock),
		offsetof(struct kts_gpc, refresh_lock),
		sizeof(struct kts_slot),
		(u64)((char *)kts61_gpc_lock() - m),
		(u64)((char *)kts61_mn_active_invalidate_count() - m),
		0,
	};
	u64 theirs[KT_NR(ours)];

	/* the level shim's struct kvm is the one tree/shim61.c mirrors */
	kts_kvm_layout(kvm_layout);
	ours[10] = kvm_layout[1];
	g->layout(theirs);
	if (memcmp(theirs, ours, sizeof(ours))) {
		kt_buf_printf(err, "%s: the gpc shim's structs differ from kfp's (tree/gpc.c)",
			      version);
		return -1;
	}
	return 0;
}

int kt_gpc_load(struct kvm_design *design, enum kt_level level, const char *so, const char *version,
		struct kt_buf *err)
{
	struct gpc_tree *g;
	void *h;

	if (nr_gpc_trees == GPC_MAX_TREES) {
		kt_buf_printf(err, "%s: too many trees with a gfn->pfn cache", version);
		return -1;
	}
	h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		kt_buf_printf(err, "%s: %s", so, dlerror());
		return -1;
	}
	g = &gpc_trees[nr_gpc_trees];
	memset(g, 0, sizeof(*g));
	*(void **)&g->activate = dlsym(h, "ktsgpc_activate");
	if (!g->activate)
		return 0; /* no pfncache.c in the unit: the gpc stays kfp's */
	*(void **)&g->refresh = dlsym(h, "ktsgpc_refresh");
	*(void **)&g->check = dlsym(h, "ktsgpc_check");
	*(void **)&g->deactivate = dlsym(h, "ktsgpc_deactivate");
	*(void **)&g->invalidate_start = dlsym(h, "ktsgpc_invalidate_start");
	*(void **)&g->layout = dlsym(h, "ktsgpc_layout");
	if (!g->refresh || !g->check || !g->deactivate || !g->invalidate_start || !g->layout) {
		kt_buf_printf(err, "%s: a gfn->pfn cache entry point is missing", so);
		return -1;
	}
	g->level = level;
	if (check_layout(g, version, err))
		return -1;
	g->design = design;
	nr_gpc_trees++;
	design->gpc_init = tree_gpc_init;
	design->gpc_activate = tree_gpc_activate;
	design->gpc_refresh = tree_gpc_refresh;
	design->gpc_check = tree_gpc_check;
	design->gpc_deactivate = tree_gpc_deactivate;
	design->gpc_invalidate_start = tree_gpc_invalidate_start;
	return 0;
}
