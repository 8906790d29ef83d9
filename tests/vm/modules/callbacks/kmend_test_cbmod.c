// SPDX-License-Identifier: GPL-2.0
/* A target module with nothing to replace: it says when it loads and goes. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

static int __init kmend_test_cbmod_init(void)
{
	pr_info("%s: loading\n", __func__);
	return 0;
}

static void __exit kmend_test_cbmod_exit(void)
{
	pr_info("%s: unloading\n", __func__);
}

module_init(kmend_test_cbmod_init);
module_exit(kmend_test_cbmod_exit);
MODULE_LICENSE("GPL");
