/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The option layer every kfp command shares (cli/options.c): getopt_long
 * over the command's own table, with messages that name the command, and
 * the checked parsers of option values (numbers, seconds, shards,
 * variants, injections, the search).
 *
 * A command lists its options in a struct option table.  The options
 * that shape an execution (--inject, --max-steps, --preemption-bound) and
 * those that shape a search (--search, --max-executions, --timeout) have
 * shared codes and table entries (KFP_OPT_EXECUTION_OPTIONS,
 * KFP_OPT_SEARCH_OPTIONS), handled by kfp_opt_execution().  A command's
 * own options take codes from KFP_OPT_COMMAND up.
 */
#ifndef KFP_CLI_OPTIONS_H
#define KFP_CLI_OPTIONS_H

#include <getopt.h>

#include <kfp/scenario.h>

/* kfp check --shard I/N: N at most this, as kfp merge reads them back */
#define KFP_OPT_MAX_SHARDS 4096

/* The shared options' codes: above every character, below KFP_OPT_COMMAND. */
enum kfp_opt_code {
	KFP_OPT_HELP = 'h',
	KFP_OPT_VARIANT = 0x100,
	KFP_OPT_INJECT,
	KFP_OPT_MAX_STEPS,
	KFP_OPT_PREEMPTION_BOUND,
	KFP_OPT_SEARCH,
	KFP_OPT_MAX_EXECUTIONS,
	KFP_OPT_MAX_STATES,
	KFP_OPT_TIMEOUT,
	KFP_OPT_JSON,
	KFP_OPT_SEED,
	KFP_OPT_COMMAND = 0x200, /* a command's own options from here */
};

/* A struct option table's entries: an option with a value, a flag. */
/* clang-format off */
#define KFP_OPT_VALUE(name, code) { name, required_argument, NULL, code }
#define KFP_OPT_FLAG(name, code) { name, no_argument, NULL, code }
#define KFP_OPT_END { NULL, 0, NULL, 0 }

#define KFP_OPT_EXECUTION_OPTIONS \
	KFP_OPT_VALUE("inject", KFP_OPT_INJECT), \
	KFP_OPT_VALUE("max-steps", KFP_OPT_MAX_STEPS), \
	KFP_OPT_VALUE("preemption-bound", KFP_OPT_PREEMPTION_BOUND)

#define KFP_OPT_SEARCH_OPTIONS \
	KFP_OPT_VALUE("search", KFP_OPT_SEARCH), \
	KFP_OPT_VALUE("max-executions", KFP_OPT_MAX_EXECUTIONS), \
	KFP_OPT_VALUE("max-states", KFP_OPT_MAX_STATES), \
	KFP_OPT_VALUE("timeout", KFP_OPT_TIMEOUT)
/* clang-format on */

/*
 * One command's parse: @who names it in messages ("kfp check"); argv[0]
 * is the command's name, as getopt_long wants.  Options may follow
 * operands (GNU getopt permutes them; "--" ends the options), and long
 * options may be written --name=value or --name value.
 */
struct kfp_opt_parser {
	const char *who;
	int argc;
	char **argv;
	const struct option *options;
	const char *short_options; /* without the leading ':' */
	bool started;
};

/*
 * The next option's code, its value in *@value (NULL when it takes none);
 * -1 when the options end (the operands are argv[optind..argc-1]); '?'
 * after saying on stderr what is wrong (an unknown option, a missing or
 * unwanted value).
 */
int kfp_opt_next(struct kfp_opt_parser *parser, const char **value);

/* The operands after the options: *@argc of them from the result. */
char **kfp_opt_operands(const struct kfp_opt_parser *parser, int *argc);

/*
 * The value parsers: 0, or -1 after saying on stderr, as "WHO: --NAME
 * ...", why @text is not a value.
 */

/* A whole number in [@min, @max]: no sign, no trailing text, no overflow. */
int kfp_opt_u64(const char *who, const char *name, const char *text, u64 min, u64 max, u64 *value);
int kfp_opt_uint(const char *who, const char *name, const char *text, unsigned int min,
		 unsigned int max, unsigned int *value);
/* Seconds: a finite decimal number in [0, @max], above 0 unless @zero_ok. */
int kfp_opt_seconds(const char *who, const char *name, const char *text, bool zero_ok, double max,
		    double *value);
/* --shard I/N: 0 <= I < N <= KFP_OPT_MAX_SHARDS. */
int kfp_opt_shard(const char *who, const char *text, unsigned int *index, unsigned int *count);
/* "all", or variant names separated by commas: their bits. */
int kfp_opt_variants(const char *who, const char *text, u32 *mask);
/* Exactly one variant: its index ("all" or a list is refused, saying @why). */
int kfp_opt_one_variant(const char *who, const char *text, const char *why, unsigned int *design);
/* An injection's name: its bit added to *@inject. */
int kfp_opt_inject(const char *who, const char *text, unsigned int *inject);
/* stateful, stateful-unreduced or dpor. */
int kfp_opt_search(const char *who, const char *text, struct kfp_explore_options *options);

/*
 * The shared execution and search options (@code one of their codes):
 * 1 when taken, 0 when @code is not one of them, -1 after saying why
 * @value is refused.
 */
int kfp_opt_execution(const char *who, int code, const char *value,
		      struct kfp_explore_options *options, unsigned int *inject);

#endif /* KFP_CLI_OPTIONS_H */
