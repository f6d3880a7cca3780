// SPDX-License-Identifier: GPL-2.0
/*
 * kfp report -o DIR [--no-times] [check options] [PATH...]: the matrix as
 * one HTML page, DIR/index.html, for a mailing-list thread or a CI
 * artifact.  Each cell is the cell of the text matrix (the same text, the
 * same grouping by injection, the same legend) and links to its section:
 * the verdict, the scenario's doc text and expectations, and the sequence
 * chart of its counterexample (a violation) or witness (an accepted
 * violation, a met "sometimes"), an SVG written beside the page, linked at
 * the band that marks the step that broke the property.
 *
 * The page is well-formed XHTML-compatible HTML5 (numeric character
 * references only, every element closed) so that an XML parser checks it;
 * it loads nothing: no script, no network, no file but the charts.  The
 * times are in one section, which --no-times leaves out: the page is then
 * the same byte for byte on every run.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <kfp/trace.h>

#include "cli.h"

#define SLOWEST_SHOWN 8

struct report {
	const char *program_name, *version, *dir;
	bool no_times;
	struct timespec start;
	time_t started;
	struct kfp_scenario *const *scenarios;
	unsigned int nr;
	u32 design_mask;
	const struct kfp_explore_options *options;
	u32 inject; /* the command line's */
	/* per cell (scenario * KFP_MAX_DESIGNS + design): its section and its chart link */
	char **section;
	char **chart;
	double *seconds;
	unsigned int nr_charts;
	bool failed; /* a chart could not be written */
};

static struct report report;

/* ---- text -------------------------------------------------------------------- */

static char **cell_slot(char **array, unsigned int scenario, unsigned int design)
{
	return &array[scenario * KFP_MAX_DESIGNS + design];
}

/* "SCENARIO.VARIANT": the id of a cell's section */
static void cell_id(FILE *out, const struct kfp_scenario *scenario, unsigned int design)
{
	fputs("c-", out);
	kfp_cli_xml_text(out, scenario->name);
	fprintf(out, ".%s", kfp_designs[design]->name);
}

/* ---- charts ------------------------------------------------------------------ */

/*
 * The id of the band that marks the first step a report names, violated
 * before accepted ("violation-step-82"), as trace_chart.c writes it; empty
 * when no report names a step of the trace.
 */
static void marked_step(const struct kfp_trace *trace, char *out, size_t size)
{
	int pass, row;
	unsigned int i;

	out[0] = '\0';
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < trace->reports.count; i++) {
			const struct kfp_report *r = &trace->reports.report[i];

			if (r->accepted != (pass == 1))
				continue;
			row = kfp_trace_row_of_step(trace, r->step);
			if (row < 0)
				continue;
			snprintf(out, size, "%s-step-%u",
				 kfp_trace_row_mark(trace, &trace->row[row]) == 1 ? "violation" :
										    "accepted",
				 r->step);
			return;
		}
	}
}

/*
 * Record @schedule and draw it to DIR/SCENARIO.VARIANT.TAG.svg; the link
 * to it ("FILE.svg#violation-step-N") in a string the caller frees, NULL
 * (said on stderr) when it cannot be written.
 */
static char *write_chart(struct report *r, const struct kfp_cli_cell *cell, const char *tag,
			 const char *schedule)
{
	static struct kfp_trace trace;
	char name[NAME_MAX + 1], path[PATH_MAX + NAME_MAX + 2], mark[64];
	char *link = NULL;
	FILE *out;
	int ret;

	snprintf(name, sizeof(name), "%s.%s.%s.svg", cell->scenario->name,
		 kfp_designs[cell->run->design]->name, tag);
	snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	ret = kfp_scenario_record(cell->scenario, cell->run->design, schedule, cell->options,
				  &trace);
	if (ret < 0)
		goto out_release;
	out = fopen(path, "w");
	if (!out)
		goto out_release;
	ret = kfp_trace_print_svg(&trace, out);
	if (fclose(out) || ret)
		goto out_release;
	marked_step(&trace, mark, sizeof(mark));
	link = malloc(strlen(name) + strlen(mark) + 2);
	if (link)
		sprintf(link, "%s%s%s", name, *mark ? "#" : "", mark);
	r->nr_charts++;
out_release:
	kfp_trace_release(&trace);
	if (!link) {
		fprintf(stderr, "%s report: cannot write %s: %s\n", r->program_name, path,
			ret < 0 ? "the schedule does not replay" : strerror(errno ? errno : EIO));
		r->failed = true;
	}
	return link;
}

/* The charts of a cell, each schedule drawn once: at most one per property and expectation. */
struct charts {
	const char *schedule[KFP_NR_PROPERTIES * 2 + KFP_SCENARIO_MAX_CHECKED];
	char *link[KFP_NR_PROPERTIES * 2 + KFP_SCENARIO_MAX_CHECKED];
	unsigned int nr;
};

static const char *chart_of(struct report *r, struct charts *charts,
			    const struct kfp_cli_cell *cell, const char *tag, const char *schedule)
{
	unsigned int i;

	for (i = 0; i < charts->nr; i++)
		if (!strcmp(charts->schedule[i], schedule))
			return charts->link[i];
	charts->schedule[charts->nr] = schedule;
	charts->link[charts->nr] = write_chart(r, cell, tag, schedule);
	return charts->link[charts->nr++];
}

static void charts_free(struct charts *charts)
{
	while (charts->nr)
		free(charts->link[--charts->nr]);
}

/* ---- a cell's section ---------------------------------------------------------- */

static const char *judgement(const struct kfp_matrix_cell *cell)
{
	static const char *const text[] = {
		[KFP_MATRIX_MET] = "every expectation met",
		[KFP_MATRIX_FAILED] = "EXPECTATION FAILED",
		[KFP_MATRIX_UNDECIDED] = "undecided: a bound stopped the search before its verdict",
		[KFP_MATRIX_UNCHECKED] = "unchecked: no expectation names the variant",
	};

	return text[cell->mark];
}

static const char *mark_class(const struct kfp_matrix_cell *cell)
{
	static const char *const class[] = {
		[KFP_MATRIX_MET] = "met",
		[KFP_MATRIX_FAILED] = "failed",
		[KFP_MATRIX_UNDECIDED] = "undecided",
		[KFP_MATRIX_UNCHECKED] = "unchecked",
	};

	return class[cell->mark];
}

static void chart_item(FILE *out, const struct kfp_cli_cell *cell, const char *what,
		       const char *link, const char *schedule)
{
	char *command = cell->replay(cell, schedule);

	fputs("<li>", out);
	kfp_cli_xml_text(out, what);
	fputs(": ", out);
	if (link) {
		fputs("<a class=\"trace\" href=\"", out);
		kfp_cli_xml_text(out, link);
		fputs("\">", out);
		kfp_cli_xml_text(out, link);
		fputs("</a>", out);
	} else {
		fputs("(the chart could not be written)", out);
	}
	fputs("<br/><code>", out);
	kfp_cli_xml_text(out, command ? command : "(out of memory)");
	fputs("</code></li>\n", out);
	free(command);
}

/* The violation's chart, then each accepted violation's; the first is the matrix cell's link. */
static const char *property_charts(struct report *r, struct charts *charts, FILE *out,
				   const struct kfp_cli_cell *cell)
{
	const struct kfp_explore_result *e = &cell->run->explore;
	const char *first = NULL, *link;
	unsigned int p;
	char what[96], tag[32];

	for (p = 0; p < KFP_NR_PROPERTIES && !first; p++) {
		const char *schedule = e->counterexample ? e->counterexample : e->witness[p];

		if (!e->executions_with_violation[p] || !schedule)
			continue;
		first = chart_of(r, charts, cell, "counterexample", schedule);
		chart_item(out, cell, "the counterexample", first, schedule);
	}
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		if (!e->accepted_witness[p] || e->executions_with_violation[p])
			continue;
		snprintf(tag, sizeof(tag), "accepted-%s", kfp_property_name(p));
		snprintf(what, sizeof(what), "a witness of %s accepted", kfp_property_name(p));
		link = chart_of(r, charts, cell, tag, e->accepted_witness[p]);
		chart_item(out, cell, what, link, e->accepted_witness[p]);
		if (!first)
			first = link;
	}
	return first;
}

/* Each expectation checked in the cell, met or failed, with its schedule's chart and replay. */
static void expectation_items(struct report *r, struct charts *charts, FILE *out,
			      const struct kfp_cli_cell *cell)
{
	const struct kfp_scenario_run *run = cell->run;
	unsigned int i;

	for (i = 0; i < run->nr_expectations; i++) {
		const struct kfp_expectation *x = run->checked[i];
		const struct kfp_expectation_result *e = &run->expectation[i];
		char tag[32];

		fprintf(out, "<li class=\"%s\">line %u:%u: <code>", e->met ? "met" : "failed",
			x->pos.line, x->pos.col);
		kfp_cli_xml_text(out, x->text);
		fprintf(out, "</code>: %s%s", e->met ? "met" : "FAILED", e->detail[0] ? ": " : "");
		kfp_cli_xml_text(out, e->detail);
		if (e->schedule) {
			const char *link;
			char *command = cell->replay(cell, e->schedule);

			snprintf(tag, sizeof(tag), "%s-line-%u", e->met ? "witness" : "failed",
				 x->pos.line);
			link = chart_of(r, charts, cell, tag, e->schedule);
			fprintf(out, "<br/>%s: ", e->met ? "witness" : "counterexample");
			if (link) {
				fputs("<a class=\"trace\" href=\"", out);
				kfp_cli_xml_text(out, link);
				fputs("\">chart</a>, ", out);
			}
			fputs("<code>", out);
			kfp_cli_xml_text(out, command ? command : "(out of memory)");
			fputs("</code>", out);
			free(command);
		}
		fputs("</li>\n", out);
	}
}

static void write_section(struct report *r, FILE *out, const struct kfp_cli_cell *cell,
			  struct charts *charts)
{
	const struct kfp_explore_result *e = &cell->run->explore;
	const struct kfp_scenario *scenario = cell->scenario;
	unsigned int design = cell->run->design;
	char verdict[96], text[16];
	const char *link;

	kfp_found_text(&cell->run->found, verdict, sizeof(verdict));
	kfp_matrix_cell_text(cell->matrix, text, sizeof(text));
	fputs("<div class=\"cell\" id=\"", out);
	cell_id(out, scenario, design);
	fputs("\">\n<h4>", out);
	kfp_cli_xml_text(out, scenario->name);
	fprintf(out, " under %s: <span class=\"%s\">", kfp_designs[design]->name,
		mark_class(cell->matrix));
	kfp_cli_xml_text(out, text);
	fputs("</span></h4>\n<p>", out);
	kfp_cli_xml_text(out, verdict);
	fprintf(out, "; %s; %llu %s, %s. <a href=\"#s-", judgement(cell->matrix),
		(unsigned long long)(e->stateful ? e->states : e->executions),
		e->stateful ? "states" : "executions",
		e->complete ? "complete" : kfp_stop_reason_name(e->stop));
	kfp_cli_xml_text(out, scenario->name);
	fputs("\">the scenario</a>, <a href=\"#x-", out);
	kfp_cli_xml_text(out, scenario->name);
	fputs("\">its expectations</a>.</p>\n<ul>\n", out);
	link = property_charts(r, charts, out, cell);
	expectation_items(r, charts, out, cell);
	fputs("</ul>\n</div>\n", out);
	if (!link && charts->nr)
		link = charts->link[0];
	if (link)
		*cell_slot(r->chart, cell->index, design) = strdup(link);
}

static void report_cell(void *arg, const struct kfp_cli_cell *cell)
{
	struct report *r = arg;
	struct charts charts = { .nr = 0 };
	char **section = cell_slot(r->section, cell->index, cell->run->design);
	size_t size;
	FILE *out;

	r->inject = cell->inject;
	r->seconds[cell->index * KFP_MAX_DESIGNS + cell->run->design] = cell->run->explore.seconds;
	out = open_memstream(section, &size);
	if (!out) {
		r->failed = true;
		return;
	}
	write_section(r, out, cell, &charts);
	if (fclose(out)) {
		free(*section);
		*section = NULL;
		r->failed = true;
	}
	charts_free(&charts);
}

/* ---- the page ------------------------------------------------------------------ */

static const char style[] =
	"body{font-family:sans-serif;margin:1em 2em;max-width:80em}"
	"table{border-collapse:collapse}"
	"td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
	"th.group{background:#eee;font-weight:normal;font-style:italic}"
	"td.met{background:#e6f4e6}td.failed{background:#f4b0b0}"
	"td.undecided{background:#f6dfa0}td.unchecked{background:#eeeeee}"
	"td.violated a{color:#b00000;font-weight:bold}td.accepted a{color:#8a6d00}"
	"span.failed{color:#b00000}li.failed{color:#b00000}"
	"a.trace{font-size:smaller;margin-left:4px}"
	"pre{background:#f8f8f8;padding:4px;white-space:pre-wrap}"
	"div.cell{margin-left:1em;border-left:3px solid #ccc;padding-left:8px}"
	"code{font-size:smaller}";

static void page_head(const struct report *r, FILE *out)
{
	fprintf(out,
		"<!DOCTYPE html>\n"
		"<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
		"<head>\n<meta charset=\"utf-8\"/>\n"
		"<title>kfp %s report</title>\n<style>%s</style>\n</head>\n<body>\n"
		"<h1>kfp %s report</h1>\n",
		r->version, style, r->version);
}

static void page_summary(const struct report *r, FILE *out, const struct kfp_cli_totals *totals)
{
	fprintf(out,
		"<p>%u scenarios under %d variants: %u passed, %u failed, %u unchecked, "
		"%u undecided.",
		r->nr, __builtin_popcount(r->design_mask), totals->passed, totals->failed,
		totals->unchecked, totals->undecided);
	if (totals->interrupted)
		fputs(" <strong>Interrupted by a signal: the results so far.</strong>", out);
	if (totals->error) {
		fputs(" <strong>Stopped: ", out);
		kfp_cli_xml_text(out, totals->error);
		fputs("</strong>", out);
	}
	fputs(" <a href=\"#matrix\">matrix</a>, <a href=\"#settings\">settings</a>, "
	      "<a href=\"#scenarios\">scenarios</a>.</p>\n",
	      out);
}

static void setting(FILE *out, const char *name, const char *value)
{
	fputs("<tr><th>", out);
	kfp_cli_xml_text(out, name);
	fputs("</th><td>", out);
	kfp_cli_xml_text(out, value);
	fputs("</td></tr>\n", out);
}

/* The options that shaped the searches, as kfp check takes them. */
static void page_settings(const struct report *r, FILE *out)
{
	const struct kfp_explore_options *o = r->options;
	char value[512];
	size_t len = 0;
	unsigned int i;

	fprintf(out, "<h2 id=\"settings\">Settings</h2>\n<table>\n");
	setting(out, "version", r->version);
	for (i = 0; i < kfp_nr_designs; i++)
		if (r->design_mask & BIT(i))
			len += (size_t)snprintf(value + len, sizeof(value) - len, "%s%s",
						len ? " " : "", kfp_designs[i]->name);
	setting(out, "variants", value);
	/* --preemption-bound, --random and --shard always search statelessly */
	if (!o->stateful || o->random_executions || o->preemption_bound >= 0 || o->shard_count)
		setting(out, "search", "dpor (stateless)");
	else
		setting(out, "search", o->no_sleep_sets ? "stateful-unreduced" : "stateful");
	snprintf(value, sizeof(value), "%u", o->max_steps ? o->max_steps : KFP_DEFAULT_MAX_STEPS);
	setting(out, "max-steps", value);
	snprintf(value, sizeof(value), "%d (-1: none)", o->preemption_bound);
	setting(out, "preemption-bound", value);
	snprintf(value, sizeof(value), "%llu (0: none)", (unsigned long long)o->max_executions);
	setting(out, "max-executions", value);
	snprintf(value, sizeof(value), "%llu (0: none; stateful search only)",
		 (unsigned long long)o->max_states);
	setting(out, "max-states", value);
	snprintf(value, sizeof(value), "%g s (0: none)", o->timeout_seconds);
	setting(out, "timeout", value);
	snprintf(value, sizeof(value), "%llu (0: exhaustive), seed %llu",
		 (unsigned long long)o->random_executions, (unsigned long long)o->seed);
	setting(out, "random", value);
	setting(out, "stop-at-first", o->stop_on_violation ? "yes" : "no");
	if (o->shard_count) {
		snprintf(value, sizeof(value), "%u/%u (a partial result)", o->shard_index,
			 o->shard_count);
		setting(out, "shard", value);
	}
	len = 0;
	value[0] = '\0';
	for (i = 0; i < kvm_nr_injections; i++)
		if (r->inject & kvm_injections[i].bit)
			len += (size_t)snprintf(value + len, sizeof(value) - len, "%s%s",
						len ? " " : "", kvm_injections[i].name);
	setting(out, "--inject", len ? value : "none (scenarios may put old code back themselves)");
	fputs("</table>\n", out);
}

static int by_seconds(const void *a, const void *b)
{
	double x = **(const double *const *)a, y = **(const double *const *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Every time of the run, in one place: --no-times leaves it out. */
static void page_times(const struct report *r, FILE *out)
{
	const double *slowest[SLOWEST_SHOWN + 1];
	unsigned int n = 0, c, i;
	struct timespec now;
	double total = 0;
	char when[64];

	clock_gettime(CLOCK_MONOTONIC, &now);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&r->started));
	fprintf(out, "<h2 id=\"times\">Times</h2>\n<p>started %s; %.2f s wall", when,
		(double)(now.tv_sec - r->start.tv_sec) +
			(double)(now.tv_nsec - r->start.tv_nsec) / 1e9);
	for (c = 0; c < r->nr * KFP_MAX_DESIGNS; c++) {
		total += r->seconds[c];
		if (!r->section[c] || (n == SLOWEST_SHOWN && r->seconds[c] <= *slowest[n - 1]))
			continue;
		slowest[n < SLOWEST_SHOWN ? n++ : SLOWEST_SHOWN - 1] = &r->seconds[c];
		qsort(slowest, n, sizeof(slowest[0]), by_seconds);
	}
	fprintf(out, ", %.2f s of search. The slowest cells:</p>\n<ul>\n", total);
	for (i = 0; i < n; i++) {
		c = (unsigned int)(slowest[i] - r->seconds);
		fputs("<li><a href=\"#", out);
		cell_id(out, r->scenarios[c / KFP_MAX_DESIGNS], c % KFP_MAX_DESIGNS);
		fprintf(out, "\">%s under %s</a>: %.2f s</li>\n",
			r->scenarios[c / KFP_MAX_DESIGNS]->name,
			kfp_designs[c % KFP_MAX_DESIGNS]->name, *slowest[i]);
	}
	fputs("</ul>\n", out);
}

static void matrix_cell(const struct report *r, FILE *out, unsigned int i, unsigned int d,
			const struct kfp_matrix_cell *cell)
{
	const char *chart = *cell_slot(r->chart, i, d);
	char text[16];

	kfp_matrix_cell_text(cell, text, sizeof(text));
	if (!cell->searched || !*cell_slot(r->section, i, d)) {
		fputs("<td>-</td>", out);
		return;
	}
	/* a cell where a design breaks a property stands out, whatever its judgement */
	fprintf(out, "<td class=\"%s%s\"><a href=\"#", mark_class(cell),
		cell->violated ? " violated" :
		cell->accepted ? " accepted" :
				 "");
	cell_id(out, r->scenarios[i], d);
	fputs("\">", out);
	kfp_cli_xml_text(out, text);
	fputs("</a>", out);
	if (chart) {
		fputs("<a class=\"trace\" title=\"the chart\" href=\"", out);
		kfp_cli_xml_text(out, chart);
		fputs("\">&#9656;chart</a>", out);
	}
	fputs("</td>", out);
}

static void matrix_group(const struct report *r, FILE *out, u32 inject,
			 struct kfp_matrix_cell (*cells)[KFP_MAX_DESIGNS])
{
	char heading[512];
	bool any = false;
	unsigned int i, d;

	for (i = 0; i < r->nr; i++) {
		if (r->scenarios[i]->inject != inject)
			continue;
		if (!any) {
			kfp_matrix_group_heading(inject, heading, sizeof(heading));
			fprintf(out, "<tr><th class=\"group\" colspan=\"%d\">",
				1 + __builtin_popcount(r->design_mask));
			kfp_cli_xml_text(out, heading);
			fputs("</th></tr>\n", out);
		}
		any = true;
		fprintf(out, "<tr><th><a href=\"#s-");
		kfp_cli_xml_text(out, r->scenarios[i]->name);
		fprintf(out, "\">%s", inject ? "* " : "");
		kfp_cli_xml_text(out, r->scenarios[i]->name);
		fputs("</a></th>", out);
		for (d = 0; d < kfp_nr_designs; d++)
			if (r->design_mask & BIT(d))
				matrix_cell(r, out, i, d, &cells[i][d]);
		fputs("</tr>\n", out);
	}
}

static void page_matrix(const struct report *r, FILE *out,
			struct kfp_matrix_cell (*cells)[KFP_MAX_DESIGNS])
{
	u32 inject = 0;
	unsigned int d;

	fputs("<h2 id=\"matrix\">Matrix</h2>\n<table class=\"matrix\">\n<tr><th>scenario</th>",
	      out);
	for (d = 0; d < kfp_nr_designs; d++)
		if (r->design_mask & BIT(d))
			fprintf(out, "<th>%s</th>", kfp_designs[d]->name);
	fputs("</tr>\n", out);
	matrix_group(r, out, 0, cells);
	while ((inject = kfp_matrix_next_injection(r->scenarios, r->nr, inject)))
		matrix_group(r, out, inject, cells);
	fputs("</table>\n<pre class=\"legend\">", out);
	kfp_cli_xml_text(out, kfp_matrix_legend);
	fputs("</pre>\n", out);
}

/* The scenario's doc text, its expectations block by block, then its cells. */
static void page_scenario(const struct report *r, FILE *out, unsigned int i)
{
	const struct kfp_scenario *s = r->scenarios[i];
	unsigned int b, x, d;

	fputs("<h3 id=\"s-", out);
	kfp_cli_xml_text(out, s->name);
	fputs("\">", out);
	kfp_cli_xml_text(out, s->name);
	fputs("</h3>\n<p>file <code>", out);
	kfp_cli_xml_text(out, s->path);
	fputs("</code></p>\n<pre class=\"doc\">", out);
	kfp_cli_xml_text(out, s->doc[0] ? s->doc : "(no doc text)");
	fputs("</pre>\n<div id=\"x-", out);
	kfp_cli_xml_text(out, s->name);
	fputs("\">\n", out);
	if (!s->nr_blocks)
		fputs("<p>No expectations: every cell is unchecked.</p>\n", out);
	for (b = 0; b < s->nr_blocks; b++) {
		const struct kfp_expect_block *block = &s->block[b];

		fprintf(out, "<p>expect (line %u) under", block->pos.line);
		for (d = 0; d < kfp_nr_designs; d++)
			if (block->design_mask & BIT(d))
				fprintf(out, " %s", kfp_designs[d]->name);
		fputs(":</p>\n<ul>\n", out);
		for (x = 0; x < block->nr; x++) {
			fprintf(out, "<li>line %u: <code>", block->expect[x].pos.line);
			kfp_cli_xml_text(out, block->expect[x].text);
			fputs("</code></li>\n", out);
		}
		fputs("</ul>\n", out);
	}
	fputs("</div>\n", out);
	for (d = 0; d < kfp_nr_designs; d++)
		if (*cell_slot(r->section, i, d))
			fputs(*cell_slot(r->section, i, d), out);
}

static int write_page(const struct report *r, struct kfp_matrix_cell (*cells)[KFP_MAX_DESIGNS],
		      const struct kfp_cli_totals *totals)
{
	char path[PATH_MAX];
	unsigned int i;
	FILE *out;

	snprintf(path, sizeof(path), "%s/index.html", r->dir);
	out = fopen(path, "w");
	if (!out) {
		fprintf(stderr, "%s report: cannot write %s: %s\n", r->program_name, path,
			strerror(errno));
		return -1;
	}
	page_head(r, out);
	page_summary(r, out, totals);
	page_matrix(r, out, cells);
	page_settings(r, out);
	if (!r->no_times)
		page_times(r, out);
	fputs("<h2 id=\"scenarios\">Scenarios</h2>\n", out);
	for (i = 0; i < r->nr; i++)
		page_scenario(r, out, i);
	fputs("</body>\n</html>\n", out);
	if (fclose(out)) {
		fprintf(stderr, "%s report: cannot write %s\n", r->program_name, path);
		return -1;
	}
	printf("%s report: wrote %s and %u charts\n", r->program_name, path, r->nr_charts);
	return 0;
}

/* ---- the sink ------------------------------------------------------------------ */

static int report_begin(void *arg, struct kfp_scenario *const *scenarios, unsigned int nr,
			u32 design_mask, const struct kfp_explore_options *options)
{
	struct report *r = arg;
	size_t cells = (size_t)(nr ? nr : 1) * KFP_MAX_DESIGNS;

	r->scenarios = scenarios;
	r->nr = nr;
	r->design_mask = design_mask;
	r->options = options;
	r->section = calloc(cells, sizeof(*r->section));
	r->chart = calloc(cells, sizeof(*r->chart));
	r->seconds = calloc(cells, sizeof(*r->seconds));
	if (!r->section || !r->chart || !r->seconds) {
		fprintf(stderr, "%s report: out of memory\n", r->program_name);
		return -1;
	}
	if (mkdir(r->dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "%s report: cannot create %s: %s\n", r->program_name, r->dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int report_end(void *arg, struct kfp_scenario *const *scenarios, unsigned int nr,
		      struct kfp_matrix_cell (*cells)[KFP_MAX_DESIGNS],
		      const struct kfp_cli_totals *totals)
{
	struct report *r = arg;
	unsigned int c;
	int ret;

	(void)scenarios;
	(void)nr;
	ret = write_page(r, cells, totals);
	printf("%u passed, %u failed, %u unchecked%s\n", totals->passed, totals->failed,
	       totals->unchecked, totals->undecided ? ", some undecided (bound)" : "");
	for (c = 0; c < r->nr * KFP_MAX_DESIGNS; c++) {
		free(r->section[c]);
		free(r->chart[c]);
	}
	free(r->section);
	free(r->chart);
	free(r->seconds);
	return ret || r->failed ? -1 : 0;
}

static struct kfp_cli_sink report_sink = {
	.begin = report_begin,
	.cell = report_cell,
	.end = report_end,
	.arg = &report,
};

/* Take -o DIR, --output DIR and --no-times out of @argv; the rest are kfp check's. */
struct kfp_cli_sink *kfp_report_sink(const char *program_name, const char *version, int *argc,
				     char **argv)
{
	int i, n = 0;

	memset(&report, 0, sizeof(report));
	report.program_name = program_name;
	report.version = version;
	report.started = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &report.start);
	for (i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--no-times")) {
			report.no_times = true;
		} else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (i + 1 == *argc || !*argv[i + 1]) {
				fprintf(stderr, "%s report: %s needs a directory\n", program_name,
					argv[i]);
				return NULL;
			}
			report.dir = argv[++i];
		} else {
			argv[n++] = argv[i];
		}
	}
	*argc = n;
	if (!report.dir) {
		fprintf(stderr, "%s report: needs -o DIR (where index.html and its charts go)\n",
			program_name);
		return NULL;
	}
	return &report_sink;
}
