// SPDX-License-Identifier: GPL-2.0
/*
 * The operations of the scenario language, in one table: each op's name,
 * side (vCPU or host), operands, options and the function that runs it.
 * The parser (parser.c), the runner (run.c), `kfp list` and the op table
 * of docs/scenario-format.md all read it; adding an op is an enum entry in
 * <kfp/scenario.h>, a runner and a line here.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* ---- outcomes ------------------------------------------------------------- */

u8 kfp_outcome_of_errno(long ret)
{
	switch (ret) {
	case 0:
		return KFP_OUTCOME_OK;
	case -EFAULT:
		return KFP_OUTCOME_EFAULT;
	case -EINTR:
		return KFP_OUTCOME_EINTR;
	case -EINVAL:
		return KFP_OUTCOME_EINVAL;
	case -EBUSY:
		return KFP_OUTCOME_EBUSY;
	case -EAGAIN:
		return KFP_OUTCOME_EAGAIN;
	case -ENOMEM:
		return KFP_OUTCOME_ENOMEM;
	case -EEXIST:
		return KFP_OUTCOME_EEXIST;
	case -ENODEV:
		return KFP_OUTCOME_ENODEV;
	case -EIO:
		return KFP_OUTCOME_EIO;
	case -ENOENT:
		return KFP_OUTCOME_ENOENT;
	case -EHWPOISON:
		return KFP_OUTCOME_HWPOISON;
	default:
		return ret > 0 ? KFP_OUTCOME_OK : KFP_OUTCOME_OTHER;
	}
}

u8 kfp_outcome_of_kvm(enum kvm_outcome outcome)
{
	static const u8 map[KVM_NR_OUTCOMES] = {
		[KVM_OUTCOME_OK] = KFP_OUTCOME_OK,
		[KVM_OUTCOME_EFAULT] = KFP_OUTCOME_EFAULT,
		[KVM_OUTCOME_MMIO] = KFP_OUTCOME_MMIO,
		[KVM_OUTCOME_HWPOISON] = KFP_OUTCOME_HWPOISON,
		[KVM_OUTCOME_EINTR] = KFP_OUTCOME_EINTR,
		[KVM_OUTCOME_EINVAL] = KFP_OUTCOME_EINVAL,
	};

	return (unsigned int)outcome < KVM_NR_OUTCOMES ? map[outcome] : KFP_OUTCOME_OTHER;
}

/* The error pfns of a direct lookup, as outcomes. */
u8 kfp_outcome_of_pfn(kfp_pfn_t pfn)
{
	if (pfn == KVM_PFN_NOSLOT || pfn == KVM_PFN_ERR_RO_FAULT)
		return KFP_OUTCOME_MMIO;
	if (pfn == KVM_PFN_ERR_HWPOISON)
		return KFP_OUTCOME_HWPOISON;
	if (pfn == KVM_PFN_ERR_SIGPENDING)
		return KFP_OUTCOME_EINTR;
	if (pfn == KVM_PFN_ERR_NEEDS_IO)
		return KFP_OUTCOME_EAGAIN;
	if (is_error_noslot_pfn(pfn))
		return KFP_OUTCOME_EFAULT;
	return KFP_OUTCOME_OK;
}

/* ---- vCPU ops ------------------------------------------------------------- */

static u8 run_guest_read(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	return kfp_outcome_of_kvm(kvm_guest_access(env->kvm, env->vcpu, op->gfn, false, value));
}

static u8 run_guest_write(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	u64 v = op->value;

	(void)value;
	return kfp_outcome_of_kvm(kvm_guest_access(env->kvm, env->vcpu, op->gfn, true, &v));
}

/*
 * A direct kvm_follow_pfn() from vCPU context (the lookup every caller
 * shares), and the release of whatever it returned.
 */
static u8 run_lookup(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	struct kvm *kvm = env->kvm;
	struct kvm_vcpu *vcpu = env->vcpu;
	kfp_pfn_t page = KFP_PFN_NONE, pfn;
	struct kvm_memory_slot *slot, copy;
	struct kvm_follow_pfn kfp = {
		.gfn = op->gfn,
		.flags = ((op->flags & KFP_OPF_WRITE) ? FOLL_WRITE : 0) |
			 ((op->flags & KFP_OPF_NOWAIT) ? FOLL_NOWAIT : 0) |
			 ((op->flags & KFP_OPF_INTERRUPTIBLE) ? FOLL_INTERRUPTIBLE : 0),
		.pin = op->flags & KFP_OPF_PIN,
		.refcounted_page = &page,
		.owner = vcpu->page_owner,
	};

	kvm_srcu_read_lock(kvm);
	slot = __gfn_to_memslot(kvm, vcpu->in_smm, op->gfn);
	if (slot) {
		copy = *slot;
		kfp.slot = &copy;
	}
	pfn = kvm_follow_pfn(kvm, &kfp);
	kvm_srcu_read_unlock(kvm);
	if (page != KFP_PFN_NONE) {
		if (kfp.pin)
			unpin_user_page(kvm->mm, page, vcpu->page_owner);
		else
			kvm_release_page_unused(kvm, page, vcpu->page_owner);
	}
	if (!is_error_noslot_pfn(pfn))
		*value = pfn;
	return kfp_outcome_of_pfn(pfn);
}

static u8 run_vcpu_map(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	return kfp_outcome_of_errno(kvm_vcpu_map(env->kvm, env->vcpu, op->gfn, op->index,
						 !(op->flags & KFP_OPF_READONLY)));
}

static u8 run_map_read(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	return kfp_outcome_of_kvm(
		kvm_vcpu_map_access(env->kvm, env->vcpu, op->index, false, value));
}

static u8 run_map_write(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	u64 v = op->value;

	(void)value;
	return kfp_outcome_of_kvm(kvm_vcpu_map_access(env->kvm, env->vcpu, op->index, true, &v));
}

static u8 run_vcpu_unmap(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	kvm_vcpu_unmap(env->kvm, env->vcpu, op->index);
	return KFP_OUTCOME_OK;
}

static u8 run_gfn_to_page(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	return kfp_outcome_of_errno(
		kvm_gfn_to_page(env->kvm, env->vcpu, op->gfn, op->flags & KFP_OPF_WRITE));
}

static u8 run_page_read(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)op;
	return kfp_outcome_of_kvm(kvm_page_access(env->kvm, env->vcpu, false, value));
}

static u8 run_page_write(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	u64 v = op->value;

	(void)value;
	return kfp_outcome_of_kvm(kvm_page_access(env->kvm, env->vcpu, true, &v));
}

static u8 run_page_release(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	if (env->vcpu->page == KFP_PFN_NONE)
		return KFP_OUTCOME_EINVAL;
	kvm_gfn_to_page_release(env->kvm, env->vcpu, op->flags & KFP_OPF_DIRTY);
	return KFP_OUTCOME_OK;
}

static u8 run_gpc_activate(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	return kfp_outcome_of_errno(kvm_gpc_activate(env->kvm, op->index, op->addr, sizeof(u64)));
}

static u8 run_gpc_refresh(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	return kfp_outcome_of_errno(kvm_gpc_refresh(env->kvm, op->index, sizeof(u64)));
}

static u8 run_gpc_read(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	return kfp_outcome_of_kvm(kvm_gpc_access(env->kvm, op->index, false, value));
}

static u8 run_gpc_write(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	u64 v = op->value;

	(void)value;
	return kfp_outcome_of_kvm(kvm_gpc_access(env->kvm, op->index, true, &v));
}

static u8 run_gpc_deactivate(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	kvm_gpc_deactivate(env->kvm, op->index);
	return KFP_OUTCOME_OK;
}

/* arch/x86/kvm/smm.c enter_smm()/rsm: the vCPU's memslots are address space 1 in SMM */
static u8 run_smm(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	env->vcpu->in_smm = op->kind == KFP_OP_ENTER_SMM;
	return KFP_OUTCOME_OK;
}

/* ---- host ops ------------------------------------------------------------- */

static u8 run_mmap(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	struct kfp_mmap_args args = {
		.addr = op->addr,
		.len = op->count << PAGE_SHIFT,
		.prot = op->prot,
		.flags = op->map_flags,
		.backing = (enum kfp_backing)op->backing,
		.object = op->object >= 0 ? env->object_id[op->object] : -1,
		.pgoff = (u32)op->value,
	};

	(void)value;
	return kfp_outcome_of_errno(kfp_mmap(env->mm, &args));
}

static u8 run_munmap(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	return kfp_outcome_of_errno(kfp_munmap(env->mm, op->addr, op->count << PAGE_SHIFT));
}

static u8 run_mprotect(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	return kfp_outcome_of_errno(
		kfp_mprotect(env->mm, op->addr, op->count << PAGE_SHIFT, op->prot));
}

static u8 run_madvise_dontneed(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	return kfp_outcome_of_errno(
		kfp_madvise_dontneed(env->mm, op->addr, op->count << PAGE_SHIFT));
}

static u8 run_mremap(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	return kfp_outcome_of_errno(
		kfp_mremap(env->mm, op->addr, op->count << PAGE_SHIFT, op->addr2));
}

static u8 run_migrate(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	return kfp_outcome_of_errno(kfp_migrate_page(env->mm, op->addr));
}

static u8 run_reclaim(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	return kfp_outcome_of_errno(kfp_reclaim(env->mm, op->addr, op->count << PAGE_SHIFT));
}

static u8 run_fork(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)op;
	(void)value;
	return kfp_outcome_of_errno(kfp_fork(env->mm));
}

static u8 run_child_exit(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)op;
	(void)value;
	return kfp_outcome_of_errno(kfp_child_exit(env->mm));
}

static u8 run_ksm_merge(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	return kfp_outcome_of_errno(kfp_ksm_merge(env->mm, op->addr));
}

static u8 run_revoke(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	return kfp_outcome_of_errno(kfp_driver_revoke(env->mm, env->object_id[op->object]));
}

static u8 run_host_read(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	return kfp_outcome_of_errno(kfp_host_read(env->mm, op->addr, value));
}

static u8 run_host_write(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	return kfp_outcome_of_errno(kfp_host_write(env->mm, op->addr, op->value));
}

static u8 run_poison(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	kfp_pfn_t pfn;
	bool writable;

	(void)value;
	if (!kfp_host_translate(env->mm, op->addr, &pfn, &writable))
		return KFP_OUTCOME_EINVAL;
	return kfp_outcome_of_errno(kfp_memory_failure(env->mm, pfn));
}

static u8 run_signal(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)value;
	kfp_send_signal(env->mm, op->thread, op->flags & KFP_OPF_FATAL);
	return KFP_OUTCOME_OK;
}

static u8 run_memslot(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	u32 flags = ((op->flags & KFP_OPF_READONLY) ? KVM_MEM_READONLY : 0) |
		    ((op->flags & KFP_OPF_LOG_DIRTY) ? KVM_MEM_LOG_DIRTY_PAGES : 0);

	(void)value;
	if (op->flags & KFP_OPF_DELETE)
		return kfp_outcome_of_errno(
			kvm_set_memory_region(env->kvm, op->as_id, op->index, 0, 0, 0, 0));
	return kfp_outcome_of_errno(kvm_set_memory_region(env->kvm, op->as_id, op->index, flags,
							  op->gfn, op->count, op->addr));
}

static u8 run_vm_teardown(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)op;
	(void)value;
	/* the VMM closes the VM fd: the VM goes with the last vCPU fd */
	kvm_put_kvm(env->kvm);
	return KFP_OUTCOME_OK;
}

static u8 run_mm_teardown(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value)
{
	(void)op;
	(void)value;
	kfp_mm_teardown(env->mm);
	return KFP_OUTCOME_OK;
}

/* ---- the table ------------------------------------------------------------ */

#define VCPU true
#define HOST false

/* Operands (struct kfp_op_info.args) are letters; the parser's take_arg() reads each. */
const struct kfp_op_info kfp_ops[KFP_NR_OP_KINDS] = {
	[KFP_OP_GUEST_READ] = { "read", VCPU, "G", KFP_OPF_NOSLOT, run_guest_read,
				"the guest reads gfn G through its sptes -> value" },
	[KFP_OP_GUEST_WRITE] = { "write", VCPU, "GV", KFP_OPF_NOSLOT, run_guest_write,
				 "the guest writes V to gfn G" },
	[KFP_OP_LOOKUP] = { "lookup", VCPU, "G",
			    KFP_OPF_WRITE | KFP_OPF_NOWAIT | KFP_OPF_INTERRUPTIBLE | KFP_OPF_PIN |
				    KFP_OPF_NOSLOT,
			    run_lookup,
			    "kvm_follow_pfn() of gfn G, then release what it returned -> value = pfn" },
	[KFP_OP_VCPU_MAP] = { "map", VCPU, "Gi", KFP_OPF_READONLY | KFP_OPF_NOSLOT, run_vcpu_map,
			      "kvm_vcpu_map() of gfn G into host map I" },
	[KFP_OP_MAP_READ] = { "map-read", VCPU, "i", 0, run_map_read,
			      "read through host map I -> value" },
	[KFP_OP_MAP_WRITE] = { "map-write", VCPU, "iV", 0, run_map_write,
			       "write V through host map I" },
	[KFP_OP_VCPU_UNMAP] = { "unmap", VCPU, "i", 0, run_vcpu_unmap,
				"kvm_vcpu_unmap() of host map I" },
	[KFP_OP_GFN_TO_PAGE] = { "gfn-to-page", VCPU, "G", KFP_OPF_WRITE | KFP_OPF_NOSLOT,
				 run_gfn_to_page, "__gfn_to_page() of gfn G, kept by the vCPU" },
	[KFP_OP_PAGE_READ] = { "page-read", VCPU, "", 0, run_page_read,
			       "read the gfn-to-page page -> value" },
	[KFP_OP_PAGE_WRITE] = { "page-write", VCPU, "V", 0, run_page_write,
				"write V to the gfn-to-page page" },
	[KFP_OP_PAGE_RELEASE] = { "page-release", VCPU, "", KFP_OPF_DIRTY, run_page_release,
				  "release the gfn-to-page page" },
	[KFP_OP_GPC_ACTIVATE] = { "gpc-activate", VCPU, "jg", KFP_OPF_NOSLOT, run_gpc_activate,
				  "kvm_gpc_activate() of gfn->pfn cache I at gpa A" },
	[KFP_OP_GPC_REFRESH] = { "gpc-refresh", VCPU, "j", 0, run_gpc_refresh,
				 "kvm_gpc_refresh() of cache I" },
	[KFP_OP_GPC_READ] = { "gpc-read", VCPU, "j", 0, run_gpc_read,
			      "read through cache I -> value" },
	[KFP_OP_GPC_WRITE] = { "gpc-write", VCPU, "jV", 0, run_gpc_write,
			       "write V through cache I" },
	[KFP_OP_GPC_DEACTIVATE] = { "gpc-deactivate", VCPU, "j", 0, run_gpc_deactivate,
				    "kvm_gpc_deactivate() of cache I" },
	[KFP_OP_ENTER_SMM] = { "enter-smm", VCPU, "", 0, run_smm,
			       "the vCPU now uses address space 1" },
	[KFP_OP_LEAVE_SMM] = { "leave-smm", VCPU, "", 0, run_smm, "back to address space 0" },
	[KFP_OP_MMAP] = { "mmap", HOST, "M", 0, run_mmap, "mmap(2) of a VMA" },
	[KFP_OP_MUNMAP] = { "munmap", HOST, "AN", 0, run_munmap, "munmap(2) of N pages at A" },
	[KFP_OP_MPROTECT] = { "mprotect", HOST, "ANP", 0, run_mprotect,
			      "mprotect(2) of N pages at A" },
	[KFP_OP_MADVISE_DONTNEED] = { "madvise-dontneed", HOST, "AN", 0, run_madvise_dontneed,
				      "madvise(MADV_DONTNEED) of N pages at A" },
	[KFP_OP_MREMAP] = { "mremap", HOST, "ANB", 0, run_mremap,
			    "mremap(2) of N pages from A to B" },
	[KFP_OP_MIGRATE] = { "migrate", HOST, "A", 0, run_migrate, "migrate the page mapped at A" },
	[KFP_OP_RECLAIM] = { "reclaim", HOST, "AN", 0, run_reclaim,
			     "reclaim the pages mapped in N pages at A" },
	[KFP_OP_FORK] = { "fork", HOST, "", 0, run_fork, "fork(2) of the VMM" },
	[KFP_OP_CHILD_EXIT] = { "child-exit", HOST, "", 0, run_child_exit,
				"the forked child exits" },
	[KFP_OP_KSM_MERGE] = { "ksm-merge", HOST, "A", 0, run_ksm_merge,
			       "KSM merges the zero-filled page at A" },
	[KFP_OP_REVOKE] = { "revoke", HOST, "O", 0, run_revoke,
			    "the driver revokes OBJECT's memory" },
	[KFP_OP_HOST_READ] = { "host-read", HOST, "A", 0, run_host_read,
			       "the VMM reads A -> value" },
	[KFP_OP_HOST_WRITE] = { "host-write", HOST, "AV", 0, run_host_write,
				"the VMM writes V to A" },
	[KFP_OP_POISON] = { "poison", HOST, "A", 0, run_poison,
			    "memory_failure() of the pfn mapped at A" },
	[KFP_OP_SIGNAL] = { "signal", HOST, "T", KFP_OPF_FATAL, run_signal,
			    "send a signal to vCPU thread THREAD" },
	[KFP_OP_MEMSLOT] = { "memslot", HOST, "S", 0, run_memslot,
			     "KVM_SET_USER_MEMORY_REGION: create, move or delete memslot I" },
	[KFP_OP_VM_TEARDOWN] = { "vm-teardown", HOST, "", 0, run_vm_teardown,
				 "close the VM fd: kvm_put_kvm(), the VM goes with the last vCPU fd" },
	[KFP_OP_MM_TEARDOWN] = { "mm-teardown", HOST, "", 0, run_mm_teardown,
				 "the VMM's mm goes (exit_mmap())" },
};

const struct kfp_option_word kfp_option_words[] = {
	{ "write", KFP_OPF_WRITE },
	{ "nowait", KFP_OPF_NOWAIT },
	{ "interruptible", KFP_OPF_INTERRUPTIBLE },
	{ "pin", KFP_OPF_PIN },
	{ "readonly", KFP_OPF_READONLY },
	{ "dirty", KFP_OPF_DIRTY },
	{ "fatal", KFP_OPF_FATAL },
	{ "log-dirty", KFP_OPF_LOG_DIRTY },
	{ "noslot", KFP_OPF_NOSLOT },
};

const unsigned int kfp_nr_option_words = ARRAY_SIZE(kfp_option_words);

const char *kfp_op_name(enum kfp_op_kind kind)
{
	if ((unsigned int)kind >= KFP_NR_OP_KINDS)
		return "?";
	return kfp_ops[kind].name;
}

const struct kfp_op_info *kfp_op_info(enum kfp_op_kind kind)
{
	return (unsigned int)kind < KFP_NR_OP_KINDS ? &kfp_ops[kind] : NULL;
}

/* ---- synopses: kfp list, the docs ------------------------------------------ */

/* How each operand letter reads in a synopsis; NULL for a letter that is none. */
const char *kfp_operand_synopsis(char arg)
{
	switch (arg) {
	case 'G':
		return "gfn G";
	case 'i':
	case 'j':
		return "[index I]";
	case 'g':
		return "gpa A";
	case 'V':
		return "V";
	case 'A':
		return "A";
	case 'N':
		return "N";
	case 'P':
		return "PROT";
	case 'B':
		return "B";
	case 'O':
		return "OBJECT";
	case 'T':
		return "THREAD";
	case 'M':
		return "A N PROT BACKING [OBJECT] [pgoff N] [shared] [fixed] [populate] [hugepage]";
	case 'S':
		return "I [as 0|1] (gfn G pages N hva A [readonly] [log-dirty] | delete)";
	}
	return NULL;
}

/* "map gfn G [index I] [readonly] [noslot]" into @buf. */
void kfp_op_synopsis(enum kfp_op_kind kind, char *buf, size_t size)
{
	const struct kfp_op_info *info = kfp_op_info(kind);
	size_t len;
	const char *arg;
	unsigned int i;

	if (!size)
		return;
	snprintf(buf, size, "%s", info ? info->name : "?");
	if (!info)
		return;
	for (arg = info->args; *arg; arg++) {
		len = strlen(buf);
		snprintf(buf + len, size - len, " %s", kfp_operand_synopsis(*arg));
	}
	for (i = 0; i < kfp_nr_option_words; i++) {
		if (!(info->options & kfp_option_words[i].flag))
			continue;
		len = strlen(buf);
		snprintf(buf + len, size - len, " [%s]", kfp_option_words[i].name);
	}
}

/* @text with each '|' escaped, as a Markdown table cell needs. */
static void print_cell(FILE *out, const char *text)
{
	for (; *text; text++) {
		if (*text == '|')
			fputc('\\', out);
		fputc(*text, out);
	}
}

void kfp_scenario_print_ops(FILE *out, bool markdown)
{
	char synopsis[160];
	unsigned int i;

	if (markdown)
		fprintf(out, "| op | side | synopsis | what it does |\n|---|---|---|---|\n");
	for (i = 0; i < KFP_NR_OP_KINDS; i++) {
		const struct kfp_op_info *info = &kfp_ops[i];
		const char *side = info->vcpu ? "vcpu" : "host";

		kfp_op_synopsis((enum kfp_op_kind)i, synopsis, sizeof(synopsis));
		if (!markdown) {
			fprintf(out, "  %-5s %s\n        %s\n", side, synopsis, info->summary);
			continue;
		}
		fprintf(out, "| `%s` | %s | `", info->name, side);
		print_cell(out, synopsis);
		fprintf(out, "` | %s |\n", info->summary);
	}
}
