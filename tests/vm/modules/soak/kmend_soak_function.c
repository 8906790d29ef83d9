// SPDX-License-Identifier: GPL-2.0
/*
 * Soak update "soak-function" (leave=function,switch=function): the test
 * target's value only (old and new code may run side by side, so a chain
 * may mix them), and the function of the churn module.
 */
#include "soak_update.h"

KMEND_SOAK_UPDATE("soak-function", KMEND_LEAVE_FUNCTION, KMEND_SWITCH_FUNCTION,
		  false);
