// SPDX-License-Identifier: GPL-2.0
/*
 * --kernel-tree: the tree's kvm_vcpu_map() (6.1, 6.12: gfn_to_pfn(), then
 * kmap() or memremap()) or __kvm_vcpu_map() (6.13+: kvm_follow_pfn() with
 * pin, then kmap() or memremap()) and kvm_vcpu_unmap() run in place of
 * kfp's rendering (kvm/vcpu_map.c), on a kernel-shaped struct
 * kvm_host_map of the entry point's (tree/shim/LEVEL/entry.h) that kfp
 * rebuilds from its own map at unmap time.  The tree's code chooses the
 * memslots: gfn_to_memslot() is address space 0 (the VM's),
 * kvm_vcpu_gfn_to_memslot() the vCPU's own.  kmap()/memremap() cannot
 * fail in the model; kvm_vcpu_mark_page_dirty() checks, as kfp's
 * kvm_vcpu_unmap() does, that the map came from the vCPU's own memslots.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

#include <kfp/kvm.h>
#include <kfp/report.h>

#include "shim61.h"
#include "vcpu_map.h"

/* tree/shim/LEVEL/kernel.h struct kvm_vcpu, as kfp sees it */
struct kts_vcpu {
	void *kvm;
	struct kvm_vcpu *kfp_vcpu;
	struct kvm_host_map *kfp_map;
	unsigned int kfp_as_id; /* the address space kvm_vcpu_gfn_to_memslot() resolves in */
	int vcpu_idx;
};

/* tree/shim/LEVEL/kernel.h struct kvm_memory_slot, as kfp sees it */
struct kts_slot {
	u64 base_gfn;
	unsigned long npages;
	unsigned long userspace_addr;
	u32 flags;
	short id;
	u16 as_id;
};

_Static_assert(sizeof(struct kts_slot) <= sizeof(((struct kvm_tree_frame *)0)->slot), "slot");

/* Each tree design's entry points: v[] is the map's page, pfn, pinned page (~0: none) */
struct kts_map_entries {
	const struct kvm_design *design;
	int (*map)(void *vcpu, u64 gfn, bool writable, u64 *v);
	void (*unmap)(void *vcpu, u64 gfn, bool writable, const u64 *v);
};

static struct kts_map_entries entries[KFP_MAX_DESIGNS];
static unsigned int nr_entries;

static const struct kts_map_entries *entries_of(const struct kvm_design *d)
{
	unsigned int i;

	for (i = 0; i < nr_entries; i++)
		if (entries[i].design == d)
			return &entries[i];
	return NULL;
}

/* The frame of the thread in the tree's code: kts_current() is its task. */
static struct kvm_tree_frame *frame(void)
{
	return (struct kvm_tree_frame *)((char *)kts_current() -
					 offsetof(struct kvm_tree_frame, task));
}

/*
 * virt/kvm/kvm_main.c __gfn_to_memslot() on the model's memslots of
 * @as_id: a copy in the kernel's shape, in the thread's frame, which the
 * tree's code reads before its next scheduling point
 */
static void *memslot(unsigned int as_id, u64 gfn)
{
	struct kvm_tree_frame *f = frame();
	struct kts_slot *s = (struct kts_slot *)f->slot;
	const struct kvm_memory_slot *slot = __gfn_to_memslot(kts_world(), as_id, gfn);

	f->slot_as = (u8)as_id;
	if (!slot)
		return NULL;
	s->base_gfn = slot->base_gfn;
	s->npages = slot->npages;
	s->userspace_addr = slot->userspace_addr;
	s->flags = slot->flags;
	s->id = (short)slot->id;
	s->as_id = slot->as_id;
	return s;
}

/* virt/kvm/kvm_main.c gfn_to_memslot(): the VM's memslots, address space 0 */
void *kts_gfn_to_memslot(void *kvm, u64 gfn)
{
	(void)kvm;
	return memslot(0, gfn);
}

/* virt/kvm/kvm_main.c kvm_vcpu_gfn_to_memslot(): the vCPU's own (SMM: address space 1) */
void *kts_vcpu_gfn_to_memslot(void *vcpu, u64 gfn)
{
	return memslot(((struct kts_vcpu *)vcpu)->kfp_as_id, gfn);
}

/*
 * virt/kvm/kvm_main.c kvm_vcpu_mark_page_dirty(): the gfn is looked up in
 * the vCPU's memslots; a map made from another address space's is marked
 * dirty in the wrong memslot (kvm/vcpu_map.c kvm_vcpu_unmap() reports the same)
 */
void kts_vcpu_mark_page_dirty(void *vcpu, u64 gfn)
{
	const struct kts_vcpu *v = vcpu;

	if (v->kfp_map->as_id != v->kfp_vcpu->in_smm)
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_MEMSLOT_VIEW, v->kfp_map->pfn,
			   v->kfp_vcpu->map_owner, (s64)gfn, "kvm_vcpu_unmap");
}

/* include/linux/highmem.h kmap(): the page's address (x86-64 has no highmem) */
void *kts_kmap(void *page)
{
	return page;
}

void kts_kunmap(void *page)
{
	(void)page;
}

/* kernel/iomem.c memremap(): a mapping of the pfn, which never fails in the model */
void *kts_memremap(u64 offset, size_t size, unsigned long flags)
{
	(void)size;
	(void)flags;
	return kts_pages + (offset >> PAGE_SHIFT);
}

void kts_memunmap(void *addr)
{
	(void)addr;
}

/* mm/gup.c unpin_user_page() (6.13+ kvm_vcpu_unmap()): the model's, by the map's owner */
void kts613_unpin_user_page(void *page)
{
	unpin_user_page(kts_world()->mm, (kfp_pfn_t)((char *)page - kts_pages), kts_owner());
}

/*
 * The tree's kvm_vcpu_map()/__kvm_vcpu_map() on map->gfn: the map's pfn,
 * page and pinned page, and what the model keeps beside them: the address
 * space the tree looked the gfn up in, the hva, whether the pfn came from
 * a VM_PFNMAP pte.
 */
static int tree_vcpu_map(struct kvm *kvm, struct kvm_vcpu *vcpu, struct kvm_host_map *map,
			 unsigned int view_as)
{
	const struct kts_map_entries *e = entries_of(kvm->design);
	struct kts_vcpu kv = {
		.kvm = kts_kvm_of(),
		.kfp_vcpu = vcpu,
		.kfp_map = map,
		.kfp_as_id = view_as,
	};
	const struct kts_slot *slot;
	struct kvm_tree_frame *f;
	struct kts_saved saved;
	u64 v[3];
	int r;

	saved = kts_enter(kvm, vcpu->map_owner);
	r = e->map(&kv, map->gfn, map->writable, v);
	f = frame();
	slot = (const struct kts_slot *)f->slot;
	map->as_id = f->slot_as;
	map->uhva = slot->userspace_addr + ((map->gfn - slot->base_gfn) << PAGE_SHIFT);
	map->remapped = kts_remapped();
	kts_leave(saved);
	map->page = v[0];
	map->pfn = v[1];
	map->pinned_page = v[2];
	/* a GUP'd pfn is referenced, a remapped one is what kvm_try_get_pfn() made it (6.1, 6.12) */
	map->is_refcounted_page = !map->remapped;
	return r;
}

/* The tree's kvm_vcpu_unmap() on the map rebuilt from kfp's */
static void tree_vcpu_unmap(struct kvm *kvm, struct kvm_vcpu *vcpu, struct kvm_host_map *map)
{
	const struct kts_map_entries *e = entries_of(kvm->design);
	struct kts_vcpu kv = {
		.kvm = kts_kvm_of(),
		.kfp_vcpu = vcpu,
		.kfp_map = map,
		.kfp_as_id = vcpu->in_smm,
	};
	const u64 v[3] = { map->page, map->pfn, map->pinned_page };
	struct kts_saved saved;

	saved = kts_enter(kvm, vcpu->map_owner);
	e->unmap(&kv, map->gfn, map->writable, v);
	kts_leave(saved);
}

int kt_vcpu_map_load(const struct kvm_design *d, void *h, const char *prefix, const char *version,
		     struct kt_buf *err)
{
	struct kts_map_entries *e;
	char symbol[64];

	if (nr_entries == KFP_MAX_DESIGNS && !entries_of(d)) {
		kt_buf_printf(err, "%s: no room for another tree's kvm_vcpu_map()", version);
		return -1;
	}
	/* a design whose tree failed to load is made again in the same place */
	e = (struct kts_map_entries *)entries_of(d);
	if (!e)
		e = &entries[nr_entries];
	e->design = d;
	snprintf(symbol, sizeof(symbol), "%svcpu_map", prefix);
	*(void **)&e->map = dlsym(h, symbol);
	snprintf(symbol, sizeof(symbol), "%svcpu_unmap", prefix);
	*(void **)&e->unmap = dlsym(h, symbol);
	if (!e->map || !e->unmap) {
		kt_buf_printf(err, "%s: an entry point of kvm_vcpu_map() is missing", version);
		return -1;
	}
	if (e == &entries[nr_entries])
		nr_entries++;
	return 0;
}

void kt_vcpu_map_design(struct kvm_design *d)
{
	if (!entries_of(d))
		return;
	d->vcpu_map_fn = tree_vcpu_map;
	d->vcpu_unmap_fn = tree_vcpu_unmap;
}
