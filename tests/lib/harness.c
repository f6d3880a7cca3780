// SPDX-License-Identifier: GPL-2.0
/*
 * The test runner: KTAP version 1 output, tests in file/line order so the
 * output is the same on every run, an optional substring filter (one that
 * matches no test fails: exit 2), kselftest's "# Totals:" line and the
 * closing "N passed, N failed" line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "seeded.h"

#define MAX_TESTS 2048

struct test {
	const char *name;
	const char *file;
	int line;
	kfp_test_fn fn;
};

static struct test tests[MAX_TESTS];
static unsigned int nr_tests;
static jmp_buf test_exit;
static const char *skip_reason;

enum outcome { PASSED = 1, FAILED, SKIPPED };

void kfp_test_register(const char *name, const char *file, int line, kfp_test_fn fn)
{
	if (nr_tests == MAX_TESTS) {
		fprintf(stderr, "too many tests\n");
		exit(4);
	}
	tests[nr_tests++] = (struct test){ name, file, line, fn };
}

void kfp_test_fail(void)
{
	longjmp(test_exit, FAILED);
}

void kfp_test_skip(const char *reason)
{
	skip_reason = reason;
	longjmp(test_exit, SKIPPED);
}

void kfp_test_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static int by_file_then_line(const void *a, const void *b)
{
	const struct test *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	return c ? c : x->line - y->line;
}

static int run_one(const struct test *t)
{
	volatile int outcome;

	skip_reason = NULL;
	test_seed(0); /* no test inherits another's seeded bug */
	outcome = setjmp(test_exit);
	if (!outcome) {
		t->fn();
		outcome = PASSED;
	}
	fflush(stdout);
	return outcome;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	unsigned int i, n = 0, passed = 0, failed = 0, skipped = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	qsort(tests, nr_tests, sizeof(tests[0]), by_file_then_line);
	for (i = 0; i < nr_tests; i++)
		if (!filter || strstr(tests[i].name, filter))
			n++;
	/* a filter that matches nothing is a typo, not a pass */
	if (!n) {
		fprintf(stderr, "%s: no test name contains '%s'\n", argv[0], filter ? filter : "");
		return 2;
	}
	printf("KTAP version 1\n1..%u\n", n);
	n = 0;
	for (i = 0; i < nr_tests; i++) {
		const struct test *t = &tests[i];
		int outcome;

		if (filter && !strstr(t->name, filter))
			continue;
		outcome = run_one(t);
		n++;
		if (outcome == PASSED) {
			printf("ok %u %s\n", n, t->name);
			passed++;
		} else if (outcome == SKIPPED) {
			printf("ok %u %s # SKIP %s\n", n, t->name, skip_reason);
			skipped++;
		} else {
			printf("not ok %u %s\n", n, t->name);
			failed++;
		}
	}
	/* kselftest's totals line, then the project's closing line */
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n", passed, failed,
	       skipped);
	printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
