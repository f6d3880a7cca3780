// SPDX-License-Identifier: GPL-2.0
/*
 * kfp diff A B [options] PATH...: what a design change changes.
 *
 * Every scenario is searched under side A and side B, each a design
 * variant with optional injections ("upstream", "upstream+gpc-no-retry",
 * "v9+zero-page-reserved+gpc-double-put").  Only what differs is printed:
 *
 *   - the verdict (the properties violated, and those only accepted);
 *   - per named result, the set of (outcome, value) pairs it ended with
 *     over the whole search: what one side can give and the other cannot.
 *
 * Each difference comes with the replay command of the execution that
 * shows it, on the side that has it: among the executions the search ran,
 * the one with the fewest preemptions (scenario/run.c collects them).  A
 * value the other side never gives has no execution there; its replay is
 * the other side's fewest-preemption execution of the same result.
 *
 * The two sides of a scenario are searched at once, each on its own OS
 * thread (the explorer and the world are per thread); the output is in
 * file order and the same whatever the scheduling.
 *
 * --price adds, for every scenario and side, what the search explored and
 * what keeping translations fresh cost per execution (kvm->stats: the
 * invalidations KVM ran, the translations they marked invalid, the
 * re-validations and refreshes of gpcs and mappings, the lock acquisitions
 * on their access path): docs/proposal.md's price table.
 *
 * Exit: 0 nothing differs, 1 something does, 2 usage or input error, 3 a
 * bound stopped a search (what it did not explore may differ), 4 internal.
 */
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "options.h"

#define DIFF_MAX_INJECTIONS 8

enum {
	DIFF_SAME = 0,
	DIFF_DIFFERS = 1,
	DIFF_USAGE = 2,
	DIFF_BOUND = 3,
	DIFF_INTERNAL = 4,
};

/* One side of the comparison: a design and what is injected into it. */
struct diff_side {
	char label[128]; /* as the user wrote it */
	unsigned int design;
	unsigned int inject;
};

struct diff {
	const char *program_name;
	struct diff_side side[2];
	struct kfp_explore_options options;
	unsigned int inject; /* --inject: both sides */
	bool json;
	bool price; /* --price: what each side's searches cost, per scenario */
	struct kfp_cli_files files;
	char *price_lines; /* the price table, printed after the differences */
	size_t price_size;
	FILE *price_out;
	unsigned int differ, bounded;
	bool json_first;
};

/* ---- arguments ----------------------------------------------------------- */

/* "design[+injection]...": 0, or -1 with a message. */
static int parse_side(const struct diff *diff, const char *text, struct diff_side *side)
{
	char copy[sizeof(side->label)], *name, *save = NULL;
	int d;

	if (strlen(text) >= sizeof(copy)) {
		fprintf(stderr, "%s diff: side too long: '%s'\n", diff->program_name, text);
		return -1;
	}
	snprintf(side->label, sizeof(side->label), "%s", text);
	snprintf(copy, sizeof(copy), "%s", text);
	name = strtok_r(copy, "+", &save);
	d = name ? kfp_design_index(name) : -1;
	if (d < 0) {
		fprintf(stderr, "%s diff: unknown variant in '%s' (kfp list shows them)\n",
			diff->program_name, text);
		return -1;
	}
	side->design = (unsigned int)d;
	side->inject = 0;
	while ((name = strtok_r(NULL, "+", &save))) {
		const struct kvm_injection_info *info = kvm_injection_by_name(name);

		if (!info) {
			fprintf(stderr, "%s diff: unknown injection '%s' in '%s'\n",
				diff->program_name, name, text);
			return -1;
		}
		side->inject |= info->bit;
	}
	return 0;
}

enum { OPT_PRICE = KFP_OPT_COMMAND };

static const struct option diff_options[] = {
	KFP_OPT_FLAG("help", KFP_OPT_HELP),
	KFP_OPT_FLAG("json", KFP_OPT_JSON),
	KFP_OPT_FLAG("price", OPT_PRICE),
	KFP_OPT_EXECUTION_OPTIONS,
	KFP_OPT_SEARCH_OPTIONS,
	KFP_OPT_END,
};

static void diff_usage(FILE *out, const char *program_name)
{
	fprintf(out,
		"usage: %s diff [options] A B PATH...   A, B: VARIANT[+INJECTION]...\n"
		"What changes from one design (with injections) to another: each scenario\n"
		"under PATH searched under both sides, its verdicts and op outcomes compared.\n"
		"\n"
		"  --json                    one JSON object on stdout\n"
		"  --price                   what each side's searches cost, per scenario\n"
		"  --inject NAME             put old code back on both sides\n"
		"  --search stateful|stateful-unreduced|dpor  (default stateful)\n"
		"  --max-executions N, --max-states N, --max-steps N, --preemption-bound N,\n"
		"  --timeout SECONDS\n"
		"                            bound each search, as for kfp check\n"
		"  --help, -h                this text\n"
		"exit: 0 the same, 1 they differ, 2 usage or input error, 3 a bound stopped a\n"
		"      search, 4 internal error\n",
		program_name);
}

/* 0 to go on, 1 after --help, -1 after saying what is wrong. */
static int parse_args(struct diff *diff, int argc, char **argv)
{
	struct kfp_opt_parser parser = {
		.who = "kfp diff",
		.argc = argc,
		.argv = argv,
		.options = diff_options,
		.short_options = "h",
	};
	const char *value;
	int code, i, nr;

	while ((code = kfp_opt_next(&parser, &value)) != -1) {
		if (code == KFP_OPT_HELP) {
			diff_usage(stdout, diff->program_name);
			return 1;
		} else if (code == KFP_OPT_JSON) {
			diff->json = true;
		} else if (code == OPT_PRICE) {
			diff->price = true;
		} else if (kfp_opt_execution(parser.who, code, value, &diff->options,
					     &diff->inject) <= 0) {
			return -1;
		}
	}
	argv = kfp_opt_operands(&parser, &nr);
	if (nr < 3) {
		fprintf(stderr,
			"%s diff: needs A B PATH... (e.g. kfp diff upstream proposal "
			"scenarios)\n",
			diff->program_name);
		return -1;
	}
	for (i = 0; i < nr; i++) {
		if (i < 2 && parse_side(diff, argv[i], &diff->side[i]))
			return -1;
		if (i >= 2 && kfp_cli_add_path(&diff->files, argv[i]))
			return -1;
	}
	kfp_cli_sort_files(&diff->files);
	return 0;
}

/* ---- output pieces ----------------------------------------------------------- */

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

/* kfp replay of @schedule on @side, with every option that shaped it (as kfp check prints). */
static char *replay_string(const struct diff *diff, const char *path, const struct diff_side *side,
			   const char *schedule)
{
	unsigned int i, inject = side->inject | diff->inject;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (!out)
		return NULL;
	fprintf(out, "%s replay ", diff->program_name);
	shell_word(out, path);
	if (kfp_designs[side->design]->kernel_tree) {
		fprintf(out, " --kernel-tree ");
		shell_word(out, kfp_designs[side->design]->kernel_tree);
	}
	fprintf(out, " --variant %s", kfp_designs[side->design]->name);
	for (i = 0; i < kvm_nr_injections; i++)
		if (inject & kvm_injections[i].bit)
			fprintf(out, " --inject %s", kvm_injections[i].name);
	if (diff->options.max_steps)
		fprintf(out, " --max-steps %u", diff->options.max_steps);
	if (diff->options.preemption_bound >= 0)
		fprintf(out, " --preemption-bound %d", diff->options.preemption_bound);
	fprintf(out, " --schedule %s", schedule);
	if (fclose(out)) {
		free(text);
		return NULL;
	}
	return text;
}

static void example_text(const struct kfp_seen_example *example, char *out, size_t size)
{
	if (example->outcome == KFP_OUTCOME_OK)
		snprintf(out, size, "ok %#llx", (unsigned long long)example->value);
	else
		snprintf(out, size, "%s", kfp_outcome_name((enum kfp_outcome)example->outcome));
}

static void result_label(const struct kfp_scenario *scenario, unsigned int r, char *buf,
			 size_t size)
{
	const struct kfp_scenario_result *result = &scenario->result[r];

	snprintf(buf, size, "%s.%s", scenario->thread[result->thread].name, result->name);
}

/* ---- one scenario --------------------------------------------------------- */

struct side_job {
	struct kfp_scenario scenario;
	const struct kfp_explore_options *options;
	struct kfp_scenario_run run;
	unsigned int design;
	int ret;
};

static void *side_worker(void *arg)
{
	struct side_job *job = arg;

	job->ret = kfp_scenario_run(&job->scenario, job->design, job->options, &job->run);
	return NULL;
}

/* Is @example among @seen's for result @r? */
static bool seen_has(const struct kfp_scenario_seen *seen, unsigned int r,
		     const struct kfp_seen_example *example)
{
	unsigned int i;

	for (i = 0; i < seen->nr[r]; i++)
		if (seen->result[r][i].outcome == example->outcome &&
		    seen->result[r][i].value == example->value)
			return true;
	return false;
}

/* The fewest-preemption execution of result @r on a side: whatever it ended with. */
static const struct kfp_seen_example *seen_shortest(const struct kfp_scenario_seen *seen,
						    unsigned int r)
{
	const struct kfp_seen_example *best = NULL;
	unsigned int i;

	for (i = 0; i < seen->nr[r]; i++)
		if (seen->result[r][i].schedule &&
		    (!best || seen->result[r][i].preemptions < best->preemptions))
			best = &seen->result[r][i];
	return best;
}

struct scenario_diff {
	const struct diff *diff;
	const char *path;
	const struct kfp_scenario *scenario;
	const struct kfp_scenario_run *run[2];
	unsigned int count;
};

static void print_header(struct scenario_diff *sd)
{
	if (sd->count++ || sd->diff->json)
		return;
	printf("%s (%s)\n", sd->scenario->name, sd->path);
}

static void json_begin(struct scenario_diff *sd)
{
	struct diff *diff = (struct diff *)sd->diff;

	if (sd->count++)
		return;
	printf("%s{\"path\":", diff->json_first ? "" : ",");
	diff->json_first = false;
	kfp_cli_json_string(sd->path);
	printf(",\"scenario\":");
	kfp_cli_json_string(sd->scenario->name);
	printf(",\"differences\":[");
}

/* "  label: kfp replay ..." or its JSON member; nothing when there is no schedule. */
static void print_replay(const struct scenario_diff *sd, unsigned int s, const char *schedule,
			 unsigned int preemptions, bool json_comma)
{
	const struct diff *diff = sd->diff;
	char *command;

	if (!schedule) {
		if (!diff->json)
			printf("      %s: no execution\n", diff->side[s].label);
		return;
	}
	command = replay_string(diff, sd->path, &diff->side[s], schedule);
	if (diff->json) {
		printf("%s\"%s\":{\"preemptions\":%u,\"replay\":", json_comma ? "," : "",
		       s ? "b" : "a", preemptions);
		kfp_cli_json_string(command ? command : "");
		printf("}");
	} else {
		printf("      %s (%u preemptions): %s\n", diff->side[s].label, preemptions,
		       command ? command : "(out of memory)");
	}
	free(command);
}

/* The verdicts: per property, violated / accepted / neither on each side. */
static void diff_verdict(struct scenario_diff *sd)
{
	static const char *const finding_names[] = {
		[KFP_FOUND_NOTHING] = "never",
		[KFP_FOUND_VIOLATED] = "violated",
		[KFP_FOUND_ACCEPTED] = "accepted",
	};
	const struct kfp_found *found[2] = { &sd->run[0]->found, &sd->run[1]->found };
	char text[2][96];
	unsigned int p, s;

	kfp_found_text(found[0], text[0], sizeof(text[0]));
	kfp_found_text(found[1], text[1], sizeof(text[1]));
	if (!strcmp(text[0], text[1]))
		return;
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		const struct kfp_scenario_seen *seen[2] = { sd->run[0]->seen, sd->run[1]->seen };
		enum kfp_finding finding[2] = { kfp_found_property(found[0], p),
						kfp_found_property(found[1], p) };
		bool v[2], acc[2];
		const char *what[2];

		if (finding[0] == finding[1])
			continue;
		for (s = 0; s < 2; s++) {
			v[s] = finding[s] == KFP_FOUND_VIOLATED;
			acc[s] = finding[s] == KFP_FOUND_ACCEPTED;
			what[s] = finding_names[finding[s]];
		}
		if (sd->diff->json) {
			json_begin(sd);
			printf("%s{\"kind\":\"verdict\",\"property\":\"%s\",\"a_is\":\"%s\","
			       "\"b_is\":\"%s\"",
			       sd->count > 1 ? "," : "", kfp_property_name(p), what[0], what[1]);
		} else {
			print_header(sd);
			printf("  %s: %s %s, %s %s\n", kfp_property_name(p),
			       sd->diff->side[0].label, what[0], sd->diff->side[1].label, what[1]);
		}
		for (s = 0; s < 2; s++) {
			const struct kfp_seen_example *example = !seen[s] ? NULL :
								 v[s]	  ? &seen[s]->violation[p] :
								 acc[s]	  ? &seen[s]->accepted[p] :
									    NULL;

			if (example && example->schedule)
				print_replay(sd, s, example->schedule, example->preemptions, true);
			else if (!sd->diff->json)
				printf("      %s: no execution\n", sd->diff->side[s].label);
		}
		if (sd->diff->json)
			printf("}");
	}
}

/* The examples of result @r that side @s has and the other does not. */
static void diff_result_side(struct scenario_diff *sd, unsigned int r, unsigned int s)
{
	const struct kfp_scenario_seen *mine = sd->run[s]->seen, *other = sd->run[!s]->seen;
	const struct kfp_seen_example *instead = seen_shortest(other, r);
	char label[2 * KFP_NAME_LEN + 2], text[64], instead_text[64];
	unsigned int i;

	result_label(sd->scenario, r, label, sizeof(label));
	for (i = 0; i < mine->nr[r]; i++) {
		const struct kfp_seen_example *example = &mine->result[r][i];

		if (seen_has(other, r, example))
			continue;
		example_text(example, text, sizeof(text));
		if (sd->diff->json) {
			json_begin(sd);
			printf("%s{\"kind\":\"result\",\"result\":", sd->count > 1 ? "," : "");
			kfp_cli_json_string(label);
			printf(",\"only\":\"%s\",\"value\":", s ? "b" : "a");
			kfp_cli_json_string(text);
		} else {
			print_header(sd);
			printf("  %s = %s: only %s\n", label, text, sd->diff->side[s].label);
		}
		print_replay(sd, s, example->schedule, example->preemptions, true);
		if (instead) {
			example_text(instead, instead_text, sizeof(instead_text));
			if (!sd->diff->json)
				printf("      %s gives %s instead:\n", sd->diff->side[!s].label,
				       instead_text);
			print_replay(sd, !s, instead->schedule, instead->preemptions, true);
		}
		if (sd->diff->json)
			printf("}");
	}
	if (mine->overflow[r] && !sd->diff->json)
		printf("  %s: more than %d values on %s, the rest not compared\n", label,
		       KFP_SCENARIO_MAX_SEEN, sd->diff->side[s].label);
}

static void diff_results(struct scenario_diff *sd)
{
	unsigned int r, s;

	for (r = 0; r < sd->scenario->nr_results; r++)
		for (s = 0; s < 2; s++)
			diff_result_side(sd, r, s);
}

/*
 * --price: per side, the states (or executions) the search explored and,
 * per execution, the most and the mean of each kvm->stats counter.
 */
static void price_row(struct diff *diff, const char *path, const struct kfp_scenario *scenario,
		      unsigned int s, const struct kfp_scenario_run *run)
{
	const struct kfp_scenario_price *price = &run->price;
	u64 explored = run->explore.stateful ? run->explore.states : run->explore.executions;
	FILE *out = diff->price_out;
	unsigned int i;

	if (!out)
		return;
	if (diff->json) {
		fprintf(out, "%s{\"path\":\"%s\",\"side\":\"%s\",\"explored\":%llu,\"ended\":%llu",
			ftell(out) ? "," : "", path, s ? "b" : "a", (unsigned long long)explored,
			(unsigned long long)price->ended);
		for (i = 0; i < KFP_NR_PRICES; i++)
			fprintf(out, ",\"%s\":{\"max\":%llu,\"sum\":%llu}", kfp_price_names[i],
				(unsigned long long)price->max[i],
				(unsigned long long)price->sum[i]);
		fputc('}', out);
		return;
	}
	fprintf(out, "%-40s %-10s %9llu", s ? "" : scenario->name, diff->side[s].label,
		(unsigned long long)explored);
	for (i = 0; i < KFP_NR_PRICES; i++)
		fprintf(out, "  %5llu %6.2f", (unsigned long long)price->max[i],
			price->ended ? (double)price->sum[i] / (double)price->ended : 0.0);
	fputc('\n', out);
}

static void price_header(void)
{
	unsigned int i;

	printf("\nprice (explored: states, or executions with --search dpor; per counter the most "
	       "in one execution and the mean over the %s)\n",
	       "executions the search ended");
	printf("%-40s %-10s %9s", "scenario", "side", "explored");
	for (i = 0; i < KFP_NR_PRICES; i++)
		printf("  %13s", kfp_price_names[i]);
	printf("\n");
}

static bool run_bounded(const struct kfp_scenario_run *run)
{
	return !run->explore.complete || run->explore.step_bound_hits;
}

/* Search @path on both sides and print what differs; -1 when it cannot be run. */
static int diff_one(struct diff *diff, const char *path)
{
	static struct side_job job[2];
	struct scenario_diff sd = { .diff = diff, .path = path };
	char error[KFP_ERROR_LEN];
	pthread_t thread;
	unsigned int s;
	int ret = 0;

	if (kfp_scenario_load(path, &job[0].scenario, error, sizeof(error))) {
		fprintf(stderr, "%s\n", error);
		return -1;
	}
	job[1].scenario = job[0].scenario;
	for (s = 0; s < 2; s++) {
		job[s].scenario.inject |= diff->side[s].inject | diff->inject;
		job[s].design = diff->side[s].design;
		job[s].options = &diff->options;
	}
	if (pthread_create(&thread, NULL, side_worker, &job[1]))
		side_worker(&job[1]);
	else
		ret = 1;
	side_worker(&job[0]);
	if (ret)
		pthread_join(thread, NULL);
	for (s = 0; s < 2; s++) {
		if (job[s].ret || !job[s].run.seen) {
			fprintf(stderr, "%s\n", job[s].ret ? job[s].run.error : "out of memory");
			return -1;
		}
	}
	if (run_bounded(&job[0].run) || run_bounded(&job[1].run))
		diff->bounded++;
	sd.scenario = &job[0].scenario;
	sd.run[0] = &job[0].run;
	sd.run[1] = &job[1].run;
	diff_verdict(&sd);
	diff_results(&sd);
	for (s = 0; s < 2; s++)
		price_row(diff, path, &job[0].scenario, s, &job[s].run);
	if (sd.count)
		diff->differ++;
	if (sd.count && diff->json)
		printf("]}");
	return 0;
}

int kfp_diff_command(const char *program_name, int argc, char **argv)
{
	static struct diff diff;
	unsigned int i;
	int status = DIFF_SAME;

	memset(&diff, 0, sizeof(diff));
	diff.program_name = program_name;
	diff.options.preemption_bound = -1;
	diff.options.stateful = true;
	diff.options.minimize = true;
	diff.json_first = true;
	status = parse_args(&diff, argc, argv);
	if (status)
		return status > 0 ? DIFF_SAME : DIFF_USAGE;
	if (diff.price) {
		diff.price_out = open_memstream(&diff.price_lines, &diff.price_size);
		if (!diff.price_out)
			return DIFF_INTERNAL;
	}
	if (diff.json) {
		printf("{\"a\":");
		kfp_cli_json_string(diff.side[0].label);
		printf(",\"b\":");
		kfp_cli_json_string(diff.side[1].label);
		printf(",\"results\":[");
	}
	for (i = 0; i < diff.files.nr && status != DIFF_USAGE; i++)
		if (diff_one(&diff, diff.files.path[i]))
			status = DIFF_USAGE;
	if (diff.price_out)
		fclose(diff.price_out);
	if (diff.json && diff.price)
		printf("],\"price\":[%s", diff.price_lines ? diff.price_lines : "");
	if (diff.json)
		printf("],\"summary\":{\"scenarios\":%u,\"differ\":%u,\"bounded\":%u,"
		       "\"error\":%s}}\n",
		       diff.files.nr, diff.differ, diff.bounded,
		       status == DIFF_USAGE ? "true" : "false");
	else if (status != DIFF_USAGE)
		printf("%s vs %s: %u scenarios, %u differ%s\n", diff.side[0].label,
		       diff.side[1].label, diff.files.nr, diff.differ,
		       diff.bounded ? ", some searches bounded" : "");
	if (!diff.json && diff.price && status != DIFF_USAGE) {
		price_header();
		fputs(diff.price_lines ? diff.price_lines : "", stdout);
	}
	free(diff.price_lines);
	for (i = 0; i < diff.files.nr; i++)
		free(diff.files.path[i]);
	if (status == DIFF_USAGE)
		return status;
	return diff.differ ? DIFF_DIFFERS : diff.bounded ? DIFF_BOUND : DIFF_SAME;
}
