// SPDX-License-Identifier: GPL-2.0
/* Calls BUG() on load: scripts/vm-run must fail the run and print the report. */
#include <linux/bug.h>
#include <linux/module.h>

static int __init kmend_test_bug_init(void)
{
	BUG();
	return 0;
}

module_init(kmend_test_bug_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmend test: BUG() on load");
