// SPDX-License-Identifier: GPL-2.0
/* Update "test-cb2": callbacks for vmlinux only, and no function. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "callbacks.h"

static struct kmend_func no_funcs[] = { { } };

static struct kmend_pack packs[] = {
	{ .target = NULL, .funcs = no_funcs, .callbacks = TEST_CALLBACKS },
	{ }
};

static struct kmend_update update = {
	.mod = THIS_MODULE,
	.id = "test-cb2",
	.packs = packs,
};

KMEND_UPDATE(update);
MODULE_INFO(kmend_id, "test-cb2");
MODULE_LICENSE("GPL");
