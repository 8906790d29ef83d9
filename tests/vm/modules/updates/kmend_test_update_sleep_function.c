// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-sleep-function": kmend_test_sleep and kmend_test_value,
 * under LEAVE_FUNCTION + SWITCH_FUNCTION. The new sleeping function
 * returns at once, unless parameter "hold" is 1.
 */
#include "sleep_update.h"
#include "test_update.h"

KMEND_TEST_UPDATE("test-sleep-function", "kmend_test_target",
		  KMEND_LEAVE_FUNCTION, KMEND_SWITCH_FUNCTION,
		  { .old_name = "kmend_test_sleep", .new_func = new_sleep },
		  { .old_name = "kmend_test_value", .new_func = new_value });
