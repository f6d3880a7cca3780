// SPDX-License-Identifier: GPL-2.0
/*
 * kfp's shim for the 6.1-era lookup path, part 2: the customised
 * behaviour.  The tree's code (tree/shim/6.1/kernel.h renames its mm
 * calls onto these kts_* functions) runs on kfp's host-mm model: each
 * function here is the 6.1 kernel function of the same name (without the
 * prefix) rendered onto the model's, with the mm and the reference owner
 * of the thread that entered the tree's code.
 *
 * What a thread holds between two of these calls (the VMA it looked up,
 * the pte and page-table lock of follow_pte()) lives in
 * kvm->tree_frame[thread], inside the world, so that the stateful search,
 * which restores a state by copying it back, restores that too.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <kfp/report.h>
#include <kfp/seam.h>

#include "gpc.h"
#include "shim61.h"
#include "tsan.h"

/* The world the tree's code runs in: one per OS thread (kfp check --jobs). */
static __thread struct kvm *kts_kvm;

/* struct page * of the tree's code: kts_pages + pfn, never dereferenced */
char kts_pages[KFP_NR_PFNS + 1];

/* The kernel-shaped structures of tree/shim/6.1/kernel.h, as kfp sees them. */
struct kts_vma {
	void *vm_mm;
	unsigned long vm_start, vm_end, vm_flags;
	void *kfp_vma;
};

struct kts_pte {
	unsigned long pfn;
	unsigned long write;
};

_Static_assert(sizeof(struct kts_vma) <= sizeof(((struct kvm_tree_frame *)0)->vma), "vma");
_Static_assert(sizeof(struct kts_pte) <= sizeof(((struct kvm_tree_frame *)0)->pte), "pte");

static struct kvm_tree_frame *frame(void)
{
	int t = kfp_current_thread();

	return &kts_kvm->tree_frame[t < 0 ? 0 : t];
}

static struct kfp_mm *mm(void)
{
	return kts_kvm->mm;
}

static kfp_pfn_t pfn_of(const void *page)
{
	return (kfp_pfn_t)((const char *)page - kts_pages);
}

static void *page_of(kfp_pfn_t pfn)
{
	return kts_pages + pfn;
}

/*
 * A nested entry (the tree's code reaching KVM's again through the model)
 * runs with its own owner and remapped flag; the outer entry's come back
 * at its kts_leave().
 */
struct kts_saved kts_enter(struct kvm *kvm, kfp_owner_t owner)
{
	struct kvm_tree_frame *f;
	struct kts_saved saved;

	kts_kvm = kvm;
	f = frame();
	saved.owner = f->owner;
	saved.remapped = f->remapped;
	if (!f->depth++)
		f->task[0] = (u64)(uintptr_t)kvm->mm;
	f->owner = owner;
	f->remapped = 0;
	return saved;
}

void kts_leave(struct kts_saved saved)
{
	struct kvm_tree_frame *f = frame();

	if (--f->depth) {
		f->owner = saved.owner;
		f->remapped = saved.remapped;
		return;
	}
	memset(f, 0, sizeof(*f));
}

/* include/asm-generic/bug.h WARN_ON(): the kernel would taint and go on */
void kts_warn(const char *file, int line, const char *what)
{
	kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_WARN, KFP_PFN_NONE, frame()->owner, line,
		   what);
	(void)file;
}

/* The world and the reference owner of the thread in the tree's code (tree/shim613.c) */
struct kvm *kts_world(void)
{
	return kts_kvm;
}

kfp_owner_t kts_owner(void)
{
	return frame()->owner;
}

void *kts_current(void)
{
	return frame()->task;
}

/* mm/gup.c get_user_page_fast_only() (6.1: FOLL_GET implied) */
bool kts_get_user_page_fast_only(unsigned long addr, unsigned int gup_flags, void **pagep)
{
	kfp_pfn_t pfn;

	if (!get_user_page_fast_only(mm(), addr, gup_flags, &pfn, frame()->owner))
		return false;
	*pagep = page_of(pfn);
	return true;
}

/* mm/gup.c get_user_pages_unlocked(): one page in the lookup path */
long kts_get_user_pages_unlocked(unsigned long start, unsigned long nr_pages, void **pages,
				 unsigned int gup_flags)
{
	kfp_pfn_t pfn;
	long n;

	if (nr_pages != 1)
		return -EINVAL;
	n = get_user_pages_unlocked(mm(), start, 1, &pfn, gup_flags, frame()->owner);
	if (n == 1)
		pages[0] = page_of(pfn);
	return n;
}

/*
 * mm/gup.c get_user_pages() with no pages, as check_user_page_hwpoison()
 * calls it under mmap_lock: only "is it -EHWPOISON" matters to its caller.
 * Hand-modelled: the pte holds a hwpoison entry or maps a poisoned page.
 */
long kts_get_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags,
			void **pages, void **vmas)
{
	struct kfp_pte *pte;

	if (nr_pages != 1 || pages || vmas || !kfp_hva_in_range(start))
		return -EFAULT;
	kfp_lockdep_assert_held(&mm()->mmap_lock);
	kfp_shared_read(kfp_pte_object(start), "get_user_pages");
	pte = kfp_pte_of(mm(), start);
	if (!pte)
		return -EFAULT;
	if (pte->kind == KFP_PTE_HWPOISON ||
	    (pte->kind == KFP_PTE_PRESENT && PageHWPoison(mm(), pte->pfn)))
		return (gup_flags & FOLL_HWPOISON) ? -EHWPOISON : -EFAULT;
	return 1;
}

bool kts_get_page_unless_zero(void *page)
{
	return get_page_unless_zero(mm(), pfn_of(page), frame()->owner);
}

void kts_put_page(void *page)
{
	put_page(mm(), pfn_of(page), frame()->owner);
}

int kts_pfn_valid(unsigned long pfn)
{
	return pfn_valid(mm(), pfn);
}

int kts_PageReserved(const void *page)
{
	return PageReserved(mm(), pfn_of(page));
}

int kts_is_zero_pfn(unsigned long pfn)
{
	return is_zero_pfn(mm(), pfn);
}

bool kts_is_zone_device_page(const void *page)
{
	return is_zone_device_page(mm(), pfn_of(page));
}

int kts_page_count(const void *page)
{
	return page_count(mm(), pfn_of(page));
}

void kts_mark_page_accessed(void *page)
{
	mark_page_accessed(mm(), pfn_of(page));
}

void kts_SetPageDirty(void *page)
{
	SetPageDirty(mm(), pfn_of(page));
}

/*
 * mm/memory.c follow_pte() (6.1): the pte at @address with its page-table
 * lock held, onto the model's follow_pfnmap_start().  6.1's follow_pte()
 * does not look at the VMA's flags; the model's walk wants a VM_IO|VM_PFNMAP
 * VMA, which is the only kind hva_to_pfn_remapped() is called for.
 */
int kts_follow_pte(void *mm_struct, unsigned long address, void **ptepp, void **ptlp)
{
	struct kvm_tree_frame *f = frame();
	struct kts_pte *pte = (struct kts_pte *)f->pte;
	struct kfp_mm *m = mm_struct;
	int r;

	memset(&f->pte_args, 0, sizeof(f->pte_args));
	f->pte_args.vma = vma_lookup(m, address);
	f->pte_args.address = address;
	r = follow_pfnmap_start(m, &f->pte_args);
	if (r)
		return r;
	pte->pfn = f->pte_args.pfn;
	pte->write = f->pte_args.writable;
	f->remapped = 1;
	*ptepp = pte;
	*ptlp = &f->pte_args;
	return 0;
}

void kts_pte_unmap_unlock(void *ptep, void *ptl)
{
	struct kvm_tree_frame *f = frame();

	(void)ptep;
	follow_pfnmap_end(ptl);
	memset(f->pte, 0, sizeof(f->pte));
}

int kts_fixup_user_fault(void *mm_struct, unsigned long address, unsigned int fault_flags,
			 bool *unlocked)
{
	return fixup_user_fault(mm_struct, address, fault_flags, unlocked);
}

void kts_mmap_read_lock(void *mm_struct)
{
	mmap_read_lock(mm_struct);
}

void kts_mmap_read_unlock(void *mm_struct)
{
	mmap_read_unlock(mm_struct);
}

/* mm/mmap.c vma_lookup(): the model's VMA, in the kernel's shape */
void *kts_vma_lookup(void *mm_struct, unsigned long addr)
{
	struct kts_vma *v = (struct kts_vma *)frame()->vma;
	struct kfp_vma *vma = vma_lookup(mm_struct, addr);

	if (!vma)
		return NULL;
	v->vm_mm = mm_struct;
	v->vm_start = vma->vm_start;
	v->vm_end = vma->vm_end;
	v->vm_flags = vma->vm_flags;
	v->kfp_vma = vma;
	return v;
}

bool kts_remapped(void)
{
	return frame()->remapped;
}

/*
 * include/linux/kvm_host.h struct kvm, as tree/shim/LEVEL/kernel.h
 * declares it: the fields mmu_invalidate_retry_hva() (6.1) or
 * mmu_invalidate_retry_gfn() (6.12, 6.13+) reads.  One mirror
 * per OS thread; the vCPUs of a world are coroutines of that thread.
 */
struct kts_kvm {
	struct {
		int kts_unused;
	} mmu_lock;
	unsigned long mmu_invalidate_seq;
	long mmu_invalidate_in_progress;
	unsigned long mmu_invalidate_range_start;
	unsigned long mmu_invalidate_range_end;
	struct {
		int kts_unused;
	} gpc_lock;
	struct {
		void *next, *prev;
	} gpc_list;
	long mn_active_invalidate_count;
};

static __thread struct kts_kvm kts_kvm_mirror;

/* The gfn->pfn cache's fields of the mirror (tree/gpc.c) */
void *kts61_gpc_lock(void)
{
	return &kts_kvm_mirror.gpc_lock;
}

long *kts61_mn_active_invalidate_count(void)
{
	return &kts_kvm_mirror.mn_active_invalidate_count;
}

void kts_kvm_layout(u64 *v)
{
	v[0] = sizeof(struct kts_kvm);
	v[1] = offsetof(struct kts_kvm, mmu_invalidate_seq);
	v[2] = offsetof(struct kts_kvm, mmu_invalidate_in_progress);
	v[3] = offsetof(struct kts_kvm, mmu_invalidate_range_start);
	v[4] = offsetof(struct kts_kvm, mmu_invalidate_range_end);
}

/*
 * After the scheduling point of a load: the model's values.  The range is
 * the notifier's hvas in a design that retries by hva (6.1 .. 6.7), its
 * gfns otherwise (6.8+, mmu_invalidate_retry_gfn()).
 */
static void kvm_mirror_refresh(struct kts_tsan_range *range)
{
	struct kts_kvm *m = range->data;

	m->mmu_invalidate_seq = (unsigned long)kts_kvm->mmu_invalidate_seq;
	m->mmu_invalidate_in_progress = kts_kvm->mmu_invalidate_in_progress;
	if (kts_kvm->design->mmu_invalidate_by_hva) {
		m->mmu_invalidate_range_start = kts_kvm->mmu_invalidate_hva_start;
		m->mmu_invalidate_range_end = kts_kvm->mmu_invalidate_hva_end;
	} else {
		m->mmu_invalidate_range_start = kts_kvm->mmu_invalidate_range_start;
		m->mmu_invalidate_range_end = kts_kvm->mmu_invalidate_range_end;
	}
}

/*
 * The TSan field mapping: each of the four fields is a registered range of
 * the seam object the model's notifier writes (kvm/internal.h
 * seq_object()), so each plain load of them in the tree's code is a
 * shared read, a scheduling point, of that object.
 */
void *kts_kvm_of(void)
{
	struct kts_kvm *m = &kts_kvm_mirror;
	const struct {
		const void *field;
		size_t len;
		const char *what;
	} fields[] = {
		{ &m->mmu_invalidate_seq, sizeof(m->mmu_invalidate_seq), "mmu_invalidate_seq" },
		{ &m->mmu_invalidate_in_progress, sizeof(m->mmu_invalidate_in_progress),
		  "mmu_invalidate_in_progress" },
		{ &m->mmu_invalidate_range_start, sizeof(m->mmu_invalidate_range_start),
		  "mmu_invalidate_range_start" },
		{ &m->mmu_invalidate_range_end, sizeof(m->mmu_invalidate_range_end),
		  "mmu_invalidate_range_end" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct kts_tsan_range r = {
			.start = (uintptr_t)fields[i].field,
			.len = fields[i].len,
			.object = KFP_OBJECT(KFP_OBJECT_CLASS_KVM_SEQ, 0),
			.what = fields[i].what,
			.refresh = kvm_mirror_refresh,
			.data = m,
		};

		kts_tsan_register(&r);
	}
	return m;
}

/* include/linux/lockdep.h lockdep_assert_held(): the mirror's lock is kvm->mmu_lock */
void kts_lockdep_assert_held(const void *lock)
{
	/* the gfn->pfn cache's locks (tree/gpc.c) */
	struct kfp_lock *l = kts_gpc_lock_of(lock);

	if (l) {
		kfp__lockdep_assert_held(l, "lockdep_assert_held in the tree's code");
		return;
	}
	if (lock != &kts_kvm_mirror.mmu_lock) {
		kts_warn(__FILE__, __LINE__, "lockdep_assert_held() of a lock kfp does not map");
		return;
	}
	kfp__lockdep_assert_held(&kts_kvm->mmu_lock, "lockdep_assert_held in the tree's code");
}
