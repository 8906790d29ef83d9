// SPDX-License-Identifier: GPL-2.0
/*
 * Replaces a function without an ftrace site, marked entry_jump but with no
 * pre code to check its branches against: must be refused.
 */
#include "test_update.h"

static const char *new_notrace(void)
{
	return "patched";
}

KMEND_TEST_UPDATE("test-entry", "kmend_test_target",
		  KMEND_LEAVE_PATCHED_SET, KMEND_SWITCH_KERNEL,
		  { .old_name = "kmend_test_notrace", .new_func = new_notrace,
		    .entry_jump = true });
