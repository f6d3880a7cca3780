// SPDX-License-Identifier: GPL-2.0
/*
 * The matrix that kfp (make run) and kfp check --matrix print: one row per
 * scenario, one column per design, within 100 columns.
 *
 * A cell is a fixed width, so no verdict can shift its row: the verdict is
 * abbreviated ("P2a" for "P2 accepted", "inv" for an invariant report),
 * then packed ("P123") when the abbreviation does not fit, then cut with a
 * '+'.  A name longer than its column gets a line of its own.  Scenarios
 * that put old, fixed code back (param inject) would read as bugs of the
 * designs; they are grouped under a heading that names the injection, and
 * marked.  A legend explains every abbreviation and mark.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define MATRIX_WIDTH 100
#define CELL_WIDTH 10
#define CELL_GAP 2
#define NAME_MIN 24
#define INJECTED_MARK "* "

void kfp_matrix_cell_of(const struct kfp_found *found, enum kfp_cell_status status,
			struct kfp_matrix_cell *cell)
{
	static const u8 marks[] = {
		[KFP_CELL_MET] = KFP_MATRIX_MET,
		[KFP_CELL_FAILED] = KFP_MATRIX_FAILED,
		[KFP_CELL_UNDECIDED] = KFP_MATRIX_UNDECIDED,
		[KFP_CELL_UNCHECKED] = KFP_MATRIX_UNCHECKED,
	};
	unsigned int p;

	memset(cell, 0, sizeof(*cell));
	cell->searched = true;
	cell->mark = marks[status];
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		enum kfp_finding finding = kfp_found_property(found, p);

		if (finding == KFP_FOUND_VIOLATED)
			cell->violated |= BIT(p);
		else if (finding == KFP_FOUND_ACCEPTED)
			cell->accepted |= BIT(p);
	}
}

/* "P1".."P3", "inv": a property in a cell */
static const char *property_abbrev(unsigned int p)
{
	return p == KFP_PROPERTY_INVARIANT ? "inv" : kfp_property_name(p);
}

/* "P1 P2a inv": every property violated, or accepted and not violated */
static size_t spelled_out(const struct kfp_matrix_cell *cell, char *out, size_t size)
{
	size_t len = 0;
	unsigned int p;

	out[0] = '\0';
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		bool violated = cell->violated & BIT(p);

		if (!violated && !(cell->accepted & BIT(p)))
			continue;
		len += (size_t)snprintf(out + len, size - len, "%s%s%s", len ? " " : "",
					property_abbrev(p), violated ? "" : "a");
	}
	if (!len)
		len = (size_t)snprintf(out, size, "safe");
	return len;
}

/* "P13 P2a inv": the properties of one kind share their 'P' */
static void packed_group(char *out, size_t size, size_t *len, u8 mask, const char *suffix)
{
	bool any = false;
	unsigned int p;

	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		if (!(mask & BIT(p)) || p == KFP_PROPERTY_INVARIANT)
			continue;
		*len += (size_t)snprintf(out + *len, size - *len, "%s%s",
					 any  ? "" :
					 *len ? " P" :
						"P",
					 kfp_property_name(p) + 1);
		any = true;
	}
	if (any)
		*len += (size_t)snprintf(out + *len, size - *len, "%s", suffix);
}

static size_t packed(const struct kfp_matrix_cell *cell, char *out, size_t size)
{
	u8 accepted = cell->accepted & (u8)~cell->violated;
	size_t len = 0;

	out[0] = '\0';
	packed_group(out, size, &len, cell->violated, "");
	packed_group(out, size, &len, accepted, "a");
	if ((cell->violated | accepted) & BIT(KFP_PROPERTY_INVARIANT))
		len += (size_t)snprintf(out + len, size - len, "%sinv%s", len ? " " : "",
					cell->violated & BIT(KFP_PROPERTY_INVARIANT) ? "" : "a");
	return len;
}

static const char *mark_of(const struct kfp_matrix_cell *cell)
{
	static const char *const marks[] = {
		[KFP_MATRIX_MET] = "",
		[KFP_MATRIX_FAILED] = "!",
		[KFP_MATRIX_UNDECIDED] = "~",
		[KFP_MATRIX_UNCHECKED] = "?",
	};

	return marks[cell->mark];
}

/* The cell's text, at most CELL_WIDTH characters: the verdict, then its mark. */
void kfp_matrix_cell_text(const struct kfp_matrix_cell *cell, char *out, size_t size)
{
	const char *mark = mark_of(cell);
	size_t room = CELL_WIDTH - strlen(mark);
	char text[64];
	size_t len;

	if (!cell->searched) {
		snprintf(out, size, "-");
		return;
	}
	len = spelled_out(cell, text, sizeof(text));
	if (len > room)
		len = packed(cell, text, sizeof(text));
	if (len > room) {
		text[room - 1] = '+';
		text[room] = '\0';
	}
	snprintf(out, size, "%s%s", text, mark);
}

const char kfp_matrix_legend[] =
	"legend:\n"
	"  safe      no execution breaks a property\n"
	"  P1        refcount corrupted (violated: the design does not accept it)\n"
	"  P2        KVM touched a freed page (use after free)\n"
	"  P3        KVM used a stale hva->pfn translation\n"
	"  P2a       P2 broken only in ways the design documents as accepted, not violated\n"
	"  inv       a model invariant broke: a bug of the model, not of the design\n"
	"  P13 P2a   a packed cell: P1 and P3 violated, P2 accepted\n"
	"  X!        expectation failed: the scenario expected otherwise (details above)\n"
	"  X?        unchecked: no expectation names the variant; shown, not judged,\n"
	"            not counted as passed\n"
	"  X~        undecided: a bound stopped the search before its verdict\n"
	"  X+        more than the cell holds: kfp check FILE shows the whole verdict\n"
	"  -         not run (the variant was not asked for)\n"
	"  " INJECTED_MARK "NAME    a scenario that puts old, fixed code back (param inject):\n"
	"            its row, under \"old code put back: INJECTION\", shows what that\n"
	"            old code did under each design, not a bug of the design\n";

/* "old code put back: A, B", or the designs' own heading when @inject is 0 */
void kfp_matrix_group_heading(u32 inject, char *out, size_t size)
{
	size_t len;
	unsigned int i;

	if (!inject) {
		snprintf(out, size, "the designs as modelled (no injection):");
		return;
	}
	len = (size_t)snprintf(out, size, "old code put back:");
	for (i = 0; i < kvm_nr_injections && len < size; i++)
		if (inject & kvm_injections[i].bit)
			len += (size_t)snprintf(out + len, size - len, "%s %s",
						len > strlen("old code put back:") ? "," : "",
						kvm_injections[i].name);
}

static void print_injection_heading(FILE *out, u32 inject)
{
	char heading[512];

	kfp_matrix_group_heading(inject, heading, sizeof(heading));
	fprintf(out, "%s\n", heading);
}

/* @line without its trailing blanks, and a newline */
static void put_line(FILE *out, char *line, size_t len)
{
	while (len && line[len - 1] == ' ')
		len--;
	line[len] = '\0';
	fprintf(out, "%s\n", line);
}

/*
 * A design's column: CELL_WIDTH, or its name's length where that is longer
 * (a kernel tree's "tree:6.12.117"), so that the header names it whole.
 */
static int column_width(unsigned int design)
{
	int len = (int)strlen(kfp_designs[design]->name);

	return len > CELL_WIDTH ? len : CELL_WIDTH;
}

/* Cells start after @name_width; a longer name takes a line of its own. */
static void print_row(FILE *out, const char *name, bool injected, int name_width,
		      const struct kfp_matrix_cell *cells, u32 design_mask)
{
	char line[MATRIX_WIDTH * 3], label[96], text[64];
	size_t len;
	unsigned int d;

	snprintf(label, sizeof(label), "%s%s", injected ? INJECTED_MARK : "", name);
	if ((int)strlen(label) > name_width) {
		fprintf(out, "%s\n", label);
		label[0] = '\0';
	}
	len = (size_t)snprintf(line, sizeof(line), "%-*s", name_width, label);
	for (d = 0; d < kfp_nr_designs; d++) {
		if (!(design_mask & BIT(d)))
			continue;
		if (cells)
			kfp_matrix_cell_text(&cells[d], text, CELL_WIDTH + 1);
		else
			snprintf(text, sizeof(text), "%s", kfp_designs[d]->name);
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%*s%-*s", CELL_GAP, "",
					column_width(d), text);
	}
	put_line(out, line, len);
}

static int name_column(struct kfp_scenario *const *scenarios, unsigned int nr, u32 design_mask)
{
	int room = MATRIX_WIDTH, width = (int)strlen("scenario");
	unsigned int i, d;

	for (d = 0; d < kfp_nr_designs; d++)
		if (design_mask & BIT(d))
			room -= CELL_GAP + column_width(d);
	for (i = 0; i < nr; i++) {
		int len = (int)strlen(scenarios[i]->name) +
			  (scenarios[i]->inject ? (int)strlen(INJECTED_MARK) : 0);

		if (len > width)
			width = len;
	}
	if (width > room)
		width = room;
	return width < NAME_MIN ? NAME_MIN : width;
}

/* The rows of one injection set, in file order; false when it has none. */
static bool print_group(FILE *out, struct kfp_scenario *const *scenarios, unsigned int nr,
			u32 inject, int name_width,
			struct kfp_matrix_cell (*cells)[KFP_MAX_DESIGNS], u32 design_mask)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (scenarios[i]->inject != inject)
			continue;
		if (!any)
			print_injection_heading(out, inject);
		any = true;
		print_row(out, scenarios[i]->name, inject != 0, name_width, cells[i], design_mask);
	}
	return any;
}

u32 kfp_matrix_next_injection(struct kfp_scenario *const *scenarios, unsigned int nr, u32 after)
{
	u32 next = 0;
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (scenarios[i]->inject > after && (!next || scenarios[i]->inject < next))
			next = scenarios[i]->inject;
	return next;
}

void kfp_cli_print_matrix(FILE *out, struct kfp_scenario *const *scenarios, unsigned int nr,
			  struct kfp_matrix_cell (*cells)[KFP_MAX_DESIGNS], u32 design_mask)
{
	int name_width = name_column(scenarios, nr, design_mask);
	u32 inject = 0;

	print_row(out, "scenario", false, name_width, NULL, design_mask);
	print_group(out, scenarios, nr, 0, name_width, cells, design_mask);
	while ((inject = kfp_matrix_next_injection(scenarios, nr, inject)))
		print_group(out, scenarios, nr, inject, name_width, cells, design_mask);
	fputc('\n', out);
	fputs(kfp_matrix_legend, out);
}
