// SPDX-License-Identifier: GPL-2.0
/*
 * A recorded replay as a sequence chart: SVG that a browser opens as it
 * is (no script, no font, no link), and DOT for those who have graphviz.
 *
 * The SVG has one lane per thread and one column per step, left to
 * right.  In its lane, a step is a dot coloured by its action, with its
 * site and action above it and the object's state after it, written
 * upwards so that 150 columns stay narrow.  A band behind each lane spans
 * each scenario op from the step that begins it to the one that ends it.
 * A step a report names is a band across every lane, red when it breaks
 * a property, amber when the design accepts it, with the report.  Below
 * the lanes, tracks: the refcount, pins and mapcount of every page a step
 * touched or a report names, and mmu_invalidate_seq and
 * mmu_invalidate_in_progress, each value written where it changes.
 */
#include <errno.h>
#include <string.h>

#include <kfp/scenario.h>

#define COL 26 /* px per step */
#define LEFT 170 /* lane names */
#define TOP 96 /* title, legend and step numbers */
#define LANE 360 /* a thread's lane */
#define OBJECT_CHARS 48 /* of the object's state under a step; whole in its tooltip */
#define END_LANE 180 /* the end of the execution's lane */
#define TRACK 18 /* a page's or a counter's track */
#define CHAR_WIDTH 6 /* of the 10px monospace text, about */
#define REPORT_LINE 16

/* @s in XML text or an attribute value */
static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, out);
		}
	}
}

/* The first @max characters of @s, and "..." when there are more. */
static void xml_text_cut(FILE *out, const char *s, size_t max)
{
	char cut[128];

	if (strlen(s) <= max || max + 4 > sizeof(cut)) {
		xml_text(out, s);
		return;
	}
	snprintf(cut, sizeof(cut), "%.*s...", (int)max, s);
	xml_text(out, cut);
}

static const char *action_colour(enum kfp_trace_action action)
{
	static const char *const colours[] = {
		[KFP_TRACE_READ] = "#3b6fb6",	     [KFP_TRACE_WRITE] = "#d9822b",
		[KFP_TRACE_WAIT] = "#8a8a8a",	     [KFP_TRACE_LOCK] = "#2e8b57",
		[KFP_TRACE_UNLOCK] = "#9fd4b0",	     [KFP_TRACE_READ_LOCK] = "#7b4fb6",
		[KFP_TRACE_READ_UNLOCK] = "#cdb8ea", [KFP_TRACE_END] = "#000000",
	};

	return (unsigned int)action < ARRAY_SIZE(colours) ? colours[action] : "#000000";
}

static int column_x(unsigned int i)
{
	return LEFT + (int)i * COL + COL / 2;
}

static int lane_y(int thread)
{
	return TOP + thread * LANE;
}

static unsigned int nr_involved(const struct kfp_trace *trace)
{
	unsigned int pfn, n = 0;

	for (pfn = 0; pfn < KFP_NR_PFNS; pfn++)
		n += trace->involved[pfn];
	return n;
}

static void svg_header(const struct kfp_trace *trace, FILE *out, int width, int height)
{
	const struct kfp_scenario *scenario = trace->scenario;
	unsigned int a;

	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"11\">\n",
		width, height, width, height);
	fprintf(out, "<title>");
	xml_text(out, scenario->name);
	fprintf(out, " under %s, schedule ", kfp_designs[trace->design]->name);
	xml_text(out, trace->schedule);
	fprintf(out, "</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	fprintf(out, "<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"bold\">");
	xml_text(out, scenario->name);
	fprintf(out, " under %s</text>\n<text x=\"8\" y=\"36\">schedule ",
		kfp_designs[trace->design]->name);
	xml_text(out, trace->schedule);
	fprintf(out, " (kfp replay %s --variant %s --schedule ...)</text>\n", scenario->path,
		kfp_designs[trace->design]->name);
	for (a = KFP_TRACE_READ; a <= KFP_TRACE_READ_UNLOCK; a++) {
		int x = 8 + (int)a * 110;

		fprintf(out,
			"<circle cx=\"%d\" cy=\"52\" r=\"5\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"56\">%s</text>\n",
			x + 5, action_colour(a), x + 14, kfp_trace_action_name(a));
	}
	fprintf(out, "<rect x=\"790\" y=\"45\" width=\"12\" height=\"12\" fill=\"#f4b0b0\"/>"
		     "<text x=\"806\" y=\"56\">violation</text>"
		     "<rect x=\"890\" y=\"45\" width=\"12\" height=\"12\" fill=\"#f6dfa0\"/>"
		     "<text x=\"906\" y=\"56\">accepted</text>\n");
}

/* Above the band: the properties the step's reports name ("P2", "P3a"). */
static void svg_mark_label(const struct kfp_trace *trace, FILE *out,
			   const struct kfp_trace_row *row, int x)
{
	unsigned int i;
	int line = 0;

	for (i = 0; i < trace->reports.count; i++) {
		const struct kfp_report *r = &trace->reports.report[i];

		if (r->step != row->step)
			continue;
		fprintf(out,
			"<text x=\"%d\" y=\"%d\" font-size=\"10\" font-weight=\"bold\" "
			"text-anchor=\"middle\" fill=\"%s\">%s%s</text>\n",
			x, TOP - 26 - 11 * line++, r->accepted ? "#8a6d00" : "#b00000",
			kfp_property_name(r->property), r->accepted ? "a" : "");
	}
}

/* The band behind a step a report names, across every lane and track. */
static void svg_marks(const struct kfp_trace *trace, FILE *out, int bottom)
{
	unsigned int i;

	for (i = 0; i < trace->nr_rows; i++) {
		const struct kfp_trace_row *row = &trace->row[i];
		int mark = kfp_trace_row_mark(trace, row);

		if (!mark)
			continue;
		fprintf(out,
			"<rect id=\"%s-step-%u\" class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" "
			"height=\"%d\" fill=\"%s\"/>\n",
			mark == 1 ? "violation" : "accepted", row->step,
			mark == 1 ? "violation" : "accepted", column_x(i) - COL / 2, TOP - 22, COL,
			bottom - TOP + 22, mark == 1 ? "#f4b0b0" : "#f6dfa0");
		svg_mark_label(trace, out, row, column_x(i));
	}
}

static void svg_step_numbers(const struct kfp_trace *trace, FILE *out)
{
	unsigned int i;

	for (i = 0; i < trace->nr_rows; i++)
		fprintf(out,
			"<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\">%u</text>\n",
			column_x(i), TOP - 8, trace->row[i].step);
}

/* A band for each op of thread @t, from the step that begins it to the one that ends it. */
static void svg_ops(const struct kfp_trace *trace, FILE *out, int t)
{
	unsigned int i, j;

	for (i = 0; i < trace->nr_rows; i++) {
		const struct kfp_trace_row *row = &trace->row[i];
		int y = lane_y(t) + LANE - 40, width;
		char label[128];

		if (row->thread != t || row->op_begins == KFP_TRACE_NO_OP)
			continue;
		for (j = i; j < trace->nr_rows; j++)
			if (trace->row[j].thread == t && trace->row[j].op_ends == row->op_begins)
				break;
		if (j == trace->nr_rows)
			j = trace->nr_rows - 1;
		kfp_trace_op_label(trace, t, row->op_begins, label, sizeof(label));
		width = column_x(j) - column_x(i) + COL - 2;
		fprintf(out, "<g class=\"op\"><title>");
		xml_text(out, label);
		fprintf(out,
			"</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"22\" rx=\"4\" "
			"fill=\"#eef3fa\" stroke=\"#9db4d6\"/><text x=\"%d\" y=\"%d\" font-size=\"10\">",
			column_x(i) - COL / 2 + 1, y, width, column_x(i) - COL / 2 + 4, y + 15);
		/* the label as far as the band holds it, else the op's number */
		if (width / CHAR_WIDTH - 1 >= 12)
			xml_text_cut(out, strchr(label, ' ') + 1, (size_t)(width / CHAR_WIDTH - 4));
		else
			fprintf(out, "%d", row->op_begins + 1);
		fprintf(out, "</text></g>\n");
	}
}

/* Step @i in the lane from @y, @height high. */
static void svg_step(const struct kfp_trace *trace, FILE *out, unsigned int i, int y, int height)
{
	const struct kfp_trace_row *row = &trace->row[i];
	int x = column_x(i), dot = y + height - 52;

	fprintf(out, "<g class=\"step\" id=\"step-%u\"><title>step %u: ", row->step, row->step);
	xml_text(out, kfp_trace_thread_name(trace, row->thread));
	fprintf(out, " %s ", kfp_trace_action_name((enum kfp_trace_action)row->action));
	xml_text(out, row->what);
	if (row->object[0]) {
		fputs(": ", out);
		xml_text(out, row->object);
	}
	fprintf(out, "</title><circle cx=\"%d\" cy=\"%d\" r=\"6\" fill=\"%s\"/>", x, dot,
		action_colour((enum kfp_trace_action)row->action));
	fprintf(out, "<text transform=\"translate(%d,%d) rotate(-90)\" font-size=\"10\">", x - 2,
		dot - 10);
	fprintf(out, "%s ", kfp_trace_action_name((enum kfp_trace_action)row->action));
	xml_text(out, row->what);
	fprintf(out, "</text>");
	if (row->object[0]) {
		fprintf(out,
			"<text transform=\"translate(%d,%d) rotate(-90)\" font-size=\"9\" "
			"fill=\"#555555\">",
			x + 9, dot - 10);
		xml_text_cut(out, row->object, OBJECT_CHARS);
		fprintf(out, "</text>");
	}
	if (row->finished)
		fprintf(out,
			"<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\">end</text>",
			x, dot + 16);
	fprintf(out, "</g>\n");
}

/* The lanes: each thread's, then the end of the execution's. */
static void svg_lanes(const struct kfp_trace *trace, FILE *out, int width)
{
	int t, nr_threads = trace->scenario->nr_threads;
	unsigned int i;

	for (t = 0; t <= nr_threads; t++) {
		int y = lane_y(t), height = t < nr_threads ? LANE : END_LANE;

		fprintf(out,
			"<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#cccccc\"/>\n"
			"<text x=\"8\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">",
			y, width, y, y + height - 48);
		xml_text(out, kfp_trace_thread_name(trace, t < nr_threads ? t : -1));
		fprintf(out, "</text>\n");
		if (t < nr_threads)
			svg_ops(trace, out, t);
	}
	for (i = 0; i < trace->nr_rows; i++) {
		int thread = trace->row[i].thread;

		if (thread < 0)
			svg_step(trace, out, i, lane_y(nr_threads), END_LANE);
		else
			svg_step(trace, out, i, lane_y(thread), LANE);
	}
}

/* One track: @label, then the value at the first step and wherever it changes. */
static void svg_track(const struct kfp_trace *trace, FILE *out, int y, const char *label,
		      long (*value)(const struct kfp_trace_row *row, unsigned int pfn),
		      unsigned int pfn)
{
	unsigned int i;
	long last = 0;

	fprintf(out, "<text x=\"8\" y=\"%d\" font-size=\"10\">%s</text>\n", y + 13, label);
	for (i = 0; i < trace->nr_rows; i++) {
		long v = value(&trace->row[i], pfn);

		if (i && v == last)
			continue;
		last = v;
		fprintf(out,
			"<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\">%ld</text>\n",
			column_x(i), y + 13, v);
	}
}

static long refcount_of(const struct kfp_trace_row *row, unsigned int pfn)
{
	return row->page[pfn].free ? -1 : row->page[pfn].refcount;
}

static long pins_of_row(const struct kfp_trace_row *row, unsigned int pfn)
{
	return row->page[pfn].pins;
}

static long mapcount_of(const struct kfp_trace_row *row, unsigned int pfn)
{
	return row->page[pfn].mapcount;
}

static long seq_of(const struct kfp_trace_row *row, unsigned int pfn)
{
	(void)pfn;
	return row->mmu_invalidate_seq;
}

static long in_progress_of(const struct kfp_trace_row *row, unsigned int pfn)
{
	(void)pfn;
	return row->mmu_invalidate_in_progress;
}

/* The tracks under the lanes; returns the y below them. */
static int svg_tracks(const struct kfp_trace *trace, FILE *out, int y, int width)
{
	unsigned int pfn;
	char label[48];

	fprintf(out,
		"<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888888\"/>\n"
		"<text x=\"8\" y=\"%d\" font-size=\"11\" font-style=\"italic\">after each step "
		"(refcount -1: free)</text>\n",
		y, width, y, y + 14);
	y += 20;
	for (pfn = 0; pfn < KFP_NR_PFNS; pfn++) {
		if (!trace->involved[pfn])
			continue;
		snprintf(label, sizeof(label), "pfn %u refcount", pfn);
		svg_track(trace, out, y, label, refcount_of, pfn);
		snprintf(label, sizeof(label), "pfn %u pins", pfn);
		svg_track(trace, out, y + TRACK, label, pins_of_row, pfn);
		snprintf(label, sizeof(label), "pfn %u mapcount", pfn);
		svg_track(trace, out, y + 2 * TRACK, label, mapcount_of, pfn);
		y += 3 * TRACK + 4;
	}
	svg_track(trace, out, y, "mmu_invalidate_seq", seq_of, 0);
	svg_track(trace, out, y + TRACK, "in_progress", in_progress_of, 0);
	return y + 2 * TRACK + 8;
}

static void svg_reports(const struct kfp_trace *trace, FILE *out, int y)
{
	unsigned int i;

	for (i = 0; i < trace->reports.count; i++) {
		const struct kfp_report *r = &trace->reports.report[i];

		fprintf(out, "<text x=\"8\" y=\"%d\" fill=\"%s\">step %u: %s %s: ",
			y + (int)i * REPORT_LINE + 12, r->accepted ? "#8a6d00" : "#b00000", r->step,
			kfp_property_name(r->property), r->accepted ? "accepted" : "violated");
		xml_text(out, kfp_report_kind_name(r->kind));
		fprintf(out, ", pfn %lld, ", (long long)r->pfn);
		xml_text(out, r->owner < KFP_MAX_OWNERS ? trace->owner[r->owner] : "?");
		fputs(" (", out);
		xml_text(out, r->what ? r->what : "?");
		fputs(")</text>\n", out);
	}
}

int kfp_trace_print_svg(const struct kfp_trace *trace, FILE *out)
{
	int width = LEFT + (int)trace->nr_rows * COL + 40;
	int tracks = lane_y(trace->scenario->nr_threads) + END_LANE + 4;
	int height = tracks + 20 + (int)nr_involved(trace) * (3 * TRACK + 4) + 2 * TRACK + 8 +
		     (int)trace->reports.count * REPORT_LINE + 20;
	int bottom;

	if (width < 1000)
		width = 1000;
	svg_header(trace, out, width, height);
	svg_marks(trace, out, height - (int)trace->reports.count * REPORT_LINE - 20);
	svg_step_numbers(trace, out);
	svg_lanes(trace, out, width);
	bottom = svg_tracks(trace, out, tracks, width);
	svg_reports(trace, out, bottom);
	fprintf(out, "</svg>\n");
	return ferror(out) ? -EIO : 0;
}

/* DOT: a node per step in its thread's cluster, program order within, the schedule across. */
static void dot_string(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, out);
	}
}

static void dot_node(const struct kfp_trace *trace, FILE *out, unsigned int i)
{
	const struct kfp_trace_row *row = &trace->row[i];
	int mark = kfp_trace_row_mark(trace, row);
	char label[128];

	fprintf(out, "    s%u [label=\"", i);
	if (row->op_begins != KFP_TRACE_NO_OP) {
		kfp_trace_op_label(trace, row->thread, row->op_begins, label, sizeof(label));
		fputs("[ ", out);
		dot_string(out, label);
		fputs("\\n", out);
	}
	fprintf(out, "%u %s ", row->step,
		kfp_trace_action_name((enum kfp_trace_action)row->action));
	dot_string(out, row->what);
	if (row->object[0]) {
		fputs("\\n", out);
		dot_string(out, row->object);
	}
	if (row->op_ends != KFP_TRACE_NO_OP)
		fputs("\\n]", out);
	fprintf(out, "\", color=\"%s\"%s];\n", action_colour((enum kfp_trace_action)row->action),
		mark == 1 ? ", style=filled, fillcolor=\"#f4b0b0\", id=\"violation\"" :
		mark == 2 ? ", style=filled, fillcolor=\"#f6dfa0\", id=\"accepted\"" :
			    "");
}

int kfp_trace_print_dot(const struct kfp_trace *trace, FILE *out)
{
	int t, last;
	unsigned int i;

	fprintf(out, "digraph \"");
	dot_string(out, trace->scenario->name);
	fprintf(out, " under %s\" {\n  rankdir=LR;\n  node [shape=box, fontname=monospace];\n",
		kfp_designs[trace->design]->name);
	for (t = -1; t < trace->scenario->nr_threads; t++) {
		fprintf(out, "  subgraph cluster_%d {\n    label=\"", t + 1);
		dot_string(out, kfp_trace_thread_name(trace, t));
		fprintf(out, "\";\n");
		for (i = 0, last = -1; i < trace->nr_rows; i++) {
			if (trace->row[i].thread != t)
				continue;
			dot_node(trace, out, i);
			if (last >= 0)
				fprintf(out, "    s%d -> s%u;\n", last, i);
			last = (int)i;
		}
		fprintf(out, "  }\n");
	}
	/* the schedule: where control passes from one thread to another */
	for (i = 1; i < trace->nr_rows; i++)
		if (trace->row[i].thread != trace->row[i - 1].thread)
			fprintf(out, "  s%u -> s%u [style=dashed, constraint=false];\n", i - 1, i);
	for (i = 0; i < trace->reports.count; i++) {
		const struct kfp_report *r = &trace->reports.report[i];
		int row = kfp_trace_row_of_step(trace, r->step);

		fprintf(out, "  r%u [shape=note, label=\"%s %s: ", i,
			kfp_property_name(r->property), r->accepted ? "accepted" : "violated");
		dot_string(out, kfp_report_kind_name(r->kind));
		fprintf(out, "\"];\n");
		if (row >= 0)
			fprintf(out, "  s%d -> r%u [color=red];\n", row, i);
	}
	fprintf(out, "}\n");
	return ferror(out) ? -EIO : 0;
}
