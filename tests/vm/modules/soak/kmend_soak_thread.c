// SPDX-License-Identifier: GPL-2.0
/*
 * Soak update "soak-thread" (leave=patched-set,switch=thread): the test
 * target's value, step and chain, and the function of the churn module.
 */
#include "soak_update.h"

KMEND_SOAK_UPDATE("soak-thread", KMEND_LEAVE_PATCHED_SET, KMEND_SWITCH_THREAD, true);
