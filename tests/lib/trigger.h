/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trigger seam of the hand-driven race tests: a sequential seam that,
 * at the nth point named @what, runs an action as if another thread (1)
 * had been scheduled there.  The mm and KVM fixtures both use it.
 */
#ifndef KFP_TEST_TRIGGER_H
#define KFP_TEST_TRIGGER_H

#include <kfp/seam.h>

typedef void (*test_action)(void *arg);

/* Install the trigger seam, disarmed, with @reports as the report log. */
void test_trigger_install(struct kfp_reports *reports);
/* Arm it: run @action(@arg) once, at the @nth point named @what. */
void test_trigger_arm(const char *what, unsigned int nth, test_action action, void *arg);
bool test_trigger_has_fired(void);

#endif /* KFP_TEST_TRIGGER_H */
