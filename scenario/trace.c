// SPDX-License-Identifier: GPL-2.0
/*
 * A recorded replay as text: the trace kfp replay prints and kfp check
 * prints under a counterexample.  The recording is scenario/run.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <kfp/scenario.h>

const char *kfp_trace_action_name(enum kfp_trace_action action)
{
	static const char *const names[] = {
		[KFP_TRACE_READ] = "read",
		[KFP_TRACE_WRITE] = "write",
		[KFP_TRACE_WAIT] = "wait",
		[KFP_TRACE_LOCK] = "lock w",
		[KFP_TRACE_UNLOCK] = "unlock w",
		[KFP_TRACE_READ_LOCK] = "lock r",
		[KFP_TRACE_READ_UNLOCK] = "unlock r",
		[KFP_TRACE_END] = "end",
	};

	if ((unsigned int)action >= ARRAY_SIZE(names))
		return "?";
	return names[action];
}

void kfp_trace_release(struct kfp_trace *trace)
{
	free(trace->row);
	trace->row = NULL;
	trace->nr_rows = trace->capacity = 0;
}

int kfp_trace_row_of_step(const struct kfp_trace *trace, u32 step)
{
	unsigned int i;

	for (i = 0; i < trace->nr_rows; i++)
		if (trace->row[i].step == step)
			return (int)i;
	return -1;
}

/* "vcpu0 op 2 (line 14): m = map" */
void kfp_trace_op_label(const struct kfp_trace *trace, int thread, int op, char *out, size_t size)
{
	const struct kfp_scenario *scenario = trace->scenario;
	const struct kfp_scenario_thread *t = &scenario->thread[thread];
	const struct kfp_op *o;

	if (op < 0 || op >= t->nr_ops) {
		snprintf(out, size, "%s", t->name);
		return;
	}
	o = &t->op[op];
	snprintf(out, size, "%s op %d (line %u): %s%s%s", t->name, op + 1, o->pos.line,
		 o->result >= 0 ? scenario->result[o->result].name : "",
		 o->result >= 0 ? " = " : "", kfp_op_name((enum kfp_op_kind)o->kind));
}

const char *kfp_trace_thread_name(const struct kfp_trace *trace, int thread)
{
	return thread < 0 ? "(end)" : trace->scenario->thread[thread].name;
}

/* Does a report name row @row's step?  1 unaccepted, 2 accepted only, 0 none. */
int kfp_trace_row_mark(const struct kfp_trace *trace, const struct kfp_trace_row *row)
{
	int mark = 0;
	unsigned int i;

	for (i = 0; i < trace->reports.count; i++) {
		const struct kfp_report *r = &trace->reports.report[i];

		if (r->step != row->step)
			continue;
		if (!r->accepted)
			return 1;
		mark = 2;
	}
	return mark;
}

static void print_row_reports(const struct kfp_trace *trace, const struct kfp_trace_row *row,
			      FILE *out)
{
	unsigned int i;

	for (i = 0; i < trace->reports.count; i++) {
		const struct kfp_report *r = &trace->reports.report[i];

		if (r->step != row->step)
			continue;
		fprintf(out, "        <== %s %s: %s, pfn %lld, %s (%s)\n",
			kfp_property_name(r->property), r->accepted ? "accepted" : "violated",
			kfp_report_kind_name(r->kind), (long long)r->pfn,
			r->owner < KFP_MAX_OWNERS ? trace->owner[r->owner] : "?",
			r->what ? r->what : "?");
	}
}

static void print_op(const struct kfp_trace *trace, const struct kfp_trace_row *row, int op,
		     const char *verb, FILE *out)
{
	char label[128];

	kfp_trace_op_label(trace, row->thread, op, label, sizeof(label));
	fprintf(out, "        -- %s %s\n", label, verb);
}

/* ">    9  vcpu0    read      access through mapping      pfn 2: ..." */
static void print_row(const struct kfp_trace *trace, const struct kfp_trace_row *row, FILE *out)
{
	char line[256];
	int len;

	len = snprintf(line, sizeof(line), "%c%5u  %-8s %-9s %-32s %s%s",
		       kfp_trace_row_mark(trace, row) ? '>' : ' ', row->step,
		       kfp_trace_thread_name(trace, row->thread),
		       kfp_trace_action_name((enum kfp_trace_action)row->action), row->what,
		       row->object, row->finished ? "  [thread ends]" : "");
	if (len >= (int)sizeof(line))
		len = (int)sizeof(line) - 1;
	while (len > 0 && line[len - 1] == ' ')
		len--;
	fprintf(out, "%.*s\n", len, line);
}

int kfp_trace_print_text(const struct kfp_trace *trace, FILE *out)
{
	unsigned int i;

	fprintf(out, "  step  thread   action    site                             "
		     "the object after the step\n");
	for (i = 0; i < trace->nr_rows; i++) {
		const struct kfp_trace_row *row = &trace->row[i];

		if (row->op_begins != KFP_TRACE_NO_OP)
			print_op(trace, row, row->op_begins, "begins", out);
		print_row(trace, row, out);
		print_row_reports(trace, row, out);
		if (row->op_ends != KFP_TRACE_NO_OP)
			print_op(trace, row, row->op_ends, "ends", out);
	}
	fprintf(out, "(lock w/unlock w: exclusive hold, lock r/unlock r: shared hold; "
		     "'>' marks a step a report names)\n");
	return ferror(out) ? -EIO : 0;
}
