// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-cb": callbacks for vmlinux, kmend_test_cbmod and
 * kmend_test_busymod, and a replacement for busymod_work_func. Parameter
 * pre_patch_ret is what pre_patch returns.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/workqueue.h>
#include "callbacks.h"

static void patched_work_func(struct work_struct *work)
{
	pr_info("%s: the new work function\n", __func__);
}

static struct kmend_func no_funcs[] = { { } };
static struct kmend_func busymod_funcs[] = {
	{ .old_name = "busymod_work_func", .new_func = patched_work_func },
	{ }
};

static struct kmend_pack packs[] = {
	{ .target = NULL, .funcs = no_funcs, .callbacks = TEST_CALLBACKS },
	{ .target = "kmend_test_cbmod", .funcs = no_funcs,
	  .callbacks = TEST_CALLBACKS },
	{ .target = "kmend_test_busymod", .funcs = busymod_funcs,
	  .callbacks = TEST_CALLBACKS },
	{ }
};

static struct kmend_update update = {
	.mod = THIS_MODULE,
	.id = "test-cb",
	.packs = packs,
};

KMEND_UPDATE(update);
MODULE_INFO(kmend_id, "test-cb");
MODULE_LICENSE("GPL");
