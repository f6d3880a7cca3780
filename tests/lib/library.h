/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bundled scenario library, for the tests (and the benchmark) that go
 * over all of it: scenarios/bugs, races and thread, in name order.
 */
#ifndef KFP_TEST_LIBRARY_H
#define KFP_TEST_LIBRARY_H

#define KFP_LIBRARY_MAX 128
#define KFP_LIBRARY_PATH_LEN 256

/* Sanitizer builds run the library's heavier tests with smaller bounds. */
#if defined(__SANITIZE_ADDRESS__)
#define SLOW_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLOW_BUILD 1
#endif
#endif
#ifndef SLOW_BUILD
#define SLOW_BUILD 0
#endif

/* The paths of the bundled scenarios, sorted, at most KFP_LIBRARY_MAX; returns how many. */
unsigned int kfp_library_list(char (*paths)[KFP_LIBRARY_PATH_LEN]);

#endif /* KFP_TEST_LIBRARY_H */
