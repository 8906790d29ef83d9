// SPDX-License-Identifier: GPL-2.0
/*
 * WARNs on load and then loads fine: scripts/vm-run must fail the run even
 * though the guest's commands succeed.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init kmend_test_warn_init(void)
{
	WARN(1, "kmend test warning\n");
	return 0;
}

static void __exit kmend_test_warn_exit(void)
{
}

module_init(kmend_test_warn_init);
module_exit(kmend_test_warn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmend test: WARN() on load");
