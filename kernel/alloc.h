/* SPDX-License-Identifier: GPL-2.0 */
/* alloc.h - the engine's allocator, with fault injection and a count. */
#ifndef _KMEND_ALLOC_H
#define _KMEND_ALLOC_H

#include <linux/types.h>

/*
 * Every allocation of the engine goes through these, so that tests can
 * (a) make the n-th one and all after it fail, through
 * /sys/kernel/debug/kmend/fail_alloc, to walk every error path, and
 * (b) see in .../allocations that nothing the engine allocated outlives
 * its use.
 */
void *kmend_alloc(size_t size);
/* The same with @gfp (GFP_ATOMIC in atomic context). */
void *kmend_alloc_gfp(size_t size, gfp_t gfp);
void kmend_free(const void *p);

void kmend_alloc_debugfs_init(void);

#endif /* _KMEND_ALLOC_H */
