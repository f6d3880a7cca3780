// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts: from what a search found to the judgement of a cell.
 *
 * Three levels, each computed here and nowhere else above the checker:
 *
 *  - an execution: kfp_verdict_of() (check/check.c) says, per property,
 *    whether its reports hold a violation the design does not accept and
 *    one it accepts; the explorer counts such executions;
 *  - a property over a search: violated when some execution violated it,
 *    accepted when executions only ever reported it as accepted, else
 *    nothing (kfp_found_property());
 *  - a cell: each expectation judged by those counts or by its own
 *    per-execution tallies, then the cell as a whole (kfp_judge_cell()).
 *
 * A shard is a part of one search.  It judges what its part can prove
 * (a counterexample stands whatever the other parts hold) and leaves the
 * rest undecided; kfp merge adds the parts into the found and the tallies
 * of the whole search and judges those as kfp check judges one search, so
 * a merged verdict is the verdict of the unsharded search.
 */
#include <string.h>

#include <kfp/scenario.h>

void kfp_found_of_search(struct kfp_found *found, const struct kfp_explore_result *result,
			 bool part)
{
	unsigned int p;

	memset(found, 0, sizeof(*found));
	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		found->violated[p] = result->executions_with_violation[p];
		found->accepted[p] = result->executions_with_accepted[p];
		found->witness[p] = result->witness[p];
		found->accepted_witness[p] = result->accepted_witness[p];
	}
	/* a shard that explored its whole part stops with KFP_STOP_SHARD, not complete */
	found->complete = result->complete || result->stop == KFP_STOP_SHARD;
	found->part = part;
}

void kfp_found_init_whole(struct kfp_found *whole)
{
	memset(whole, 0, sizeof(*whole));
	whole->complete = true;
}

static bool have_schedule(const char *schedule)
{
	return schedule && *schedule;
}

static const char *first_schedule(const char *have, const char *candidate)
{
	return have_schedule(have) ? have : candidate;
}

/* The parts partition the executions of one search: its counts are their sums. */
void kfp_found_add(struct kfp_found *whole, const struct kfp_found *part)
{
	unsigned int p;

	for (p = 0; p < KFP_NR_PROPERTIES; p++) {
		whole->violated[p] += part->violated[p];
		whole->accepted[p] += part->accepted[p];
		whole->witness[p] = first_schedule(whole->witness[p], part->witness[p]);
		whole->accepted_witness[p] =
			first_schedule(whole->accepted_witness[p], part->accepted_witness[p]);
	}
	whole->complete = whole->complete && part->complete;
}

enum kfp_finding kfp_found_property(const struct kfp_found *found, enum kfp_property property)
{
	if (found->violated[property])
		return KFP_FOUND_VIOLATED;
	return found->accepted[property] ? KFP_FOUND_ACCEPTED : KFP_FOUND_NOTHING;
}

void kfp_found_text(const struct kfp_found *found, char *out, size_t size)
{
	size_t len = 0;
	unsigned int p;

	out[0] = '\0';
	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		if (kfp_found_property(found, p) == KFP_FOUND_VIOLATED)
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " " : "",
						kfp_property_name(p));
	for (p = 0; p < KFP_NR_PROPERTIES; p++)
		if (kfp_found_property(found, p) == KFP_FOUND_ACCEPTED)
			len += (size_t)snprintf(out + len, size - len, "%s%s accepted",
						len ? ", " : "", kfp_property_name(p));
	if (!len)
		snprintf(out, size, "safe");
}

void kfp_tally_add(struct kfp_tally *whole, const struct kfp_tally *part)
{
	if (part->held && !whole->held)
		whole->held_schedule = part->held_schedule;
	if (part->failed && !whole->failed) {
		whole->failed_detail = part->failed_detail;
		whole->failed_schedule = part->failed_schedule;
	}
	whole->held += part->held;
	whole->failed += part->failed;
}

/* The whole search ran: what it did not find, no execution has. */
static bool whole_search(const struct kfp_found *found)
{
	return found->complete && !found->part;
}

static void show(struct kfp_judgement *out, enum kfp_evidence evidence, const char *schedule)
{
	if (!have_schedule(schedule))
		return;
	out->evidence = (u8)evidence;
	out->schedule = schedule;
}

static void judge_never(const struct kfp_found *found, enum kfp_property p,
			struct kfp_judgement *out)
{
	out->met = !found->violated[p];
	if (out->met)
		return;
	snprintf(out->detail, sizeof(out->detail), "%s violated in %llu executions",
		 kfp_property_name(p), (unsigned long long)found->violated[p]);
	show(out, KFP_EVIDENCE_WITNESS, found->witness[p]);
}

static void judge_sometimes(const struct kfp_found *found, enum kfp_property p,
			    struct kfp_judgement *out)
{
	out->met = found->violated[p];
	if (out->met)
		show(out, KFP_EVIDENCE_WITNESS, found->witness[p]);
	else
		snprintf(out->detail, sizeof(out->detail), "%s never violated",
			 kfp_property_name(p));
}

/* Accepted: reported as accepted somewhere, and never violated. */
static void judge_accepted(const struct kfp_found *found, enum kfp_property p,
			   struct kfp_judgement *out)
{
	enum kfp_finding finding = kfp_found_property(found, p);

	out->met = finding == KFP_FOUND_ACCEPTED;
	if (finding == KFP_FOUND_VIOLATED) {
		snprintf(out->detail, sizeof(out->detail), "%s violated, not only accepted",
			 kfp_property_name(p));
		show(out, KFP_EVIDENCE_WITNESS, found->witness[p]);
	} else if (!out->met) {
		snprintf(out->detail, sizeof(out->detail), "no accepted %s report",
			 kfp_property_name(p));
	} else {
		show(out, KFP_EVIDENCE_ACCEPTED_WITNESS, found->accepted_witness[p]);
	}
}

/* never accepted P: no execution reports P as accepted (unaccepted ones are never P's). */
static void judge_never_accepted(const struct kfp_found *found, enum kfp_property p,
				 struct kfp_judgement *out)
{
	out->met = !found->accepted[p];
	if (out->met)
		return;
	snprintf(out->detail, sizeof(out->detail), "%s accepted in %llu executions",
		 kfp_property_name(p), (unsigned long long)found->accepted[p]);
	show(out, KFP_EVIDENCE_ACCEPTED_WITNESS, found->accepted_witness[p]);
}

/* sometimes VALUE: it held in some execution. */
static void judge_held_once(const struct kfp_tally *tally, struct kfp_judgement *out)
{
	out->met = tally->held;
	if (out->met)
		show(out, KFP_EVIDENCE_HELD, tally->held_schedule);
	else
		snprintf(out->detail, sizeof(out->detail), "held in no execution");
}

/* always, outcome, refcount, pins: it failed in no execution. */
static void judge_held_always(const struct kfp_tally *tally, struct kfp_judgement *out)
{
	out->met = !tally->failed;
	if (out->met)
		return;
	snprintf(out->detail, sizeof(out->detail), "%s (in %llu executions)",
		 tally->failed_detail ? tally->failed_detail : "",
		 (unsigned long long)tally->failed);
	show(out, KFP_EVIDENCE_FAILED, tally->failed_schedule);
}

void kfp_judge_expectation(const struct kfp_found *found, unsigned int kind,
			   enum kfp_property property, const struct kfp_tally *tally,
			   struct kfp_judgement *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = (u8)kind;
	switch (kind) {
	case KFP_EXPECT_NEVER:
		judge_never(found, property, out);
		return;
	case KFP_EXPECT_SOMETIMES:
		judge_sometimes(found, property, out);
		return;
	case KFP_EXPECT_ACCEPTED:
		judge_accepted(found, property, out);
		return;
	case KFP_EXPECT_NEVER_ACCEPTED:
		judge_never_accepted(found, property, out);
		return;
	case KFP_EXPECT_SOMETIMES_VALUE:
		judge_held_once(tally, out);
		return;
	default:
		judge_held_always(tally, out);
		return;
	}
}

/* Met by one execution that shows it: a part of the search can confirm it. */
static bool is_sometimes(unsigned int kind)
{
	return kind == KFP_EXPECT_SOMETIMES || kind == KFP_EXPECT_SOMETIMES_VALUE;
}

enum kfp_cell_status kfp_judge_cell(const struct kfp_found *found,
				    const struct kfp_judgement *judgement, unsigned int nr)
{
	bool undecided = false;
	unsigned int i;

	/* nothing written for this variant is nothing judged */
	if (!nr)
		return whole_search(found) ? KFP_CELL_UNCHECKED : KFP_CELL_UNDECIDED;
	for (i = 0; i < nr; i++) {
		const struct kfp_judgement *x = &judgement[i];

		if (!x->met) {
			/* a counterexample stands even when the search was cut short */
			if (x->schedule || whole_search(found))
				return KFP_CELL_FAILED;
			/* an unseen "sometimes" may be in what was not searched (another shard) */
			undecided = true;
		} else if (!whole_search(found) && !is_sometimes(x->kind)) {
			undecided = true;
		}
	}
	return undecided ? KFP_CELL_UNDECIDED : KFP_CELL_MET;
}

const char *kfp_cell_status_name(enum kfp_cell_status status)
{
	static const char *const names[] = {
		[KFP_CELL_MET] = "met",
		[KFP_CELL_FAILED] = "failed",
		[KFP_CELL_UNDECIDED] = "undecided",
		[KFP_CELL_UNCHECKED] = "unchecked",
	};

	return (unsigned int)status < ARRAY_SIZE(names) ? names[status] : "?";
}

bool kfp_cell_partial(const struct kfp_found *found, enum kfp_cell_status status)
{
	return status == KFP_CELL_UNDECIDED && found->part && found->complete;
}

void kfp_cell_verdict_text(const struct kfp_found *found, enum kfp_cell_status status, char *out,
			   size_t size)
{
	if (status == KFP_CELL_FAILED)
		snprintf(out, size, "expectation failed");
	else if (status == KFP_CELL_UNDECIDED)
		snprintf(out, size, "incomplete");
	else
		kfp_found_text(found, out, size);
}

void kfp_cell_found_text(const struct kfp_found *found, enum kfp_cell_status status, char *out,
			 size_t size)
{
	kfp_found_text(found, out, size);
	/* nothing found in an incomplete search is no verdict of safety */
	if (status == KFP_CELL_UNDECIDED && !strcmp(out, "safe"))
		snprintf(out, size, "incomplete");
}
