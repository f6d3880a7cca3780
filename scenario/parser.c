// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario parser: a .kfp file (docs/scenario-format.md) into struct
 * kfp_scenario, with every check that can be made without running it.
 * Each error is "path:line:col: message"; the first one ends the parse.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_REFS (KFP_SCENARIO_MAX_EXPECT_BLOCKS * KFP_SCENARIO_MAX_EXPECTATIONS)
#define MAX_SIGNALS (KFP_SCENARIO_MAX_SETUP + KFP_SCENARIO_MAX_THREADS * KFP_SCENARIO_MAX_OPS)
#define POISON_VALUE 0xaaaaaaaaaaaaaaaaULL

/* THREAD.RESULT in an expectation, resolved once every thread is known. */
struct pending_ref {
	char thread[KFP_NAME_LEN];
	char result[KFP_NAME_LEN];
	struct kfp_source_pos pos;
	s8 *slot;
};

/* signal THREAD, resolved at the end: the thread may come later. */
struct pending_signal {
	char thread[KFP_NAME_LEN];
	struct kfp_source_pos pos;
	struct kfp_op *op;
};

struct setup_slot {
	bool present;
	u64 gfn, pages;
};

struct parser {
	struct kfp_lexer lx;
	struct kfp_diag *diag;
	struct kfp_scenario *s;
	struct kfp_token tok;
	size_t prev_end;
	bool have_name;
	unsigned int nr_refs, nr_signals;
	struct pending_ref ref[MAX_REFS];
	struct pending_signal signal[MAX_SIGNALS];
	bool noslot[KFP_SCENARIO_MAX_THREADS][KFP_SCENARIO_MAX_OPS];
	struct setup_slot slot[KVM_ADDRESS_SPACE_NUM][KFP_MAX_MEMSLOTS];
};

/* The op being parsed and where it goes. */
struct op_ctx {
	struct kfp_op *op;
	int thread; /* -1: setup */
	const struct kfp_op_info *info;
};

static int parse_mmap(struct parser *p, struct op_ctx *ctx);
static int parse_memslot(struct parser *p, struct op_ctx *ctx);

static const char *const outcome_names[KFP_NR_OUTCOMES] = {
	[KFP_OUTCOME_OK] = "ok",	   [KFP_OUTCOME_EFAULT] = "efault",
	[KFP_OUTCOME_MMIO] = "mmio",	   [KFP_OUTCOME_HWPOISON] = "hwpoison",
	[KFP_OUTCOME_EINTR] = "eintr",	   [KFP_OUTCOME_EINVAL] = "einval",
	[KFP_OUTCOME_EBUSY] = "ebusy",	   [KFP_OUTCOME_EAGAIN] = "eagain",
	[KFP_OUTCOME_ENOMEM] = "enomem",   [KFP_OUTCOME_EEXIST] = "eexist",
	[KFP_OUTCOME_ENODEV] = "enodev",   [KFP_OUTCOME_EIO] = "eio",
	[KFP_OUTCOME_ENOENT] = "enoent",   [KFP_OUTCOME_OTHER] = "other",
	[KFP_OUTCOME_NOT_RUN] = "not-run",
};

static const char *const backing_names[KFP_NR_BACKINGS] = {
	[KFP_BACKING_ANON] = "anon",	 [KFP_BACKING_SHARED] = "shared",
	[KFP_BACKING_FILE] = "file",	 [KFP_BACKING_HUGETLB] = "hugetlb",
	[KFP_BACKING_PFNMAP] = "pfnmap", [KFP_BACKING_MIXEDMAP] = "mixedmap",
};

const char *kfp_outcome_name(enum kfp_outcome outcome)
{
	if ((unsigned int)outcome >= KFP_NR_OUTCOMES)
		return "?";
	return outcome_names[outcome];
}

static int name_index(const char *const *names, unsigned int nr, const char *name)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (names[i] && !strcmp(names[i], name))
			return (int)i;
	return -1;
}

/* Index of @name among the @nr names that @name_of() gives, or -1. */
static int name_by_function(const char *(*name_of)(unsigned int), unsigned int nr, const char *name)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(name_of(i), name))
			return (int)i;
	return -1;
}

static const char *property_name_of(unsigned int i)
{
	return kfp_property_name((enum kfp_property)i);
}

static const char *object_kind_name_of(unsigned int i)
{
	return kfp_memory_object_kind_name((enum kfp_memory_object_kind)i);
}

int kfp_outcome_by_name(const char *name)
{
	return name_index(outcome_names, KFP_NR_OUTCOMES, name);
}

/* ---- tokens ---------------------------------------------------------------- */

static int advance(struct parser *p)
{
	p->prev_end = p->tok.end;
	return kfp_lex_next(&p->lx, &p->tok);
}

static int error_at(struct parser *p, struct kfp_source_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int error_at(struct parser *p, struct kfp_source_pos pos, const char *fmt, ...)
{
	char msg[KFP_ERROR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kfp_diag_error(p->diag, pos, "%s", msg);
}

static int expected(struct parser *p, const char *what)
{
	char buf[48];

	return error_at(p, p->tok.pos, "expected %s, found %s", what,
			kfp_tok_describe(&p->tok, buf, sizeof(buf)));
}

static bool tok_is(const struct parser *p, const char *word)
{
	return p->tok.kind == TOK_WORD && p->tok.len == strlen(word) &&
	       !memcmp(p->tok.start, word, p->tok.len);
}

/* Copy the current word (any length) into @buf for lookups. */
static void tok_text(const struct parser *p, char *buf, size_t size)
{
	size_t n = p->tok.len < size - 1 ? p->tok.len : size - 1;

	memcpy(buf, p->tok.start, n);
	buf[n] = '\0';
}

static int expect_kind(struct parser *p, enum kfp_tok_kind kind, const char *what)
{
	if (p->tok.kind != kind)
		return expected(p, what);
	return advance(p);
}

static int expect_word(struct parser *p, const char *word)
{
	char what[40];

	if (tok_is(p, word))
		return advance(p);
	snprintf(what, sizeof(what), "'%s'", word);
	return expected(p, what);
}

/* A name (object, thread, result) into @buf, consuming it. */
static int take_name(struct parser *p, const char *what, char *buf, size_t size)
{
	if (p->tok.kind != TOK_WORD)
		return expected(p, what);
	if (p->tok.len >= size)
		return error_at(p, p->tok.pos, "%s '%.*s' is too long (max %zu characters)", what,
				(int)p->tok.len, p->tok.start, size - 1);
	tok_text(p, buf, size);
	return advance(p);
}

static int end_of_line(struct parser *p)
{
	char buf[48];

	if (p->tok.kind == TOK_EOF)
		return 0;
	if (p->tok.kind != TOK_NEWLINE)
		return error_at(p, p->tok.pos, "unexpected %s after the end of the statement",
				kfp_tok_describe(&p->tok, buf, sizeof(buf)));
	return advance(p);
}

static int take_number(struct parser *p, const char *what, u64 *value)
{
	if (p->tok.kind != TOK_NUMBER || p->tok.negative)
		return expected(p, what);
	*value = p->tok.num;
	return advance(p);
}

static int take_bounded(struct parser *p, const char *what, u64 limit, u64 *value)
{
	struct kfp_source_pos pos = p->tok.pos;
	int ret = take_number(p, what, value);

	if (ret)
		return ret;
	if (*value >= limit)
		return error_at(p, pos, "%s %llu out of range (must be < %llu)", what,
				(unsigned long long)*value, (unsigned long long)limit);
	return 0;
}

/* A value: a number (may be negative) or "poison". */
static int take_value(struct parser *p, u64 *value)
{
	if (tok_is(p, "poison")) {
		*value = POISON_VALUE;
		return advance(p);
	}
	if (p->tok.kind != TOK_NUMBER)
		return expected(p, "a value");
	*value = p->tok.negative ? 0 - p->tok.num : p->tok.num;
	return advance(p);
}

static int take_hva(struct parser *p, u64 *addr)
{
	struct kfp_source_pos pos = p->tok.pos;
	int ret = take_number(p, "an address", addr);

	if (ret)
		return ret;
	if (!PAGE_ALIGNED(*addr))
		return error_at(p, pos, "address 0x%llx is not page-aligned",
				(unsigned long long)*addr);
	if (*addr < KFP_HVA_MIN || *addr >= KFP_HVA_LIMIT)
		return error_at(p, pos,
				"address 0x%llx outside the modelled hva space [0x%llx, 0x%llx)",
				(unsigned long long)*addr, (unsigned long long)KFP_HVA_MIN,
				(unsigned long long)KFP_HVA_LIMIT);
	return 0;
}

/* @pages pages from @addr must end inside the modelled hva space. */
static int take_pages(struct parser *p, u64 addr, u64 *pages)
{
	struct kfp_source_pos pos = p->tok.pos;
	int ret = take_number(p, "a page count", pages);

	if (ret)
		return ret;
	if (!*pages)
		return error_at(p, pos, "page count must be > 0");
	if (*pages > KFP_NR_VPAGES || addr + (*pages << PAGE_SHIFT) > KFP_HVA_LIMIT)
		return error_at(p, pos,
				"%llu pages from 0x%llx go beyond the modelled hva space (0x%llx)",
				(unsigned long long)*pages, (unsigned long long)addr,
				(unsigned long long)KFP_HVA_LIMIT);
	return 0;
}

static int take_prot(struct parser *p, u8 *prot)
{
	if (tok_is(p, "none"))
		*prot = PROT_NONE;
	else if (tok_is(p, "r"))
		*prot = PROT_READ;
	else if (tok_is(p, "rw"))
		*prot = PROT_READ | PROT_WRITE;
	else
		return expected(p, "a protection (none, r or rw)");
	return advance(p);
}

static int find_object(const struct kfp_scenario *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_objects; i++)
		if (!strcmp(s->object[i].name, name))
			return (int)i;
	return -1;
}

static int find_thread(const struct kfp_scenario *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_threads; i++)
		if (!strcmp(s->thread[i].name, name))
			return (int)i;
	return -1;
}

static int take_object(struct parser *p, s8 *object)
{
	struct kfp_source_pos pos = p->tok.pos;
	char name[KFP_NAME_LEN];
	int ret, i;

	ret = take_name(p, "an object name", name, sizeof(name));
	if (ret)
		return ret;
	i = find_object(p->s, name);
	if (i < 0)
		return error_at(p, pos, "unknown object '%s'", name);
	*object = (s8)i;
	return 0;
}

/* ---- operations ------------------------------------------------------------ */

static int take_index(struct parser *p, bool gpc, u8 *index)
{
	u64 v;
	int ret;

	if (!tok_is(p, "index"))
		return 0;
	ret = advance(p);
	if (ret)
		return ret;
	ret = take_bounded(p, gpc ? "gpc index" : "map index",
			   gpc ? KFP_MAX_GPCS : KFP_MAX_HOST_MAPS, &v);
	*index = (u8)v;
	return ret;
}

static int take_gfn(struct parser *p, struct kfp_op *op)
{
	int ret = expect_word(p, "gfn");

	if (ret)
		return ret;
	return take_bounded(p, "gfn", KFP_NR_GFNS, &op->gfn);
}

static int take_gpa(struct parser *p, struct kfp_op *op)
{
	struct kfp_source_pos pos;
	int ret = expect_word(p, "gpa");

	if (ret)
		return ret;
	pos = p->tok.pos;
	ret = take_number(p, "a gpa", &op->addr);
	if (ret)
		return ret;
	if (!PAGE_ALIGNED(op->addr))
		return error_at(p, pos, "gpa 0x%llx is not page-aligned",
				(unsigned long long)op->addr);
	if (op->addr >= (u64)KFP_NR_GFNS << PAGE_SHIFT)
		return error_at(p, pos, "gpa 0x%llx out of range (must be < 0x%llx)",
				(unsigned long long)op->addr,
				(unsigned long long)KFP_NR_GFNS << PAGE_SHIFT);
	op->gfn = op->addr >> PAGE_SHIFT;
	return 0;
}

/* mremap's target: @op->count pages from it must fit too. */
static int take_target(struct parser *p, struct kfp_op *op)
{
	struct kfp_source_pos pos = p->tok.pos;
	int ret = take_hva(p, &op->addr2);

	if (ret)
		return ret;
	if (op->addr2 + (op->count << PAGE_SHIFT) > KFP_HVA_LIMIT)
		return error_at(p, pos,
				"%llu pages from 0x%llx go beyond the modelled hva space (0x%llx)",
				(unsigned long long)op->count, (unsigned long long)op->addr2,
				(unsigned long long)KFP_HVA_LIMIT);
	return 0;
}

static int take_signal_target(struct parser *p, struct kfp_op *op)
{
	struct pending_signal *sig = &p->signal[p->nr_signals];

	sig->pos = p->tok.pos;
	sig->op = op;
	p->nr_signals++;
	return take_name(p, "a thread name", sig->thread, sizeof(sig->thread));
}

static int parse_mmap(struct parser *p, struct op_ctx *ctx);
static int parse_memslot(struct parser *p, struct op_ctx *ctx);

/* One operand of struct kfp_op_info.args. */
static int take_arg(struct parser *p, struct op_ctx *ctx, char arg)
{
	struct kfp_op *op = ctx->op;

	switch (arg) {
	case 'G':
		return take_gfn(p, op);
	case 'i':
		return take_index(p, false, &op->index);
	case 'j':
		return take_index(p, true, &op->index);
	case 'g':
		return take_gpa(p, op);
	case 'V':
		return take_value(p, &op->value);
	case 'A':
		return take_hva(p, &op->addr);
	case 'N':
		return take_pages(p, op->addr, &op->count);
	case 'P':
		return take_prot(p, &op->prot);
	case 'B':
		return take_target(p, op);
	case 'O':
		return take_object(p, &op->object);
	case 'T':
		return take_signal_target(p, op);
	case 'M':
		return parse_mmap(p, ctx);
	case 'S':
		return parse_memslot(p, ctx);
	}
	return 0;
}

static const struct kfp_option_word *find_option(const struct parser *p)
{
	unsigned int i;

	for (i = 0; i < kfp_nr_option_words; i++)
		if (tok_is(p, kfp_option_words[i].name))
			return &kfp_option_words[i];
	return NULL;
}

/* Trailing option words, in any order, each at most once. */
static int take_options(struct parser *p, const char *opname, u16 allowed, u16 *flags)
{
	const struct kfp_option_word *opt;
	char buf[48];
	int ret;

	while (p->tok.kind == TOK_WORD) {
		opt = find_option(p);
		if (!opt || !(opt->flag & allowed))
			return error_at(p, p->tok.pos, "unknown option %s for '%s'",
					kfp_tok_describe(&p->tok, buf, sizeof(buf)), opname);
		if (*flags & opt->flag)
			return error_at(p, p->tok.pos, "duplicate option '%s'", opt->name);
		*flags |= opt->flag;
		ret = advance(p);
		if (ret)
			return ret;
	}
	return 0;
}

static int take_backing(struct parser *p, u8 *backing)
{
	char buf[16];
	int i;

	if (p->tok.kind != TOK_WORD)
		return expected(p, "a backing (anon, shared, file, hugetlb, pfnmap or mixedmap)");
	tok_text(p, buf, sizeof(buf));
	i = p->tok.len < sizeof(buf) ? name_index(backing_names, KFP_NR_BACKINGS, buf) : -1;
	if (i < 0)
		return expected(p, "a backing (anon, shared, file, hugetlb, pfnmap or mixedmap)");
	*backing = (u8)i;
	return advance(p);
}

static int take_mmap_option(struct parser *p, struct kfp_op *op, u64 *pgoff,
			    struct kfp_source_pos *pgoff_pos)
{
	static const struct kfp_option_word mmap_words[] = {
		{ "shared", KFP_MAP_SHARED },
		{ "fixed", KFP_MAP_FIXED },
		{ "populate", KFP_MAP_POPULATE },
		{ "hugepage", KFP_MAP_HUGEPAGE },
	};
	char buf[48];
	unsigned int i;

	if (tok_is(p, "pgoff")) {
		int ret = advance(p);

		*pgoff_pos = p->tok.pos;
		return ret ?: take_number(p, "a page offset", pgoff);
	}
	for (i = 0; i < ARRAY_SIZE(mmap_words); i++)
		if (tok_is(p, mmap_words[i].name))
			break;
	if (i == ARRAY_SIZE(mmap_words))
		return error_at(p, p->tok.pos, "unknown option %s for 'mmap'",
				kfp_tok_describe(&p->tok, buf, sizeof(buf)));
	op->map_flags |= mmap_words[i].flag;
	if (mmap_words[i].flag == KFP_MAP_FIXED)
		op->flags |= KFP_OPF_FIXED;
	return advance(p);
}

static int check_mmap_object(struct parser *p, struct kfp_op *op, u64 pgoff,
			     struct kfp_source_pos pos)
{
	const struct kfp_scenario_object *obj;

	if (op->object < 0) {
		if (pgoff)
			return error_at(p, pos, "pgoff needs an object");
		return 0;
	}
	obj = &p->s->object[op->object];
	if (pgoff >= obj->pages || op->count > obj->pages - pgoff)
		return error_at(p, pos, "pgoff %llu + %llu pages is beyond object '%s' (%u pages)",
				(unsigned long long)pgoff, (unsigned long long)op->count, obj->name,
				obj->pages);
	op->value = pgoff;
	return 0;
}

/*
 * mmap A N PROT BACKING [OBJECT] [pgoff N] [shared] [fixed] [populate]
 * [hugepage]; the page offset goes to op->value.
 */
static int parse_mmap(struct parser *p, struct op_ctx *ctx)
{
	struct kfp_op *op = ctx->op;
	struct kfp_source_pos pos, pgoff_pos;
	u64 pgoff = 0;
	int ret;

	ret = take_hva(p, &op->addr);
	ret = ret ?: take_pages(p, op->addr, &op->count);
	ret = ret ?: take_prot(p, &op->prot);
	pos = p->tok.pos;
	ret = ret ?: take_backing(p, &op->backing);
	if (ret)
		return ret;
	pgoff_pos = p->tok.pos;
	if (op->backing != KFP_BACKING_ANON) {
		if (p->tok.kind != TOK_WORD)
			return error_at(p, p->tok.pos, "mmap with backing '%s' needs an object",
					backing_names[op->backing]);
		ret = take_object(p, &op->object);
		if (ret)
			return ret;
	} else if (p->tok.kind == TOK_WORD) {
		char name[KFP_NAME_LEN];

		tok_text(p, name, sizeof(name));
		if (find_object(p->s, name) >= 0)
			return error_at(p, p->tok.pos, "an anon mapping takes no object");
	}
	if (op->backing == KFP_BACKING_SHARED)
		op->map_flags |= KFP_MAP_SHARED;
	while (!ret && p->tok.kind == TOK_WORD)
		ret = take_mmap_option(p, op, &pgoff, &pgoff_pos);
	if (ret)
		return ret;
	if (op->backing == KFP_BACKING_HUGETLB && !(op->map_flags & KFP_MAP_SHARED))
		return error_at(p, pos, "a hugetlb mapping must be 'shared'");
	return check_mmap_object(p, op, pgoff, pgoff_pos);
}

static int check_setup_overlap(struct parser *p, const struct kfp_op *op)
{
	struct setup_slot *slots = p->slot[op->as_id];
	unsigned int i;

	if (op->flags & KFP_OPF_DELETE) {
		slots[op->index].present = false;
		return 0;
	}
	for (i = 0; i < KFP_MAX_MEMSLOTS; i++) {
		if (i == op->index || !slots[i].present)
			continue;
		if (op->gfn < slots[i].gfn + slots[i].pages && slots[i].gfn < op->gfn + op->count)
			return error_at(
				p, op->pos,
				"memslot %u (gfns %llu-%llu) overlaps memslot %u (gfns %llu-%llu) in address space %u",
				op->index, (unsigned long long)op->gfn,
				(unsigned long long)(op->gfn + op->count - 1), i,
				(unsigned long long)slots[i].gfn,
				(unsigned long long)(slots[i].gfn + slots[i].pages - 1), op->as_id);
	}
	slots[op->index].present = true;
	slots[op->index].gfn = op->gfn;
	slots[op->index].pages = op->count;
	return 0;
}

/* gfn G pages N hva A [readonly] [log-dirty] */
static int parse_memslot_region(struct parser *p, struct kfp_op *op)
{
	struct kfp_source_pos pos;
	int ret;

	ret = take_gfn(p, op);
	ret = ret ?: expect_word(p, "pages");
	pos = p->tok.pos;
	ret = ret ?: take_number(p, "a page count", &op->count);
	if (ret)
		return ret;
	if (!op->count)
		return error_at(p, pos, "page count must be > 0");
	if (op->count > KFP_NR_GFNS - op->gfn)
		return error_at(p, pos, "%llu pages from gfn %llu go beyond gfn %u",
				(unsigned long long)op->count, (unsigned long long)op->gfn,
				KFP_NR_GFNS);
	ret = expect_word(p, "hva");
	ret = ret ?: take_hva(p, &op->addr);
	if (ret)
		return ret;
	if (op->addr + (op->count << PAGE_SHIFT) > KFP_HVA_LIMIT)
		return error_at(p, pos,
				"%llu pages from 0x%llx go beyond the modelled hva space (0x%llx)",
				(unsigned long long)op->count, (unsigned long long)op->addr,
				(unsigned long long)KFP_HVA_LIMIT);
	return take_options(p, "memslot", KFP_OPF_READONLY | KFP_OPF_LOG_DIRTY, &op->flags);
}

/* memslot I [as 0|1] gfn G pages N hva A [readonly] [log-dirty] | memslot I [as 0|1] delete */
static int parse_memslot(struct parser *p, struct op_ctx *ctx)
{
	struct kfp_op *op = ctx->op;
	u64 v;
	int ret;

	ret = take_bounded(p, "memslot id", KFP_MAX_MEMSLOTS, &v);
	if (ret)
		return ret;
	op->index = (u8)v;
	if (tok_is(p, "as")) {
		ret = advance(p);
		ret = ret ?: take_bounded(p, "address space", KVM_ADDRESS_SPACE_NUM, &v);
		if (ret)
			return ret;
		op->as_id = (u8)v;
	}
	if (tok_is(p, "delete")) {
		op->flags |= KFP_OPF_DELETE;
		ret = advance(p);
	} else if (tok_is(p, "gfn")) {
		ret = parse_memslot_region(p, op);
	} else {
		return expected(p, "'gfn' or 'delete'");
	}
	if (ret)
		return ret;
	if (ctx->thread < 0)
		return check_setup_overlap(p, op);
	return 0;
}

static int parse_op_args(struct parser *p, struct op_ctx *ctx)
{
	const struct kfp_op_info *info = ctx->info;
	const char *arg;
	int ret = 0;

	for (arg = info->args; *arg && !ret; arg++)
		ret = take_arg(p, ctx, *arg);
	/* mmap's and memslot's operand syntax (M, S) ends with their own options */
	if (ret || strpbrk(info->args, "MS"))
		return ret;
	return take_options(p, info->name, info->options, &ctx->op->flags);
}

static const struct kfp_op_info *find_op(const struct parser *p)
{
	unsigned int i;

	for (i = 0; i < KFP_NR_OP_KINDS; i++)
		if (tok_is(p, kfp_ops[i].name))
			return &kfp_ops[i];
	return NULL;
}

static int check_op_side(struct parser *p, const struct kfp_op_info *info, int thread)
{
	const struct kfp_scenario_thread *t = thread >= 0 ? &p->s->thread[thread] : NULL;

	if (!t && info->vcpu)
		return error_at(p, p->tok.pos, "'%s' is a vCPU operation, not allowed in setup",
				info->name);
	if (t && info->vcpu && !t->is_vcpu)
		return error_at(p, p->tok.pos,
				"'%s' is a vCPU operation, not allowed in host thread '%s'",
				info->name, t->name);
	if (t && !info->vcpu && t->is_vcpu)
		return error_at(p, p->tok.pos,
				"'%s' is a host operation, not allowed in vCPU thread '%s'",
				info->name, t->name);
	return 0;
}

/* "RESULT =" before an op: a name unique in its thread. */
static int add_result(struct parser *p, int thread, struct kfp_op *op, unsigned int op_index)
{
	struct kfp_scenario *s = p->s;
	struct kfp_scenario_result *r;
	char name[KFP_NAME_LEN];
	struct kfp_source_pos pos = p->tok.pos;
	unsigned int i;
	int ret;

	ret = take_name(p, "a result name", name, sizeof(name));
	if (ret)
		return ret;
	if (thread < 0)
		return error_at(p, pos, "results cannot be named in setup");
	for (i = 0; i < s->nr_results; i++)
		if (s->result[i].thread == thread && !strcmp(s->result[i].name, name))
			return error_at(p, pos, "duplicate result '%s' in thread '%s'", name,
					s->thread[thread].name);
	if (s->nr_results >= KFP_SCENARIO_MAX_RESULTS)
		return error_at(p, pos, "too many results (max %u)", KFP_SCENARIO_MAX_RESULTS);
	r = &s->result[s->nr_results];
	memcpy(r->name, name, sizeof(name));
	r->thread = (u8)thread;
	r->op = (u8)op_index;
	op->result = (s8)s->nr_results++;
	return expect_kind(p, TOK_EQ, "'='");
}

/* Is the token after the current one '='?  (Lexing errors surface later.) */
static bool next_is_eq(const struct parser *p)
{
	struct kfp_diag quiet = { .path = "" };
	struct kfp_lexer peek = p->lx;
	struct kfp_token next;

	peek.diag = &quiet;
	return !kfp_lex_next(&peek, &next) && next.kind == TOK_EQ;
}

/* One op line of setup (@thread < 0) or a thread; @op is its slot. */
static int parse_op(struct parser *p, int thread, struct kfp_op *op, unsigned int op_index)
{
	struct op_ctx ctx = { .op = op, .thread = thread };
	char buf[48];
	int ret;

	memset(op, 0, sizeof(*op));
	op->result = -1;
	op->object = -1;
	op->thread = -1;
	op->pos = p->tok.pos;
	if (p->tok.kind != TOK_WORD)
		return expected(p, "an operation");
	if (next_is_eq(p)) {
		ret = add_result(p, thread, op, op_index);
		if (ret)
			return ret;
		if (p->tok.kind != TOK_WORD)
			return expected(p, "an operation");
	}
	ctx.info = find_op(p);
	if (!ctx.info)
		return error_at(p, p->tok.pos, "unknown operation %s",
				kfp_tok_describe(&p->tok, buf, sizeof(buf)));
	ret = check_op_side(p, ctx.info, thread);
	if (ret)
		return ret;
	op->kind = (u8)(ctx.info - kfp_ops);
	ret = advance(p);
	ret = ret ?: parse_op_args(p, &ctx);
	if (ret)
		return ret;
	if (thread >= 0)
		p->noslot[thread][op_index] = op->flags & KFP_OPF_NOSLOT;
	op->flags &= ~KFP_OPF_NOSLOT;
	return end_of_line(p);
}

/* ---- blocks ---------------------------------------------------------------- */

typedef int (*item_fn)(struct parser *p, void *arg);

/*
 * "{" NEWLINE { item NEWLINE } "}": the current token is the "{".  Each
 * item consumes its line.  @what names the block in the unterminated error.
 */
static int parse_block(struct parser *p, const char *what, item_fn item, void *arg)
{
	struct kfp_source_pos open = p->tok.pos;
	int ret;

	ret = expect_kind(p, TOK_LBRACE, "'{'");
	ret = ret ?: end_of_line(p);
	while (!ret) {
		while (!ret && p->tok.kind == TOK_NEWLINE)
			ret = advance(p);
		if (ret)
			break;
		if (p->tok.kind == TOK_EOF)
			return error_at(p, open, "unterminated %s block: missing '}'", what);
		if (p->tok.kind == TOK_RBRACE) {
			ret = advance(p);
			return ret ?: end_of_line(p);
		}
		ret = item(p, arg);
	}
	return ret;
}

static int setup_item(struct parser *p, void *arg)
{
	struct kfp_scenario *s = p->s;

	(void)arg;
	if (s->nr_setup >= KFP_SCENARIO_MAX_SETUP)
		return error_at(p, p->tok.pos, "too many operations in setup (max %u)",
				KFP_SCENARIO_MAX_SETUP);
	s->nr_setup++;
	return parse_op(p, -1, &s->setup[s->nr_setup - 1], s->nr_setup - 1);
}

static int thread_item(struct parser *p, void *arg)
{
	struct kfp_scenario_thread *t = arg;
	int thread = (int)(t - p->s->thread);

	if (t->nr_ops >= KFP_SCENARIO_MAX_OPS)
		return error_at(p, p->tok.pos, "too many operations in thread '%s' (max %u)",
				t->name, KFP_SCENARIO_MAX_OPS);
	t->nr_ops++;
	return parse_op(p, thread, &t->op[t->nr_ops - 1], t->nr_ops - 1);
}

/* ---- expectations ---------------------------------------------------------- */

/* THREAD.RESULT, resolved into @slot at the end. */
static int take_result_ref(struct parser *p, s8 *slot)
{
	struct pending_ref *ref = &p->ref[p->nr_refs++];
	int ret;

	ref->pos = p->tok.pos;
	ref->slot = slot;
	ret = take_name(p, "a thread name", ref->thread, sizeof(ref->thread));
	ret = ret ?: expect_kind(p, TOK_DOT, "'.'");
	return ret ?: take_name(p, "a result name", ref->result, sizeof(ref->result));
}

/* "P1, P2, P3 or invariant": every property a scenario can name */
static void property_names(char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < KFP_NR_PROPERTIES && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					!i			  ? "" :
					i + 1 < KFP_NR_PROPERTIES ? ", " :
								    " or ",
					kfp_property_name(i));
}

static bool tok_is_property(const struct parser *p)
{
	unsigned int i;

	for (i = 0; i < KFP_NR_PROPERTIES; i++)
		if (tok_is(p, kfp_property_name(i)))
			return true;
	return false;
}

static int take_property(struct parser *p, struct kfp_expectation *e)
{
	char buf[16], names[64], what[80];
	int i;

	property_names(names, sizeof(names));
	if (p->tok.kind != TOK_WORD) {
		snprintf(what, sizeof(what), "a property (%s)", names);
		return expected(p, what);
	}
	tok_text(p, buf, sizeof(buf));
	i = p->tok.len < sizeof(buf) ? name_by_function(property_name_of, KFP_NR_PROPERTIES, buf) :
				       -1;
	if (i < 0)
		return error_at(p, p->tok.pos, "unknown property '%.*s' (expected %s)",
				(int)(p->tok.len > 32 ? 32 : p->tok.len), p->tok.start, names);
	e->property = (u8)i;
	return advance(p);
}

/* THREAD.RESULT ==|!= V */
static int take_value_test(struct parser *p, struct kfp_expectation *e)
{
	u64 v;
	int ret = take_result_ref(p, &e->result);

	if (ret)
		return ret;
	if (p->tok.kind == TOK_NE)
		e->negate = 1;
	else if (p->tok.kind != TOK_EQEQ)
		return expected(p, "'==' or '!='");
	ret = advance(p);
	ret = ret ?: take_value(p, &v);
	e->value = (s64)v;
	return ret;
}

static int take_outcome(struct parser *p, struct kfp_expectation *e)
{
	char buf[16];
	int i;

	if (p->tok.kind != TOK_WORD)
		return expected(p, "an outcome");
	tok_text(p, buf, sizeof(buf));
	i = p->tok.len < sizeof(buf) ? kfp_outcome_by_name(buf) : -1;
	if (i < 0)
		return error_at(p, p->tok.pos, "unknown outcome '%.*s'",
				(int)(p->tok.len > 32 ? 32 : p->tok.len), p->tok.start);
	e->outcome_mask |= 1U << i;
	return advance(p);
}

/* outcome of THREAD.RESULT is O[|O...] */
static int parse_outcome_expect(struct parser *p, struct kfp_expectation *e)
{
	int ret;

	e->kind = KFP_EXPECT_OUTCOME;
	ret = expect_word(p, "of");
	ret = ret ?: take_result_ref(p, &e->result);
	ret = ret ?: expect_word(p, "is");
	ret = ret ?: take_outcome(p, e);
	while (!ret && p->tok.kind == TOK_PIPE) {
		ret = advance(p);
		ret = ret ?: take_outcome(p, e);
	}
	return ret;
}

/* refcount|pins of OBJECT[I] == V */
static int parse_count_expect(struct parser *p, struct kfp_expectation *e)
{
	struct kfp_source_pos pos;
	u64 v = 0;
	int ret;

	ret = expect_word(p, "of");
	ret = ret ?: take_object(p, &e->object);
	if (!ret && p->tok.kind == TOK_LBRACK) {
		ret = advance(p);
		pos = p->tok.pos;
		ret = ret ?: take_number(p, "a page index", &v);
		if (!ret && v >= p->s->object[e->object].pages)
			return error_at(p, pos, "page %llu out of range (object '%s' has %u pages)",
					(unsigned long long)v, p->s->object[e->object].name,
					p->s->object[e->object].pages);
		ret = ret ?: expect_kind(p, TOK_RBRACK, "']'");
	}
	e->page = (u16)v;
	ret = ret ?: expect_kind(p, TOK_EQEQ, "'=='");
	ret = ret ?: take_value(p, &v);
	e->value = (s64)v;
	return ret;
}

static int parse_expect_kind(struct parser *p, struct kfp_expectation *e)
{
	char buf[48];
	bool sometimes = tok_is(p, "sometimes");
	int ret;

	if (tok_is(p, "never") || sometimes || tok_is(p, "accepted")) {
		e->kind = tok_is(p, "never") ? KFP_EXPECT_NEVER :
			  sometimes	     ? KFP_EXPECT_SOMETIMES :
					       KFP_EXPECT_ACCEPTED;
		ret = advance(p);
		if (ret)
			return ret;
		/* never accepted P: not even a report the design accepts */
		if (e->kind == KFP_EXPECT_NEVER && tok_is(p, "accepted")) {
			e->kind = KFP_EXPECT_NEVER_ACCEPTED;
			ret = advance(p);
			if (ret)
				return ret;
		}
		if (sometimes && p->tok.kind == TOK_WORD && !tok_is_property(p)) {
			e->kind = KFP_EXPECT_SOMETIMES_VALUE;
			return take_value_test(p, e);
		}
		return take_property(p, e);
	}
	if (tok_is(p, "always")) {
		e->kind = KFP_EXPECT_ALWAYS_VALUE;
		return advance(p) ?: take_value_test(p, e);
	}
	if (tok_is(p, "outcome"))
		return advance(p) ?: parse_outcome_expect(p, e);
	if (tok_is(p, "refcount") || tok_is(p, "pins")) {
		e->kind = tok_is(p, "pins") ? KFP_EXPECT_PINS : KFP_EXPECT_REFCOUNT;
		return advance(p) ?: parse_count_expect(p, e);
	}
	return error_at(
		p, p->tok.pos,
		"unknown expectation %s (expected never, sometimes, accepted, always, outcome, refcount or pins)",
		kfp_tok_describe(&p->tok, buf, sizeof(buf)));
}

static void set_text(struct parser *p, struct kfp_expectation *e, size_t start)
{
	size_t n = p->prev_end > start ? p->prev_end - start : 0;

	if (n >= sizeof(e->text))
		n = sizeof(e->text) - 1;
	memcpy(e->text, p->lx.text + start, n);
	e->text[n] = '\0';
}

static int expect_item(struct parser *p, void *arg)
{
	struct kfp_expect_block *b = arg;
	struct kfp_expectation *e;
	size_t start = (size_t)(p->tok.start - p->lx.text);
	int ret;

	if (b->nr >= KFP_SCENARIO_MAX_EXPECTATIONS)
		return error_at(p, p->tok.pos, "too many expectations in one block (max %u)",
				KFP_SCENARIO_MAX_EXPECTATIONS);
	e = &b->expect[b->nr++];
	e->pos = p->tok.pos;
	e->result = -1;
	e->object = -1;
	ret = parse_expect_kind(p, e);
	if (ret)
		return ret;
	set_text(p, e, start);
	return end_of_line(p);
}

/* DESIGN[, DESIGN...] or "all" */
static int take_design(struct parser *p, struct kfp_expect_block *b)
{
	struct kfp_source_pos pos = p->tok.pos;
	char name[KFP_NAME_LEN];
	u32 bits;
	unsigned int i;
	int ret, d;

	ret = take_name(p, "a design name", name, sizeof(name));
	if (ret)
		return ret;
	if (!strcmp(name, "all")) {
		bits = (u32)BIT(kfp_nr_designs) - 1;
	} else {
		d = kfp_design_index(name);
		if (d < 0) {
			char known[128] = "";

			for (i = 0; i < kfp_nr_designs; i++)
				snprintf(known + strlen(known), sizeof(known) - strlen(known),
					 "%s%s", i ? ", " : "", kfp_designs[i]->name);
			return error_at(p, pos, "unknown design '%s' (known: %s, or all)", name,
					known);
		}
		bits = (u32)BIT(d);
	}
	if (b->design_mask & bits)
		return error_at(p, pos, "design '%s' named twice", name);
	b->design_mask |= bits;
	return 0;
}

static int parse_expect(struct parser *p)
{
	struct kfp_scenario *s = p->s;
	struct kfp_expect_block *b;
	int ret;

	if (s->nr_blocks >= KFP_SCENARIO_MAX_EXPECT_BLOCKS)
		return error_at(p, p->tok.pos, "too many expect blocks (max %u)",
				KFP_SCENARIO_MAX_EXPECT_BLOCKS);
	b = &s->block[s->nr_blocks++];
	b->pos = p->tok.pos;
	ret = advance(p);
	ret = ret ?: take_design(p, b);
	while (!ret && p->tok.kind == TOK_COMMA) {
		ret = advance(p);
		ret = ret ?: take_design(p, b);
	}
	return ret ?: parse_block(p, "expect", expect_item, b);
}

/* ---- top-level statements -------------------------------------------------- */

static int parse_name(struct parser *p)
{
	struct kfp_source_pos pos = p->tok.pos;
	struct kfp_token tok;
	int ret;

	if (p->have_name)
		return error_at(p, pos, "duplicate 'name'");
	p->have_name = true;
	ret = kfp_lex_raw_name(&p->lx, &tok);
	if (ret)
		return ret;
	if (tok.len >= sizeof(p->s->name))
		return error_at(p, tok.pos, "scenario name too long (max %zu characters)",
				sizeof(p->s->name) - 1);
	memcpy(p->s->name, tok.start, tok.len);
	p->s->name_pos = tok.pos;
	p->tok = tok;
	ret = advance(p);
	return ret ?: end_of_line(p);
}

bool kfp_scenario_named_after_file(const struct kfp_scenario *scenario)
{
	const char *base = strrchr(scenario->path, '/');
	size_t len;

	base = base ? base + 1 : scenario->path;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".kfp"))
		len -= 4;
	return strlen(scenario->name) == len && !strncmp(scenario->name, base, len);
}

static int parse_doc(struct parser *p)
{
	struct kfp_source_pos open;
	int ret;

	ret = advance(p);
	if (ret)
		return ret;
	if (p->tok.kind != TOK_LBRACE)
		return expected(p, "'{'");
	open = p->tok.pos;
	ret = kfp_lex_raw_doc(&p->lx, open, p->s->doc, sizeof(p->s->doc));
	return ret ?: advance(p);
}

static int parse_inject(struct parser *p)
{
	unsigned int i;

	if (p->tok.kind != TOK_WORD)
		return expected(p, "an injection name");
	for (i = 0; i < kvm_nr_injections; i++) {
		if (tok_is(p, kvm_injections[i].name)) {
			p->s->inject |= kvm_injections[i].bit;
			return advance(p);
		}
	}
	return error_at(p, p->tok.pos, "unknown injection '%.*s'",
			(int)(p->tok.len > 32 ? 32 : p->tok.len), p->tok.start);
}

/* param allow_unsafe_mappings [=] 0|1 | param inject [=] NAME */
static int parse_param(struct parser *p)
{
	bool inject;
	u64 v;
	int ret;

	ret = advance(p);
	if (ret)
		return ret;
	inject = tok_is(p, "inject");
	if (!inject && !tok_is(p, "allow_unsafe_mappings"))
		return expected(p, "'allow_unsafe_mappings' or 'inject'");
	ret = advance(p);
	if (!ret && p->tok.kind == TOK_EQ)
		ret = advance(p);
	if (ret)
		return ret;
	if (inject)
		ret = parse_inject(p);
	else
		ret = take_bounded(p, "allow_unsafe_mappings", 2, &v);
	if (!inject)
		p->s->allow_unsafe_mappings = (u8)v;
	return ret ?: end_of_line(p);
}

static int take_object_kind(struct parser *p, struct kfp_scenario_object *obj)
{
	char buf[16];
	int i;

	if (p->tok.kind != TOK_WORD)
		return expected(p, "an object kind");
	tok_text(p, buf, sizeof(buf));
	i = p->tok.len < sizeof(buf) ?
		    name_by_function(object_kind_name_of, KFP_NR_OBJECT_KINDS, buf) :
		    -1;
	if (i < 0)
		return error_at(
			p, p->tok.pos,
			"unknown object kind '%.*s' (expected shmem, file, hugetlb, device-mmio, driver-pages, ttm, reserved or zone-device)",
			(int)(p->tok.len > 32 ? 32 : p->tok.len), p->tok.start);
	obj->kind = (u8)i;
	return advance(p);
}

/* object NAME KIND PAGES [retries N] */
static int parse_object(struct parser *p)
{
	struct kfp_scenario *s = p->s;
	struct kfp_scenario_object *obj;
	struct kfp_source_pos pos = p->tok.pos;
	u64 v;
	int ret;

	if (s->nr_objects >= KFP_SCENARIO_MAX_OBJECTS)
		return error_at(p, pos, "too many objects (max %u)", KFP_SCENARIO_MAX_OBJECTS);
	obj = &s->object[s->nr_objects];
	obj->pos = pos;
	ret = advance(p);
	pos = p->tok.pos;
	ret = ret ?: take_name(p, "an object name", obj->name, sizeof(obj->name));
	if (ret)
		return ret;
	if (find_object(s, obj->name) >= 0)
		return error_at(p, pos, "duplicate object '%s'", obj->name);
	s->nr_objects++;
	ret = take_object_kind(p, obj);
	pos = p->tok.pos;
	ret = ret ?: take_number(p, "a page count", &v);
	if (ret)
		return ret;
	if (!v || v > KFP_OBJECT_MAX_PAGES)
		return error_at(p, pos, "object pages %llu out of range (1..%u)",
				(unsigned long long)v, KFP_OBJECT_MAX_PAGES);
	obj->pages = (u16)v;
	if (tok_is(p, "retries")) {
		ret = advance(p);
		ret = ret ?: take_bounded(p, "retries", 256, &v);
		obj->fault_retries = (u8)v;
	}
	return ret ?: end_of_line(p);
}

static int parse_setup(struct parser *p)
{
	int ret = advance(p);

	return ret ?: parse_block(p, "setup", setup_item, NULL);
}

/* thread NAME [vcpu] { OP... } */
static int parse_thread(struct parser *p)
{
	struct kfp_scenario *s = p->s;
	struct kfp_scenario_thread *t;
	struct kfp_source_pos pos = p->tok.pos;
	int ret;

	if (s->nr_threads >= KFP_SCENARIO_MAX_THREADS)
		return error_at(p, pos, "too many threads (max %u)", KFP_SCENARIO_MAX_THREADS);
	t = &s->thread[s->nr_threads];
	t->pos = pos;
	ret = advance(p);
	pos = p->tok.pos;
	ret = ret ?: take_name(p, "a thread name", t->name, sizeof(t->name));
	if (ret)
		return ret;
	if (find_thread(s, t->name) >= 0)
		return error_at(p, pos, "duplicate thread '%s'", t->name);
	s->nr_threads++;
	if (tok_is(p, "vcpu")) {
		t->is_vcpu = 1;
		t->vcpu = s->nr_vcpus++;
		ret = advance(p);
		if (ret)
			return ret;
	}
	ret = parse_block(p, "thread", thread_item, t);
	if (!ret && !t->nr_ops)
		return error_at(p, t->pos, "thread '%s' has no operations", t->name);
	return ret;
}

static int parse_statement(struct parser *p)
{
	char buf[48];

	if (tok_is(p, "name"))
		return parse_name(p);
	if (tok_is(p, "doc"))
		return parse_doc(p);
	if (tok_is(p, "param"))
		return parse_param(p);
	if (tok_is(p, "object"))
		return parse_object(p);
	if (tok_is(p, "setup"))
		return parse_setup(p);
	if (tok_is(p, "thread"))
		return parse_thread(p);
	if (tok_is(p, "expect"))
		return parse_expect(p);
	return error_at(
		p, p->tok.pos,
		"unknown keyword %s (expected name, doc, param, object, setup, thread or expect)",
		kfp_tok_describe(&p->tok, buf, sizeof(buf)));
}

/* ---- checks once the whole file is read ------------------------------------ */

static int resolve_signals(struct parser *p)
{
	unsigned int i;
	int t;

	for (i = 0; i < p->nr_signals; i++) {
		t = find_thread(p->s, p->signal[i].thread);
		if (t < 0)
			return error_at(p, p->signal[i].pos, "unknown thread '%s'",
					p->signal[i].thread);
		if (!p->s->thread[t].is_vcpu)
			return error_at(p, p->signal[i].pos,
					"signal target '%s' is not a vCPU thread",
					p->signal[i].thread);
		p->signal[i].op->thread = (s8)t;
	}
	return 0;
}

static int resolve_refs(struct parser *p)
{
	const struct kfp_scenario *s = p->s;
	const struct pending_ref *ref;
	unsigned int i, r;
	int t;

	for (i = 0; i < p->nr_refs; i++) {
		ref = &p->ref[i];
		t = find_thread(s, ref->thread);
		if (t < 0)
			return error_at(p, ref->pos, "unknown thread '%s'", ref->thread);
		for (r = 0; r < s->nr_results; r++)
			if (s->result[r].thread == t && !strcmp(s->result[r].name, ref->result))
				break;
		if (r == s->nr_results)
			return error_at(p, ref->pos, "unknown result '%s.%s'", ref->thread,
					ref->result);
		*ref->slot = (s8)r;
	}
	return 0;
}

static bool op_covers(const struct kfp_op *op, u64 gfn)
{
	return op->kind == KFP_OP_MEMSLOT && !(op->flags & KFP_OPF_DELETE) && gfn >= op->gfn &&
	       gfn - op->gfn < op->count;
}

static bool gfn_covered(const struct kfp_scenario *s, u64 gfn)
{
	unsigned int t, i;

	for (i = 0; i < s->nr_setup; i++)
		if (op_covers(&s->setup[i], gfn))
			return true;
	for (t = 0; t < s->nr_threads; t++)
		for (i = 0; i < s->thread[t].nr_ops; i++)
			if (op_covers(&s->thread[t].op[i], gfn))
				return true;
	return false;
}

/* Does @op name a guest address (operand G, gfn, or g, gpa) that a memslot must cover? */
static bool op_has_gfn(const struct kfp_op *op)
{
	return strpbrk(kfp_ops[op->kind].args, "Gg");
}

/* Does @op use a gfn->pfn cache (operand j, its index)? */
static bool op_uses_gpc(const struct kfp_op *op)
{
	return strchr(kfp_ops[op->kind].args, 'j');
}

static int check_gfns(struct parser *p)
{
	struct kfp_scenario *s = p->s;
	const struct kfp_op *op;
	unsigned int t, i;

	for (t = 0; t < s->nr_threads; t++) {
		for (i = 0; i < s->thread[t].nr_ops; i++) {
			op = &s->thread[t].op[i];
			if (op_uses_gpc(op) && op->index + 1 > s->nr_gpcs)
				s->nr_gpcs = op->index + 1;
			if (!op_has_gfn(op) || p->noslot[t][i] || gfn_covered(s, op->gfn))
				continue;
			return error_at(
				p, op->pos,
				"gfn %llu is not covered by any memslot (add one, or mark the op 'noslot')",
				(unsigned long long)op->gfn);
		}
	}
	return 0;
}

static int check_file(struct parser *p)
{
	struct kfp_source_pos start = { 1, 1 };
	int ret;

	if (!p->have_name)
		return error_at(p, start, "missing 'name'");
	if (!p->s->nr_threads)
		return error_at(p, start, "no threads: a scenario needs at least one 'thread'");
	ret = resolve_signals(p);
	ret = ret ?: check_gfns(p);
	return ret ?: resolve_refs(p);
}

/* ---- entry points ---------------------------------------------------------- */

int kfp_scenario_parse(const char *path, const char *text, size_t len,
		       struct kfp_scenario *scenario, char *error, size_t error_size)
{
	struct kfp_diag diag = { .path = path ? path : "", .buf = error, .size = error_size };
	struct parser parser, *p = &parser;
	int ret;

	if (error && error_size)
		error[0] = '\0';
	memset(scenario, 0, sizeof(*scenario));
	snprintf(scenario->path, sizeof(scenario->path), "%s", diag.path);
	memset(p, 0, sizeof(*p));
	p->diag = &diag;
	p->s = scenario;
	kfp_lex_init(&p->lx, text ? text : "", text ? len : 0, &diag);
	ret = kfp_lex_check_text(&p->lx);
	ret = ret ?: kfp_lex_next(&p->lx, &p->tok);
	while (!ret) {
		while (!ret && p->tok.kind == TOK_NEWLINE)
			ret = advance(p);
		if (ret || p->tok.kind == TOK_EOF)
			break;
		ret = parse_statement(p);
	}
	return ret ?: check_file(p);
}

int kfp_scenario_load(const char *path, struct kfp_scenario *scenario, char *error,
		      size_t error_size)
{
	struct kfp_source_pos none = { 0, 0 };
	struct kfp_diag diag = { .path = path, .buf = error, .size = error_size };
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	FILE *f;
	int ret;

	f = fopen(path, "rb");
	if (!f)
		return kfp_diag_error(&diag, none, "cannot open: %s", strerror(errno));
	for (;;) {
		if (len == cap) {
			char *grown;

			if (cap >= (64U << 20)) {
				ret = kfp_diag_error(&diag, none, "file too large");
				goto out_free;
			}
			cap = cap ? cap * 2 : 8192;
			grown = realloc(text, cap);
			if (!grown) {
				ret = kfp_diag_error(&diag, none, "out of memory");
				goto out_free;
			}
			text = grown;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		ret = kfp_diag_error(&diag, none, "read error: %s", strerror(errno));
		goto out_free;
	}
	ret = kfp_scenario_parse(path, text, len, scenario, error, error_size);
out_free:
	free(text);
	fclose(f);
	return ret;
}
