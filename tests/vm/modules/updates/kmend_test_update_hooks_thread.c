// SPDX-License-Identifier: GPL-2.0
/* TRANSFORM_WORLD hooks under a per-task model: refused when it registers. */
#include "test_update.h"

static void apply(void)
{
}

static const char *new_value(void)
{
	return "patched";
}

static struct kmend_func funcs[] = {
	{ .old_name = "kmend_test_value", .new_func = new_value },
	{ }
};
static struct kmend_pack packs[] = {
	{ .target = "kmend_test_target", .funcs = funcs },
	{ }
};
static struct kmend_update update = {
	.mod = THIS_MODULE, .id = "test-hooks-thread", .packs = packs,
	.model = { .leave = KMEND_LEAVE_PATCHED_SET, .sw = KMEND_SWITCH_THREAD },
	.hooks = { .apply = apply },
};
KMEND_UPDATE(update);
MODULE_LICENSE("GPL");
