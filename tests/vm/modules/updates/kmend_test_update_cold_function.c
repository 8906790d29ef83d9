// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-cold-function": kmend_test_unlikely under LEAVE_FUNCTION +
 * SWITCH_FUNCTION, whose undo waits for tasks in the new code, its cold
 * part included.
 */
#include "cold_update.h"
#include "test_update.h"

KMEND_TEST_UPDATE("test-cold-function", "kmend_test_target",
		  KMEND_LEAVE_FUNCTION, KMEND_SWITCH_FUNCTION,
		  { .old_name = "kmend_test_unlikely", .new_func = new_unlikely });
