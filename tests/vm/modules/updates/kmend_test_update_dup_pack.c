// SPDX-License-Identifier: GPL-2.0
/* Two packs for vmlinux: refused when the update registers. */
#include "test_update.h"

static const char *new_value(void)
{
	return "patched";
}

static struct kmend_func funcs_a[] = {
	{ .old_name = "kmend_test_value", .new_func = new_value }, { }
};
static struct kmend_func funcs_b[] = {
	{ .old_name = "kmend_test_sleep", .new_func = new_value }, { }
};
static struct kmend_pack packs[] = {
	{ .target = NULL, .funcs = funcs_a },
	{ .target = "vmlinux", .funcs = funcs_b },
	{ }
};
static struct kmend_update update = {
	.mod = THIS_MODULE, .id = "test-dup-pack", .packs = packs,
};
KMEND_UPDATE(update);
MODULE_LICENSE("GPL");
