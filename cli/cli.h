/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kfp command's files share: the shard JSON that kfp check
 * --shard writes and kfp merge (cli/merge.c) reads back, and the output
 * both print (cli/output.c).
 */
#ifndef KFP_CLI_H
#define KFP_CLI_H

#include <stdio.h>

#include <kfp/scenario.h>

/* cli/output.c: a cell's status as the text lines say it ("expectations met"), and JSON pieces. */
const char *kfp_cli_status_text(const struct kfp_found *found, enum kfp_cell_status status);
void kfp_cli_json_string(const char *s);
/* @text as XML character data or attribute value (JUnit, the report page) */
void kfp_cli_xml_text(FILE *out, const char *text);
void kfp_cli_json_properties(const u64 *counts);

/* The expectation kinds as the shard JSON names them. */
const char *kfp_merge_kind_name(unsigned int kind);

/*
 * The options that shape a search (not those that only stop it early):
 * shards of one search carry the same key.
 */
void kfp_merge_search_key(const struct kfp_explore_options *options, unsigned int inject, char *out,
			  size_t size);

/* cli/files.c: the scenario files of a command line, sorted by path. */
#define KFP_CLI_MAX_FILES 256

struct kfp_cli_files {
	char *path[KFP_CLI_MAX_FILES];
	unsigned int nr;
};

int kfp_cli_add_path(struct kfp_cli_files *files, const char *path);
void kfp_cli_sort_files(struct kfp_cli_files *files);
/* A warning for each scenario name that an earlier file already defines. */
void kfp_cli_warn_duplicates(struct kfp_scenario *const *scenarios, unsigned int nr);
/* The bundled scenarios: installed, in the source tree, or ./scenarios. */
const char *kfp_cli_library_path(void);

/* kfp list --markdown: the designs and injections as Markdown (cli/list.c). */
int kfp_list_markdown(void);

/*
 * The commands in their own files: argv[0] is the command's name ("merge"),
 * its options and operands follow (cli/options.h parses them).
 */

/* kfp merge [--json] FILE...: the verdicts of the whole search from its shards. */
int kfp_merge_command(const char *program_name, int argc, char **argv);

/* cli/matrix.c: one cell of the matrix, as judged */
enum kfp_matrix_mark {
	KFP_MATRIX_MET, /* every expectation met */
	KFP_MATRIX_FAILED, /* an expectation failed */
	KFP_MATRIX_UNDECIDED, /* a bound stopped the search before its verdict */
	KFP_MATRIX_UNCHECKED, /* no expectation names the variant */
};

struct kfp_matrix_cell {
	bool searched;
	u8 violated, accepted; /* bit per enum kfp_property */
	u8 mark; /* enum kfp_matrix_mark */
};

/* The matrix's cell of a cell that scenario/verdict.c judged. */
void kfp_matrix_cell_of(const struct kfp_found *found, enum kfp_cell_status status,
			struct kfp_matrix_cell *cell);
/* The cell as the matrix prints it, at most 10 characters ("P2a", "P2 P3!"). */
void kfp_matrix_cell_text(const struct kfp_matrix_cell *cell, char *out, size_t size);
/* The matrix of @nr scenarios, grouped by injection, within 100 columns, and its legend. */
void kfp_cli_print_matrix(FILE *out, struct kfp_scenario *const *scenarios, unsigned int nr,
			  struct kfp_matrix_cell (*cells)[KFP_MAX_DESIGNS], u32 design_mask);

/*
 * cli/progress.c: a progress line on stderr while cells are searched; the
 * explorer's callback (kfp_progress_update, @arg a slot) may run on any
 * worker thread.  On a terminal a live line; elsewhere a line every
 * @every seconds (0: none).  Never on stdout.
 */
struct kfp_progress_slot;

void kfp_progress_start(unsigned int nr_cells, double every, bool tty);
struct kfp_progress_slot *kfp_progress_slot(unsigned int index);
void kfp_progress_cell_begin(struct kfp_progress_slot *slot, const char *scenario,
			     const char *design);
void kfp_progress_update(void *slot, const struct kfp_explore_result *result);
void kfp_progress_cell_done(void);
void kfp_progress_clear(void);
void kfp_progress_end(void);

/*
 * A judged cell, as kfp check hands it to an output other than its text
 * (--format ktap|junit in cli/format.c, kfp report in cli/report.c), in
 * file and design order, on the main thread.
 */
struct kfp_cli_cell {
	const char *path;
	unsigned int index; /* the scenario's, among the files */
	const struct kfp_scenario *scenario;
	const struct kfp_scenario_run *run;
	const struct kfp_matrix_cell *matrix; /* its mark is the judgement */
	const struct kfp_explore_options *options;
	u32 inject; /* the command line's --inject */
	/* the kfp replay command of @schedule in this cell, malloc'd (NULL: out of memory) */
	char *(*replay)(const struct kfp_cli_cell *cell, const char *schedule);
	const void *cli;
};

struct kfp_cli_totals {
	unsigned int passed, failed, unchecked, undecided;
	bool interrupted;
	const char *error; /* why the runs stopped, if a cell could not start */
};

/* begin before the first cell, end after the last: 0, or -1 when output failed. */
struct kfp_cli_sink {
	int (*begin)(void *arg, struct kfp_scenario *const *scenarios, unsigned int nr,
		     u32 design_mask, const struct kfp_explore_options *options);
	void (*cell)(void *arg, const struct kfp_cli_cell *cell);
	int (*end)(void *arg, struct kfp_scenario *const *scenarios, unsigned int nr,
		   struct kfp_matrix_cell (*cells)[KFP_MAX_DESIGNS],
		   const struct kfp_cli_totals *totals);
	void *arg;
};

/* cli/format.c: the sink of --format NAME (ktap, junit); NULL for any other name. */
const struct kfp_cli_sink *kfp_cli_format_sink(const char *name);

/*
 * cli/report.c: takes -o DIR and --no-times out of @argv (*@argc shrinks);
 * the sink that writes DIR/index.html, or NULL (said on stderr).
 */
struct kfp_cli_sink *kfp_report_sink(const char *program_name, const char *version, int *argc,
				     char **argv);

/* cli/matrix.c: the legend under the matrix; the heading of an injection set. */
extern const char kfp_matrix_legend[];
void kfp_matrix_group_heading(u32 inject, char *out, size_t size);
/* The next injection set above @after that a scenario uses; 0 when none. */
u32 kfp_matrix_next_injection(struct kfp_scenario *const *scenarios, unsigned int nr, u32 after);

/* kfp diff [--json] A B PATH...: what changes from one design (+injections) to another. */
int kfp_diff_command(const char *program_name, int argc, char **argv);

#endif /* KFP_CLI_H */
