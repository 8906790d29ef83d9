// SPDX-License-Identifier: GPL-2.0
/*
 * kmend-sample-stack.c - an update stacked on sample-cmdline: it replaces
 * cmdline_proc_show again. Applied after sample-cmdline, its version runs;
 * sample-cmdline cannot be undone before it.
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include <kmend/patch.h>

static int sample_stack_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "this kernel's cmdline_proc_show was live patched twice by kmend (sample-stack)\n");
	return 0;
}

static struct kmend_func funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = sample_stack_cmdline_proc_show },
	{ }
};

static struct kmend_pack packs[] = {
	{ .funcs = funcs },
	{ }
};

static struct kmend_update update = {
	.mod = THIS_MODULE,
	.id = "sample-stack",
	.description = "/proc/cmdline says it was live patched twice",
	.packs = packs,
};

KMEND_UPDATE(update);
/* for kmend apply and show, before the module is loaded */
MODULE_INFO(kmend_id, "sample-stack");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmend sample: stack on sample-cmdline");
