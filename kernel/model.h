/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KMEND_MODEL_H
#define _KMEND_MODEL_H

#include "core.h"

/* An address range of code that must not be on a stack at the switch. */
struct kmend_range {
	unsigned long start;
	unsigned long end;
};

/* One switch of an update's functions, on (apply) or off (revert). */
struct kmend_transition {
	struct kmend_state *st;
	bool revert;
	/* The patched set: old, current and new code of every function. */
	struct kmend_range *ranges;
	unsigned int nr_ranges;
};

/*
 * A consistency model: how the switch of all of an update's functions is
 * made safe. Each model lives in a file of its own and plugs in here.
 */
struct kmend_model_ops {
	struct kmend_model model;
	/*
	 * Switch every function of t->st->update (off when t->revert).
	 * Returns 0 once switched; on failure nothing is switched, and
	 * t->st->cause says why.
	 */
	int (*switch_update)(struct kmend_transition *t);
	/* runs the update's TRANSFORM_WORLD hooks (kmend_hooks) in its stop */
	bool runs_hooks;
};

/* The implementation of @model, or NULL if this engine has none. */
const struct kmend_model_ops *kmend_model_ops(const struct kmend_model *model);

/* "leave=patched-set,switch=kernel", as the model file shows it. */
int kmend_model_print(const struct kmend_model *model, char *buf,
		      size_t size);

extern const struct kmend_model_ops kmend_switch_kernel_model;
extern const struct kmend_model_ops kmend_switch_function_model;
extern const struct kmend_model_ops kmend_leave_kernel_model;
extern const struct kmend_model_ops kmend_switch_thread_model;
extern const struct kmend_model_ops kmend_leave_kernel_thread_model;

/*
 * Stop the machine, check every task's stack against the patched set and
 * switch with the update's hooks, retrying while a task is in the way
 * (switch_kernel.c); the models that switch the whole kernel at once use it.
 */
int kmend_switch_kernel(struct kmend_transition *t);

#endif /* _KMEND_MODEL_H */
