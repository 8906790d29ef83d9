// SPDX-License-Identifier: GPL-2.0
/* Replaces the second of the target's two static kmend_test_dup. */
#include "test_update.h"

static const char *new_dup(void)
{
	return "patched2";
}

KMEND_TEST_UPDATE("test-dup", "kmend_test_target",
		  KMEND_LEAVE_PATCHED_SET, KMEND_SWITCH_KERNEL,
		  { .old_name = "kmend_test_dup", .old_sympos = 2, .new_func = new_dup });
