// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "trigger.h"

static struct {
	const char *what;
	unsigned int nth, seen;
	test_action action;
	void *arg;
	bool fired;
	int thread;
} trigger;

static void trigger_point(void *ctx, u32 object, enum kfp_access access, const char *what)
{
	(void)ctx;
	(void)object;
	(void)access;
	if (trigger.fired || !trigger.what || !what || strcmp(what, trigger.what))
		return;
	if (++trigger.seen < trigger.nth)
		return;
	trigger.fired = true;
	trigger.thread = 1;
	trigger.action(trigger.arg);
	trigger.thread = 0;
}

/* Nobody else runs: a lock that is taken stays taken (a deadlock report). */
static bool trigger_block(void *ctx, const struct kfp_lock *lock, bool write)
{
	(void)ctx;
	(void)lock;
	(void)write;
	return false;
}

static int trigger_thread(void *ctx)
{
	(void)ctx;
	return trigger.thread;
}

static const struct kfp_seam_ops trigger_ops = {
	.point = trigger_point,
	.block = trigger_block,
	.current_thread = trigger_thread,
};

void test_trigger_install(struct kfp_reports *reports)
{
	memset(&trigger, 0, sizeof(trigger));
	kfp_seam_install(&trigger_ops, NULL, reports);
}

void test_trigger_arm(const char *what, unsigned int nth, test_action action, void *arg)
{
	memset(&trigger, 0, sizeof(trigger));
	trigger.what = what;
	trigger.nth = nth;
	trigger.action = action;
	trigger.arg = arg;
}

bool test_trigger_has_fired(void)
{
	return trigger.fired;
}
