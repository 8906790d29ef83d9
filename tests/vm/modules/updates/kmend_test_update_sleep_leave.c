// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-sleep-leave": kmend_test_sleep, kmend_test_value and the
 * step and chain, under LEAVE_KERNEL + SWITCH_KERNEL (user space frozen,
 * then one stop).
 */
#include "chain_update.h"
#include "sleep_update.h"
#include "test_update.h"

KMEND_TEST_UPDATE("test-sleep-leave", "kmend_test_target",
		  KMEND_LEAVE_KERNEL, KMEND_SWITCH_KERNEL,
		  { .old_name = "kmend_test_sleep", .new_func = new_sleep },
		  { .old_name = "kmend_test_value", .new_func = new_value },
		  { .old_name = "kmend_test_step", .new_func = new_step },
		  { .old_name = "kmend_test_chain", .new_func = new_chain });
