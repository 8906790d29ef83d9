// SPDX-License-Identifier: GPL-2.0
/* Replaces a function vmlinux does not have: failed_to_find. */
#include "test_update.h"

static void new_missing(void)
{
}

KMEND_TEST_UPDATE("test-missing", NULL,
		  KMEND_LEAVE_PATCHED_SET, KMEND_SWITCH_KERNEL,
		  { .old_name = "kmend_no_such_function", .new_func = new_missing });
