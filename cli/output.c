// SPDX-License-Identifier: GPL-2.0
/*
 * What kfp check and kfp merge print alike: a cell's verdict as text, and
 * the JSON pieces both emit.  One place, so that a merged verdict reads
 * exactly as the verdict of the whole search would.
 */
#include <stdio.h>

#include "cli.h"

void kfp_cli_verdict_text(const u64 *violations, const u64 *accepted, char *out, size_t size)
{
	size_t len = 0;
	unsigned int p;

	out[0] = '\0';
	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		if (violations[p])
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " " : "",
						kfp_property_name(p));
	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		if (accepted[p] && !violations[p])
			len += (size_t)snprintf(out + len, size - len, "%s%s accepted",
						len ? ", " : "", kfp_property_name(p));
	if (!len)
		snprintf(out, size, "safe");
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
