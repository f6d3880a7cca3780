/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private interface between the scenario lexer (lexer.c) and parser
 * (parser.c).  The format itself is described in docs/scenario-format.md.
 */
#ifndef KFP_SCENARIO_INTERNAL_H
#define KFP_SCENARIO_INTERNAL_H

#include <kfp/scenario.h>

/* Where errors go: "path:line:col: message" into @buf. */
struct kfp_diag {
	const char *path;
	char *buf;
	size_t size;
};

int kfp_diag_error(struct kfp_diag *diag, struct kfp_source_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

enum kfp_tok_kind {
	TOK_EOF,
	TOK_NEWLINE,
	TOK_WORD,
	TOK_NUMBER,
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_EQ,
	TOK_EQEQ,
	TOK_NE,
	TOK_COMMA,
	TOK_PIPE,
	TOK_LBRACK,
	TOK_RBRACK,
	TOK_DOT,
};

struct kfp_token {
	enum kfp_tok_kind kind;
	bool negative; /* TOK_NUMBER written with a leading '-' */
	const char *start;
	size_t len;
	size_t end; /* offset just past the token */
	u64 num; /* TOK_NUMBER: magnitude */
	struct kfp_source_pos pos;
};

struct kfp_lexer {
	const char *text;
	size_t len, off;
	u32 line, col;
	struct kfp_diag *diag;
};

void kfp_lex_init(struct kfp_lexer *lx, const char *text, size_t len, struct kfp_diag *diag);
/* Reject NUL bytes, control characters and invalid UTF-8 anywhere. */
int kfp_lex_check_text(struct kfp_lexer *lx);
int kfp_lex_next(struct kfp_lexer *lx, struct kfp_token *tok);
/* A scenario name: [A-Za-z0-9+-_.]+ after optional blanks. */
int kfp_lex_raw_name(struct kfp_lexer *lx, struct kfp_token *tok);
/*
 * The body of "doc {": the rest of the "{" line must be blank or a comment;
 * then raw lines up to one holding only "}", which is consumed with its
 * newline.  @open is the position of the "{" for the unterminated error.
 */
int kfp_lex_raw_doc(struct kfp_lexer *lx, struct kfp_source_pos open, char *doc, size_t size);
/* "'word'", "'{'", "end of line", ... for messages. */
const char *kfp_tok_describe(const struct kfp_token *tok, char *buf, size_t size);

#endif /* KFP_SCENARIO_INTERNAL_H */
