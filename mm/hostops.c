// SPDX-License-Identifier: GPL-2.0
/*
 * Host operations: what the VMM process, the kernel's reclaim and
 * migration, KSM, drivers and hardware errors do to the address space.
 *
 * Each one changes ptes only between mmu_notifier_invalidate_range_start()
 * and _end(), and puts the pages it unmapped after _end() (mm/mmap.c
 * unmap_region() -> tlb_finish_mmu()).  Upstream may flush a full TLB
 * batch, freeing pages, before _end(); the model's batches never fill, so
 * it always frees after _end() — still after _start(), which is what the
 * notifier contract relies on.
 */
#include <string.h>

#include "internal.h"

static u32 vma_tree_object(void)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_VMA_TREE, 0);
}

static bool range_valid(u64 start, u64 len)
{
	return PAGE_ALIGNED(start) && len && kfp_hva_in_range(start) && start + len > start &&
	       start + len <= KFP_HVA_LIMIT;
}

static u64 page_align_len(u64 len)
{
	return (len + PAGE_SIZE - 1) & PAGE_MASK;
}

/* Pages unmapped inside one invalidation, put once it has ended. */
struct unmap_batch {
	unsigned int nr;
	u16 pfn[KFP_NR_VPAGES];
	kfp_owner_t owner[KFP_NR_VPAGES];
};

static void batch_add(struct unmap_batch *batch, kfp_pfn_t pfn, kfp_owner_t owner)
{
	batch->pfn[batch->nr] = (u16)pfn;
	batch->owner[batch->nr] = owner;
	batch->nr++;
}

/* mm/mmu_gather.c tlb_finish_mmu(): release the gathered pages. */
static void batch_release(struct kfp_mm *mm, struct unmap_batch *batch)
{
	unsigned int i;

	for (i = 0; i < batch->nr; i++)
		put_page(mm, batch->pfn[i], batch->owner[i]);
	batch->nr = 0;
}

/* mm/memory.c zap_pte_range(): clear one pte, gathering what it held. */
static void zap_pte(struct kfp_mm *mm, u64 addr, struct unmap_batch *batch)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);

	kfp_shared_read(kfp_pte_object(addr), "zap_pte");
	if (pte->kind == KFP_PTE_PRESENT && !pte->special) {
		if (pte->dirty)
			SetPageDirty(mm, pte->pfn);
		batch_add(batch, pte->pfn, KFP_OWNER_PAGE_TABLE);
	} else if (pte->kind == KFP_PTE_SWAP && pte->pfn != KFP_NO_PFN32) {
		/*
		 * mm/swapfile.c free_swap_and_cache(): the entry's swap-cache
		 * reference goes now, unless reclaim has the folio frozen
		 * (folio_try_get() fails there; reclaim deletes it from the cache).
		 */
		kfp_put_unless_frozen(mm, pte->pfn, KFP_OWNER_SWAP_CACHE);
	}
	if (pte->kind != KFP_PTE_NONE)
		pte_clear(mm, addr);
}

static bool range_has_ptes(struct kfp_mm *mm, u64 start, u64 end)
{
	u64 addr;

	for (addr = start; addr < end; addr += PAGE_SIZE)
		if (kfp_pte_of(mm, addr)->kind != KFP_PTE_NONE)
			return true;
	return false;
}

/* mm/memory.c unmap_vmas()/zap_page_range_single(): notifier, zap, put. */
static void zap_range(struct kfp_mm *mm, u64 start, u64 end, enum mmu_notifier_event event)
{
	struct mmu_notifier_range range = { start, end, (u8)event, 1 };
	struct unmap_batch batch;
	u64 addr;

	batch.nr = 0;
	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	for (addr = start; addr < end; addr += PAGE_SIZE)
		zap_pte(mm, addr, &batch);
	kfp_write_unlock(&mm->page_table_lock);
	mmu_notifier_invalidate_range_end(mm, &range);
	batch_release(mm, &batch);
}

static struct kfp_vma *vma_alloc(struct kfp_mm *mm)
{
	unsigned int i;

	for (i = 0; i < KFP_MAX_VMAS; i++)
		if (!mm->vma[i].in_use)
			return &mm->vma[i];
	return NULL;
}

/* mm/vma.c __split_vma(): make @addr a VMA boundary. */
static int split_vma_at(struct kfp_mm *mm, u64 addr)
{
	struct kfp_vma *vma = vma_lookup(mm, addr), *tail;

	if (!vma || vma->vm_start == addr)
		return 0;
	/* mm/hugetlb.c hugetlb_vm_op_split(): only at a huge page boundary */
	if ((vma->vm_flags & VM_HUGETLB) && ((addr >> PAGE_SHIFT) % KFP_HUGE_NR))
		return -EINVAL;
	tail = vma_alloc(mm);
	if (!tail)
		return -ENOMEM;
	*tail = *vma;
	tail->vm_start = addr;
	if (vma->object >= 0)
		tail->pgoff = vma->pgoff + (u32)((addr - vma->vm_start) >> PAGE_SHIFT);
	vma->vm_end = addr;
	return 0;
}

/* Split so that [start, end) is made of whole VMAs. */
static int split_range(struct kfp_mm *mm, u64 start, u64 end)
{
	int ret = split_vma_at(mm, start);

	if (ret)
		return ret;
	return end < KFP_HVA_LIMIT ? split_vma_at(mm, end) : 0;
}

static bool range_is_free(struct kfp_mm *mm, u64 start, u64 end)
{
	unsigned int i;

	for (i = 0; i < KFP_MAX_VMAS; i++) {
		const struct kfp_vma *vma = &mm->vma[i];

		if (vma->in_use && vma->vm_start < end && start < vma->vm_end)
			return false;
	}
	return true;
}

/*
 * mm/vma.c do_vmi_munmap(): the caller holds the mmap lock for write.
 * Nothing mapped in [start, end) is a no-op; otherwise the VMAs are
 * detached and one MMU_NOTIFY_UNMAP range over [start, end) covers the zap
 * of all of them (mm/vma.c vms_clear_ptes() -> mm/memory.c unmap_vmas()).
 */
static int do_munmap(struct kfp_mm *mm, u64 start, u64 end)
{
	bool mapped = false;
	unsigned int i;
	int ret;

	if (range_is_free(mm, start, end))
		return 0;
	ret = split_range(mm, start, end);
	if (ret)
		return ret;
	kfp_shared_write(vma_tree_object(), "munmap");
	for (i = 0; i < KFP_MAX_VMAS; i++) {
		struct kfp_vma *vma = &mm->vma[i];

		if (!vma->in_use || vma->vm_end <= start || vma->vm_start >= end)
			continue;
		vma->in_use = 0;
		mapped = true;
	}
	if (mapped)
		zap_range(mm, start, end, MMU_NOTIFY_UNMAP);
	return 0;
}

int kfp_munmap(struct kfp_mm *mm, u64 start, u64 len)
{
	int ret;

	/* mm/vma.c do_vmi_munmap(): -EINVAL for unaligned or out-of-range */
	if (!range_valid(start, len))
		return -EINVAL;
	mmap_write_lock(mm);
	ret = do_munmap(mm, start, start + page_align_len(len));
	mmap_write_unlock(mm);
	return ret;
}

static int check_mmap_backing(struct kfp_mm *mm, const struct kfp_mmap_args *args, u64 nr)
{
	const struct kfp_memory_object *object;
	bool driver = args->backing == KFP_BACKING_PFNMAP || args->backing == KFP_BACKING_MIXEDMAP;

	if ((unsigned int)args->backing >= KFP_NR_BACKINGS)
		return -EINVAL;
	if (args->backing == KFP_BACKING_ANON)
		return args->object < 0 ? 0 : -EINVAL;
	if (args->object < 0 || args->object >= KFP_MAX_OBJECTS || !mm->object[args->object].in_use)
		return -EBADF;
	object = &mm->object[args->object];
	switch (args->backing) {
	case KFP_BACKING_SHARED:
		if (object->kind != KFP_OBJECT_SHMEM || !(args->flags & KFP_MAP_SHARED))
			return -EINVAL;
		break;
	case KFP_BACKING_FILE:
		if (object->kind != KFP_OBJECT_FILE && object->kind != KFP_OBJECT_SHMEM)
			return -EINVAL;
		break;
	case KFP_BACKING_HUGETLB:
		/* the model maps hugetlbfs shared only and huge-page aligned */
		if (object->kind != KFP_OBJECT_HUGETLB || !(args->flags & KFP_MAP_SHARED) ||
		    (args->pgoff % KFP_HUGE_NR) || ((args->addr >> PAGE_SHIFT) % KFP_HUGE_NR))
			return -EINVAL;
		break;
	default:
		/* a driver's mmap() maps the driver's own memory only */
		if (object->kind == KFP_OBJECT_SHMEM || object->kind == KFP_OBJECT_FILE ||
		    object->kind == KFP_OBJECT_HUGETLB)
			return -EINVAL;
		if (object->released)
			return -ENODEV;
		break;
	}
	/* a driver's mmap() refuses a range past its memory */
	if ((driver || args->backing == KFP_BACKING_HUGETLB) && args->pgoff + nr > object->nr_pages)
		return -EINVAL;
	return 0;
}

static unsigned long mmap_vm_flags(const struct kfp_mmap_args *args)
{
	unsigned long flags = 0;

	if (args->prot & PROT_READ)
		flags |= VM_READ;
	if (args->prot & PROT_WRITE)
		flags |= VM_WRITE;
	if (args->flags & KFP_MAP_SHARED)
		flags |= VM_SHARED;
	switch (args->backing) {
	case KFP_BACKING_PFNMAP:
		/* mm/memory.c remap_pfn_range() / a driver's mmap */
		flags |= VM_IO | VM_PFNMAP;
		break;
	case KFP_BACKING_MIXEDMAP:
		flags |= VM_MIXEDMAP;
		break;
	case KFP_BACKING_HUGETLB:
		flags |= VM_HUGETLB;
		break;
	case KFP_BACKING_ANON:
		if (args->flags & KFP_MAP_HUGEPAGE)
			flags |= VM_HUGEPAGE;
		break;
	default:
		break;
	}
	return flags;
}

/* mm/memory.c remap_pfn_range() / vm_insert_page() at mmap time. */
static void populate_driver_vma(struct kfp_mm *mm, struct kfp_vma *vma)
{
	const struct kfp_memory_object *object = vma_memory_object(mm, vma);
	bool writable = vma->vm_flags & VM_WRITE;
	u64 addr;

	kfp_write_lock(&mm->page_table_lock);
	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		kfp_pfn_t pfn = object->pfn[vma_object_index(vma, addr)];

		if (vma->backing == KFP_BACKING_MIXEDMAP && memory_object_refcounted(object)) {
			get_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
			set_pte_present(mm, addr, pfn, writable, false);
		} else {
			set_pte_present(mm, addr, pfn, writable, true);
		}
	}
	kfp_write_unlock(&mm->page_table_lock);
}

/*
 * mm/mmap.c do_mmap().  The model does not choose addresses: without
 * KFP_MAP_FIXED a range that is in use gives -EEXIST (as MAP_FIXED_NOREPLACE
 * would); with it the old mappings are unmapped first.
 */
int kfp_mmap(struct kfp_mm *mm, const struct kfp_mmap_args *args)
{
	u64 len = page_align_len(args->len), end = args->addr + len;
	struct kfp_vma *vma;
	int ret;

	if (!PAGE_ALIGNED(args->addr) || !args->len)
		return -EINVAL;
	if (!range_valid(args->addr, len))
		return -ENOMEM;
	if (mm->dead)
		return -EINVAL;
	ret = check_mmap_backing(mm, args, len >> PAGE_SHIFT);
	if (ret)
		return ret;
	mmap_write_lock(mm);
	if (!range_is_free(mm, args->addr, end)) {
		ret = -EEXIST;
		if (!(args->flags & KFP_MAP_FIXED))
			goto out_unlock;
		ret = do_munmap(mm, args->addr, end);
		if (ret)
			goto out_unlock;
	}
	vma = vma_alloc(mm);
	ret = -ENOMEM;
	if (!vma)
		goto out_unlock;
	kfp_shared_write(vma_tree_object(), "mmap");
	memset(vma, 0, sizeof(*vma));
	vma->in_use = 1;
	vma->backing = (u8)args->backing;
	vma->object = (s8)args->object;
	vma->pgoff = args->pgoff;
	vma->vm_start = args->addr;
	vma->vm_end = end;
	vma->vm_flags = mmap_vm_flags(args);
	if ((args->flags & KFP_MAP_POPULATE) &&
	    (vma->backing == KFP_BACKING_PFNMAP || vma->backing == KFP_BACKING_MIXEDMAP))
		populate_driver_vma(mm, vma);
	ret = 0;
out_unlock:
	mmap_write_unlock(mm);
	return ret;
}

/* mm/mprotect.c change_pte_range(): new protections on the present ptes. */
static void change_protection(struct kfp_mm *mm, struct kfp_vma *vma, unsigned long newflags)
{
	struct mmu_notifier_range range = { vma->vm_start, vma->vm_end, MMU_NOTIFY_PROTECTION_VMA,
					    1 };
	bool none = !(newflags & (VM_READ | VM_WRITE));
	bool notify = range_has_ptes(mm, vma->vm_start, vma->vm_end);
	u64 addr;

	if (notify)
		mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_write(vma_tree_object(), "mprotect");
	vma->vm_flags = (vma->vm_flags & ~(VM_READ | VM_WRITE)) | newflags;
	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		struct kfp_pte *pte = kfp_pte_of(mm, addr);

		if (pte->kind != KFP_PTE_PRESENT)
			continue;
		kfp_shared_write(kfp_pte_object(addr), "change_pte_range");
		/* write permission comes back through a write fault, not here */
		if (!(newflags & VM_WRITE))
			pte->writable = 0;
		pte->protnone = none;
	}
	kfp_write_unlock(&mm->page_table_lock);
	if (notify)
		mmu_notifier_invalidate_range_end(mm, &range);
}

/* mm/mprotect.c do_mprotect_pkey() */
int kfp_mprotect(struct kfp_mm *mm, u64 start, u64 len, unsigned int prot)
{
	unsigned long newflags = 0;
	u64 end, addr;
	int ret;

	if (!PAGE_ALIGNED(start) || (prot & ~(PROT_READ | PROT_WRITE)))
		return -EINVAL;
	if (!len)
		return 0;
	end = start + page_align_len(len);
	if (!range_valid(start, end - start))
		return -ENOMEM;
	if (prot & PROT_READ)
		newflags |= VM_READ;
	if (prot & PROT_WRITE)
		newflags |= VM_WRITE;
	/*
	 * mm/mprotect.c do_mprotect_pkey(): VMA by VMA from @start; a hole
	 * stops the walk with -ENOMEM, the VMAs before it keep their change.
	 */
	mmap_write_lock(mm);
	ret = 0;
	for (addr = start; addr < end && !ret;) {
		struct kfp_vma *vma = vma_lookup(mm, addr);
		u64 stop;

		if (!vma) {
			ret = -ENOMEM;
			break;
		}
		stop = vma->vm_end < end ? vma->vm_end : end;
		ret = split_range(mm, addr, stop);
		if (ret)
			break;
		change_protection(mm, vma_lookup(mm, addr), newflags);
		addr = stop;
	}
	mmap_write_unlock(mm);
	return ret;
}

/* mm/madvise.c madvise_dontneed_single_vma() under the mmap read lock. */
int kfp_madvise_dontneed(struct kfp_mm *mm, u64 start, u64 len)
{
	u64 end, addr;
	int ret = 0;

	if (!PAGE_ALIGNED(start))
		return -EINVAL;
	if (!len)
		return 0;
	end = start + page_align_len(len);
	if (!range_valid(start, end - start))
		return -ENOMEM;
	mmap_read_lock(mm);
	for (addr = start; addr < end;) {
		struct kfp_vma *vma = vma_lookup(mm, addr);
		u64 stop;

		if (!vma) {
			ret = -ENOMEM;
			addr += PAGE_SIZE;
			continue;
		}
		stop = vma->vm_end < end ? vma->vm_end : end;
		/* madvise_dontneed_free_valid_vma(): not on VM_PFNMAP */
		if (vma->vm_flags & VM_PFNMAP) {
			ret = -EINVAL;
			break;
		}
		zap_range(mm, addr, stop, MMU_NOTIFY_CLEAR);
		addr = stop;
	}
	mmap_read_unlock(mm);
	return ret;
}

/* mm/mremap.c move_page_tables(): the ptes move, the pfns stay. */
static void move_ptes(struct kfp_mm *mm, u64 old_addr, u64 new_addr, u64 len)
{
	struct mmu_notifier_range range = { old_addr, old_addr + len, MMU_NOTIFY_UNMAP, 1 };
	u64 off;

	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	for (off = 0; off < len; off += PAGE_SIZE) {
		struct kfp_pte *from = kfp_pte_of(mm, old_addr + off);
		struct kfp_pte *to = kfp_pte_of(mm, new_addr + off);

		kfp_shared_write(kfp_pte_object(old_addr + off), "move_pte");
		kfp_shared_write(kfp_pte_object(new_addr + off), "move_pte");
		*to = *from;
		pte_clear(mm, old_addr + off);
	}
	kfp_write_unlock(&mm->page_table_lock);
	mmu_notifier_invalidate_range_end(mm, &range);
}

/*
 * mm/mremap.c mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, new):
 * -EINVAL for unaligned or overlapping ranges, -EFAULT when the old range
 * is not inside one VMA.
 */
int kfp_mremap(struct kfp_mm *mm, u64 old_addr, u64 len, u64 new_addr)
{
	struct kfp_vma *old, *moved;
	u64 size = page_align_len(len);
	int ret;

	if (!PAGE_ALIGNED(old_addr) || !PAGE_ALIGNED(new_addr) || !len)
		return -EINVAL;
	if (!range_valid(new_addr, size))
		return -EINVAL;
	/* mm/mremap.c: no VMA there (vma_lookup() fails) */
	if (!range_valid(old_addr, size))
		return -EFAULT;
	if (old_addr < new_addr + size && new_addr < old_addr + size)
		return -EINVAL;
	mmap_write_lock(mm);
	old = vma_lookup(mm, old_addr);
	ret = -EFAULT;
	if (!old || old_addr + size > old->vm_end)
		goto out_unlock;
	ret = do_munmap(mm, new_addr, new_addr + size);
	if (ret)
		goto out_unlock;
	ret = split_range(mm, old_addr, old_addr + size);
	if (ret)
		goto out_unlock;
	old = vma_lookup(mm, old_addr);
	moved = vma_alloc(mm);
	ret = -ENOMEM;
	if (!moved)
		goto out_unlock;
	kfp_shared_write(vma_tree_object(), "mremap");
	*moved = *old;
	moved->vm_start = new_addr;
	moved->vm_end = new_addr + size;
	move_ptes(mm, old_addr, new_addr, size);
	old->in_use = 0;
	ret = 0;
out_unlock:
	mmap_write_unlock(mm);
	return ret;
}

/* The ptes that map @pfn through a refcounted mapping: a small rmap walk. */
static unsigned int rmap_walk(struct kfp_mm *mm, kfp_pfn_t pfn, u64 *addrs)
{
	unsigned int vpn, nr = 0;

	for (vpn = 1; vpn < KFP_NR_VPAGES; vpn++) {
		const struct kfp_pte *pte = &mm->pte[vpn];

		if (pte->kind == KFP_PTE_PRESENT && !pte->special && pte->pfn == pfn)
			addrs[nr++] = (u64)vpn << PAGE_SHIFT;
	}
	return nr;
}

/*
 * Install a non-present entry of @kind in place of the pte that maps @pfn,
 * in a bracket (mm/rmap.c try_to_unmap_one()).  The rmap walk ran without
 * the PTL; page_vma_mapped_walk() checks under it that the pte still maps
 * the folio, and a pte zapped meanwhile is left alone (false).
 */
static bool unmap_one(struct kfp_mm *mm, u64 addr, kfp_pfn_t pfn, enum kfp_pte_kind kind,
		      enum mmu_notifier_event event)
{
	struct mmu_notifier_range range = { addr, addr + PAGE_SIZE, (u8)event, 1 };
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	bool mapped;

	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_write(kfp_pte_object(addr), "try_to_unmap_one");
	mapped = pte->kind == KFP_PTE_PRESENT && !pte->special && pte->pfn == pfn;
	if (!mapped)
		goto out_unlock;
	if (pte->dirty)
		SetPageDirty(mm, pte->pfn);
	/* a swap entry: its content is written out (pageout()), its slot is the swap cache */
	if (kind == KFP_PTE_SWAP)
		pte->swap_content = mm->page[pte->pfn].content;
	pte->kind = (u8)kind;
	pte->writable = pte->writable && kind == KFP_PTE_MIGRATION;
out_unlock:
	kfp_write_unlock(&mm->page_table_lock);
	mmu_notifier_invalidate_range_end(mm, &range);
	return mapped;
}

/* try_to_unmap() over @addrs; keeps (and returns the number of) those it unmapped. */
static unsigned int unmap_all(struct kfp_mm *mm, kfp_pfn_t pfn, u64 *addrs, unsigned int nr,
			      enum kfp_pte_kind kind)
{
	unsigned int i, unmapped = 0;

	for (i = 0; i < nr; i++)
		if (unmap_one(mm, addrs[i], pfn, kind, MMU_NOTIFY_CLEAR))
			addrs[unmapped++] = addrs[i];
	return unmapped;
}

/* mm/migrate.c remove_migration_ptes(): the entries become @pfn again. */
static void remove_migration_ptes(struct kfp_mm *mm, const u64 *addrs, unsigned int nr,
				  kfp_pfn_t pfn)
{
	unsigned int i;

	kfp_write_lock(&mm->page_table_lock);
	for (i = 0; i < nr; i++) {
		struct kfp_pte *pte = kfp_pte_of(mm, addrs[i]);

		get_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
		set_pte_present(mm, addrs[i], pfn, pte->writable, false);
	}
	kfp_write_unlock(&mm->page_table_lock);
}

static int migratable_page_at(struct kfp_mm *mm, u64 addr, kfp_pfn_t *pfn)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);

	kfp_shared_read(kfp_pte_object(addr), "folio_walk_start");
	if (!pte || pte->kind != KFP_PTE_PRESENT || pte->special)
		return -EFAULT;
	*pfn = pte->pfn;
	/* the model migrates order-0 anon and page-cache pages only */
	if (PageCompound(mm, *pfn) || PageReserved(mm, *pfn) ||
	    !(mm->page[*pfn].flags & (PG_anon | PG_pagecache)))
		return -EINVAL;
	return 0;
}

/* mm/migrate.c migrate_folio_move(): copy to @new and map it everywhere. */
static void move_to_new_page(struct kfp_mm *mm, kfp_pfn_t old, kfp_pfn_t new_pfn, const u64 *addrs,
			     unsigned int nr)
{
	struct kfp_page *from = &mm->page[old], *to = &mm->page[new_pfn];

	to->content = from->content;
	to->flags |= from->flags & (PG_anon | PG_anon_exclusive | PG_pagecache | PG_dirty);
	to->object = from->object;
	to->index = from->index;
	if (from->flags & PG_pagecache) {
		mm->object[from->object].pfn[from->index] = (u16)new_pfn;
		get_page(mm, new_pfn, KFP_OWNER_PAGE_CACHE);
		put_page(mm, old, KFP_OWNER_PAGE_CACHE);
	}
	remove_migration_ptes(mm, addrs, nr, new_pfn);
	put_page(mm, new_pfn, KFP_OWNER_MIGRATION);
}

/*
 * Migrate the page mapped at @addr (move_pages(2): mm/migrate.c
 * migrate_pages()).  Each mapping is replaced by a migration entry inside
 * an MMU_NOTIFY_CLEAR bracket (try_to_migrate_one()); a pinned page
 * aborts there (-EBUSY), a page with any other extra reference fails the
 * refcount check (-EAGAIN); both get their old ptes back.
 */
int kfp_migrate_page(struct kfp_mm *mm, u64 addr)
{
	u64 addrs[KFP_NR_VPAGES];
	unsigned int nr, i, expected;
	kfp_pfn_t pfn, new_pfn;
	int ret;

	if (!kfp_hva_in_range(addr))
		return -EFAULT;
	addr &= PAGE_MASK;
	mmap_read_lock(mm);
	/* mm/migrate.c add_folio_for_migration(): folio_walk_start() and folio_get() under the PTL */
	kfp_write_lock(&mm->page_table_lock);
	ret = migratable_page_at(mm, addr, &pfn);
	if (!ret)
		get_page(mm, pfn, KFP_OWNER_MIGRATION); /* isolation */
	kfp_write_unlock(&mm->page_table_lock);
	if (ret)
		goto out_unlock;
	kfp_write_lock(&mm->folio_lock);
	/* mm/rmap.c try_to_migrate_one(): an MMU_NOTIFY_CLEAR range each */
	nr = unmap_all(mm, pfn, addrs, rmap_walk(mm, pfn, addrs), KFP_PTE_MIGRATION);
	for (i = 0; i < nr; i++)
		put_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	ret = -EBUSY;
	if (folio_maybe_dma_pinned(mm, pfn))
		goto out_restore;
	/* mm/migrate.c folio_migrate_mapping(): isolation + page cache only */
	expected = 1 + !!(mm->page[pfn].flags & PG_pagecache);
	ret = -EAGAIN;
	if (page_count(mm, pfn) != (int)expected)
		goto out_restore;
	new_pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_MIGRATION);
	ret = -ENOMEM;
	if (new_pfn == KFP_PFN_NONE)
		goto out_restore;
	move_to_new_page(mm, pfn, new_pfn, addrs, nr);
	put_page(mm, pfn, KFP_OWNER_MIGRATION);
	ret = 0;
	goto out_unlock_folio;
out_restore:
	remove_migration_ptes(mm, addrs, nr, pfn);
	put_page(mm, pfn, KFP_OWNER_MIGRATION);
out_unlock_folio:
	kfp_write_unlock(&mm->folio_lock);
out_unlock:
	mmap_read_unlock(mm);
	return ret;
}

/*
 * __remove_mapping(): freeze the count at reclaim's isolation reference
 * and the cache's @cache_refs; frozen, the folio leaves its cache and is
 * freed; otherwise reclaim lets go of it (putback) and it stays.
 */
static bool remove_mapping(struct kfp_mm *mm, kfp_pfn_t pfn, unsigned int cache_refs)
{
	if (folio_ref_freeze(mm, pfn, 1 + (int)cache_refs))
		return true;
	put_page(mm, pfn, KFP_OWNER_RECLAIM);
	return false;
}

/*
 * Reclaim of an anon page (mm/vmscan.c shrink_folio_list(), folio isolated
 * with a reference and locked throughout): add_to_swap() gives the swap
 * cache a reference (one per entry in the model), try_to_unmap() turns each
 * pte still mapping it into a swap entry, then __remove_mapping() freezes
 * the refcount (folio_ref_freeze()).  A fault that took a reference
 * meanwhile (folio_try_get()) makes the freeze fail and the folio stays in
 * the swap cache; otherwise it leaves the swap cache
 * (__delete_from_swap_cache()) and is freed.
 */
static void reclaim_anon(struct kfp_mm *mm, kfp_pfn_t pfn, u64 *addrs, unsigned int nr)
{
	unsigned int i, unmapped;

	kfp_write_lock(&mm->folio_lock);
	for (i = 0; i < nr; i++)
		get_page(mm, pfn, KFP_OWNER_SWAP_CACHE);
	mm->page[pfn].flags |= PG_swapcache;
	unmapped = unmap_all(mm, pfn, addrs, nr, KFP_PTE_SWAP);
	for (i = 0; i < nr; i++)
		put_page(mm, pfn, i < unmapped ? KFP_OWNER_PAGE_TABLE : KFP_OWNER_SWAP_CACHE);
	if (remove_mapping(mm, pfn, unmapped)) {
		for (i = 0; i < unmapped; i++) {
			struct kfp_pte *pte = kfp_pte_of(mm, addrs[i]);

			kfp_shared_write(kfp_pte_object(addrs[i]), "__delete_from_swap_cache");
			if (pte->kind == KFP_PTE_SWAP && pte->pfn == pfn)
				pte->pfn = KFP_NO_PFN32;
		}
		mm->page[pfn].flags &= ~PG_swapcache;
		free_frozen_folio(mm, pfn);
	}
	kfp_write_unlock(&mm->folio_lock);
}

/*
 * Reclaim of a page-cache page: unmapped, then __remove_mapping() freezes
 * the refcount at reclaim's and the page cache's references; a fault
 * holding a folio_try_get() reference (or any mapping left) keeps it.
 * Frozen, it is written back, deleted from the cache and freed.
 */
static void reclaim_file(struct kfp_mm *mm, kfp_pfn_t pfn, u64 *addrs, unsigned int nr)
{
	struct kfp_page *page = &mm->page[pfn];
	struct kfp_memory_object *object = &mm->object[page->object];
	unsigned int i, index = (unsigned int)page->index;
	int id = page->object;

	nr = unmap_all(mm, pfn, addrs, nr, KFP_PTE_NONE);
	for (i = 0; i < nr; i++) {
		pte_clear(mm, addrs[i]);
		put_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	}
	if (!remove_mapping(mm, pfn, 1))
		return;
	kfp_shared_write(KFP_OBJECT(KFP_OBJECT_CLASS_MEMORY_OBJECT, id), "__filemap_remove_folio");
	object->stored[index] = page->content;
	object->pfn[index] = KFP_NO_PFN16;
	page->flags &= ~PG_pagecache;
	free_frozen_folio(mm, pfn);
}

/*
 * mm/madvise.c madvise_cold_or_pageout_pte_range(): under the PTL, the
 * folio mapped at @addr, isolated with a reference (folio_isolate_lru()).
 * The model reclaims order-0 anon and page-cache folios only.
 */
static bool reclaimable_page_at(struct kfp_mm *mm, u64 addr, kfp_pfn_t *pfn)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	bool ok;

	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_read(kfp_pte_object(addr), "madvise_cold_or_pageout_pte_range");
	*pfn = pte->pfn;
	ok = pte->kind == KFP_PTE_PRESENT && !pte->special && !PageCompound(mm, *pfn) &&
	     !PageReserved(mm, *pfn) && (mm->page[*pfn].flags & (PG_anon | PG_pagecache));
	if (ok)
		get_page(mm, *pfn, KFP_OWNER_RECLAIM);
	kfp_write_unlock(&mm->page_table_lock);
	return ok;
}

/*
 * mm/vmscan.c shrink_folio_list() on the pages mapped in [start, start+len)
 * (as MADV_PAGEOUT would pick them).  A maybe-pinned anon folio is skipped
 * before anything happens; any other folio with an extra reference (a
 * pinned file folio included) is unmapped (the notifier fires) and then
 * survives the refcount freeze.
 */
int kfp_reclaim(struct kfp_mm *mm, u64 start, u64 len)
{
	u64 end, addr, addrs[KFP_NR_VPAGES];
	int reclaimed = 0;

	if (!range_valid(start, len))
		return -EINVAL;
	end = start + page_align_len(len);
	mmap_read_lock(mm);
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		unsigned int nr;
		kfp_pfn_t pfn;

		if (!reclaimable_page_at(mm, addr, &pfn))
			continue;
		/*
		 * mm/vmscan.c shrink_folio_list(): a maybe-pinned anon folio not in
		 * the swap cache is kept before anything happens; a pinned file
		 * folio is unmapped and then kept (activate_locked), which the
		 * refcount check in reclaim_file() does.
		 */
		if ((mm->page[pfn].flags & PG_anon) && folio_maybe_dma_pinned(mm, pfn)) {
			put_page(mm, pfn, KFP_OWNER_RECLAIM);
			continue;
		}
		nr = rmap_walk(mm, pfn, addrs);
		if (mm->page[pfn].flags & PG_anon)
			reclaim_anon(mm, pfn, addrs, nr);
		else
			reclaim_file(mm, pfn, addrs, nr);
		reclaimed++;
	}
	mmap_read_unlock(mm);
	return reclaimed;
}

/*
 * mm/memory.c copy_present_pte() for one pte at fork.  A normal page gets
 * the child's reference; in a CoW mapping both sides are write-protected
 * (__copy_present_ptes()), unless it is an anon page that may be pinned:
 * then the child gets its own copy at once and the parent pte is left
 * alone (folio_try_dup_anon_rmap_pte() -> copy_present_page()).  Special
 * ptes (zero page, pfnmap) take no reference but are write-protected too.
 */
static int copy_present_pte(struct kfp_mm *mm, u64 addr, bool cow)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	struct kfp_page *page;
	kfp_pfn_t copy;

	if (pte->kind != KFP_PTE_PRESENT)
		return 0;
	if (!pte->special) {
		page = &mm->page[pte->pfn];
		if ((page->flags & PG_anon) && folio_maybe_dma_pinned(mm, pte->pfn)) {
			copy = kfp_alloc_pages(mm, 0, false, KFP_OWNER_CHILD_MM);
			if (copy == KFP_PFN_NONE)
				return -ENOMEM;
			mm->page[copy].flags |= PG_anon | PG_anon_exclusive;
			mm->page[copy].content = page->content;
			return 0;
		}
		get_page(mm, pte->pfn, KFP_OWNER_CHILD_MM);
		if (page->flags & PG_anon)
			page->flags &= ~PG_anon_exclusive;
	}
	if (cow && pte->writable) {
		kfp_shared_write(kfp_pte_object(addr), "copy_present_pte");
		pte->writable = 0;
	}
	return 0;
}

/*
 * mm/memory.c vma_needs_copy(): ptes a fault would fill in the same way are
 * not copied; a VMA is copied when it is VM_PFNMAP/VM_MIXEDMAP or has an
 * anon_vma.  The model has no anon_vma and takes "maps an anon page or a
 * swap entry" for it.
 */
static bool vma_needs_copy(struct kfp_mm *mm, const struct kfp_vma *vma)
{
	u64 addr;

	if (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
		return true;
	for (addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
		const struct kfp_pte *pte = kfp_pte_of(mm, addr);

		if (pte->kind == KFP_PTE_SWAP || (pte->kind == KFP_PTE_PRESENT && !pte->special &&
						  (mm->page[pte->pfn].flags & PG_anon)))
			return true;
	}
	return false;
}

/*
 * mm/memory.c copy_page_range() for every VMA that needs it; a CoW
 * (private) mapping is copied inside an MMU_NOTIFY_PROTECTION_PAGE range
 * over the whole VMA.  The child is not modelled as an address space: its
 * references belong to KFP_OWNER_CHILD_MM.
 */
int kfp_fork(struct kfp_mm *mm)
{
	unsigned int i;
	int ret = 0;

	if (mm->dead)
		return -EINVAL;
	mmap_write_lock(mm);
	for (i = 0; i < KFP_MAX_VMAS && !ret; i++) {
		struct kfp_vma *vma = &mm->vma[i];
		struct mmu_notifier_range range = { vma->vm_start, vma->vm_end,
						    MMU_NOTIFY_PROTECTION_PAGE, 1 };
		bool cow = !(vma->vm_flags & VM_SHARED);
		u64 addr;

		if (!vma->in_use || !vma_needs_copy(mm, vma))
			continue;
		if (cow)
			mmu_notifier_invalidate_range_start(mm, &range);
		kfp_write_lock(&mm->page_table_lock);
		for (addr = vma->vm_start; addr < vma->vm_end && !ret; addr += PAGE_SIZE)
			ret = copy_present_pte(mm, addr, cow);
		kfp_write_unlock(&mm->page_table_lock);
		if (cow)
			mmu_notifier_invalidate_range_end(mm, &range);
	}
	mmap_write_unlock(mm);
	return ret;
}

/* The child exits: every reference it held goes. */
int kfp_child_exit(struct kfp_mm *mm)
{
	int dropped = 0;
	unsigned int i = 0;

	while (i < mm->ledger.nr_entries) {
		const struct kfp_ledger_entry *entry = &mm->ledger.entry[i];

		if (entry->owner != KFP_OWNER_CHILD_MM || entry->refs <= 0) {
			i++;
			continue;
		}
		put_page(mm, entry->pfn, KFP_OWNER_CHILD_MM);
		dropped++;
	}
	return dropped;
}

/*
 * mm/ksm.c with use_zero_pages: a page of zeroes is write-protected
 * (write_protect_page(), which backs out when someone else holds a
 * reference) and then replaced by the zero page (replace_page(): a special
 * pte, no reference), each step in its own MMU_NOTIFY_CLEAR bracket.
 * Returns 0 when merged, -EBUSY when the page stays.
 */
int kfp_ksm_merge(struct kfp_mm *mm, u64 addr)
{
	struct mmu_notifier_range range = { addr & PAGE_MASK, (addr & PAGE_MASK) + PAGE_SIZE,
					    MMU_NOTIFY_CLEAR, 1 };
	struct kfp_vma *vma;
	struct kfp_pte *pte;
	kfp_pfn_t pfn;
	int ret = -EFAULT;

	if (!kfp_hva_in_range(addr))
		return -EFAULT;
	addr &= PAGE_MASK;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (!vma)
		goto out_unlock;
	ret = -EBUSY;
	pte = kfp_pte_of(mm, addr);
	kfp_shared_read(kfp_pte_object(addr), "ksm pte");
	if (vma->backing != KFP_BACKING_ANON || pte->kind != KFP_PTE_PRESENT || pte->special)
		goto out_unlock;
	pfn = pte->pfn;
	if (PageCompound(mm, pfn) || mm->page[pfn].content != 0)
		goto out_unlock;
	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_write(kfp_pte_object(addr), "write_protect_page");
	/*
	 * page_vma_mapped_walk(): the pte must still map the page; then one
	 * mapping and nothing else: mapcount + 1 (KSM's own) == page_count
	 */
	if (pte->kind != KFP_PTE_PRESENT || pte->pfn != pfn || page_count(mm, pfn) != 1) {
		kfp_write_unlock(&mm->page_table_lock);
		mmu_notifier_invalidate_range_end(mm, &range);
		goto out_unlock;
	}
	pte->writable = 0;
	kfp_write_unlock(&mm->page_table_lock);
	mmu_notifier_invalidate_range_end(mm, &range);

	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	set_pte_present(mm, addr, mm->zero_pfn, false, true);
	pte->dirty = 1; /* marks a KSM-placed zero page */
	kfp_write_unlock(&mm->page_table_lock);
	mmu_notifier_invalidate_range_end(mm, &range);
	put_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	ret = 0;
out_unlock:
	mmap_read_unlock(mm);
	return ret;
}

/* Give a revoked object's memory back to whoever it came from. */
static void release_object_memory(struct kfp_mm *mm, struct kfp_memory_object *object)
{
	unsigned int i;

	switch (object->kind) {
	case KFP_OBJECT_DRIVER_PAGES:
	case KFP_OBJECT_ZONE_DEVICE:
		for (i = 0; i < object->nr_pages; i++)
			put_page(mm, object->pfn[i], KFP_OWNER_DRIVER);
		break;
	case KFP_OBJECT_TTM:
		kfp_free_pages(mm, object->pfn[0], KFP_OWNER_DRIVER);
		break;
	default:
		/* device MMIO and reserved RAM: the range goes back to the driver */
		for (i = 0; i < object->nr_pages; i++) {
			struct kfp_page *page = &mm->page[object->pfn[i]];

			kfp_shared_write(KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, object->pfn[i]),
					 "device memory release");
			page->flags |= PG_released;
			page->generation++;
			page->content = KFP_POISON_FREE;
		}
		break;
	}
}

/*
 * A driver revokes its memory (e.g. vfio on device reset, a GPU buffer
 * being evicted): unmap_mapping_range() over every VMA that maps the
 * object, then the memory is released.
 */
int kfp_driver_revoke(struct kfp_mm *mm, int id)
{
	struct kfp_memory_object *object;
	unsigned int i;

	if (id < 0 || id >= KFP_MAX_OBJECTS || !mm->object[id].in_use)
		return -EBADF;
	object = &mm->object[id];
	if (object->kind == KFP_OBJECT_SHMEM || object->kind == KFP_OBJECT_FILE ||
	    object->kind == KFP_OBJECT_HUGETLB)
		return -EINVAL;
	if (object->released)
		return -ENODEV;
	mmap_read_lock(mm);
	/*
	 * drivers/vfio/pci/vfio_pci_core.c vfio_pci_zap_and_down_write_memory_lock():
	 * memory_lock for write, then refuse new faults, zap, and give the
	 * memory back.  A fault holds memory_lock for read across its released
	 * check and its insert (vfio_pci_mmap_huge_fault()), so it either
	 * inserts before the zap or sees the memory released.
	 */
	kfp_write_lock(&object->memory_lock);
	kfp_shared_write(KFP_OBJECT(KFP_OBJECT_CLASS_MEMORY_OBJECT, id), "driver revoke");
	object->released = 1;
	for (i = 0; i < KFP_MAX_VMAS; i++) {
		struct kfp_vma *vma = &mm->vma[i];

		if (vma->in_use && vma->object == id &&
		    (vma->backing == KFP_BACKING_PFNMAP || vma->backing == KFP_BACKING_MIXEDMAP))
			zap_range(mm, vma->vm_start, vma->vm_end, MMU_NOTIFY_CLEAR);
	}
	release_object_memory(mm, object);
	kfp_write_unlock(&object->memory_lock);
	mmap_read_unlock(mm);
	return 0;
}

static int fault_errno(vm_fault_t fault)
{
	if (fault & VM_FAULT_HWPOISON)
		return -EHWPOISON;
	return vm_fault_to_errno(fault, 0);
}

/* The pte, and the page it maps if a CPU could use it, as one point. */
static void host_access_point(struct kfp_mm *mm, u64 addr, bool write)
{
	const struct kfp_pte *pte = kfp_pte_of(mm, addr);

	if (pte->kind != KFP_PTE_PRESENT || pte->pfn >= KFP_NR_PFNS) {
		kfp_shared_read(kfp_pte_object(addr), "host access");
		return;
	}
	kfp_shared_access2(kfp_pte_object(addr), KFP_ACCESS_READ,
			   KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, pte->pfn),
			   write ? KFP_ACCESS_WRITE : KFP_ACCESS_READ, "host access");
}

/*
 * A host thread touches @addr (the VMM reading or writing guest memory):
 * arch/x86/mm/fault.c do_user_addr_fault() as often as needed, then the
 * access.  -EFAULT stands for SIGSEGV/SIGBUS, -EHWPOISON for the MCE SIGBUS.
 */
static int host_access(struct kfp_mm *mm, u64 addr, bool write, u64 *value)
{
	unsigned int flags = FAULT_FLAG_USER | FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE;
	int ret = 0;

	if (!kfp_hva_in_range(addr))
		return -EFAULT;
	if (write)
		flags |= FAULT_FLAG_WRITE;
	mmap_read_lock(mm);
	for (;;) {
		struct kfp_vma *vma = vma_lookup(mm, addr);
		struct kfp_pte *pte = kfp_pte_of(mm, addr);
		vm_fault_t fault;

		if (!vma) {
			ret = -EFAULT;
			break;
		}
		/*
		 * The walk and the access are one step: an unmap flushes the TLB
		 * before it frees the page, so a CPU never reaches a page through a
		 * pte that is already gone.
		 */
		host_access_point(mm, addr, write);
		if (pte->kind == KFP_PTE_PRESENT && !pte->protnone && (!write || pte->writable)) {
			if (write)
				mm->page[pte->pfn].content = *value;
			else
				*value = mm->page[pte->pfn].content;
			pte->accessed = 1;
			pte->dirty |= write;
			break;
		}
		fault = handle_mm_fault(mm, vma, addr, flags);
		if (fault & VM_FAULT_ERROR) {
			ret = fault_errno(fault);
			break;
		}
		if (fault & VM_FAULT_RETRY) {
			if (fatal_signal_pending(mm))
				return -EINTR;
			mmap_read_lock(mm);
			flags |= FAULT_FLAG_TRIED;
		}
	}
	mmap_read_unlock(mm);
	return ret;
}

int kfp_host_read(struct kfp_mm *mm, u64 addr, u64 *value)
{
	return host_access(mm, addr, false, value);
}

int kfp_host_write(struct kfp_mm *mm, u64 addr, u64 value)
{
	return host_access(mm, addr, true, &value);
}

/*
 * mm/memory-failure.c memory_failure(): mark the page poisoned and replace
 * every mapping by a hwpoison entry (try_to_unmap(), so the notifier
 * fires); later faults there get VM_FAULT_HWPOISON.  The page never goes
 * back to the allocator.
 */
int kfp_memory_failure(struct kfp_mm *mm, kfp_pfn_t pfn)
{
	u64 addrs[KFP_NR_VPAGES];
	unsigned int nr, i;

	if (!pfn_valid(mm, pfn))
		return -ENXIO;
	if (PageHWPoison(mm, pfn))
		return -EHWPOISON;
	mmap_read_lock(mm);
	/*
	 * A free page is taken off the free lists (take_page_off_buddy()
	 * under zone->lock): allocations read PG_hwpoison.
	 */
	kfp_shared_access2(KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, pfn), KFP_ACCESS_WRITE,
			   KFP_OBJECT(KFP_OBJECT_CLASS_ZONE, 0), KFP_ACCESS_WRITE,
			   "SetPageHWPoison");
	mm->page[pfn].flags |= PG_hwpoison;
	nr = unmap_all(mm, pfn, addrs, rmap_walk(mm, pfn, addrs), KFP_PTE_HWPOISON);
	for (i = 0; i < nr; i++)
		put_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	mmap_read_unlock(mm);
	return 0;
}

/*
 * kernel/fork.c mmput() -> mm/mmap.c exit_mmap(): release the notifier
 * subscribers first (they must drop every secondary mapping), then unmap
 * everything.  The subscribers are gone, so the unmaps notify nobody.
 */
void kfp_mm_teardown(struct kfp_mm *mm)
{
	struct unmap_batch batch;
	unsigned int i;
	u64 addr;

	if (mm->dead)
		return;
	mmu_notifier_release(mm);
	mmap_write_lock(mm);
	batch.nr = 0;
	kfp_write_lock(&mm->page_table_lock);
	for (addr = KFP_HVA_MIN; addr < KFP_HVA_LIMIT; addr += PAGE_SIZE)
		zap_pte(mm, addr, &batch);
	kfp_write_unlock(&mm->page_table_lock);
	for (i = 0; i < KFP_MAX_VMAS; i++)
		mm->vma[i].in_use = 0;
	mm->dead = 1;
	mmap_write_unlock(mm);
	batch_release(mm, &batch);
}
