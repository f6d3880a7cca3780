// SPDX-License-Identifier: GPL-2.0
/*
 * The extractor: a definition by name out of a C file of the user's tree,
 * copied with a #line so that compile errors point into that tree.  It is
 * no C parser: it blanks comments and literals, tracks brace depth (each
 * branch of an #if group starts from the depth the #if had, so unbalanced
 * branches inside a function cannot lose it), remembers the #if branches
 * around each top-level definition, and picks the definition whose
 * branches hold for the caller's CONFIG_ symbols.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

#define KT_MAX_NESTING 32
#define KT_MAX_BRANCHES 16
#define KT_MAX_CANDIDATES 16

void kt_buf_add(struct kt_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = realloc(b->s, cap);
		if (!b->s) {
			perror("kfp");
			exit(4);
		}
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void kt_buf_printf(struct kt_buf *b, const char *fmt, ...)
{
	char small[512], *big;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		kt_buf_add(b, small, (size_t)n);
		return;
	}
	big = malloc((size_t)n + 1);
	if (!big) {
		perror("kfp");
		exit(4);
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	kt_buf_add(b, big, (size_t)n);
	free(big);
}

void kt_buf_free(struct kt_buf *b)
{
	free(b->s);
	*b = (struct kt_buf){ 0 };
}

/* Blank a literal's body from @i (just past its opening @quote); returns the index past it. */
static size_t blank_literal(const char *t, char *c, size_t i, size_t len, char quote)
{
	while (i < len && t[i] != quote && t[i] != '\n') {
		if (t[i] == '\\' && i + 1 < len && t[i + 1] != '\n') {
			c[i++] = ' ';
		}
		c[i++] = ' ';
	}
	return i < len && t[i] == quote ? i + 1 : i;
}

/* The "code" copy: comments and literal bodies become spaces, newlines stay. */
static void blank(const char *t, char *c, size_t len)
{
	size_t i = 0;

	memcpy(c, t, len);
	while (i < len) {
		if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
			size_t end = i + 2;

			while (end + 1 < len && !(t[end] == '*' && t[end + 1] == '/'))
				end++;
			end = end + 1 < len ? end + 2 : len;
			for (; i < end; i++)
				if (c[i] != '\n')
					c[i] = ' ';
		} else if (t[i] == '/' && i + 1 < len && t[i + 1] == '/') {
			/* to the end of the line, which a backslash continues */
			while (i < len && !(t[i] == '\n' && (i == 0 || t[i - 1] != '\\'))) {
				if (c[i] != '\n')
					c[i] = ' ';
				i++;
			}
		} else if (t[i] == '"' || t[i] == '\'') {
			i = blank_literal(t, c, i + 1, len, t[i]);
		} else {
			i++;
		}
	}
}

void kt_source_init(struct kt_source *src, const char *path, const char *text)
{
	src->len = strlen(text);
	src->path = strdup(path);
	src->text = malloc(src->len + 1);
	src->code = malloc(src->len + 1);
	if (!src->path || !src->text || !src->code) {
		perror("kfp");
		exit(4);
	}
	memcpy(src->text, text, src->len + 1);
	blank(src->text, src->code, src->len);
	src->code[src->len] = '\0';
}

int kt_source_load(struct kt_source *src, const char *path, struct kt_buf *err)
{
	struct kt_buf text = { 0 };
	char chunk[65536];
	size_t n;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		kt_buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kt_buf_add(&text, chunk, n);
	if (ferror(f)) {
		kt_buf_printf(err, "%s: read error", path);
		fclose(f);
		kt_buf_free(&text);
		return -1;
	}
	fclose(f);
	kt_buf_add(&text, "", 0);
	kt_source_init(src, path, text.s);
	kt_buf_free(&text);
	return 0;
}

void kt_source_free(struct kt_source *src)
{
	free(src->path);
	free(src->text);
	free(src->code);
	*src = (struct kt_source){ 0 };
}

/* ---- #if expressions ---- */

struct eval {
	const char *s, *end;
	const char *const *config;
	bool bad;
};

static void eval_space(struct eval *e)
{
	for (;;) {
		if (e->s < e->end && isspace((unsigned char)*e->s))
			e->s++;
		else if (e->end - e->s >= 2 && e->s[0] == '\\' && e->s[1] == '\n')
			e->s += 2;
		else
			return;
	}
}

static bool eval_take(struct eval *e, const char *tok)
{
	size_t n = strlen(tok);

	eval_space(e);
	if ((size_t)(e->end - e->s) >= n && !memcmp(e->s, tok, n)) {
		e->s += n;
		return true;
	}
	return false;
}

static size_t eval_ident(struct eval *e, const char **id)
{
	const char *p;

	eval_space(e);
	p = e->s;
	while (e->s < e->end && (isalnum((unsigned char)*e->s) || *e->s == '_'))
		e->s++;
	*id = p;
	return (size_t)(e->s - p);
}

static bool configured(const char *const *config, const char *id, size_t n)
{
	for (; config && *config; config++)
		if (strlen(*config) == n && !memcmp(*config, id, n))
			return true;
	return false;
}

static long eval_or(struct eval *e);

/* defined X, defined(X), IS_ENABLED(X) and kin: the symbol, in or without parentheses */
static long eval_symbol(struct eval *e, bool module)
{
	bool paren = eval_take(e, "(");
	const char *id;
	size_t n = eval_ident(e, &id);

	if (!n || (paren && !eval_take(e, ")")))
		e->bad = true;
	return !module && configured(e->config, id, n);
}

static long eval_unary(struct eval *e)
{
	const char *id;
	size_t n;

	if (eval_take(e, "!"))
		return !eval_unary(e);
	if (eval_take(e, "(")) {
		long v = eval_or(e);

		if (!eval_take(e, ")"))
			e->bad = true;
		return v;
	}
	eval_space(e);
	if (e->s < e->end && isdigit((unsigned char)*e->s)) {
		char *end;
		long v = strtol(e->s, &end, 0);

		e->s = end;
		while (e->s < e->end && strchr("uUlL", *e->s))
			e->s++;
		return v;
	}
	n = eval_ident(e, &id);
	if (!n) {
		e->bad = true;
		return 0;
	}
	if ((n == 7 && !memcmp(id, "defined", 7)) || (n == 10 && !memcmp(id, "IS_ENABLED", 10)) ||
	    (n == 10 && !memcmp(id, "IS_BUILTIN", 10)) ||
	    (n == 12 && !memcmp(id, "IS_REACHABLE", 12)))
		return eval_symbol(e, false);
	if (n == 9 && !memcmp(id, "IS_MODULE", 9))
		return eval_symbol(e, true);
	eval_space(e);
	if (e->s < e->end && *e->s == '(') {
		/* a function-like macro kfp does not know: no value it can give */
		e->bad = true;
		return 0;
	}
	/* the preprocessor: an undefined identifier is 0, a CONFIG_ y is 1 */
	return configured(e->config, id, n);
}

static long eval_compare(struct eval *e)
{
	long a = eval_unary(e);

	if (eval_take(e, "=="))
		return a == eval_unary(e);
	if (eval_take(e, "!="))
		return a != eval_unary(e);
	if (eval_take(e, "<="))
		return a <= eval_unary(e);
	if (eval_take(e, ">="))
		return a >= eval_unary(e);
	if (eval_take(e, "<"))
		return a < eval_unary(e);
	if (eval_take(e, ">"))
		return a > eval_unary(e);
	return a;
}

static long eval_and(struct eval *e)
{
	long v = eval_compare(e);

	while (eval_take(e, "&&")) {
		long w = eval_compare(e);

		v = v && w;
	}
	return v;
}

static long eval_or(struct eval *e)
{
	long v = eval_and(e);

	while (eval_take(e, "||")) {
		long w = eval_and(e);

		v = v || w;
	}
	return v;
}

int kt_eval_condition(const char *expr, size_t len, const char *const *config)
{
	struct eval e = { .s = expr, .end = expr + len, .config = config };
	long v = eval_or(&e);

	eval_space(&e);
	if (e.bad || e.s != e.end)
		return -1;
	return v != 0;
}

/* ---- the scan ---- */

/* One #if group around the scan position: its branches' conditions so far. */
struct group {
	struct {
		size_t off, len; /* the expression in code; len 0 with off 0: #else */
		bool ifdef, ifndef;
	} branch[KT_MAX_BRANCHES];
	unsigned int nr;
	size_t line; /* of the #if */
	int depth_at_if, depth_after_first;
	bool zero; /* #if 0: its branch never counts */
};

struct candidate {
	enum kt_kind kind;
	size_t start, end;
	struct group groups[KT_MAX_NESTING];
	unsigned int nr_groups;
	bool open; /* its closing brace is still ahead */
};

struct scan {
	const struct kt_source *src;
	const char *name; /* NULL: only collect nothing, for kt_mentions()-free uses */
	size_t name_len;
	struct group groups[KT_MAX_NESTING];
	unsigned int nr_groups;
	bool overflow;
	int depth;
	struct candidate cand[KT_MAX_CANDIDATES];
	unsigned int nr_cand;
};

static size_t line_of(const struct kt_source *src, size_t off)
{
	size_t line = 1, i;

	for (i = 0; i < off && i < src->len; i++)
		line += src->text[i] == '\n';
	return line;
}

static bool is_ident_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

/* The end of the directive that begins at @i (its last line's newline or the end). */
static size_t directive_end(const struct kt_source *src, size_t i)
{
	while (i < src->len) {
		if (src->code[i] == '\n' && (i == 0 || src->code[i - 1] != '\\'))
			return i;
		i++;
	}
	return i;
}

static struct candidate *add_candidate(struct scan *s, enum kt_kind kind, size_t start)
{
	struct candidate *c;

	if (s->nr_cand == KT_MAX_CANDIDATES) {
		s->overflow = true;
		return NULL;
	}
	c = &s->cand[s->nr_cand++];
	c->kind = kind;
	c->start = start;
	c->end = start;
	c->nr_groups = s->nr_groups;
	memcpy(c->groups, s->groups, sizeof(s->groups[0]) * s->nr_groups);
	c->open = false;
	return c;
}

/* #if, #ifdef, #ifndef, #elif, #else, #endif, #define: the group stack and macros. */
static void directive(struct scan *s, size_t hash, size_t end)
{
	const char *c = s->src->code;
	size_t i = hash + 1, w, n;
	struct group *g;

	while (i < end && (c[i] == ' ' || c[i] == '\t'))
		i++;
	w = i;
	while (i < end && is_ident_char(c[i]))
		i++;
	n = i - w;
	while (i < end && (c[i] == ' ' || c[i] == '\t'))
		i++;
#define IS(word) (n == strlen(word) && !memcmp(c + w, word, n))
	if (IS("if") || IS("ifdef") || IS("ifndef")) {
		if (s->nr_groups == KT_MAX_NESTING) {
			s->overflow = true;
			return;
		}
		g = &s->groups[s->nr_groups++];
		memset(g, 0, sizeof(*g));
		g->line = line_of(s->src, hash);
		g->depth_at_if = s->depth;
		g->depth_after_first = -1;
		g->branch[0].off = i;
		g->branch[0].len = end - i;
		g->branch[0].ifdef = IS("ifdef");
		g->branch[0].ifndef = IS("ifndef");
		g->zero = IS("if") && kt_eval_condition(c + i, end - i, NULL) == 0 &&
			  strspn(c + i, "0 \t") == end - i;
		g->nr = 1;
	} else if ((IS("elif") || IS("else")) && s->nr_groups) {
		g = &s->groups[s->nr_groups - 1];
		/* the depth after the group is the first counted branch's */
		if (g->depth_after_first < 0 && !(g->zero && g->nr == 1))
			g->depth_after_first = s->depth;
		s->depth = g->depth_at_if;
		if (g->nr == KT_MAX_BRANCHES) {
			s->overflow = true;
			return;
		}
		g->branch[g->nr].off = IS("elif") ? i : 0;
		g->branch[g->nr].len = IS("elif") ? end - i : 0;
		g->branch[g->nr].ifdef = g->branch[g->nr].ifndef = false;
		g->nr++;
	} else if (IS("endif") && s->nr_groups) {
		g = &s->groups[--s->nr_groups];
		if (g->depth_after_first >= 0)
			s->depth = g->depth_after_first;
		else if (g->zero && g->nr == 1)
			s->depth = g->depth_at_if;
	} else if (IS("define") && s->name && s->depth == 0) {
		w = i;
		while (i < end && is_ident_char(c[i]))
			i++;
		if (i - w == s->name_len && !memcmp(c + w, s->name, s->name_len)) {
			struct candidate *cand = add_candidate(s, KT_MACRO, hash);

			if (cand)
				cand->end = end;
		}
	}
#undef IS
}

/* Past whitespace in code from @i. */
static size_t skip_space(const struct kt_source *src, size_t i)
{
	while (i < src->len && isspace((unsigned char)src->code[i]))
		i++;
	return i;
}

/* Past the parenthesised group that opens at @i, or @i when none opens there. */
static size_t skip_parens(const struct kt_source *src, size_t i)
{
	int depth = 0;

	if (i >= src->len || src->code[i] != '(')
		return i;
	for (; i < src->len; i++) {
		if (src->code[i] == '(')
			depth++;
		else if (src->code[i] == ')' && --depth == 0)
			return i + 1;
	}
	return i;
}

/*
 * @i is just past the name: a function definition has its parameter
 * list, then maybe attribute-like annotations (__releases(x)), then '{'.
 */
static bool function_body_follows(const struct kt_source *src, size_t i)
{
	i = skip_space(src, i);
	if (i >= src->len || src->code[i] != '(')
		return false;
	i = skip_parens(src, i);
	for (;;) {
		i = skip_space(src, i);
		if (i >= src->len)
			return false;
		if (src->code[i] == '{')
			return true;
		if (!is_ident_char(src->code[i]))
			return false;
		while (i < src->len && is_ident_char(src->code[i]))
			i++;
		i = skip_parens(src, skip_space(src, i));
	}
}

static void close_candidates(struct scan *s, size_t i)
{
	unsigned int k;

	for (k = 0; k < s->nr_cand; k++) {
		struct candidate *c = &s->cand[k];

		if (!c->open)
			continue;
		c->open = false;
		c->end = i + 1;
		if (c->kind == KT_STRUCT) {
			while (c->end < s->src->len && s->src->code[c->end] != ';')
				c->end++;
			if (c->end < s->src->len)
				c->end++;
		}
	}
}

/* An identifier at depth 0 from @i to @j: the start of one of our definitions? */
static void identifier(struct scan *s, size_t i, size_t j, size_t decl, bool after_struct)
{
	const struct kt_source *src = s->src;
	struct candidate *c;
	size_t k;

	if (!s->name || j - i != s->name_len || memcmp(src->code + i, s->name, s->name_len))
		return;
	k = skip_space(src, j);
	if (after_struct && k < src->len && src->code[k] == '{') {
		c = add_candidate(s, KT_STRUCT, decl);
	} else if (!after_struct && function_body_follows(src, j)) {
		c = add_candidate(s, KT_FUNCTION, decl);
	} else {
		return;
	}
	if (c)
		c->open = true;
}

/* Inside the first branch of an #if 0: code the compiler never sees, braces included. */
static bool in_if_zero(const struct scan *s)
{
	unsigned int g;

	for (g = 0; g < s->nr_groups; g++)
		if (s->groups[g].zero && s->groups[g].nr == 1)
			return true;
	return false;
}

static void scan(struct scan *s)
{
	const struct kt_source *src = s->src;
	const char *c = src->code;
	size_t i = 0, decl = 0, j;
	bool bol = true, after_struct = false;

	while (i < src->len) {
		if (bol && c[i] == '#') {
			j = directive_end(src, i);
			directive(s, i, j);
			i = j;
			if (s->depth == 0)
				decl = skip_space(src, i);
			continue;
		}
		if (c[i] == '\n') {
			bol = true;
			i++;
			continue;
		}
		if (isspace((unsigned char)c[i]) || in_if_zero(s)) {
			bol = bol && isspace((unsigned char)c[i]);
			i++;
			continue;
		}
		bol = false;
		if (is_ident_char(c[i]) && !isdigit((unsigned char)c[i])) {
			for (j = i; j < src->len && is_ident_char(c[j]); j++)
				;
			if (s->depth == 0)
				identifier(s, i, j, decl, after_struct);
			after_struct = j - i == 6 && !memcmp(c + i, "struct", 6);
			i = j;
			continue;
		}
		after_struct = false;
		if (c[i] == '{') {
			s->depth++;
		} else if (c[i] == '}') {
			if (s->depth > 0 && --s->depth == 0) {
				close_candidates(s, i);
				decl = skip_space(src, i + 1);
			}
		} else if (c[i] == ';' && s->depth == 0) {
			decl = skip_space(src, i + 1);
		}
		i++;
	}
}

/* 1: the branches around @c hold; 0: not; -1: one cannot be evaluated (@err says which). */
static int candidate_holds(const struct kt_source *src, const struct candidate *c,
			   const char *const *config, struct kt_buf *err)
{
	unsigned int g, b;

	for (g = 0; g < c->nr_groups; g++) {
		const struct group *grp = &c->groups[g];

		/* every earlier branch of the group false, the one we are in true */
		for (b = 0; b < grp->nr; b++) {
			const char *e = src->code + grp->branch[b].off;
			size_t n = grp->branch[b].len;
			bool last = b == grp->nr - 1;
			int v;

			if (last && !n)
				break; /* #else */
			if (grp->branch[b].ifdef || grp->branch[b].ifndef) {
				while (n && isspace((unsigned char)e[n - 1]))
					n--;
				v = configured(config, e, n);
				if (grp->branch[b].ifndef)
					v = !v;
			} else {
				v = kt_eval_condition(e, n, config);
			}
			if (v < 0) {
				kt_buf_printf(err, "%s:%zu: cannot evaluate #if %.*s", src->path,
					      grp->line, (int)n, e);
				return -1;
			}
			if (v != last)
				return 0;
		}
	}
	return 1;
}

static const char *kind_name(enum kt_kind kind)
{
	return kind == KT_MACRO ? "macro" : kind == KT_STRUCT ? "struct" : "function";
}

int kt_extract(const struct kt_source *src, enum kt_kind kind, const char *name,
	       const char *const *config, struct kt_buf *out, struct kt_buf *err)
{
	struct scan *s = calloc(1, sizeof(*s));
	const struct candidate *found = NULL;
	unsigned int k, seen = 0;
	int r = -1;

	if (!s) {
		perror("kfp");
		exit(4);
	}
	s->src = src;
	s->name = name;
	s->name_len = strlen(name);
	scan(s);
	if (s->overflow) {
		kt_buf_printf(err, "%s: %s: too many definitions or #if levels", src->path, name);
		goto out_free;
	}
	for (k = 0; k < s->nr_cand; k++) {
		const struct candidate *c = &s->cand[k];
		int v;

		if (c->kind != kind || c->open)
			continue;
		seen++;
		v = candidate_holds(src, c, config, err);
		if (v < 0)
			goto out_free;
		if (!v)
			continue;
		if (found) {
			kt_buf_printf(err, "%s:%zu: %s %s defined again (first at line %zu)",
				      src->path, line_of(src, c->start), kind_name(kind), name,
				      line_of(src, found->start));
			goto out_free;
		}
		found = c;
	}
	if (!found) {
		kt_buf_printf(err, "%s: no definition of %s %s%s", src->path, kind_name(kind), name,
			      seen ? " in a branch the configuration selects" : "");
		goto out_free;
	}
	kt_buf_printf(out, "#line %zu \"%s\"\n", line_of(src, found->start), src->path);
	kt_buf_add(out, src->text + found->start, found->end - found->start);
	kt_buf_add(out, "\n", 1);
	r = 0;
out_free:
	free(s);
	return r;
}

bool kt_defines(const struct kt_source *src, const char *name)
{
	struct scan *s = calloc(1, sizeof(*s));
	bool r;

	if (!s) {
		perror("kfp");
		exit(4);
	}
	s->src = src;
	s->name = name;
	s->name_len = strlen(name);
	scan(s);
	r = s->nr_cand > 0;
	free(s);
	return r;
}

bool kt_mentions(const struct kt_source *src, const char *name)
{
	size_t n = strlen(name);
	const char *p = src->code;

	while ((p = strstr(p, name))) {
		bool start = p == src->code || !is_ident_char(p[-1]);

		if (start && !is_ident_char(p[n]))
			return true;
		p += n;
	}
	return false;
}
