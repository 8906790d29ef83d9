// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-cold": kmend_test_unlikely under the default model
 * (leave=patched-set, switch=kernel). Both the original and the
 * replacement have a cold part that a task can sleep in.
 */
#include "cold_update.h"
#include "test_update.h"

KMEND_TEST_UPDATE("test-cold", "kmend_test_target",
		  KMEND_LEAVE_PATCHED_SET, KMEND_SWITCH_KERNEL,
		  { .old_name = "kmend_test_unlikely", .new_func = new_unlikely });
