/* SPDX-License-Identifier: GPL-2.0 */
/* core.h - the engine's shared state: the updates, kmend_mutex, causes. */
#ifndef _KMEND_CORE_H
#define _KMEND_CORE_H

#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/time64.h>
#include <kmend/patch.h>

#include "log.h"

/* The stage of an update, as /sys/kernel/kmend/<id>/stage names it. */
enum kmend_stage {
	KMEND_PREPARING,
	KMEND_APPLIED,
	KMEND_REVERSED,
};

/* Why the last transition stopped (abort_cause); see docs/sysfs-abi.md. */
enum kmend_cause {
	KMEND_OK,
	KMEND_NO_MATCH,
	KMEND_FAILED_TO_FIND,
	KMEND_MISSING_EXPORT,
	KMEND_ALREADY_REVERSED,
	KMEND_MODULE_BUSY,
	KMEND_OUT_OF_MEMORY,
	KMEND_CODE_BUSY,
	KMEND_UNEXPECTED_RUNNING_TASK,
	KMEND_TARGET_NOT_LOADED,
	KMEND_CALL_FAILED,
	KMEND_NO_FTRACE_SITE,
	KMEND_FTRACE_UNAVAILABLE,
	KMEND_UNEXPECTED,
	KMEND_INTERRUPTED,
	KMEND_INCOMPATIBLE_STATE,
};

/* A task in the way of a switch; addr 0 means its stack was unreliable. */
struct kmend_conflict {
	char comm[TASK_COMM_LEN];
	pid_t pid;
	unsigned long addr;
};

#define KMEND_MAX_CONFLICTS 32
#define KMEND_DETAIL_LEN 200

/* The engine's side of one registered update. */
struct kmend_state {
	struct kobject kobj;
	struct kmend_update *update;
	struct list_head node;		/* in kmend_updates, load order */
	enum kmend_stage stage;
	enum kmend_cause cause;
	bool debug;
	bool registered;		/* false once the module has left */
	/*
	 * A model is switching it (apply or undo); kmend_mutex is released
	 * while the model waits for tasks, and a module target loading or
	 * unloading meanwhile bumps packs_changed (module_targets.c).
	 */
	bool in_transition;
	unsigned int packs_changed;
	u64 apply_seq;			/* order of application, for undo */
	/* the update that replaced it, until that one's post_patch has run */
	struct kmend_state *replaced_by;
	time64_t applied_at;		/* wall clock, seconds; 0: not applied */
	/* what stopped the last transition and where (kmend_abort()) */
	char abort_detail[KMEND_DETAIL_LEN];
	unsigned int nr_conflicts;	/* conflicts found (maybe > recorded) */
	struct kmend_conflict conflicts[KMEND_MAX_CONFLICTS];
	struct kmend_log log;
	/* symbol values read from the running code by run-pre matching */
	struct kmend_learned *learned;
	unsigned int nr_learned, max_learned;
};

/* Serialises every change of state: registration, apply, undo. */
extern struct mutex kmend_mutex;
/*
 * The task running an update's callback or hook for the engine, which
 * holds kmend_mutex (or every CPU) meanwhile: it may not register or
 * unregister an update (it would wait for itself). NULL: none.
 */
extern struct task_struct *kmend_update_code_task;

/* Run @call, update code, as kmend_update_code_task. */
#define kmend_call_update_code(call)					\
	do {								\
		WRITE_ONCE(kmend_update_code_task, current);		\
		call;							\
		WRITE_ONCE(kmend_update_code_task, NULL);		\
	} while (0)
/* Registered updates, oldest first; protected by kmend_mutex. */
extern struct list_head kmend_updates;
/* /sys/kernel/kmend */
extern struct kobject *kmend_root_kobj;

#define kmend_for_each_pack(update, pack) \
	for (pack = (update)->packs; (pack)->funcs; pack++)
#define kmend_for_each_func(pack, func) \
	for (func = (pack)->funcs; (func)->old_name; func++)

static inline const char *kmend_pack_name(const struct kmend_pack *pack)
{
	return pack->target ? pack->target : "vmlinux";
}

static inline bool kmend_pack_is_vmlinux(const struct kmend_pack *pack)
{
	return !pack->target || !strcmp(pack->target, "vmlinux");
}

const char *kmend_stage_name(enum kmend_stage stage);
const char *kmend_cause_name(enum kmend_cause cause);

#endif /* _KMEND_CORE_H */
