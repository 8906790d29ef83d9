// SPDX-License-Identifier: GPL-2.0
/*
 * Soak update "soak-thread-kernel" (leave=kernel,switch=thread): the test
 * target's value, step and chain, and the function of the churn module.
 */
#include "soak_update.h"

KMEND_SOAK_UPDATE("soak-thread-kernel", KMEND_LEAVE_KERNEL, KMEND_SWITCH_THREAD, true);
