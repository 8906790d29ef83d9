/* SPDX-License-Identifier: GPL-2.0 */
/* sysfs.h - /sys/kernel/kmend/<id>/. */
#ifndef _KMEND_SYSFS_H
#define _KMEND_SYSFS_H

#include <linux/kobject.h>

/* The kobj_type of /sys/kernel/kmend/<id>; its release frees the state. */
extern const struct kobj_type kmend_state_ktype;

#endif /* _KMEND_SYSFS_H */
