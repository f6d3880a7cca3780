// SPDX-License-Identifier: GPL-2.0
/*
 * kfp: explore scenario files under the design variants and report.
 *
 *   kfp                          the bundled library under every variant: the matrix
 *   kfp check [options] PATH...  verdicts, counterexamples and replay commands
 *   kfp replay PATH --variant NAME [options] --schedule STRING
 *   kfp merge [--json] FILE...   the verdicts of a search from its shards' JSON
 *   kfp list [--markdown]        variants, injections, ops and bundled scenarios
 *   kfp hunt (--variant D | --diff A,B) [options]: generate scenarios, find bugs (cli/hunt.c)
 *   kfp report -o DIR [options] [PATH...]  the matrix as an HTML page (cli/report.c)
 *
 * Exit status: 0 every expectation met (or none to check); 1 an
 * expectation failed, or a replayed execution broke a property; 2 usage
 * or input error; 3 a bound stopped a search before its verdict; 4 an
 * internal error or output that could not be written; 128+N stopped by
 * signal N (SIGINT 130, SIGTERM 143), the output so far whole and valid.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <kfp/scenario.h>
#include <kfp/tree.h>

#include "cli.h"
#include "hunt.h"
#include "options.h"

#define KFP_VERSION "0.2"
#define DEFAULT_PROGRESS_EVERY 5.0
#define MAX_JOBS 64

enum {
	EXIT_MET = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_BOUND = 3,
	EXIT_INTERNAL = 4,
	EXIT_SIGNAL = 128, /* + the signal's number */
};

/* Set by SIGINT/SIGTERM; the explorer polls it between executions. */
static volatile sig_atomic_t stop_signal;

enum trace_format { TRACE_TEXT, TRACE_SVG, TRACE_DOT };

struct cli {
	struct kfp_explore_options options;
	unsigned int inject; /* KVM_INJECT_* added to every scenario */
	u32 design_mask;
	bool json;
	bool matrix;
	bool quiet; /* verdicts only: no schedules, no traces */
	bool witness; /* also trace accepted violations and met "sometimes" */
	enum trace_format trace_format;
	const char *trace_dir; /* where --trace-format svg|dot writes its files */
	bool write_failed; /* a trace file could not be written: exit 4 */
	struct kfp_cli_files files;
	unsigned int passed, failed, bounded, unchecked;
	bool json_first;
	unsigned int jobs; /* cells searched at once, each on its own OS thread */
	double progress_every; /* seconds between progress lines off a terminal; 0: none */
	const struct kfp_cli_sink *sink; /* --format ktap|junit, kfp report: not the text */
};

static const char *program_name = "kfp";

/* The options of kfp check and of the matrix (kfp [check options]). */
static void check_options_help(FILE *out)
{
	fputs("check options:\n"
	      "  --variant NAME[,NAME...]|all  design variant(s) to explore (default all)\n"
	      "  --json                    one JSON object on stdout, nothing else\n"
	      "  --matrix                  the verdicts as a matrix (scenario x variant) and a legend\n"
	      "  --format text|ktap|junit  verdicts as text (default), as KTAP (a test per cell,\n"
	      "                            a subtest per scenario) or as JUnit XML, on stdout\n"
	      "  --quiet, -q               verdicts only: no schedules, no traces\n"
	      "  --witness                 also trace each accepted violation and each met\n"
	      "                            'sometimes' (by default only a failed cell's\n"
	      "                            minimised counterexample is traced)\n"
	      "  --trace-format text|svg|dot  traces as text on stdout (default), or as sequence\n"
	      "                            charts written to DIR/SCENARIO.VARIANT.TAG.svg|dot\n"
	      "  --trace-dir DIR           where --trace-format svg|dot writes (default .)\n"
	      "  --progress-every SECONDS  progress on stderr: a live line on a terminal, else a\n"
	      "                            line every SECONDS (default 5; 0: no progress at all)\n"
	      "  --max-executions N        stop each search after N complete executions\n"
	      "  --max-states N            stop each stateful search after N distinct states\n"
	      "                            (the stateless searches ignore it)\n"
	      "  --max-steps N             cut executions longer than N steps (the search is then\n"
	      "                            incomplete: what they would do next is unexplored)\n"
	      "  --preemption-bound N      explore only schedules with at most N preemptions\n"
	      "  --timeout SECONDS         stop each search after SECONDS\n"
	      "  --random N --seed S       N random executions instead of exhaustive search\n"
	      "  --shard I/N               explore the I-th of N disjoint parts (docs/explorer.md);\n"
	      "                            a partial result: kfp merge the --json of all N\n"
	      "  --inject NAME             put old code back (kfp list shows the injections)\n"
	      "  --search stateful|stateful-sleep-sets|stateful-unreduced|dpor\n"
	      "                            stateful (default): each distinct state once, with\n"
	      "                            persistent and sleep sets, counts are states;\n"
	      "                            stateful-sleep-sets: without persistent sets;\n"
	      "                            stateful-unreduced: with neither; dpor: stateless\n"
	      "                            source-DPOR,\n"
	      "                            counts are executions (--preemption-bound, --random and\n"
	      "                            --shard always search statelessly)\n"
	      "  --stop-at-first           stop each search at its first violation (counts partial)\n"
	      "  --jobs N                  search N cells at once (default: one per online CPU);\n"
	      "                            the output is the same for every N\n"
	      "  --kernel-tree DIR         one more design, tree:VERSION: the KVM lookup path of\n"
	      "                            the kernel tree DIR, compiled and run (any command;\n"
	      "                            docs/kernel-tree.md)\n"
	      "  --help, -h                this text\n",
	      out);
}

static void exit_help(FILE *out)
{
	fputs("\n"
	      "Options may be written --name=value or --name value, before or after the\n"
	      "paths; a directory is searched for .kfp files (man kfp, man kfp-scenario).\n"
	      "\n"
	      "exit: 0 expectations met (cells with none are unchecked, not failed),\n"
	      "      1 an expectation failed, or the replayed execution broke a property,\n"
	      "      2 usage or input error, 3 a bound stopped a search before its verdict,\n"
	      "      4 internal error or output that could not be written,\n"
	      "      128+N stopped by signal N (130 SIGINT, 143 SIGTERM): output so far is valid\n",
	      out);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [check options]    the bundled scenarios under every variant: the matrix\n"
		"       %s check [options] PATH...\n"
		"       %s replay PATH --variant NAME [--inject NAME]... [--max-steps N]\n"
		"                [--preemption-bound N] [--svg FILE | --dot FILE] --schedule STRING\n"
		"       %s merge [--json] SHARD.json...\n"
		"       %s diff [--json] [--price] [--inject NAME] A B PATH...  A, B: VARIANT[+INJECTION]...\n"
		"       %s list [--markdown]\n"
		"       %s report -o DIR [--no-times] [check options] [PATH...]  (an HTML page)\n"
		"       %s hunt (--variant NAME | --diff A,B) [options]\n"
		"       %s --version | --help\n"
		"       %s COMMAND --help         the options of one command\n"
		"\n",
		program_name, program_name, program_name, program_name, program_name, program_name,
		program_name, program_name, program_name, program_name);
	check_options_help(out);
	fputs("\n"
	      "replay runs one schedule that check printed, under the options that check\n"
	      "printed with it, and traces it step by step; --svg FILE and --dot FILE also\n"
	      "draw it as a sequence chart.\n",
	      out);
	exit_help(out);
}

static void check_usage(FILE *out)
{
	fprintf(out,
		"usage: %s check [options] PATH...\n"
		"Explore each scenario file (or every .kfp under a directory) under the design\n"
		"variants; print each cell's verdict, its counterexamples and their replay\n"
		"commands.\n"
		"\n",
		program_name);
	check_options_help(out);
	exit_help(out);
}

static void replay_usage(FILE *out)
{
	fprintf(out,
		"usage: %s replay PATH --variant NAME [options] --schedule STRING\n"
		"Run one schedule that kfp check printed, under the options it printed with\n"
		"it, and trace it step by step.\n"
		"\n"
		"  --variant NAME            the one design variant the schedule ran under\n"
		"  --schedule STRING         the schedule, as kfp check printed it\n"
		"  --inject NAME             put old code back (repeatable; kfp list shows them)\n"
		"  --max-steps N             the step bound the schedule was found under\n"
		"  --preemption-bound N      the preemption bound it was found under\n"
		"  --svg FILE                also draw it as an SVG sequence chart in FILE\n"
		"  --dot FILE                ... or as a Graphviz DOT graph\n"
		"  --help, -h                this text\n",
		program_name);
	exit_help(out);
}

static void list_usage(FILE *out)
{
	fprintf(out,
		"usage: %s list [--markdown]\n"
		"The design variants, the injections, the operations a scenario may use and\n"
		"the bundled scenarios.\n"
		"\n"
		"  --markdown                the variants and injections as the Markdown tables\n"
		"                            of docs/scenario-format.md\n"
		"  --help, -h                this text\n",
		program_name);
}

/* ---- replay commands ------------------------------------------------------- */

/* @word as one shell word: quoted unless it is plainly safe. */
static void shell_word(FILE *out, const char *word)
{
	const char *c;

	if (*word && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789._/+-:,=") == strlen(word)) {
		fputs(word, out);
		return;
	}
	fputc('\'', out);
	for (c = word; *c; c++) {
		if (*c == '\'')
			fputs("'\\''", out);
		else
			fputc(*c, out);
	}
	fputc('\'', out);
}

/*
 * The command that replays @schedule: it carries every option that shaped
 * the execution (the variant, the command line's injections, the step and
 * preemption bounds); the scenario's own params are in the file.
 */
static void replay_command(FILE *out, const struct cli *cli, const char *path, unsigned int design,
			   const char *schedule)
{
	unsigned int i;

	fprintf(out, "%s replay ", program_name);
	shell_word(out, path);
	if (kfp_designs[design]->kernel_tree) {
		fprintf(out, " --kernel-tree ");
		shell_word(out, kfp_designs[design]->kernel_tree);
	}
	fprintf(out, " --variant %s", kfp_designs[design]->name);
	for (i = 0; i < kvm_nr_injections; i++)
		if (cli->inject & kvm_injections[i].bit)
			fprintf(out, " --inject %s", kvm_injections[i].name);
	if (cli->options.max_steps)
		fprintf(out, " --max-steps %u", cli->options.max_steps);
	if (cli->options.preemption_bound >= 0)
		fprintf(out, " --preemption-bound %d", cli->options.preemption_bound);
	fprintf(out, " --schedule %s", schedule);
}

/* The same, in a string the caller frees (NULL when out of memory). */
static char *replay_command_string(const struct cli *cli, const char *path, unsigned int design,
				   const char *schedule)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (!out)
		return NULL;
	replay_command(out, cli, path, design, schedule);
	if (fclose(out)) {
		free(text);
		return NULL;
	}
	return text;
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_reports(const struct kfp_scenario_run *run, const struct kfp_reports *reports)
{
	unsigned int i;

	putchar('[');
	for (i = 0; i < reports->count; i++) {
		const struct kfp_report *r = &reports->report[i];

		printf("%s{\"step\":%u,\"property\":", i ? "," : "", r->step);
		kfp_cli_json_string(kfp_property_name(r->property));
		printf(",\"kind\":");
		kfp_cli_json_string(kfp_report_kind_name(r->kind));
		printf(",\"pfn\":%lld,\"owner\":", (long long)r->pfn);
		kfp_cli_json_string(kfp_scenario_run_owner_name(run, r->owner));
		printf(",\"accepted\":%s,\"site\":", r->accepted ? "true" : "false");
		kfp_cli_json_string(r->what ? r->what : "?");
		putchar('}');
	}
	printf("],\"reports_dropped\":%u", reports->dropped);
}

/* "schedule":..., "replay":..., "reports":[...] */
static void json_schedule(const struct cli *cli, const char *path,
			  const struct kfp_scenario_run *run, const char *schedule,
			  const struct kfp_reports *reports)
{
	char *command = replay_command_string(cli, path, run->design, schedule);

	printf("\"schedule\":");
	kfp_cli_json_string(schedule);
	printf(",\"replay\":");
	kfp_cli_json_string(command ? command : "");
	printf(",\"reports\":");
	json_reports(run, reports);
	free(command);
}

static void json_expectations(const struct cli *cli, const char *path,
			      const struct kfp_scenario_run *run)
{
	unsigned int i;

	printf(",\"expectations\":[");
	for (i = 0; i < run->nr_expectations; i++) {
		const struct kfp_expectation_result *e = &run->expectation[i];

		printf("%s{\"expect\":", i ? "," : "");
		kfp_cli_json_string(run->checked[i]->text);
		printf(",\"line\":%u,\"col\":%u,\"met\":%s,\"detail\":", run->checked[i]->pos.line,
		       run->checked[i]->pos.col, e->met ? "true" : "false");
		kfp_cli_json_string(e->detail);
		if (e->schedule) {
			putchar(',');
			json_schedule(cli, path, run, e->schedule, &e->reports);
		}
		putchar('}');
	}
	putchar(']');
}

static void json_counts(const u64 *counts)
{
	unsigned int p;

	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		printf("%s%llu", p ? "," : "[", (unsigned long long)counts[p]);
	putchar(']');
}

static void json_schedules(char *const *schedules)
{
	unsigned int p;

	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		putchar(p ? ',' : '[');
		kfp_cli_json_string(schedules[p] ? schedules[p] : "");
	}
	putchar(']');
}

/*
 * What kfp merge needs to judge the whole search from its shards: counts
 * per property, witnesses, and each expectation's per-execution tallies.
 */
static void json_shard_cell(const struct kfp_scenario_run *run)
{
	unsigned int i;

	printf(",\"steps\":%llu,\"violation_executions\":", (unsigned long long)run->explore.steps);
	json_counts(run->explore.executions_with_violation);
	printf(",\"accepted_executions\":");
	json_counts(run->explore.executions_with_accepted);
	printf(",\"witness\":");
	json_schedules(run->explore.witness);
	printf(",\"accepted_witness\":");
	json_schedules(run->explore.accepted_witness);
	printf(",\"expectations\":[");
	for (i = 0; i < run->nr_expectations; i++) {
		const struct kfp_expectation *x = run->checked[i];
		const struct kfp_expectation_result *e = &run->expectation[i];

		printf("%s{\"line\":%u,\"col\":%u,\"kind\":", i ? "," : "", x->pos.line,
		       x->pos.col);
		kfp_cli_json_string(kfp_merge_kind_name(x->kind));
		if (kfp_expect_has_property(x->kind)) {
			printf(",\"property\":");
			kfp_cli_json_string(kfp_property_name(x->property));
		}
		printf(",\"text\":");
		kfp_cli_json_string(x->text);
		/* tallies, not a judgement: only the whole search is judged */
		printf(",\"held\":%llu,\"failed\":%llu,\"detail\":", (unsigned long long)e->held,
		       (unsigned long long)e->failed);
		kfp_cli_json_string(e->detail);
		printf(",\"schedule\":");
		kfp_cli_json_string(e->schedule ? e->schedule : "");
		putchar('}');
	}
	putchar(']');
}

/* The search a shard belongs to: kfp merge refuses shards of different ones. */
static void json_shard_header(const struct cli *cli)
{
	char search[160];

	kfp_merge_search_key(&cli->options, cli->inject, search, sizeof(search));
	printf("\"shard\":{\"index\":%u,\"count\":%u},\"search\":", cli->options.shard_index,
	       cli->options.shard_count);
	kfp_cli_json_string(search);
	putchar(',');
}

static void print_json(struct cli *cli, const char *path, const struct kfp_scenario *scenario,
		       const struct kfp_scenario_run *run)
{
	const struct kfp_explore_result *r = &run->explore;
	char verdict[96];

	kfp_cell_verdict_text(&run->found, run->status, verdict, sizeof(verdict));
	if (!cli->json_first)
		putchar(',');
	cli->json_first = false;
	printf("{\"scenario\":");
	kfp_cli_json_string(scenario->name);
	printf(",\"file\":");
	kfp_cli_json_string(scenario->path);
	printf(",\"variant\":");
	kfp_cli_json_string(kfp_designs[run->design]->name);
	printf(",\"verdict\":");
	kfp_cli_json_string(verdict);
	printf(",\"violations\":");
	kfp_cli_json_properties(r->executions_with_violation);
	printf(",\"accepted\":");
	kfp_cli_json_properties(r->executions_with_accepted);
	printf(",\"search\":\"%s\",\"executions\":%llu", r->stateful ? "stateful" : "dpor",
	       (unsigned long long)r->executions);
	if (r->stateful)
		printf(",\"states\":%llu,\"revisits\":%llu,\"cycles\":%llu",
		       (unsigned long long)r->states, (unsigned long long)r->revisits,
		       (unsigned long long)r->cycles);
	if (r->estimated_fraction > 0)
		printf(",\"estimate\":{\"fraction_done\":%.6f,\"total\":%.0f}",
		       r->estimated_fraction, r->estimated_total);
	printf(",\"complete\":%s,\"stop\":", r->complete ? "true" : "false");
	kfp_cli_json_string(kfp_stop_reason_name(r->stop));
	printf(",\"step_bound_hits\":%llu,\"status\":", (unsigned long long)r->step_bound_hits);
	kfp_cli_json_string(kfp_cell_status_name(run->status));
	printf(",\"expectations_met\":%s", run->status == KFP_CELL_MET ? "true" : "false");
	/* a shard's expectations are tallies for kfp merge, not judgements */
	if (cli->options.shard_count)
		json_shard_cell(run);
	else
		json_expectations(cli, path, run);
	printf(",\"counterexample\":");
	if (r->has_counterexample && r->counterexample) {
		printf("{\"preemptions\":%u,", r->counterexample_preemptions);
		json_schedule(cli, path, run, r->counterexample, &r->counterexample_reports);
		putchar('}');
	} else {
		printf("null");
	}
	putchar('}');
}

/* ---- text ------------------------------------------------------------------ */

/* "  LABEL: kfp replay ...", then the reports of that execution, indented. */
static void print_schedule(const struct cli *cli, const char *path,
			   const struct kfp_scenario_run *run, const char *label,
			   const char *schedule, const struct kfp_reports *reports)
{
	printf("  %s: ", label);
	replay_command(stdout, cli, path, run->design, schedule);
	putchar('\n');
	kfp_scenario_print_run_reports(run, reports, "    ", stdout);
}

/* Record @schedule and write its chart to @file; -1 (said on stderr) when it cannot. */
static int write_chart(const char *file, enum trace_format format,
		       const struct kfp_scenario *scenario, unsigned int design,
		       const char *schedule, const struct kfp_explore_options *options)
{
	static struct kfp_trace trace;
	FILE *out;
	int ret;

	ret = kfp_scenario_record(scenario, design, schedule, options, &trace);
	if (ret < 0)
		goto out_release;
	out = fopen(file, "w");
	if (!out) {
		fprintf(stderr, "%s: cannot write %s: %s\n", program_name, file, strerror(errno));
		ret = -1;
		goto out_release;
	}
	ret = format == TRACE_DOT ? kfp_trace_print_dot(&trace, out) :
				    kfp_trace_print_svg(&trace, out);
	if (fclose(out) || ret) {
		fprintf(stderr, "%s: cannot write %s\n", program_name, file);
		ret = -1;
	}
out_release:
	kfp_trace_release(&trace);
	return ret < 0 ? -1 : 0;
}

/*
 * The trace of @schedule, after a line that says what it shows: as text,
 * or (--trace-format svg|dot) in DIR/SCENARIO.VARIANT.TAG.svg, named.
 */
static void print_trace(struct cli *cli, const struct kfp_scenario *scenario,
			const struct kfp_scenario_run *run, const char *label, const char *tag,
			const char *schedule)
{
	char file[PATH_MAX];

	if (cli->trace_format == TRACE_TEXT) {
		printf("  trace of %s:\n", label);
		fflush(stdout);
		kfp_scenario_replay(scenario, run->design, schedule, &cli->options, stdout, NULL);
		return;
	}
	snprintf(file, sizeof(file), "%s/%s.%s.%s.%s", cli->trace_dir ? cli->trace_dir : ".",
		 scenario->name, kfp_designs[run->design]->name, tag,
		 cli->trace_format == TRACE_DOT ? "dot" : "svg");
	printf("  trace of %s: %s\n", label, file);
	if (write_chart(file, cli->trace_format, scenario, run->design, schedule, &cli->options))
		cli->write_failed = true;
}

static bool fails_a_never(const struct kfp_scenario_run *run)
{
	unsigned int i;

	for (i = 0; i < run->nr_expectations; i++)
		if (!run->expectation[i].met && run->checked[i]->kind == KFP_EXPECT_NEVER)
			return true;
	return false;
}

/*
 * Each failed expectation with its counterexample, then one trace per
 * cell: of the minimised counterexample when a "never" failed (the others
 * are the same violation, reached in more preemptions), else of the first
 * failed expectation's.
 */
static void print_failure(struct cli *cli, const char *path, const struct kfp_scenario *scenario,
			  const struct kfp_scenario_run *run)
{
	const struct kfp_explore_result *r = &run->explore;
	const char *schedule = NULL;
	char label[192];
	unsigned int i;

	for (i = 0; i < run->nr_expectations; i++) {
		const struct kfp_expectation_result *e = &run->expectation[i];
		const struct kfp_expectation *x = run->checked[i];

		if (e->met)
			continue;
		printf("  expectation failed: %s:%u:%u: %s: %s\n", path, x->pos.line, x->pos.col,
		       x->text, e->detail);
		if (!e->schedule || cli->quiet)
			continue;
		snprintf(label, sizeof(label), "counterexample of '%s' (line %u)", x->text,
			 x->pos.line);
		print_schedule(cli, path, run, label, e->schedule, &e->reports);
		if (!schedule)
			schedule = e->schedule;
	}
	if (!schedule)
		return;
	if (fails_a_never(run) && r->has_counterexample && r->counterexample) {
		schedule = r->counterexample;
		snprintf(label, sizeof(label), "the counterexample (%u preemption%s)",
			 r->counterexample_preemptions,
			 r->counterexample_preemptions == 1 ? "" : "s");
	} else {
		snprintf(label, sizeof(label), "the first counterexample");
	}
	print_trace(cli, scenario, run, label, "counterexample", schedule);
}

/* A schedule printed before in this cell is not traced twice. */
static bool traced_before(const char *const *done, unsigned int nr, const char *schedule)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(done[i], schedule))
			return true;
	return false;
}

/*
 * --witness: the trace of every accepted violation and of every met
 * "sometimes" (and "accepted") expectation, each schedule once.
 */
static void print_witnesses(struct cli *cli, const struct kfp_scenario *scenario,
			    const struct kfp_scenario_run *run)
{
	const struct kfp_explore_result *r = &run->explore;
	const char *done[KFP_NR_PROPERTIES + KFP_SCENARIO_MAX_CHECKED];
	unsigned int nr = 0, i, p;
	char label[192], tag[32];

	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		const char *schedule = r->accepted_witness[p];

		if (!schedule || traced_before(done, nr, schedule))
			continue;
		done[nr++] = schedule;
		snprintf(label, sizeof(label), "a witness of %s accepted",
			 kfp_property_name((enum kfp_property)p));
		snprintf(tag, sizeof(tag), "accepted-%s", kfp_property_name((enum kfp_property)p));
		print_trace(cli, scenario, run, label, tag, schedule);
	}
	for (i = 0; i < run->nr_expectations; i++) {
		const struct kfp_expectation_result *e = &run->expectation[i];
		const struct kfp_expectation *x = run->checked[i];

		if (!e->met || !e->schedule || traced_before(done, nr, e->schedule))
			continue;
		done[nr++] = e->schedule;
		snprintf(label, sizeof(label), "the witness of '%s' (line %u)", x->text,
			 x->pos.line);
		snprintf(tag, sizeof(tag), "witness-line-%u", x->pos.line);
		print_trace(cli, scenario, run, label, tag, e->schedule);
	}
}

/* The minimised counterexample, and the witness of every expectation met by an example. */
static void print_schedules(const struct cli *cli, const char *path,
			    const struct kfp_scenario_run *run)
{
	const struct kfp_explore_result *r = &run->explore;
	unsigned int i;

	if (r->has_counterexample && r->counterexample) {
		char label[96];

		snprintf(label, sizeof(label), "counterexample%s, %u preemption%s",
			 cli->options.minimize ? " (minimised)" : "", r->counterexample_preemptions,
			 r->counterexample_preemptions == 1 ? "" : "s");
		print_schedule(cli, path, run, label, r->counterexample,
			       &r->counterexample_reports);
	}
	for (i = 0; i < run->nr_expectations; i++) {
		const struct kfp_expectation_result *e = &run->expectation[i];
		const struct kfp_expectation *x = run->checked[i];
		char label[192];

		if (!e->met || !e->schedule)
			continue;
		snprintf(label, sizeof(label), "witness of '%s' (line %u)", x->text, x->pos.line);
		print_schedule(cli, path, run, label, e->schedule, &e->reports);
	}
}

static void print_run(struct cli *cli, const char *path, const struct kfp_scenario *scenario,
		      const struct kfp_scenario_run *run)
{
	char verdict[96];

	if (cli->json) {
		print_json(cli, path, scenario, run);
		return;
	}
	kfp_cell_found_text(&run->found, run->status, verdict, sizeof(verdict));
	/* a stateful search counts the states it explored, a stateless one its executions */
	printf("%-40s %-9s %-22s %9llu %-10s  %-8s %6.2fs  %s\n", scenario->name,
	       kfp_designs[run->design]->name, verdict,
	       (unsigned long long)(run->explore.stateful ? run->explore.states :
							    run->explore.executions),
	       run->explore.stateful ? "states" : "executions",
	       run->explore.complete ? "complete" : kfp_stop_reason_name(run->explore.stop),
	       run->explore.seconds, kfp_cli_status_text(&run->found, run->status));
	if (!cli->quiet)
		print_schedules(cli, path, run);
	if (run->status == KFP_CELL_FAILED)
		print_failure(cli, path, scenario, run);
	if (cli->witness && !cli->quiet)
		print_witnesses(cli, scenario, run);
	if (cli->options.random_executions)
		printf("  random mode: %llu executions, seed %llu\n",
		       (unsigned long long)cli->options.random_executions,
		       (unsigned long long)cli->options.seed);
}

/* ---- commands ---------------------------------------------------------------- */

static void on_signal(int signo)
{
	stop_signal = signo;
}

/* SIGINT/SIGTERM stop the search at the next execution boundary; a second one kills. */
static void catch_signals(struct cli *cli)
{
	struct sigaction action = { .sa_handler = on_signal, .sa_flags = SA_RESETHAND };

	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	cli->options.stop = &stop_signal;
}

static struct kfp_scenario *load(const char *path)
{
	struct kfp_scenario *scenario = calloc(1, sizeof(*scenario));
	char error[KFP_ERROR_LEN];

	if (!scenario)
		return NULL;
	if (kfp_scenario_load(path, scenario, error, sizeof(error))) {
		fprintf(stderr, "%s\n", error);
		free(scenario);
		return NULL;
	}
	if (!kfp_scenario_named_after_file(scenario))
		fprintf(stderr, "%s:%u:%u: warning: scenario '%s' is not named after its file\n",
			path, scenario->name_pos.line, scenario->name_pos.col, scenario->name);
	return scenario;
}

/* Load every file first: any input error stops everything with status 2. */
static int load_all(struct cli *cli, struct kfp_scenario **scenarios)
{
	unsigned int i;
	int status = 0;

	for (i = 0; i < cli->files.nr; i++) {
		scenarios[i] = load(cli->files.path[i]);
		if (!scenarios[i])
			status = EXIT_USAGE;
	}
	if (!status)
		kfp_cli_warn_duplicates(scenarios, cli->files.nr);
	return status;
}

/* The JSON's closing summary; @error, if any, says why the runs stopped. */
static void json_summary(const struct cli *cli, const char *error)
{
	printf("],\"summary\":{\"passed\":%u,\"failed\":%u,\"unchecked\":%u,\"undecided\":%u,"
	       "\"interrupted\":%s",
	       cli->passed, cli->failed, cli->unchecked, cli->bounded,
	       stop_signal ? "true" : "false");
	if (error) {
		printf(",\"error\":");
		kfp_cli_json_string(error);
	}
	printf("}}\n");
}

/* The replay command of a cell that --format and kfp report print. */
static char *sink_replay(const struct kfp_cli_cell *cell, const char *schedule)
{
	return replay_command_string(cell->cli, cell->path, cell->run->design, schedule);
}

static void sink_cell(const struct cli *cli, unsigned int i, const struct kfp_scenario *scenario,
		      const struct kfp_scenario_run *run, const struct kfp_matrix_cell *matrix)
{
	struct kfp_cli_cell cell = {
		.path = cli->files.path[i],
		.index = i,
		.scenario = scenario,
		.run = run,
		.matrix = matrix,
		.options = &cli->options,
		.inject = cli->inject,
		.replay = sink_replay,
		.cli = cli,
	};

	cli->sink->cell(cli->sink->arg, &cell);
}

/* Count one searched cell as scenario/verdict.c judged it, and print it (or keep it for the matrix). */
static void report_cell(struct cli *cli, unsigned int i, struct kfp_scenario *scenario,
			const struct kfp_scenario_run *run, struct kfp_matrix_cell *matrix)
{
	if (run->status == KFP_CELL_MET)
		cli->passed++;
	else if (run->status == KFP_CELL_FAILED)
		cli->failed++;
	else if (run->status == KFP_CELL_UNCHECKED)
		cli->unchecked++;
	else
		cli->bounded++;
	kfp_matrix_cell_of(&run->found, run->status, matrix);
	kfp_progress_clear();
	if (cli->sink)
		sink_cell(cli, i, scenario, run, matrix);
	else if (!cli->matrix)
		print_run(cli, cli->files.path[i], scenario, run);
	else if (run->status == KFP_CELL_FAILED)
		print_failure(cli, cli->files.path[i], scenario, run);
	kfp_progress_cell_done();
}

static int run_cell(struct cli *cli, unsigned int i, struct kfp_scenario *scenario, unsigned int d,
		    struct kfp_scenario_run *run, struct kfp_matrix_cell *matrix)
{
	struct kfp_progress_slot *slot = kfp_progress_slot(0);

	cli->options.progress = kfp_progress_update;
	cli->options.progress_arg = slot;
	kfp_progress_cell_begin(slot, scenario->name, kfp_designs[d]->name);
	if (kfp_scenario_run(scenario, d, &cli->options, run))
		return -1;
	report_cell(cli, i, scenario, run, matrix);
	return 0;
}

/*
 * --jobs: cells are searched on worker threads, each with its own world,
 * explorer and seam (all per OS thread), in the order they come; the main
 * thread judges and prints them in file and design order, so the output is
 * the same byte for byte whatever the number of jobs.
 */
struct cell_job {
	struct kfp_scenario_run *run;
	int ret;
	bool done;
};

struct pool {
	struct cli *cli;
	struct kfp_scenario **scenarios;
	struct cell_job *job;
	unsigned int *order; /* the cells in the order workers take them */
	unsigned int nr_cells, next;
	unsigned int nr_workers, exited;
	unsigned int started; /* workers that took a progress slot */
	bool failed; /* a cell could not start: take no more */
	pthread_mutex_t lock;
	pthread_cond_t done;
};

static void *pool_worker(void *arg)
{
	struct pool *pool = arg;
	struct kfp_explore_options options = pool->cli->options;
	struct kfp_progress_slot *slot;

	pthread_mutex_lock(&pool->lock);
	slot = kfp_progress_slot(pool->started++);
	pthread_mutex_unlock(&pool->lock);
	options.progress = kfp_progress_update;
	options.progress_arg = slot;
	for (;;) {
		unsigned int c, i, d;
		struct kfp_scenario_run *run;
		int ret = -ENOMEM;

		pthread_mutex_lock(&pool->lock);
		c = pool->failed || stop_signal || pool->next >= pool->nr_cells ?
			    pool->nr_cells :
			    pool->order[pool->next++];
		if (c >= pool->nr_cells) {
			/* the main thread may be waiting for a cell nobody will search now */
			pool->exited++;
			pthread_cond_broadcast(&pool->done);
			pthread_mutex_unlock(&pool->lock);
			return NULL;
		}
		pthread_mutex_unlock(&pool->lock);
		i = c / kfp_nr_designs;
		d = c % kfp_nr_designs;
		run = calloc(1, sizeof(*run));
		if (run && (pool->cli->design_mask & BIT(d))) {
			kfp_progress_cell_begin(slot, pool->scenarios[i]->name,
						kfp_designs[d]->name);
			ret = kfp_scenario_run(pool->scenarios[i], d, &options, run);
		} else if (run) {
			ret = 0;
		}
		pthread_mutex_lock(&pool->lock);
		pool->job[c].run = run;
		pool->job[c].ret = ret;
		pool->job[c].done = true;
		if (ret)
			pool->failed = true;
		pthread_cond_broadcast(&pool->done);
		pthread_mutex_unlock(&pool->lock);
	}
}

/* Wait for cell @c; NULL when no worker will search it (a stop or a failed cell). */
static struct cell_job *pool_wait(struct pool *pool, unsigned int c)
{
	struct cell_job *job = &pool->job[c];

	pthread_mutex_lock(&pool->lock);
	while (!job->done && pool->exited < pool->nr_workers)
		pthread_cond_wait(&pool->done, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
	return job->done ? job : NULL;
}

static void pool_release(struct cell_job *job)
{
	if (!job->run)
		return;
	kfp_scenario_run_release(job->run);
	free(job->run);
	job->run = NULL;
}

/*
 * The order the workers take the cells in: scenarios with more threads
 * first (their searches are the long ones), in file order otherwise, so
 * that a three-actor race does not start last and finish alone.  The
 * cells are still reported in file order.
 */
static void pool_order(struct pool *pool)
{
	unsigned int nr = 0, threads, c;

	for (threads = KFP_MAX_THREADS; threads > 0; threads--)
		for (c = 0; c < pool->nr_cells; c++)
			if (pool->scenarios[c / kfp_nr_designs]->nr_threads == threads ||
			    (threads == 1 && !pool->scenarios[c / kfp_nr_designs]->nr_threads))
				pool->order[nr++] = c;
}

/* Search every cell on @cli->jobs threads; returns the first cell error, if any. */
static const char *run_parallel(struct cli *cli, struct kfp_scenario **scenarios,
				struct kfp_matrix_cell (*cells)[KFP_MAX_DESIGNS], char *error,
				size_t size)
{
	struct pool pool = {
		.cli = cli,
		.scenarios = scenarios,
		.nr_cells = cli->files.nr * kfp_nr_designs,
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.done = PTHREAD_COND_INITIALIZER,
	};
	pthread_t worker[MAX_JOBS];
	unsigned int nr_workers = 0, c;
	const char *failed = NULL;

	pool.job = calloc(pool.nr_cells, sizeof(*pool.job));
	pool.order = calloc(pool.nr_cells, sizeof(*pool.order));
	if (!pool.job || !pool.order) {
		free(pool.job);
		free(pool.order);
		snprintf(error, size, "%s: out of memory", program_name);
		return error;
	}
	pool_order(&pool);
	pool.nr_workers = cli->jobs < MAX_JOBS ? cli->jobs : MAX_JOBS;
	while (nr_workers < pool.nr_workers &&
	       !pthread_create(&worker[nr_workers], NULL, pool_worker, &pool))
		nr_workers++;
	pthread_mutex_lock(&pool.lock);
	pool.nr_workers = nr_workers;
	pthread_mutex_unlock(&pool.lock);
	if (!nr_workers) {
		snprintf(error, size, "%s: cannot start a worker thread", program_name);
		failed = error;
	}
	for (c = 0; c < pool.nr_cells && nr_workers && !failed && !stop_signal; c++) {
		unsigned int i = c / kfp_nr_designs, d = c % kfp_nr_designs;
		struct cell_job *job = pool_wait(&pool, c);

		memset(&cells[i][d], 0, sizeof(cells[i][d]));
		if (!job)
			break;
		if (job->ret) {
			snprintf(error, size, "%s",
				 job->run ? job->run->error : "kfp: out of memory");
			failed = error;
		} else if (cli->design_mask & BIT(d)) {
			report_cell(cli, i, scenarios[i], job->run, &cells[i][d]);
		}
		pool_release(job);
	}
	while (nr_workers)
		pthread_join(worker[--nr_workers], NULL);
	for (c = 0; c < pool.nr_cells; c++)
		pool_release(&pool.job[c]);
	free(pool.job);
	free(pool.order);
	return failed;
}

/* The totals and the matrix, to the sink; output it could not write is exit 4. */
static void sink_end(struct cli *cli, struct kfp_scenario **scenarios,
		     struct kfp_matrix_cell (*cells)[KFP_MAX_DESIGNS], const char *error)
{
	struct kfp_cli_totals totals = {
		.passed = cli->passed,
		.failed = cli->failed,
		.unchecked = cli->unchecked,
		.undecided = cli->bounded,
		.interrupted = stop_signal != 0,
		.error = error,
	};

	if (cli->sink->end(cli->sink->arg, scenarios, cli->files.nr, cells, &totals))
		cli->write_failed = true;
}

static int run_all(struct cli *cli)
{
	static struct kfp_scenario_run run;
	struct kfp_scenario **scenarios = calloc(cli->files.nr + 1, sizeof(*scenarios));
	static struct kfp_matrix_cell cells[KFP_CLI_MAX_FILES][KFP_MAX_DESIGNS];
	static char parallel_error[KFP_ERROR_LEN];
	const char *error = NULL;
	unsigned int i, d;
	int status;

	if (!scenarios)
		return EXIT_INTERNAL;
	status = load_all(cli, scenarios);
	if (status)
		goto out_free;
	for (i = 0; i < cli->files.nr; i++)
		scenarios[i]->inject |= cli->inject;
	catch_signals(cli);
	kfp_progress_start(cli->files.nr * (unsigned int)__builtin_popcount(cli->design_mask),
			   cli->progress_every, isatty(STDERR_FILENO));
	if (cli->sink && cli->sink->begin(cli->sink->arg, scenarios, cli->files.nr,
					  cli->design_mask, &cli->options)) {
		status = EXIT_INTERNAL;
		goto out_free;
	}
	if (cli->json) {
		putchar('{');
		if (cli->options.shard_count)
			json_shard_header(cli);
		printf("\"results\":[");
		cli->json_first = true;
	}
	if (cli->jobs > 1)
		error = run_parallel(cli, scenarios, cells, parallel_error, sizeof(parallel_error));
	for (i = 0; cli->jobs <= 1 && i < cli->files.nr && !error && !stop_signal; i++) {
		for (d = 0; d < kfp_nr_designs && !error && !stop_signal; d++) {
			memset(&cells[i][d], 0, sizeof(cells[i][d]));
			if (!(cli->design_mask & BIT(d)))
				continue;
			if (run_cell(cli, i, scenarios[i], d, &run, &cells[i][d]))
				error = run.error;
		}
	}
	kfp_progress_end();
	if (error)
		fprintf(stderr, "%s\n", error);
	if (stop_signal && !cli->json)
		fprintf(stderr, "%s: interrupted by signal %d: the results so far\n", program_name,
			(int)stop_signal);
	if (cli->sink)
		sink_end(cli, scenarios, cells, error);
	else if (cli->json)
		json_summary(cli, error);
	else if (cli->matrix)
		kfp_cli_print_matrix(stdout, scenarios, cli->files.nr, cells, cli->design_mask);
	if (!cli->json && !cli->sink)
		printf("%u passed, %u failed, %u unchecked%s\n", cli->passed, cli->failed,
		       cli->unchecked, cli->bounded ? ", some undecided (bound)" : "");
	status = error		   ? EXIT_USAGE :
		 cli->write_failed ? EXIT_INTERNAL :
		 cli->failed	   ? EXIT_FAILED :
		 stop_signal	   ? EXIT_SIGNAL + stop_signal :
		 cli->bounded	   ? EXIT_BOUND :
				     EXIT_MET;
	kfp_scenario_run_release(&run);
out_free:
	for (i = 0; i < cli->files.nr; i++)
		free(scenarios[i]);
	free(scenarios);
	return status;
}

/* ---- options (cli/options.c parses the values) ------------------------------ */

/* kfp check's and the matrix's own options, after the shared ones */
enum {
	OPT_MATRIX = KFP_OPT_COMMAND,
	OPT_QUIET = 'q',
	OPT_WITNESS = KFP_OPT_COMMAND + 1,
	OPT_TRACE_FORMAT,
	OPT_TRACE_DIR,
	OPT_PROGRESS_EVERY,
	OPT_RANDOM,
	OPT_SHARD,
	OPT_STOP_AT_FIRST,
	OPT_JOBS,
	OPT_FORMAT,
	OPT_SCHEDULE, /* replay */
	OPT_SVG,
	OPT_DOT,
	OPT_MARKDOWN, /* list */
};

static const struct option check_options[] = {
	KFP_OPT_FLAG("help", KFP_OPT_HELP),
	KFP_OPT_VALUE("variant", KFP_OPT_VARIANT),
	KFP_OPT_EXECUTION_OPTIONS,
	KFP_OPT_SEARCH_OPTIONS,
	KFP_OPT_FLAG("json", KFP_OPT_JSON),
	KFP_OPT_FLAG("matrix", OPT_MATRIX),
	KFP_OPT_FLAG("quiet", OPT_QUIET),
	KFP_OPT_FLAG("witness", OPT_WITNESS),
	KFP_OPT_VALUE("trace-format", OPT_TRACE_FORMAT),
	KFP_OPT_VALUE("trace-dir", OPT_TRACE_DIR),
	KFP_OPT_VALUE("format", OPT_FORMAT),
	KFP_OPT_VALUE("progress-every", OPT_PROGRESS_EVERY),
	KFP_OPT_VALUE("random", OPT_RANDOM),
	KFP_OPT_VALUE("seed", KFP_OPT_SEED),
	KFP_OPT_VALUE("shard", OPT_SHARD),
	KFP_OPT_FLAG("stop-at-first", OPT_STOP_AT_FIRST),
	KFP_OPT_VALUE("jobs", OPT_JOBS),
	KFP_OPT_END,
};

static const struct option replay_options[] = {
	KFP_OPT_FLAG("help", KFP_OPT_HELP),
	KFP_OPT_VALUE("variant", KFP_OPT_VARIANT),
	KFP_OPT_EXECUTION_OPTIONS,
	KFP_OPT_VALUE("schedule", OPT_SCHEDULE),
	KFP_OPT_VALUE("svg", OPT_SVG),
	KFP_OPT_VALUE("dot", OPT_DOT),
	KFP_OPT_END,
};

static const struct option list_options[] = {
	KFP_OPT_FLAG("help", KFP_OPT_HELP),
	KFP_OPT_FLAG("markdown", OPT_MARKDOWN),
	KFP_OPT_END,
};

static int parse_trace_format(const char *who, const char *text, enum trace_format *format)
{
	if (!strcmp(text, "text"))
		*format = TRACE_TEXT;
	else if (!strcmp(text, "svg"))
		*format = TRACE_SVG;
	else if (!strcmp(text, "dot"))
		*format = TRACE_DOT;
	else {
		fprintf(stderr, "%s: --trace-format wants text, svg or dot, not '%s'\n", who, text);
		return -1;
	}
	return 0;
}

/* One option of kfp check (or the matrix): 0, or -1 after saying why not. */
static int check_option(struct cli *cli, const char *who, int code, const char *value)
{
	struct kfp_explore_options *o = &cli->options;
	int ret = kfp_opt_execution(who, code, value, o, &cli->inject);

	if (ret)
		return ret < 0 ? -1 : 0;
	switch (code) {
	case KFP_OPT_VARIANT:
		return kfp_opt_variants(who, value, &cli->design_mask);
	case KFP_OPT_JSON:
		cli->json = true;
		return 0;
	case OPT_MATRIX:
		cli->matrix = true;
		return 0;
	case OPT_QUIET:
		cli->quiet = true;
		return 0;
	case OPT_WITNESS:
		cli->witness = true;
		return 0;
	case OPT_STOP_AT_FIRST:
		o->stop_on_violation = true;
		return 0;
	case OPT_TRACE_FORMAT:
		return parse_trace_format(who, value, &cli->trace_format);
	case OPT_TRACE_DIR:
		cli->trace_dir = value;
		return 0;
	case OPT_FORMAT:
		if (strcmp(value, "text") && !kfp_cli_format_sink(value)) {
			fprintf(stderr, "%s: --format wants text, ktap or junit, not '%s'\n", who,
				value);
			return -1;
		}
		cli->sink = kfp_cli_format_sink(value);
		return 0;
	case OPT_PROGRESS_EVERY:
		return kfp_opt_seconds(who, "--progress-every", value, true, 1e6,
				       &cli->progress_every);
	case OPT_RANDOM:
		return kfp_opt_u64(who, "--random", value, 1, UINT64_MAX, &o->random_executions);
	case KFP_OPT_SEED:
		return kfp_opt_u64(who, "--seed", value, 0, UINT64_MAX, &o->seed);
	case OPT_SHARD:
		return kfp_opt_shard(who, value, &o->shard_index, &o->shard_count);
	case OPT_JOBS:
		return kfp_opt_uint(who, "--jobs", value, 1, MAX_JOBS, &cli->jobs);
	}
	return -1; /* '?': getopt_long said what is wrong */
}

/* 0 to go on, 1 when --help was shown, -1 after saying what is wrong. */
static int parse_check_options(struct cli *cli, const char *who, int argc, char **argv)
{
	struct kfp_opt_parser parser = {
		.who = who,
		.argc = argc,
		.argv = argv,
		.options = check_options,
		.short_options = "hq",
	};
	const char *value;
	char **paths;
	int code, i, nr;

	while ((code = kfp_opt_next(&parser, &value)) != -1) {
		if (code == KFP_OPT_HELP) {
			(cli->matrix ? usage : check_usage)(stdout);
			return 1;
		}
		if (check_option(cli, who, code, value))
			return -1;
	}
	paths = kfp_opt_operands(&parser, &nr);
	for (i = 0; i < nr; i++)
		if (kfp_cli_add_path(&cli->files, paths[i]))
			return -1;
	if (!cli->files.nr && !cli->matrix) {
		fprintf(stderr, "%s: no scenario given\n", who);
		return -1;
	}
	if (cli->json && cli->sink) {
		fprintf(stderr, "%s: --json and --format are two outputs: choose one\n",
			program_name);
		return -1;
	}
	if (cli->options.shard_count && cli->options.random_executions) {
		fprintf(stderr, "%s: --shard splits the exhaustive search, not --random\n", who);
		return -1;
	}
	return 0;
}

/* One search per online CPU: the output does not depend on it. */
static unsigned int default_jobs(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return cpus < 1 ? 1 : cpus > MAX_JOBS ? MAX_JOBS : (unsigned int)cpus;
}

static void cli_init(struct cli *cli)
{
	memset(cli, 0, sizeof(*cli));
	cli->options.preemption_bound = -1;
	cli->options.minimize = true;
	cli->options.stateful = true;
	cli->jobs = default_jobs();
	cli->progress_every = DEFAULT_PROGRESS_EVERY;
	cli->design_mask = (u32)((1ULL << kfp_nr_designs) - 1);
}

static int command_check(int argc, char **argv)
{
	static struct cli cli;
	int ret;

	cli_init(&cli);
	ret = parse_check_options(&cli, "kfp check", argc, argv);
	if (ret)
		return ret > 0 ? EXIT_MET : EXIT_USAGE;
	kfp_cli_sort_files(&cli.files);
	return run_all(&cli);
}

/* kfp [check options]: the bundled library as a matrix */
static int command_matrix(int argc, char **argv)
{
	static struct cli cli;
	int ret;

	cli_init(&cli);
	cli.matrix = true;
	ret = parse_check_options(&cli, program_name, argc, argv);
	if (ret)
		return ret > 0 ? EXIT_MET : EXIT_USAGE;
	if (!cli.files.nr && kfp_cli_add_path(&cli.files, kfp_cli_library_path()))
		return EXIT_USAGE;
	kfp_cli_sort_files(&cli.files);
	printf("kfp %s: the bundled scenarios under every design variant\n\n", KFP_VERSION);
	return run_all(&cli);
}

/* kfp report -o DIR [--no-times] [check options] [PATH...]: the HTML page (cli/report.c) */
static int command_report(int argc, char **argv)
{
	static struct cli cli;
	struct kfp_cli_sink *sink;
	int ret;

	cli_init(&cli);
	for (ret = 1; ret < argc; ret++) {
		if (strcmp(argv[ret], "--help") && strcmp(argv[ret], "-h"))
			continue;
		printf("usage: %s report -o DIR [--no-times] [check options] [PATH...]\n"
		       "  -o, --output DIR          where index.html and its charts go\n"
		       "  --no-times                leave the times out (the page is then the same\n"
		       "                            for the same input)\n",
		       program_name);
		check_options_help(stdout);
		exit_help(stdout);
		return EXIT_MET;
	}
	sink = kfp_report_sink(program_name, KFP_VERSION, &argc, argv);
	if (!sink)
		return EXIT_USAGE;
	cli.matrix = true; /* the library when no path is given */
	ret = parse_check_options(&cli, "kfp report", argc, argv);
	if (ret)
		return ret > 0 ? EXIT_MET : EXIT_USAGE;
	if (cli.json || cli.sink) {
		fprintf(stderr, "%s report: writes HTML, not --json or --format\n", program_name);
		return EXIT_USAGE;
	}
	cli.sink = sink;
	if (!cli.files.nr && kfp_cli_add_path(&cli.files, kfp_cli_library_path()))
		return EXIT_USAGE;
	kfp_cli_sort_files(&cli.files);
	return run_all(&cli);
}

struct replay_args {
	const char *path, *schedule, *chart;
	enum trace_format format;
	bool variant;
	unsigned int design;
};

/* kfp replay's options: 0, 1 after --help, -1 after saying what is wrong. */
static int parse_replay_options(struct cli *cli, struct replay_args *args, int argc, char **argv)
{
	static const char who[] = "kfp replay";
	struct kfp_opt_parser parser = {
		.who = who,
		.argc = argc,
		.argv = argv,
		.options = replay_options,
		.short_options = "h",
	};
	const char *value;
	char **operands;
	int code, nr;

	while ((code = kfp_opt_next(&parser, &value)) != -1) {
		int ret = kfp_opt_execution(who, code, value, &cli->options, &cli->inject);

		if (ret < 0 || code == '?')
			return -1;
		if (code == KFP_OPT_HELP) {
			replay_usage(stdout);
			return 1;
		} else if (code == KFP_OPT_VARIANT) {
			if (kfp_opt_one_variant(who, value,
						"a schedule is one execution of one variant's code",
						&args->design))
				return -1;
			args->variant = true;
		} else if (code == OPT_SCHEDULE) {
			args->schedule = value;
		} else if (code == OPT_SVG || code == OPT_DOT) {
			args->chart = value;
			args->format = code == OPT_DOT ? TRACE_DOT : TRACE_SVG;
		}
	}
	operands = kfp_opt_operands(&parser, &nr);
	if (nr > 1) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", who, operands[1]);
		return -1;
	}
	args->path = nr ? operands[0] : NULL;
	if (!args->path || !args->variant || !args->schedule) {
		fprintf(stderr, "%s: needs PATH --variant NAME --schedule STRING\n", who);
		return -1;
	}
	return 0;
}

static int command_replay(int argc, char **argv)
{
	struct replay_args args = { .format = TRACE_SVG };
	struct kfp_scenario *scenario;
	static struct cli cli;
	int ret;

	cli_init(&cli);
	ret = parse_replay_options(&cli, &args, argc, argv);
	if (ret)
		return ret > 0 ? EXIT_MET : EXIT_USAGE;
	scenario = load(args.path);
	if (!scenario)
		return EXIT_USAGE;
	scenario->inject |= cli.inject;
	ret = kfp_scenario_replay(scenario, args.design, args.schedule, &cli.options, stdout, NULL);
	if (ret >= 0 && args.chart &&
	    write_chart(args.chart, args.format, scenario, args.design, args.schedule,
			&cli.options))
		ret = -EIO;
	free(scenario);
	if (ret == -EINVAL || ret == -ERANGE) {
		fprintf(stderr, "%s replay: schedule '%s' does not fit %s%s\n", program_name,
			args.schedule, args.path,
			ret == -ERANGE ? ": more preemptions than --preemption-bound" : "");
		return EXIT_USAGE;
	}
	if (ret < 0)
		return EXIT_INTERNAL;
	/* 1: the execution broke a property the design does not accept */
	return ret ? EXIT_FAILED : EXIT_MET;
}

/* Everything kfp list shows. */
static int list_everything(void)
{
	static struct kfp_scenario *scenarios[KFP_CLI_MAX_FILES];
	static struct cli cli;
	int status = EXIT_MET;
	unsigned int i;

	printf("variants:\n");
	for (i = 0; i < kfp_nr_designs; i++)
		printf("  %-10s %-14s %s\n", kfp_designs[i]->name, kfp_designs[i]->renders,
		       kfp_designs[i]->summary);
	printf("injections (kfp check --inject NAME, or param inject NAME in a scenario):\n");
	for (i = 0; i < kvm_nr_injections; i++)
		printf("  %-24s %s\n", kvm_injections[i].name, kvm_injections[i].description);
	printf("operations (vcpu: in a vCPU thread; host: in a host thread or setup):\n");
	kfp_scenario_print_ops(stdout, false);
	cli_init(&cli);
	if (kfp_cli_add_path(&cli.files, kfp_cli_library_path()))
		return EXIT_USAGE;
	kfp_cli_sort_files(&cli.files);
	printf("scenarios (%s):\n", kfp_cli_library_path());
	for (i = 0; i < cli.files.nr && !status; i++) {
		scenarios[i] = load(cli.files.path[i]);
		if (!scenarios[i])
			status = EXIT_USAGE;
		else
			printf("  %-40s %s\n", scenarios[i]->name, cli.files.path[i]);
	}
	if (!status)
		kfp_cli_warn_duplicates(scenarios, cli.files.nr);
	for (i = 0; i < cli.files.nr; i++)
		free(scenarios[i]);
	return status;
}

/* kfp list [--markdown] */
static int command_list(int argc, char **argv)
{
	struct kfp_opt_parser parser = {
		.who = "kfp list",
		.argc = argc,
		.argv = argv,
		.options = list_options,
		.short_options = "h",
	};
	bool markdown = false;
	const char *value;
	int code, nr;

	while ((code = kfp_opt_next(&parser, &value)) != -1) {
		if (code == '?')
			return EXIT_USAGE;
		if (code == KFP_OPT_HELP) {
			list_usage(stdout);
			return EXIT_MET;
		}
		markdown = true;
	}
	argv = kfp_opt_operands(&parser, &nr);
	if (nr) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", parser.who, argv[0]);
		return EXIT_USAGE;
	}
	return markdown ? kfp_list_markdown() : list_everything();
}

/* Output that could not be written is an error: exit 4, never 0. */
static int finish_output(int status)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write the output: %s\n", program_name,
			strerror(errno ? errno : EIO));
		return EXIT_INTERNAL;
	}
	return status;
}

/* The command named in argv[1]; each parses its own options (argv[0]: its name). */
static int run_command(int argc, char **argv)
{
	if (argc < 2)
		return command_matrix(argc, argv);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("kfp %s\n", KFP_VERSION);
		return EXIT_MET;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_MET;
	}
	if (argv[1][0] == '-')
		return command_matrix(argc, argv);
	if (!strcmp(argv[1], "check"))
		return command_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return command_replay(argc - 1, argv + 1);
	if (!strcmp(argv[1], "merge"))
		return kfp_merge_command(program_name, argc - 1, argv + 1);
	if (!strcmp(argv[1], "hunt"))
		return kfp_hunt_command(program_name, argc - 1, argv + 1);
	if (!strcmp(argv[1], "diff"))
		return kfp_diff_command(program_name, argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return command_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return command_list(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", program_name, argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* --kernel-tree DIR, any command: one more design (tree/load.c) */
	ret = kfp_kernel_tree_option(&argc, argv, program_name);
	if (ret)
		return ret;
	return finish_output(run_command(argc, argv));
}
