// SPDX-License-Identifier: GPL-2.0
/*
 * The op table (scenario/ops.c) and the pieces of the runner that read it:
 * every op has a name, side, operands and runner; the parser enforces the
 * side the table gives; the synopses and the outcome mappings; and each
 * kind of runner, called directly on a world, does what its op says.
 */
#include <stdio.h>
#include <string.h>

#include <kfp/scenario.h>

#include "../lib/harness.h"

#define PATH "t.kfp"

static void assert_str(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want)) {
		kfp_test_diag("%s:", what);
		kfp_test_diag("  got  \"%s\"", got);
		kfp_test_diag("  want \"%s\"", want);
		kfp_test_fail();
	}
}

static u16 all_option_flags(void)
{
	u16 flags = 0;
	unsigned int i;

	for (i = 0; i < kfp_nr_option_words; i++)
		flags |= kfp_option_words[i].flag;
	return flags;
}

TEST(op_table_is_complete)
{
	unsigned int i, j;
	const char *arg;

	for (i = 0; i < KFP_NR_OP_KINDS; i++) {
		const struct kfp_op_info *info = kfp_op_info((enum kfp_op_kind)i);

		ASSERT_TRUE(info == &kfp_ops[i]);
		ASSERT_TRUE(info->name && info->args && info->run && info->summary);
		ASSERT_EQ(info->options & ~all_option_flags(), 0);
		for (arg = info->args; *arg; arg++)
			ASSERT_TRUE(kfp_operand_synopsis(*arg) != NULL);
		for (j = 0; j < i; j++)
			ASSERT_TRUE(strcmp(kfp_ops[j].name, info->name) != 0);
	}
	ASSERT_TRUE(kfp_op_info(KFP_NR_OP_KINDS) == NULL);
	ASSERT_TRUE(kfp_operand_synopsis('x') == NULL);
}

/* Every op is refused on the side the table does not give it, by name. */
TEST(op_table_side_is_what_the_parser_enforces)
{
	static struct kfp_scenario sc;
	char text[128], err[KFP_ERROR_LEN], want[KFP_ERROR_LEN];
	unsigned int i;

	for (i = 0; i < KFP_NR_OP_KINDS; i++) {
		const struct kfp_op_info *info = &kfp_ops[i];

		if (info->vcpu) {
			snprintf(text, sizeof(text), "name t\nsetup {\n\t%s\n}\n", info->name);
			snprintf(want, sizeof(want),
				 PATH ":3:2: '%s' is a vCPU operation, not allowed in setup",
				 info->name);
		} else {
			snprintf(text, sizeof(text), "name t\nthread v vcpu {\n\t%s\n}\n",
				 info->name);
			snprintf(want, sizeof(want),
				 PATH
				 ":3:2: '%s' is a host operation, not allowed in vCPU thread 'v'",
				 info->name);
		}
		ASSERT_EQ(kfp_scenario_parse(PATH, text, strlen(text), &sc, err, sizeof(err)),
			  -EINVAL);
		assert_str(info->name, err, want);
	}
}

TEST(op_synopsis_reads_the_table)
{
	char buf[160];

	kfp_op_synopsis(KFP_OP_VCPU_MAP, buf, sizeof(buf));
	assert_str("map", buf, "map gfn G [index I] [readonly] [noslot]");
	kfp_op_synopsis(KFP_OP_MREMAP, buf, sizeof(buf));
	assert_str("mremap", buf, "mremap A N B");
	kfp_op_synopsis(KFP_OP_SIGNAL, buf, sizeof(buf));
	assert_str("signal", buf, "signal THREAD [fatal]");
	kfp_op_synopsis(KFP_OP_PAGE_READ, buf, sizeof(buf));
	assert_str("page-read", buf, "page-read");
	kfp_op_synopsis(KFP_NR_OP_KINDS, buf, sizeof(buf));
	assert_str("out of range", buf, "?");
	kfp_op_synopsis(KFP_OP_LOOKUP, buf, 7);
	assert_str("truncated", buf, "lookup");
}

TEST(outcomes_of_errnos_kvm_outcomes_and_error_pfns)
{
	ASSERT_EQ(kfp_outcome_of_errno(0), KFP_OUTCOME_OK);
	ASSERT_EQ(kfp_outcome_of_errno(3), KFP_OUTCOME_OK); /* a count: reclaim, child-exit */
	ASSERT_EQ(kfp_outcome_of_errno(-EFAULT), KFP_OUTCOME_EFAULT);
	ASSERT_EQ(kfp_outcome_of_errno(-EINTR), KFP_OUTCOME_EINTR);
	ASSERT_EQ(kfp_outcome_of_errno(-EINVAL), KFP_OUTCOME_EINVAL);
	ASSERT_EQ(kfp_outcome_of_errno(-EBUSY), KFP_OUTCOME_EBUSY);
	ASSERT_EQ(kfp_outcome_of_errno(-EAGAIN), KFP_OUTCOME_EAGAIN);
	ASSERT_EQ(kfp_outcome_of_errno(-ENOMEM), KFP_OUTCOME_ENOMEM);
	ASSERT_EQ(kfp_outcome_of_errno(-EEXIST), KFP_OUTCOME_EEXIST);
	ASSERT_EQ(kfp_outcome_of_errno(-ENOENT), KFP_OUTCOME_ENOENT);
	ASSERT_EQ(kfp_outcome_of_errno(-ENODEV), KFP_OUTCOME_ENODEV);
	ASSERT_EQ(kfp_outcome_of_errno(-EIO), KFP_OUTCOME_EIO);
	ASSERT_EQ(kfp_outcome_of_errno(-EHWPOISON), KFP_OUTCOME_HWPOISON);
	ASSERT_EQ(kfp_outcome_of_errno(-ENXIO), KFP_OUTCOME_OTHER);

	ASSERT_EQ(kfp_outcome_of_kvm(KVM_OUTCOME_OK), KFP_OUTCOME_OK);
	ASSERT_EQ(kfp_outcome_of_kvm(KVM_OUTCOME_EFAULT), KFP_OUTCOME_EFAULT);
	ASSERT_EQ(kfp_outcome_of_kvm(KVM_OUTCOME_MMIO), KFP_OUTCOME_MMIO);
	ASSERT_EQ(kfp_outcome_of_kvm(KVM_OUTCOME_HWPOISON), KFP_OUTCOME_HWPOISON);
	ASSERT_EQ(kfp_outcome_of_kvm(KVM_OUTCOME_EINTR), KFP_OUTCOME_EINTR);
	ASSERT_EQ(kfp_outcome_of_kvm(KVM_OUTCOME_EINVAL), KFP_OUTCOME_EINVAL);
	ASSERT_EQ(kfp_outcome_of_kvm(KVM_NR_OUTCOMES), KFP_OUTCOME_OTHER);

	ASSERT_EQ(kfp_outcome_of_pfn(5), KFP_OUTCOME_OK);
	ASSERT_EQ(kfp_outcome_of_pfn(KVM_PFN_NOSLOT), KFP_OUTCOME_MMIO);
	ASSERT_EQ(kfp_outcome_of_pfn(KVM_PFN_ERR_RO_FAULT), KFP_OUTCOME_MMIO);
	ASSERT_EQ(kfp_outcome_of_pfn(KVM_PFN_ERR_HWPOISON), KFP_OUTCOME_HWPOISON);
	ASSERT_EQ(kfp_outcome_of_pfn(KVM_PFN_ERR_SIGPENDING), KFP_OUTCOME_EINTR);
	ASSERT_EQ(kfp_outcome_of_pfn(KVM_PFN_ERR_NEEDS_IO), KFP_OUTCOME_EAGAIN);
	ASSERT_EQ(kfp_outcome_of_pfn(KVM_PFN_ERR_FAULT), KFP_OUTCOME_EFAULT);
}

/* ---- the runners, on a world of their own ---------------------------------- */

#define HVA 0x10000ULL

static struct kfp_world world;
static s8 object_id[KFP_SCENARIO_MAX_OBJECTS];

static void set_up(struct kfp_op_env *env)
{
	int id;

	ASSERT_EQ(kfp_world_init(&world, &kvm_design_upstream, 1, 1), 0);
	id = kfp_memory_object_create(&world.mm, KFP_OBJECT_SHMEM, 2);
	ASSERT_GE(id, 0);
	object_id[0] = (s8)id;
	env->kvm = &world.kvm;
	env->mm = &world.mm;
	env->vcpu = &world.kvm.vcpu[0];
	env->object_id = object_id;
}

static u8 run(const struct kfp_op_env *env, enum kfp_op_kind kind, const struct kfp_op *args,
	      u64 *value)
{
	struct kfp_op op = *args;
	struct kfp_op_env side = *env;

	op.kind = (u8)kind;
	if (!kfp_ops[kind].vcpu)
		side.vcpu = NULL;
	*value = 0;
	return kfp_ops[kind].run(&side, &op, value);
}

TEST(op_runners_host_side)
{
	struct kfp_op_env env;
	struct kfp_op mmap = { .addr = HVA,
			       .count = 2,
			       .prot = PROT_READ | PROT_WRITE,
			       .backing = KFP_BACKING_SHARED,
			       .object = 0,
			       .map_flags = KFP_MAP_SHARED };
	struct kfp_op write = { .addr = HVA, .value = 42 }, read = { .addr = HVA };
	struct kfp_op unmap_one = { .addr = HVA, .count = 1 }, revoke = { .object = 0 };
	u64 value;

	set_up(&env);
	ASSERT_EQ(run(&env, KFP_OP_MMAP, &mmap, &value), KFP_OUTCOME_OK);
	ASSERT_EQ(run(&env, KFP_OP_MMAP, &mmap, &value), KFP_OUTCOME_EEXIST);
	ASSERT_EQ(run(&env, KFP_OP_HOST_WRITE, &write, &value), KFP_OUTCOME_OK);
	ASSERT_EQ(run(&env, KFP_OP_HOST_READ, &read, &value), KFP_OUTCOME_OK);
	ASSERT_EQ(value, 42);
	/* shmem memory is not a driver's to revoke */
	ASSERT_EQ(run(&env, KFP_OP_REVOKE, &revoke, &value), KFP_OUTCOME_EINVAL);
	ASSERT_EQ(run(&env, KFP_OP_MUNMAP, &unmap_one, &value), KFP_OUTCOME_OK);
	ASSERT_EQ(run(&env, KFP_OP_HOST_READ, &read, &value), KFP_OUTCOME_EFAULT);
	/* nothing mapped at HVA: no pfn to poison */
	ASSERT_EQ(run(&env, KFP_OP_POISON, &read, &value), KFP_OUTCOME_EINVAL);
	ASSERT_EQ(run(&env, KFP_OP_FORK, &read, &value), KFP_OUTCOME_OK);
	ASSERT_EQ(run(&env, KFP_OP_CHILD_EXIT, &read, &value), KFP_OUTCOME_OK);
}

TEST(op_runners_vcpu_side)
{
	struct kfp_op_env env;
	struct kfp_op mmap = { .addr = HVA,
			       .count = 2,
			       .prot = PROT_READ | PROT_WRITE,
			       .backing = KFP_BACKING_SHARED,
			       .object = 0,
			       .map_flags = KFP_MAP_SHARED };
	struct kfp_op slot = { .index = 0, .gfn = 0, .count = 2, .addr = HVA };
	struct kfp_op write = { .addr = HVA + PAGE_SIZE, .value = 7 }, gfn1 = { .gfn = 1 };
	struct kfp_op none = { 0 }, del = { .flags = KFP_OPF_DELETE };
	kfp_pfn_t pfn;
	bool writable;
	u64 value;

	set_up(&env);
	ASSERT_EQ(run(&env, KFP_OP_MMAP, &mmap, &value), KFP_OUTCOME_OK);
	ASSERT_EQ(run(&env, KFP_OP_MEMSLOT, &slot, &value), KFP_OUTCOME_OK);
	ASSERT_EQ(run(&env, KFP_OP_HOST_WRITE, &write, &value), KFP_OUTCOME_OK);
	ASSERT_EQ(run(&env, KFP_OP_GUEST_READ, &gfn1, &value), KFP_OUTCOME_OK);
	ASSERT_EQ(value, 7);
	/* a direct lookup gives the pfn the host maps there, and releases it */
	ASSERT_EQ(run(&env, KFP_OP_LOOKUP, &gfn1, &value), KFP_OUTCOME_OK);
	ASSERT_TRUE(kfp_host_translate(&world.mm, HVA + PAGE_SIZE, &pfn, &writable));
	ASSERT_EQ(value, pfn);
	/* no gfn-to-page page to release */
	ASSERT_EQ(run(&env, KFP_OP_PAGE_RELEASE, &none, &value), KFP_OUTCOME_EINVAL);
	ASSERT_EQ(run(&env, KFP_OP_ENTER_SMM, &none, &value), KFP_OUTCOME_OK);
	ASSERT_EQ(world.kvm.vcpu[0].in_smm, 1);
	/* address space 1 has no memslot */
	ASSERT_EQ(run(&env, KFP_OP_GUEST_READ, &gfn1, &value), KFP_OUTCOME_MMIO);
	ASSERT_EQ(run(&env, KFP_OP_LEAVE_SMM, &none, &value), KFP_OUTCOME_OK);
	ASSERT_EQ(world.kvm.vcpu[0].in_smm, 0);
	ASSERT_EQ(run(&env, KFP_OP_MEMSLOT, &del, &value), KFP_OUTCOME_OK);
	ASSERT_EQ(run(&env, KFP_OP_GUEST_READ, &gfn1, &value), KFP_OUTCOME_MMIO);
}
