// SPDX-License-Identifier: GPL-2.0
/*
 * Page faults (mm/memory.c handle_mm_fault() and what it calls).
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

/* mm/filemap.c filemap_read_folio(): bring a file page into the page cache. */
static kfp_pfn_t read_in_page(struct kfp_mm *mm, struct kfp_memory_object *object, int id,
			      unsigned int index)
{
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_PAGE_CACHE);

	if (pfn == KFP_PFN_NONE)
		return pfn;
	mm->page[pfn].flags |= PG_pagecache;
	mm->page[pfn].object = (s16)id;
	mm->page[pfn].index = (s16)index;
	mm->page[pfn].content = object->stored[index];
	kfp_shared_write(KFP_OBJECT(KFP_OBJECT_CLASS_MEMORY_OBJECT, id), "page cache insert");
	object->pfn[index] = (u16)pfn;
	return pfn;
}

/*
 * The page-cache page at @index (mm/filemap.c filemap_fault(),
 * mm/shmem.c shmem_get_folio()).  *@pfn is KFP_PFN_NONE when the fault
 * must return @return value instead.
 */
static vm_fault_t find_cache_page(struct kfp_mm *mm, struct kfp_vma *vma, unsigned int index,
				  unsigned int flags, kfp_pfn_t *pfn)
{
	struct kfp_memory_object *object = vma_memory_object(mm, vma);
	enum io_wait wait;

	*pfn = KFP_PFN_NONE;
	if (index >= object->nr_pages)
		return VM_FAULT_SIGBUS;
	kfp_shared_read(KFP_OBJECT(KFP_OBJECT_CLASS_MEMORY_OBJECT, vma->object),
			"page cache lookup");
	if (object->pfn[index] != KFP_NO_PFN16) {
		*pfn = object->pfn[index];
		return PageHWPoison(mm, *pfn) ? VM_FAULT_HWPOISON : 0;
	}
	if (object->kind != KFP_OBJECT_FILE) {
		/* shmem: a new zeroed page, no I/O */
		*pfn = read_in_page(mm, object, vma->object, index);
		return *pfn == KFP_PFN_NONE ? VM_FAULT_OOM : 0;
	}
	wait = fault_wait_for_io(mm, flags);
	if (wait == IO_NOT_DONE)
		return VM_FAULT_RETRY;
	if (object->pfn[index] == KFP_NO_PFN16 &&
	    read_in_page(mm, object, vma->object, index) == KFP_PFN_NONE)
		return wait == IO_AFTER_DROP ? VM_FAULT_RETRY : VM_FAULT_OOM;
	if (wait == IO_AFTER_DROP)
		return VM_FAULT_RETRY;
	*pfn = object->pfn[index];
	return 0;
}

/* Map a refcounted page: the pte takes a reference (mm/memory.c set_pte_range()). */
static void map_page(struct kfp_mm *mm, u64 addr, kfp_pfn_t pfn, bool writable)
{
	kfp_write_lock(&mm->page_table_lock);
	get_page(mm, pfn, KFP_OWNER_PAGE_TABLE);
	set_pte_present(mm, addr, pfn, writable, false);
	kfp_write_unlock(&mm->page_table_lock);
	if (writable)
		SetPageDirty(mm, pfn);
}

static kfp_pfn_t alloc_anon_page(struct kfp_mm *mm, u64 content)
{
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_PAGE_TABLE);

	if (pfn == KFP_PFN_NONE)
		return pfn;
	mm->page[pfn].flags |= PG_anon | PG_anon_exclusive;
	mm->page[pfn].content = content;
	return pfn;
}

/* mm/huge_memory.c do_huge_pmd_anonymous_page(): one folio for the aligned range. */
static bool do_huge_anonymous_page(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr)
{
	u64 size = (u64)KFP_HUGE_NR << PAGE_SHIFT, base = addr & ~(size - 1), a;
	kfp_pfn_t head;
	unsigned int i;

	if (base < vma->vm_start || base + size > vma->vm_end)
		return false;
	for (a = base; a < base + size; a += PAGE_SIZE)
		if (kfp_pte_of(mm, a)->kind != KFP_PTE_NONE)
			return false;
	head = kfp_alloc_pages(mm, KFP_HUGE_ORDER, true, KFP_OWNER_PAGE_TABLE);
	if (head == KFP_PFN_NONE)
		return false;
	kfp_write_lock(&mm->page_table_lock);
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
 * special, read-only pte (no reference); a write allocates.
 */
static vm_fault_t do_anonymous_page(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr,
				    unsigned int flags)
{
	kfp_pfn_t pfn;

	if (!(flags & FAULT_FLAG_WRITE)) {
		kfp_write_lock(&mm->page_table_lock);
		set_pte_present(mm, addr, mm->zero_pfn, false, true);
		kfp_write_unlock(&mm->page_table_lock);
		return 0;
	}
	if ((vma->vm_flags & VM_HUGEPAGE) && do_huge_anonymous_page(mm, vma, addr))
		return 0;
	pfn = alloc_anon_page(mm, 0);
	if (pfn == KFP_PFN_NONE)
		return VM_FAULT_OOM;
	kfp_write_lock(&mm->page_table_lock);
	set_pte_present(mm, addr, pfn, true, false);
	kfp_write_unlock(&mm->page_table_lock);
	return 0;
}

/* mm/memory.c do_read_fault(), do_cow_fault(), do_shared_fault() */
static vm_fault_t do_fault(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, unsigned int flags)
{
	bool write = flags & FAULT_FLAG_WRITE;
	kfp_pfn_t pfn, copy;
	vm_fault_t ret;

	ret = find_cache_page(mm, vma, vma_object_index(vma, addr), flags, &pfn);
	if (ret)
		return ret;
	if (write && !(vma->vm_flags & VM_SHARED)) {
		copy = alloc_anon_page(mm, mm->page[pfn].content);
		if (copy == KFP_PFN_NONE)
			return VM_FAULT_OOM;
		kfp_write_lock(&mm->page_table_lock);
		set_pte_present(mm, addr, copy, true, false);
		kfp_write_unlock(&mm->page_table_lock);
		return 0;
	}
	map_page(mm, addr, pfn, write);
	return 0;
}

/*
 * A driver's fault handler: vmf_insert_pfn() into a VM_PFNMAP vma (special
 * pte, no reference), vm_insert_page() of a refcounted page into a
 * VM_MIXEDMAP vma, vmf_insert_mixed() (special) for anything else
 * (mm/memory.c).  A driver that must wait (e.g. TTM's ttm_bo_vm_reserve())
 * drops the mmap lock and asks for a retry.
 */
static vm_fault_t driver_fault(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, unsigned int flags)
{
	struct kfp_memory_object *object = vma_memory_object(mm, vma);
	unsigned int index = vma_object_index(vma, addr);
	bool writable = vma->vm_flags & VM_WRITE;
	kfp_pfn_t pfn;

	kfp_shared_read(KFP_OBJECT(KFP_OBJECT_CLASS_MEMORY_OBJECT, vma->object), "driver fault");
	if (object->released || index >= object->nr_pages)
		return VM_FAULT_SIGBUS;
	if (object->fault_retries && (flags & FAULT_FLAG_ALLOW_RETRY) &&
	    !(flags & FAULT_FLAG_TRIED)) {
		object->fault_retries--;
		if (!(flags & FAULT_FLAG_RETRY_NOWAIT))
			mmap_read_unlock(mm);
		return VM_FAULT_RETRY;
	}
	pfn = object->pfn[index];
	if (vma->backing == KFP_BACKING_MIXEDMAP && memory_object_refcounted(object)) {
		map_page(mm, addr, pfn, writable);
		return 0;
	}
	kfp_write_lock(&mm->page_table_lock);
	set_pte_present(mm, addr, pfn, writable, true);
	kfp_write_unlock(&mm->page_table_lock);
	return 0;
}

static vm_fault_t do_pte_missing(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr,
				 unsigned int flags)
{
	switch (vma->backing) {
	case KFP_BACKING_ANON:
		return do_anonymous_page(mm, vma, addr, flags);
	case KFP_BACKING_SHARED:
	case KFP_BACKING_FILE:
	case KFP_BACKING_HUGETLB:
		return do_fault(mm, vma, addr, flags);
	case KFP_BACKING_PFNMAP:
	case KFP_BACKING_MIXEDMAP:
		return driver_fault(mm, vma, addr, flags);
	default:
		return VM_FAULT_SIGBUS;
	}
}

/* mm/swap_state.c swapin: read the content into a new swap-cache page. */
static bool swap_in(struct kfp_mm *mm, struct kfp_pte *pte)
{
	kfp_pfn_t pfn = kfp_alloc_pages(mm, 0, false, KFP_OWNER_SWAP_CACHE);

	if (pfn == KFP_PFN_NONE)
		return false;
	mm->page[pfn].flags |= PG_anon | PG_swapcache;
	mm->page[pfn].content = pte->swap_content;
	pte->pfn = (u32)pfn;
	return true;
}

/* mm/memory.c do_swap_page() */
static vm_fault_t do_swap_page(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, unsigned int flags)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	bool write = flags & FAULT_FLAG_WRITE;
	enum io_wait wait = IO_UNDER_LOCK;
	kfp_pfn_t pfn;

	if (pte->pfn == KFP_NO_PFN32) {
		wait = fault_wait_for_io(mm, flags);
		if (wait == IO_NOT_DONE)
			return VM_FAULT_RETRY;
		if (pte->kind == KFP_PTE_SWAP && pte->pfn == KFP_NO_PFN32 && !swap_in(mm, pte))
			return wait == IO_AFTER_DROP ? VM_FAULT_RETRY : VM_FAULT_OOM;
		if (wait == IO_AFTER_DROP)
			return VM_FAULT_RETRY;
	}
	pfn = pte->pfn;
	kfp_write_lock(&mm->page_table_lock);
	/* the swap cache's reference becomes the mapping's */
	kfp_transfer_reference(mm, pfn, KFP_OWNER_SWAP_CACHE, KFP_OWNER_PAGE_TABLE);
	mm->page[pfn].flags &= ~PG_swapcache;
	mm->page[pfn].flags |= PG_anon_exclusive;
	set_pte_present(mm, addr, pfn, write && (vma->vm_flags & VM_WRITE), false);
	kfp_write_unlock(&mm->page_table_lock);
	return 0;
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
 * an MMU_NOTIFY_CLEAR invalidation; the old page is put after it ends.
 */
static vm_fault_t wp_page_copy(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, bool unshare)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	struct mmu_notifier_range range = { addr, addr + PAGE_SIZE, MMU_NOTIFY_CLEAR, 1 };
	kfp_pfn_t old = pte->pfn, new_pfn;
	bool old_refcounted = !pte->special;

	new_pfn = alloc_anon_page(mm, is_zero_pfn(mm, old) ? 0 : mm->page[old].content);
	if (new_pfn == KFP_PFN_NONE)
		return VM_FAULT_OOM;
	mmu_notifier_invalidate_range_start(mm, &range);
	kfp_write_lock(&mm->page_table_lock);
	set_pte_present(mm, addr, new_pfn, !unshare && (vma->vm_flags & VM_WRITE), false);
	kfp_write_unlock(&mm->page_table_lock);
	mmu_notifier_invalidate_range_end(mm, &range);
	if (old_refcounted)
		put_page(mm, old, KFP_OWNER_PAGE_TABLE);
	return 0;
}

/*
 * mm/memory.c do_wp_page(): a write (or, for FOLL_PIN, an unshare) to a
 * read-only pte.  Shared mappings are made writable in place; an anon page
 * this mm owns exclusively is reused (wp_can_reuse_anon_folio()); anything
 * else is copied.
 */
vm_fault_t do_wp_page(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, unsigned int flags)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	bool unshare = flags & FAULT_FLAG_UNSHARE;
	kfp_pfn_t pfn = pte->pfn;
	struct kfp_page *page;

	if (vma->vm_flags & VM_SHARED) {
		if (unshare)
			return 0;
		kfp_write_lock(&mm->page_table_lock);
		kfp_shared_write(kfp_pte_object(addr), "wp_page_shared");
		pte->writable = 1;
		pte->dirty = 1;
		kfp_write_unlock(&mm->page_table_lock);
		SetPageDirty(mm, pfn);
		return 0;
	}
	if (pte->special)
		return is_zero_pfn(mm, pfn) ? wp_page_copy(mm, vma, addr, unshare) :
					      VM_FAULT_SIGBUS;
	page = &mm->page[pfn];
	if ((page->flags & PG_anon) &&
	    ((page->flags & PG_anon_exclusive) || page_count(mm, pfn) == 1)) {
		kfp_write_lock(&mm->page_table_lock);
		kfp_shared_write(kfp_pte_object(addr), "wp_page_reuse");
		page->flags |= PG_anon_exclusive;
		if (!unshare) {
			pte->writable = 1;
			pte->dirty = 1;
		}
		kfp_write_unlock(&mm->page_table_lock);
		return 0;
	}
	return wp_page_copy(mm, vma, addr, unshare);
}

/*
 * mm/memory.c handle_mm_fault() -> __handle_mm_fault() -> handle_pte_fault().
 * The mmap lock is held for read on entry; on VM_FAULT_RETRY it may have
 * been dropped (never with FAULT_FLAG_RETRY_NOWAIT).
 */
vm_fault_t handle_mm_fault(struct kfp_mm *mm, struct kfp_vma *vma, u64 addr, unsigned int flags)
{
	bool write = flags & FAULT_FLAG_WRITE;
	struct kfp_pte *pte;

	kfp_lockdep_assert_held(&mm->mmap_lock);
	addr &= PAGE_MASK;
	mm->nr_faults++;
	/* arch/x86/mm/fault.c access_error() */
	if (!vma_is_valid(vma, write))
		return VM_FAULT_SIGSEGV;
	pte = kfp_pte_of(mm, addr);
	kfp_shared_read(kfp_pte_object(addr), "handle_mm_fault");
	switch (pte->kind) {
	case KFP_PTE_NONE:
		return do_pte_missing(mm, vma, addr, flags);
	case KFP_PTE_SWAP:
		return do_swap_page(mm, vma, addr, flags);
	case KFP_PTE_MIGRATION:
		return migration_entry_wait(mm);
	case KFP_PTE_HWPOISON:
		return VM_FAULT_HWPOISON;
	default:
		break;
	}
	if ((write && !pte->writable) || (flags & FAULT_FLAG_UNSHARE))
		return do_wp_page(mm, vma, addr, flags);
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
