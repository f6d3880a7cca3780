// SPDX-License-Identifier: GPL-2.0
/*
 * The context switch.  On x86-64 a switch saves the callee-saved registers
 * on the current stack, swaps stack pointers and pops the other side's;
 * elsewhere it falls back to ucontext.  Under AddressSanitizer every
 * switch is announced (__sanitizer_start/finish_switch_fiber) so that it
 * tracks which stack is live.
 */
#include <stdint.h>
#include <string.h>

#include "coroutine.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#if COROUTINE_STACKS_POISONED
#define KFP_ASAN 1
#endif

#ifdef KFP_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

/* per OS thread: each runs its own search (kfp check --jobs) */
static _Thread_local struct coroutine *current;
#ifdef KFP_ASAN
static _Thread_local const void *scheduler_stack_bottom;
static _Thread_local size_t scheduler_stack_size;
#endif

#if defined(__x86_64__)
static _Thread_local void *scheduler_sp;

void kfp_context_switch(void **save_sp, void *load_sp);
__asm__(".text\n"
	".globl kfp_context_switch\n"
	".type kfp_context_switch,@function\n"
	"kfp_context_switch:\n"
	"\tpushq %rbp\n"
	"\tpushq %rbx\n"
	"\tpushq %r12\n"
	"\tpushq %r13\n"
	"\tpushq %r14\n"
	"\tpushq %r15\n"
	"\tmovq %rsp, (%rdi)\n"
	"\tmovq %rsi, %rsp\n"
	"\tpopq %r15\n"
	"\tpopq %r14\n"
	"\tpopq %r13\n"
	"\tpopq %r12\n"
	"\tpopq %rbx\n"
	"\tpopq %rbp\n"
	"\tret\n"
	".size kfp_context_switch, .-kfp_context_switch\n"
	".section .note.GNU-stack,\"\",@progbits\n"
	".text\n");
#else
static _Thread_local ucontext_t scheduler_context;
#endif

static void enter_coroutine(struct coroutine *co)
{
#ifdef KFP_ASAN
	__sanitizer_finish_switch_fiber(co->fake_stack, &scheduler_stack_bottom,
					&scheduler_stack_size);
#else
	(void)co;
#endif
}

static void leave_coroutine(struct coroutine *co, bool finishing)
{
#ifdef KFP_ASAN
	__sanitizer_start_switch_fiber(finishing ? NULL : &co->fake_stack, scheduler_stack_bottom,
				       scheduler_stack_size);
#else
	(void)co;
	(void)finishing;
#endif
}

static void switch_to_scheduler(struct coroutine *co)
{
#if defined(__x86_64__)
	kfp_context_switch(&co->sp, scheduler_sp);
#else
	swapcontext(&co->context, &scheduler_context);
#endif
}

static void coroutine_main(void)
{
	struct coroutine *co = current;

	enter_coroutine(co);
	co->fn(co->arg);
	co->finished = true;
	leave_coroutine(co, true);
	switch_to_scheduler(co);
	__builtin_unreachable();
}

void coroutine_init(struct coroutine *co, char *stack, size_t stack_size, void (*fn)(void *arg),
		    void *arg)
{
	co->stack = stack;
	co->stack_size = stack_size;
	co->fn = fn;
	co->arg = arg;
	co->finished = false;
	co->fake_stack = NULL;
#ifdef KFP_ASAN
	/* frames of an abandoned execution may have left redzones behind */
	ASAN_UNPOISON_MEMORY_REGION(stack, stack_size);
#endif
#if defined(__x86_64__)
	{
		uintptr_t *sp = (uintptr_t *)(((uintptr_t)stack + stack_size) & ~(uintptr_t)15);
		int i;

		*--sp = 0; /* coroutine_main never returns */
		*--sp = (uintptr_t)coroutine_main;
		for (i = 0; i < 6; i++)
			*--sp = 0; /* rbp rbx r12 r13 r14 r15 */
		co->sp = sp;
	}
#else
	getcontext(&co->context);
	co->context.uc_stack.ss_sp = stack;
	co->context.uc_stack.ss_size = stack_size;
	co->context.uc_link = NULL;
	makecontext(&co->context, coroutine_main, 0);
#endif
}

void coroutine_forget_frames(struct coroutine *co)
{
#ifdef KFP_ASAN
	ASAN_UNPOISON_MEMORY_REGION(co->stack, co->stack_size);
#else
	(void)co;
#endif
}

#if defined(__x86_64__)
#ifdef KFP_ASAN
/*
 * Word by word, and unchecked: the live frames hold their redzones, which
 * a checked read (the interposed memcpy()'s too) would report.
 */
__attribute__((no_sanitize_address)) void coroutine_copy_live(const struct coroutine *co, void *out)
{
	const char *from = co->sp;
	size_t len = (size_t)(co->stack + co->stack_size - from), i;
	char *to = out;

	for (i = 0; i + 8 <= len; i += 8)
		*(uint64_t *)(void *)(to + i) = *(const uint64_t *)(const void *)(from + i);
	for (; i < len; i++)
		to[i] = from[i];
}
#else
void coroutine_copy_live(const struct coroutine *co, void *out)
{
	const char *from = co->sp;

	memcpy(out, from, (size_t)(co->stack + co->stack_size - from));
}
#endif

bool coroutine_seeded_zero_bug;

/*
 * The lowest 128 bytes of [@low, @sp) that are not all zeroes, or @sp.  A
 * step rarely leaves more than 1 KiB below its stack pointer, and the
 * window was zeroes before it: reading the zeroes below what it left
 * (AVX2 loads, two a cycle) and clearing the rest costs about half of
 * clearing the whole window (one store a cycle, each line owned).
 */
#if !defined(KFP_ASAN)
__attribute__((target("avx2"))) static char *first_nonzero_avx2(char *low, char *sp)
{
	char *p = low;

	for (; p + 128 <= sp; p += 128) {
		const __m256i *v = (const __m256i *)(const void *)p;
		__m256i any = _mm256_or_si256(
			_mm256_or_si256(_mm256_loadu_si256(v), _mm256_loadu_si256(v + 1)),
			_mm256_or_si256(_mm256_loadu_si256(v + 2), _mm256_loadu_si256(v + 3)));

		if (!_mm256_testz_si256(any, any))
			return coroutine_seeded_zero_bug ? p + 128 : p;
	}
	return p;
}
#endif

void coroutine_zero_below(struct coroutine *co, size_t window)
{
	char *sp = co->sp, *low = (size_t)(sp - co->stack) < window ? co->stack : sp - window;

#ifdef KFP_ASAN
	ASAN_UNPOISON_MEMORY_REGION(low, (size_t)(sp - low));
#else
	if (__builtin_cpu_supports("avx2"))
		low = first_nonzero_avx2(low, sp);
#endif
	memset(low, 0, (size_t)(sp - low));
}
#endif

void coroutine_resume(struct coroutine *co)
{
	void *fake_stack = NULL;

	current = co;
#ifdef KFP_ASAN
	__sanitizer_start_switch_fiber(&fake_stack, co->stack, co->stack_size);
#endif
#if defined(__x86_64__)
	kfp_context_switch(&scheduler_sp, co->sp);
#else
	swapcontext(&scheduler_context, &co->context);
#endif
#ifdef KFP_ASAN
	__sanitizer_finish_switch_fiber(fake_stack, NULL, NULL);
#else
	(void)fake_stack;
#endif
	current = NULL;
}

void coroutine_yield(void)
{
	struct coroutine *co = current;

	leave_coroutine(co, false);
	switch_to_scheduler(co);
	enter_coroutine(co);
}
