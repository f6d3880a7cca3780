/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Verdicts (scenario/verdict.c): what the reports of a search come to, in
 * one place.
 *
 * One execution's reports are classified by kfp_verdict_of()
 * (check/check.c), the only classifier: per property, violated (a report
 * the design does not accept) and accepted (one it documents as
 * accepted).  The explorer counts the executions of each kind and keeps a
 * witness schedule of each; that is what a search found (struct
 * kfp_found).  From it, and from the tallies of the expectations judged
 * per execution (struct kfp_tally), this file judges a cell, a scenario
 * under one variant: each expectation met or not, with the schedule that
 * shows it, and the cell met, failed, undecided or unchecked.
 *
 * kfp check judges one search so.  kfp merge adds the shards of one search
 * up (kfp_found_add(), kfp_tally_add()) and judges the sum with the same
 * functions.  The command line only formats what comes out.
 *
 * Soundness (SPEC §6): a bound, a shard or a random run can confirm a
 * "sometimes" and refute a "never", never the reverse.  So an expectation
 * that needs every execution is met only by a complete search, and one
 * that failed counts only with an execution that shows it (or a complete
 * search); anything else leaves the cell undecided.
 */
#ifndef KFP_VERDICT_H
#define KFP_VERDICT_H

#include <kfp/explore.h>

/* What a search found of one property. */
enum kfp_finding {
	KFP_FOUND_NOTHING, /* no execution reported it */
	KFP_FOUND_VIOLATED, /* an execution broke it in a way the design does not accept */
	KFP_FOUND_ACCEPTED, /* broken only in ways the design documents as accepted */
};

/* What a search found: of one search, of a shard's part, or of the shards added up. */
struct kfp_found {
	u64 violated[KFP_NR_PROPERTIES]; /* executions with a violation the design rejects */
	u64 accepted[KFP_NR_PROPERTIES]; /* executions with a report the design accepts */
	const char *witness[KFP_NR_PROPERTIES]; /* a schedule of each; NULL or "" when none */
	const char *accepted_witness[KFP_NR_PROPERTIES];
	bool complete; /* it explored all it was given: the whole search, or a shard's whole part */
	bool part; /* one shard's part of a search (--shard I/N, N > 1): the merge judges the whole */
};

/* @result's counts and witnesses (whose strings @found points to), a shard's part if @part. */
void kfp_found_of_search(struct kfp_found *found, const struct kfp_explore_result *result,
			 bool part);
/* The whole of a sharded search before its parts are added: nothing, and complete. */
void kfp_found_init_whole(struct kfp_found *whole);
/* Add a shard's part: its counts, its witnesses where the whole has none, its completeness. */
void kfp_found_add(struct kfp_found *whole, const struct kfp_found *part);
enum kfp_finding kfp_found_property(const struct kfp_found *found, enum kfp_property property);
/* "safe", "P1 P3", "P3, P2 accepted": the properties violated, then those only accepted. */
void kfp_found_text(const struct kfp_found *found, char *out, size_t size);

/*
 * An expectation judged per execution (always, outcome, refcount, pins,
 * sometimes VALUE) over the executions of a search or a shard: where it
 * held, where it failed, and the first execution of each.
 */
struct kfp_tally {
	u64 held, failed;
	const char *held_schedule; /* NULL or "" when none was kept */
	const char *failed_schedule;
	const char *failed_detail; /* why it failed there ("vcpu0.r1 was 0x7"), no count */
};

/* Add a shard's tally: the counts, and its first executions where the whole has none. */
void kfp_tally_add(struct kfp_tally *whole, const struct kfp_tally *part);

/* Which execution shows an expectation's judgement. */
enum kfp_evidence {
	KFP_EVIDENCE_NONE,
	KFP_EVIDENCE_WITNESS, /* the witness of its property's violation */
	KFP_EVIDENCE_ACCEPTED_WITNESS, /* the witness of its property's accepted report */
	KFP_EVIDENCE_HELD, /* the tally's first execution where it held */
	KFP_EVIDENCE_FAILED, /* the tally's first execution where it failed */
};

#define KFP_DETAIL_LEN 192

struct kfp_judgement {
	u8 kind; /* enum kfp_expect_kind */
	bool met;
	u8 evidence; /* enum kfp_evidence; NONE when no schedule shows it */
	const char *schedule; /* the evidence's schedule (the found's or the tally's), or NULL */
	char detail[KFP_DETAIL_LEN]; /* why not met ("P2 violated in 3 executions"), or "" */
};

/*
 * Judge one expectation of kind @kind (enum kfp_expect_kind) on
 * @property (never, sometimes, accepted) or on @tally (the others) by
 * what @found holds.  Met or not here is what the executions searched
 * show; kfp_judge_cell() says whether that settles the cell.
 */
void kfp_judge_expectation(const struct kfp_found *found, unsigned int kind,
			   enum kfp_property property, const struct kfp_tally *tally,
			   struct kfp_judgement *out);

/* A cell: a scenario under one variant, as judged. */
enum kfp_cell_status {
	KFP_CELL_MET, /* every expectation met */
	KFP_CELL_FAILED, /* an expectation failed */
	KFP_CELL_UNDECIDED, /* a bound (or a shard's part) stopped the search before its verdict */
	KFP_CELL_UNCHECKED, /* no expectation names the variant: shown, not judged */
};

/* The cell of @found and its @nr judged expectations. */
enum kfp_cell_status kfp_judge_cell(const struct kfp_found *found,
				    const struct kfp_judgement *judgement, unsigned int nr);
/* "met", "failed", "undecided", "unchecked" */
const char *kfp_cell_status_name(enum kfp_cell_status status);
/* An undecided shard that explored its whole part: only kfp merge can judge it. */
bool kfp_cell_partial(const struct kfp_found *found, enum kfp_cell_status status);
/* The cell's verdict: "expectation failed", "incomplete" (undecided), or kfp_found_text(). */
void kfp_cell_verdict_text(const struct kfp_found *found, enum kfp_cell_status status, char *out,
			   size_t size);
/* What the search found, "incomplete" in place of a "safe" that an undecided cell cannot claim. */
void kfp_cell_found_text(const struct kfp_found *found, enum kfp_cell_status status, char *out,
			 size_t size);

#endif /* KFP_VERDICT_H */
