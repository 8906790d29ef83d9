// SPDX-License-Identifier: GPL-2.0
/* Targets a module that is not loaded: target_not_loaded. */
#include "test_update.h"

static void new_func(void)
{
}

KMEND_TEST_UPDATE("test-absent", "kmend_no_such_module",
		  KMEND_LEAVE_PATCHED_SET, KMEND_SWITCH_KERNEL,
		  { .old_name = "some_function", .new_func = new_func });
