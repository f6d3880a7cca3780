// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario front end: every op and expectation parses into the right
 * fields, every error comes with its exact position, and the files in
 * tests/scenario/bad and tests/scenario/good behave as they say.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <kfp/scenario.h>

#include "../lib/harness.h"

#define PATH "t.kfp"
/* Six lines: an object and a memslot over gfns 0-3. */
#define HDR                                       \
	"name t\n"                                \
	"object o shmem 4\n"                      \
	"setup {\n"                               \
	"\tmmap 0x10000 4 rw shared o\n"          \
	"\tmemslot 0 gfn 0 pages 4 hva 0x10000\n" \
	"}\n"
#define VCPU(ops) HDR "thread v vcpu {\n" ops "}\n"
#define HOST(ops) HDR "thread v vcpu {\n\tread gfn 0\n}\nthread h {\n" ops "}\n"

static struct kfp_scenario sc;
static char err[KFP_ERROR_LEN];

static int parse(const char *text)
{
	return kfp_scenario_parse(PATH, text, strlen(text), &sc, err, sizeof(err));
}

static void assert_str(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want)) {
		kfp_test_diag("%s:", what);
		kfp_test_diag("  got  \"%s\"", got);
		kfp_test_diag("  want \"%s\"", want);
		kfp_test_fail();
	}
}

static void ok(const char *text)
{
	int ret = parse(text);

	if (ret)
		kfp_test_diag("unexpected error: %s", err);
	ASSERT_EQ(ret, 0);
}

static void bad(const char *text, const char *want)
{
	int ret = parse(text);

	ASSERT_EQ(ret, -EINVAL);
	assert_str("error", err, want);
}

/* The first op of vCPU thread v (line 8, col 2). */
static const struct kfp_op *vcpu_op(const char *text)
{
	ok(text);
	return &sc.thread[0].op[0];
}

/* The first op of host thread h (line 11, col 2). */
static const struct kfp_op *host_op(const char *text)
{
	ok(text);
	return &sc.thread[1].op[0];
}

TEST(parse_minimal_scenario)
{
	ok(VCPU("\tread gfn 1\n"));
	assert_str("name", sc.name, "t");
	assert_str("path", sc.path, PATH);
	ASSERT_EQ(sc.nr_objects, 1);
	ASSERT_EQ(sc.nr_setup, 2);
	ASSERT_EQ(sc.nr_threads, 1);
	ASSERT_EQ(sc.nr_vcpus, 1);
	ASSERT_EQ(sc.nr_gpcs, 0);
	ASSERT_EQ(sc.nr_results, 0);
	ASSERT_EQ(sc.thread[0].is_vcpu, 1);
	ASSERT_EQ(sc.thread[0].pos.line, 7);
	ASSERT_EQ(sc.thread[0].pos.col, 1);
	ASSERT_EQ(sc.thread[0].op[0].pos.line, 8);
	ASSERT_EQ(sc.thread[0].op[0].pos.col, 2);
	ASSERT_EQ(sc.setup[1].pos.line, 5);
}

TEST(parse_name_charset)
{
	ok("name fault+munmap+remap_2.v-1\nthread v vcpu {\n\tread gfn 1 noslot\n}\n");
	assert_str("name", sc.name, "fault+munmap+remap_2.v-1");
	ok("name 2x.race # comment\nthread v vcpu {\n\tread gfn 1 noslot\n}\n");
	assert_str("name", sc.name, "2x.race");
}

TEST(parse_doc_block)
{
	ok("name t\ndoc { # the story\n\n  line one\n    indented { }\n  line three\n\n}\n"
	   "thread v vcpu {\n\tread gfn 1 noslot\n}\n");
	assert_str("doc", sc.doc, "line one\n  indented { }\nline three\n");
}

TEST(parse_params)
{
	ok("name t\nparam allow_unsafe_mappings 1\nparam inject skip-retry-check\n"
	   "param inject = gpc-no-invalidate\nparam inject gpc-double-put\n"
	   "thread v vcpu {\n\tread gfn 1 noslot\n}\n");
	ASSERT_EQ(sc.allow_unsafe_mappings, 1);
	ASSERT_EQ(sc.inject, KVM_INJECT_SKIP_RETRY_CHECK | KVM_INJECT_GPC_NO_INVALIDATE |
				     KVM_INJECT_GPC_DOUBLE_PUT);
}

/* A bug seeded only for unit tests (tests/lib/seeded.h) has no injection name. */
TEST(parse_seeded_bugs_are_not_injections)
{
	bad("name t\nparam inject double-release\n",
	    PATH ":2:14: unknown injection 'double-release'");
	bad("name t\nparam inject snapshot-after-gup\n",
	    PATH ":2:14: unknown injection 'snapshot-after-gup'");
}

TEST(parse_objects)
{
	ok("name t\nobject a driver-pages 8 retries 3\n  object b zone-device 32\n"
	   "thread v vcpu {\n\tread gfn 1 noslot\n}\n");
	ASSERT_EQ(sc.nr_objects, 2);
	assert_str("name", sc.object[0].name, "a");
	ASSERT_EQ(sc.object[0].kind, KFP_OBJECT_DRIVER_PAGES);
	ASSERT_EQ(sc.object[0].pages, 8);
	ASSERT_EQ(sc.object[0].fault_retries, 3);
	ASSERT_EQ(sc.object[1].kind, KFP_OBJECT_ZONE_DEVICE);
	ASSERT_EQ(sc.object[1].pages, 32);
	ASSERT_EQ(sc.object[1].fault_retries, 0);
	ASSERT_EQ(sc.object[1].pos.line, 3);
	ASSERT_EQ(sc.object[1].pos.col, 3);
}

TEST(parse_op_read_write)
{
	const struct kfp_op *op = vcpu_op(VCPU("\tread gfn 3\n\twrite gfn 0x2 poison\n"
					       "\twrite gfn 1 -1\n"));

	ASSERT_EQ(op->kind, KFP_OP_GUEST_READ);
	ASSERT_EQ(op->gfn, 3);
	ASSERT_EQ(op->result, -1);
	ASSERT_EQ(op->object, -1);
	ASSERT_EQ(op->thread, -1);
	ASSERT_EQ(op[1].kind, KFP_OP_GUEST_WRITE);
	ASSERT_EQ(op[1].gfn, 2);
	ASSERT_TRUE(op[1].value == 0xaaaaaaaaaaaaaaaaULL);
	ASSERT_TRUE(op[2].value == UINT64_MAX);
}

TEST(parse_op_lookup)
{
	const struct kfp_op *op =
		vcpu_op(VCPU("\tlookup gfn 1 pin interruptible nowait write\n\tlookup gfn 2\n"));

	ASSERT_EQ(op->kind, KFP_OP_LOOKUP);
	ASSERT_EQ(op->gfn, 1);
	ASSERT_EQ(op->flags, KFP_OPF_WRITE | KFP_OPF_NOWAIT | KFP_OPF_INTERRUPTIBLE | KFP_OPF_PIN);
	ASSERT_EQ(op[1].flags, 0);
}

TEST(parse_op_vcpu_map)
{
	const struct kfp_op *op = vcpu_op(VCPU("\tmap gfn 1 index 1 readonly\n\tmap-read index 1\n"
					       "\tmap-write 5\n\tunmap index 1\n\tmap gfn 2\n"));

	ASSERT_EQ(op[0].kind, KFP_OP_VCPU_MAP);
	ASSERT_EQ(op[0].index, 1);
	ASSERT_EQ(op[0].flags, KFP_OPF_READONLY);
	ASSERT_EQ(op[1].kind, KFP_OP_MAP_READ);
	ASSERT_EQ(op[1].index, 1);
	ASSERT_EQ(op[2].kind, KFP_OP_MAP_WRITE);
	ASSERT_EQ(op[2].index, 0);
	ASSERT_EQ(op[2].value, 5);
	ASSERT_EQ(op[3].kind, KFP_OP_VCPU_UNMAP);
	ASSERT_EQ(op[3].index, 1);
	ASSERT_EQ(op[4].index, 0);
	ASSERT_EQ(op[4].flags, 0);
}

TEST(parse_op_page)
{
	const struct kfp_op *op = vcpu_op(VCPU("\tgfn-to-page gfn 2 write\n\tpage-read\n"
					       "\tpage-write 0x10\n\tpage-release dirty\n"
					       "\tpage-release\n"));

	ASSERT_EQ(op[0].kind, KFP_OP_GFN_TO_PAGE);
	ASSERT_EQ(op[0].gfn, 2);
	ASSERT_EQ(op[0].flags, KFP_OPF_WRITE);
	ASSERT_EQ(op[1].kind, KFP_OP_PAGE_READ);
	ASSERT_EQ(op[2].kind, KFP_OP_PAGE_WRITE);
	ASSERT_EQ(op[2].value, 16);
	ASSERT_EQ(op[3].kind, KFP_OP_PAGE_RELEASE);
	ASSERT_EQ(op[3].flags, KFP_OPF_DIRTY);
	ASSERT_EQ(op[4].flags, 0);
}

TEST(parse_op_gpc)
{
	const struct kfp_op *op = vcpu_op(VCPU("\tgpc-activate index 2 gpa 0x3000\n"
					       "\tgpc-refresh index 2\n\tgpc-read index 2\n"
					       "\tgpc-write index 2 9\n\tgpc-deactivate\n"));

	ASSERT_EQ(op[0].kind, KFP_OP_GPC_ACTIVATE);
	ASSERT_EQ(op[0].index, 2);
	ASSERT_EQ(op[0].addr, 0x3000);
	ASSERT_EQ(op[0].gfn, 3);
	ASSERT_EQ(op[1].kind, KFP_OP_GPC_REFRESH);
	ASSERT_EQ(op[2].kind, KFP_OP_GPC_READ);
	ASSERT_EQ(op[3].kind, KFP_OP_GPC_WRITE);
	ASSERT_EQ(op[3].value, 9);
	ASSERT_EQ(op[4].kind, KFP_OP_GPC_DEACTIVATE);
	ASSERT_EQ(op[4].index, 0);
	ASSERT_EQ(sc.nr_gpcs, 3);
}

TEST(parse_op_mmap_anon)
{
	const struct kfp_op *op = host_op(HOST("\tmmap 0x100000 8 rw anon hugepage fixed\n"));

	ASSERT_EQ(op->kind, KFP_OP_MMAP);
	ASSERT_EQ(op->addr, 0x100000);
	ASSERT_EQ(op->count, 8);
	ASSERT_EQ(op->prot, PROT_READ | PROT_WRITE);
	ASSERT_EQ(op->backing, KFP_BACKING_ANON);
	ASSERT_EQ(op->object, -1);
	ASSERT_EQ(op->map_flags, KFP_MAP_HUGEPAGE | KFP_MAP_FIXED);
	ASSERT_EQ(op->flags, KFP_OPF_FIXED);
	ASSERT_EQ(op->pos.line, 11);
	ASSERT_EQ(op->pos.col, 2);
}

TEST(parse_op_mmap_objects)
{
	const struct kfp_op *op;

	ok("name t\nobject a hugetlb 8\nobject b device-mmio 4\nobject c file 4\nsetup {\n"
	   "\tmmap 0x1000 4 r hugetlb a pgoff 4 shared\n\tmmap 0x10000 4 none pfnmap b populate\n"
	   "\tmmap 0x20000 2 rw shared c pgoff 2\n\tmmap 0x30000 1 r mixedmap b\n"
	   "\tmmap 0x40000 4 rw file c\n}\nthread h {\n\tfork\n}\n");
	op = sc.setup;
	ASSERT_EQ(op[0].backing, KFP_BACKING_HUGETLB);
	ASSERT_EQ(op[0].object, 0);
	ASSERT_EQ(op[0].value, 4); /* pgoff */
	ASSERT_EQ(op[0].map_flags, KFP_MAP_SHARED);
	ASSERT_EQ(op[0].prot, PROT_READ);
	ASSERT_EQ(op[1].backing, KFP_BACKING_PFNMAP);
	ASSERT_EQ(op[1].object, 1);
	ASSERT_EQ(op[1].prot, PROT_NONE);
	ASSERT_EQ(op[1].map_flags, KFP_MAP_POPULATE);
	ASSERT_EQ(op[2].backing, KFP_BACKING_SHARED);
	ASSERT_EQ(op[2].map_flags, KFP_MAP_SHARED);
	ASSERT_EQ(op[2].value, 2);
	ASSERT_EQ(op[3].backing, KFP_BACKING_MIXEDMAP);
	ASSERT_EQ(op[4].backing, KFP_BACKING_FILE);
	ASSERT_EQ(op[4].object, 2);
	ASSERT_EQ(op[4].map_flags, 0);
	ASSERT_EQ(sc.nr_vcpus, 0);
}

TEST(parse_op_host_ranges)
{
	const struct kfp_op *op =
		host_op(HOST("\tmunmap 0x10000 2\n\tmprotect 0x11000 1 r\n"
			     "\tmadvise-dontneed 0x12000 3\n"
			     "\tmremap 0x10000 2 0x1fe000\n\treclaim 0x1000 4\n"));

	ASSERT_EQ(op[0].kind, KFP_OP_MUNMAP);
	ASSERT_EQ(op[0].addr, 0x10000);
	ASSERT_EQ(op[0].count, 2);
	ASSERT_EQ(op[1].kind, KFP_OP_MPROTECT);
	ASSERT_EQ(op[1].prot, PROT_READ);
	ASSERT_EQ(op[2].kind, KFP_OP_MADVISE_DONTNEED);
	ASSERT_EQ(op[2].count, 3);
	ASSERT_EQ(op[3].kind, KFP_OP_MREMAP);
	ASSERT_EQ(op[3].addr2, 0x1fe000);
	ASSERT_EQ(op[4].kind, KFP_OP_RECLAIM);
}

TEST(parse_op_host_misc)
{
	const struct kfp_op *op = host_op(HOST("\tmigrate 0x10000\n\tfork\n\tchild-exit\n"
					       "\tksm-merge 0x1000\n\trevoke o\n"
					       "\thost-read 0x11000\n\thost-write 0x11000 poison\n"
					       "\tpoison 0x12000\n\tvm-teardown\n\tmm-teardown\n"));

	ASSERT_EQ(op[0].kind, KFP_OP_MIGRATE);
	ASSERT_EQ(op[0].addr, 0x10000);
	ASSERT_EQ(op[1].kind, KFP_OP_FORK);
	ASSERT_EQ(op[2].kind, KFP_OP_CHILD_EXIT);
	ASSERT_EQ(op[3].kind, KFP_OP_KSM_MERGE);
	ASSERT_EQ(op[4].kind, KFP_OP_REVOKE);
	ASSERT_EQ(op[4].object, 0);
	ASSERT_EQ(op[5].kind, KFP_OP_HOST_READ);
	ASSERT_EQ(op[6].kind, KFP_OP_HOST_WRITE);
	ASSERT_TRUE(op[6].value == 0xaaaaaaaaaaaaaaaaULL);
	ASSERT_EQ(op[7].kind, KFP_OP_POISON);
	ASSERT_EQ(op[8].kind, KFP_OP_VM_TEARDOWN);
	ASSERT_EQ(op[9].kind, KFP_OP_MM_TEARDOWN);
}

TEST(parse_op_signal_forward_reference)
{
	ok("name t\nthread h {\n\tsignal w fatal\n\tsignal v\n}\nthread v vcpu {\n"
	   "\tread gfn 1 noslot\n}\nthread w vcpu {\n\tread gfn 1 noslot\n}\n");
	ASSERT_EQ(sc.thread[0].op[0].kind, KFP_OP_SIGNAL);
	ASSERT_EQ(sc.thread[0].op[0].thread, 2);
	ASSERT_EQ(sc.thread[0].op[0].flags, KFP_OPF_FATAL);
	ASSERT_EQ(sc.thread[0].op[1].thread, 1);
	ASSERT_EQ(sc.thread[0].op[1].flags, 0);
	ASSERT_EQ(sc.thread[1].vcpu, 0);
	ASSERT_EQ(sc.thread[2].vcpu, 1);
	ASSERT_EQ(sc.nr_vcpus, 2);
}

TEST(parse_op_memslot)
{
	const struct kfp_op *op = host_op(HOST("\tmemslot 7 as 1 gfn 16 pages 4 hva 0x20000 "
					       "log-dirty readonly\n\tmemslot 0 delete\n"
					       "\tmemslot 2 as 0 gfn 255 pages 1 hva 0x1ff000\n"));

	ASSERT_EQ(op[0].kind, KFP_OP_MEMSLOT);
	ASSERT_EQ(op[0].index, 7);
	ASSERT_EQ(op[0].as_id, 1);
	ASSERT_EQ(op[0].gfn, 16);
	ASSERT_EQ(op[0].count, 4);
	ASSERT_EQ(op[0].addr, 0x20000);
	ASSERT_EQ(op[0].flags, KFP_OPF_LOG_DIRTY | KFP_OPF_READONLY);
	ASSERT_EQ(op[1].index, 0);
	ASSERT_EQ(op[1].flags, KFP_OPF_DELETE);
	ASSERT_EQ(op[2].gfn, 255);
}

TEST(parse_results)
{
	ok(VCPU("\ta = read gfn 0\n\tread gfn 1\n\tb=lookup gfn 2\n") "thread w vcpu {\n"
								      "\ta = read gfn 3\n}\n");
	ASSERT_EQ(sc.nr_results, 3);
	assert_str("r0", sc.result[0].name, "a");
	ASSERT_EQ(sc.result[0].thread, 0);
	ASSERT_EQ(sc.result[0].op, 0);
	ASSERT_EQ(sc.result[1].op, 2);
	ASSERT_EQ(sc.result[2].thread, 1);
	ASSERT_EQ(sc.result[2].op, 0);
	ASSERT_EQ(sc.thread[0].op[0].result, 0);
	ASSERT_EQ(sc.thread[0].op[1].result, -1);
	ASSERT_EQ(sc.thread[0].op[2].result, 1);
	ASSERT_EQ(sc.thread[0].op[2].kind, KFP_OP_LOOKUP);
	ASSERT_EQ(sc.thread[1].op[0].result, 2);
	/* a result may be named like an op */
	ok(VCPU("\tread = read gfn 0\n"));
	assert_str("r0", sc.result[0].name, "read");
}

TEST(parse_expect_properties)
{
	const struct kfp_expect_block *b;

	ok(VCPU("\tread gfn 0\n") "expect upstream {\n\tnever P1\n\tsometimes P2\n"
				  "\taccepted P3\n\tnever invariant\n}\n");
	ASSERT_EQ(sc.nr_blocks, 1);
	b = &sc.block[0];
	ASSERT_EQ(b->design_mask, BIT(kfp_design_index("upstream")));
	ASSERT_EQ(b->nr, 4);
	ASSERT_EQ(b->pos.line, 10);
	ASSERT_EQ(b->expect[0].kind, KFP_EXPECT_NEVER);
	ASSERT_EQ(b->expect[0].property, KFP_PROPERTY_P1);
	ASSERT_EQ(b->expect[1].kind, KFP_EXPECT_SOMETIMES);
	ASSERT_EQ(b->expect[1].property, KFP_PROPERTY_P2);
	ASSERT_EQ(b->expect[2].kind, KFP_EXPECT_ACCEPTED);
	ASSERT_EQ(b->expect[2].property, KFP_PROPERTY_P3);
	ASSERT_EQ(b->expect[3].property, KFP_PROPERTY_INVARIANT);
	ASSERT_EQ(b->expect[3].pos.line, 14);
	ASSERT_EQ(b->expect[3].pos.col, 2);
}

/* never accepted P: "accepted" after "never" is a word of the expectation, not a property */
TEST(parse_expect_never_accepted)
{
	const struct kfp_expect_block *b;

	ok(VCPU("\tread gfn 0\n") "expect all {\n\tnever P3\n\tnever accepted P3\n}\n");
	b = &sc.block[0];
	ASSERT_EQ(b->nr, 2);
	ASSERT_EQ(b->expect[0].kind, KFP_EXPECT_NEVER);
	ASSERT_EQ(b->expect[1].kind, KFP_EXPECT_NEVER_ACCEPTED);
	ASSERT_EQ(b->expect[1].property, KFP_PROPERTY_P3);
	ASSERT_TRUE(kfp_expect_has_property(b->expect[1].kind));
}

TEST(parse_expect_values)
{
	const struct kfp_expect_block *b;

	ok(VCPU("\tr = read gfn 0\n\ts = read gfn 1\n") "expect all {\n\talways v.s == 3\n"
							"\talways v.r != poison\n\tsometimes v.s == -2 # c\n\tsometimes v.r != 0\n}\n");
	b = &sc.block[0];
	ASSERT_EQ(b->expect[0].kind, KFP_EXPECT_ALWAYS_VALUE);
	ASSERT_EQ(b->expect[0].result, 1);
	ASSERT_EQ(b->expect[0].negate, 0);
	ASSERT_EQ(b->expect[0].value, 3);
	ASSERT_EQ(b->expect[1].result, 0);
	ASSERT_EQ(b->expect[1].negate, 1);
	ASSERT_TRUE((u64)b->expect[1].value == 0xaaaaaaaaaaaaaaaaULL);
	ASSERT_EQ(b->expect[2].kind, KFP_EXPECT_SOMETIMES_VALUE);
	ASSERT_EQ(b->expect[2].value, -2);
	assert_str("text", b->expect[2].text, "sometimes v.s == -2");
	ASSERT_EQ(b->expect[3].kind, KFP_EXPECT_SOMETIMES_VALUE);
	ASSERT_EQ(b->expect[3].negate, 1);
}

TEST(parse_expect_outcome)
{
	const struct kfp_expectation *e;

	ok(VCPU("\tr = read gfn 0\n") "expect upstream {\n"
				      "\toutcome of v.r is ok | efault|hwpoison\n"
				      "\toutcome of v.r is not-run\n}\n");
	e = &sc.block[0].expect[0];
	ASSERT_EQ(e->kind, KFP_EXPECT_OUTCOME);
	ASSERT_EQ(e->result, 0);
	ASSERT_EQ(e->outcome_mask,
		  BIT(KFP_OUTCOME_OK) | BIT(KFP_OUTCOME_EFAULT) | BIT(KFP_OUTCOME_HWPOISON));
	assert_str("text", e->text, "outcome of v.r is ok | efault|hwpoison");
	ASSERT_EQ(e[1].outcome_mask, BIT(KFP_OUTCOME_NOT_RUN));
}

TEST(parse_expect_counts)
{
	const struct kfp_expectation *e;

	ok(VCPU("\tread gfn 0\n") "expect upstream {\n\trefcount of o[3] == 2\n"
				  "\tpins of o == 0\n}\n");
	e = sc.block[0].expect;
	ASSERT_EQ(e[0].kind, KFP_EXPECT_REFCOUNT);
	ASSERT_EQ(e[0].object, 0);
	ASSERT_EQ(e[0].page, 3);
	ASSERT_EQ(e[0].value, 2);
	ASSERT_EQ(e[0].result, -1);
	ASSERT_EQ(e[1].kind, KFP_EXPECT_PINS);
	ASSERT_EQ(e[1].page, 0);
	ASSERT_EQ(e[1].value, 0);
}

TEST(parse_expect_text_truncated)
{
	ok(VCPU("\tr = read gfn 0\n") "expect upstream {\n\toutcome of v.r is ok|efault|mmio|"
				      "hwpoison|eintr|einval|ebusy|eagain|enomem|eexist|enodev|eio|enoent|"
				      "other|not-run\n}\n");
	ASSERT_EQ(strlen(sc.block[0].expect[0].text), 95);
	ASSERT_EQ(sc.block[0].expect[0].outcome_mask, BIT(KFP_NR_OUTCOMES) - 1);
}

TEST(parse_expect_blocks_and_designs)
{
	ok(VCPU("\tread gfn 0\n") "expect all {\n}\nexpect upstream {\n\tnever P1\n}\n");
	ASSERT_EQ(sc.nr_blocks, 2);
	ASSERT_EQ(sc.block[0].design_mask, BIT(kfp_nr_designs) - 1);
	ASSERT_EQ(sc.block[0].nr, 0);
	ASSERT_EQ(sc.block[1].design_mask, BIT(kfp_design_index("upstream")));
}

TEST(parse_names_round_trip)
{
	unsigned int i;

	for (i = 0; i < KFP_NR_OUTCOMES; i++)
		ASSERT_EQ(kfp_outcome_by_name(kfp_outcome_name(i)), i);
	ASSERT_EQ(kfp_outcome_by_name("nope"), -1);
	assert_str("outcome", kfp_outcome_name(KFP_OUTCOME_EFAULT), "efault");
	assert_str("op", kfp_op_name(KFP_OP_MADVISE_DONTNEED), "madvise-dontneed");
	assert_str("op", kfp_op_name(KFP_OP_GFN_TO_PAGE), "gfn-to-page");
	assert_str("bad op", kfp_op_name(KFP_NR_OP_KINDS), "?");
	for (i = 0; i < KFP_NR_OP_KINDS; i++)
		ASSERT_TRUE(strcmp(kfp_op_name(i), "?") != 0);
}

TEST(parse_comments_crlf_blank_lines)
{
	ok("# header\r\n\r\nname t # c\r\n  \t\r\nthread v vcpu { # c\r\n\tread gfn 1 noslot "
	   "# c\r\n\r\n} # c\r\n# trailer");
	ASSERT_EQ(sc.thread[0].nr_ops, 1);
	ASSERT_EQ(sc.thread[0].op[0].pos.line, 6);
}

TEST(parse_gfn_coverage)
{
	/* a memslot added by a thread covers too */
	ok("name t\nthread h {\n\tmemslot 1 gfn 8 pages 2 hva 0x1000\n}\n"
	   "thread v vcpu {\n\tread gfn 9\n\tlookup gfn 100 noslot\n}\n");
	bad("name t\nthread h {\n\tmemslot 1 gfn 8 pages 2 hva 0x1000\n}\n"
	    "thread v vcpu {\n\tread gfn 10\n}\n",
	    PATH ":6:2: gfn 10 is not covered by any memslot (add one, or mark the op 'noslot')");
	bad("name t\nthread v vcpu {\n\tgpc-activate gpa 0x8000\n}\n",
	    PATH ":3:2: gfn 8 is not covered by any memslot (add one, or mark the op 'noslot')");
}

TEST(parse_never_reads_past_len)
{
	static const char text[] = "name t\nthread v vcpu {\n\tread gfn 1 noslot\n}\n";
	char *copy = malloc(sizeof(text) - 1);

	ASSERT_TRUE(copy != NULL);
	memcpy(copy, text, sizeof(text) - 1);
	ASSERT_EQ(kfp_scenario_parse(PATH, copy, sizeof(text) - 1, &sc, err, sizeof(err)), 0);
	/* cut inside the block: unterminated */
	ASSERT_EQ(kfp_scenario_parse(PATH, copy, 30, &sc, err, sizeof(err)), -EINVAL);
	free(copy);
	assert_str("error", err, PATH ":3:7: expected 'gfn', found 'g'");
	ASSERT_EQ(kfp_scenario_parse(PATH, "", 0, &sc, err, sizeof(err)), -EINVAL);
	assert_str("error", err, PATH ":1:1: missing 'name'");
	/* a tiny error buffer is not overrun */
	ASSERT_EQ(kfp_scenario_parse(PATH, "x", 1, &sc, err, 4), -EINVAL);
	assert_str("error", err, "t.k");
}

/* ---- errors ---------------------------------------------------------------- */

TEST(parse_error_unknown_keyword)
{
	bad("name t\nthraed v vcpu {\n}\n",
	    PATH ":2:1: unknown keyword 'thraed' (expected name, doc, param, object, setup, "
		 "thread or expect)");
	bad("name t\n{\n", PATH ":2:1: unknown keyword '{' (expected name, doc, param, object, "
				"setup, thread or expect)");
}

TEST(parse_error_unknown_op)
{
	bad(VCPU("\tread gfn 0\n\treed gfn 0\n"), PATH ":9:2: unknown operation 'reed'");
	bad(VCPU("\tr = 5\n"), PATH ":8:6: expected an operation, found '5'");
	bad(VCPU("\tread page 0\n"), PATH ":8:7: expected 'gfn', found 'page'");
	bad(VCPU("\tlookup gfn 0 pin fatal\n"), PATH ":8:19: unknown option 'fatal' for 'lookup'");
	bad(VCPU("\tlookup gfn 0 pin pin\n"), PATH ":8:19: duplicate option 'pin'");
}

TEST(parse_error_name_missing_or_duplicate)
{
	bad("thread v vcpu {\n\tread gfn 1 noslot\n}\n", PATH ":1:1: missing 'name'");
	bad("name a\nname b\n", PATH ":2:1: duplicate 'name'");
	bad("name\n", PATH ":1:5: expected a scenario name");
	bad("name a b\n", PATH ":1:8: unexpected 'b' after the end of the statement");
}

TEST(parse_error_unterminated)
{
	bad("name t\nthread v vcpu {\n\tread gfn 1 noslot\n",
	    PATH ":2:15: unterminated thread block: missing '}'");
	bad("name t\nsetup {\n", PATH ":2:7: unterminated setup block: missing '}'");
	bad("name t\ndoc {\n text\n", PATH ":2:5: unterminated doc block: missing '}'");
	bad("name t\ndoc { text\n}\n", PATH ":2:7: expected end of line after 'doc {'");
	bad("name t\nthread v vcpu { read gfn 1 }\n",
	    PATH ":2:17: unexpected 'read' after the end of the statement");
}

TEST(parse_error_wrong_side)
{
	bad(HOST("\tread gfn 0\n"),
	    PATH ":11:2: 'read' is a vCPU operation, not allowed in host thread 'h'");
	bad(VCPU("\tfork\n"),
	    PATH ":8:2: 'fork' is a host operation, not allowed in vCPU thread 'v'");
	bad("name t\nsetup {\n\tpage-read\n}\n",
	    PATH ":3:2: 'page-read' is a vCPU operation, not allowed in setup");
	bad("name t\nsetup {\n\tx = fork\n}\n", PATH ":3:2: results cannot be named in setup");
}

TEST(parse_error_unknown_names)
{
	bad(HOST("\trevoke p\n"), PATH ":11:9: unknown object 'p'");
	bad(HOST("\tsignal w\n"), PATH ":11:9: unknown thread 'w'");
	bad(HOST("\tsignal h\n"), PATH ":11:9: signal target 'h' is not a vCPU thread");
	bad(VCPU("\tread gfn 0\n") "expect upstream {\n\talways v.x == 1\n}\n",
	    PATH ":11:9: unknown result 'v.x'");
	bad(VCPU("\tread gfn 0\n") "expect upstream {\n\talways w.x == 1\n}\n",
	    PATH ":11:9: unknown thread 'w'");
	bad(VCPU("\tread gfn 0\n") "expect upstream {\n\trefcount of p == 1\n}\n",
	    PATH ":11:14: unknown object 'p'");
}

/* "unknown design" names every design of kfp_designs[], in its order. */
static void unknown_design_message(char *want, size_t len)
{
	char known[256] = "";
	unsigned int i;

	for (i = 0; i < kfp_nr_designs; i++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
			 i ? ", " : "", kfp_designs[i]->name);
	snprintf(want, len, PATH ":10:18: unknown design 'tdp' (known: %s, or all)", known);
}

TEST(parse_error_unknown_design_injection_outcome_property)
{
	char want[KFP_ERROR_LEN];

	unknown_design_message(want, sizeof(want));
	bad(VCPU("\tread gfn 0\n") "expect upstream, tdp {\n}\n", want);
	bad("name t\nparam inject skip-retry\n", PATH ":2:14: unknown injection 'skip-retry'");
	bad("name t\nparam frob 1\n",
	    PATH ":2:7: expected 'allow_unsafe_mappings' or 'inject', found 'frob'");
	bad(VCPU("\tr = read gfn 0\n") "expect upstream {\n\toutcome of v.r is ok|efualt\n}\n",
	    PATH ":11:23: unknown outcome 'efualt'");
	bad(VCPU("\tread gfn 0\n") "expect upstream {\n\tnever P4\n}\n",
	    PATH ":11:8: unknown property 'P4' (expected P1, P2, P3 or invariant)");
	bad(VCPU("\tread gfn 0\n") "expect upstream {\n\tusually P1\n}\n",
	    PATH ":11:2: unknown expectation 'usually' (expected never, sometimes, accepted, "
		 "always, outcome, refcount or pins)");
	bad("name t\nobject a ram 4\n",
	    PATH ":2:10: unknown object kind 'ram' (expected shmem, file, hugetlb, device-mmio, "
		 "driver-pages, ttm, reserved or zone-device)");
}

TEST(parse_error_duplicates)
{
	bad("name t\nobject a shmem 1\nobject a file 1\n", PATH ":3:8: duplicate object 'a'");
	bad(VCPU("\tread gfn 0\n") "thread v {\n\tfork\n}\n", PATH ":10:8: duplicate thread 'v'");
	bad(VCPU("\tx = read gfn 0\n\tx = read gfn 1\n"),
	    PATH ":9:2: duplicate result 'x' in thread 'v'");
	bad(VCPU("\tread gfn 0\n") "expect upstream, upstream {\n}\n",
	    PATH ":10:18: design 'upstream' named twice");
	bad(VCPU("\tread gfn 0\n") "expect all, upstream {\n}\n",
	    PATH ":10:13: design 'upstream' named twice");
}

TEST(parse_error_numbers)
{
	bad(VCPU("\twrite gfn 0 18446744073709551616\n"),
	    PATH ":8:14: number out of range (64 bits)");
	bad(VCPU("\twrite gfn 0 0x10000000000000000\n"),
	    PATH ":8:14: number out of range (64 bits)");
	bad(VCPU("\twrite gfn 0 12ab\n"), PATH ":8:14: malformed number");
	bad(VCPU("\twrite gfn 0 0x\n"), PATH ":8:14: malformed number");
	bad(VCPU("\tread gfn -1\n"), PATH ":8:11: expected gfn, found '-1'");
	bad(VCPU("\tread gfn 256 noslot\n"), PATH ":8:11: gfn 256 out of range (must be < 256)");
	bad("name t\nparam allow_unsafe_mappings 2\n",
	    PATH ":2:29: allow_unsafe_mappings 2 out of range (must be < 2)");
}

TEST(parse_error_addresses)
{
	bad(HOST("\tmunmap 0x10001 1\n"), PATH ":11:9: address 0x10001 is not page-aligned");
	bad(HOST("\tmigrate 0\n"),
	    PATH ":11:10: address 0x0 outside the modelled hva space [0x1000, 0x200000)");
	bad(HOST("\thost-read 0x200000\n"),
	    PATH ":11:12: address 0x200000 outside the modelled hva space [0x1000, 0x200000)");
	bad(HOST("\tmunmap 0x1ff000 2\n"),
	    PATH ":11:18: 2 pages from 0x1ff000 go beyond the modelled hva space (0x200000)");
	bad(HOST("\tmremap 0x1000 2 0x1ff000\n"),
	    PATH ":11:18: 2 pages from 0x1ff000 go beyond the modelled hva space (0x200000)");
	bad(VCPU("\tgpc-activate gpa 0x1800\n"), PATH ":8:19: gpa 0x1800 is not page-aligned");
	bad(VCPU("\tgpc-activate gpa 0x100000 noslot\n"),
	    PATH ":8:19: gpa 0x100000 out of range (must be < 0x100000)");
}

TEST(parse_error_pages)
{
	bad(HOST("\tmunmap 0x10000 0\n"), PATH ":11:17: page count must be > 0");
	bad(HOST("\tmmap 0x20000 4 rw shared o pgoff 1\n"),
	    PATH ":11:35: pgoff 1 + 4 pages is beyond object 'o' (4 pages)");
	bad(HOST("\tmmap 0x20000 1 rw shared o pgoff 4\n"),
	    PATH ":11:35: pgoff 4 + 1 pages is beyond object 'o' (4 pages)");
	bad(HOST("\tmmap 0x20000 5 rw shared o\n"),
	    PATH ":11:27: pgoff 0 + 5 pages is beyond object 'o' (4 pages)");
	bad("name t\nobject a shmem 0\n", PATH ":2:16: object pages 0 out of range (1..32)");
	bad("name t\nobject a shmem 33\n", PATH ":2:16: object pages 33 out of range (1..32)");
	bad(HOST("\tmemslot 1 gfn 250 pages 7 hva 0x1000\n"),
	    PATH ":11:26: 7 pages from gfn 250 go beyond gfn 256");
	bad(VCPU("\tread gfn 0\n") "expect upstream {\n\tpins of o[4] == 0\n}\n",
	    PATH ":11:12: page 4 out of range (object 'o' has 4 pages)");
}

TEST(parse_error_mmap_shape)
{
	bad(HOST("\tmmap 0x20000 1 rw shared\n"),
	    PATH ":11:26: mmap with backing 'shared' needs an object");
	bad(HOST("\tmmap 0x20000 1 rw anon o\n"), PATH ":11:25: an anon mapping takes no object");
	bad(HOST("\tmmap 0x20000 1 rw hugetlb o\n"),
	    PATH ":11:20: a hugetlb mapping must be 'shared'");
	bad(HOST("\tmmap 0x20000 1 rwx anon\n"),
	    PATH ":11:17: expected a protection (none, r or rw), found 'rwx'");
	bad(HOST("\tmmap 0x20000 1 rw heap\n"),
	    PATH ":11:20: expected a backing (anon, shared, file, hugetlb, pfnmap or mixedmap), "
		 "found 'heap'");
	bad(HOST("\tmmap 0x20000 1 rw anon locked\n"),
	    PATH ":11:25: unknown option 'locked' for 'mmap'");
	bad(HOST("\tmmap 0x20000 1 rw anon pgoff 1\n"), PATH ":11:31: pgoff needs an object");
}

TEST(parse_error_indexes)
{
	bad(VCPU("\tmap gfn 0 index 2\n"), PATH ":8:18: map index 2 out of range (must be < 2)");
	bad(VCPU("\tgpc-read index 4\n"), PATH ":8:17: gpc index 4 out of range (must be < 4)");
	bad(HOST("\tmemslot 8 delete\n"), PATH ":11:10: memslot id 8 out of range (must be < 8)");
	bad(HOST("\tmemslot 1 as 2 delete\n"),
	    PATH ":11:15: address space 2 out of range (must be < 2)");
	bad(HOST("\tmemslot 1 as 1\n"),
	    PATH ":11:16: expected 'gfn' or 'delete', found end of line");
}

static void repeat(char *buf, size_t size, const char *head, const char *line, unsigned int n,
		   const char *tail)
{
	size_t used = (size_t)snprintf(buf, size, "%s", head);

	while (n--)
		used += (size_t)snprintf(buf + used, size - used, "%s", line);
	snprintf(buf + used, size - used, "%s", tail);
}

TEST(parse_error_too_many)
{
	static char buf[16384];

	repeat(buf, sizeof(buf), "name t\n", "object o%u shmem 1\n", 0, "");
	bad("name t\nobject a shmem 1\nobject b shmem 1\nobject c shmem 1\nobject d shmem 1\n"
	    "object e shmem 1\nobject f shmem 1\nobject g shmem 1\nobject h shmem 1\n"
	    "object i shmem 1\n",
	    PATH ":10:1: too many objects (max 8)");
	repeat(buf, sizeof(buf), "name t\nthread v vcpu {\n", "\tread gfn 1 noslot\n", 33, "}\n");
	bad(buf, PATH ":35:2: too many operations in thread 'v' (max 32)");
	repeat(buf, sizeof(buf), "name t\nsetup {\n", "\tfork\n", 49, "}\n");
	bad(buf, PATH ":51:2: too many operations in setup (max 48)");
	bad("name t\nthread a {\n\tfork\n}\nthread b {\n\tfork\n}\nthread c {\n\tfork\n}\n"
	    "thread d {\n\tfork\n}\nthread e {\n\tfork\n}\n",
	    PATH ":14:1: too many threads (max 4)");
	repeat(buf, sizeof(buf), VCPU("\tr = read gfn 0\n") "expect all {\n", "\tnever P1\n", 33,
	       "}\n");
	bad(buf, PATH ":43:2: too many expectations in one block (max 32)");
	repeat(buf, sizeof(buf), VCPU("\tr = read gfn 0\n"), "expect all {\n}\n", 9, "");
	bad(buf, PATH ":26:1: too many expect blocks (max 8)");
}

TEST(parse_error_too_many_results)
{
	static char buf[16384];
	size_t used = (size_t)snprintf(buf, sizeof(buf), "name t\n");
	unsigned int t, i;

	for (t = 0; t < 3; t++) {
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "thread t%u vcpu {\n", t);
		for (i = 0; i < 22; i++)
			used += (size_t)snprintf(buf + used, sizeof(buf) - used,
						 "\tr%u = read gfn 1 noslot\n", i);
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "}\n");
	}
	/* result 65 is the 21st op of t2: line 1 + 2 * 24 + 1 + 21 */
	bad(buf, PATH ":71:2: too many results (max 64)");
}

TEST(parse_error_names_too_long)
{
	bad("name t\nobject a23456789012345678901234567890123 shmem 1\n",
	    PATH ":2:8: an object name 'a23456789012345678901234567890123' is too long (max 31 "
		 "characters)");
	bad("name a234567890123456789012345678901234567890123456789012345678901234\n",
	    PATH ":1:6: scenario name too long (max 63 characters)");
}

TEST(parse_error_memslot_overlap)
{
	bad("name t\nsetup {\n\tmemslot 0 gfn 0 pages 16 hva 0x1000\n"
	    "\tmemslot 1 as 1 gfn 8 pages 4 hva 0x1000\n"
	    "\tmemslot 2 gfn 15 pages 2 hva 0x20000\n}\n",
	    PATH ":5:2: memslot 2 (gfns 15-16) overlaps memslot 0 (gfns 0-15) in address space 0");
	/* deleting or replacing a slot first is fine */
	ok("name t\nsetup {\n\tmemslot 0 gfn 0 pages 16 hva 0x1000\n\tmemslot 0 delete\n"
	   "\tmemslot 2 gfn 15 pages 2 hva 0x20000\n\tmemslot 2 gfn 0 pages 1 hva 0x20000\n"
	   "\tmemslot 3 gfn 1 pages 1 hva 0x20000\n}\nthread v vcpu {\n\tread gfn 1\n}\n");
}

TEST(parse_error_not_text)
{
	static const char nul[] = "name t\nthread v vcpu {\n\tread\0 gfn 1\n}\n";

	ASSERT_EQ(kfp_scenario_parse(PATH, nul, sizeof(nul) - 1, &sc, err, sizeof(err)), -EINVAL);
	assert_str("error", err, PATH ":3:6: NUL byte: not a text file");
	bad("name t\n\x01", PATH ":2:1: control character 0x01: not a text file");
	bad("name t # caf\xc3\xa9 \x7f", PATH ":1:15: control character 0x7f: not a text file");
	bad("name t # \xc3\xa9\xff", PATH ":1:11: invalid UTF-8: not a text file");
	bad("name t # \xe2\x82", PATH ":1:10: invalid UTF-8: not a text file");
	bad("name t # \xc0\xaf", PATH ":1:10: invalid UTF-8: not a text file");
	bad("name t # \xed\xa0\x80", PATH ":1:10: invalid UTF-8: not a text file");
	bad("name t \xc3\xa9\n", PATH ":1:8: unexpected non-ASCII character");
	bad("name t\n@\n", PATH ":2:1: unexpected character '@'");
}

TEST(parse_error_no_threads_or_ops)
{
	bad("name t\nobject o shmem 1\n",
	    PATH ":1:1: no threads: a scenario needs at least one 'thread'");
	bad("name t\nthread v vcpu {\n\n}\n", PATH ":2:1: thread 'v' has no operations");
}

TEST(parse_error_expectation_syntax)
{
	bad(VCPU("\tr = read gfn 0\n") "expect upstream {\n\talways v.r = 1\n}\n",
	    PATH ":11:13: expected '==' or '!=', found '='");
	bad(VCPU("\tr = read gfn 0\n") "expect upstream {\n\talways v r == 1\n}\n",
	    PATH ":11:11: expected '.', found 'r'");
	bad(VCPU("\tr = read gfn 0\n") "expect upstream {\n\trefcount of o != 1\n}\n",
	    PATH ":11:16: expected '==', found '!='");
	bad(VCPU("\tr = read gfn 0\n") "expect upstream {\n\toutcome v.r is ok\n}\n",
	    PATH ":11:10: expected 'of', found 'v'");
	bad(VCPU("\tr = read gfn 0\n") "expect upstream {\n\tnever P1 P2\n}\n",
	    PATH ":11:11: unexpected 'P2' after the end of the statement");
	bad(VCPU("\tr = read gfn 0\n") "expect {\n}\n",
	    PATH ":10:8: expected a design name, found '{'");
}

TEST(parse_load_missing_file)
{
	ASSERT_EQ(kfp_scenario_load("tests/scenario/no-such-file.kfp", &sc, err, sizeof(err)),
		  -EINVAL);
	assert_str("error", err,
		   "tests/scenario/no-such-file.kfp:0:0: cannot open: No such file or directory");
}

/* ---- the example files ----------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Sorted paths of the .kfp files in @dir; returns how many (at most @max). */
static unsigned int list_kfp(const char *dir, char names[][256], unsigned int max)
{
	size_t dlen = strlen(dir), len;
	struct dirent *de;
	unsigned int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		len = strlen(de->d_name);
		if (len < 5 || dlen + len + 2 > 256 || strcmp(de->d_name + len - 4, ".kfp"))
			continue;
		memcpy(names[n], dir, dlen);
		names[n][dlen] = '/';
		memcpy(names[n] + dlen + 1, de->d_name, len + 1);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	return n;
}

static char names[256][256];

/*
 * First line "# error: LINE:COL: MESSAGE" -> "path:LINE:COL: MESSAGE"; a
 * MESSAGE ending in "..." is matched as a prefix.
 */
static bool expected_error(const char *path, char *want, size_t size)
{
	char line[KFP_ERROR_LEN];
	FILE *f = fopen(path, "rb");
	bool found = false;

	want[0] = '\0';
	if (!f)
		return false;
	if (fgets(line, sizeof(line), f) && !strncmp(line, "# error: ", 9)) {
		line[strcspn(line, "\r\n")] = '\0';
		size_t n = strlen(path);

		if (n + 1 + strlen(line + 9) < size) {
			memcpy(want, path, n);
			want[n] = ':';
			strcpy(want + n + 1, line + 9);
		}
		found = true;
	}
	fclose(f);
	return found;
}

TEST(parse_bad_files)
{
	char want[KFP_ERROR_LEN + 300];
	unsigned int n, i;

	n = list_kfp("tests/scenario/bad", names, 256);
	if (!n)
		SKIP("tests/scenario/bad not found (run from the top directory)");
	ASSERT_GE(n, 30);
	for (i = 0; i < n; i++) {
		if (!expected_error(names[i], want, sizeof(want))) {
			kfp_test_diag("%s: first line is not '# error: LINE:COL: MESSAGE'",
				      names[i]);
			kfp_test_fail();
		}
		ASSERT_EQ(kfp_scenario_load(names[i], &sc, err, sizeof(err)), -EINVAL);
		/* a message ending in "..." is a prefix, e.g. before a list that grows */
		if (strlen(want) > 3 && !strcmp(want + strlen(want) - 3, "...") &&
		    !strncmp(err, want, strlen(want) - 3))
			continue;
		assert_str(names[i], err, want);
	}
}

TEST(parse_good_files)
{
	unsigned int n, i;
	int ret;

	n = list_kfp("tests/scenario/good", names, 256);
	if (!n)
		SKIP("tests/scenario/good not found (run from the top directory)");
	for (i = 0; i < n; i++) {
		ret = kfp_scenario_load(names[i], &sc, err, sizeof(err));
		if (ret)
			kfp_test_diag("%s", err);
		ASSERT_EQ(ret, 0);
		ASSERT_GT(sc.nr_threads, 0);
	}
}
