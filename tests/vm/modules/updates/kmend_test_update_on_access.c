// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-on-access": kmend_test_target's sleep and value under
 * LEAVE_PATCHED_SET + SWITCH_THREAD, with a TRANSFORM_ON_ACCESS flag; the
 * new value says whether the flag is on.
 */
#include "sleep_update.h"
#include "test_update.h"

static bool every_task_switched;

static const char *new_value_on_access(void)
{
	return READ_ONCE(every_task_switched) ? "patched-on-access" : "patched";
}

static struct kmend_func funcs[] = {
	{ .old_name = "kmend_test_sleep", .new_func = new_sleep },
	{ .old_name = "kmend_test_value", .new_func = new_value_on_access },
	{ }
};
static struct kmend_pack packs[] = {
	{ .target = "kmend_test_target", .funcs = funcs },
	{ }
};
static struct kmend_update update = {
	.mod = THIS_MODULE,
	.id = "test-on-access",
	.model = { .leave = KMEND_LEAVE_PATCHED_SET, .sw = KMEND_SWITCH_THREAD },
	.packs = packs,
	.on_access = &every_task_switched,
};
KMEND_UPDATE(update);
MODULE_INFO(kmend_id, "test-on-access");
MODULE_LICENSE("GPL");
