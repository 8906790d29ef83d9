// SPDX-License-Identifier: GPL-2.0
/* Replaces the target's value function only. */
#include "test_update.h"

static const char *new_value(void)
{
	return "patched";
}

KMEND_TEST_UPDATE("test-value", "kmend_test_target",
		  KMEND_LEAVE_PATCHED_SET, KMEND_SWITCH_KERNEL,
		  { .old_name = "kmend_test_value", .new_func = new_value });
