// SPDX-License-Identifier: GPL-2.0
/*
 * leave_kernel.c - LEAVE_KERNEL + SWITCH_KERNEL: every user task out of the
 * kernel at once, through the freezer as suspend does (a task sleeping in
 * the kernel is woken and stops on its way back to user space), then one
 * switch with the machine stopped, the kernel threads' stacks checked as
 * in switch_kernel.c; then user space runs again. A task that cannot
 * leave the kernel (an uninterruptible sleep) makes the freeze fail. The
 * freezer freezes a task in a freezable sleep (nanosleep, futex waits)
 * where it sleeps: such a task stays in its system call across the switch,
 * kept out of the patched set by the stack check alone (docs/engine.md).
 */
#include <linux/suspend.h>

#include "ksyms.h"
#include "model.h"

static int leave_kernel(struct kmend_transition *t)
{
	struct kmend_state *st = t->st;
	unsigned int sleep_flags;
	int ret;

	/*
	 * Not holding kmend_mutex while user space freezes: a task waiting
	 * for it (a module load's notifier, an update registering) could not
	 * freeze. Once frozen, no user task can want it (module loads come
	 * from user space, and user-mode helpers are off while frozen), so it
	 * is taken again for the switch. Not while the system suspends or
	 * hibernates either.
	 */
	mutex_unlock(&kmend_mutex);
	sleep_flags = lock_system_sleep();
	ret = kmend_ksyms.freeze_processes();
	mutex_lock(&kmend_mutex);
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
