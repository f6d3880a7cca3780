// SPDX-License-Identifier: GPL-2.0
/* The explorer tests' small programs (toy_programs.h). */
#include <string.h>

#include "toy_programs.h"

struct toy toy;

u32 toy_object(unsigned int i)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_MEMORY_OBJECT, i);
}

void toy_program_init(struct kfp_program *program, unsigned int n,
		      void (*fn)(void *state, void *arg))
{
	unsigned int i;

	memset(&toy, 0, sizeof(toy));
	kfp_lock_init(&toy.lock, KFP_LOCK_MUTEX, 100, "lock");
	kfp_lock_init(&toy.other, KFP_LOCK_MUTEX, 101, "other");
	kfp_lock_init(&toy.shared, KFP_LOCK_RWLOCK, 102, "shared");
	memset(program, 0, sizeof(*program));
	program->state = &toy;
	program->state_size = sizeof(toy);
	program->reports = &toy.reports;
	program->nr_threads = n;
	for (i = 0; i < n; i++) {
		program->thread[i].fn = fn;
		program->thread[i].arg = (void *)(uintptr_t)i;
	}
}

void toy_write_own(void *state, void *arg)
{
	(void)state;
	kfp_shared_write(toy_object((unsigned int)(uintptr_t)arg), "write own");
}

void toy_racy_increment(void *state, void *arg)
{
	struct toy *t = state;
	long value;

	(void)arg;
	kfp_shared_read(toy_object(1), "read counter");
	value = t->counter;
	kfp_shared_write(toy_object(1), "write counter");
	t->counter = value + 1;
}

void toy_check_counter(void *state, void *arg)
{
	struct toy *t = state;

	if (t->counter != (long)(uintptr_t)arg)
		kfp_report(KFP_PROPERTY_P1, KFP_REPORT_REFCOUNT_MISMATCH, KFP_PFN_NONE, 0,
			   t->counter, "lost update");
}

void toy_nested_reader(void *state, void *arg)
{
	struct toy *t = state;

	(void)arg;
	kfp_read_lock(&t->shared);
	kfp_read_lock(&t->shared);
	kfp_shared_read(toy_object(1), "read counter");
	t->seen = t->counter;
	kfp_read_unlock(&t->shared);
	kfp_read_unlock(&t->shared);
}

void toy_exclusive_writer(void *state, void *arg)
{
	struct toy *t = state;

	(void)arg;
	kfp_write_lock(&t->shared);
	kfp_shared_write(toy_object(1), "write counter");
	t->counter = 1;
	kfp_write_unlock(&t->shared);
}

void toy_mode_read_in_place(void *state, void *arg)
{
	struct toy *t = state;

	if ((uintptr_t)arg) {
		kfp_shared_write(toy_object(1), "write");
		return;
	}
	t->mode = 1;
	kfp_shared_read(toy_object(1), "read in the mode");
	kfp_shared_write(toy_object(2), "leave the mode");
	t->seen = t->mode;
	t->mode = 0;
}

void toy_check_mode_seen(void *state, void *arg)
{
	struct toy *t = state;

	(void)arg;
	if (t->seen != 1)
		kfp_report(KFP_PROPERTY_P1, KFP_REPORT_REFCOUNT_MISMATCH, KFP_PFN_NONE, 0, t->seen,
			   "read outside the mode");
}

void toy_lockstep(void *state, void *arg)
{
	struct toy *t = state;
	unsigned int i, lockstep = 0;

	if (!arg) {
		for (i = 1; i <= TOY_LOCKSTEP_ROUNDS; i++) {
			kfp_shared_write(toy_object(2), "write flag");
			t->flag = i;
		}
		kfp_shared_read(toy_object(3), "read x");
		t->seen = t->x;
		kfp_shared_read(toy_object(4), "read y");
		t->seen += 2 * t->y;
		return;
	}
	for (i = 1; i <= TOY_LOCKSTEP_ROUNDS; i++) {
		kfp_shared_read(toy_object(2), "read flag");
		lockstep += t->flag == i;
	}
	if (lockstep < TOY_LOCKSTEP_ROUNDS)
		return;
	if ((uintptr_t)arg == 1) {
		kfp_shared_write(toy_object(3), "write x");
		t->x = 1;
		kfp_shared_write(toy_object(4), "write y");
		t->y = 1;
	} else {
		kfp_shared_read(toy_object(3), "read x");
		kfp_shared_read(toy_object(4), "read y");
	}
}

void toy_check_seen_zero(void *state, void *arg)
{
	struct toy *t = state;

	(void)arg;
	if (t->seen)
		kfp_report(KFP_PROPERTY_P1, KFP_REPORT_REFCOUNT_MISMATCH, KFP_PFN_NONE, 0, t->seen,
			   "x or y written before thread 0 read it");
}

void toy_spin_forever(void *state, void *arg)
{
	(void)state;
	(void)arg;
	for (;;)
		kfp_shared_read(toy_object(7), "spin");
}
