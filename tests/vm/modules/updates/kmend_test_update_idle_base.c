// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-idle-base": do_idle() under LEAVE_FUNCTION + SWITCH_FUNCTION (idle
 * CPUs are always inside it, so no model that checks stacks before the
 * switch can apply it). Applied under test-idle, so that
 * undoing test-idle keeps the ftrace ops (and the synchronisation their
 * release would bring).
 */
#include "idle_update.h"
#include "test_update.h"

KMEND_TEST_UPDATE_FULL("test-idle-base", NULL, KMEND_LEAVE_FUNCTION,
		       KMEND_SWITCH_FUNCTION, 0, relocs,
		       { .old_name = "do_idle", .new_func = new_do_idle });
