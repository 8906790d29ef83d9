// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-thread": kmend_test_target's sleep, value, step and chain,
 * under LEAVE_PATCHED_SET + SWITCH_THREAD (each task switches once nothing
 * of them is on its stack).
 */
#include "chain_update.h"
#include "sleep_update.h"
#include "test_update.h"

KMEND_TEST_UPDATE("test-thread", "kmend_test_target",
		  KMEND_LEAVE_PATCHED_SET, KMEND_SWITCH_THREAD,
		  { .old_name = "kmend_test_sleep", .new_func = new_sleep },
		  { .old_name = "kmend_test_value", .new_func = new_value },
		  { .old_name = "kmend_test_step", .new_func = new_step },
		  { .old_name = "kmend_test_chain", .new_func = new_chain });
