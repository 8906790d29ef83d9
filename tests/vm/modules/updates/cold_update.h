/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The replacement of kmend_test_target's kmend_test_unlikely(), shared by
 * the updates that test cold parts: it returns "patched", unless parameter
 * "hold" is 1; then its cold part calls a function that sleeps until hold
 * is 0 again (or a fatal signal comes), so a task sits in new_unlikely.cold
 * with no return address in new_unlikely itself.
 */
#ifndef KMEND_TEST_COLD_UPDATE_H
#define KMEND_TEST_COLD_UPDATE_H

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>

static int hold;
module_param(hold, int, 0600);
static atomic_t held;

static noinline __cold const char *held_in_cold_part(void)
{
	while (READ_ONCE(hold) && !fatal_signal_pending(current))
		msleep(20);
	return "patched-held";
}

static const char *new_unlikely(void)
{
	const char *ret = "patched";

	if (READ_ONCE(hold)) {
		/* work after the call: a call, not a jump, from the cold part */
		ret = held_in_cold_part();
		atomic_inc(&held);
	}
	return ret;
}

#endif
