/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The soak's updates, one per consistency model: kmend_test_target's
 * value (and, where the model keeps a task on one version, its step and
 * chain) and kmend_test_churn's function, in two packs. The churn module
 * is loaded and unloaded in a loop meanwhile, so its pack is patched and
 * unpatched as it comes and goes, during transitions too.
 */
#ifndef KMEND_SOAK_UPDATE_H
#define KMEND_SOAK_UPDATE_H

#include <linux/module.h>
#include <kmend/patch.h>

#include "../updates/chain_update.h"

static const char *new_value(void)
{
	return "patched";
}

static const char *new_churn(void)
{
	return "patched";
}

static struct kmend_func churn_funcs[] = {
	{ .old_name = "kmend_test_churn", .new_func = new_churn },
	{ }
};

/*
 * With @_chain, step and chain are replaced too (a chain of calls never
 * mixes versions under the models that keep a task on one); without, the
 * function list ends after the value (an entry without a name ends it).
 */
#define KMEND_SOAK_UPDATE(_id, _leave, _switch, _chain)			\
	static struct kmend_func target_funcs[] = {			\
		{ .old_name = "kmend_test_value", .new_func = new_value }, \
		{ .old_name = (_chain) ? "kmend_test_step" : NULL,	\
		  .new_func = new_step },				\
		{ .old_name = "kmend_test_chain", .new_func = new_chain }, \
		{ }							\
	};								\
	static struct kmend_pack packs[] = {				\
		{ .target = "kmend_test_target", .funcs = target_funcs }, \
		{ .target = "kmend_test_churn", .funcs = churn_funcs },	\
		{ }							\
	};								\
	static struct kmend_update update = {				\
		.mod = THIS_MODULE,					\
		.id = _id,						\
		.model = { .leave = _leave, .sw = _switch },		\
		.packs = packs,						\
	};								\
	KMEND_UPDATE(update);						\
	MODULE_INFO(kmend_id, _id);					\
	MODULE_LICENSE("GPL")

#endif
