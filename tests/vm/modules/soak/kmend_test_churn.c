// SPDX-License-Identifier: GPL-2.0
/*
 * kmend_test_churn: a target module the soak loads and unloads in a loop
 * while updates that patch it are applied and undone.
 * /sys/kernel/debug/kmend_test_churn/value reads what kmend_test_churn()
 * returns ("original").
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>

static struct dentry *dir;

noinline __attribute__((__noipa__)) const char *kmend_test_churn(void)
{
	return "original";
}

static ssize_t value_read(struct file *f, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	char line[32];
	int n = scnprintf(line, sizeof(line), "%s\n", kmend_test_churn());

	return simple_read_from_buffer(ubuf, count, ppos, line, n);
}

/* .owner: an open file holds the module, which the soak unloads in a loop */
static const struct file_operations value_fops = {
	.owner = THIS_MODULE,
	.read = value_read,
};

static int __init kmend_test_churn_init(void)
{
	dir = debugfs_create_dir("kmend_test_churn", NULL);
	debugfs_create_file("value", 0400, dir, NULL, &value_fops);
	return 0;
}

static void __exit kmend_test_churn_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(kmend_test_churn_init);
module_exit(kmend_test_churn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmend test: a target module loaded and unloaded in a loop");
