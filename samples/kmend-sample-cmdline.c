// SPDX-License-Identifier: GPL-2.0
/*
 * kmend-sample-cmdline.c - the smallest update: cat /proc/cmdline says that
 * it was live patched.
 *
 *	insmod kmend-sample-cmdline.ko
 *	echo applied > /sys/kernel/kmend/sample-cmdline/stage
 *	cat /proc/cmdline
 *	echo reversed > /sys/kernel/kmend/sample-cmdline/stage
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include <kmend/patch.h>

static int sample_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "this kernel's cmdline_proc_show was live patched by kmend (sample-cmdline)\n");
	return 0;
}

static struct kmend_func funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = sample_cmdline_proc_show },
	{ }
};

static struct kmend_pack packs[] = {
	{ .target = NULL, .funcs = funcs },
	{ }
};

static struct kmend_update update = {
	.mod = THIS_MODULE,
	.id = "sample-cmdline",
	.description = "/proc/cmdline says it was live patched",
	.packs = packs,
};

KMEND_UPDATE(update);
/* for kmend apply and show, before the module is loaded */
MODULE_INFO(kmend_id, "sample-cmdline");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmend sample: replace cmdline_proc_show");
