// SPDX-License-Identifier: GPL-2.0
/*
 * The option layer of every kfp command (cli/options.h): getopt_long with
 * our own messages, and value parsers that refuse what strtoull() and
 * strtod() would quietly take (a sign, a wrapped negative, an overflow,
 * NaN, trailing text).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

/* ---- getopt_long ----------------------------------------------------------- */

/* The table entry of a long option as written ("--name" or "--name=value"). */
static const struct option *long_option(const struct kfp_opt_parser *parser, const char *word)
{
	const struct option *o;
	size_t len;

	if (strncmp(word, "--", 2))
		return NULL;
	word += 2;
	len = strcspn(word, "=");
	for (o = parser->options; o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, word, len))
			return o;
	return NULL;
}

/* How many long options start with what @word ("--tra") names. */
static unsigned int matches(const struct kfp_opt_parser *parser, const char *word)
{
	size_t len = strcspn(word + 2, "=");
	const struct option *o;
	unsigned int n = 0;

	for (o = parser->options; o->name; o++)
		n += !strncmp(o->name, word + 2, len);
	return n;
}

/* Say why the option getopt_long refused (@code '?' or ':') is wrong. */
static void option_error(const struct kfp_opt_parser *parser, int code)
{
	const char *word = optind > 0 && optind <= parser->argc ? parser->argv[optind - 1] : "";
	char shown[3] = { '-', (char)optopt, '\0' };
	const struct option *o = long_option(parser, word);

	/* a short option's error leaves optind on its word only when it ends it */
	if (strncmp(word, "--", 2))
		word = optopt ? shown : word;
	if (code == ':')
		fprintf(stderr, "%s: option '%s' needs a value\n", parser->who, word);
	else if (o && strchr(word, '='))
		fprintf(stderr, "%s: option '--%s' takes no value\n", parser->who, o->name);
	else if (!strncmp(word, "--", 2) && !o && matches(parser, word) > 1)
		fprintf(stderr, "%s: ambiguous option '%s': it begins %u options\n", parser->who,
			word, matches(parser, word));
	else
		fprintf(stderr, "%s: unknown option '%s'\n", parser->who, word);
	fprintf(stderr, "%s: '%s --help' lists the options\n", parser->who, parser->who);
}

/* getopt_long, restarted for each command, our messages instead of its own. */
int kfp_opt_next(struct kfp_opt_parser *parser, const char **value)
{
	char short_options[64];
	int code;

	snprintf(short_options, sizeof(short_options), ":%s", parser->short_options);
	if (!parser->started) {
		optind = 0; /* glibc: start over, as for a new argument vector */
		parser->started = true;
	}
	opterr = 0;
	code = getopt_long(parser->argc, parser->argv, short_options, parser->options, NULL);
	*value = optarg;
	if (code == '?' || code == ':') {
		option_error(parser, code);
		return '?';
	}
	return code;
}

char **kfp_opt_operands(const struct kfp_opt_parser *parser, int *argc)
{
	int first = optind < parser->argc ? optind : parser->argc;

	*argc = parser->argc - first;
	return parser->argv + first;
}

/* ---- numbers ------------------------------------------------------------------ */

/* Why @text is not a whole number, or NULL when it is one (in *@value). */
static const char *whole_number(const char *text, u64 *value)
{
	char *end;

	if (!*text)
		return "is empty";
	if (*text == '-')
		return "is negative";
	if (!isdigit((unsigned char)*text))
		return "is not a number";
	errno = 0;
	*value = strtoull(text, &end, 0);
	if (errno == ERANGE)
		return "is too large";
	if (*end)
		return "has trailing text";
	return NULL;
}

int kfp_opt_u64(const char *who, const char *name, const char *text, u64 min, u64 max, u64 *value)
{
	const char *why = whole_number(text, value);

	if (!why && *value >= min && *value <= max)
		return 0;
	fprintf(stderr, "%s: %s wants a whole number from %llu to %llu; '%s' %s\n", who, name,
		(unsigned long long)min, (unsigned long long)max, text,
		why ? why : "is out of range");
	return -1;
}

int kfp_opt_uint(const char *who, const char *name, const char *text, unsigned int min,
		 unsigned int max, unsigned int *value)
{
	u64 wide;

	if (kfp_opt_u64(who, name, text, min, max, &wide))
		return -1;
	*value = (unsigned int)wide;
	return 0;
}

int kfp_opt_seconds(const char *who, const char *name, const char *text, bool zero_ok, double max,
		    double *value)
{
	const char *why = NULL;
	char *end;

	errno = 0;
	*value = strtod(text, &end);
	if (!*text || isspace((unsigned char)*text))
		why = "is not a number";
	else if (end == text)
		why = "is not a number";
	else if (*end)
		why = "has trailing text";
	else if (isnan(*value) || isinf(*value))
		why = "is not finite";
	else if (errno == ERANGE)
		why = "is out of range";
	else if (*value < 0 || *text == '-')
		why = "is negative";
	else if ((*value == 0 && !zero_ok) || *value > max)
		why = "is out of range";
	if (!why)
		return 0;
	fprintf(stderr, "%s: %s wants seconds, %s %g; '%s' %s\n", who, name,
		zero_ok ? "from 0 to" : "above 0, at most", max, text, why);
	return -1;
}

int kfp_opt_shard(const char *who, const char *text, unsigned int *index, unsigned int *count)
{
	const char *slash = strchr(text, '/');
	const char *why = NULL;
	char first[32];
	u64 i = 0, n = 0;

	if (!slash || (size_t)(slash - text) >= sizeof(first)) {
		why = "is not I/N";
	} else {
		snprintf(first, sizeof(first), "%.*s", (int)(slash - text), text);
		why = whole_number(first, &i);
		if (!why)
			why = whole_number(slash + 1, &n);
		if (!why && (n < 1 || n > KFP_OPT_MAX_SHARDS))
			why = "has N out of range";
		else if (!why && i >= n)
			why = "has I not below N";
	}
	if (why) {
		fprintf(stderr, "%s: --shard wants I/N with 0 <= I < N <= %d; '%s' %s\n", who,
			KFP_OPT_MAX_SHARDS, text, why);
		return -1;
	}
	*index = (unsigned int)i;
	*count = (unsigned int)n;
	return 0;
}

/* ---- names --------------------------------------------------------------------- */

static u32 all_variants(void)
{
	return (u32)((1ULL << kfp_nr_designs) - 1);
}

int kfp_opt_variants(const char *who, const char *text, u32 *mask)
{
	const char *name = text;
	u32 bits = 0;

	do {
		size_t len = strcspn(name, ",");
		char word[64];
		int d;

		snprintf(word, sizeof(word), "%.*s", (int)len, name);
		d = !strcmp(word, "all") ? -2 : len < sizeof(word) ? kfp_design_index(word) : -1;
		if (d == -1) {
			fprintf(stderr,
				"%s: unknown variant '%s' in --variant %s (kfp list shows them)\n",
				who, word, text);
			return -1;
		}
		bits |= d == -2 ? all_variants() : BIT(d);
		name += len;
	} while (*name++ == ',');
	*mask = bits;
	return 0;
}

int kfp_opt_one_variant(const char *who, const char *text, const char *why, unsigned int *design)
{
	u32 mask;

	if (kfp_opt_variants(who, text, &mask))
		return -1;
	if (__builtin_popcount(mask) != 1) {
		fprintf(stderr,
			"%s: --variant %s names %d variants; %s: name one (kfp list shows them)\n",
			who, text, __builtin_popcount(mask), why);
		return -1;
	}
	*design = (unsigned int)__builtin_ctz(mask);
	return 0;
}

int kfp_opt_inject(const char *who, const char *text, unsigned int *inject)
{
	const struct kvm_injection_info *info = kvm_injection_by_name(text);

	if (!info) {
		fprintf(stderr, "%s: unknown injection '%s' (kfp list shows them)\n", who, text);
		return -1;
	}
	*inject |= info->bit;
	return 0;
}

int kfp_opt_search(const char *who, const char *text, struct kfp_explore_options *options)
{
	if (strcmp(text, "stateful") && strcmp(text, "stateful-sleep-sets") &&
	    strcmp(text, "stateful-unreduced") && strcmp(text, "dpor")) {
		fprintf(stderr,
			"%s: --search wants stateful, stateful-sleep-sets, stateful-unreduced or "
			"dpor, not '%s'\n",
			who, text);
		return -1;
	}
	options->stateful = strcmp(text, "dpor") != 0;
	options->no_sleep_sets = !strcmp(text, "stateful-unreduced");
	options->no_persistent_sets =
		!strcmp(text, "stateful-unreduced") || !strcmp(text, "stateful-sleep-sets");
	return 0;
}

/* ---- the shared execution and search options ---------------------------------- */

int kfp_opt_execution(const char *who, int code, const char *value,
		      struct kfp_explore_options *options, unsigned int *inject)
{
	unsigned int bound;

	switch (code) {
	case KFP_OPT_INJECT:
		return kfp_opt_inject(who, value, inject) ? -1 : 1;
	case KFP_OPT_MAX_STEPS:
		return kfp_opt_uint(who, "--max-steps", value, 1, UINT_MAX, &options->max_steps) ?
			       -1 :
			       1;
	case KFP_OPT_PREEMPTION_BOUND:
		if (kfp_opt_uint(who, "--preemption-bound", value, 0, 999, &bound))
			return -1;
		options->preemption_bound = (int)bound;
		return 1;
	case KFP_OPT_SEARCH:
		return kfp_opt_search(who, value, options) ? -1 : 1;
	case KFP_OPT_MAX_EXECUTIONS:
		return kfp_opt_u64(who, "--max-executions", value, 0, UINT64_MAX,
				   &options->max_executions) ?
			       -1 :
			       1;
	case KFP_OPT_MAX_STATES:
		return kfp_opt_u64(who, "--max-states", value, 0, UINT64_MAX,
				   &options->max_states) ?
			       -1 :
			       1;
	case KFP_OPT_TIMEOUT:
		return kfp_opt_seconds(who, "--timeout", value, false, 1e9,
				       &options->timeout_seconds) ?
			       -1 :
			       1;
	}
	return 0;
}
