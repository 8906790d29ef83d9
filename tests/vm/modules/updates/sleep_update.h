/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The replacements of kmend_test_target's sleeping function and its value,
 * shared by the updates that hold the new code busy on demand: the new
 * sleeping function returns at once, unless parameter "hold" is 1; then it
 * sleeps until hold is 0 again (or a fatal signal comes).
 */
#ifndef KMEND_TEST_SLEEP_UPDATE_H
#define KMEND_TEST_SLEEP_UPDATE_H

#include <linux/delay.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>

static int hold;
module_param(hold, int, 0600);

static const char *new_sleep(void)
{
	/* only a fatal signal ends it: a per-task transition's wakeups do not */
	while (READ_ONCE(hold) && !fatal_signal_pending(current))
		msleep(20);
	return "patched-sleep";
}

static const char *new_value(void)
{
	return "patched";
}

#endif
