// SPDX-License-Identifier: GPL-2.0
/*
 * model.c - the consistency models this engine implements, by name.
 */
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>

#include "alloc.h"
#include "model.h"

static unsigned int transition_timeout = 60;
module_param(transition_timeout, uint, 0644);
MODULE_PARM_DESC(transition_timeout,
		 "seconds a transition may wait for tasks before it is reversed (1 to 3600)");

unsigned int kmend_transition_timeout(void)
{
	return clamp(READ_ONCE(transition_timeout), 1U, 3600U);
}

static const struct kmend_model_ops *const models[] = {
	&kmend_switch_kernel_model,
	&kmend_switch_function_model,
	&kmend_leave_kernel_model,
	&kmend_switch_thread_model,
	&kmend_leave_kernel_thread_model,
};

static const char *const leave_names[] = {
	[KMEND_LEAVE_PATCHED_SET] = "patched-set",
	[KMEND_LEAVE_FUNCTION] = "function",
	[KMEND_LEAVE_KERNEL] = "kernel",
};

static const char *const switch_names[] = {
	[KMEND_SWITCH_KERNEL] = "kernel",
	[KMEND_SWITCH_FUNCTION] = "function",
	[KMEND_SWITCH_THREAD] = "thread",
};

const struct kmend_model_ops *kmend_model_ops(const struct kmend_model *model)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(models); i++)
		if (models[i]->model.leave == model->leave &&
		    models[i]->model.sw == model->sw)
			return models[i];
	return NULL;
}

int kmend_model_print(const struct kmend_model *model, char *buf, size_t size)
{
	const char *leave = "?", *sw = "?";

	if ((unsigned int)model->leave < ARRAY_SIZE(leave_names))
		leave = leave_names[model->leave];
	if ((unsigned int)model->sw < ARRAY_SIZE(switch_names))
		sw = switch_names[model->sw];
	return scnprintf(buf, size, "leave=%s,switch=%s", leave, sw);
}

/* The update a model is switching; under kmend_mutex. */
static struct kmend_state *in_transition;
static DECLARE_WAIT_QUEUE_HEAD(transition_wq);

struct kmend_state *kmend_transition_state(void)
{
	lockdep_assert_held(&kmend_mutex);
	return in_transition;
}

void kmend_transition_begin(struct kmend_state *st)
{
	lockdep_assert_held(&kmend_mutex);
	WARN_ON_ONCE(in_transition);
	in_transition = st;
	st->in_transition = true;
}

void kmend_transition_end(struct kmend_state *st)
{
	lockdep_assert_held(&kmend_mutex);
	st->in_transition = false;
	in_transition = NULL;
	wake_up_all(&transition_wq);
}

static bool transition_running(void)
{
	return READ_ONCE(in_transition);
}

int kmend_transition_wait_idle(void)
{
	lockdep_assert_held(&kmend_mutex);
	while (in_transition) {
		mutex_unlock(&kmend_mutex);
		if (wait_event_interruptible(transition_wq,
					     !transition_running()))
			return -ERESTARTSYS;
		if (mutex_lock_interruptible(&kmend_mutex))
			return -ERESTARTSYS;
	}
	return 0;
}

int kmend_transition_build(struct kmend_transition *t,
			   int (*build)(struct kmend_transition *t))
{
	t->build = build;
	t->ranges = NULL;
	t->nr_ranges = 0;
	t->packs_seen = t->st->packs_changed;
	return build(t);
}

int kmend_transition_refresh(struct kmend_transition *t)
{
	struct kmend_range *old = t->ranges;
	unsigned int nr = t->nr_ranges;
	int ret;

	if (t->packs_seen == t->st->packs_changed)
		return 0;
	ret = t->build(t);
	if (ret) {
		t->ranges = old;
		t->nr_ranges = nr;
		return ret;
	}
	kmend_free(old);
	t->packs_seen = t->st->packs_changed;
	kmend_log(t->st, "a module target came or went: the patched set is %u range%s now",
		  t->nr_ranges, t->nr_ranges == 1 ? "" : "s");
	return 0;
}

int kmend_transition_sleep(struct kmend_transition *t, unsigned int ms)
{
	long left;

	lockdep_assert_held(&kmend_mutex);
	mutex_unlock(&kmend_mutex);
	left = msleep_interruptible(ms);
	mutex_lock(&kmend_mutex);
	return left || signal_pending(current) ? -EINTR : 0;
}
