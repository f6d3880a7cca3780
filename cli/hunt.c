// SPDX-License-Identifier: GPL-2.0
/*
 * kfp hunt: find the bugs nobody wrote a scenario for.
 *
 * A candidate is a small scenario built from an alphabet: a set-up
 * template (one backing: anonymous memory, a TTM buffer behind PFNMAP, a
 * device BAR, ZONE_DEVICE pages, shmem, a file, hugetlb, memory with no
 * memslot yet, two address spaces for SMM), whether allow_unsafe_mappings
 * is set, and up to four threads of ops: vCPU ops (guest read and write,
 * the lookup, kvm_vcpu_map, gfn-to-page, the gfn->pfn cache, SMM) and
 * host ops (munmap, remap, mprotect, DONTNEED, migrate, reclaim, fork,
 * revoke, memslot changes, signals, ...).  A candidate is rendered as
 * .kfp text, parsed by the ordinary parser and explored by the ordinary
 * runner, so that what hunt finds, kfp check reproduces.
 *
 * Order: every candidate of size 1 (total ops), then 2, ... up to
 * --exhaustive; within a size, fewer threads first.  vCPUs are
 * interchangeable and so are host threads: threads of one kind come in
 * canonical order (longest first, then by op sequence), so a scenario
 * and its thread permutations are tried once.  Ops that need an earlier
 * op (map-read after a map of the same vCPU, page-* after gfn-to-page,
 * gpc-* after some gpc-activate) are generated only after it.  Past
 * --exhaustive, candidates are drawn at random (xorshift64* from --seed)
 * up to --ops.  The order depends only on the options: a run stopped by
 * --max-scenarios is the same run on every machine.
 *
 * A finding (--variant: an unaccepted P1, P2, P3 or invariant report;
 * --diff: the two designs disagree on a property's verdict or on an op's
 * outcomes) is shrunk greedily to a 1-minimal candidate (removing any one
 * thread, op, set-up line or object, or clearing allow_unsafe_mappings,
 * loses it), written with a doc that narrates the counterexample's
 * replay and expect blocks (every design's) that kfp check confirms.
 * Bugs are told apart by a signature: the properties and, for each, the
 * first report's kind, site and owner role (--diff: the ops whose
 * outcomes differ).  A candidate whose signature was seen is not shrunk
 * again, a shrunk one whose signature was written is not written again.
 */
#define _GNU_SOURCE /* strchrnul() */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <kfp/scenario.h>

#include "hunt.h"
#include "options.h"

#define H_MAX_THREADS 4
#define H_MAX_OPS 8 /* per thread */
#define H_MAX_SETUP 6
#define H_OBJECT_BIT 7 /* setup_mask bit of the template's object */
#define H_MAX_FINDINGS 64
#define H_MAX_SEEN 512
#define H_SIGNATURE_LEN 192
#define H_TEXT_LEN 16384
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define H_DIFF_OUTCOME KFP_NR_PROPERTIES /* finding bit: an op's outcomes differ */

enum {
	H_EXIT_NONE = 0,
	H_EXIT_FOUND = 1,
	H_EXIT_USAGE = 2,
	H_EXIT_INTERNAL = 4,
};

/* ---- the alphabet ------------------------------------------------------------ */

/*
 * A set-up template.  Every template maps its backing at $A = 0x10000;
 * op texts name $A, $P (the second page, or the first of a one-page
 * backing), $N (pages), $O (the object), $R (the template's remap),
 * $G (the gfn of $P) and $Q (its gpa).
 */
struct h_template {
	const char *name; /* what --objects names */
	const char *object; /* "NAME KIND PAGES", or NULL */
	const char *obj; /* the object's name */
	const char *setup[H_MAX_SETUP]; /* NULL-terminated */
	const char *remap; /* a host op mapping the same backing again, fixed */
	unsigned int pages;
	bool smm; /* a second address space: enter-smm makes sense */
};

static const struct h_template templates[] = {
	{ "anon",
	  NULL,
	  NULL,
	  { "mmap $A $N rw anon", "memslot 0 gfn 0 pages $N hva $A", "host-write $P 7" },
	  "mmap $A $N rw anon fixed",
	  4,
	  false },
	{ "ttm",
	  "buf ttm 4",
	  "buf",
	  { "mmap $A $N rw pfnmap buf shared populate", "memslot 0 gfn 0 pages $N hva $A",
	    "host-write $P 5" },
	  "mmap $A $N rw pfnmap buf shared populate fixed",
	  4,
	  false },
	{ "device-mmio",
	  "bar device-mmio 1",
	  "bar",
	  { "mmap $A $N rw pfnmap bar shared populate", "memslot 0 gfn 0 pages $N hva $A",
	    "host-write $P 5" },
	  "mmap $A $N rw pfnmap bar shared populate fixed",
	  1,
	  false },
	{ "device-mmio-ro",
	  "bar device-mmio 1",
	  "bar",
	  { "mmap $A $N r pfnmap bar shared populate", "memslot 0 gfn 0 pages $N hva $A" },
	  "mmap $A $N r pfnmap bar shared populate fixed",
	  1,
	  false },
	{ "zone-device",
	  "dev zone-device 2",
	  "dev",
	  { "mmap $A $N rw mixedmap dev shared populate", "memslot 0 gfn 0 pages $N hva $A",
	    "host-write $A 5" },
	  "mmap $A $N rw mixedmap dev shared populate fixed",
	  2,
	  false },
	{ "anon-noslot",
	  NULL,
	  NULL,
	  { "mmap $A $N rw anon", "host-write $P 7" },
	  "mmap $A $N rw anon fixed",
	  4,
	  false },
	{ "shmem",
	  "mem shmem 4",
	  "mem",
	  { "mmap $A $N rw shared mem", "memslot 0 gfn 0 pages $N hva $A", "host-write $P 7" },
	  "mmap $A $N rw shared mem fixed",
	  4,
	  false },
	{ "file",
	  "f file 4",
	  "f",
	  { "mmap $A $N rw file f shared", "memslot 0 gfn 0 pages $N hva $A", "host-write $P 7" },
	  "mmap $A $N rw file f shared fixed",
	  4,
	  false },
	{ "hugetlb",
	  "huge hugetlb 4",
	  "huge",
	  { "mmap $A $N rw hugetlb huge shared", "memslot 0 gfn 0 pages $N hva $A",
	    "host-write $P 7" },
	  "mmap $A $N rw hugetlb huge shared fixed",
	  4,
	  false },
	{ "smm",
	  NULL,
	  NULL,
	  { "mmap $A $N rw anon", "mmap 0x20000 $N rw anon", "memslot 0 gfn 0 pages $N hva $A",
	    "memslot 0 as 1 gfn 0 pages $N hva 0x20000", "host-write $P 7",
	    "host-write 0x21000 8" },
	  "mmap $A $N rw anon fixed",
	  4,
	  true },
};

#define H_NR_TEMPLATES ARRAY_SIZE(templates)

/* What an op needs before it, and what it provides. */
#define OPF_OBJECT BIT(0) /* the template has an object */
#define OPF_TWO_PAGES BIT(1) /* a second page (else it repeats a gfn-0 op) */
#define OPF_NEEDS_MAP BIT(2) /* after a map of the same vCPU */
#define OPF_NEEDS_PAGE BIT(3) /* after a gfn-to-page of the same vCPU */
#define OPF_NEEDS_GPC BIT(4) /* after a gpc-activate of some vCPU */
#define OPF_MAP BIT(5)
#define OPF_PAGE BIT(6)
#define OPF_GPC BIT(7)
#define OPF_SMM BIT(8) /* only with two address spaces */
#define OPF_NEEDS_SMM BIT(9) /* after enter-smm */
#define OPF_ENTER_SMM BIT(10)
#define OPF_UNSAFE BIT(11) /* allow_unsafe_mappings can change what it does */
#define OPF_UNMAP BIT(12) /* closes the map */
#define OPF_RELEASE BIT(13) /* closes the gfn-to-page */
#define OPF_PAGE_WRITABLE BIT(14) /* gfn-to-page for write */
#define OPF_NEEDS_WRITABLE \
	BIT(15) /* after a gfn-to-page for write: __gfn_to_page(write=false) is read-only usage */
#define OPF_DEACTIVATE BIT(16) /* closes the gpc */

struct h_op {
	const char *text;
	u32 flags;
};

/*
 * The most telling ops first: the search reaches them first within a size.
 * No "lookup ... pin": FOLL_PIN callers exist from 6.13 on, and the older
 * designs put a pinned page like a referenced one (docs/hunt.md).
 */
static const struct h_op vcpu_ops[] = {
	{ "read gfn $G", 0 },
	{ "map gfn $G", OPF_MAP | OPF_UNSAFE },
	{ "map-read", OPF_NEEDS_MAP },
	{ "unmap", OPF_NEEDS_MAP | OPF_UNMAP },
	{ "write gfn $G 3", 0 },
	{ "lookup gfn $G", OPF_UNSAFE },
	{ "gpc-activate gpa $Q", OPF_GPC | OPF_UNSAFE },
	{ "gpc-read", OPF_NEEDS_GPC },
	{ "gpc-refresh", OPF_NEEDS_GPC },
	{ "gpc-deactivate", OPF_NEEDS_GPC | OPF_DEACTIVATE },
	{ "read gfn 0", OPF_TWO_PAGES },
	{ "map gfn 0", OPF_TWO_PAGES | OPF_MAP | OPF_UNSAFE },
	{ "map-write 3", OPF_NEEDS_MAP },
	{ "lookup gfn $G write", OPF_UNSAFE },
	{ "gfn-to-page gfn $G", OPF_PAGE | OPF_UNSAFE },
	{ "page-read", OPF_NEEDS_PAGE },
	{ "page-write 3", OPF_NEEDS_PAGE | OPF_NEEDS_WRITABLE },
	{ "gfn-to-page gfn $G write", OPF_PAGE | OPF_PAGE_WRITABLE | OPF_UNSAFE },
	{ "page-release", OPF_NEEDS_PAGE | OPF_RELEASE },
	{ "gpc-write 3", OPF_NEEDS_GPC },
	{ "gpc-activate gpa 0x2000", OPF_TWO_PAGES | OPF_GPC | OPF_UNSAFE },
	{ "enter-smm", OPF_SMM | OPF_ENTER_SMM },
	{ "leave-smm", OPF_SMM | OPF_NEEDS_SMM },
};

static const struct h_op host_ops[] = {
	{ "munmap $A $N", 0 },
	{ "$R", 0 },
	{ "host-write $P 99", 0 },
	{ "madvise-dontneed $A $N", 0 },
	{ "mprotect $A $N r", 0 },
	{ "memslot 0 delete", 0 },
	{ "revoke $O", OPF_OBJECT },
	{ "memslot 0 gfn 0 pages $N hva $A", 0 },
	{ "host-read $P", 0 },
	{ "migrate $P", 0 },
	{ "reclaim $A $N", 0 },
	{ "mmap $A $N rw anon fixed", 0 },
	{ "fork", 0 },
	{ "signal vcpu0", 0 },
	{ "mremap $A $N 0x80000", 0 },
	{ "ksm-merge $P", 0 },
	{ "poison $P", 0 },
	{ "memslot 1 gfn 8 pages $N hva $A", 0 },
};

#define H_NR_VCPU_OPS ARRAY_SIZE(vcpu_ops)
#define H_NR_HOST_OPS ARRAY_SIZE(host_ops)

/* ---- candidates ---------------------------------------------------------------- */

struct h_thread {
	u8 vcpu;
	u8 nr;
	u8 op[H_MAX_OPS]; /* index in vcpu_ops[] or host_ops[] */
};

struct h_cand {
	u8 tmpl;
	u8 unsafe;
	u8 setup_mask; /* bit i keeps setup line i, H_OBJECT_BIT the object */
	u8 nr_threads;
	struct h_thread t[H_MAX_THREADS];
};

/* What one design's exploration of a candidate showed. */
struct h_verdict {
	bool complete;
	u8 violated; /* bit per property: an unaccepted report */
	u8 accepted; /* bit per property: accepted reports only */
	u8 nr_results;
	u32 outcomes[KFP_SCENARIO_MAX_RESULTS];
};

struct hunt {
	const char *program_name;
	/* the target */
	int design, design_b; /* design_b >= 0: --diff */
	unsigned int inject;
	/* the search */
	unsigned int min_threads, max_threads, max_ops, exhaustive;
	u32 template_mask;
	double seconds, cpu_seconds;
	u64 seed, rng, max_scenarios, budget;
	unsigned int max_findings;
	const char *dir;
	/* progress */
	struct timespec start;
	double last_progress;
	u64 tried, partial;
	u64 work; /* steps explored: what a class of candidates has cost */
	/* the candidate whose searches (before any shrinking) took the most CPU */
	double slowest_cpu;
	u64 slowest;
	unsigned int size;
	bool stop;
	/*
	 * Bugs are told apart by their signature (h_signature()): those of
	 * the candidates already shrunk, before and after shrinking (a
	 * candidate whose signature is known is not shrunk again), and those
	 * of the findings written
	 */
	unsigned int nr_seen, nr_found;
	u64 duplicates;
	char seen[H_MAX_SEEN][H_SIGNATURE_LEN];
	char signature[H_MAX_FINDINGS][H_SIGNATURE_LEN];
	struct h_verdict last[2]; /* h_findings(): the verdicts under the target(s) */
	/* scratch */
	struct kfp_scenario scenario;
	struct kfp_scenario_run run;
	char text[H_TEXT_LEN];
	char error[KFP_ERROR_LEN];
};

static double h_elapsed(const struct hunt *h)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - h->start.tv_sec) +
	       (double)(now.tv_nsec - h->start.tv_nsec) / 1e9;
}

/* The CPU time this process took: what a hunt costs on one core, whatever the load. */
static double h_cpu(void)
{
	struct timespec now;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* ---- rendering a candidate as .kfp text ---------------------------------------- */

struct h_buf {
	char *s;
	size_t len, size;
};

static void h_put(struct h_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void h_put(struct h_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	b->len = n < 0 ? b->size : MIN(b->size, b->len + (size_t)n);
}

/* @text with the template's $-words filled in. */
static void h_put_op(struct h_buf *b, const struct h_template *t, const char *text)
{
	unsigned long second = t->pages > 1 ? 0x11000 : 0x10000;

	for (; *text; text++) {
		if (*text != '$') {
			h_put(b, "%c", *text);
			continue;
		}
		switch (*++text) {
		case 'A':
			h_put(b, "0x10000");
			break;
		case 'P':
			h_put(b, "%#lx", second);
			break;
		case 'N':
			h_put(b, "%u", t->pages);
			break;
		case 'O':
			h_put(b, "%s", t->obj);
			break;
		case 'R':
			h_put_op(b, t, t->remap);
			break;
		case 'G':
			h_put(b, "%u", t->pages > 1 ? 1 : 0);
			break;
		case 'Q':
			h_put(b, "%#x", t->pages > 1 ? 0x1000 : 0);
			break;
		}
	}
}

static void h_thread_name(const struct h_cand *c, unsigned int i, char *name, size_t size)
{
	unsigned int j, n = 0;

	for (j = 0; j < i; j++)
		n += c->t[j].vcpu == c->t[i].vcpu;
	if (c->t[i].vcpu)
		snprintf(name, size, "vcpu%u", n);
	else if (n)
		snprintf(name, size, "host%u", n);
	else
		snprintf(name, size, "host");
}

static const char *h_op_text(const struct h_thread *t, unsigned int j)
{
	return t->vcpu ? vcpu_ops[t->op[j]].text : host_ops[t->op[j]].text;
}

/*
 * A vCPU thread gives back what it took: an open kvm_vcpu_map() is
 * unmapped, a gfn-to-page page released and an activated cache
 * deactivated at its end, as KVM's callers do (the caches at vCPU
 * destruction); a reference left behind would be a leak of the scenario,
 * not of KVM.
 */
static void h_put_closing(struct h_buf *b, const struct h_thread *t)
{
	bool map = false, page = false, gpc = false;
	unsigned int j;

	for (j = 0; t->vcpu && j < t->nr; j++) {
		u32 flags = vcpu_ops[t->op[j]].flags;

		map = (map || (flags & OPF_MAP)) && !(flags & OPF_UNMAP);
		page = (page || (flags & OPF_PAGE)) && !(flags & OPF_RELEASE);
		gpc = (gpc || (flags & OPF_GPC)) && !(flags & OPF_DEACTIVATE);
	}
	if (map)
		h_put(b, "\tunmap\n");
	if (page)
		h_put(b, "\tpage-release\n");
	if (gpc)
		h_put(b, "\tgpc-deactivate\n");
}

/*
 * The candidate as a scenario.  @named: every op names its result
 * (rN) so that outcomes can be compared; @doc and @expect (may be NULL)
 * go in as they are.
 */
static void h_render(const struct hunt *h, const struct h_cand *c, const char *name, bool named,
		     const char *doc, const char *expect, char *out, size_t size)
{
	const struct h_template *t = &templates[c->tmpl];
	struct h_buf b = { out, 0, size };
	unsigned int i, j;

	h_put(&b, "name %s\n", name);
	if (doc)
		h_put(&b, "\ndoc {\n%s}\n\n", doc);
	if (c->unsafe)
		h_put(&b, "param allow_unsafe_mappings 1\n");
	for (i = 0; i < kvm_nr_injections; i++)
		if (h->inject & kvm_injections[i].bit)
			h_put(&b, "param inject %s\n", kvm_injections[i].name);
	if (t->object && (c->setup_mask & BIT(H_OBJECT_BIT)))
		h_put(&b, "object %s\n", t->object);
	if (c->setup_mask & (BIT(H_MAX_SETUP) - 1)) {
		h_put(&b, "\nsetup {\n");
		for (i = 0; i < H_MAX_SETUP && t->setup[i]; i++) {
			if (!(c->setup_mask & BIT(i)))
				continue;
			h_put(&b, "\t");
			h_put_op(&b, t, t->setup[i]);
			h_put(&b, "\n");
		}
		h_put(&b, "}\n");
	}
	for (i = 0; i < c->nr_threads; i++) {
		char tname[16];

		h_thread_name(c, i, tname, sizeof(tname));
		h_put(&b, "\nthread %s%s {\n", tname, c->t[i].vcpu ? " vcpu" : "");
		for (j = 0; j < c->t[i].nr; j++) {
			h_put(&b, "\t");
			if (named)
				h_put(&b, "r%u = ", j + 1);
			h_put_op(&b, t, h_op_text(&c->t[i], j));
			h_put(&b, "\n");
		}
		h_put_closing(&b, &c->t[i]);
		h_put(&b, "}\n");
	}
	if (expect)
		h_put(&b, "\n%s", expect);
}

/* ---- well-formed candidates ---------------------------------------------------- */

static bool h_op_fits(const struct h_template *t, const struct h_op *op)
{
	if ((op->flags & OPF_OBJECT) && !t->object)
		return false;
	if ((op->flags & OPF_TWO_PAGES) && t->pages < 2)
		return false;
	if ((op->flags & OPF_SMM) && !t->smm)
		return false;
	return true;
}

/*
 * Every op's prerequisite comes before it; allow_unsafe_mappings only where
 * it can matter.  No SMM transition while the vCPU holds a kvm_vcpu_map():
 * arch/x86/kvm/smm.c enter_smm() lets the vendor code leave guest mode
 * (vmx_enter_smm() -> nested_vmx_vmexit(), which unmaps the vmcs12 pages)
 * before kvm_smm_changed(), and svm_enter_smm()/svm_leave_smm() unmap
 * what they map; no caller keeps a mapping across the address-space
 * switch, which kvm_vcpu_unmap()'s dirty marking relies on.
 */
static bool h_valid(const struct h_cand *c)
{
	const struct h_template *t = &templates[c->tmpl];
	bool gpc = false, unsafe = false;
	unsigned int i, j;

	for (i = 0; i < c->nr_threads; i++) {
		bool map = false, page = false, smm = false, writable = false;

		if (!c->t[i].nr)
			return false;
		for (j = 0; j < c->t[i].nr; j++) {
			const struct h_op *op =
				c->t[i].vcpu ? &vcpu_ops[c->t[i].op[j]] : &host_ops[c->t[i].op[j]];

			if (!h_op_fits(t, op))
				return false;
			if (((op->flags & OPF_NEEDS_MAP) && !map) ||
			    ((op->flags & OPF_NEEDS_PAGE) && !page) ||
			    ((op->flags & OPF_NEEDS_SMM) && !smm) ||
			    ((op->flags & OPF_MAP) && map) || ((op->flags & OPF_PAGE) && page) ||
			    ((op->flags & OPF_NEEDS_WRITABLE) && !writable) ||
			    ((op->flags & OPF_SMM) && map))
				return false;
			if (op->flags & OPF_PAGE)
				writable = op->flags & OPF_PAGE_WRITABLE;
			map = (map || (op->flags & OPF_MAP)) && !(op->flags & OPF_UNMAP);
			page = (page || (op->flags & OPF_PAGE)) && !(op->flags & OPF_RELEASE);
			smm |= !!(op->flags & OPF_ENTER_SMM);
			gpc |= !!(op->flags & OPF_GPC);
			unsafe |= !!(op->flags & OPF_UNSAFE);
		}
	}
	/* gpc-* after a gpc-activate of some vCPU: the cache is the VM's */
	for (i = 0; i < c->nr_threads; i++)
		for (j = 0; j < c->t[i].nr; j++)
			if (c->t[i].vcpu && (vcpu_ops[c->t[i].op[j]].flags & OPF_NEEDS_GPC) && !gpc)
				return false;
	if ((c->setup_mask & BIT(H_OBJECT_BIT)) && !t->object)
		return false;
	return !c->unsafe || unsafe;
}

/* -1, 0, 1: threads ordered longest first, then by op sequence. */
static int h_thread_cmp(const struct h_thread *a, const struct h_thread *b)
{
	unsigned int j;

	if (a->vcpu != b->vcpu)
		return a->vcpu ? -1 : 1;
	if (a->nr != b->nr)
		return a->nr > b->nr ? -1 : 1;
	for (j = 0; j < a->nr; j++)
		if (a->op[j] != b->op[j])
			return a->op[j] < b->op[j] ? -1 : 1;
	return 0;
}

static void h_canonicalise(struct h_cand *c)
{
	unsigned int i, j;

	for (i = 1; i < c->nr_threads; i++)
		for (j = i; j > 0 && h_thread_cmp(&c->t[j - 1], &c->t[j]) > 0; j--) {
			struct h_thread tmp = c->t[j];

			c->t[j] = c->t[j - 1];
			c->t[j - 1] = tmp;
		}
}

static bool h_canonical(const struct h_cand *c)
{
	unsigned int i;

	for (i = 1; i < c->nr_threads; i++)
		if (h_thread_cmp(&c->t[i - 1], &c->t[i]) > 0)
			return false;
	return true;
}

/* ---- exploring a candidate ------------------------------------------------------ */

static void h_options(const struct hunt *h, bool stop_at_first, bool minimise,
		      struct kfp_explore_options *options)
{
	memset(options, 0, sizeof(*options));
	options->preemption_bound = -1;
	options->stateful = true;
	/* a state budget: most paths end in a revisit, so executions would not bound it */
	options->max_states = h->budget;
	options->stop_on_violation = stop_at_first;
	options->minimize = minimise;
}

/*
 * Parse @text and explore it under @design.  -EINVAL when the parser or
 * the model refuses the set-up (the candidate is skipped).
 */
static int h_explore(struct hunt *h, const char *text, unsigned int design, bool stop_at_first,
		     bool minimise, struct h_verdict *v)
{
	struct kfp_explore_options options;
	const struct kfp_explore_result *r = &h->run.explore;
	unsigned int p, i;

	memset(v, 0, sizeof(*v));
	if (kfp_scenario_parse("hunt.kfp", text, strlen(text), &h->scenario, h->error,
			       sizeof(h->error)))
		return -EINVAL;
	h_options(h, stop_at_first, minimise, &options);
	if (kfp_scenario_run(&h->scenario, design, &options, &h->run))
		return -EINVAL;
	v->complete = h->run.found.complete;
	h->work += r->steps + 1;
	/* scenario/verdict.c's finding, as kfp check judges the same cell */
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		switch (kfp_found_property(&h->run.found, p)) {
		case KFP_FOUND_VIOLATED:
			v->violated |= BIT(p);
			break;
		case KFP_FOUND_ACCEPTED:
			v->accepted |= BIT(p);
			break;
		case KFP_FOUND_NOTHING:
			break;
		}
	}
	v->nr_results = h->scenario.nr_results;
	for (i = 0; i < h->scenario.nr_results; i++)
		v->outcomes[i] = h->run.outcomes_seen[i];
	return 0;
}

/*
 * What @c shows: --variant, the properties violated; --diff, a bit per
 * property whose verdicts differ and H_DIFF_OUTCOME when an op's
 * outcomes do.  0 when nothing (or the candidate is refused).
 */
static u32 h_findings(struct hunt *h, const struct h_cand *c, bool quick)
{
	struct h_verdict a, b;
	unsigned int p, i;
	u32 found = 0;

	h_render(h, c, "hunt", h->design_b >= 0, NULL, NULL, h->text, sizeof(h->text));
	if (h_explore(h, h->text, (unsigned int)h->design, quick && h->design_b < 0, false, &a))
		return 0;
	h->last[0] = a;
	if (!a.complete && !a.violated)
		h->partial++;
	if (h->design_b < 0)
		return a.violated;
	if (h_explore(h, h->text, (unsigned int)h->design_b, false, false, &b))
		return 0;
	h->last[1] = b;
	if (!b.complete)
		h->partial++;
	/* a partial search has not seen every verdict or outcome: no claim */
	if (!a.complete || !b.complete)
		return 0;
	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		if (((a.violated ^ b.violated) | (a.accepted ^ b.accepted)) & BIT(p))
			found |= BIT(p);
	for (i = 0; i < a.nr_results; i++)
		if (a.outcomes[i] != b.outcomes[i])
			found |= BIT(H_DIFF_OUTCOME);
	return found;
}

static unsigned int h_first_bit(u32 mask)
{
	return (unsigned int)__builtin_ctz(mask);
}

/* ---- shrinking ------------------------------------------------------------------- */

static bool h_still(struct hunt *h, const struct h_cand *c, unsigned int bit)
{
	struct h_cand copy = *c;

	h_canonicalise(&copy);
	return h_valid(&copy) && (h_findings(h, &copy, false) & BIT(bit));
}

static bool h_try_threads(struct hunt *h, struct h_cand *c, unsigned int bit)
{
	unsigned int i;

	for (i = 0; c->nr_threads > 1 && i < c->nr_threads; i++) {
		struct h_cand next = *c;

		memmove(&next.t[i], &next.t[i + 1], (next.nr_threads - i - 1) * sizeof(next.t[0]));
		next.nr_threads--;
		if (h_still(h, &next, bit)) {
			*c = next;
			return true;
		}
	}
	return false;
}

static bool h_try_ops(struct hunt *h, struct h_cand *c, unsigned int bit)
{
	unsigned int i, j;

	for (i = 0; i < c->nr_threads; i++)
		for (j = 0; c->t[i].nr > 1 && j < c->t[i].nr; j++) {
			struct h_cand next = *c;
			struct h_thread *t = &next.t[i];

			memmove(&t->op[j], &t->op[j + 1], t->nr - j - 1);
			t->nr--;
			if (h_still(h, &next, bit)) {
				*c = next;
				return true;
			}
		}
	return false;
}

static bool h_try_setup(struct hunt *h, struct h_cand *c, unsigned int bit)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		struct h_cand next = *c;

		if (!(c->setup_mask & BIT(i)))
			continue;
		next.setup_mask &= (u8)~BIT(i);
		if (h_still(h, &next, bit)) {
			*c = next;
			return true;
		}
	}
	if (c->unsafe) {
		struct h_cand next = *c;

		next.unsafe = 0;
		if (h_still(h, &next, bit)) {
			*c = next;
			return true;
		}
	}
	return false;
}

/* Greedy delta debugging to a candidate from which no one removal keeps @bit. */
static void h_shrink(struct hunt *h, struct h_cand *c, unsigned int bit)
{
	while (h_try_threads(h, c, bit) || h_try_ops(h, c, bit) || h_try_setup(h, c, bit))
		;
	h_canonicalise(c);
}

/* ---- writing a finding ----------------------------------------------------------- */

/* The reports that name @row's step, under it ("<- P3: ..."). */
static void h_row_reports(const struct kfp_trace *trace, const struct kfp_trace_row *row,
			  struct h_buf *b)
{
	unsigned int i;

	for (i = 0; i < trace->reports.count; i++) {
		const struct kfp_report *r = &trace->reports.report[i];

		if (r->step != row->step)
			continue;
		h_put(b, "        <- %s%s: %s, pfn %lld, %s (%s)\n", kfp_property_name(r->property),
		      r->accepted ? " (accepted)" : "", kfp_report_kind_name(r->kind),
		      (long long)r->pfn, r->owner < KFP_MAX_OWNERS ? trace->owner[r->owner] : "?",
		      r->what ? r->what : "?");
	}
}

/*
 * Each thread's run of steps, and the steps in it that write or that a
 * report names, read from the recorded rows (not from the printed trace,
 * whose columns a long name shifts).
 */
static void h_narrate_rows(const struct kfp_trace *trace, struct h_buf *b)
{
	unsigned int i, hidden = 0;
	int run_thread = -2;

	for (i = 0; i < trace->nr_rows; i++) {
		const struct kfp_trace_row *row = &trace->row[i];
		bool reported = kfp_trace_row_mark(trace, row) != 0;

		if (row->thread < 0 && !reported)
			continue;
		if (row->thread != run_thread) {
			run_thread = row->thread;
			if (row->thread < 0)
				h_put(b, "  at the end of the execution (step %u):\n", row->step);
			else
				h_put(b, "  %s runs from step %u:\n",
				      kfp_trace_thread_name(trace, row->thread), row->step);
		}
		if (row->action != KFP_TRACE_WRITE && !reported)
			continue;
		if (b->len > KFP_DOC_LEN - 1200) {
			hidden++;
			continue;
		}
		h_put(b, "    %4u %s%s%s\n", row->step, row->what, row->object[0] ? ": " : "",
		      row->object);
		h_row_reports(trace, row, b);
	}
	if (hidden)
		h_put(b, "  (%u more steps that write, not shown: kfp replay prints them)\n",
		      hidden);
}

/* The replay's report and result lines: those that start a line of its text. */
static void h_narrate_results(const char *text, struct h_buf *b)
{
	char *copy = strdup(text), *line, *save = NULL;
	unsigned int reports = 0;

	for (line = copy ? strtok_r(copy, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "step ", 5)) {
			if (!reports++)
				h_put(b, "Reports:\n");
			h_put(b, "  %s\n", line);
		} else if (line[0] != ' ' && strstr(line, " = ")) {
			h_put(b, "  %s\n", line);
		}
	}
	free(copy);
}

/* The race step by step, from the replay of @schedule, then its reports and results. */
static void h_narrate(struct hunt *h, unsigned int design, const char *schedule, struct h_buf *b)
{
	struct kfp_explore_options options;
	struct kfp_trace trace;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	h_options(h, false, false, &options);
	if (kfp_scenario_record(&h->scenario, design, schedule, &options, &trace) < 0)
		goto out_release;
	h_narrate_rows(&trace, b);
	f = open_memstream(&text, &size);
	if (!f)
		goto out_release;
	kfp_scenario_replay(&h->scenario, design, schedule, &options, f, NULL);
	fclose(f);
	if (text)
		h_narrate_results(text, b);
	free(text);
out_release:
	kfp_trace_release(&trace);
}

static void h_props_text(u32 mask, char *out, size_t size)
{
	struct h_buf b = { out, 0, size };
	unsigned int p;

	out[0] = '\0';
	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		if (mask & BIT(p))
			h_put(&b, "%s%s", b.len ? "+" : "", kfp_property_name(p));
	if (mask & BIT(H_DIFF_OUTCOME))
		h_put(&b, "%soutcome", b.len ? "+" : "");
}

static void h_put_outcomes(struct h_buf *b, u32 mask)
{
	const char *sep = "";
	unsigned int o;

	for (o = 0; o < KFP_NR_OUTCOMES; o++)
		if (mask & BIT(o)) {
			h_put(b, "%s%s", sep, kfp_outcome_name(o));
			sep = "|";
		}
}

/* One design's expect block: what the search of @c under @design showed. */
static void h_expect_block(const struct h_verdict *v, const struct kfp_scenario *s,
			   const char *design, bool outcomes, struct h_buf *b)
{
	unsigned int p, i;

	h_put(b, "expect %s {\n", design);
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		if (v->violated & BIT(p))
			h_put(b, "\tsometimes %s\n", kfp_property_name(p));
		else if (v->accepted & BIT(p))
			h_put(b, "\taccepted %s\n", kfp_property_name(p));
		else if (v->complete)
			h_put(b, "\tnever %s\n", kfp_property_name(p));
	}
	for (i = 0; outcomes && v->complete && i < v->nr_results; i++) {
		h_put(b, "\toutcome of %s.%s is ", s->thread[s->result[i].thread].name,
		      s->result[i].name);
		h_put_outcomes(b, v->outcomes[i]);
		h_put(b, "\n");
	}
	h_put(b, "}\n");
}

static unsigned int h_nr_ops(const struct h_cand *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->nr_threads; i++)
		n += c->t[i].nr;
	return n;
}

/*
 * What hunt writes, kfp check must confirm: the text parses, and every
 * design's expectations hold (a search the budget cut may leave a
 * "sometimes" unwitnessed: said on stderr, the file is still written).
 */
static int h_confirm(struct hunt *h, const char *name)
{
	struct kfp_explore_options options;
	unsigned int d;

	if (kfp_scenario_parse(name, h->text, strlen(h->text), &h->scenario, h->error,
			       sizeof(h->error))) {
		fprintf(stderr, "%s: internal error: a finding does not parse: %s\n",
			h->program_name, h->error);
		return -EINVAL;
	}
	h_options(h, false, false, &options);
	for (d = 0; d < kfp_nr_designs; d++) {
		if (kfp_scenario_run(&h->scenario, d, &options, &h->run))
			return -EINVAL;
		if (!h->run.expectations_met)
			fprintf(stderr, "%s hunt: %s: the expectations of %s are not confirmed%s\n",
				h->program_name, name, kfp_designs[d]->name,
				h->run.explore.complete ? "" : " (search cut by --budget)");
	}
	return 0;
}

static int h_mkdir(const char *dir)
{
	if (mkdir(dir, 0777) && errno != EEXIST)
		return -errno;
	return 0;
}

/* A finding's file: what was found, under which design, numbered. */
struct h_finding {
	char name[128];
	char doc[KFP_DOC_LEN + 512];
	char expect[4096];
	char *schedule; /* the counterexample narrated, or NULL */
	unsigned int design; /* of the schedule */
	struct h_verdict verdict[KFP_MAX_DESIGNS];
};

/*
 * Explore the shrunk @c under every design, the targets first and with
 * their counterexample minimised (the one narrated: the design that
 * breaks the property, fewest preemptions), and write an expect block
 * for each: which designs have the bug.
 */
static int h_expectations(struct hunt *h, const struct h_cand *c, u32 found, struct h_finding *f)
{
	struct h_buf e = { f->expect, 0, sizeof(f->expect) };
	int order[KFP_MAX_DESIGNS], n = 0, i;
	unsigned int d;
	bool named = h->design_b >= 0;

	if (h->design_b >= 0)
		order[n++] = h->design_b;
	order[n++] = h->design;
	for (d = 0; d < kfp_nr_designs && n < KFP_MAX_DESIGNS; d++)
		if ((int)d != h->design && (int)d != h->design_b)
			order[n++] = (int)d;
	h_render(h, c, f->name, named, NULL, NULL, h->text, sizeof(h->text));
	for (i = 0; i < n; i++) {
		struct h_verdict *v = &f->verdict[order[i]];
		bool target = order[i] == h->design || order[i] == h->design_b;

		if (h_explore(h, h->text, (unsigned int)order[i], false, target, v))
			return -EINVAL;
		/* --diff: a design that breaks a property the other does not; A over B */
		if (target && h->run.explore.counterexample && (!named || (v->violated & found)) &&
		    (!f->schedule || order[i] == h->design)) {
			free(f->schedule);
			f->schedule = strdup(h->run.explore.counterexample);
			f->design = (unsigned int)order[i];
		}
	}
	/* the blocks in kfp_designs[] order, the targets' first */
	h_expect_block(&f->verdict[h->design], &h->scenario, kfp_designs[h->design]->name, named,
		       &e);
	if (h->design_b >= 0)
		h_expect_block(&f->verdict[h->design_b], &h->scenario,
			       kfp_designs[h->design_b]->name, named, &e);
	for (i = named ? 2 : 1; i < n; i++)
		h_expect_block(&f->verdict[order[i]], &h->scenario, kfp_designs[order[i]]->name,
			       named, &e);
	return 0;
}

/* --diff: each op whose outcomes differ, and how. */
static void h_doc_outcomes(struct hunt *h, const struct h_finding *f, struct h_buf *d)
{
	const struct h_verdict *a = &f->verdict[h->design], *b = &f->verdict[h->design_b];
	const struct kfp_scenario *s = &h->scenario;
	unsigned int i;

	for (i = 0; i < a->nr_results; i++) {
		if (a->outcomes[i] == b->outcomes[i])
			continue;
		h_put(d, "  %s.%s ends ", s->thread[s->result[i].thread].name, s->result[i].name);
		h_put_outcomes(d, a->outcomes[i]);
		h_put(d, " under %s, ", kfp_designs[h->design]->name);
		h_put_outcomes(d, b->outcomes[i]);
		h_put(d, " under %s.\n", kfp_designs[h->design_b]->name);
	}
}

/* The doc: how it was found, the counterexample step by step, every design's verdict. */
static void h_doc(struct hunt *h, const struct h_cand *c, const char *props, struct h_finding *f)
{
	struct h_buf d = { f->doc, 0, sizeof(f->doc) };
	char text[40];
	unsigned int i;

	h_put(&d, "Found by kfp hunt ");
	if (h->design_b >= 0)
		h_put(&d, "--diff %s,%s", kfp_designs[h->design]->name,
		      kfp_designs[h->design_b]->name);
	else
		h_put(&d, "--variant %s", kfp_designs[h->design]->name);
	h_put(&d, " --seed %llu after %llu scenarios; shrunk to %u ops in %u threads.\n",
	      (unsigned long long)h->seed, (unsigned long long)h->tried, h_nr_ops(c),
	      c->nr_threads);
	if (h->design_b >= 0) {
		h_put(&d, "The two designs differ: %s.\n", props);
		h_doc_outcomes(h, f, &d);
	}
	if (f->schedule) {
		h_put(&d, "Counterexample under %s, schedule %s:\n", kfp_designs[f->design]->name,
		      f->schedule);
		h_narrate(h, f->design, f->schedule, &d);
	}
	/* room for the result line: the doc holds at most KFP_DOC_LEN - 1 bytes */
	if (d.len > KFP_DOC_LEN - 400) {
		char *cut = f->doc + KFP_DOC_LEN - 400;

		while (cut > f->doc && cut[-1] != '\n')
			cut--;
		d.len = (size_t)(cut - f->doc);
		h_put(&d, "  ...\n");
	}
	h_put(&d, "Result:");
	for (i = 0; i < kfp_nr_designs; i++) {
		h_props_text(f->verdict[i].violated, text, sizeof(text));
		h_put(&d, "%s %s %s%s", i ? ";" : "", kfp_designs[i]->name, text[0] ? text : "safe",
		      f->verdict[i].accepted ? " (accepted:" : "");
		if (f->verdict[i].accepted) {
			h_props_text(f->verdict[i].accepted, text, sizeof(text));
			h_put(&d, " %s)", text);
		}
	}
	h_put(&d, ".\n");
}

static int h_save(struct hunt *h, const char *name)
{
	static char path[PATH_MAX + 160];
	FILE *out;

	if (!h->dir) {
		printf("%s\n", h->text);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s.kfp", h->dir, name);
	out = fopen(path, "w");
	if (!out || fputs(h->text, out) == EOF || fclose(out)) {
		fprintf(stderr, "%s: cannot write %s: %s\n", h->program_name, path,
			strerror(errno));
		return -EIO;
	}
	printf("  written: %s\n", path);
	return 0;
}

/* Write the shrunk @c as a scenario kfp check confirms. */
static int h_write_finding(struct hunt *h, const struct h_cand *c, u32 found, unsigned int nr)
{
	static struct h_finding f;
	char props[40];
	int ret;

	memset(&f, 0, sizeof(f));
	h_props_text(found, props, sizeof(props));
	if (h->design_b >= 0)
		snprintf(f.name, sizeof(f.name), "hunt-%s-vs-%s-%u", kfp_designs[h->design]->name,
			 kfp_designs[h->design_b]->name, nr);
	else
		snprintf(f.name, sizeof(f.name), "hunt-%s-%s-%u", kfp_designs[h->design]->name,
			 props, nr);
	ret = h_expectations(h, c, found, &f);
	if (!ret) {
		h_doc(h, c, props, &f);
		h_render(h, c, f.name, h->design_b >= 0, f.doc, f.expect, h->text, sizeof(h->text));
		ret = h_confirm(h, f.name);
	}
	if (!ret)
		ret = h_save(h, f.name);
	free(f.schedule);
	return ret;
}

/* ---- the search -------------------------------------------------------------------- */

static void h_progress(struct hunt *h, bool force)
{
	double now = h_elapsed(h);

	if (!force && now - h->last_progress < 2.0)
		return;
	h->last_progress = now;
	fprintf(stderr,
		"hunt: %.0fs (%.0fs CPU), size %u, %llu scenarios tried (%.0f/s), %u findings, %llu partial\n",
		now, h_cpu(), h->size, (unsigned long long)h->tried,
		now > 0 ? (double)h->tried / now : 0.0, h->nr_found,
		(unsigned long long)h->partial);
}

/* Set by SIGINT/SIGTERM: the hunt ends after the scenario it is on, as kfp check does. */
static volatile sig_atomic_t h_stop_signal;

static void h_on_signal(int signo)
{
	h_stop_signal = signo;
}

/* A second signal kills (SA_RESETHAND); a signal ignored at start stays ignored. */
static void h_catch_signals(void)
{
	struct sigaction action = { .sa_handler = h_on_signal, .sa_flags = SA_RESETHAND };
	static const int signals[] = { SIGINT, SIGTERM };
	struct sigaction old;
	unsigned int i;

	sigemptyset(&action.sa_mask);
	for (i = 0; i < ARRAY_SIZE(signals); i++)
		if (!sigaction(signals[i], NULL, &old) && old.sa_handler != SIG_IGN)
			sigaction(signals[i], &action, NULL);
}

static bool h_should_stop(struct hunt *h)
{
	if (h->stop)
		return true;
	if (h_stop_signal)
		h->stop = true;
	if ((h->max_scenarios && h->tried >= h->max_scenarios) ||
	    (h->seconds > 0 && h_elapsed(h) >= h->seconds) ||
	    (h->cpu_seconds > 0 && h_cpu() >= h->cpu_seconds) ||
	    (h->max_findings && h->nr_found >= h->max_findings) || h->nr_found >= H_MAX_FINDINGS)
		h->stop = true;
	return h->stop;
}

/*
 * The bug @c shows (after h_findings() explored it): --variant, the
 * properties and the first unaccepted report of each, kind, site and the
 * role of its owner (fault, map, page, gpc), so that a guest read and a
 * guest write faulting into the same get_page() are one bug, whatever the
 * backing; --diff, the differences and the scenario's set-up and ops.
 */
static void h_signature(struct hunt *h, const struct h_cand *c, u32 found, char *sig, size_t size)
{
	const struct kfp_reports *r = &h->run.explore.counterexample_reports;
	struct h_buf b = { sig, 0, size };
	unsigned int i;
	u32 seen = 0;

	h_props_text(found, sig, size);
	b.len = strlen(sig);
	if (h->design_b >= 0) {
		const struct kfp_scenario_result *res = h->scenario.result;

		h_put(&b, " %s", templates[c->tmpl].name);
		for (i = 0; i < h->last[0].nr_results; i++) {
			const struct h_thread *t = &c->t[res[i].thread];

			if (h->last[0].outcomes[i] == h->last[1].outcomes[i])
				continue;
			h_put(&b, " %s:%x/%x", h_op_text(t, res[i].op), h->last[0].outcomes[i],
			      h->last[1].outcomes[i]);
		}
		return;
	}
	for (i = 0; i < r->count && i < ARRAY_SIZE(r->report); i++) {
		const struct kfp_report *x = &r->report[i];

		const char *owner = kfp_scenario_run_owner_name(&h->run, x->owner);

		if (x->accepted || (seen & BIT(x->property)))
			continue;
		seen |= BIT(x->property);
		/* the owner's role (fault, map, page, ...) without its vCPU */
		if (owner && strchr(owner, '.'))
			owner = strchr(owner, '.') + 1;
		h_put(&b, " %s:%s@%s by %s", kfp_property_name(x->property),
		      kfp_report_kind_name(x->kind), x->what ? x->what : "?", owner ? owner : "?");
	}
}

/* Has a candidate with signature @sig been shrunk?  Remember it if not. */
static bool h_seen(struct hunt *h, const char *sig)
{
	unsigned int k;

	for (k = 0; k < h->nr_seen; k++)
		if (!strcmp(h->seen[k], sig))
			return true;
	if (h->nr_seen < H_MAX_SEEN)
		snprintf(h->seen[h->nr_seen++], H_SIGNATURE_LEN, "%s", sig);
	return false;
}

static void h_print_finding(struct hunt *h, const struct h_cand *c, u32 found, const char *sig)
{
	char props[64];

	h_props_text(found, props, sizeof(props));
	printf("finding %u: %s, set-up %s%s, %u ops in %u threads (scenario %llu, size %u)\n",
	       h->nr_found, props, templates[c->tmpl].name,
	       c->unsafe ? " with allow_unsafe_mappings" : "", h_nr_ops(c), c->nr_threads,
	       (unsigned long long)h->tried, h->size);
	printf("  bug: %s\n", sig);
	fprintf(stderr, "hunt: finding %u after %.1fs (%.1fs CPU)\n", h->nr_found, h_elapsed(h),
		h_cpu());
}

/*
 * Try one candidate.  When it shows something whose signature is new,
 * shrink it; when the shrunk scenario's signature is new too, write it.
 */
static int h_try(struct hunt *h, const struct h_cand *c)
{
	struct h_cand shrunk = *c;
	char sig[H_SIGNATURE_LEN];
	unsigned int k;
	double cpu;
	u32 found;

	if (!h_valid(c))
		return 0;
	h->tried++;
	h_progress(h, false);
	cpu = h_cpu();
	found = h_findings(h, c, true);
	cpu = h_cpu() - cpu;
	if (cpu > h->slowest_cpu) {
		h->slowest_cpu = cpu;
		h->slowest = h->tried;
	}
	if (!found)
		return 0;
	h_signature(h, c, found, sig, sizeof(sig));
	if (h_seen(h, sig)) {
		h->duplicates++;
		return 0;
	}
	h_shrink(h, &shrunk, h_first_bit(found));
	found = h_findings(h, &shrunk, false);
	h_signature(h, &shrunk, found, sig, sizeof(sig));
	h_seen(h, sig);
	for (k = 0; k < h->nr_found; k++)
		if (!strcmp(h->signature[k], sig)) {
			h->duplicates++;
			return 0;
		}
	snprintf(h->signature[h->nr_found++], H_SIGNATURE_LEN, "%s", sig);
	h_print_finding(h, &shrunk, found, sig);
	if (h->dir && h_mkdir(h->dir)) {
		fprintf(stderr, "%s: cannot create %s: %s\n", h->program_name, h->dir,
			strerror(errno));
		return -EIO;
	}
	return h_write_finding(h, &shrunk, found, h->nr_found);
}

/*
 * The candidates of one class (a size and a number of threads), one at a
 * time: template by template, one vCPU before several and host-only last,
 * thread lengths longest first, allow_unsafe_mappings 0 then 1, and the
 * ops as an odometer (the last op of the last thread turns fastest).
 * h_exhaust_size() takes one candidate from each class in turn, so that
 * the cheap one-thread scenarios of a size do not hold back its races.
 */
struct h_class {
	unsigned int size, nr_threads, tmpl, vcpus; /* vcpus == nr_threads + 1: host only */
	bool started, done;
	u64 work; /* steps its candidates' searches took */
	struct h_cand c;
};

/* The first op of the alphabet at or after @op that fits the template, or n. */
static unsigned int h_fitting_op(const struct h_template *t, bool vcpu, unsigned int op)
{
	unsigned int n = vcpu ? H_NR_VCPU_OPS : H_NR_HOST_OPS;

	for (; op < n; op++)
		if (h_op_fits(t, vcpu ? &vcpu_ops[op] : &host_ops[op]))
			return op;
	return n;
}

/* Threads @from.. take the longest lengths they may for @ops ops; false if none do. */
static bool h_first_lengths(struct h_cand *c, unsigned int from, unsigned int ops)
{
	unsigned int i;

	for (i = from; i < c->nr_threads; i++) {
		unsigned int left = c->nr_threads - i - 1, len;

		if (ops < left + 1)
			return false;
		len = MIN(ops - left, H_MAX_OPS);
		if (i && c->t[i - 1].vcpu == c->t[i].vcpu)
			len = MIN(len, c->t[i - 1].nr);
		c->t[i].nr = (u8)len;
		ops -= len;
	}
	return ops == 0;
}

/* The next thread lengths, longest first (thread 0's turning slowest). */
static bool h_next_lengths(struct h_cand *c)
{
	unsigned int i, j, rest;

	for (i = c->nr_threads - 1; i-- > 0;) {
		if (c->t[i].nr <= 1)
			continue;
		rest = 1;
		for (j = i + 1; j < c->nr_threads; j++)
			rest += c->t[j].nr;
		c->t[i].nr--;
		if (h_first_lengths(c, i + 1, rest))
			return true;
		c->t[i].nr++;
	}
	return false;
}

/* Every op at the first op of the alphabet that fits the template. */
static void h_first_ops(struct h_cand *c)
{
	const struct h_template *t = &templates[c->tmpl];
	unsigned int i, j;

	for (i = 0; i < c->nr_threads; i++)
		for (j = 0; j < c->t[i].nr; j++)
			c->t[i].op[j] = (u8)h_fitting_op(t, c->t[i].vcpu, 0);
}

/* The ops' odometer; false when it went round. */
static bool h_next_ops(struct h_cand *c)
{
	const struct h_template *t = &templates[c->tmpl];
	unsigned int i, j;

	for (i = c->nr_threads; i-- > 0;) {
		struct h_thread *th = &c->t[i];
		unsigned int n = th->vcpu ? H_NR_VCPU_OPS : H_NR_HOST_OPS;

		for (j = th->nr; j-- > 0;) {
			unsigned int op = h_fitting_op(t, th->vcpu, th->op[j] + 1u);

			if (op < n) {
				th->op[j] = (u8)op;
				return true;
			}
			th->op[j] = (u8)h_fitting_op(t, th->vcpu, 0);
		}
	}
	return false;
}

/* @k at its next template and vCPU count from its current ones; false when past the last. */
static bool h_class_layout(struct hunt *h, struct h_class *k)
{
	unsigned int i, vcpus;

	for (; k->tmpl < H_NR_TEMPLATES; k->tmpl++, k->vcpus = 1) {
		if (!(h->template_mask & BIT(k->tmpl)))
			continue;
		for (; k->vcpus <= k->nr_threads + 1; k->vcpus++) {
			vcpus = k->vcpus == k->nr_threads + 1 ? 0 : k->vcpus;
			memset(&k->c, 0, sizeof(k->c));
			k->c.tmpl = (u8)k->tmpl;
			k->c.setup_mask = (u8)(BIT(H_MAX_SETUP) - 1);
			if (templates[k->tmpl].object)
				k->c.setup_mask |= BIT(H_OBJECT_BIT);
			for (i = 0; i < H_MAX_SETUP; i++)
				if (!templates[k->tmpl].setup[i])
					k->c.setup_mask &= (u8)~BIT(i);
			k->c.nr_threads = (u8)k->nr_threads;
			for (i = 0; i < k->nr_threads; i++)
				k->c.t[i].vcpu = i < vcpus;
			if (h_first_lengths(&k->c, 0, k->size)) {
				h_first_ops(&k->c);
				return true;
			}
		}
	}
	return false;
}

/* Step @k to its next candidate, well-formed or not; false when the class is done. */
static bool h_class_step(struct hunt *h, struct h_class *k)
{
	if (!k->started) {
		k->started = true;
		k->tmpl = 0;
		k->vcpus = 1;
		return h_class_layout(h, k);
	}
	if (h_next_ops(&k->c))
		return true;
	if (!k->c.unsafe) {
		k->c.unsafe = 1;
		return true;
	}
	k->c.unsafe = 0;
	if (h_next_lengths(&k->c)) {
		h_first_ops(&k->c);
		return true;
	}
	k->vcpus++;
	return h_class_layout(h, k);
}

/* The next well-formed canonical candidate of @k, or false. */
static bool h_class_next(struct hunt *h, struct h_class *k)
{
	while (!k->done) {
		if (!h_class_step(h, k)) {
			k->done = true;
			break;
		}
		if (h_canonical(&k->c) && h_valid(&k->c))
			return true;
	}
	return false;
}

/*
 * Every candidate of @size ops.  The classes of one to --threads threads
 * share the search by the work their candidates cost (steps explored,
 * the same on every machine): the next candidate comes from the class
 * that has cost least so far, the fewer threads on a tie.  The
 * size's one-thread sequences (one execution each, and many) no longer
 * hold back its two-thread races, nor do the three-thread races (a
 * large search each) starve them.
 */
static int h_exhaust_size(struct hunt *h, unsigned int size)
{
	struct h_class k[H_MAX_THREADS];
	unsigned int nr = 0, nt, i;
	int ret;

	for (nt = h->min_threads; nt <= MIN(h->max_threads, size); nt++) {
		memset(&k[nr], 0, sizeof(k[nr]));
		k[nr].size = size;
		k[nr].nr_threads = nt;
		nr++;
	}
	while (!h_should_stop(h)) {
		struct h_class *next = NULL;
		u64 before;

		for (i = 0; i < nr; i++)
			if (!k[i].done && (!next || k[i].work < next->work))
				next = &k[i];
		if (!next)
			break;
		if (!h_class_next(h, next))
			continue;
		before = h->work;
		ret = h_try(h, &next->c);
		next->work += h->work - before + 1;
		if (ret)
			return ret;
	}
	return 0;
}

static u64 h_random(struct hunt *h)
{
	/* xorshift64* (Vigna) */
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	return h->rng * 0x2545f4914f6cdd1dULL;
}

static unsigned int h_below(struct hunt *h, unsigned int n)
{
	return (unsigned int)(h_random(h) % n);
}

/* A random well-formed candidate of at most --ops ops. */
static void h_random_cand(struct hunt *h, struct h_cand *c)
{
	unsigned int i, j, total, tmpl;

	do {
		memset(c, 0, sizeof(*c));
		do
			tmpl = h_below(h, H_NR_TEMPLATES);
		while (!(h->template_mask & BIT(tmpl)));
		c->tmpl = (u8)tmpl;
		c->setup_mask = (u8)(BIT(H_MAX_SETUP) - 1);
		if (templates[tmpl].object)
			c->setup_mask |= BIT(H_OBJECT_BIT);
		for (i = 0; i < H_MAX_SETUP; i++)
			if (!templates[tmpl].setup[i])
				c->setup_mask &= (u8)~BIT(i);
		c->unsafe = (u8)h_below(h, 2);
		c->nr_threads =
			(u8)(h->min_threads + h_below(h, h->max_threads - h->min_threads + 1));
		total = 0;
		for (i = 0; i < c->nr_threads; i++) {
			c->t[i].vcpu = i == 0 || h_below(h, 2);
			c->t[i].nr = (u8)(1 + h_below(h, H_MAX_OPS));
			total += c->t[i].nr;
			for (j = 0; j < c->t[i].nr; j++)
				c->t[i].op[j] = (u8)h_below(h, c->t[i].vcpu ? H_NR_VCPU_OPS :
									      H_NR_HOST_OPS);
		}
		h_canonicalise(c);
	} while (total > h->max_ops || !h_valid(c));
}

static int h_search(struct hunt *h)
{
	struct h_cand c;
	unsigned int size;
	int ret;

	for (size = 1; size <= MIN(h->exhaustive, h->max_ops) && !h_should_stop(h); size++) {
		h->size = size;
		h_progress(h, true);
		ret = h_exhaust_size(h, size);
		if (ret)
			return ret;
	}
	h->size = 0; /* random */
	while (h->exhaustive < h->max_ops && !h_should_stop(h)) {
		h_random_cand(h, &c);
		ret = h_try(h, &c);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- options ------------------------------------------------------------------------ */

/* kfp hunt's own options, after the shared ones */
enum {
	H_OPT_DIFF = KFP_OPT_COMMAND,
	H_OPT_THREADS,
	H_OPT_OBJECTS,
	H_OPT_OPS,
	H_OPT_EXHAUSTIVE,
	H_OPT_TIME,
	H_OPT_CPU_TIME,
	H_OPT_MAX_SCENARIOS,
	H_OPT_MAX_FINDINGS,
	H_OPT_BUDGET,
	H_OPT_OUTPUT = 'o',
};

static const struct option h_option_table[] = {
	KFP_OPT_FLAG("help", KFP_OPT_HELP),
	KFP_OPT_VALUE("variant", KFP_OPT_VARIANT),
	KFP_OPT_VALUE("diff", H_OPT_DIFF),
	KFP_OPT_VALUE("inject", KFP_OPT_INJECT),
	KFP_OPT_VALUE("threads", H_OPT_THREADS),
	KFP_OPT_VALUE("objects", H_OPT_OBJECTS),
	KFP_OPT_VALUE("ops", H_OPT_OPS),
	KFP_OPT_VALUE("exhaustive", H_OPT_EXHAUSTIVE),
	KFP_OPT_VALUE("time", H_OPT_TIME),
	KFP_OPT_VALUE("cpu-time", H_OPT_CPU_TIME),
	KFP_OPT_VALUE("max-scenarios", H_OPT_MAX_SCENARIOS),
	KFP_OPT_VALUE("max-findings", H_OPT_MAX_FINDINGS),
	KFP_OPT_VALUE("budget", H_OPT_BUDGET),
	KFP_OPT_VALUE("seed", KFP_OPT_SEED),
	KFP_OPT_VALUE("output", H_OPT_OUTPUT),
	KFP_OPT_END,
};

static void h_usage(FILE *out, const char *program_name)
{
	fprintf(out,
		"usage: %s hunt (--variant NAME | --diff A,B) [options]\n"
		"  --variant NAME        find scenarios with an unaccepted P1, P2, P3 or\n"
		"                        invariant report under NAME\n"
		"  --diff A,B            find scenarios whose verdicts or op outcomes differ\n"
		"  --inject NAME         put old code back in every scenario (kfp list)\n"
		"  --threads N|A..B      threads per scenario (default 1..3, at most 4)\n"
		"  --ops K               ops per scenario, all threads (default 6)\n"
		"  --exhaustive S        every scenario up to S ops, then random (default 4)\n"
		"  --objects K,K...      set-ups to use (default all): anon ttm device-mmio\n"
		"                        device-mmio-ro zone-device anon-noslot shmem file\n"
		"                        hugetlb smm\n"
		"  --time S              stop after S seconds (default 60; 0: no limit)\n"
		"  --cpu-time S          stop after S seconds of CPU time (one core, whatever\n"
		"                        the machine's load; 0: no limit)\n"
		"  --max-scenarios N     stop after N scenarios (a deterministic stop)\n"
		"  --max-findings N      stop after N findings\n"
		"  --budget N            states explored per scenario (default 20000)\n"
		"  --seed N              seed of the random phase (default 1)\n"
		"  -o DIR, --output DIR  write each finding as DIR/NAME.kfp (else on stdout)\n"
		"  --help, -h            this text\n"
		"exit: 0 nothing found, 1 findings, 2 usage error, 4 internal error,\n"
		"      128+N stopped by signal N (SIGINT, SIGTERM) after the scenario it was on\n",
		program_name);
}

static int h_templates(struct hunt *h, const char *list)
{
	char copy[256], *word, *save = NULL;
	unsigned int i;

	snprintf(copy, sizeof(copy), "%s", list);
	h->template_mask = 0;
	for (word = strtok_r(copy, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < H_NR_TEMPLATES; i++)
			if (!strcmp(word, templates[i].name))
				break;
		if (i == H_NR_TEMPLATES) {
			fprintf(stderr, "%s hunt: unknown set-up '%s'\n", h->program_name, word);
			return -EINVAL;
		}
		h->template_mask |= BIT(i);
	}
	if (!h->template_mask)
		fprintf(stderr, "%s hunt: --objects names no set-up\n", h->program_name);
	return h->template_mask ? 0 : -EINVAL;
}

/* --threads N or A..B, each from 1 to H_MAX_THREADS, A <= B */
static int h_threads(struct hunt *h, const char *text)
{
	const char *dots = strstr(text, "..");
	char first[16];

	if (!dots) {
		if (kfp_opt_uint("kfp hunt", "--threads", text, 1, H_MAX_THREADS, &h->min_threads))
			return -EINVAL;
		h->max_threads = h->min_threads;
		return 0;
	}
	snprintf(first, sizeof(first), "%.*s", (int)(dots - text), text);
	if (kfp_opt_uint("kfp hunt", "--threads", first, 1, H_MAX_THREADS, &h->min_threads) ||
	    kfp_opt_uint("kfp hunt", "--threads", dots + 2, 1, H_MAX_THREADS, &h->max_threads))
		return -EINVAL;
	if (h->min_threads > h->max_threads) {
		fprintf(stderr, "%s hunt: --threads A..B wants A <= B, not '%s'\n", h->program_name,
			text);
		return -EINVAL;
	}
	return 0;
}

static int h_designs(struct hunt *h, const char *list)
{
	char copy[64];
	char *comma;

	snprintf(copy, sizeof(copy), "%s", list);
	comma = strchr(copy, ',');
	if (comma) {
		*comma = '\0';
		h->design = kfp_design_index(copy);
		h->design_b = kfp_design_index(comma + 1);
	}
	if (!comma || h->design < 0 || h->design_b < 0 || h->design == h->design_b) {
		fprintf(stderr, "%s hunt: --diff wants two different variants A,B, not '%s'\n",
			h->program_name, list);
		return -EINVAL;
	}
	return 0;
}

/* One option: 0, or -EINVAL after saying why. */
static int h_option(struct hunt *h, int code, const char *value)
{
	static const char who[] = "kfp hunt";
	const unsigned int max_ops = H_MAX_THREADS * H_MAX_OPS;
	unsigned int design;
	int ret = 0;

	switch (code) {
	case KFP_OPT_VARIANT:
		ret = kfp_opt_one_variant(who, value,
					  "a hunt searches one (--diff A,B compares two)", &design);
		h->design = ret ? -1 : (int)design;
		h->design_b = -1;
		break;
	case H_OPT_DIFF:
		return h_designs(h, value);
	case KFP_OPT_INJECT:
		ret = kfp_opt_inject(who, value, &h->inject);
		break;
	case H_OPT_THREADS:
		return h_threads(h, value);
	case H_OPT_OBJECTS:
		return h_templates(h, value);
	case H_OPT_OUTPUT:
		h->dir = value;
		break;
	case H_OPT_OPS:
		ret = kfp_opt_uint(who, "--ops", value, 1, max_ops, &h->max_ops);
		break;
	case H_OPT_EXHAUSTIVE:
		ret = kfp_opt_uint(who, "--exhaustive", value, 0, max_ops, &h->exhaustive);
		break;
	case H_OPT_TIME:
		ret = kfp_opt_seconds(who, "--time", value, true, 1e6, &h->seconds);
		break;
	case H_OPT_CPU_TIME:
		ret = kfp_opt_seconds(who, "--cpu-time", value, true, 1e6, &h->cpu_seconds);
		break;
	case H_OPT_MAX_SCENARIOS:
		ret = kfp_opt_u64(who, "--max-scenarios", value, 0, UINT64_MAX, &h->max_scenarios);
		break;
	case H_OPT_MAX_FINDINGS:
		ret = kfp_opt_uint(who, "--max-findings", value, 0, H_MAX_FINDINGS,
				   &h->max_findings);
		break;
	case H_OPT_BUDGET:
		ret = kfp_opt_u64(who, "--budget", value, 1, UINT64_MAX, &h->budget);
		break;
	case KFP_OPT_SEED:
		ret = kfp_opt_u64(who, "--seed", value, 0, UINT64_MAX, &h->seed);
		break;
	default:
		ret = -1; /* '?': kfp_opt_next said what is wrong */
	}
	return ret ? -EINVAL : 0;
}

static int h_parse(struct hunt *h, int argc, char **argv)
{
	struct kfp_opt_parser parser = {
		.who = "kfp hunt",
		.argc = argc,
		.argv = argv,
		.options = h_option_table,
		.short_options = "ho:",
	};
	const char *value;
	int code, nr;

	h->design = -1;
	h->design_b = -1;
	h->min_threads = 1;
	h->max_threads = 3;
	h->max_ops = 6;
	h->exhaustive = 4;
	h->template_mask = (u32)BIT(H_NR_TEMPLATES) - 1;
	h->seconds = 60;
	h->budget = 20000;
	h->seed = 1;
	while ((code = kfp_opt_next(&parser, &value)) != -1) {
		if (code == KFP_OPT_HELP) {
			h_usage(stdout, h->program_name);
			return 1;
		}
		if (h_option(h, code, value))
			return -EINVAL;
	}
	argv = kfp_opt_operands(&parser, &nr);
	if (nr) {
		fprintf(stderr, "%s hunt: unexpected argument '%s'\n", h->program_name, argv[0]);
		return -EINVAL;
	}
	if (h->design < 0) {
		fprintf(stderr, "%s hunt: --variant or --diff is needed\n", h->program_name);
		h_usage(stderr, h->program_name);
		return -EINVAL;
	}
	h->rng = h->seed * 0x9e3779b97f4a7c15ULL + 1;
	return 0;
}

int kfp_hunt_command(const char *program_name, int argc, char **argv)
{
	struct hunt *h = calloc(1, sizeof(*h));
	int ret;

	if (!h)
		return H_EXIT_INTERNAL;
	h->program_name = program_name;
	ret = h_parse(h, argc, argv);
	if (ret) {
		free(h);
		return ret > 0 ? H_EXIT_NONE : H_EXIT_USAGE;
	}
	clock_gettime(CLOCK_MONOTONIC, &h->start);
	h_catch_signals();
	ret = h_search(h);
	h_progress(h, true);
	if (h->slowest)
		fprintf(stderr, "hunt: slowest search: scenario %llu, %.2fs CPU\n",
			(unsigned long long)h->slowest, h->slowest_cpu);
	printf("%llu scenarios tried, %u findings (%llu more scenarios shrank to a known bug), %llu searches partial (budget %llu states)\n",
	       (unsigned long long)h->tried, h->nr_found, (unsigned long long)h->duplicates,
	       (unsigned long long)h->partial, (unsigned long long)h->budget);
	kfp_scenario_run_release(&h->run);
	ret = ret ? H_EXIT_INTERNAL : h->nr_found ? H_EXIT_FOUND : H_EXIT_NONE;
	if (h_stop_signal && ret != H_EXIT_INTERNAL) {
		fprintf(stderr, "%s hunt: interrupted by signal %d: the results so far\n",
			program_name, (int)h_stop_signal);
		ret = 128 + h_stop_signal;
	}
	free(h);
	return ret;
}
