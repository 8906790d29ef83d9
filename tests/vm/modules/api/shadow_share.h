/* SPDX-License-Identifier: GPL-2.0 */
/* What the two shadow-sharing test updates agree on. */
#ifndef KMEND_TEST_SHADOW_SHARE_H
#define KMEND_TEST_SHADOW_SHARE_H

#include <linux/module.h>
#include <kmend/patch.h>
#include <kmend/shadow.h>

/* an address of nothing in particular: shadow variables only key on it */
#define SHARED_OBJ ((void *)0xfeed0000UL)
#define SHARED_ID 0x42

#define CALLBACK_UPDATE(_id, ...)					\
	static struct kmend_func no_funcs[] = { { } };			\
	static struct kmend_pack packs[] = {				\
		{ .funcs = no_funcs, .callbacks = { __VA_ARGS__ } },	\
		{ }							\
	};								\
	static struct kmend_update update = {				\
		.mod = THIS_MODULE, .id = _id, .packs = packs,		\
	};								\
	KMEND_UPDATE(update);						\
	MODULE_INFO(kmend_id, _id);					\
	MODULE_LICENSE("GPL")

#endif
