// SPDX-License-Identifier: GPL-2.0
/*
 * kmend_bench.ko - the kernel side of make bench, read from
 * /sys/kernel/debug/kmend_bench/:
 *   calls  nanoseconds for @loops calls of jiffies_to_msecs(), the function
 *          the bench's updates replace: unpatched, through kmend's engine,
 *          through the kernel's livepatch, read in turn in one boot;
 *   stop   nanoseconds of one empty stop_machine(), the mean of @stops,
 *          the floor of kmend's stop-and-switch.
 */
#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/stop_machine.h>

static unsigned int loops = 1000000;
module_param(loops, uint, 0644);
MODULE_PARM_DESC(loops, "calls per read of calls");

static unsigned int stops = 20;
module_param(stops, uint, 0644);
MODULE_PARM_DESC(stops, "stop_machine() calls per read of stop");

static struct dentry *dir;
static unsigned long sink;

static int calls_get(void *data, u64 *val)
{
	unsigned int i, n = READ_ONCE(loops);
	unsigned long sum = 0;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < n; i++)
		sum += jiffies_to_msecs(i);
	*val = ktime_get_ns() - t0;
	WRITE_ONCE(sink, sum);	/* the calls must happen */
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(calls_fops, calls_get, NULL, "%llu\n");

static int nothing(void *data)
{
	return 0;
}

static int stop_get(void *data, u64 *val)
{
	unsigned int i, n = max(1U, READ_ONCE(stops));
	u64 t0 = ktime_get_ns();
	int ret;

	for (i = 0; i < n; i++) {
		ret = stop_machine(nothing, NULL, NULL);
		if (ret)
			return ret;
	}
	*val = div_u64(ktime_get_ns() - t0, n);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(stop_fops, stop_get, NULL, "%llu\n");

static int __init kmend_bench_init(void)
{
	dir = debugfs_create_dir("kmend_bench", NULL);
	debugfs_create_file_unsafe("calls", 0400, dir, NULL, &calls_fops);
	debugfs_create_file_unsafe("stop", 0400, dir, NULL, &stop_fops);
	return 0;
}

static void __exit kmend_bench_exit(void)
{
	debugfs_remove(dir);
}

module_init(kmend_bench_init);
module_exit(kmend_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmend's benchmark: the cost of a call, an empty stop_machine()");
