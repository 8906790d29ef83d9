// SPDX-License-Identifier: GPL-2.0
/*
 * Soak update "soak-leave" (leave=kernel,switch=kernel): the test target's
 * value, step and chain, and the function of the churn module.
 */
#include "soak_update.h"

KMEND_SOAK_UPDATE("soak-leave", KMEND_LEAVE_KERNEL, KMEND_SWITCH_KERNEL, true);
