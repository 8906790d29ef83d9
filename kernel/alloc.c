// SPDX-License-Identifier: GPL-2.0
/*
 * alloc.c - the engine's allocator: kzalloc with fault injection and a count
 * of live allocations.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/slab.h>

#include "alloc.h"
#include "log.h"

static atomic_t live = ATOMIC_INIT(0);
/* bytes held by live allocations, as the slab allocator sized them */
static atomic_long_t live_bytes = ATOMIC_LONG_INIT(0);
/*
 * 0: off; n > 0: the n-th allocation from now and every later one fail,
 * until 0 is written (so that a caller that retries fails again).
 */
static atomic_t fail_countdown = ATOMIC_INIT(0);

static bool should_fail(size_t size)
{
	int left = atomic_read(&fail_countdown);

	while (left > 1)
		if (atomic_try_cmpxchg(&fail_countdown, &left, left - 1))
			return false;
	if (left == 1) {
		pr_info("injected allocation failure (%zu bytes)\n", size);
		return true;
	}
	return false;
}

/*
 * Each allocation starts with a header holding the size asked for (not
 * ksize(), which would tell KASAN the whole slab object is in use).
 */
#define KMEND_ALLOC_HEADER 16

void *kmend_alloc(size_t size)
{
	return kmend_alloc_gfp(size, GFP_KERNEL);
}

void *kmend_alloc_gfp(size_t size, gfp_t gfp)
{
	size_t *p;

	if (should_fail(size) || size > SIZE_MAX - KMEND_ALLOC_HEADER)
		return NULL;
	p = kzalloc(size + KMEND_ALLOC_HEADER, gfp);
	if (!p)
		return NULL;
	*p = size;
	atomic_inc(&live);
	atomic_long_add(size, &live_bytes);
	return (char *)p + KMEND_ALLOC_HEADER;
}

void kmend_free(const void *p)
{
	const size_t *head;

	if (!p)
		return;
	head = (const size_t *)((const char *)p - KMEND_ALLOC_HEADER);
	atomic_dec(&live);
	atomic_long_sub(*head, &live_bytes);
	kfree(head);
}

static int fail_get(void *data, u64 *val)
{
	*val = atomic_read(&fail_countdown);
	return 0;
}

static int fail_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	atomic_set(&fail_countdown, val);
	return 0;
}

static int live_get(void *data, u64 *val)
{
	*val = atomic_read(&live);
	return 0;
}

static int bytes_get(void *data, u64 *val)
{
	*val = atomic_long_read(&live_bytes);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(fail_fops, fail_get, fail_set, "%llu\n");
DEFINE_DEBUGFS_ATTRIBUTE(bytes_fops, bytes_get, NULL, "%llu\n");
DEFINE_DEBUGFS_ATTRIBUTE(live_fops, live_get, NULL, "%llu\n");

void kmend_alloc_debugfs_init(void)
{
	debugfs_create_file_unsafe("fail_alloc", 0600, kmend_debugfs_root(),
				   NULL, &fail_fops);
	debugfs_create_file_unsafe("allocations", 0400, kmend_debugfs_root(),
				   NULL, &live_fops);
	debugfs_create_file_unsafe("allocated_bytes", 0400, kmend_debugfs_root(),
				   NULL, &bytes_fops);
}
