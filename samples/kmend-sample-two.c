// SPDX-License-Identifier: GPL-2.0
/*
 * kmend-sample-two.c - one update replacing two functions, switched at the
 * same instant: /proc/version and /proc/uptime both say they were patched.
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include <kmend/patch.h>

static int sample_version_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "version: live patched by kmend (sample-two)\n");
	return 0;
}

static int sample_uptime_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "uptime: live patched by kmend (sample-two)\n");
	return 0;
}

static struct kmend_func funcs[] = {
	{ .old_name = "version_proc_show", .new_func = sample_version_proc_show },
	{ .old_name = "uptime_proc_show", .new_func = sample_uptime_proc_show },
	{ }
};

static struct kmend_pack packs[] = {
	{ .target = "vmlinux", .funcs = funcs },
	{ }
};

static struct kmend_update update = {
	.mod = THIS_MODULE,
	.id = "sample-two",
	.description = "/proc/version and /proc/uptime say they were live patched",
	.packs = packs,
};

KMEND_UPDATE(update);
/* for kmend apply and show, before the module is loaded */
MODULE_INFO(kmend_id, "sample-two");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmend sample: replace two functions at once");
