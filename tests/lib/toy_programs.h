/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small programs for the explorer's own tests (tests/explore/): a state
 * with a report log, two locks and a counter, and threads whose answers
 * are known by hand (disjoint writers, racy and locked increments, a
 * thread that spins forever).
 */
#ifndef KFP_TEST_TOY_PROGRAMS_H
#define KFP_TEST_TOY_PROGRAMS_H

#include <kfp/explore.h>

struct toy {
	struct kfp_reports reports;
	struct kfp_lock lock, other;
	struct kfp_lock shared; /* a reader-writer lock */
	long counter;
	long seen; /* what toy_nested_reader and toy_mode_read_in_place read */
	long mode; /* set by toy_mode_read_in_place before its first step */
	long flag, x, y; /* toy_lockstep() */
	unsigned int spins;
};

extern struct toy toy;

/* A memory object of the toys' own, by number. */
u32 toy_object(unsigned int i);
/* @program runs @fn on @n threads (arg: the thread's number) over a fresh toy. */
void toy_program_init(struct kfp_program *program, unsigned int n,
		      void (*fn)(void *state, void *arg));

/* Each thread writes its own object. */
void toy_write_own(void *state, void *arg);
/* An unprotected read-modify-write of toy.counter: two can lose an update. */
void toy_racy_increment(void *state, void *arg);
/* at_end: a P1 report when the counter is not (long)arg. */
void toy_check_counter(void *state, void *arg);
/* Reads toy.counter into toy.seen inside two nested read holds of toy.shared. */
void toy_nested_reader(void *state, void *arg);
/* Sets toy.counter to 1 under toy.shared held for write. */
void toy_exclusive_writer(void *state, void *arg);
/*
 * Thread 0 enters a mode with no step of its own (as enter-smm sets
 * vcpu->in_smm), reads object 1 in it, records the mode it read in and
 * leaves the mode; every other thread writes object 1.  toy.seen is 1 in
 * every execution.
 */
void toy_mode_read_in_place(void *state, void *arg);
/* at_end: a P1 report when toy.seen is not 1. */
void toy_check_mode_seen(void *state, void *arg);
/*
 * Thread 0 writes toy.flag = 1..TOY_LOCKSTEP_ROUNDS, a step each, then
 * reads toy.x and toy.y into toy.seen (x + 2y).  Thread 1 reads toy.flag
 * as many times, and only if each read saw the write just before it (the
 * two threads in lockstep, one schedule of the many) touches x and y: it
 * writes 1 to each (arg of thread 1 is 1) or reads them (arg 2).  Neither
 * thread running alone, in either order, nor a random schedule (one in
 * about 2^12) runs the lockstep: it is news the stateful search meets on
 * its own.
 */
#define TOY_LOCKSTEP_ROUNDS 6
void toy_lockstep(void *state, void *arg);
/* at_end: a P1 report when toy.seen is not 0 (thread 1 wrote before thread 0 read). */
void toy_check_seen_zero(void *state, void *arg);
/* Reads one object forever. */
void toy_spin_forever(void *state, void *arg);

#endif /* KFP_TEST_TOY_PROGRAMS_H */
