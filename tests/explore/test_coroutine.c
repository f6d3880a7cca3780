// SPDX-License-Identifier: GPL-2.0
/*
 * coroutine_zero_below() (explore/coroutine.c): the stateful search relies
 * on it leaving the whole window below a stack pointer zeroes, and nothing
 * else changed, so that a thread's next frames start from zeroes whatever
 * its earlier steps left there.  It reads past the zeroes at the bottom of
 * the window and clears only from the lowest chunk that holds a byte: the
 * known answers below put bytes at every depth of the window, at and
 * across its edges, and a seeded skip of one chunk is caught.
 */
#include <stdlib.h>
#include <string.h>

#include "../lib/harness.h"
#include "../../explore/coroutine.h"

#if COROUTINE_HAS_IMAGES
#define WINDOW 8192
#define AROUND 4096

/*
 * A stack of AROUND bytes below the window, the window, and AROUND bytes
 * of live stack above the stack pointer (offset @skew, as a switch leaves
 * it: 8 mod 16); bytes left at depth @depth (1 .. @len of them) below it.
 * Returns the bytes that are wrong after the zeroing.
 */
static size_t zero_once(unsigned char *stack, size_t skew, size_t depth, size_t len)
{
	size_t size = AROUND + WINDOW + AROUND + 64, i, wrong = 0;
	struct coroutine co = { .stack = (char *)stack, .stack_size = size };
	unsigned char *sp = stack + AROUND + WINDOW + skew;

	memset(stack, 0xa5, size);
	memset(sp - WINDOW, 0, WINDOW);
	for (i = 0; i < len && depth >= i + 1; i++)
		sp[-(long)(depth - i)] = (unsigned char)(1 + (i % 255));
	co.sp = sp;
	coroutine_zero_below(&co, WINDOW);
	for (i = 0; i < size; i++) {
		unsigned char want = stack + i >= sp - WINDOW && stack + i < sp ? 0 : 0xa5;

		wrong += stack[i] != want;
	}
	return wrong;
}

/* Every depth of a byte left in the window, and runs across its chunks: all cleared. */
static size_t zero_every_depth(unsigned char *stack)
{
	size_t depth, wrong = 0;

	for (depth = 1; depth <= WINDOW; depth++) {
		wrong += zero_once(stack, 8, depth, 1);
		wrong += zero_once(stack, 0, depth, depth % 300 + 1);
	}
	return wrong;
}

TEST(coroutine_zero_below_clears_the_window_and_nothing_else)
{
	unsigned char *stack = aligned_alloc(64, AROUND + WINDOW + AROUND + 64);

	ASSERT_TRUE(stack != NULL);
	ASSERT_EQ(zero_every_depth(stack), 0);
	/* nothing left: nothing to clear, and the bytes around stay */
	ASSERT_EQ(zero_once(stack, 8, 0, 0), 0);
	free(stack);
}

/* The check above catches a zeroing that skips the lowest chunk holding a byte. */
TEST(coroutine_zero_below_check_catches_a_seeded_skip)
{
	unsigned char *stack = aligned_alloc(64, AROUND + WINDOW + AROUND + 64);
	size_t wrong;

	ASSERT_TRUE(stack != NULL);
	coroutine_seeded_zero_bug = true;
	wrong = zero_every_depth(stack);
	coroutine_seeded_zero_bug = false;
	free(stack);
	/* where the zeroing reads the window first (not under AddressSanitizer) */
	if (COROUTINE_STACKS_POISONED)
		ASSERT_EQ(wrong, 0);
	else if (!__builtin_cpu_supports("avx2"))
		SKIP("no AVX2: the zeroing clears the whole window, with no chunk to skip");
	else
		ASSERT_GT(wrong, 0);
}
#endif
