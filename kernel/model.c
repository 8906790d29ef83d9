// SPDX-License-Identifier: GPL-2.0
/*
 * model.c - the consistency models this engine implements, by name.
 */
#include <linux/kernel.h>

#include "model.h"

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
