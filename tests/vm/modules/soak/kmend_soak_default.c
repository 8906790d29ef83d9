// SPDX-License-Identifier: GPL-2.0
/*
 * Soak update "soak-default" (the default model): the test target's value
 * (the chain is left alone: a reader is nearly always inside it, which
 * makes the stop-and-check model code_busy, as it should), and the
 * function of the churn module.
 */
#include "soak_update.h"

KMEND_SOAK_UPDATE("soak-default", KMEND_LEAVE_PATCHED_SET, KMEND_SWITCH_KERNEL,
		  false);
