// SPDX-License-Identifier: GPL-2.0
/*
 * kmend_test_ipmodify.c - holds an FTRACE_OPS_FL_IPMODIFY ftrace_ops on
 * kmend_test_value, as another live patching tool would, so that an update
 * of that function is refused by ftrace.
 */
#include <linux/ftrace.h>
#include <linux/kallsyms.h>
#include <linux/module.h>

static void notrace handler(unsigned long ip, unsigned long parent_ip,
			    struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
}

static struct ftrace_ops ops = {
	.func = handler,
	.flags = FTRACE_OPS_FL_IPMODIFY,
};

static char *function = "kmend_test_value";
module_param(function, charp, 0400);

static int __init kmend_test_ipmodify_init(void)
{
	int ret = ftrace_set_filter(&ops, function, strlen(function), 0);

	if (ret)
		return ret;
	ret = register_ftrace_function(&ops);
	if (ret)
		ftrace_free_filter(&ops);
	return ret;
}

static void __exit kmend_test_ipmodify_exit(void)
{
	unregister_ftrace_function(&ops);
	ftrace_free_filter(&ops);
}

module_init(kmend_test_ipmodify_init);
module_exit(kmend_test_ipmodify_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmend test: an IPMODIFY ftrace user in kmend's way");
