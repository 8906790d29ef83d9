/* SPDX-License-Identifier: GPL-2.0 */
/* pre.h - the engine's copy of an update's pre code. */
#ifndef _KMEND_PRE_H_ENGINE
#define _KMEND_PRE_H_ENGINE

#include "core.h"

/*
 * Copy the pre code every pack hands over (pack->pre, maybe in the update's
 * init memory) into func->pre_copy, and clear pack->pre. Returns 0, -EINVAL
 * for a malformed one (logged), or -ENOMEM; on failure nothing is kept.
 */
int kmend_pre_take(struct kmend_update *update);

/* Free every func->pre_copy; returns the bytes of pre code freed. */
size_t kmend_pre_drop(struct kmend_update *update);
/* The same for one pack (a module pack keeps its own until unregistered). */
size_t kmend_pre_drop_pack(struct kmend_pack *pack);

/* /sys/kernel/debug/kmend/pre_bytes: the pre code the engine holds. */
void kmend_pre_debugfs_init(void);

#endif
