/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KMEND_CORE_H
#define _KMEND_CORE_H

#include <linux/kobject.h>

/* /sys/kernel/kmend: the parent of every update's directory. */
extern struct kobject *kmend_root_kobj;

#endif /* _KMEND_CORE_H */
