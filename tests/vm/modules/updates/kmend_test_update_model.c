// SPDX-License-Identifier: GPL-2.0
/* Asks for a consistency model the engine lacks: refused at load. */
#include "test_update.h"

static void new_func(void)
{
}

KMEND_TEST_UPDATE("test-model", NULL,
		  KMEND_LEAVE_FUNCTION, KMEND_SWITCH_THREAD,
		  { .old_name = "cmdline_proc_show", .new_func = new_func });
