/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Coroutines for model threads: each runs on its own stack, and switches
 * only to and from the scheduler.  A switch is a handful of register moves
 * (x86-64) so that an execution of a few hundred steps costs microseconds.
 */
#ifndef KFP_EXPLORE_COROUTINE_H
#define KFP_EXPLORE_COROUTINE_H

#include <stdbool.h>
#include <stddef.h>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

/*
 * Under AddressSanitizer the live frames hold their redzones, so a live
 * stack is read only through coroutine_copy_live(); elsewhere it is read
 * in place.
 */
#if defined(__SANITIZE_ADDRESS__)
#define COROUTINE_STACKS_POISONED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COROUTINE_STACKS_POISONED 1
#endif
#endif
#ifndef COROUTINE_STACKS_POISONED
#define COROUTINE_STACKS_POISONED 0
#endif

struct coroutine {
#if defined(__x86_64__)
	void *sp;
#else
	ucontext_t context;
#endif
	char *stack;
	size_t stack_size;
	void (*fn)(void *arg);
	void *arg;
	bool finished;
	void *fake_stack; /* AddressSanitizer's, while switched out */
};

/* Prepare @co to run @fn(@arg) from the start on its stack. */
void coroutine_init(struct coroutine *co, char *stack, size_t stack_size, void (*fn)(void *arg),
		    void *arg);
/* From the scheduler: run @co until it yields or finishes. */
void coroutine_resume(struct coroutine *co);
/* From inside a coroutine: back to the scheduler. */
void coroutine_yield(void);

/*
 * A switched-out coroutine is its saved stack pointer and the stack above
 * it (x86-64, where the switch pushes the callee-saved registers there):
 * copying those bytes back in place, with the same sp, puts it back where
 * it was.  The stateful search takes and restores such images.
 */
#if defined(__x86_64__)
#define COROUTINE_HAS_IMAGES 1
static inline const char *coroutine_live_stack(const struct coroutine *co, size_t *len)
{
	*len = (size_t)(co->stack + co->stack_size - (char *)co->sp);
	return co->sp;
}
/* Copy the live stack of a switched-out coroutine to @out (coroutine_live_stack()'s length). */
void coroutine_copy_live(const struct coroutine *co, void *out);
/*
 * Zero @window bytes below a switched-out coroutine's stack pointer: what
 * its returned calls left there.  A frame pushed later then starts from
 * zeroes, not from what an earlier step happened to compute.
 */
void coroutine_zero_below(struct coroutine *co, size_t window);
/*
 * For the test suite: coroutine_zero_below() skips the lowest chunk that
 * holds a byte (tests/explore/test_coroutine.c shows its check catches it).
 */
extern bool coroutine_seeded_zero_bug;
#else
#define COROUTINE_HAS_IMAGES 0
#endif
/* Before bytes of another moment are copied onto @co's stack: forget its frames' redzones. */
void coroutine_forget_frames(struct coroutine *co);

#endif /* KFP_EXPLORE_COROUTINE_H */
