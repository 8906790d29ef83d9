// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-idle": do_idle() under LEAVE_FUNCTION + SWITCH_FUNCTION (idle
 * CPUs are always inside it, so no model that checks stacks before the
 * switch can apply it). Its undo must wait for the idle tasks to leave its code before the
 * module may go.
 */
#include "idle_update.h"
#include "test_update.h"

KMEND_TEST_UPDATE_FULL("test-idle", NULL, KMEND_LEAVE_FUNCTION,
		       KMEND_SWITCH_FUNCTION, 0, relocs,
		       { .old_name = "do_idle", .new_func = new_do_idle });
