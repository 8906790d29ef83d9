// SPDX-License-Identifier: GPL-2.0
/*
 * Update "test-late": /proc/version's version_proc_show in vmlinux, and
 * kmend_test_value in kmend_test_target, which may load after the update is
 * applied and unload while it is.
 */
#include <linux/seq_file.h>
#include "test_update.h"

static int new_version_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "kmend test-late\n");
	return 0;
}

static const char *new_value(void)
{
	return "patched-late";
}

static struct kmend_func vmlinux_funcs[] = {
	{ .old_name = "version_proc_show", .new_func = new_version_proc_show },
	{ }
};
static struct kmend_func target_funcs[] = {
	{ .old_name = "kmend_test_value", .new_func = new_value },
	{ }
};
static struct kmend_pack packs[] = {
	{ .target = NULL, .funcs = vmlinux_funcs },
	{ .target = "kmend_test_target", .funcs = target_funcs },
	{ }
};
static struct kmend_update update = {
	.mod = THIS_MODULE, .id = "test-late", .packs = packs,
};
KMEND_UPDATE(update);
MODULE_INFO(kmend_id, "test-late");
MODULE_LICENSE("GPL");
