// SPDX-License-Identifier: GPL-2.0
/*
 * Replaces the target's sleeping function and its value. The new sleeping
 * function returns at once, unless parameter "hold" is 1: then it sleeps
 * until hold is 0 again, so that tests can hold the new code busy. Its
 * post_patch and pre_unpatch callbacks print each call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "sleep_update.h"
#include "test_update.h"

static void post_patch(struct kmend_pack *pack)
{
	pr_info("%s: %s\n", __func__, pack->mod->name);
}

static void pre_unpatch(struct kmend_pack *pack)
{
	pr_info("%s: %s\n", __func__, pack->mod->name);
}

static struct kmend_func funcs[] = {
	{ .old_name = "kmend_test_sleep", .new_func = new_sleep },
	{ .old_name = "kmend_test_value", .new_func = new_value },
	{ }
};
static struct kmend_pack packs[] = {
	{ .target = "kmend_test_target", .funcs = funcs,
	  .callbacks = { .post_patch = post_patch, .pre_unpatch = pre_unpatch } },
	{ }
};
static struct kmend_update update = {
	.mod = THIS_MODULE, .id = "test-sleep", .packs = packs,
};
KMEND_UPDATE(update);
MODULE_INFO(kmend_id, "test-sleep");
MODULE_LICENSE("GPL");
