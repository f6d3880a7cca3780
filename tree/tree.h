/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --kernel-tree: read KVM's lookup path from a user's kernel tree at run
 * time (docs/kernel-tree.md).  No kernel text is part of kfp: the
 * extractor takes definitions by name out of the user's files, the level
 * detector decides which shim fits them, and the builder compiles them
 * against that shim into a cache directory.
 */
#ifndef KFP_TREE_H
#define KFP_TREE_H

#include <stdbool.h>
#include <stddef.h>

/* A growing text buffer; every kt_* function that fills one NUL-terminates it. */
struct kt_buf {
	char *s;
	size_t len, cap;
};

void kt_buf_add(struct kt_buf *b, const char *s, size_t n);
void kt_buf_printf(struct kt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kt_buf_free(struct kt_buf *b);

/*
 * One C file of the tree: its text and a copy ("code") in which every
 * comment, string and character literal body is blanked (newlines kept),
 * so that braces, parentheses and names are only ever found in code.
 */
struct kt_source {
	char *path; /* as given: #line names it */
	char *text;
	char *code;
	size_t len;
};

/* Read @path; on failure @err says why and -1 is returned. */
int kt_source_load(struct kt_source *src, const char *path, struct kt_buf *err);
/* The same from memory (tests): @text is copied. */
void kt_source_init(struct kt_source *src, const char *path, const char *text);
void kt_source_free(struct kt_source *src);

enum kt_kind {
	KT_FUNCTION, /* a function definition, static inline included */
	KT_MACRO, /* #define NAME, object- or function-like */
	KT_STRUCT, /* struct NAME { ... }; */
};

/*
 * Append the definition of @name (of @kind) in @src to @out, preceded by
 * "#line N \"path\"" so that the compiler's messages point into the tree.
 * A name defined in several branches of #if/#ifdef/#else is taken from the
 * branch whose condition holds with the CONFIG_ symbols in @config (a
 * NULL-terminated list of the defined ones); conditions inside the
 * definition are copied and left to the compiler.  0, or -1 with @err
 * naming the missing or ambiguous definition or the condition it could
 * not evaluate.
 */
int kt_extract(const struct kt_source *src, enum kt_kind kind, const char *name,
	       const char *const *config, struct kt_buf *out, struct kt_buf *err);

/* Is @name defined (any kind, any branch) in @src?  Level detection. */
bool kt_defines(const struct kt_source *src, const char *name);
/* Does the identifier @name occur in code (not comments or strings) of @src? */
bool kt_mentions(const struct kt_source *src, const char *name);

/* Evaluate a #if expression with @config; 0/1, or -1 when it cannot. */
int kt_eval_condition(const char *expr, size_t len, const char *const *config);

#endif /* KFP_TREE_H */
