// SPDX-License-Identifier: GPL-2.0
/*
 * mmu notifiers (mm/mmu_notifier.c): every host operation that changes a
 * pte calls invalidate_range_start before and invalidate_range_end after,
 * and exit_mmap calls release first.  KVM registers here as a subscriber.
 * The mm counts active invalidations so that the checker can see an
 * unbalanced start/end.
 */
#include <kfp/mm.h>

static u32 notifier_object(void)
{
	return KFP_OBJECT(KFP_OBJECT_CLASS_MEMORY_OBJECT, 0xfffff);
}

/*
 * mm/mmu_notifier.c: the invalidations walk the list and run the callbacks
 * inside srcu_read_lock(&srcu); mmu_notifier_unregister() and
 * mn_hlist_release() call synchronize_srcu() after the unhook, so a
 * callback already running ends before the subscriber is torn down.
 */
static void synchronize_notifier_srcu(struct kfp_mm *mm)
{
	kfp_write_lock(&mm->notifier_srcu);
	kfp_write_unlock(&mm->notifier_srcu);
}

/*
 * mm/mmu_notifier.c mmu_notifier_register() takes the mmap lock for write
 * around __mmu_notifier_register(); under it, a torn-down mm (exit_mmap()
 * sets mm->dead under the same lock) is seen in order.
 */
int mmu_notifier_register(struct kfp_mm *mm, const struct mmu_notifier_ops *ops, void *private)
{
	int ret = -EINVAL;

	mmap_write_lock(mm);
	if (mm->dead)
		goto out_unlock;
	kfp_shared_write(notifier_object(), "mmu_notifier_register");
	ret = -ENOMEM;
	if (mm->nr_subscribers >= KFP_MAX_SUBSCRIBERS)
		goto out_unlock;
	mm->subscriber[mm->nr_subscribers].ops = ops;
	mm->subscriber[mm->nr_subscribers].data = private;
	mm->nr_subscribers++;
	ret = 0;
out_unlock:
	mmap_write_unlock(mm);
	return ret;
}

/*
 * mm/mmu_notifier.c mmu_notifier_unregister(): a subscriber still hooked
 * (exit_mmap has not released it yet) gets ->release before it is unhooked,
 * so that it drops its secondary mappings; one already released does not.
 */
void mmu_notifier_unregister(struct kfp_mm *mm, void *private)
{
	unsigned int i, j;

	kfp_shared_write(notifier_object(), "mmu_notifier_unregister");
	for (i = 0; i < mm->nr_subscribers; i++) {
		if (mm->subscriber[i].data != private)
			continue;
		if (mm->subscriber[i].ops->release)
			mm->subscriber[i].ops->release(mm, private);
		/* ->release took steps: the unhook is a write of its own */
		kfp_shared_write(notifier_object(), "hlist_del_init_rcu");
		for (j = i + 1; j < mm->nr_subscribers; j++)
			mm->subscriber[j - 1] = mm->subscriber[j];
		mm->nr_subscribers--;
		/* as at a release: the ends of those in flight reach it no more */
		mm->ends_after_unhook = mm->active_invalidations;
		synchronize_notifier_srcu(mm);
		return;
	}
}

/* mm/mmu_notifier.c __mmu_notifier_invalidate_range_start() */
void mmu_notifier_invalidate_range_start(struct kfp_mm *mm, const struct mmu_notifier_range *range)
{
	unsigned int i;

	/*
	 * The subscriber list is read under SRCU (mn_hlist_invalidate_range_start()):
	 * whether a concurrent release or unregister unhooked KVM yet decides
	 * whether KVM sees this start, so the read is a step of its own.
	 */
	kfp_read_lock(&mm->notifier_srcu);
	kfp_shared_read(notifier_object(), "mmu_notifier_invalidate_range_start");
	mm->stats.nr_invalidate_start++;
	mm->active_invalidations++;
	for (i = 0; i < mm->nr_subscribers; i++) {
		const struct kfp_mmu_notifier *subscriber = &mm->subscriber[i];

		if (subscriber->ops->invalidate_range_start)
			subscriber->ops->invalidate_range_start(mm, subscriber->data, range);
	}
	kfp_read_unlock(&mm->notifier_srcu);
}

/* mm/mmu_notifier.c __mmu_notifier_invalidate_range_end() */
void mmu_notifier_invalidate_range_end(struct kfp_mm *mm, const struct mmu_notifier_range *range)
{
	unsigned int i;

	/* as at the start: an end after the unhook does not reach KVM */
	kfp_read_lock(&mm->notifier_srcu);
	kfp_shared_read(notifier_object(), "mmu_notifier_invalidate_range_end");
	mm->stats.nr_invalidate_end++;
	if (--mm->active_invalidations < 0)
		kfp_report(KFP_PROPERTY_INVARIANT, KFP_REPORT_UNBALANCED, KFP_PFN_NONE, 0,
			   mm->active_invalidations, "invalidate_range_end");
	for (i = 0; i < mm->nr_subscribers; i++) {
		const struct kfp_mmu_notifier *subscriber = &mm->subscriber[i];

		if (subscriber->ops->invalidate_range_end)
			subscriber->ops->invalidate_range_end(mm, subscriber->data, range);
	}
	kfp_read_unlock(&mm->notifier_srcu);
}

/*
 * mm/mmu_notifier.c __mmu_notifier_release(): exit_mmap, before unmapping.
 * Every subscriber gets ->release and is then unhooked (hlist_del_init_rcu),
 * so the unmaps that follow notify nobody.
 */
void mmu_notifier_release(struct kfp_mm *mm)
{
	unsigned int i;

	kfp_shared_read(notifier_object(), "mn_hlist_release");
	mm->stats.nr_release++;
	for (i = 0; i < mm->nr_subscribers; i++) {
		const struct kfp_mmu_notifier *subscriber = &mm->subscriber[i];

		if (subscriber->ops->release)
			subscriber->ops->release(mm, subscriber->data);
	}
	kfp_shared_write(notifier_object(), "mmu_notifier_release");
	/*
	 * An invalidation in flight now reached the subscribers at its start
	 * and will not at its end (mn_hlist_invalidate_end() walks the list
	 * the unhook emptied): their counts stay raised, as upstream's
	 * kvm_destroy_vm() expects.
	 */
	mm->ends_after_unhook = mm->active_invalidations;
	mm->nr_subscribers = 0;
	synchronize_notifier_srcu(mm);
}
