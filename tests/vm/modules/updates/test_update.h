/* SPDX-License-Identifier: GPL-2.0 */
/* One-pack test updates: id, target object, model or relocations, then the functions. */
#ifndef KMEND_TEST_UPDATE_H
#define KMEND_TEST_UPDATE_H

#include <linux/module.h>
#include <kmend/patch.h>

/*
 * Every field: model (leave, switch), kmend_update.flags
 * (KMEND_REQUIRE_TARGETS), kmend relocations (an array ending with an entry
 * without symbol, or NULL), then the functions.
 */
#define KMEND_TEST_UPDATE_FULL(_id, _target, _leave, _switch, _flags,	\
			       _relocs, ...)				\
	static struct kmend_func funcs[] = { __VA_ARGS__, { } };	\
	static struct kmend_pack packs[] = {				\
		{ .target = _target, .funcs = funcs, .relocs = _relocs }, \
		{ }							\
	};								\
	static struct kmend_update update = {				\
		.mod = THIS_MODULE,					\
		.id = _id,						\
		.model = { .leave = _leave, .sw = _switch },		\
		.packs = packs,						\
		.flags = _flags,					\
	};								\
	KMEND_UPDATE(update);						\
	MODULE_INFO(kmend_id, _id);					\
	MODULE_LICENSE("GPL")

/* With kmend relocations, under the default model. */
#define KMEND_TEST_UPDATE_RELOCS(_id, _target, _relocs, ...)		\
	KMEND_TEST_UPDATE_FULL(_id, _target, KMEND_LEAVE_PATCHED_SET,	\
			       KMEND_SWITCH_KERNEL, 0, _relocs, __VA_ARGS__)

#define KMEND_TEST_UPDATE(_id, _target, _leave, _switch, ...)		\
	KMEND_TEST_UPDATE_FLAGS(_id, _target, _leave, _switch, 0, __VA_ARGS__)

/* With kmend_update.flags (KMEND_REQUIRE_TARGETS). */
#define KMEND_TEST_UPDATE_FLAGS(_id, _target, _leave, _switch, _flags, ...) \
	KMEND_TEST_UPDATE_FULL(_id, _target, _leave, _switch, _flags, NULL, \
			       __VA_ARGS__)

#endif
