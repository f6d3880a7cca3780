// SPDX-License-Identifier: GPL-2.0
/*
 * The address space: VMAs, the page table, the mmap lock and signals; and
 * splitting and unmapping VMAs (mm/vma.c __split_vma(), do_vmi_munmap()).
 *
 * The page table is one flat array of ptes indexed by virtual page number;
 * upstream's pgd/p4d/pud/pmd levels do not change any outcome the model
 * checks and are left out.  One page-table lock covers it (the split ptl of
 * upstream only changes which waits contend).
 */
#include "internal.h"

bool kfp_hva_in_range(u64 addr)
{
	return addr >= KFP_HVA_MIN && addr < KFP_HVA_LIMIT;
}

u32 kfp_pte_object(u64 addr)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_PTE, addr >> PAGE_SHIFT);
}

struct kfp_pte *kfp_pte_of(struct kfp_mm *mm, u64 addr)
{
	if (!kfp_hva_in_range(addr))
		return NULL;
	return &mm->pte[addr >> PAGE_SHIFT];
}

/* mm/mmap.c vma_lookup(): the VMA containing @addr, or NULL. */
struct kfp_vma *vma_lookup(struct kfp_mm *mm, u64 addr)
{
	unsigned int i;

	kfp_shared_read(vma_tree_object(), "vma_lookup");
	for (i = 0; i < KFP_MAX_VMAS; i++) {
		struct kfp_vma *vma = &mm->vma[i];

		if (vma->in_use && vma->vm_start <= addr && addr < vma->vm_end)
			return vma;
	}
	return NULL;
}

int kfp_vma_index(const struct kfp_mm *mm, const struct kfp_vma *vma)
{
	return (int)(vma - mm->vma);
}

/* virt/kvm/kvm_main.c vma_is_valid(): VM_READ, plus VM_WRITE for a write. */
bool vma_is_valid(const struct kfp_vma *vma, bool write_fault)
{
	unsigned long required = VM_READ | (write_fault ? VM_WRITE : 0);

	return (vma->vm_flags & required) == required;
}

/*
 * What the host maps at @addr right now: the reference for P3.  A PROT_NONE
 * pte maps nothing accessible.
 */
bool kfp_host_translate(struct kfp_mm *mm, u64 addr, kfp_pfn_t *pfn, bool *writable)
{
	struct kfp_pte *pte = kfp_pte_of(mm, addr);

	if (!pte || pte->kind != KFP_PTE_PRESENT || pte->protnone)
		return false;
	*pfn = pte->pfn;
	*writable = pte->writable;
	return true;
}

void mmap_read_lock(struct kfp_mm *mm)
{
	kfp_read_lock(&mm->mmap_lock);
}

void mmap_read_unlock(struct kfp_mm *mm)
{
	kfp_read_unlock(&mm->mmap_lock);
}

void mmap_write_lock(struct kfp_mm *mm)
{
	kfp_write_lock(&mm->mmap_lock);
}

void mmap_write_unlock(struct kfp_mm *mm)
{
	kfp_write_unlock(&mm->mmap_lock);
}

static u32 signal_object(int thread)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_SIGNAL, thread);
}

static u8 current_signal(const struct kfp_mm *mm)
{
	int thread = kfp_current_thread();

	if (thread < 0 || thread >= KFP_MAX_THREADS)
		return KFP_SIGNAL_NONE;
	kfp_shared_read(signal_object(thread), "signal_pending");
	return mm->signal[thread];
}

/* include/linux/sched/signal.h signal_pending() for the running thread */
bool signal_pending(const struct kfp_mm *mm)
{
	return current_signal(mm) != KFP_SIGNAL_NONE;
}

bool fatal_signal_pending(const struct kfp_mm *mm)
{
	return current_signal(mm) == KFP_SIGNAL_FATAL;
}

/* A signal for @thread (e.g. from another host thread or the VMM). */
void kfp_send_signal(struct kfp_mm *mm, int thread, bool fatal)
{
	if (thread < 0 || thread >= KFP_MAX_THREADS)
		return;
	kfp_shared_write(signal_object(thread), "signal");
	if (mm->signal[thread] != KFP_SIGNAL_FATAL)
		mm->signal[thread] = fatal ? KFP_SIGNAL_FATAL : KFP_SIGNAL_PENDING;
}

/* The thread returned to userspace and took its signal. */
void kfp_signal_delivered(struct kfp_mm *mm, int thread)
{
	if (thread < 0 || thread >= KFP_MAX_THREADS)
		return;
	kfp_shared_write(signal_object(thread), "signal delivered");
	mm->signal[thread] = KFP_SIGNAL_NONE;
}

struct kfp_vma *vma_alloc(struct kfp_mm *mm)
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
int split_range(struct kfp_mm *mm, u64 start, u64 end)
{
	int ret = split_vma_at(mm, start);

	if (ret)
		return ret;
	return end < KFP_HVA_LIMIT ? split_vma_at(mm, end) : 0;
}

bool range_is_free(struct kfp_mm *mm, u64 start, u64 end)
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
int do_munmap(struct kfp_mm *mm, u64 start, u64 end)
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
