// SPDX-License-Identifier: GPL-2.0
/*
 * An update whose id holds non-ASCII letters ("café" in UTF-8, whose bytes
 * the kernel's isalnum() takes for Latin-1 letters): it must be refused at
 * registration. Found by the engine fuzzer.
 */
#include "sleep_update.h"
#include "test_update.h"

KMEND_TEST_UPDATE("caf\xc3\xa9", "kmend_test_target",
		  KMEND_LEAVE_PATCHED_SET, KMEND_SWITCH_KERNEL,
		  { .old_name = "kmend_test_sleep", .new_func = new_sleep },
		  { .old_name = "kmend_test_value", .new_func = new_value });
