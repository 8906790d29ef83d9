// SPDX-License-Identifier: GPL-2.0
/* Requires a target module that is not loaded: target_not_loaded. */
#include "test_update.h"

static void new_func(void)
{
}

KMEND_TEST_UPDATE_FLAGS("test-absent", "kmend_no_such_module",
			KMEND_LEAVE_PATCHED_SET, KMEND_SWITCH_KERNEL,
			KMEND_REQUIRE_TARGETS,
			{ .old_name = "some_function", .new_func = new_func });
