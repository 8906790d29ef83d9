// SPDX-License-Identifier: GPL-2.0
/*
 * leave_kernel.c - LEAVE_KERNEL + SWITCH_KERNEL: every user task out of the
 * kernel at once, through the freezer as suspend does (a task sleeping in
 * the kernel is woken and stops on its way back to user space), then one
 * switch with the machine stopped, the kernel threads' stacks checked as
 * in switch_kernel.c; then user space runs again. A task that cannot
 * leave the kernel (an uninterruptible sleep) makes the freeze fail.
 */
#include <linux/suspend.h>

#include "ksyms.h"
#include "model.h"

static int leave_kernel(struct kmend_transition *t)
{
	struct kmend_state *st = t->st;
	unsigned int sleep_flags;
	int ret;

	/* not while the system suspends or hibernates */
	sleep_flags = lock_system_sleep();
	ret = kmend_ksyms.freeze_processes();
	if (ret) {
		unlock_system_sleep(sleep_flags);
		kmend_abort(st, KMEND_CODE_BUSY,
			    "user space could not be frozen (%d): a task stays in the kernel (the kernel log names it)",
			    ret);
		return ret;
	}
	kmend_log(st, "%s: user space frozen: every user task is out of the kernel",
		  t->revert ? "undo" : "apply");
	ret = kmend_switch_kernel(t);
	kmend_ksyms.thaw_processes();
	unlock_system_sleep(sleep_flags);
	return ret;
}

const struct kmend_model_ops kmend_leave_kernel_model = {
	.model = {
		.leave = KMEND_LEAVE_KERNEL,
		.sw = KMEND_SWITCH_KERNEL,
	},
	.switch_update = leave_kernel,
	.runs_hooks = true,
};
