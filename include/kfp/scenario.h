/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scenarios: a .kfp file parsed and checked into plain data (this header),
 * then run under the explorer for each design variant (scenario/run.c).
 * The grammar is in docs/scenario-format.md.
 */
#ifndef KFP_SCENARIO_H
#define KFP_SCENARIO_H

#include <stdio.h>

#include <kfp/check.h>
#include <kfp/explore.h>
#include <kfp/trace.h>
#include <kfp/verdict.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KFP_NAME_LEN 32
#define KFP_DOC_LEN 4096
#define KFP_SCENARIO_MAX_OBJECTS 8
#define KFP_SCENARIO_MAX_SETUP 48
#define KFP_SCENARIO_MAX_THREADS 4
#define KFP_SCENARIO_MAX_OPS 32
#define KFP_SCENARIO_MAX_RESULTS 64
#define KFP_SCENARIO_MAX_EXPECT_BLOCKS 8
#define KFP_SCENARIO_MAX_EXPECTATIONS 32
/* a design's expectations: every block may name it, and the runner checks all */
#define KFP_SCENARIO_MAX_CHECKED (KFP_SCENARIO_MAX_EXPECT_BLOCKS * KFP_SCENARIO_MAX_EXPECTATIONS)
#define KFP_ERROR_LEN 512

/* ---- operations ------------------------------------------------------------ */

enum kfp_op_kind {
	/* vCPU side (a thread declared "vcpu") */
	KFP_OP_GUEST_READ, /* read gfn G            -> value, outcome */
	KFP_OP_GUEST_WRITE, /* write gfn G V          -> outcome */
	KFP_OP_LOOKUP, /* lookup gfn G [write] [nowait] [interruptible] [pin]: kvm_follow_pfn
				* then release what it returned -> value = pfn, outcome */
	KFP_OP_VCPU_MAP, /* map gfn G [index I] [readonly] -> outcome */
	KFP_OP_MAP_READ, /* map-read [index I]     -> value, outcome */
	KFP_OP_MAP_WRITE, /* map-write [index I] V  -> outcome */
	KFP_OP_VCPU_UNMAP, /* unmap [index I] */
	KFP_OP_GFN_TO_PAGE, /* gfn-to-page G [write] -> outcome */
	KFP_OP_PAGE_READ, /* page-read              -> value, outcome */
	KFP_OP_PAGE_WRITE, /* page-write V           -> outcome */
	KFP_OP_PAGE_RELEASE, /* page-release [dirty] */
	KFP_OP_GPC_ACTIVATE, /* gpc-activate [index I] gpa A -> outcome */
	KFP_OP_GPC_REFRESH, /* gpc-refresh [index I]  -> outcome */
	KFP_OP_GPC_READ, /* gpc-read [index I]     -> value, outcome */
	KFP_OP_GPC_WRITE, /* gpc-write [index I] V  -> outcome */
	KFP_OP_GPC_DEACTIVATE, /* gpc-deactivate [index I] */
	KFP_OP_ENTER_SMM, /* enter-smm: the vCPU now uses address space 1 */
	KFP_OP_LEAVE_SMM, /* leave-smm: back to address space 0 */
	/* host side (any thread; also allowed in setup) */
	KFP_OP_MMAP, /* mmap VMA-SPEC [fixed]  -> outcome */
	KFP_OP_MUNMAP, /* munmap A N             -> outcome */
	KFP_OP_MPROTECT, /* mprotect A N PROT      -> outcome */
	KFP_OP_MADVISE_DONTNEED, /* madvise-dontneed A N -> outcome */
	KFP_OP_MREMAP, /* mremap A N B           -> outcome */
	KFP_OP_MIGRATE, /* migrate A              -> outcome */
	KFP_OP_RECLAIM, /* reclaim A N            -> outcome */
	KFP_OP_FORK, /* fork                   -> outcome */
	KFP_OP_CHILD_EXIT, /* child-exit */
	KFP_OP_KSM_MERGE, /* ksm-merge A            -> outcome */
	KFP_OP_REVOKE, /* revoke OBJECT          -> outcome */
	KFP_OP_HOST_READ, /* host-read A            -> value, outcome */
	KFP_OP_HOST_WRITE, /* host-write A V         -> outcome */
	KFP_OP_POISON, /* poison A: memory_failure() of the pfn mapped at A */
	KFP_OP_SIGNAL, /* signal THREAD [fatal] */
	KFP_OP_MEMSLOT, /* memslot ID [as N] gfn G pages N hva A [readonly] [log-dirty];
				* memslot ID delete -> outcome */
	KFP_OP_VM_TEARDOWN, /* vm-teardown */
	KFP_OP_MM_TEARDOWN, /* mm-teardown */
	KFP_NR_OP_KINDS,
};

/* Flags of an operation. */
#define KFP_OPF_WRITE BIT(0)
#define KFP_OPF_NOWAIT BIT(1)
#define KFP_OPF_INTERRUPTIBLE BIT(2)
#define KFP_OPF_PIN BIT(3)
#define KFP_OPF_READONLY BIT(4) /* map: read-only; memslot: KVM_MEM_READONLY */
#define KFP_OPF_DIRTY BIT(5)
#define KFP_OPF_FATAL BIT(6)
#define KFP_OPF_FIXED BIT(7)
#define KFP_OPF_LOG_DIRTY BIT(8)
#define KFP_OPF_DELETE BIT(9)
/* parser only, in an op's allowed options: the gfn needs no memslot (never in a parsed op) */
#define KFP_OPF_NOSLOT BIT(15)

struct kfp_source_pos {
	u32 line, col;
};

struct kfp_op {
	u8 kind; /* enum kfp_op_kind */
	s8 result; /* index in scenario->result[], -1 when unnamed */
	s8 object; /* KFP_OP_REVOKE, KFP_OP_MMAP: scenario object, -1 none */
	s8 thread; /* KFP_OP_SIGNAL: target thread */
	u16 flags; /* KFP_OPF_* */
	u8 index; /* map / gpc index, memslot id */
	u8 as_id; /* memslot address space */
	u8 prot; /* PROT_* for mmap/mprotect */
	u8 backing; /* enum kfp_backing for mmap */
	u16 map_flags; /* KFP_MAP_* for mmap */
	u64 addr; /* hva or gpa */
	u64 addr2; /* mremap target */
	u64 count; /* pages */
	u64 gfn;
	u64 value;
	struct kfp_source_pos pos;
};

/* ---- what a scenario declares --------------------------------------------- */

struct kfp_scenario_object {
	char name[KFP_NAME_LEN];
	u8 kind; /* enum kfp_memory_object_kind */
	u8 fault_retries;
	u16 pages;
	struct kfp_source_pos pos;
};

struct kfp_scenario_thread {
	char name[KFP_NAME_LEN];
	u8 is_vcpu;
	u8 vcpu; /* vCPU index when is_vcpu */
	u16 nr_ops;
	struct kfp_op op[KFP_SCENARIO_MAX_OPS];
	struct kfp_source_pos pos;
};

/* A named result: "vcpu0.r1" is thread vcpu0's op named r1. */
struct kfp_scenario_result {
	char name[KFP_NAME_LEN]; /* the op's name, without the thread */
	u8 thread;
	u8 op;
};

/* Outcomes an expectation can name: the guest-visible ones and errnos. */
enum kfp_outcome {
	KFP_OUTCOME_OK,
	KFP_OUTCOME_EFAULT,
	KFP_OUTCOME_MMIO,
	KFP_OUTCOME_HWPOISON,
	KFP_OUTCOME_EINTR,
	KFP_OUTCOME_EINVAL,
	KFP_OUTCOME_EBUSY,
	KFP_OUTCOME_EAGAIN,
	KFP_OUTCOME_ENOMEM,
	KFP_OUTCOME_EEXIST,
	KFP_OUTCOME_ENODEV,
	KFP_OUTCOME_EIO,
	KFP_OUTCOME_ENOENT,
	KFP_OUTCOME_OTHER, /* any other errno */
	KFP_OUTCOME_NOT_RUN, /* the op did not run (thread stopped early) */
	KFP_NR_OUTCOMES,
};

const char *kfp_outcome_name(enum kfp_outcome outcome);
int kfp_outcome_by_name(const char *name); /* -1 if unknown */

enum kfp_expect_kind {
	KFP_EXPECT_NEVER, /* never P: no execution has an unaccepted P violation */
	KFP_EXPECT_SOMETIMES, /* sometimes P: some execution has one */
	KFP_EXPECT_ACCEPTED, /* accepted P: some execution reports P as accepted, none unaccepted */
	KFP_EXPECT_ALWAYS_VALUE, /* always R == V / != V */
	KFP_EXPECT_SOMETIMES_VALUE, /* sometimes R == V / != V */
	KFP_EXPECT_OUTCOME, /* outcome of R is o1|o2|...: in every execution */
	KFP_EXPECT_REFCOUNT, /* final refcount of OBJECT[I] == V (at the end of the threads) */
	KFP_EXPECT_PINS, /* final pins of OBJECT[I] == V */
	KFP_EXPECT_NEVER_ACCEPTED, /* never accepted P: no execution reports P as accepted */
};

/* The expectations about a property (P1..P3, invariant), not a value. */
static inline bool kfp_expect_has_property(unsigned int kind)
{
	return kind == KFP_EXPECT_NEVER || kind == KFP_EXPECT_SOMETIMES ||
	       kind == KFP_EXPECT_ACCEPTED || kind == KFP_EXPECT_NEVER_ACCEPTED;
}

struct kfp_expectation {
	u8 kind; /* enum kfp_expect_kind */
	u8 property; /* kfp_expect_has_property(): enum kfp_property (P1..P3, invariant) */
	u8 negate; /* VALUE: != instead of == */
	s8 result; /* VALUE/OUTCOME: scenario->result[] index */
	s8 object; /* REFCOUNT/PINS */
	u8 pad;
	u16 page; /* REFCOUNT/PINS: page index in the object */
	u32 outcome_mask; /* OUTCOME: bit per enum kfp_outcome */
	s64 value;
	struct kfp_source_pos pos;
	char text[96]; /* the expectation as written, for reports */
};

struct kfp_expect_block {
	u32 design_mask; /* bit per kfp_designs[] index */
	u16 nr;
	struct kfp_expectation expect[KFP_SCENARIO_MAX_EXPECTATIONS];
	struct kfp_source_pos pos;
};

struct kfp_scenario {
	char path[256];
	char name[64];
	struct kfp_source_pos name_pos; /* where the name is written */
	char doc[KFP_DOC_LEN];
	u8 allow_unsafe_mappings;
	u32 inject; /* enum kvm_injection bits from "param inject = ..." */
	u8 nr_objects, nr_setup, nr_threads, nr_results, nr_blocks;
	u8 nr_vcpus, nr_gpcs;
	struct kfp_scenario_object object[KFP_SCENARIO_MAX_OBJECTS];
	struct kfp_op setup[KFP_SCENARIO_MAX_SETUP];
	struct kfp_scenario_thread thread[KFP_SCENARIO_MAX_THREADS];
	struct kfp_scenario_result result[KFP_SCENARIO_MAX_RESULTS];
	struct kfp_expect_block block[KFP_SCENARIO_MAX_EXPECT_BLOCKS];
};

/* ---- parsing --------------------------------------------------------------- */

/*
 * Parse and check @text (of @len bytes, from @path).  0 on success; on
 * error -EINVAL and @error holds "path:line:col: message".  Never reads
 * past @len; rejects NUL bytes and non-text input.
 */
int kfp_scenario_parse(const char *path, const char *text, size_t len,
		       struct kfp_scenario *scenario, char *error, size_t error_size);
/* Read @path and parse it; errors as above (a file that cannot be read is path:0:0). */
int kfp_scenario_load(const char *path, struct kfp_scenario *scenario, char *error,
		      size_t error_size);

/*
 * Is the scenario named after its file (name "foo" in .../foo.kfp)?  A
 * name that differs makes a reader look for the wrong file; the command
 * line warns at name_pos.
 */
bool kfp_scenario_named_after_file(const struct kfp_scenario *scenario);
/* ---- the op table (scenario/ops.c) ------------------------------------------ */

/* What an op's runner works on. */
struct kfp_op_env {
	struct kvm *kvm;
	struct kfp_mm *mm;
	struct kvm_vcpu *vcpu; /* a vCPU op's vCPU; NULL on the host side */
	const s8 *object_id; /* scenario object -> mm object */
};

/* Run @op; a result's value goes to *@value.  Returns an enum kfp_outcome. */
typedef u8 kfp_op_run_fn(const struct kfp_op_env *env, const struct kfp_op *op, u64 *value);

struct kfp_op_info {
	const char *name;
	bool vcpu; /* a vCPU op (vCPU threads only), else a host op (host threads, setup) */
	/*
	 * Operands in order, a letter each: G "gfn G", i "[index I]" (map),
	 * j "[index I]" (gpc), g "gpa A", V value, A hva, N pages after A,
	 * P prot, B hva (mremap target), O object, T thread; M and S are
	 * mmap's and memslot's whole operand syntax.
	 */
	const char *args;
	u16 options; /* KFP_OPF_* option words allowed after the operands */
	kfp_op_run_fn *run;
	const char *summary; /* one line, for kfp list and the docs */
};

/* Indexed by enum kfp_op_kind. */
extern const struct kfp_op_info kfp_ops[KFP_NR_OP_KINDS];

struct kfp_option_word {
	const char *name;
	u16 flag;
};

extern const struct kfp_option_word kfp_option_words[];
extern const unsigned int kfp_nr_option_words;

const char *kfp_op_name(enum kfp_op_kind kind);
/* NULL for a kind out of range. */
const struct kfp_op_info *kfp_op_info(enum kfp_op_kind kind);
/* How operand letter @arg reads in a synopsis, NULL if it is none. */
const char *kfp_operand_synopsis(char arg);
/* "map gfn G [index I] [readonly] [noslot]" */
void kfp_op_synopsis(enum kfp_op_kind kind, char *buf, size_t size);
/* Every op with its side, synopsis and summary: kfp list, or a Markdown table. */
void kfp_scenario_print_ops(FILE *out, bool markdown);

/* Results of the model as enum kfp_outcome. */
u8 kfp_outcome_of_errno(long ret);
u8 kfp_outcome_of_kvm(enum kvm_outcome outcome);
u8 kfp_outcome_of_pfn(kfp_pfn_t pfn);

/* ---- running (scenario/run.c) ------------------------------------------------ */

struct kfp_expectation_result {
	bool met;
	u64 held, failed; /* executions where a per-execution expectation held, failed */
	char detail[160]; /* why not, e.g. "vcpu0.r1 was 7 in schedule 0:3,1" */
	char *schedule; /* a witness or counterexample, whole, if any (NULL if none) */
	struct kfp_reports reports; /* the reports of the execution @schedule names */
};

/* Distinct (outcome, value) pairs kept per named result; more sets overflow. */
#define KFP_SCENARIO_MAX_SEEN 16

/* One thing an execution showed, with the fewest-preemption schedule that showed it. */
struct kfp_seen_example {
	u8 outcome; /* enum kfp_outcome */
	u64 value; /* 0 unless the outcome is ok: a value is defined only then */
	unsigned int preemptions;
	char *schedule; /* whole; NULL when nothing showed it */
};

/*
 * What a search saw, for kfp diff: per named result the set of outcomes
 * and values it ended with, and per property the violating and the
 * accepted execution with the fewest preemptions among those searched.
 */
struct kfp_scenario_seen {
	unsigned int nr[KFP_SCENARIO_MAX_RESULTS];
	bool overflow[KFP_SCENARIO_MAX_RESULTS];
	struct kfp_seen_example result[KFP_SCENARIO_MAX_RESULTS][KFP_SCENARIO_MAX_SEEN];
	struct kfp_seen_example violation[KFP_NR_PROPERTIES];
	struct kfp_seen_example accepted[KFP_NR_PROPERTIES];
};

/*
 * What keeping translations fresh cost (struct kvm_stats), over the
 * executions the search ended: the most in one, and the sum.
 */
enum {
	KFP_PRICE_INVALIDATIONS,
	KFP_PRICE_MARKED_INVALID,
	KFP_PRICE_REVALIDATIONS,
	KFP_PRICE_REFRESHES,
	KFP_PRICE_ACCESS_LOCKS,
	KFP_NR_PRICES,
};

struct kfp_scenario_price {
	u64 ended; /* executions that reached their end */
	u64 max[KFP_NR_PRICES];
	u64 sum[KFP_NR_PRICES];
};

extern const char *const kfp_price_names[KFP_NR_PRICES];

struct kfp_scenario_run {
	unsigned int design;
	struct kfp_explore_result explore;
	/* what the search found (its schedules are @explore's), and the cell (scenario/verdict.c) */
	struct kfp_found found;
	enum kfp_cell_status status;
	bool expectations_met;
	unsigned int nr_expectations;
	struct kfp_expectation_result expectation[KFP_SCENARIO_MAX_CHECKED];
	const struct kfp_expectation *checked[KFP_SCENARIO_MAX_CHECKED];
	char error[KFP_ERROR_LEN]; /* why the run could not start: "path:line:col: ..." */
	/* per named result: the outcomes it ended with over the search (bit per enum kfp_outcome) */
	u32 outcomes_seen[KFP_SCENARIO_MAX_RESULTS];
	/* the same with values and schedules (kfp_scenario_run() allocates it; NULL if no memory) */
	struct kfp_scenario_seen *seen;
	struct kfp_scenario_price price;
	/* the owners the reports name, for whoever prints them (maybe another OS thread) */
	struct kfp_owner owner[KFP_MAX_OWNERS];
	unsigned int nr_owners;
};

/*
 * Explore @scenario under design @design and evaluate its expectations.
 * Fills @run from scratch: @run is zeroed or filled by an earlier call,
 * whose schedules this frees (kfp_scenario_run_release() frees the last).
 * A set-up the model refuses is -EINVAL with run->error.
 */
int kfp_scenario_run(const struct kfp_scenario *scenario, unsigned int design,
		     const struct kfp_explore_options *options, struct kfp_scenario_run *run);
/*
 * For tests that drive the explorer themselves (tests/explore/): the
 * program of @scenario under @design, its world set up, and where its
 * state keeps the world and the results.
 */
struct kfp_scenario_view {
	struct kfp_world *world;
	u64 *value; /* per result */
	u8 *outcome; /* per result: enum kfp_outcome */
};

int kfp_scenario_program(const struct kfp_scenario *scenario, unsigned int design,
			 struct kfp_program *program, struct kfp_scenario_view *view);
/* Free the schedules @run holds. */
void kfp_scenario_run_release(struct kfp_scenario_run *run);
/*
 * Replay one schedule under the bounds of @options (may be NULL: none),
 * printing the step-by-step trace and the reports to @out, and copying the
 * reports to @reports (may be NULL).  1 when the execution has a violation
 * the design does not accept, else 0; -EINVAL when the schedule does not
 * fit the scenario, -ERANGE when it exceeds the preemption bound.
 */
int kfp_scenario_replay(const struct kfp_scenario *scenario, unsigned int design,
			const char *schedule, const struct kfp_explore_options *options, FILE *out,
			struct kfp_reports *reports);
/*
 * Replay one schedule as kfp_scenario_replay() does, recording it in
 * @trace instead of printing it (kfp_trace_release() frees the rows, also
 * on error).  Returns as kfp_scenario_replay() does.
 */
int kfp_scenario_record(const struct kfp_scenario *scenario, unsigned int design,
			const char *schedule, const struct kfp_explore_options *options,
			struct kfp_trace *trace);
/* The name of a report's owner in the last run's or replay's world. */
const char *kfp_scenario_owner_name(kfp_owner_t owner);
/* The same for the reports of @run, from any OS thread. */
const char *kfp_scenario_run_owner_name(const struct kfp_scenario_run *run, kfp_owner_t owner);
void kfp_scenario_print_run_reports(const struct kfp_scenario_run *run,
				    const struct kfp_reports *reports, const char *indent,
				    FILE *out);
/* One line per report, as a replay prints them: "step N: P2: kind, pfn N, owner (site)". */
void kfp_scenario_print_reports(const struct kfp_reports *reports, const char *indent, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* KFP_SCENARIO_H */
