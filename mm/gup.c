// SPDX-License-Identifier: GPL-2.0
/*
 * get_user_pages (mm/gup.c, read at ~v6.12; see docs/research-mm-upstream.md).
 *
 * GUP-fast walks the page table without the mmap lock and never faults: it
 * gives up on anything but a present, non-special pte (so on the zero page
 * and on every PFNMAP pte), grabs the folio, and re-reads the pte to catch
 * a concurrent unmap.  The slow path takes the mmap lock, refuses
 * VM_IO|VM_PFNMAP, and faults pages in, possibly dropping the lock.
 */
#include "internal.h"

/* mm/gup.c check_vma_flags() */
int check_vma_flags(const struct kfp_vma *vma, unsigned long gup_flags)
{
	bool write = gup_flags & FOLL_WRITE;

	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return -EFAULT;
	if ((gup_flags & FOLL_ANON) && vma->backing != KFP_BACKING_ANON)
		return -EFAULT;
	if (write && !(vma->vm_flags & VM_WRITE))
		return -EFAULT;
	if (!write && !(vma->vm_flags & VM_READ))
		return -EFAULT;
	return 0;
}

/* mm/internal.h gup_must_unshare(): a read-only pin of a shared anon page. */
static bool gup_must_unshare(const struct kfp_mm *mm, unsigned int flags, kfp_pfn_t pfn)
{
	const struct kfp_page *page = &mm->page[pfn];

	if ((flags & (FOLL_WRITE | FOLL_PIN)) != FOLL_PIN)
		return false;
	return (page->flags & PG_anon) && !(page->flags & PG_anon_exclusive);
}

/*
 * mm/gup.c follow_page_pte(): 0 and *@pfn grabbed; -ENOENT when a fault is
 * needed; -EMLINK for an unshare fault; -EEXIST for a pte without a
 * refcounted page; -ENOMEM when the grab fails.
 */
static int follow_page_pte(struct kfp_mm *mm, u64 addr, unsigned int flags, kfp_pfn_t *pfn,
			   kfp_owner_t owner)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	int ret = 0;

	kfp_write_lock(&mm->page_table_lock);
	kfp_shared_read(kfp_pte_object(addr), "follow_page_pte");
	if (pte->kind != KFP_PTE_PRESENT || pte->protnone) {
		ret = -ENOENT;
		goto out_unlock;
	}
	if ((flags & FOLL_WRITE) && !pte->writable) {
		ret = -ENOENT;
		goto out_unlock;
	}
	/* vm_normal_page() is NULL for special ptes; only the zero page is grabbed */
	if (pte->special && !is_zero_pfn(mm, pte->pfn)) {
		ret = -EEXIST;
		goto out_unlock;
	}
	if (gup_must_unshare(mm, flags, pte->pfn)) {
		ret = -EMLINK;
		goto out_unlock;
	}
	ret = try_grab_folio(mm, pte->pfn, flags, owner);
	if (ret)
		goto out_unlock;
	*pfn = pte->pfn;
	if (flags & FOLL_WRITE)
		SetPageDirty(mm, *pfn);
	mark_page_accessed(mm, *pfn);
out_unlock:
	kfp_write_unlock(&mm->page_table_lock);
	return ret;
}

/* mm/gup.c gup_signal_pending() */
static bool gup_signal_pending(const struct kfp_mm *mm, unsigned int flags)
{
	if (fatal_signal_pending(mm))
		return true;
	return (flags & FOLL_INTERRUPTIBLE) && signal_pending(mm);
}

/* mm/gup.c faultin_page(): the fault flags GUP passes down. */
static unsigned int gup_fault_flags(unsigned int flags, bool tried, bool unshare)
{
	unsigned int fault_flags = FAULT_FLAG_REMOTE;

	if (flags & FOLL_WRITE)
		fault_flags |= FAULT_FLAG_WRITE;
	if (flags & FOLL_UNLOCKABLE) {
		fault_flags |= FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE;
		if (flags & FOLL_INTERRUPTIBLE)
			fault_flags |= FAULT_FLAG_INTERRUPTIBLE;
	}
	if (flags & FOLL_NOWAIT)
		fault_flags |= FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_RETRY_NOWAIT;
	if (tried)
		fault_flags |= FAULT_FLAG_TRIED;
	if (unshare)
		fault_flags |= FAULT_FLAG_UNSHARE;
	return fault_flags;
}

/*
 * One page of mm/gup.c __get_user_pages_locked(): follow, fault, retry.
 * Returns 1 with the page grabbed, 0 when FOLL_NOWAIT would have to wait,
 * or -errno.  *@locked tracks the mmap lock.
 */
static long get_one_page(struct kfp_mm *mm, u64 addr, unsigned int flags, kfp_pfn_t *pfn,
			 kfp_owner_t owner, bool *locked)
{
	bool tried = false;

	for (;;) {
		struct kfp_vma *vma;
		vm_fault_t fault;
		int ret;

		if (fatal_signal_pending(mm))
			return -EINTR;
		vma = vma_lookup(mm, addr);
		if (!vma)
			return -EFAULT;
		ret = check_vma_flags(vma, flags);
		if (ret)
			return ret;
		ret = follow_page_pte(mm, addr, flags, pfn, owner);
		if (ret == 0)
			return 1;
		if (ret != -ENOENT && ret != -EMLINK)
			return ret;
		fault = handle_mm_fault(mm, vma, addr,
					gup_fault_flags(flags, tried, ret == -EMLINK));
		if (fault & VM_FAULT_ERROR)
			return vm_fault_to_errno(fault, flags);
		if (!(fault & VM_FAULT_RETRY))
			continue;
		if (flags & FOLL_NOWAIT)
			return 0;
		/* the fault dropped the mmap lock */
		*locked = false;
		if (gup_signal_pending(mm, flags))
			return -EINTR;
		mmap_read_lock(mm);
		*locked = true;
		tried = true;
	}
}

static long __get_user_pages_locked(struct kfp_mm *mm, u64 start, unsigned long nr_pages,
				    kfp_pfn_t *pfns, unsigned int flags, kfp_owner_t owner)
{
	bool locked = true;
	unsigned long done;
	long ret = 0;

	mmap_read_lock(mm);
	for (done = 0; done < nr_pages; done++) {
		ret = get_one_page(mm, start + (done << PAGE_SHIFT), flags, &pfns[done], owner,
				   &locked);
		if (ret <= 0)
			break;
	}
	if (locked)
		mmap_read_unlock(mm);
	if (done)
		return (long)done;
	return ret;
}

/*
 * No test of mm->dead here: mm/gup.c is_valid_gup_args() has none, and it
 * would be a read with no seam point, made before GUP-fast's pte read or
 * the mmap lock, so the explorer would take the step that makes it as
 * independent of exit_mmap()'s.  A torn-down mm fails GUP on its own:
 * GUP-fast finds the pte zapped, the slow path no VMA (-EFAULT), both
 * seen through declared accesses (mm/mmap.c exit_mmap() zaps every pte and
 * empties the VMA tree under the mmap lock).
 */
static bool gup_args_valid(struct kfp_mm *mm, u64 start, unsigned long nr_pages, unsigned int flags)
{
	(void)mm;
	if (!PAGE_ALIGNED(start) || !nr_pages)
		return false;
	/* mm/gup.c is_valid_gup_args(): FOLL_GET and FOLL_PIN are exclusive */
	if ((flags & (FOLL_GET | FOLL_PIN)) == (FOLL_GET | FOLL_PIN))
		return false;
	return kfp_hva_in_range(start) && kfp_hva_in_range(start + (nr_pages << PAGE_SHIFT) - 1);
}

/* mm/gup.c get_user_pages_unlocked(): FOLL_GET, may fault, may drop the lock. */
long get_user_pages_unlocked(struct kfp_mm *mm, u64 start, unsigned long nr_pages, kfp_pfn_t *pfns,
			     unsigned int gup_flags, kfp_owner_t owner)
{
	if (gup_flags & FOLL_PIN)
		return -EINVAL;
	if (!gup_args_valid(mm, start, nr_pages, gup_flags))
		return -EINVAL;
	return __get_user_pages_locked(mm, start, nr_pages, pfns,
				       gup_flags | FOLL_GET | FOLL_UNLOCKABLE, owner);
}

/* mm/gup.c pin_user_pages_unlocked(): the same with FOLL_PIN. */
long pin_user_pages_unlocked(struct kfp_mm *mm, u64 start, unsigned long nr_pages, kfp_pfn_t *pfns,
			     unsigned int gup_flags, kfp_owner_t owner)
{
	if (gup_flags & FOLL_GET)
		return -EINVAL;
	if (!gup_args_valid(mm, start, nr_pages, gup_flags))
		return -EINVAL;
	return __get_user_pages_locked(mm, start, nr_pages, pfns,
				       gup_flags | FOLL_PIN | FOLL_UNLOCKABLE, owner);
}

/* mm/gup.c gup_put_folio() */
static void gup_put_folio(struct kfp_mm *mm, kfp_pfn_t pfn, unsigned int flags, kfp_owner_t owner)
{
	if (flags & FOLL_PIN)
		unpin_user_page(mm, pfn, owner);
	else
		put_page(mm, pfn, owner);
}

/* include/linux/pgtable.h pte_same(): every bit of the entry, not just the pfn. */
bool pte_same(const struct kfp_pte *a, const struct kfp_pte *b)
{
	return a->kind == b->kind && a->pfn == b->pfn && a->writable == b->writable &&
	       a->special == b->special && a->protnone == b->protnone && a->dirty == b->dirty &&
	       a->accessed == b->accessed;
}

/*
 * mm/gup.c gup_fast_pte_range(): lockless.  Fails on anything it cannot
 * take without faulting, and backs out if the pte changed while the folio
 * was being grabbed.
 */
static bool gup_fast_one(struct kfp_mm *mm, u64 addr, unsigned int flags, kfp_pfn_t *pfn,
			 kfp_owner_t owner)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);
	struct kfp_pte seen;

	kfp_shared_read(kfp_pte_object(addr), "gup_fast pte");
	seen = *pte;
	if (seen.kind != KFP_PTE_PRESENT || seen.protnone || seen.special)
		return false;
	if ((flags & FOLL_WRITE) && !seen.writable)
		return false;
	if (gup_must_unshare(mm, flags, seen.pfn))
		return false;
	if (try_grab_folio(mm, seen.pfn, flags, owner))
		return false;
	kfp_shared_read(kfp_pte_object(addr), "gup_fast pte recheck");
	/* mm/gup.c:gup_fast_pte_range(): the whole pte value must be unchanged */
	if (!pte_same(pte, &seen)) {
		gup_put_folio(mm, seen.pfn, flags, owner);
		return false;
	}
	*pfn = seen.pfn;
	return true;
}

static int gup_fast(struct kfp_mm *mm, u64 start, int nr_pages, unsigned int flags, kfp_pfn_t *pfns,
		    kfp_owner_t owner)
{
	int i;

	if (!gup_args_valid(mm, start, (unsigned long)nr_pages, flags) || nr_pages < 0)
		return 0;
	for (i = 0; i < nr_pages; i++)
		if (!gup_fast_one(mm, start + ((u64)i << PAGE_SHIFT), flags, &pfns[i], owner))
			break;
	return i;
}

/*
 * mm/gup.c gup_fast() with FOLL_PIN: a pin may not race fork()'s
 * write-protection of the page (mm/memory.c copy_page_range() brackets it
 * with raw_write_seqcount_begin/end(&src_mm->write_protect_seq)).  GUP-fast
 * gives up when the sequence is odd, and unpins everything when it moved,
 * leaving the pin to the slow path, which waits for the mmap lock.
 */
static int gup_fast_pin(struct kfp_mm *mm, u64 start, int nr_pages, unsigned int flags,
			kfp_pfn_t *pfns, kfp_owner_t owner)
{
	u32 seq;
	int i, nr;

	kfp_shared_read(write_protect_seq_object(), "raw_seqcount_try_begin");
	seq = mm->write_protect_seq;
	if (seq & 1)
		return 0;
	nr = gup_fast(mm, start, nr_pages, flags, pfns, owner);
	kfp_shared_read(write_protect_seq_object(), "read_seqcount_retry");
	if (mm->write_protect_seq == seq)
		return nr;
	for (i = 0; i < nr; i++)
		gup_put_folio(mm, pfns[i], flags, owner);
	return 0;
}

/* mm/gup.c get_user_pages_fast_only() (used by kvm_prefetch_pages()) */
int get_user_pages_fast_only(struct kfp_mm *mm, u64 start, int nr_pages, unsigned int gup_flags,
			     kfp_pfn_t *pfns, kfp_owner_t owner)
{
	/* mm/gup.c is_valid_gup_args(): FOLL_PIN is internal, a caller passing it gets -EINVAL */
	if (gup_flags & FOLL_PIN)
		return -EINVAL;
	return gup_fast(mm, start, nr_pages, gup_flags | FOLL_GET, pfns, owner);
}

/* include/linux/mm.h get_user_page_fast_only(): one page, FOLL_GET, never faults. */
bool get_user_page_fast_only(struct kfp_mm *mm, u64 addr, unsigned int gup_flags, kfp_pfn_t *pfn,
			     kfp_owner_t owner)
{
	return get_user_pages_fast_only(mm, addr, 1, gup_flags, pfn, owner) == 1;
}

/* mm/gup.c pin_user_pages_fast(): fast, then the slow path for the rest. */
int pin_user_pages_fast(struct kfp_mm *mm, u64 start, int nr_pages, unsigned int gup_flags,
			kfp_pfn_t *pfns, kfp_owner_t owner)
{
	int done;
	long ret;

	if (gup_flags & FOLL_GET)
		return -EINVAL;
	if (nr_pages <= 0 || !gup_args_valid(mm, start, (unsigned long)nr_pages, gup_flags))
		return -EINVAL;
	done = gup_fast_pin(mm, start, nr_pages, gup_flags | FOLL_PIN, pfns, owner);
	if (done == nr_pages)
		return done;
	ret = __get_user_pages_locked(mm, start + ((u64)done << PAGE_SHIFT),
				      (unsigned long)(nr_pages - done), pfns + done,
				      gup_flags | FOLL_PIN | FOLL_UNLOCKABLE, owner);
	if (ret < 0)
		return done ? done : (int)ret;
	return done + (int)ret;
}
