// SPDX-License-Identifier: GPL-2.0
/* Names kmend_test_dup without saying which: failed_to_find. */
#include "test_update.h"

static const char *new_dup(void)
{
	return "patched";
}

KMEND_TEST_UPDATE("test-dup-ambiguous", "kmend_test_target",
		  KMEND_LEAVE_PATCHED_SET, KMEND_SWITCH_KERNEL,
		  { .old_name = "kmend_test_dup", .new_func = new_dup });
