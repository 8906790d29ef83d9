// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-late-missing": a function kmend_test_target lacks. Applied
 * while the module is not loaded, it makes the module's load fail.
 */
#include "test_update.h"

static void new_func(void)
{
}

KMEND_TEST_UPDATE("test-late-missing", "kmend_test_target",
		  KMEND_LEAVE_PATCHED_SET, KMEND_SWITCH_KERNEL,
		  { .old_name = "kmend_no_such_function", .new_func = new_func });
