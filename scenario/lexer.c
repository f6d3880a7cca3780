// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario lexer: words, numbers, punctuation and newlines, with
 * 1-based line:column positions (columns count characters, so a UTF-8
 * sequence in a comment is one column; a tab is one column).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

int kfp_diag_error(struct kfp_diag *diag, struct kfp_source_pos pos, const char *fmt, ...)
{
	char msg[KFP_ERROR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (diag->buf && diag->size)
		snprintf(diag->buf, diag->size, "%s:%u:%u: %s", diag->path, pos.line, pos.col, msg);
	return -EINVAL;
}

void kfp_lex_init(struct kfp_lexer *lx, const char *text, size_t len, struct kfp_diag *diag)
{
	lx->text = text;
	lx->len = len;
	lx->off = 0;
	lx->line = 1;
	lx->col = 1;
	lx->diag = diag;
}

static struct kfp_source_pos lex_pos(const struct kfp_lexer *lx)
{
	struct kfp_source_pos pos = { lx->line, lx->col };

	return pos;
}

static int lex_peek(const struct kfp_lexer *lx, size_t ahead)
{
	if (lx->off + ahead >= lx->len)
		return -1;
	return (unsigned char)lx->text[lx->off + ahead];
}

static void lex_advance(struct kfp_lexer *lx)
{
	unsigned char c = lx->text[lx->off++];

	if (c == '\n') {
		lx->line++;
		lx->col = 1;
	} else if ((c & 0xc0) != 0x80) {
		lx->col++;
	}
}

/* Length of the UTF-8 sequence at @s (of @n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 2;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 3;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (need >= n)
		return 0;
	for (i = 1; i <= need; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

int kfp_lex_check_text(struct kfp_lexer *lx)
{
	struct kfp_lexer scan = *lx;
	const unsigned char *s = (const unsigned char *)lx->text;
	size_t n;

	while (scan.off < scan.len) {
		unsigned char c = s[scan.off];

		if (c == 0)
			return kfp_diag_error(lx->diag, lex_pos(&scan),
					      "NUL byte: not a text file");
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			return kfp_diag_error(lx->diag, lex_pos(&scan),
					      "control character 0x%02x: not a text file", c);
		if (c < 0x80) {
			lex_advance(&scan);
			continue;
		}
		n = utf8_len(s + scan.off, scan.len - scan.off);
		if (!n)
			return kfp_diag_error(lx->diag, lex_pos(&scan),
					      "invalid UTF-8: not a text file");
		while (n--)
			lex_advance(&scan);
	}
	return 0;
}

static bool is_word_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_word_char(int c)
{
	return is_word_start(c) || is_digit(c) || c == '-' || c == '+';
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void skip_blanks(struct kfp_lexer *lx)
{
	int c;

	for (;;) {
		c = lex_peek(lx, 0);
		if (c == ' ' || c == '\t' || c == '\r') {
			lex_advance(lx);
		} else if (c == '#') {
			while (lex_peek(lx, 0) >= 0 && lex_peek(lx, 0) != '\n')
				lex_advance(lx);
		} else {
			return;
		}
	}
}

static int lex_number(struct kfp_lexer *lx, struct kfp_token *tok)
{
	unsigned int base = 10;
	bool overflow = false;
	int d, digits = 0;

	if (lex_peek(lx, 0) == '-') {
		tok->negative = true;
		lex_advance(lx);
	}
	if (lex_peek(lx, 0) == '0' && (lex_peek(lx, 1) == 'x' || lex_peek(lx, 1) == 'X')) {
		base = 16;
		lex_advance(lx);
		lex_advance(lx);
	}
	for (;;) {
		d = hex_digit(lex_peek(lx, 0));
		if (d < 0 || (unsigned int)d >= base)
			break;
		if (tok->num > (UINT64_MAX - (u64)d) / base)
			overflow = true;
		tok->num = tok->num * base + (u64)d;
		digits++;
		lex_advance(lx);
	}
	if (!digits || is_word_char(lex_peek(lx, 0)) || lex_peek(lx, 0) == '.')
		return kfp_diag_error(lx->diag, tok->pos, "malformed number");
	if (overflow || (tok->negative && tok->num > (u64)INT64_MAX + 1))
		return kfp_diag_error(lx->diag, tok->pos, "number out of range (64 bits)");
	return 0;
}

static enum kfp_tok_kind punct_kind(struct kfp_lexer *lx, int c)
{
	switch (c) {
	case '{':
		return TOK_LBRACE;
	case '}':
		return TOK_RBRACE;
	case ',':
		return TOK_COMMA;
	case '|':
		return TOK_PIPE;
	case '[':
		return TOK_LBRACK;
	case ']':
		return TOK_RBRACK;
	case '.':
		return TOK_DOT;
	case '=':
		if (lex_peek(lx, 1) == '=') {
			lex_advance(lx);
			return TOK_EQEQ;
		}
		return TOK_EQ;
	case '!':
		if (lex_peek(lx, 1) == '=') {
			lex_advance(lx);
			return TOK_NE;
		}
		break;
	}
	return TOK_EOF;
}

static int lex_other(struct kfp_lexer *lx, struct kfp_token *tok, int c)
{
	tok->kind = punct_kind(lx, c);
	if (tok->kind != TOK_EOF) {
		lex_advance(lx);
		return 0;
	}
	if (c >= 0x80)
		return kfp_diag_error(lx->diag, tok->pos, "unexpected non-ASCII character");
	return kfp_diag_error(lx->diag, tok->pos, "unexpected character '%c'", c);
}

int kfp_lex_next(struct kfp_lexer *lx, struct kfp_token *tok)
{
	int c, ret = 0;

	skip_blanks(lx);
	memset(tok, 0, sizeof(*tok));
	tok->pos = lex_pos(lx);
	tok->start = lx->text + lx->off;
	c = lex_peek(lx, 0);
	if (c < 0) {
		tok->kind = TOK_EOF;
	} else if (c == '\n') {
		tok->kind = TOK_NEWLINE;
		lex_advance(lx);
	} else if (is_digit(c) || (c == '-' && is_digit(lex_peek(lx, 1)))) {
		tok->kind = TOK_NUMBER;
		ret = lex_number(lx, tok);
	} else if (is_word_start(c)) {
		tok->kind = TOK_WORD;
		while (is_word_char(lex_peek(lx, 0)))
			lex_advance(lx);
	} else {
		ret = lex_other(lx, tok, c);
	}
	tok->end = lx->off;
	tok->len = (size_t)(lx->text + lx->off - tok->start);
	return ret;
}

int kfp_lex_raw_name(struct kfp_lexer *lx, struct kfp_token *tok)
{
	int c;

	skip_blanks(lx);
	memset(tok, 0, sizeof(*tok));
	tok->kind = TOK_WORD;
	tok->pos = lex_pos(lx);
	tok->start = lx->text + lx->off;
	for (;;) {
		c = lex_peek(lx, 0);
		if (!is_word_char(c) && c != '.')
			break;
		lex_advance(lx);
	}
	tok->end = lx->off;
	tok->len = (size_t)(lx->text + lx->off - tok->start);
	if (!tok->len)
		return kfp_diag_error(lx->diag, tok->pos, "expected a scenario name");
	return 0;
}

/* The line at the lexer's offset, without its newline. */
static size_t line_length(const struct kfp_lexer *lx)
{
	size_t n = 0;

	while (lx->off + n < lx->len && lx->text[lx->off + n] != '\n')
		n++;
	return n;
}

static bool line_is_close(const char *s, size_t n)
{
	bool seen = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '}' && !seen)
			seen = true;
		else if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	}
	return seen;
}

static size_t indent_of(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* Append one doc line, without up to @indent leading blanks. */
static int doc_append(struct kfp_lexer *lx, const char *s, size_t n, size_t indent, char *doc,
		      size_t size, size_t *used)
{
	size_t skip = indent_of(s, n);

	if (skip > indent)
		skip = indent;
	s += skip;
	n -= skip;
	while (n && s[n - 1] == '\r')
		n--;
	if (*used + n + 1 >= size)
		return kfp_diag_error(lx->diag, lex_pos(lx), "doc text too long (max %zu bytes)",
				      size - 1);
	memcpy(doc + *used, s, n);
	*used += n;
	doc[(*used)++] = '\n';
	doc[*used] = '\0';
	return 0;
}

static void skip_line(struct kfp_lexer *lx, size_t n)
{
	while (n--)
		lex_advance(lx);
	if (lex_peek(lx, 0) == '\n')
		lex_advance(lx);
}

int kfp_lex_raw_doc(struct kfp_lexer *lx, struct kfp_source_pos open, char *doc, size_t size)
{
	size_t used = 0, indent = (size_t)-1, n;
	const char *s;
	int ret;

	skip_blanks(lx);
	if (lex_peek(lx, 0) >= 0 && lex_peek(lx, 0) != '\n')
		return kfp_diag_error(lx->diag, lex_pos(lx), "expected end of line after 'doc {'");
	skip_line(lx, 0);
	doc[0] = '\0';
	for (;;) {
		if (lx->off >= lx->len)
			return kfp_diag_error(lx->diag, open,
					      "unterminated doc block: missing '}'");
		s = lx->text + lx->off;
		n = line_length(lx);
		if (line_is_close(s, n)) {
			skip_line(lx, n);
			break;
		}
		if (indent == (size_t)-1 && indent_of(s, n) < n)
			indent = indent_of(s, n);
		if (used || indent_of(s, n) < n) {
			ret = doc_append(lx, s, n, indent, doc, size, &used);
			if (ret)
				return ret;
		}
		skip_line(lx, n);
	}
	while (used > 1 && doc[used - 1] == '\n' && doc[used - 2] == '\n')
		doc[--used] = '\0';
	return 0;
}

static const char *const punct_names[] = {
	[TOK_EOF] = "end of file", [TOK_NEWLINE] = "end of line",
	[TOK_LBRACE] = "'{'",	   [TOK_RBRACE] = "'}'",
	[TOK_EQ] = "'='",	   [TOK_EQEQ] = "'=='",
	[TOK_NE] = "'!='",	   [TOK_COMMA] = "','",
	[TOK_PIPE] = "'|'",	   [TOK_LBRACK] = "'['",
	[TOK_RBRACK] = "']'",	   [TOK_DOT] = "'.'",
};

const char *kfp_tok_describe(const struct kfp_token *tok, char *buf, size_t size)
{
	if (tok->kind == TOK_WORD || tok->kind == TOK_NUMBER) {
		if (tok->len > 32)
			snprintf(buf, size, "'%.32s...'", tok->start);
		else
			snprintf(buf, size, "'%.*s'", (int)tok->len, tok->start);
		return buf;
	}
	return punct_names[tok->kind];
}
