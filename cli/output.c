// SPDX-License-Identifier: GPL-2.0
/*
 * What kfp check and kfp merge print alike: a cell's judgement as text
 * (scenario/verdict.c judges it), and the JSON pieces both emit.  One
 * place, so that a merged verdict reads exactly as the verdict of the
 * whole search would.
 */
#include <stdio.h>

#include "cli.h"

const char *kfp_cli_status_text(const struct kfp_found *found, enum kfp_cell_status status)
{
	switch (status) {
	case KFP_CELL_MET:
		return "expectations met";
	case KFP_CELL_UNDECIDED:
		return kfp_cell_partial(found, status) ? "partial: kfp merge the shards" :
							 "undecided: a bound stopped the search";
	case KFP_CELL_UNCHECKED:
		return "unchecked: no expectation for this variant";
	default:
		return "EXPECTATION FAILED";
	}
}

/* Every markup character escaped, and the control characters XML 1.0 refuses blanked. */
void kfp_cli_xml_text(FILE *out, const char *text)
{
	for (; *text; text++) {
		unsigned char c = (unsigned char)*text;

		if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (c == '&')
			fputs("&amp;", out);
		else if (c == '"')
			fputs("&quot;", out);
		else if (c < 0x20 && c != '\n' && c != '\t')
			fputc(' ', out); /* not a character XML 1.0 allows */
		else
			fputc(c, out);
	}
}

void kfp_cli_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* The names of the properties whose count is not zero: ["P1","P3"]. */
void kfp_cli_json_properties(const u64 *counts)
{
	bool first = true;
	unsigned int p;

	putchar('[');
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		if (!counts[p])
			continue;
		if (!first)
			putchar(',');
		kfp_cli_json_string(kfp_property_name(p));
		first = false;
	}
	putchar(']');
}
