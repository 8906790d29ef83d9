// SPDX-License-Identifier: GPL-2.0
/*
 * core.c - kmend engine: module life cycle and the /sys/kernel/kmend root.
 *
 * Updates register below /sys/kernel/kmend/<id>/; the engine owns the root
 * directory and removes it on unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/module.h>

#include "core.h"

struct kobject *kmend_root_kobj;

static int __init kmend_init(void)
{
	kmend_root_kobj = kobject_create_and_add("kmend", kernel_kobj);
	if (!kmend_root_kobj)
		return -ENOMEM;

	pr_info("engine loaded\n");
	return 0;
}

static void __exit kmend_exit(void)
{
	kobject_put(kmend_root_kobj);
	pr_info("engine unloaded\n");
}

module_init(kmend_init);
module_exit(kmend_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmend live patching engine");
