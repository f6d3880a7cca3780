// SPDX-License-Identifier: GPL-2.0
/*
 * kfp check --format ktap|junit: the verdicts as a CI reads them.
 *
 * KTAP (Documentation/dev-tools/ktap.rst, version 1): one subtest per
 * scenario, one test per cell, named after its design.  A met cell is
 * "ok", a failed one "not ok" after diagnostic lines that give each failed
 * expectation and the kfp replay command of its counterexample; an
 * unchecked or undecided cell is judged by nobody, so it is "ok ... # SKIP"
 * with the reason.  The document closes with kselftest's "# Totals:" line.
 *
 * JUnit XML (the schema Jenkins and most CIs read): a <testsuite> per
 * scenario and a <testcase> per cell, a <failure> carrying the expectation
 * and the replay command, <skipped> for unchecked and undecided cells.
 *
 * Both are written in file and design order, whatever --jobs is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct format {
	FILE *out; /* stdout, or the JUnit suite being buffered */
	struct kfp_scenario *const *scenarios;
	unsigned int nr, per_scenario; /* scenarios, cells in each */
	u32 design_mask;
	unsigned int scenario, done; /* the open scenario, its cells so far */
	unsigned int next; /* the first scenario whose result line is not printed */
	bool open, failed; /* a scenario is open; one of its cells failed */
	unsigned int pass, fail, skip; /* cells, as the totals count them */
	/* JUnit: the open suite's cases, and every closed suite */
	char *cases, *suites;
	size_t cases_size, suites_size;
	FILE *case_out, *suite_out;
	double seconds;
	unsigned int suite_tests, suite_failures, suite_skipped;
};

static struct format format;

static const char *cell_skip_reason(const struct kfp_matrix_cell *cell)
{
	if (cell->mark == KFP_MATRIX_UNCHECKED)
		return "unchecked: no expectation names the variant";
	if (cell->mark == KFP_MATRIX_UNDECIDED)
		return "undecided: a bound stopped the search before its verdict";
	return NULL;
}

/* A line of free text in a KTAP diagnostic or an XML attribute: no newline. */
static void one_line(FILE *out, const char *text)
{
	for (; *text; text++)
		fputc(*text == '\n' || *text == '\r' ? ' ' : *text, out);
}

static int format_begin(void *arg, struct kfp_scenario *const *scenarios, unsigned int nr,
			u32 design_mask, const struct kfp_explore_options *options)
{
	struct format *f = arg;

	(void)options;
	memset(f, 0, sizeof(*f));
	f->out = stdout;
	f->scenarios = scenarios;
	f->nr = nr;
	f->design_mask = design_mask;
	f->per_scenario = (unsigned int)__builtin_popcount(design_mask);
	return 0;
}

/* ---- KTAP -------------------------------------------------------------------- */

static void ktap_begin_scenario(struct format *f, unsigned int index)
{
	f->scenario = index;
	f->done = 0;
	f->open = true;
	f->failed = false;
	printf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n", f->scenarios[index]->name,
	       f->per_scenario);
}

/* The @n-th design asked for (from 0). */
static const char *asked_design(const struct format *f, unsigned int n)
{
	unsigned int d;

	for (d = 0; d < kfp_nr_designs; d++)
		if ((f->design_mask & BIT(d)) && !n--)
			return kfp_designs[d]->name;
	return "?";
}

/* Its result line; the cells no search reached (the runs stopped) are skipped. */
static void ktap_end_scenario(struct format *f)
{
	for (; f->done < f->per_scenario; f->done++, f->skip++)
		printf("    ok %u %s # SKIP not run: the runs stopped\n", f->done + 1,
		       asked_design(f, f->done));
	printf("%s %u %s\n", f->failed ? "not ok" : "ok", f->scenario + 1,
	       f->scenarios[f->scenario]->name);
	f->open = false;
	f->next = f->scenario + 1;
}

/* The open scenario closed, and those before @index that no cell reached skipped. */
static void ktap_skip_to(struct format *f, unsigned int index)
{
	if (f->open)
		ktap_end_scenario(f);
	for (; f->next < index; f->next++) {
		printf("ok %u %s # SKIP not run: the runs stopped\n", f->next + 1,
		       f->scenarios[f->next]->name);
		f->skip++; /* a test of the document, as the totals count them */
	}
}

static void ktap_failure(const struct kfp_cli_cell *cell)
{
	const struct kfp_scenario_run *run = cell->run;
	unsigned int i;

	for (i = 0; i < run->nr_expectations; i++) {
		const struct kfp_expectation *x = run->checked[i];
		char *command;

		if (run->expectation[i].met)
			continue;
		printf("    # expectation failed: %s:%u:%u: ", cell->path, x->pos.line, x->pos.col);
		one_line(stdout, x->text);
		fputs(": ", stdout);
		one_line(stdout, run->expectation[i].detail);
		putchar('\n');
		if (!run->expectation[i].schedule)
			continue;
		command = cell->replay(cell, run->expectation[i].schedule);
		printf("    # counterexample: %s\n", command ? command : "(out of memory)");
		free(command);
	}
}

static void ktap_cell(void *arg, const struct kfp_cli_cell *cell)
{
	struct format *f = arg;
	const struct kfp_explore_result *r = &cell->run->explore;
	const char *skip = cell_skip_reason(cell->matrix);
	const char *design = kfp_designs[cell->run->design]->name;
	char verdict[96];

	if (!f->open || f->scenario != cell->index) {
		ktap_skip_to(f, cell->index);
		ktap_begin_scenario(f, cell->index);
	}
	kfp_found_text(&cell->run->found, verdict, sizeof(verdict));
	printf("    # %s: %s, %llu %s, %s\n", design, verdict,
	       (unsigned long long)(r->stateful ? r->states : r->executions),
	       r->stateful ? "states" : "executions",
	       r->complete ? "complete" : kfp_stop_reason_name(r->stop));
	f->done++;
	if (cell->matrix->mark == KFP_MATRIX_FAILED) {
		ktap_failure(cell);
		printf("    not ok %u %s\n", f->done, design);
		f->failed = true;
		f->fail++;
	} else if (skip) {
		printf("    ok %u %s # SKIP %s\n", f->done, design, skip);
		f->skip++;
	} else {
		printf("    ok %u %s\n", f->done, design);
		f->pass++;
	}
	if (f->done == f->per_scenario)
		ktap_end_scenario(f);
}

static int ktap_begin(void *arg, struct kfp_scenario *const *scenarios, unsigned int nr,
		      u32 design_mask, const struct kfp_explore_options *options)
{
	format_begin(arg, scenarios, nr, design_mask, options);
	printf("KTAP version 1\n1..%u\n", nr);
	return 0;
}

static int ktap_end(void *arg, struct kfp_scenario *const *scenarios, unsigned int nr,
		    struct kfp_matrix_cell (*cells)[KFP_MAX_DESIGNS],
		    const struct kfp_cli_totals *totals)
{
	struct format *f = arg;

	(void)scenarios;
	(void)cells;
	ktap_skip_to(f, nr);
	if (totals->error)
		printf("# error: %s\n", totals->error);
	if (totals->interrupted)
		printf("# interrupted by a signal: the results so far\n");
	printf("# kfp: %u passed, %u failed, %u unchecked, %u undecided\n", totals->passed,
	       totals->failed, totals->unchecked, totals->undecided);
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n", f->pass, f->fail,
	       f->skip);
	return 0;
}

/* ---- JUnit ------------------------------------------------------------------- */

static void junit_failure(FILE *out, const struct kfp_cli_cell *cell)
{
	const struct kfp_scenario_run *run = cell->run;
	bool first = true;
	unsigned int i;

	for (i = 0; i < run->nr_expectations; i++) {
		const struct kfp_expectation *x = run->checked[i];

		if (run->expectation[i].met)
			continue;
		if (first) {
			fputs("      <failure type=\"expectation failed\" message=\"", out);
			kfp_cli_xml_text(out, x->text);
			fputs(": ", out);
			kfp_cli_xml_text(out, run->expectation[i].detail);
			fputs("\">", out);
		}
		first = false;
		fprintf(out, "%s:%u:%u: ", cell->path, x->pos.line, x->pos.col);
		kfp_cli_xml_text(out, x->text);
		fputs(": ", out);
		kfp_cli_xml_text(out, run->expectation[i].detail);
		fputc('\n', out);
		if (run->expectation[i].schedule) {
			char *command = cell->replay(cell, run->expectation[i].schedule);

			fputs("counterexample: ", out);
			kfp_cli_xml_text(out, command ? command : "(out of memory)");
			fputc('\n', out);
			free(command);
		}
	}
	if (first) /* a failed cell always has a failed expectation */
		fputs("      <failure type=\"expectation failed\" message=\"?\">", out);
	fputs("</failure>\n", out);
}

static int junit_open_suite(struct format *f, unsigned int index)
{
	f->scenario = index;
	f->done = 0;
	f->open = true;
	f->seconds = 0;
	f->suite_tests = f->suite_failures = f->suite_skipped = 0;
	f->case_out = open_memstream(&f->cases, &f->cases_size);
	return f->case_out ? 0 : -1;
}

static void junit_close_suite(struct format *f)
{
	const struct kfp_scenario *scenario = f->scenarios[f->scenario];

	if (!f->open)
		return;
	f->open = false;
	if (fclose(f->case_out) || !f->suite_out) {
		free(f->cases);
		f->cases = NULL;
		return;
	}
	fputs("  <testsuite name=\"", f->suite_out);
	kfp_cli_xml_text(f->suite_out, scenario->name);
	fprintf(f->suite_out,
		"\" tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"%u\" time=\"%.3f\" "
		"file=\"",
		f->suite_tests, f->suite_failures, f->suite_skipped, f->seconds);
	kfp_cli_xml_text(f->suite_out, scenario->path);
	fputs("\">\n", f->suite_out);
	fputs(f->cases, f->suite_out);
	fputs("  </testsuite>\n", f->suite_out);
	free(f->cases);
	f->cases = NULL;
}

static void junit_cell(void *arg, const struct kfp_cli_cell *cell)
{
	struct format *f = arg;
	const struct kfp_explore_result *r = &cell->run->explore;
	const char *skip = cell_skip_reason(cell->matrix);
	char verdict[96];
	FILE *out;

	if (!f->open || f->scenario != cell->index) {
		junit_close_suite(f);
		if (junit_open_suite(f, cell->index))
			return;
	}
	out = f->case_out;
	kfp_found_text(&cell->run->found, verdict, sizeof(verdict));
	f->suite_tests++;
	f->seconds += r->seconds;
	fputs("    <testcase classname=\"kfp.", out);
	kfp_cli_xml_text(out, cell->scenario->name);
	fprintf(out, "\" name=\"%s\" time=\"%.3f\">\n", kfp_designs[cell->run->design]->name,
		r->seconds);
	if (cell->matrix->mark == KFP_MATRIX_FAILED) {
		junit_failure(out, cell);
		f->suite_failures++;
		f->fail++;
	} else if (skip) {
		fprintf(out, "      <skipped message=\"%s\"/>\n", skip);
		f->suite_skipped++;
		f->skip++;
	} else {
		f->pass++;
	}
	fputs("      <system-out>verdict: ", out);
	kfp_cli_xml_text(out, verdict);
	fprintf(out, ", %llu %s, %s</system-out>\n",
		(unsigned long long)(r->stateful ? r->states : r->executions),
		r->stateful ? "states" : "executions",
		r->complete ? "complete" : kfp_stop_reason_name(r->stop));
	fputs("    </testcase>\n", out);
}

static int junit_begin(void *arg, struct kfp_scenario *const *scenarios, unsigned int nr,
		       u32 design_mask, const struct kfp_explore_options *options)
{
	struct format *f = arg;

	format_begin(arg, scenarios, nr, design_mask, options);
	f->suite_out = open_memstream(&f->suites, &f->suites_size);
	return f->suite_out ? 0 : -1;
}

static int junit_end(void *arg, struct kfp_scenario *const *scenarios, unsigned int nr,
		     struct kfp_matrix_cell (*cells)[KFP_MAX_DESIGNS],
		     const struct kfp_cli_totals *totals)
{
	struct format *f = arg;
	unsigned int stopped;

	(void)scenarios;
	(void)nr;
	(void)cells;
	junit_close_suite(f);
	if (fclose(f->suite_out)) {
		free(f->suites);
		return -1;
	}
	stopped = totals->error || totals->interrupted;
	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<testsuites name=\"kfp\" tests=\"%u\" failures=\"%u\" errors=\"%u\" "
	       "skipped=\"%u\">\n",
	       f->pass + f->fail + f->skip + stopped, f->fail, stopped, f->skip);
	fputs(f->suites, stdout);
	if (stopped) {
		/* the runs stopped: an error where a CI shows it, in a suite of its own */
		fputs("  <testsuite name=\"kfp\" tests=\"1\" failures=\"0\" errors=\"1\" "
		      "skipped=\"0\">\n    <testcase classname=\"kfp\" name=\"run\">\n"
		      "      <error message=\"",
		      stdout);
		kfp_cli_xml_text(stdout, totals->error ?
						 totals->error :
						 "interrupted by a signal: the results so far");
		fputs("\"/>\n    </testcase>\n  </testsuite>\n", stdout);
	}
	fputs("</testsuites>\n", stdout);
	free(f->suites);
	f->suites = NULL;
	return 0;
}

static struct kfp_cli_sink ktap_sink = {
	.begin = ktap_begin,
	.cell = ktap_cell,
	.end = ktap_end,
	.arg = &format,
};

static struct kfp_cli_sink junit_sink = {
	.begin = junit_begin,
	.cell = junit_cell,
	.end = junit_end,
	.arg = &format,
};

const struct kfp_cli_sink *kfp_cli_format_sink(const char *name)
{
	if (!strcmp(name, "ktap"))
		return &ktap_sink;
	if (!strcmp(name, "junit"))
		return &junit_sink;
	return NULL;
}
