/* SPDX-License-Identifier: GPL-2.0 */
/* stackcheck.h - is a task's stack in code being replaced? */
#ifndef _KMEND_STACKCHECK_H
#define _KMEND_STACKCHECK_H

#include "model.h"

/*
 * Is any code of @t's patched set on @task's stack? Returns 0 if not,
 * -EADDRINUSE with *hit set to the return address found if so, and -EINVAL
 * (*hit = 0) if the stack cannot be walked reliably, which counts as busy.
 * The task must not be running, or be current. Callers hold kmend_mutex
 * (the trace buffer is shared).
 */
int kmend_stack_check(struct task_struct *task,
		      const struct kmend_transition *t, unsigned long *hit);

/*
 * The same, and is @task asleep on its way back to user space (after a
 * system call, an interrupt or an exception)? -EAGAIN if it is not: it is
 * inside the kernel. Same conditions.
 */
int kmend_stack_check_boundary(struct task_struct *task,
			       const struct kmend_transition *t,
			       unsigned long *hit);

/*
 * The same for a task that may be running: it is held off its CPU while
 * its stack is read (task_call_func(), as the kernel's livepatch does);
 * a task running on another CPU is -EBUSY.
 */
int kmend_stack_check_pinned(struct task_struct *task,
			     const struct kmend_transition *t,
			     unsigned long *hit);

/*
 * Run @fn(@task, @arg) from the stopper of @cpu, with @task held off its
 * CPU as in kmend_stack_check_pinned() (a task that was running there is
 * now preempted, its stack still); a NULL @task is @cpu's idle task.
 * Returns what @fn returned, or stop_one_cpu()'s error. Sleeps.
 */
int kmend_call_off_cpu(unsigned int cpu, struct task_struct *task,
		       int (*fn)(struct task_struct *task, void *arg),
		       void *arg);

/*
 * The stack check of a task found running (or of @cpu's idle task, @task
 * NULL), made from its CPU's stopper; -EBUSY if it ran on elsewhere.
 */
int kmend_stack_check_off_cpu(unsigned int cpu, struct task_struct *task,
			      const struct kmend_transition *t,
			      unsigned long *hit);

/* Note @task in the update's conflicts (addr 0: unreliable stack). */
void kmend_conflict_add(struct kmend_state *st, struct task_struct *task,
			unsigned long addr);

#endif /* _KMEND_STACKCHECK_H */
