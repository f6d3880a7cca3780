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

#endif /* KFP_EXPLORE_COROUTINE_H */
