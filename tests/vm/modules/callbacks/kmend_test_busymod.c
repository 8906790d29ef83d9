// SPDX-License-Identifier: GPL-2.0
/*
 * A target module whose work function, busymod_work_func(), an update
 * replaces. With block_transition=Y it stays inside that function until
 * the parameter is set to N (or the module unloads), so that a switch that
 * needs the function idle cannot happen.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/workqueue.h>

static bool block_transition;
module_param(block_transition, bool, 0644);

static DECLARE_COMPLETION(started);

static noinline void busymod_work_func(struct work_struct *work)
{
	pr_info("%s: running\n", __func__);
	complete(&started);
	while (READ_ONCE(block_transition))
		msleep(20);
	pr_info("%s: returns\n", __func__);
}

static DECLARE_WORK(work, busymod_work_func);

static int __init kmend_test_busymod_init(void)
{
	pr_info("%s: loading\n", __func__);
	schedule_work(&work);
	wait_for_completion(&started);
	/* the work's lines before the init returns, unless it blocks */
	if (!block_transition)
		flush_work(&work);
	return 0;
}

static void __exit kmend_test_busymod_exit(void)
{
	WRITE_ONCE(block_transition, false);
	flush_work(&work);
	pr_info("%s: unloading\n", __func__);
}

module_init(kmend_test_busymod_init);
module_exit(kmend_test_busymod_exit);
MODULE_LICENSE("GPL");
