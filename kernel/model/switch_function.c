// SPDX-License-Identifier: GPL-2.0
/*
 * switch_function.c - LEAVE_FUNCTION + SWITCH_FUNCTION: each function
 * switches at once, with no stop and no stack check, for fixes whose old
 * and new code may run side by side (a task inside the old code finishes
 * there; its next call runs the new code).
 *
 * Undo switches every function off at once too, but the update's code may
 * only go once no task is inside it. No call can reach it any more, so
 * the tasks still in it leave it as they run: once every CPU has scheduled
 * (no ftrace handler still sends a call there), every task's stack is
 * checked, idle tasks and running ones from their CPU's stopper, until
 * none holds the new code or the ftrace return point of the original (a
 * task preempted in the trampoline, on its way to the new code). That
 * wait ends with the update undone, or after transition_timeout seconds
 * or on a signal with the functions switched on again (code_busy,
 * interrupted).
 */
#include <linux/cpu.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>

#include "alloc.h"
#include "ksyms.h"
#include "model.h"
#include "redirect.h"
#include "stackcheck.h"

#define DRAIN_RETRY_MS	50
#define DRAIN_LOG_EVERY	(HZ)

static void new_code_add(struct kmend_transition *n, unsigned long start,
		      unsigned long size)
{
	if (!start || !size)
		return;
	n->ranges[n->nr_ranges].start = start;
	n->ranges[n->nr_ranges].end = start + size;
	n->nr_ranges++;
}

/*
 * What must be off every stack before undo ends: the update's new code
 * with its cold parts, and the address a task preempted in the ftrace
 * trampoline returns to (the original's, right after its ftrace site).
 */
static int new_code(struct kmend_transition *n)
{
	struct kmend_pack *pack;
	struct kmend_func *func;
	unsigned int nr = 0;

	kmend_for_each_pack(n->st->update, pack)
		kmend_for_each_func(pack, func)
			nr++;
	n->ranges = kmend_alloc((nr ? 3 * nr : 1) * sizeof(*n->ranges));
	if (!n->ranges) {
		n->st->cause = KMEND_OUT_OF_MEMORY;
		return -ENOMEM;
	}
	n->nr_ranges = 0;
	kmend_for_each_pack(n->st->update, pack) {
		if (!pack->prepared)
			continue;
		kmend_for_each_func(pack, func) {
			unsigned long site;

			new_code_add(n, (unsigned long)func->new_func,
				  func->new_size);
			new_code_add(n, func->new_cold_addr, func->new_cold_size);
			site = kmend_ksyms.ftrace_location(func->old_addr);
			if (site)
				new_code_add(n, site + MCOUNT_INSN_SIZE, 1);
		}
	}
	return 0;
}

/* Tasks found running, checked after the walk from their CPU's stopper. */
struct running {
	unsigned int nr;
	unsigned int more;	/* that did not fit: busy until the next look */
	struct task_struct *task[KMEND_MAX_CONFLICTS];
};

static bool note(struct kmend_transition *n, struct task_struct *task,
		 int ret, unsigned long hit)
{
	if (!ret)
		return false;
	kmend_conflict_add(n->st, task, hit);
	return true;
}

/* Is any task inside the update's code? Every task, idle ones too. */
static bool busy(struct kmend_transition *n)
{
	struct task_struct *g, *task;
	struct running r = { };
	unsigned long hit;
	unsigned int cpu, i;
	bool in_way = false;
	int ret;

	n->st->nr_conflicts = 0;
	rcu_read_lock();
	for_each_process_thread(g, task) {
		ret = kmend_stack_check_pinned(task, n, &hit);
		if (ret == -EBUSY) {
			if (r.nr < ARRAY_SIZE(r.task)) {
				get_task_struct(task);
				r.task[r.nr++] = task;
			} else {
				r.more++;
			}
			continue;
		}
		in_way |= note(n, task, ret, hit);
	}
	rcu_read_unlock();

	for (i = 0; i < r.nr; i++) {
		task = r.task[i];
		ret = kmend_stack_check_off_cpu(task_cpu(task), task, n, &hit);
		in_way |= note(n, task, ret, hit);
		put_task_struct(task);
	}
	if (r.more) {
		n->st->nr_conflicts += r.more;
		in_way = true;
	}

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		task = kmend_ksyms.idle_task(cpu);
		ret = kmend_stack_check_off_cpu(cpu, NULL, n, &hit);
		in_way |= note(n, task, ret, hit);
	}
	cpus_read_unlock();
	return in_way;
}

/*
 * Wait until no task is in @n's code: 0, -EBUSY (timeout), -EINTR or
 * -ENOMEM. kmend_mutex is released between looks.
 */
static int drain(struct kmend_transition *n)
{
	unsigned int timeout = kmend_transition_timeout();
	unsigned long start = jiffies, deadline = start + timeout * HZ;
	unsigned long next_log = start;
	unsigned int attempt;
	int ret;

	for (attempt = 1;; attempt++) {
		ret = kmend_transition_refresh(n);
		if (ret)
			return ret;
		if (!busy(n))
			break;
		if (time_after_eq(jiffies, next_log)) {
			kmend_log(n->st, "undo attempt %u: %u task%s still in the new code",
				  attempt, n->st->nr_conflicts,
				  n->st->nr_conflicts == 1 ? "" : "s");
			next_log = jiffies + DRAIN_LOG_EVERY;
		}
		if (time_after(jiffies, deadline))
			return -EBUSY;
		if (kmend_transition_sleep(n, DRAIN_RETRY_MS))
			return -EINTR;
	}
	kmend_log(n->st, "undo: no task in the new code after %u look%s, %u ms",
		  attempt, attempt == 1 ? "" : "s",
		  jiffies_to_msecs(jiffies - start));
	return 0;
}

static int switch_function(struct kmend_transition *t)
{
	struct kmend_state *st = t->st;
	struct kmend_transition n = { .st = st, .revert = true };
	int ret;

	if (!t->revert) {
		kmend_redirect_switch(st->update, true, KMEND_JUMP_NONE);
		kmend_log(st, "apply: switched each function at once (no stop, no stack check)");
		return 0;
	}
	ret = kmend_transition_build(&n, new_code);
	if (ret)
		return ret;
	kmend_redirect_switch(st->update, false, KMEND_JUMP_NONE);
	/* no handler still sends a call to the new code */
	kmend_redirect_sync();
	ret = drain(&n);
	kmend_free(n.ranges);
	if (ret == -EINTR) {
		kmend_redirect_switch(st->update, true, KMEND_JUMP_NONE);
		kmend_abort(st, KMEND_INTERRUPTED,
			    "interrupted by a signal while %u task%s still in the update's code; switched it on again",
			    st->nr_conflicts, st->nr_conflicts == 1 ? " was" : "s were");
		return -ERESTARTSYS;
	}
	if (ret == -ENOMEM) {
		kmend_redirect_switch(st->update, true, KMEND_JUMP_NONE);
		return ret;
	}
	if (ret) {
		kmend_redirect_switch(st->update, true, KMEND_JUMP_NONE);
		kmend_abort(st, KMEND_CODE_BUSY,
			    "%u task%s still in the update's code after %u s (see conflicts); switched it on again",
			    st->nr_conflicts, st->nr_conflicts == 1 ? " was" : "s were",
			    kmend_transition_timeout());
		return ret;
	}
	kmend_log(st, "undo: switched each function off at once; no task is in the new code");
	return 0;
}

const struct kmend_model_ops kmend_switch_function_model = {
	.model = {
		.leave = KMEND_LEAVE_FUNCTION,
		.sw = KMEND_SWITCH_FUNCTION,
	},
	.switch_update = switch_function,
};
