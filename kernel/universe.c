// SPDX-License-Identifier: GPL-2.0
/*
 * universe.c - which code each task runs during a per-task transition.
 *
 * The ftrace handler asks for the current task on every call of a function
 * in transition, so the answer is one RCU hash lookup keyed by the task.
 * Entries are made for tasks as they switch (or fork from a switched
 * parent) and are all freed when the transition ends; a task's entry is
 * never removed before, so the handler needs no lock.
 *
 * A fork sets the child's entry from its parent (the sched_process_fork
 * tracepoint runs before the child can run). Should that allocation fail,
 * the child stays in the initial universe: it has no code on its stack
 * yet, so either universe is consistent for it, and the transition
 * switches it like any other task.
 */
#include <linux/rhashtable.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "alloc.h"
#include "universe.h"

struct kmend_universe_task {
	struct rhash_head node;
	struct task_struct *task;
	bool patched;
};

static const struct rhashtable_params params = {
	.key_len = sizeof(struct task_struct *),
	.key_offset = offsetof(struct kmend_universe_task, task),
	.head_offset = offsetof(struct kmend_universe_task, node),
};

static struct rhashtable table;
/* the universe of every task without an entry */
static bool initial;

static struct tracepoint *tp_fork, *tp_sys_enter, *tp_sys_exit;
static void (*syscall_fn)(void);

static struct kmend_universe_task *lookup(struct task_struct *task)
{
	return rhashtable_lookup(&table, &task, params);
}

bool notrace kmend_universe_patched(struct task_struct *task)
{
	struct kmend_universe_task *entry = lookup(task);

	return entry ? READ_ONCE(entry->patched) : initial;
}

struct kmend_universe_task *kmend_universe_entry(struct task_struct *task)
{
	struct kmend_universe_task *entry = lookup(task), *old;

	if (entry)
		return entry;
	entry = kmend_alloc_gfp(sizeof(*entry), GFP_NOWAIT | __GFP_NOWARN);
	if (!entry)
		return NULL;
	entry->task = task;
	entry->patched = initial;
	old = rhashtable_lookup_get_insert_fast(&table, &entry->node, params);
	if (!old)
		return entry;
	kmend_free(entry);	/* never visible: someone else made one */
	return IS_ERR(old) ? NULL : old;
}

bool kmend_universe_entry_patched(const struct kmend_universe_task *entry)
{
	return READ_ONCE(entry->patched);
}

void kmend_universe_entry_set(struct kmend_universe_task *entry, bool patched)
{
	WRITE_ONCE(entry->patched, patched);
}

static void on_fork(void *data, struct task_struct *parent,
		    struct task_struct *child)
{
	bool patched = kmend_universe_patched(parent);
	struct kmend_universe_task *entry;

	if (patched == initial) {
		/* an entry left by a dead task whose memory the child reuses */
		entry = lookup(child);
		if (entry)
			WRITE_ONCE(entry->patched, initial);
		return;
	}
	entry = kmend_universe_entry(child);
	if (entry)
		WRITE_ONCE(entry->patched, patched);
}

static void on_sys_enter(void *data, struct pt_regs *regs, long id)
{
	syscall_fn();
}

static void on_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	syscall_fn();
}

struct tp_wanted {
	const char *name;
	struct tracepoint **slot;
};

static void find_tracepoint(struct tracepoint *tp, void *priv)
{
	struct tp_wanted *w = priv;

	for (; w->name; w++)
		if (!strcmp(tp->name, w->name))
			*w->slot = tp;
}

/* The kernel's own tracepoints, found by name: each is exported for probes. */
static int find_tracepoints(void)
{
	struct tp_wanted wanted[] = {
		{ "sched_process_fork", &tp_fork },
		{ "sys_enter", &tp_sys_enter },
		{ "sys_exit", &tp_sys_exit },
		{ }
	};

	if (tp_fork && tp_sys_enter && tp_sys_exit)
		return 0;
	for_each_kernel_tracepoint(find_tracepoint, wanted);
	return tp_fork && tp_sys_enter && tp_sys_exit ? 0 : -ENOENT;
}

int kmend_universe_start(bool initial_patched)
{
	int ret;

	ret = find_tracepoints();
	if (ret)
		return ret;
	ret = rhashtable_init(&table, &params);
	if (ret)
		return ret;
	initial = initial_patched;
	ret = tracepoint_probe_register(tp_fork, on_fork, NULL);
	if (ret)
		rhashtable_destroy(&table);
	return ret;
}

static void free_entry(void *ptr, void *arg)
{
	kmend_free(ptr);
}

void kmend_universe_stop(void)
{
	tracepoint_probe_unregister(tp_fork, on_fork, NULL);
	/* no probe runs any more, and no handler has an entry in hand */
	tracepoint_synchronize_unregister();
	synchronize_rcu();
	rhashtable_free_and_destroy(&table, free_entry, NULL);
}

int kmend_universe_watch_syscalls(void (*fn)(void))
{
	int ret;

	syscall_fn = fn;
	ret = tracepoint_probe_register(tp_sys_enter, on_sys_enter, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(tp_sys_exit, on_sys_exit, NULL);
	if (ret) {
		tracepoint_probe_unregister(tp_sys_enter, on_sys_enter, NULL);
		tracepoint_synchronize_unregister();
	}
	return ret;
}

void kmend_universe_unwatch_syscalls(void)
{
	tracepoint_probe_unregister(tp_sys_enter, on_sys_enter, NULL);
	tracepoint_probe_unregister(tp_sys_exit, on_sys_exit, NULL);
	tracepoint_synchronize_unregister();
}
