// SPDX-License-Identifier: GPL-2.0
/*
 * Setting up an mm: physical memory with its boot-time pages, the fixed
 * owners, and the memory objects (shmem, files, driver memory) that VMAs
 * map.  Everything here runs before any thread does.
 */
#include <string.h>

#include <kfp/mm.h>

/* Lock numbers of the mm's locks (the KVM layer numbers its own from 16). */
enum { KFP_LOCK_MMAP, KFP_LOCK_PAGE_TABLE, KFP_LOCK_FOLIO, KFP_LOCK_NOTIFIER_SRCU };
/* A memory object's memory_lock: numbered clear of the mm's and KVM's locks. */
#define KFP_LOCK_MEMORY_OBJECT(id) (0x100 + (id))

static const char *const fixed_owner_names[KFP_NR_FIXED_OWNERS] = {
	[KFP_OWNER_NONE] = "nobody",	       [KFP_OWNER_KERNEL] = "kernel",
	[KFP_OWNER_PAGE_TABLE] = "page-table", [KFP_OWNER_PAGE_CACHE] = "page-cache",
	[KFP_OWNER_SWAP_CACHE] = "swap-cache", [KFP_OWNER_DRIVER] = "driver",
	[KFP_OWNER_CHILD_MM] = "child-mm",     [KFP_OWNER_MIGRATION] = "migration",
	[KFP_OWNER_HOST_GUP] = "host-gup",     [KFP_OWNER_FAULT] = "fault",
	[KFP_OWNER_RECLAIM] = "reclaim",       [KFP_OWNER_KSM] = "ksm",
};

static const u8 fixed_owner_kinds[KFP_NR_FIXED_OWNERS] = {
	[KFP_OWNER_NONE] = KFP_OWNER_KIND_NONE,	    [KFP_OWNER_KERNEL] = KFP_OWNER_KIND_KERNEL,
	[KFP_OWNER_PAGE_TABLE] = KFP_OWNER_KIND_MM, [KFP_OWNER_PAGE_CACHE] = KFP_OWNER_KIND_MM,
	[KFP_OWNER_SWAP_CACHE] = KFP_OWNER_KIND_MM, [KFP_OWNER_DRIVER] = KFP_OWNER_KIND_DRIVER,
	[KFP_OWNER_CHILD_MM] = KFP_OWNER_KIND_MM,   [KFP_OWNER_MIGRATION] = KFP_OWNER_KIND_MM,
	[KFP_OWNER_HOST_GUP] = KFP_OWNER_KIND_HOST, [KFP_OWNER_FAULT] = KFP_OWNER_KIND_MM,
	[KFP_OWNER_RECLAIM] = KFP_OWNER_KIND_MM,    [KFP_OWNER_KSM] = KFP_OWNER_KIND_MM,
};

kfp_owner_t kfp_owner_register(struct kfp_mm *mm, const char *name, enum kfp_owner_kind kind)
{
	struct kfp_ledger *ledger = &mm->ledger;
	struct kfp_owner *owner;

	if (ledger->nr_owners >= KFP_MAX_OWNERS)
		return KFP_OWNER_NONE;
	owner = &ledger->owner[ledger->nr_owners];
	owner->kind = (u8)kind;
	strncpy(owner->name, name, KFP_OWNER_NAME_LEN - 1);
	owner->name[KFP_OWNER_NAME_LEN - 1] = '\0';
	return ledger->nr_owners++;
}

const char *kfp_owner_name(const struct kfp_mm *mm, kfp_owner_t owner)
{
	if (owner >= mm->ledger.nr_owners)
		return "?";
	return mm->ledger.owner[owner].name;
}

/* A page the kernel keeps for itself: refcount 1, never freed. */
static void init_kernel_page(struct kfp_mm *mm, kfp_pfn_t pfn, enum kfp_page_kind kind)
{
	struct kfp_page *page = &mm->page[pfn];

	page->kind = (u8)kind;
	page->flags = PG_reserved;
	page->refcount = 1;
	kfp_ledger_add(mm, pfn, KFP_OWNER_KERNEL, 1, 0);
}

/*
 * Boot: pfn 0 is kernel memory, pfn 1 the ZERO_PAGE (PG_reserved, yet
 * refcounted: GUP grabs it, mm/gup.c follow_page_pte()); the rest of RAM
 * is free; pfns from KFP_NR_RAM_PFNS up are device memory with no struct
 * page.
 */
void kfp_mm_init(struct kfp_mm *mm)
{
	unsigned int i;
	kfp_pfn_t pfn;

	memset(mm, 0, sizeof(*mm));
	for (i = 0; i < KFP_NR_FIXED_OWNERS; i++)
		kfp_owner_register(mm, fixed_owner_names[i], fixed_owner_kinds[i]);
	for (pfn = 0; pfn < KFP_NR_PFNS; pfn++) {
		struct kfp_page *page = &mm->page[pfn];

		page->head = (u16)pfn;
		page->object = -1;
		page->index = -1;
		if (pfn < KFP_NR_RAM_PFNS) {
			page->kind = KFP_PAGE_RAM;
			page->flags = PG_free;
			page->content = KFP_POISON_FREE;
		} else {
			page->kind = KFP_PAGE_DEVICE_MMIO;
		}
	}
	init_kernel_page(mm, 0, KFP_PAGE_RESERVED);
	init_kernel_page(mm, 1, KFP_PAGE_ZERO);
	mm->zero_pfn = 1;
	mm->page[1].content = 0;
	kfp_lock_init(&mm->mmap_lock, KFP_LOCK_RWLOCK, KFP_LOCK_MMAP, "mmap_lock");
	kfp_lock_init(&mm->page_table_lock, KFP_LOCK_SPINLOCK, KFP_LOCK_PAGE_TABLE, "ptl");
	kfp_lock_init(&mm->folio_lock, KFP_LOCK_MUTEX, KFP_LOCK_FOLIO, "folio_lock");
	kfp_lock_init(&mm->notifier_srcu, KFP_LOCK_RWLOCK, KFP_LOCK_NOTIFIER_SRCU, "notifier srcu");
	for (i = 0; i < KFP_NR_VPAGES; i++)
		mm->pte[i].pfn = KFP_NO_PFN32;
}

static const char *const object_kind_names[KFP_NR_OBJECT_KINDS] = {
	[KFP_OBJECT_SHMEM] = "shmem",
	[KFP_OBJECT_FILE] = "file",
	[KFP_OBJECT_HUGETLB] = "hugetlb",
	[KFP_OBJECT_DEVICE_MMIO] = "device-mmio",
	[KFP_OBJECT_DRIVER_PAGES] = "driver-pages",
	[KFP_OBJECT_TTM] = "ttm",
	[KFP_OBJECT_RESERVED] = "reserved",
	[KFP_OBJECT_ZONE_DEVICE] = "zone-device",
};

const char *kfp_memory_object_kind_name(enum kfp_memory_object_kind kind)
{
	if ((unsigned int)kind >= KFP_NR_OBJECT_KINDS)
		return "?";
	return object_kind_names[kind];
}

static void object_add_page(struct kfp_mm *mm, struct kfp_memory_object *object, int id,
			    unsigned int index, kfp_pfn_t pfn)
{
	object->pfn[index] = (u16)pfn;
	mm->page[pfn].object = (s16)id;
	mm->page[pfn].index = (s16)index;
}

/* Claim a free RAM page outside the allocator as kernel- or device-owned memory. */
static int claim_special_pages(struct kfp_mm *mm, struct kfp_memory_object *object, int id,
			       enum kfp_page_kind kind)
{
	unsigned int i;

	for (i = 0; i < object->nr_pages; i++) {
		kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false,
						kind == KFP_PAGE_RESERVED ? KFP_OWNER_KERNEL :
									    KFP_OWNER_DRIVER);

		if (pfn == KFP_PFN_NONE)
			return -ENOMEM;
		/* Reserved and ZONE_DEVICE pages are never in the buddy allocator. */
		mm->page[pfn].kind = (u8)kind;
		mm->page[pfn].flags |= PG_reserved;
		object_add_page(mm, object, id, i, pfn);
	}
	return 0;
}

static int populate_object(struct kfp_mm *mm, struct kfp_memory_object *object, int id)
{
	unsigned int i, nr = object->nr_pages;
	kfp_pfn_t pfn;

	switch (object->kind) {
	case KFP_OBJECT_SHMEM:
	case KFP_OBJECT_FILE:
		/* shmem pages come on first touch; file pages are read in on fault. */
		return 0;
	case KFP_OBJECT_HUGETLB:
		/* hugetlbfs preallocates its folios into the file's page cache. */
		for (i = 0; i < nr; i += KFP_HUGE_NR) {
			unsigned int j;

			pfn = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_PAGE_CACHE);
			if (pfn == KFP_PFN_NONE)
				return -ENOMEM;
			for (j = 0; j < KFP_HUGE_NR; j++) {
				object_add_page(mm, object, id, i + j, pfn + j);
				mm->page[pfn + j].flags |= PG_hugetlb | PG_pagecache;
			}
		}
		return 0;
	case KFP_OBJECT_DEVICE_MMIO:
		pfn = kfp_alloc_device_pfns(mm, nr);
		if (pfn == KFP_PFN_NONE)
			return -ENOMEM;
		for (i = 0; i < nr; i++)
			object_add_page(mm, object, id, i, pfn + i);
		return 0;
	case KFP_OBJECT_DRIVER_PAGES:
		for (i = 0; i < nr; i++) {
			pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_DRIVER);
			if (pfn == KFP_PFN_NONE)
				return -ENOMEM;
			object_add_page(mm, object, id, i, pfn);
		}
		return 0;
	case KFP_OBJECT_TTM: {
		/* drivers/gpu/drm/ttm/ttm_pool.c ttm_pool_alloc_page(): one non-compound block */
		unsigned int order = 0;

		while ((1U << order) < nr)
			order++;
		pfn = kfp_alloc_pages(mm, order, false, KFP_OWNER_DRIVER);
		if (pfn == KFP_PFN_NONE)
			return -ENOMEM;
		for (i = 0; i < nr; i++)
			object_add_page(mm, object, id, i, pfn + i);
		return 0;
	}
	case KFP_OBJECT_RESERVED:
		return claim_special_pages(mm, object, id, KFP_PAGE_RESERVED);
	case KFP_OBJECT_ZONE_DEVICE:
		return claim_special_pages(mm, object, id, KFP_PAGE_ZONE_DEVICE);
	default:
		return -EINVAL;
	}
}

/*
 * Give back what a failed populate_object() took, as a driver's error path
 * does (drivers/dma-buf/udmabuf.c:udmabuf_create(), err: label;
 * drivers/gpu/drm/ttm/ttm_pool.c:ttm_pool_alloc(), error_free_all: label),
 * so that running out of memory leaves neither pages nor a table slot behind.
 */
static void unpopulate_object(struct kfp_mm *mm, struct kfp_memory_object *object)
{
	unsigned int i;

	for (i = 0; i < object->nr_pages; i++) {
		kfp_pfn_t pfn = object->pfn[i];

		if (pfn == KFP_NO_PFN16)
			continue;
		mm->page[pfn].object = -1;
		mm->page[pfn].index = -1;
		switch (object->kind) {
		case KFP_OBJECT_HUGETLB:
			if (!(i % KFP_HUGE_NR))
				put_page(mm, pfn, KFP_OWNER_PAGE_CACHE);
			break;
		case KFP_OBJECT_DRIVER_PAGES:
			put_page(mm, pfn, KFP_OWNER_DRIVER);
			break;
		case KFP_OBJECT_TTM:
			if (!i)
				kfp_free_pages(mm, pfn, KFP_OWNER_DRIVER);
			break;
		case KFP_OBJECT_RESERVED:
		case KFP_OBJECT_ZONE_DEVICE:
			/* claimed from free RAM above: hand it back as RAM */
			mm->page[pfn].kind = KFP_PAGE_RAM;
			mm->page[pfn].flags &= ~PG_reserved;
			put_page(mm, pfn,
				 object->kind == KFP_OBJECT_RESERVED ? KFP_OWNER_KERNEL :
								       KFP_OWNER_DRIVER);
			break;
		default:
			break;
		}
		object->pfn[i] = KFP_NO_PFN16;
	}
	object->in_use = 0;
}

/*
 * Create a memory object of @nr_pages.  Returns its id, -EINVAL for a bad
 * kind or size (TTM and hugetlb sizes must be a power of two / a multiple
 * of the huge page), -ENOMEM when the model's memory or table is full.
 */
int kfp_memory_object_create(struct kfp_mm *mm, enum kfp_memory_object_kind kind,
			     unsigned int nr_pages)
{
	struct kfp_memory_object *object;
	int id, ret;

	if ((unsigned int)kind >= KFP_NR_OBJECT_KINDS || !nr_pages ||
	    nr_pages > KFP_OBJECT_MAX_PAGES)
		return -EINVAL;
	if (kind == KFP_OBJECT_HUGETLB && nr_pages % KFP_HUGE_NR)
		return -EINVAL;
	if (kind == KFP_OBJECT_TTM && (nr_pages & (nr_pages - 1)))
		return -EINVAL;
	for (id = 0; id < KFP_MAX_OBJECTS; id++)
		if (!mm->object[id].in_use)
			break;
	if (id == KFP_MAX_OBJECTS)
		return -ENOMEM;
	object = &mm->object[id];
	memset(object, 0, sizeof(*object));
	object->in_use = 1;
	object->kind = (u8)kind;
	object->nr_pages = (u16)nr_pages;
	kfp_lock_init(&object->memory_lock, KFP_LOCK_RWLOCK, KFP_LOCK_MEMORY_OBJECT(id),
		      "memory_lock");
	memset(object->pfn, 0xff, sizeof(object->pfn));
	ret = populate_object(mm, object, id);
	if (ret) {
		unpopulate_object(mm, object);
		return ret;
	}
	return id;
}
