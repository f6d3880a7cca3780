// SPDX-License-Identifier: GPL-2.0
/*
 * Spin-wait reduction: a retry loop that can only make progress once some
 * other thread writes an object (an invalidation ending, a memslot update
 * finishing) tells the seam so, and the explorer parks it instead of
 * exploring every spin.  Run sequentially nobody else exists, so the wait
 * is refused and the caller gives up.
 */
#include <kfp/seam.h>

bool kfp_wait_for_change(u32 object, const char *what)
{
	if (!kfp_seam.ops->wait)
		return false;
	return kfp_seam.ops->wait(kfp_seam.ctx, object, what);
}
