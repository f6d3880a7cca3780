/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A KTAP test harness in the style of tools/testing/vma and KVM selftests.
 *
 * TEST(name) { ... } registers a test.  ASSERT_*() print file:line, the
 * expression and both values, then end the test as failed; SKIP() ends it
 * with a KTAP "# SKIP" directive.  The runner prints KTAP version 1 and a
 * closing line "N passed, N failed".
 */
#ifndef KFP_TEST_HARNESS_H
#define KFP_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef void (*kfp_test_fn)(void);

void kfp_test_register(const char *name, const char *file, int line, kfp_test_fn fn);
void __attribute__((noreturn)) kfp_test_fail(void);
void __attribute__((noreturn)) kfp_test_skip(const char *reason);
void kfp_test_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TEST(name)                                                         \
	static void test_##name(void);                                     \
	__attribute__((constructor)) static void register_##name(void)     \
	{                                                                  \
		kfp_test_register(#name, __FILE__, __LINE__, test_##name); \
	}                                                                  \
	static void test_##name(void)

#define __ASSERT_CMP(a, b, op, name)                                                             \
	do {                                                                                     \
		long long __a = (long long)(a), __b = (long long)(b);                            \
		if (!(__a op __b)) {                                                             \
			kfp_test_diag("%s:%d: %s(%s, %s) failed", __FILE__, __LINE__, name, #a,  \
				      #b);                                                       \
			kfp_test_diag("  %s = %lld (0x%llx)", #a, __a, (unsigned long long)__a); \
			kfp_test_diag("  %s = %lld (0x%llx)", #b, __b, (unsigned long long)__b); \
			kfp_test_fail();                                                         \
		}                                                                                \
	} while (0)

#define ASSERT_EQ(a, b) __ASSERT_CMP(a, b, ==, "ASSERT_EQ")
#define ASSERT_NE(a, b) __ASSERT_CMP(a, b, !=, "ASSERT_NE")
#define ASSERT_LT(a, b) __ASSERT_CMP(a, b, <, "ASSERT_LT")
#define ASSERT_LE(a, b) __ASSERT_CMP(a, b, <=, "ASSERT_LE")
#define ASSERT_GT(a, b) __ASSERT_CMP(a, b, >, "ASSERT_GT")
#define ASSERT_GE(a, b) __ASSERT_CMP(a, b, >=, "ASSERT_GE")

#define ASSERT_TRUE(e)                                                                          \
	do {                                                                                    \
		if (!(e)) {                                                                     \
			kfp_test_diag("%s:%d: ASSERT_TRUE(%s) failed", __FILE__, __LINE__, #e); \
			kfp_test_fail();                                                        \
		}                                                                               \
	} while (0)

#define ASSERT_FALSE(e)                                                                          \
	do {                                                                                     \
		if (e) {                                                                         \
			kfp_test_diag("%s:%d: ASSERT_FALSE(%s) failed", __FILE__, __LINE__, #e); \
			kfp_test_fail();                                                         \
		}                                                                                \
	} while (0)

#define SKIP(reason) kfp_test_skip(reason)

#endif /* KFP_TEST_HARNESS_H */
