// SPDX-License-Identifier: GPL-2.0
/*
 * Page faults (mm/memory.c handle_mm_fault() and what it calls), and a host
 * thread's access that takes them (arch/x86/mm/fault.c), at the end.
 *
 * A fault runs with the mmap lock held for read.  A fault that has to wait
 * for I/O drops the mmap lock when FAULT_FLAG_ALLOW_RETRY allows it and
 * returns VM_FAULT_RETRY; with FAULT_FLAG_RETRY_NOWAIT it returns at once
 * without waiting (mm/filemap.c lock_folio_maybe_drop_mmap(),
 * mm/memory.c do_swap_page()).  A pending signal cuts the wait short when
 * the fault is killable/interruptible: the caller then sees the signal.
 */
#include "internal.h"

void set_pte_present(struct kfp_mm *mm, u64 addr, kfp_pfn_t pfn, bool writable, bool special)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);

	kfp_shared_write(kfp_pte_object(addr), "set_pte");
	pte->kind = KFP_PTE_PRESENT;
	pte->pfn = (u32)pfn;
	pte->writable = writable;
	pte->special = special;
	pte->protnone = 0;
	pte->dirty = writable;
	pte->accessed = 1;
	pte->swap_content = 0;
}

void pte_clear(struct kfp_mm *mm, u64 addr)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);

	kfp_shared_write(kfp_pte_object(addr), "pte_clear");
	pte->kind = KFP_PTE_NONE;
	pte->pfn = KFP_NO_PFN32;
	pte->writable = 0;
	pte->special = 0;
	pte->protnone = 0;
	pte->dirty = 0;
	pte->accessed = 0;
	pte->swap_content = 0;
}

static bool fault_interrupted(const struct kfp_mm *mm, unsigned int flags)
{
	if ((flags & FAULT_FLAG_KILLABLE) && fatal_signal_pending(mm))
		return true;
	return (flags & FAULT_FLAG_INTERRUPTIBLE) && signal_pending(mm);
}

enum io_wait {
	IO_UNDER_LOCK, /* do the I/O now, keep going */
	IO_AFTER_DROP, /* mmap lock dropped: do the I/O, then VM_FAULT_RETRY */
	IO_NOT_DONE, /* VM_FAULT_RETRY without I/O (NOWAIT, or a signal) */
};

/* How a fault that needs I/O proceeds, given its flags. */
static enum io_wait fault_wait_for_io(struct kfp_mm *mm, unsigned int flags)
{
	if (!(flags & FAULT_FLAG_ALLOW_RETRY))
		return IO_UNDER_LOCK;
	if (flags & FAULT_FLAG_RETRY_NOWAIT)
		return IO_NOT_DONE;
	if (flags & FAULT_FLAG_TRIED)
		return IO_UNDER_LOCK;
	mmap_read_unlock(mm);
	if (fault_interrupted(mm, flags))
		return IO_NOT_DONE;
	return IO_AFTER_DROP;
}

/*
 * mm/memory.c pte_same() on vmf->orig_pte: has the pte a fault decided on
 * changed since?  The accessed/dirty bits are left out (the model sets them
 * without the lock, as the hardware does); a swap entry is its contents, its
 * swap-cache slot (pte->pfn) comes and goes without the pte changing.
 */
static bool orig_pte_same(const struct kfp_pte *a, const struct kfp_pte *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == KFP_PTE_NONE)
		return true;
	if (a->kind == KFP_PTE_SWAP)
		return a->swap_content == b->swap_content;
	return a->pfn == b->pfn && a->writable == b->writable && a->special == b->special &&
	       a->protnone == b->protnone;
}

/*
 * The re-check every fault makes once it holds the page-table lock again
 * (mm/memory.c vmf_pte_changed(), the pte_same(orig_pte) checks): false
 * when another path changed the pte in the meantime, and the fault backs out.
 */
static bool pte_unchanged(struct kfp_mm *mm, u64 addr, const struct kfp_pte *orig)
{
	kfp_lockdep_assert_held(&mm->page_table_lock);
	kfp_shared_read(kfp_pte_object(addr), "pte_same");
	if (orig_pte_same(kfp_pte_of(mm, addr), orig))
		return true;
	mm->stats.nr_fault_backouts++;
	return false;
}

static u32 memory_object_id(int id)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_MEMORY_OBJECT, id);
}

/*
 * mm/filemap.c filemap_add_folio(): bring a page into the page cache.  A
 * racing fault that inserted first wins (-EEXIST): the new folio is
 * dropped and the caller looks up again.
 */
static bool read_in_page(struct kfp_mm *mm, struct kfp_memory_object *object, int id,
			 unsigned int index)
{
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_PAGE_CACHE);

	if (pfn == KFP_PFN_NONE)
		return false;
	mm->page[pfn].flags |= PG_pagecache;
	mm->page[pfn].object = (s16)id;
	mm->page[pfn].index = (s16)index;
	mm->page[pfn].content = object->stored[index];
	kfp_shared_write(memory_object_id(id), "page cache insert");
	if (object->pfn[index] != KFP_NO_PFN16) {
		mm->stats.nr_fault_backouts++;
		mm->page[pfn].flags &= ~PG_pagecache;
		put_page(mm, pfn, KFP_OWNER_PAGE_CACHE);
		return true;
	}
	object->pfn[index] = (u16)pfn;
	return true;
}

/*
 * A lookup that failed folio_try_get() on @failed spins (goto repeat)
 * until the cache slot changes or the folio thaws; the model parks it
 * instead.  The look again reads the slot and the folio in one step so
 * that the decision to park sees both as they are.
 */
static void lookup_point(struct kfp_mm *mm, u32 slot, kfp_pfn_t failed, const char *what)
{
	if (failed == KFP_PFN_NONE)
		kfp_shared_read(slot, what);
	else
		kfp_shared_access2(slot, KFP_ACCESS_READ,
				   KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, compound_head_pfn(mm, failed)),
				   KFP_ACCESS_READ, what);
}

static bool still_frozen(const struct kfp_mm *mm, kfp_pfn_t pfn, kfp_pfn_t failed)
{
	return pfn == failed && page_count(mm, pfn) <= 0;
}

enum cache_lookup {
	CACHE_HIT, /* *pfn holds a reference for the fault */
	CACHE_MISS,
	CACHE_STUCK, /* frozen, and nobody else can run to unfreeze it */
};

/*
 * mm/filemap.c filemap_get_entry(): the speculative lookup.  The folio is
 * taken with folio_try_get(), which fails while reclaim has it frozen
 * (folio_ref_freeze()); then, and when the slot changed under the grab,
 * the lookup starts again.
 */
static enum cache_lookup page_cache_get(struct kfp_mm *mm, int id, unsigned int index,
					kfp_pfn_t *pfn)
{
	struct kfp_memory_object *object = &mm->object[id];
	kfp_pfn_t failed = KFP_PFN_NONE;

	for (;;) {
		lookup_point(mm, memory_object_id(id), failed, "page cache lookup");
		*pfn = object->pfn[index];
		if (*pfn == KFP_NO_PFN16) {
			*pfn = KFP_PFN_NONE;
			return CACHE_MISS;
		}
		if (still_frozen(mm, *pfn, failed)) {
			if (!kfp_wait_for_change(memory_object_id(id), "page cache lookup"))
				return CACHE_STUCK;
			failed = KFP_PFN_NONE;
			continue;
		}
		if (!folio_try_get(mm, *pfn, KFP_OWNER_FAULT)) {
			mm->stats.nr_lookup_retries++;
			failed = *pfn;
			continue;
		}
		kfp_shared_read(memory_object_id(id), "page cache lookup recheck");
		if (object->pfn[index] == *pfn)
			return CACHE_HIT;
		put_page(mm, *pfn, KFP_OWNER_FAULT);
	}
}

/*
 * The page-cache page at @index (mm/filemap.c filemap_fault(),
 * mm/shmem.c shmem_get_folio()), with a reference the fault holds.  *@pfn
 * is KFP_PFN_NONE when the fault must return the return value instead.
 */
static vm_fault_t find_cache_page(struct kfp_mm *mm, struct kfp_vma *vma, unsigned int index,
				  unsigned int flags, kfp_pfn_t *pfn)
{
	struct kfp_memory_object *object = vma_memory_object(mm, vma);
	enum io_wait wait = IO_UNDER_LOCK;
	enum cache_lookup found;

	*pfn = KFP_PFN_NONE;
	if (index >= object->nr_pages)
		return VM_FAULT_SIGBUS;
	for (;;) {
		found = page_cache_get(mm, vma->object, index, pfn);
		if (found == CACHE_STUCK)
			return VM_FAULT_OOM;
		if (found == CACHE_HIT)
			break;
		if (object->kind == KFP_OBJECT_FILE && wait == IO_UNDER_LOCK) {
			wait = fault_wait_for_io(mm, flags);
			if (wait == IO_NOT_DONE)
				return VM_FAULT_RETRY;
		}
		/* shmem: a new zeroed page, no I/O */
		if (!read_in_page(mm, object, vma->object, index))
			return wait == IO_AFTER_DROP ? VM_FAULT_RETRY : VM_FAULT_OOM;
		if (wait == IO_AFTER_DROP)
			return VM_FAULT_RETRY;
	}
	if (wait == IO_AFTER_DROP) {
		put_page(mm, *pfn, KFP_OWNER_FAULT);
		*pfn = KFP_PFN_NONE;
		return VM_FAULT_RETRY;
	}
	if (PageHWPoison(mm, *pfn)) {
		put_page(mm, *pfn, KFP_OWNER_FAULT);
		*pfn = KFP_PFN_NONE;
		return VM_FAULT_HWPOISON;
	}
	return 0;
}

/*
 * mm/memory.c finish_fault() -> set_pte_range(): map the page the fault
 * holds a reference on; that reference becomes the pte's.  Under the PTL
 * the pte must still be none (vmf_pte_changed(); for hugetlbfs
 * mm/hugetlb.c hugetlb_no_page()'s huge_pte_none() re-check): a racing
 * fault that mapped first wins and this one drops its reference.
 */
static void finish_fault(struct kfp_mm *mm, u64 addr, kfp_pfn_t pfn, bool writable, bool write,
			 const struct kfp_pte *orig)
{
	kfp_write_lock(&mm->page_table_lock);
	if (!pte_unchanged(mm, addr, orig)) {
		kfp_write_unlock(&mm->page_table_lock);
		put_page(mm, pfn, KFP_OWNER_FAULT);
		return;
	}
	kfp_transfer_reference(mm, pfn, KFP_OWNER_FAULT, KFP_OWNER_PAGE_TABLE);
	set_pte_present(mm, addr, pfn, writable, false);
	/* set_pte_range(): pte_mkdirty() only for a write fault */
	kfp_pte_of(mm, addr)->dirty = write;
	kfp_write_unlock(&mm->page_table_lock);
	if (write)
		SetPageDirty(mm, pfn);
}

/*
 * mm/memory.c set_pte_range(): a read fault maps with vma->vm_page_prot,
 * which is writable in a shared writable mapping unless the mapping wants
 * write notification (mm/vma.c vma_wants_writenotify(): page_mkwrite, or
 * a filesystem that can write back, mapping_can_writeback()).  tmpfs/shmem
 * has neither, so its read faults map writable; a regular file's read
 * faults map read-only and its first write faults again
 * (wp_page_shared()).  hugetlbfs likewise (mm/hugetlb.c hugetlb_no_page():
 * make_huge_pte(..., VM_WRITE && VM_SHARED)).
 */
static bool fault_maps_writable(struct kfp_mm *mm, const struct kfp_vma *vma, bool write)
{
	if (write)
		return true;
	if ((vma->vm_flags & (VM_SHARED | VM_WRITE)) != (VM_SHARED | VM_WRITE))
		return false;
	return vma_memory_object(mm, vma)->kind != KFP_OBJECT_FILE;
}

/* A new anon folio, held by the fault until a pte maps it. */
static kfp_pfn_t alloc_anon_page(struct kfp_mm *mm, u64 content)
{
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_FAULT);

	if (pfn == KFP_PFN_NONE)
		return pfn;
	mm->page[pfn].flags |= PG_anon | PG_anon_exclusive;
	mm->page[pfn].content = content;
	return pfn;
}

static bool range_none(struct kfp_mm *mm, u64 base, u64 size)
{
	u64 a;

	for (a = base; a < base + size; a += PAGE_SIZE)
		if (kfp_pte_of(mm, a)->kind != KFP_PTE_NONE)
			return false;
	return true;
}

/*
 * mm/huge_memory.c do_huge_pmd_anonymous_page(): one folio for the aligned
 * range.  __do_huge_pmd_anonymous_page() re-checks pmd_none() under the
 * lock and releases the folio if another fault mapped the range first.
 */
static bool do_huge_anonymous_page(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr)
{
	u64 size = (u64)KFP_HUGE_NR << PAGE_SHIFT, base = addr & ~(size - 1);
	kfp_pfn_t head;
	unsigned int i;

	if (base < vma->vm_start || base + size > vma->vm_end || !range_none(mm, base, size))
		return false;
	head = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_PAGE_TABLE);
	if (head == KFP_PFN_NONE)
		return false;
	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_read(kfp_pte_object(base), "pmd_none");
	if (!range_none(mm, base, size)) {
		mm->stats.nr_fault_backouts++;
		kfp_write_unlock(&mm->page_table_lock);
		put_page(mm, head, KFP_OWNER_PAGE_TABLE);
		return true;
	}
	for (i = 0; i < KFP_HUGE_NR; i++) {
		mm->page[head + i].flags |= PG_anon | PG_anon_exclusive;
		/* pte-mapped THP: each pte holds a reference on the folio */
		if (i)
			get_page(mm, head, KFP_OWNER_PAGE_TABLE);
		set_pte_present(mm, base + ((u64)i << PAGE_SHIFT), head + i,
				vma->vm_flags & VM_WRITE, false);
	}
	kfp_write_unlock(&mm->page_table_lock);
	return true;
}

/*
 * mm/memory.c do_anonymous_page(): a read maps the zero page through a
 * special, read-only pte (no reference); a write allocates.  Either way
 * the pte must still be none once the PTL is held (vmf_pte_changed()):
 * the loser of two racing first touches leaves the winner's pte alone and
 * releases its folio.
 */
static vm_fault_t do_anonymous_page(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr,
				    unsigned int flags, const struct kfp_pte *orig)
{
	kfp_pfn_t pfn;

	if (!(flags & FAULT_FLAG_WRITE)) {
		kfp_write_lock(&mm->page_table_lock);
		if (pte_unchanged(mm, addr, orig))
			set_pte_present(mm, addr, mm->zero_pfn, false, true);
		kfp_write_unlock(&mm->page_table_lock);
		return 0;
	}
	if ((vma->vm_flags & VM_HUGEPAGE) && do_huge_anonymous_page(mm, vma, addr))
		return 0;
	pfn = alloc_anon_page(mm, 0);
	if (pfn == KFP_PFN_NONE)
		return VM_FAULT_OOM;
	finish_fault(mm, addr, pfn, true, true, orig);
	return 0;
}

/*
 * The folio lock a page-cache fault holds from the lookup to finish_fault()
 * (mm/filemap.c filemap_fault(): lock_folio_maybe_drop_mmap(), then "did it
 * get truncated?" folio->mapping != mapping -> retry_find; mm/shmem.c
 * shmem_get_folio_gfp(): folio_lock(), the same check -> repeat).  Reclaim
 * and migration hold it while they unmap and remove the folio, so a fault
 * never maps a folio they are taking out of the cache.  The model has one
 * folio lock (mm->folio_lock) for every folio.  False when the folio left
 * the cache before the lock was had: the fault drops it and looks up again.
 */
static bool lock_cache_folio(struct kfp_mm *mm, struct kfp_vma *vma, unsigned int index,
			     kfp_pfn_t pfn)
{
	kfp_write_lock(&mm->folio_lock);
	kfp_shared_read(memory_object_id(vma->object), "folio->mapping check");
	if (vma_memory_object(mm, vma)->pfn[index] == pfn)
		return true;
	kfp_write_unlock(&mm->folio_lock);
	mm->stats.nr_lookup_retries++;
	put_page(mm, pfn, KFP_OWNER_FAULT);
	return false;
}

/* mm/memory.c do_read_fault(), do_cow_fault(), do_shared_fault() */
static vm_fault_t do_fault(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, unsigned int flags,
			   const struct kfp_pte *orig)
{
	unsigned int index = vma_object_index(vma, addr);
	bool write = flags & FAULT_FLAG_WRITE;
	kfp_pfn_t pfn, copy;
	vm_fault_t ret;

	do {
		ret = find_cache_page(mm, vma, index, flags, &pfn);
		if (ret)
			return ret;
	} while (!lock_cache_folio(mm, vma, index, pfn));
	if (write && !(vma->vm_flags & VM_SHARED)) {
		/* do_cow_fault(): copy, map the copy, then drop the cache page */
		copy = alloc_anon_page(mm, kfp_pfn_read(mm, pfn));
		if (copy != KFP_PFN_NONE)
			finish_fault(mm, addr, copy, true, true, orig);
		kfp_write_unlock(&mm->folio_lock);
		put_page(mm, pfn, KFP_OWNER_FAULT);
		return copy == KFP_PFN_NONE ? VM_FAULT_OOM : 0;
	}
	finish_fault(mm, addr, pfn, fault_maps_writable(mm, vma, write), write, orig);
	kfp_write_unlock(&mm->folio_lock);
	return 0;
}

/*
 * A driver's fault handler: vmf_insert_pfn() into a VM_PFNMAP vma (special
 * pte, no reference), vm_insert_page() of a refcounted page into a
 * VM_MIXEDMAP vma, vmf_insert_mixed() (special) for anything else
 * (mm/memory.c; insert_pfn() and insert_page() leave a pte that is no
 * longer none alone).  A driver that must wait (e.g. TTM's
 * ttm_bo_vm_reserve()) drops the mmap lock and asks for a retry.  The
 * released check and the insert happen under the object's memory_lock
 * (drivers/vfio/pci/vfio_pci_core.c vfio_pci_mmap_huge_fault():
 * down_read(&vdev->memory_lock) across __vfio_pci_memory_enabled() and the
 * insert), so a revoke cannot slip in between.
 */
static vm_fault_t driver_fault(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, unsigned int flags,
			       const struct kfp_pte *orig)
{
	struct kfp_memory_object *object = vma_memory_object(mm, vma);
	unsigned int index = vma_object_index(vma, addr);
	bool writable = vma->vm_flags & VM_WRITE;
	bool refcounted;
	vm_fault_t ret = 0;
	kfp_pfn_t pfn;

	kfp_read_lock(&object->memory_lock);
	kfp_shared_read(memory_object_id(vma->object), "driver fault");
	if (object->released || index >= object->nr_pages) {
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	if (object->fault_retries && (flags & FAULT_FLAG_ALLOW_RETRY) &&
	    !(flags & FAULT_FLAG_TRIED)) {
		object->fault_retries--;
		kfp_read_unlock(&object->memory_lock);
		if (!(flags & FAULT_FLAG_RETRY_NOWAIT))
			mmap_read_unlock(mm);
		return VM_FAULT_RETRY;
	}
	pfn = object->pfn[index];
	refcounted = vma->backing == KFP_BACKING_MIXEDMAP && memory_object_refcounted(object);
	kfp_write_lock(&mm->page_table_lock);
	if (pte_unchanged(mm, addr, orig)) {
		if (refcounted)
			get_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
		set_pte_present(mm, addr, pfn, writable, !refcounted);
	}
	kfp_write_unlock(&mm->page_table_lock);
	if (refcounted && writable)
		SetPageDirty(mm, pfn);
out_unlock:
	kfp_read_unlock(&object->memory_lock);
	return ret;
}

static vm_fault_t do_pte_missing(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr,
				 unsigned int flags, const struct kfp_pte *orig)
{
	switch (vma->backing) {
	case KFP_BACKING_ANON:
		return do_anonymous_page(mm, vma, addr, flags, orig);
	case KFP_BACKING_SHARED:
	case KFP_BACKING_FILE:
	case KFP_BACKING_HUGETLB:
		return do_fault(mm, vma, addr, flags, orig);
	case KFP_BACKING_PFNMAP:
	case KFP_BACKING_MIXEDMAP:
		return driver_fault(mm, vma, addr, flags, orig);
	default:
		return VM_FAULT_SIGBUS;
	}
}

/*
 * mm/swap_state.c __read_swap_cache_async(): read the entry's content into
 * a new swap-cache folio.  swapcache_prepare() lets one fault do it; a
 * loser drops its folio and looks up again.  The model keeps the entry's
 * swap-cache slot in the pte (pte->pfn).
 */
static bool swap_in(struct kfp_mm *mm, u64 addr, const struct kfp_pte *orig)
{
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_SWAP_CACHE);
	struct kfp_pte *pte = kfp_pte_of(mm, addr);

	if (pfn == KFP_PFN_NONE)
		return false;
	mm->page[pfn].flags |= PG_anon | PG_swapcache;
	mm->page[pfn].content = orig->swap_content;
	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_write(kfp_pte_object(addr), "add_to_swap_cache");
	if (orig_pte_same(pte, orig) && pte->pfn == KFP_NO_PFN32) {
		pte->pfn = (u32)pfn;
		pfn = KFP_PFN_NONE;
	}
	kfp_write_unlock(&mm->page_table_lock);
	if (pfn != KFP_PFN_NONE) {
		mm->stats.nr_fault_backouts++;
		mm->page[pfn].flags &= ~PG_swapcache;
		put_page(mm, pfn, KFP_OWNER_SWAP_CACHE);
	}
	return true;
}

enum swap_lookup {
	SWAP_HIT, /* *pfn holds a reference for the fault */
	SWAP_MISS, /* not in the swap cache: read it in */
	SWAP_GONE, /* the pte is no longer this entry: the fault is done */
	SWAP_STUCK, /* frozen, and nobody else can run to unfreeze it */
};

/*
 * mm/swap_state.c swap_cache_get_folio() -> filemap_get_entry(): the
 * entry's swap-cache folio with folio_try_get(), looked up again while
 * reclaim has it frozen.
 */
static enum swap_lookup swap_cache_get_folio(struct kfp_mm *mm, u64 addr,
					     const struct kfp_pte *orig, kfp_pfn_t *pfn)
{
	const struct kfp_pte *pte = kfp_pte_of(mm, addr);
	kfp_pfn_t failed = KFP_PFN_NONE;

	for (;;) {
		lookup_point(mm, kfp_pte_object(addr), failed, "swap_cache_get_folio");
		if (!orig_pte_same(pte, orig))
			return SWAP_GONE;
		if (pte->pfn == KFP_NO_PFN32)
			return SWAP_MISS;
		*pfn = pte->pfn;
		if (still_frozen(mm, *pfn, failed)) {
			if (!kfp_wait_for_change(kfp_pte_object(addr), "swap_cache_get_folio"))
				return SWAP_STUCK;
			failed = KFP_PFN_NONE;
			continue;
		}
		if (folio_try_get(mm, *pfn, KFP_OWNER_FAULT))
			return SWAP_HIT;
		mm->stats.nr_lookup_retries++;
		failed = *pfn;
	}
}

/*
 * Map the swap-cache folio the fault holds (mm/memory.c do_swap_page()
 * after the lookup): under the folio lock the folio must still be this
 * entry's swap cache (reclaim may have taken it out), and under the PTL the
 * pte must still be the entry (pte_same(orig_pte), else out_nomap).  Then
 * the fault's reference becomes the pte's and folio_free_swap() drops the
 * swap cache's.
 */
static vm_fault_t map_swap_folio(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, bool write,
				 const struct kfp_pte *orig, kfp_pfn_t pfn)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	bool mapped = false;

	kfp_write_lock(&mm->folio_lock);
	kfp_write_lock(&mm->page_table_lock);
	if (!(mm->page[pfn].flags & PG_swapcache) || !pte_unchanged(mm, addr, orig) ||
	    pte->pfn != pfn)
		goto out_nomap;
	kfp_transfer_reference(mm, pfn, KFP_OWNER_FAULT, KFP_OWNER_PAGE_TABLE);
	mm->page[pfn].flags |= PG_anon_exclusive;
	if (kfp_ledger_refs(mm, pfn, KFP_OWNER_SWAP_CACHE) == 1)
		mm->page[pfn].flags &= ~PG_swapcache;
	set_pte_present(mm, addr, pfn, write && (vma->vm_flags & VM_WRITE), false);
	mapped = true;
out_nomap:
	kfp_write_unlock(&mm->page_table_lock);
	/* folio_free_swap(): the entry is gone, so is the swap cache's reference */
	put_page(mm, pfn, mapped ? KFP_OWNER_SWAP_CACHE : KFP_OWNER_FAULT);
	kfp_write_unlock(&mm->folio_lock);
	return 0;
}

/* mm/memory.c do_swap_page() */
static vm_fault_t do_swap_page(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, unsigned int flags,
			       const struct kfp_pte *orig)
{
	enum io_wait wait = IO_UNDER_LOCK;
	kfp_pfn_t pfn = KFP_PFN_NONE;

	for (;;) {
		switch (swap_cache_get_folio(mm, addr, orig, &pfn)) {
		case SWAP_HIT:
			return map_swap_folio(mm, vma, addr, flags & FAULT_FLAG_WRITE, orig, pfn);
		case SWAP_GONE:
			return wait == IO_AFTER_DROP ? VM_FAULT_RETRY : 0;
		case SWAP_STUCK:
			return wait == IO_AFTER_DROP ? VM_FAULT_RETRY : VM_FAULT_OOM;
		case SWAP_MISS:
			break;
		}
		if (wait == IO_AFTER_DROP)
			return VM_FAULT_RETRY;
		wait = fault_wait_for_io(mm, flags);
		if (wait == IO_NOT_DONE)
			return VM_FAULT_RETRY;
		if (!swap_in(mm, addr, orig))
			return wait == IO_AFTER_DROP ? VM_FAULT_RETRY : VM_FAULT_OOM;
		/* the mmap lock is gone: the folio stays in the swap cache for the retry */
		if (wait == IO_AFTER_DROP)
			return VM_FAULT_RETRY;
	}
}

/* mm/migrate.c migration_entry_wait(): sleep until the folio is unlocked. */
static vm_fault_t migration_entry_wait(struct kfp_mm *mm)
{
	kfp_write_lock(&mm->folio_lock);
	kfp_write_unlock(&mm->folio_lock);
	return 0;
}

/*
 * mm/memory.c wp_page_copy(): replace the pte with a private copy, inside
 * an MMU_NOTIFY_CLEAR invalidation.  do_wp_page() took a reference on the
 * old folio for the copy (folio_get() before dropping the PTL).  Once the
 * PTL is held again the pte must still be orig_pte (pte_same()); if another
 * fault changed it first (two CoW faults racing), the copy is dropped and
 * the caller's retry finds the new pte.
 */
static vm_fault_t wp_page_copy(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, bool unshare,
			       const struct kfp_pte *orig)
{
	struct mmu_notifier_range range = { addr, addr + PAGE_SIZE, MMU_NOTIFY_CLEAR, 1 };
	kfp_pfn_t old = orig->pfn, new_pfn;
	bool old_refcounted = !orig->special;
	bool copied = false;

	new_pfn = alloc_anon_page(mm, is_zero_pfn(mm, old) ? 0 : kfp_pfn_read(mm, old));
	if (new_pfn == KFP_PFN_NONE) {
		if (old_refcounted)
			put_page(mm, old, KFP_OWNER_FAULT);
		return VM_FAULT_OOM;
	}
	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	if (pte_unchanged(mm, addr, orig)) {
		kfp_transfer_reference(mm, new_pfn, KFP_OWNER_FAULT, KFP_OWNER_PAGE_TABLE);
		set_pte_present(mm, addr, new_pfn, !unshare && (vma->vm_flags & VM_WRITE), false);
		copied = true;
	}
	kfp_write_unlock(&mm->page_table_lock);
	/* "new_folio = old_folio": the copy lost, or the old pte's reference goes */
	if (!copied)
		put_page(mm, new_pfn, KFP_OWNER_FAULT);
	else if (old_refcounted)
		put_page(mm, old, KFP_OWNER_PAGE_TABLE);
	mmu_notifier_invalidate_range_end(mm, &range);
	if (old_refcounted)
		put_page(mm, old, KFP_OWNER_FAULT);
	return 0;
}

/*
 * mm/memory.c do_wp_page(): a write (or, for FOLL_PIN, an unshare) to a
 * read-only pte, decided under the PTL on a pte that is still orig_pte
 * (handle_pte_fault()'s pte_same() check).  Shared mappings are made
 * writable in place; an anon page this mm owns exclusively is reused
 * (wp_can_reuse_anon_folio()); anything else is copied.
 */
static vm_fault_t do_wp_page(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, unsigned int flags,
			     const struct kfp_pte *orig)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	bool unshare = flags & FAULT_FLAG_UNSHARE;
	kfp_pfn_t pfn = orig->pfn;
	struct kfp_page *page = &mm->page[pfn];

	/*
	 * A special pte in a private mapping: only the zero page is copied,
	 * and wp_page_copy() makes the pte_same() check itself.
	 */
	if (orig->special && !(vma->vm_flags & VM_SHARED))
		return is_zero_pfn(mm, pfn) ? wp_page_copy(mm, vma, addr, unshare, orig) :
					      VM_FAULT_SIGBUS;
	kfp_write_lock(&mm->page_table_lock);
	if (!pte_unchanged(mm, addr, orig))
		goto out_unlock;
	if (vma->vm_flags & VM_SHARED) {
		if (unshare)
			goto out_unlock;
		kfp_shared_write(kfp_pte_object(addr), "wp_page_shared");
		pte->writable = 1;
		pte->dirty = 1;
		kfp_write_unlock(&mm->page_table_lock);
		SetPageDirty(mm, pfn);
		return 0;
	}
	if ((page->flags & PG_anon) &&
	    ((page->flags & PG_anon_exclusive) || page_count(mm, pfn) == 1)) {
		kfp_shared_write(kfp_pte_object(addr), "wp_page_reuse");
		page->flags |= PG_anon_exclusive;
		if (!unshare) {
			pte->writable = 1;
			pte->dirty = 1;
		}
		goto out_unlock;
	}
	get_page(mm, pfn, KFP_OWNER_FAULT);
	kfp_write_unlock(&mm->page_table_lock);
	return wp_page_copy(mm, vma, addr, unshare, orig);
out_unlock:
	kfp_write_unlock(&mm->page_table_lock);
	return 0;
}

/*
 * mm/memory.c handle_mm_fault() -> __handle_mm_fault() -> handle_pte_fault().
 * The mmap lock is held for read on entry; on VM_FAULT_RETRY it may have
 * been dropped (never with FAULT_FLAG_RETRY_NOWAIT).
 */
vm_fault_t handle_mm_fault(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, unsigned int flags)
{
	bool write = flags & FAULT_FLAG_WRITE;
	struct kfp_pte *pte, orig;

	kfp_lockdep_assert_held(&mm->mmap_lock);
	addr &= PAGE_MASK;
	mm->stats.nr_faults++;
	/* arch/x86/mm/fault.c access_error() */
	if (!vma_is_valid(vma, write))
		return VM_FAULT_SIGSEGV;
	pte = kfp_pte_of(mm, addr);
	kfp_shared_read(kfp_pte_object(addr), "handle_mm_fault");
	orig = *pte; /* vmf->orig_pte */
	switch (orig.kind) {
	case KFP_PTE_NONE:
		return do_pte_missing(mm, vma, addr, flags, &orig);
	case KFP_PTE_SWAP:
		return do_swap_page(mm, vma, addr, flags, &orig);
	case KFP_PTE_MIGRATION:
		return migration_entry_wait(mm);
	case KFP_PTE_HWPOISON:
		return VM_FAULT_HWPOISON;
	default:
		break;
	}
	if ((write && !orig.writable) || (flags & FAULT_FLAG_UNSHARE))
		return do_wp_page(mm, vma, addr, flags, &orig);
	pte->accessed = 1;
	if (write)
		pte->dirty = 1;
	return 0;
}

/* mm/gup.c vm_fault_to_errno() */
int vm_fault_to_errno(vm_fault_t fault, unsigned int gup_flags)
{
	if (fault & VM_FAULT_OOM)
		return -ENOMEM;
	if (fault & VM_FAULT_HWPOISON)
		return (gup_flags & FOLL_HWPOISON) ? -EHWPOISON : -EFAULT;
	if (fault & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV))
		return -EFAULT;
	return 0;
}

/* ---- a host thread's access (arch/x86/mm/fault.c) ---- */

static int fault_errno(vm_fault_t fault)
{
	if (fault & VM_FAULT_HWPOISON)
		return -EHWPOISON;
	return vm_fault_to_errno(fault, 0);
}

bool kfp_test_host_access_stale_page;

/*
 * The pte, and the page it maps if a CPU could use it, as one point.
 * The page is the one the pte maps when the point is announced; returns
 * it (KFP_PFN_NONE: none named), so that the step can tell whether the
 * pte still maps it when the step runs.
 */
static kfp_pfn_t host_access_point(struct kfp_mm *mm, u64 addr, bool write)
{
	const struct kfp_pte *pte = kfp_pte_of(mm, addr);
	kfp_pfn_t pfn = pte->pfn;

	if (pte->kind != KFP_PTE_PRESENT || pfn >= KFP_NR_PFNS) {
		kfp_shared_read(kfp_pte_object(addr), "host access");
		return KFP_PFN_NONE;
	}
	kfp_shared_access2(kfp_pte_object(addr), KFP_ACCESS_READ,
			   KFP_OBJECT(KFP_OBJECT_CLASS_PAGE, pfn),
			   write ? KFP_ACCESS_WRITE : KFP_ACCESS_READ, "host access");
	return pfn;
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
		kfp_pfn_t named;
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
		named = host_access_point(mm, addr, write);
		if (pte->kind == KFP_PTE_PRESENT && !pte->protnone && (!write || pte->writable)) {
			/*
			 * The pte changed between the announcement and the step
			 * (a pte write is ordered before it, and may map another
			 * page): the page the step would touch is not the one its
			 * footprint names, so it names it again.
			 */
			if (pte->pfn != named && !kfp_test_host_access_stale_page)
				continue;
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
