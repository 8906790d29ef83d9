// SPDX-License-Identifier: GPL-2.0
/*
 * switch_function.c - LEAVE_FUNCTION + SWITCH_FUNCTION: each function
 * switches at once, with no stop and no stack check, for fixes whose old
 * and new code may run side by side (a task inside the old code finishes
 * there; its next call runs the new code).
 *
 * Undo switches every function off at once too, but the update's code may
 * only go once no task is inside it: after a grace period (interrupt
 * handlers are done with it), the tasks' stacks are checked, held off their
 * CPUs one at a time; while one is in the new code, the engine retries a
 * few times, then switches the functions on again (code_busy).
 */
#include <linux/delay.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>

#include "alloc.h"
#include "ksyms.h"
#include "model.h"
#include "redirect.h"
#include "stackcheck.h"

#define DRAIN_ATTEMPTS	5
#define DRAIN_RETRY_MS	200

/* The update's new code: what must be off every stack before undo ends. */
static int new_code(struct kmend_transition *t, struct kmend_transition *n)
{
	struct kmend_pack *pack;
	struct kmend_func *func;
	unsigned int nr = 0;

	kmend_for_each_pack(t->st->update, pack)
		kmend_for_each_func(pack, func)
			nr++;
	n->st = t->st;
	n->ranges = kmend_alloc((nr ? nr : 1) * sizeof(*n->ranges));
	if (!n->ranges) {
		t->st->cause = KMEND_OUT_OF_MEMORY;
		return -ENOMEM;
	}
	n->nr_ranges = 0;
	kmend_for_each_pack(t->st->update, pack) {
		kmend_for_each_func(pack, func) {
			n->ranges[n->nr_ranges].start = (unsigned long)func->new_func;
			n->ranges[n->nr_ranges].end = (unsigned long)func->new_func +
						      func->new_size;
			n->nr_ranges++;
		}
	}
	return 0;
}

/* Is any task (but idle ones and current) inside the new code? */
static bool busy(struct kmend_transition *n)
{
	struct task_struct *g, *task;
	unsigned long hit;
	bool in_way = false;

	n->st->nr_conflicts = 0;
	rcu_read_lock();
	for_each_process_thread(g, task) {
		if (task == current)
			continue;
		if (kmend_stack_check_pinned(task, n, &hit)) {
			kmend_conflict_add(n->st, task, hit);
			in_way = true;
		}
	}
	rcu_read_unlock();
	return in_way;
}

static int switch_function(struct kmend_transition *t)
{
	struct kmend_state *st = t->st;
	struct kmend_transition n = { };
	int attempt, ret = 0;

	if (!t->revert) {
		kmend_redirect_switch(st->update, true);
		kmend_log(st, "apply: switched each function at once (no stop, no stack check)");
		return 0;
	}
	ret = new_code(t, &n);
	if (ret)
		return ret;
	kmend_redirect_switch(st->update, false);
	synchronize_rcu();
	for (attempt = 1; attempt <= DRAIN_ATTEMPTS; attempt++) {
		if (!busy(&n))
			break;
		kmend_log(st, "undo attempt %d: %u task%s still in the new code", attempt,
			  st->nr_conflicts, st->nr_conflicts == 1 ? "" : "s");
		if (attempt == DRAIN_ATTEMPTS ||
		    msleep_interruptible(DRAIN_RETRY_MS) || signal_pending(current)) {
			ret = -EBUSY;
			break;
		}
	}
	kmend_free(n.ranges);
	if (ret) {
		kmend_redirect_switch(st->update, true);
		kmend_abort(st, KMEND_CODE_BUSY,
			    "%u task%s still in the update's code (see conflicts); switched it on again",
			    st->nr_conflicts, st->nr_conflicts == 1 ? " was" : "s were");
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
