// SPDX-License-Identifier: GPL-2.0
/*
 * kfp merge: the verdicts of a whole search from the JSON of its shards.
 *
 * kfp check --json --shard I/N writes, per scenario and variant, what a
 * verdict is made of: the executions with a violation and with an
 * accepted report of each property, a witness schedule of each, and each
 * expectation's per-execution tallies (executions where it held, where it
 * failed).  The shards' executions partition one search (docs/explorer.md),
 * so the whole search's counts are their sums and its witnesses any
 * shard's; the expectations are then judged on the sums as kfp check
 * judges one search.  Shards that are not one complete set 0..N-1 of the
 * same search over the same scenarios are refused.  Adding up and judging
 * are scenario/verdict.c's, as for one search: this file reads and prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"

#define MAX_SHARDS KFP_OPT_MAX_SHARDS
#define JSON_MAX_DEPTH 32

enum {
	MERGE_MET = 0,
	MERGE_FAILED = 1,
	MERGE_USAGE = 2,
	MERGE_BOUND = 3,
	MERGE_INTERNAL = 4,
};

static const char *const kind_names[] = {
	[KFP_EXPECT_NEVER] = "never",
	[KFP_EXPECT_SOMETIMES] = "sometimes",
	[KFP_EXPECT_ACCEPTED] = "accepted",
	[KFP_EXPECT_ALWAYS_VALUE] = "always-value",
	[KFP_EXPECT_SOMETIMES_VALUE] = "sometimes-value",
	[KFP_EXPECT_OUTCOME] = "outcome",
	[KFP_EXPECT_REFCOUNT] = "refcount",
	[KFP_EXPECT_PINS] = "pins",
	[KFP_EXPECT_NEVER_ACCEPTED] = "never-accepted",
};

const char *kfp_merge_kind_name(unsigned int kind)
{
	return kind < ARRAY_SIZE(kind_names) && kind_names[kind] ? kind_names[kind] : "?";
}

static int kind_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (kind_names[i] && !strcmp(kind_names[i], name))
			return (int)i;
	return -1;
}

void kfp_merge_search_key(const struct kfp_explore_options *options, unsigned int inject, char *out,
			  size_t size)
{
	snprintf(out, size, "max-steps=%u preemption-bound=%d inject=%#x",
		 options->max_steps ? options->max_steps : KFP_DEFAULT_MAX_STEPS,
		 options->preemption_bound, inject);
}

/* ---- a small JSON reader ------------------------------------------------------ */

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	bool boolean;
	unsigned long long number; /* counts only: non-negative integers */
	char *key; /* its name, as a member of an object */
	char *string;
	struct json *child, *next;
};

struct reader {
	const char *start, *p;
	const char *error;
};

static void json_free(struct json *v)
{
	while (v) {
		struct json *next = v->next;

		json_free(v->child);
		free(v->key);
		free(v->string);
		free(v);
		v = next;
	}
}

static void skip_space(struct reader *r)
{
	while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
		r->p++;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* \uXXXX, as UTF-8 (a lone surrogate is kept as its three bytes) */
static char *put_unicode(char *out, unsigned int c)
{
	if (c < 0x80) {
		*out++ = (char)c;
	} else if (c < 0x800) {
		*out++ = (char)(0xc0 | c >> 6);
		*out++ = (char)(0x80 | (c & 0x3f));
	} else {
		*out++ = (char)(0xe0 | c >> 12);
		*out++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*out++ = (char)(0x80 | (c & 0x3f));
	}
	return out;
}

static char *parse_string(struct reader *r)
{
	const char *end = r->p + 1;
	char *s, *out;

	while (*end && *end != '"')
		end += *end == '\\' && end[1] ? 2 : 1;
	if (*end != '"') {
		r->error = "unterminated string";
		return NULL;
	}
	/* escapes only shrink: \uXXXX is 6 bytes for at most 3 */
	s = out = malloc((size_t)(end - r->p));
	if (!s) {
		r->error = "out of memory";
		return NULL;
	}
	for (r->p++; r->p < end; r->p++) {
		unsigned int c = 0;
		int i;

		if ((unsigned char)*r->p < 0x20)
			goto out_bad;
		if (*r->p != '\\') {
			*out++ = *r->p;
			continue;
		}
		switch (*++r->p) {
		case '"':
		case '\\':
		case '/':
			*out++ = *r->p;
			break;
		case 'b':
			*out++ = '\b';
			break;
		case 'f':
			*out++ = '\f';
			break;
		case 'n':
			*out++ = '\n';
			break;
		case 'r':
			*out++ = '\r';
			break;
		case 't':
			*out++ = '\t';
			break;
		case 'u':
			for (i = 1; i <= 4; i++) {
				if (r->p + i >= end || hex_digit(r->p[i]) < 0)
					goto out_bad;
				c = c << 4 | (unsigned int)hex_digit(r->p[i]);
			}
			r->p += 4;
			out = put_unicode(out, c);
			break;
		default:
			goto out_bad;
		}
	}
	*out = '\0';
	r->p = end + 1;
	return s;

out_bad:
	free(s);
	r->error = "bad string";
	return NULL;
}

static struct json *parse_value(struct reader *r, unsigned int depth);

/* The members of an object or the elements of an array, up to @close. */
static int parse_members(struct reader *r, struct json *v, char close, unsigned int depth)
{
	struct json **tail = &v->child;

	skip_space(r);
	if (*r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		struct json *item;

		skip_space(r);
		if (close == '}') {
			if (*r->p != '"') {
				r->error = "expected a member name";
				return -1;
			}
			key = parse_string(r);
			if (!key)
				return -1;
			skip_space(r);
			if (*r->p++ != ':') {
				free(key);
				r->error = "expected ':'";
				return -1;
			}
		}
		item = parse_value(r, depth + 1);
		if (!item) {
			free(key);
			return -1;
		}
		item->key = key;
		*tail = item;
		tail = &item->next;
		skip_space(r);
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p++ == close)
			return 0;
		r->error = close == '}' ? "expected ',' or '}'" : "expected ',' or ']'";
		return -1;
	}
}

static int parse_number(struct reader *r, struct json *v)
{
	const char *start = r->p;
	char *end;

	if (*r->p == '-')
		r->p++;
	while ((*r->p >= '0' && *r->p <= '9') || *r->p == '.' || *r->p == 'e' || *r->p == 'E' ||
	       *r->p == '+' || *r->p == '-')
		r->p++;
	strtod(start, &end);
	if (end != r->p || end == start) {
		r->error = "bad number";
		return -1;
	}
	v->number = *start == '-' ? 0 : strtoull(start, NULL, 10);
	return 0;
}

static struct json *parse_value(struct reader *r, unsigned int depth)
{
	struct json *v;
	int ret = 0;

	if (depth > JSON_MAX_DEPTH) {
		r->error = "nested too deep";
		return NULL;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		r->error = "out of memory";
		return NULL;
	}
	skip_space(r);
	if (*r->p == '{' || *r->p == '[') {
		v->type = *r->p == '{' ? JSON_OBJECT : JSON_ARRAY;
		r->p++;
		ret = parse_members(r, v, v->type == JSON_OBJECT ? '}' : ']', depth);
	} else if (*r->p == '"') {
		v->type = JSON_STRING;
		v->string = parse_string(r);
		ret = v->string ? 0 : -1;
	} else if (!strncmp(r->p, "true", 4) || !strncmp(r->p, "false", 5)) {
		v->type = JSON_BOOL;
		v->boolean = *r->p == 't';
		r->p += v->boolean ? 4 : 5;
	} else if (!strncmp(r->p, "null", 4)) {
		r->p += 4;
	} else if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) {
		v->type = JSON_NUMBER;
		ret = parse_number(r, v);
	} else {
		r->error = "unexpected character";
		ret = -1;
	}
	if (ret) {
		json_free(v);
		return NULL;
	}
	return v;
}

static const struct json *member(const struct json *object, const char *key, enum json_type type)
{
	const struct json *v;

	if (!object || object->type != JSON_OBJECT)
		return NULL;
	for (v = object->child; v; v = v->next)
		if (!strcmp(v->key, key))
			return v->type == type ? v : NULL;
	return NULL;
}

static const char *member_string(const struct json *object, const char *key)
{
	const struct json *v = member(object, key, JSON_STRING);

	return v ? v->string : NULL;
}

static unsigned int length(const struct json *array)
{
	const struct json *v;
	unsigned int n = 0;

	for (v = array ? array->child : NULL; v; v = v->next)
		n++;
	return n;
}

static const struct json *element(const struct json *array, unsigned int i)
{
	const struct json *v = array ? array->child : NULL;

	while (v && i--)
		v = v->next;
	return v;
}

/* ---- shards -------------------------------------------------------------------- */

struct shard {
	const char *path;
	char *text;
	struct json *root;
	unsigned int index, count;
	const char *search;
	const struct json *results;
};

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t size = 0, cap = 4096, n;
	char *text = malloc(cap);

	if (!f || !text) {
		if (f)
			fclose(f);
		free(text);
		return NULL;
	}
	while ((n = fread(text + size, 1, cap - size - 1, f)) > 0) {
		size += n;
		if (size + 1 == cap) {
			char *bigger = realloc(text, cap * 2);

			if (!bigger) {
				free(text);
				fclose(f);
				return NULL;
			}
			text = bigger;
			cap *= 2;
		}
	}
	fclose(f);
	if (memchr(text, '\0', size)) {
		free(text);
		return NULL;
	}
	text[size] = '\0';
	return text;
}

static int load_shard(struct shard *s, const char *path)
{
	const struct json *shard, *index, *count;
	struct reader r;

	s->path = path;
	s->text = read_file(path);
	if (!s->text) {
		fprintf(stderr, "%s:0:0: cannot read\n", path);
		return -1;
	}
	r = (struct reader){ .start = s->text, .p = s->text };
	s->root = parse_value(&r, 0);
	if (s->root) {
		skip_space(&r);
		if (*r.p)
			r.error = "text after the JSON value";
	}
	if (r.error) {
		fprintf(stderr, "%s: offset %ld: invalid JSON: %s\n", path, (long)(r.p - r.start),
			r.error);
		return -1;
	}
	shard = member(s->root, "shard", JSON_OBJECT);
	index = member(shard, "index", JSON_NUMBER);
	count = member(shard, "count", JSON_NUMBER);
	s->search = member_string(s->root, "search");
	s->results = member(s->root, "results", JSON_ARRAY);
	if (!index || !count || !s->search || !s->results || !count->number ||
	    count->number > MAX_SHARDS || index->number >= count->number) {
		fprintf(stderr, "%s: not the JSON of kfp check --json --shard I/N\n", path);
		return -1;
	}
	s->index = (unsigned int)index->number;
	s->count = (unsigned int)count->number;
	return 0;
}

/* The shards must be one split of one search: same N, same key, each index once. */
static int check_set(struct shard **by_index, struct shard *shards, unsigned int nr)
{
	unsigned int i, n = shards[0].count;

	for (i = 0; i < nr; i++) {
		struct shard *s = &shards[i];

		if (s->count != n) {
			fprintf(stderr, "%s: shard %u/%u, but %s is one of %u shards\n", s->path,
				s->index, s->count, shards[0].path, n);
			return -1;
		}
		if (strcmp(s->search, shards[0].search)) {
			fprintf(stderr, "%s: another search (%s) than %s (%s)\n", s->path,
				s->search, shards[0].path, shards[0].search);
			return -1;
		}
		if (by_index[s->index]) {
			fprintf(stderr, "%s: shard %u/%u again (also %s)\n", s->path, s->index, n,
				by_index[s->index]->path);
			return -1;
		}
		by_index[s->index] = s;
	}
	for (i = 0; i < n; i++) {
		if (!by_index[i]) {
			fprintf(stderr, "kfp merge: shard %u/%u is missing\n", i, n);
			return -1;
		}
	}
	return 0;
}

static bool same_string(const struct json *a, const struct json *b, const char *key)
{
	const char *x = member_string(a, key), *y = member_string(b, key);

	return x && y && !strcmp(x, y);
}

static bool same_number(const struct json *a, const struct json *b, const char *key)
{
	const struct json *x = member(a, key, JSON_NUMBER), *y = member(b, key, JSON_NUMBER);

	return x && y && x->number == y->number;
}

/* Every shard ran the same scenarios, variants and expectations, in the same order. */
static int check_cells(struct shard **by_index, unsigned int n)
{
	unsigned int i, c, e, cells = length(by_index[0]->results);

	for (i = 1; i < n; i++) {
		if (length(by_index[i]->results) != cells) {
			fprintf(stderr, "%s: %u results, but %s has %u\n", by_index[i]->path,
				length(by_index[i]->results), by_index[0]->path, cells);
			return -1;
		}
		for (c = 0; c < cells; c++) {
			const struct json *a = element(by_index[0]->results, c);
			const struct json *b = element(by_index[i]->results, c);
			const struct json *xa = member(a, "expectations", JSON_ARRAY);
			const struct json *xb = member(b, "expectations", JSON_ARRAY);
			bool same = same_string(a, b, "file") && same_string(a, b, "scenario") &&
				    same_string(a, b, "variant") && xa && xb &&
				    length(xa) == length(xb);

			for (e = 0; same && e < length(xa); e++) {
				const struct json *ea = element(xa, e), *eb = element(xb, e);

				same = same_number(ea, eb, "line") && same_number(ea, eb, "col") &&
				       same_string(ea, eb, "kind") && same_string(ea, eb, "text");
			}
			if (!same) {
				fprintf(stderr, "%s: result %u is not the one of %s\n",
					by_index[i]->path, c + 1, by_index[0]->path);
				return -1;
			}
		}
	}
	return 0;
}

/* ---- one cell: a scenario under a variant ------------------------------------------- */

struct merged_expectation {
	unsigned int line, col;
	int kind, property;
	const char *text;
	struct kfp_tally tally; /* the shards' tallies, added up */
	char failed_detail[KFP_DETAIL_LEN]; /* the first failing shard's, without its count */
};

/* The shards of one cell added up (scenario/verdict.c), and its judgement. */
struct merged {
	const char *file, *scenario, *variant;
	u64 executions, step_bound_hits;
	struct kfp_found found;
	const char *stop;
	unsigned int nr_expectations;
	struct merged_expectation expectation[KFP_SCENARIO_MAX_CHECKED];
	struct kfp_judgement judgement[KFP_SCENARIO_MAX_CHECKED];
	enum kfp_cell_status status;
};

static int property_by_name(const char *name)
{
	unsigned int p;

	for (p = 0; name && p < KFP_NR_PROPERTIES; p++)
		if (!strcmp(kfp_property_name(p), name))
			return (int)p;
	return -1;
}

static u64 number_of(const struct json *object, const char *key)
{
	const struct json *v = member(object, key, JSON_NUMBER);

	return v ? v->number : 0;
}

/* A schedule as the shard JSON writes it: "" is none. */
static const char *schedule_of(const char *schedule)
{
	return schedule && *schedule ? schedule : NULL;
}

static int read_counts(const struct json *cell, const char *key, u64 *counts)
{
	const struct json *array = member(cell, key, JSON_ARRAY);
	unsigned int p;

	if (length(array) != KFP_NR_PROPERTIES)
		return -1;
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		const struct json *v = element(array, p);

		if (v->type != JSON_NUMBER)
			return -1;
		counts[p] = v->number;
	}
	return 0;
}

static int read_witnesses(const struct json *cell, const char *key, const char **witness)
{
	const struct json *array = member(cell, key, JSON_ARRAY);
	unsigned int p;

	if (length(array) != KFP_NR_PROPERTIES)
		return -1;
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		const struct json *v = element(array, p);

		if (v->type != JSON_STRING)
			return -1;
		witness[p] = schedule_of(v->string);
	}
	return 0;
}

/* What one shard found of the cell: a part of the search. */
static int read_found(const struct json *cell, const char *stop, struct kfp_found *part)
{
	memset(part, 0, sizeof(*part));
	part->part = true;
	/* a shard that explored all of its part says "shard"; a whole run "complete" */
	part->complete = !strcmp(stop, "shard") || !strcmp(stop, "complete");
	if (read_counts(cell, "violation_executions", part->violated) ||
	    read_counts(cell, "accepted_executions", part->accepted) ||
	    read_witnesses(cell, "witness", part->witness) ||
	    read_witnesses(cell, "accepted_witness", part->accepted_witness))
		return -1;
	return 0;
}

static bool has_property(int kind)
{
	return kind >= 0 && kfp_expect_has_property((unsigned int)kind);
}

/*
 * One shard's tally of @x.  The shard wrote one schedule: its witness
 * where it held, or its counterexample where it failed.
 */
static int add_expectation(struct merged_expectation *x, const struct json *e, bool first)
{
	const char *detail = member_string(e, "detail"), *schedule = member_string(e, "schedule");
	struct kfp_tally part = {
		.held = number_of(e, "held"),
		.failed = number_of(e, "failed"),
		.held_schedule = schedule_of(schedule),
		.failed_schedule = schedule_of(schedule),
		.failed_detail = detail,
	};

	if (first) {
		x->line = (unsigned int)number_of(e, "line");
		x->col = (unsigned int)number_of(e, "col");
		x->kind = kind_by_name(member_string(e, "kind") ? member_string(e, "kind") : "");
		x->property = property_by_name(member_string(e, "property"));
		x->text = member_string(e, "text");
		if (x->kind < 0 || !x->text || (x->property < 0 && has_property(x->kind)))
			return -1;
	}
	if (!detail || !schedule)
		return -1;
	kfp_tally_add(&x->tally, &part);
	return 0;
}

/* A shard's detail ends with its own count, "(in N executions)"; the merge gives the whole's. */
static void strip_count(struct merged_expectation *x)
{
	const char *detail = x->tally.failed_detail, *in;

	if (!detail)
		return;
	in = strstr(detail, " (in ");
	snprintf(x->failed_detail, sizeof(x->failed_detail), "%.*s",
		 in ? (int)(in - detail) : (int)strlen(detail), detail);
	x->tally.failed_detail = x->failed_detail;
}

static int merge_cell(struct shard **by_index, unsigned int n, unsigned int c, struct merged *m)
{
	unsigned int i, e;

	memset(m, 0, sizeof(*m));
	kfp_found_init_whole(&m->found);
	m->stop = "complete";
	for (i = 0; i < n; i++) {
		const struct json *cell = element(by_index[i]->results, c);
		const struct json *expectations = member(cell, "expectations", JSON_ARRAY);
		const char *stop = member_string(cell, "stop");
		struct kfp_found part;

		m->file = member_string(cell, "file");
		m->scenario = member_string(cell, "scenario");
		m->variant = member_string(cell, "variant");
		if (!stop || read_found(cell, stop, &part) ||
		    length(expectations) > ARRAY_SIZE(m->expectation))
			goto out_bad;
		m->executions += number_of(cell, "executions");
		m->step_bound_hits += number_of(cell, "step_bound_hits");
		/* the whole is complete when every part is; else the first part's reason */
		if (!part.complete && m->found.complete)
			m->stop = stop;
		kfp_found_add(&m->found, &part);
		m->nr_expectations = length(expectations);
		for (e = 0; e < m->nr_expectations; e++)
			if (add_expectation(&m->expectation[e], element(expectations, e), !i))
				goto out_bad;
	}
	for (e = 0; e < m->nr_expectations; e++)
		strip_count(&m->expectation[e]);
	return 0;

out_bad:
	fprintf(stderr, "%s: result %u lacks what a merge needs (run kfp check --json --shard)\n",
		by_index[i]->path, c + 1);
	return -1;
}

/* Judge the whole search as kfp check judges one (scenario/verdict.c). */
static void judge(struct merged *m)
{
	unsigned int i;

	for (i = 0; i < m->nr_expectations; i++) {
		const struct merged_expectation *x = &m->expectation[i];

		kfp_judge_expectation(&m->found, (unsigned int)x->kind,
				      x->property < 0 ? KFP_PROPERTY_P1 : x->property, &x->tally,
				      &m->judgement[i]);
	}
	m->status = kfp_judge_cell(&m->found, m->judgement, m->nr_expectations);
}

/* ---- output ----------------------------------------------------------------------------- */

/* The fields of kfp check --json, then each expectation's result. */
static void print_json(const struct merged *m, bool first)
{
	char verdict[96];
	unsigned int i;

	kfp_cell_verdict_text(&m->found, m->status, verdict, sizeof(verdict));
	printf("%s{\"scenario\":", first ? "" : ",");
	kfp_cli_json_string(m->scenario);
	printf(",\"variant\":");
	kfp_cli_json_string(m->variant);
	printf(",\"verdict\":");
	kfp_cli_json_string(verdict);
	printf(",\"violations\":");
	kfp_cli_json_properties(m->found.violated);
	printf(",\"accepted\":");
	kfp_cli_json_properties(m->found.accepted);
	printf(",\"executions\":%llu,\"complete\":%s,\"stop\":", (unsigned long long)m->executions,
	       m->found.complete ? "true" : "false");
	kfp_cli_json_string(m->stop);
	printf(",\"step_bound_hits\":%llu,\"status\":", (unsigned long long)m->step_bound_hits);
	kfp_cli_json_string(kfp_cell_status_name(m->status));
	printf(",\"expectations_met\":%s,\"expectations\":[",
	       m->status == KFP_CELL_MET ? "true" : "false");
	for (i = 0; i < m->nr_expectations; i++) {
		printf("%s{\"line\":%u,\"col\":%u,\"text\":", i ? "," : "", m->expectation[i].line,
		       m->expectation[i].col);
		kfp_cli_json_string(m->expectation[i].text);
		printf(",\"met\":%s}", m->judgement[i].met ? "true" : "false");
	}
	printf("]}");
}

static void print_text(const char *program_name, const struct merged *m)
{
	char verdict[96];
	unsigned int i;

	kfp_cell_found_text(&m->found, m->status, verdict, sizeof(verdict));
	printf("%-40s %-9s %-22s %9llu executions  %-8s  %s\n", m->scenario, m->variant, verdict,
	       (unsigned long long)m->executions, m->found.complete ? "complete" : m->stop,
	       kfp_cli_status_text(&m->found, m->status));
	if (m->status != KFP_CELL_FAILED)
		return;
	for (i = 0; i < m->nr_expectations; i++) {
		const struct merged_expectation *x = &m->expectation[i];
		const struct kfp_judgement *j = &m->judgement[i];

		if (j->met)
			continue;
		printf("  expectation failed: %s:%u:%u: %s: %s\n", m->file, x->line, x->col,
		       x->text, j->detail);
		if (j->schedule)
			printf("  counterexample (replay: %s replay %s --variant %s --schedule %s)\n",
			       program_name, m->file, m->variant, j->schedule);
	}
}

/* ---- the command ---------------------------------------------------------------------------- */

static int merge_all(const char *program_name, struct shard **by_index, unsigned int n, bool json)
{
	static struct merged m;
	unsigned int c, passed = 0, failed = 0, unchecked = 0, bounded = 0;
	unsigned int cells = length(by_index[0]->results);

	if (json) {
		printf("{\"merged\":{\"count\":%u,\"search\":", n);
		kfp_cli_json_string(by_index[0]->search);
		printf("},\"results\":[");
	}
	for (c = 0; c < cells; c++) {
		if (merge_cell(by_index, n, c, &m))
			return MERGE_USAGE;
		judge(&m);
		if (m.status == KFP_CELL_MET)
			passed++;
		else if (m.status == KFP_CELL_FAILED)
			failed++;
		else if (m.status == KFP_CELL_UNCHECKED)
			unchecked++;
		else
			bounded++;
		if (json)
			print_json(&m, !c);
		else
			print_text(program_name, &m);
	}
	if (json)
		printf("]}\n");
	else
		printf("%u passed, %u failed, %u unchecked%s\n", passed, failed, unchecked,
		       bounded ? ", some undecided (bound)" : "");
	return failed ? MERGE_FAILED : bounded ? MERGE_BOUND : MERGE_MET;
}

static const struct option merge_options[] = {
	KFP_OPT_FLAG("help", KFP_OPT_HELP),
	KFP_OPT_FLAG("json", KFP_OPT_JSON),
	KFP_OPT_END,
};

static void merge_usage(FILE *out, const char *program_name)
{
	fprintf(out,
		"usage: %s merge [--json] SHARD.json...\n"
		"The verdicts of a whole search from the --json output of every one of its\n"
		"shards (kfp check --shard I/N --json, for each I from 0 to N-1).\n"
		"\n"
		"  --json                    one JSON object on stdout, as kfp check --json\n"
		"  --help, -h                this text\n"
		"exit: as kfp check: 0 met, 1 failed, 2 usage or input error (a shard\n"
		"      missing, twice, or of another search), 3 undecided, 4 internal error\n",
		program_name);
}

/* --json and the shard files: 0, 1 after --help, -1 after saying what is wrong. */
static int merge_options_parse(const char *program_name, int *argc, char ***argv, bool *json)
{
	struct kfp_opt_parser parser = {
		.who = "kfp merge",
		.argc = *argc,
		.argv = *argv,
		.options = merge_options,
		.short_options = "h",
	};
	const char *value;
	int code;

	while ((code = kfp_opt_next(&parser, &value)) != -1) {
		if (code == '?')
			return -1;
		if (code == KFP_OPT_HELP) {
			merge_usage(stdout, program_name);
			return 1;
		}
		*json = true;
	}
	*argv = kfp_opt_operands(&parser, argc);
	return 0;
}

int kfp_merge_command(const char *program_name, int argc, char **argv)
{
	struct shard *shards = calloc((size_t)argc + 1, sizeof(*shards));
	struct shard **by_index = calloc(MAX_SHARDS, sizeof(*by_index));
	unsigned int nr = 0;
	bool json = false;
	int i, status = MERGE_USAGE;

	if (!shards || !by_index) {
		status = MERGE_INTERNAL;
		goto out_free;
	}
	i = merge_options_parse(program_name, &argc, &argv, &json);
	if (i) {
		status = i > 0 ? MERGE_MET : MERGE_USAGE;
		goto out_free;
	}
	for (i = 0; i < argc; i++) {
		if (load_shard(&shards[nr++], argv[i]))
			goto out_free;
	}
	if (!nr) {
		fprintf(stderr, "%s merge: needs the JSON of every shard: FILE...\n", program_name);
		goto out_free;
	}
	if (check_set(by_index, shards, nr) || check_cells(by_index, shards[0].count))
		goto out_free;
	status = merge_all(program_name, by_index, shards[0].count, json);
	if (fflush(stdout) || ferror(stdout))
		status = MERGE_INTERNAL;
out_free:
	for (i = 0; shards && i < (int)nr; i++) {
		json_free(shards[i].root);
		free(shards[i].text);
	}
	free(shards);
	free(by_index);
	return status;
}
