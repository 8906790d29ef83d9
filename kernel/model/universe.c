// SPDX-License-Identifier: GPL-2.0
/*
 * universe.c - which code each task runs during a per-task transition.
 *
 * The ftrace handler asks for the current task on every call of a function
 * in transition, so the answer is one RCU hash lookup keyed by the task.
 * Entries are made for tasks as they switch (or are born to a switched
 * parent) and are all freed when the transition ends; a task's entry is
 * never removed before, so the handler needs no lock. Idle tasks keep
 * their universe in a per-CPU flag instead: their handlers may run where
 * RCU is not watching, and must not touch the table.
 *
 * A new task gets its parent's universe from the task_newtask tracepoint,
 * which runs in copy_process() before the child can run, for every kind
 * of task (io_uring threads too). The transition visits a parent before
 * its children (they are added behind it) and a parent cannot switch while
 * it runs the probe, so the child never gets a universe its parent already
 * left. Should the allocation fail, the child stays in the initial
 * universe, which is consistent for it (no code on its stack yet), and the
 * miss is counted: a transition cannot end while one happens.
 */
#include <linux/cpu.h>
#include <linux/percpu.h>
#include <linux/rhashtable.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "alloc.h"
#include "ksyms.h"
#include "redirect.h"
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
static DEFINE_PER_CPU(bool, idle_patched);
static atomic_t births_missed = ATOMIC_INIT(0);

static struct tracepoint *tp_newtask, *tp_sys_enter, *tp_sys_exit;
static void (*syscall_fn)(void);

static __always_inline struct kmend_universe_task *
lookup(struct task_struct *task)
{
	return rhashtable_lookup(&table, &task, params);
}

bool notrace kmend_universe_patched(struct task_struct *task)
{
	struct kmend_universe_task *entry;
	bool patched;

	if (is_idle_task(task))
		return READ_ONCE(per_cpu(idle_patched, task_cpu(task)));
	rcu_read_lock_sched_notrace();
	entry = lookup(task);
	patched = entry ? READ_ONCE(entry->patched) : initial;
	rcu_read_unlock_sched_notrace();
	return patched;
}

static struct kmend_universe_task *entry_gfp(struct task_struct *task,
					     gfp_t gfp)
{
	struct kmend_universe_task *entry = lookup(task), *old;

	if (entry)
		return entry;
	entry = kmend_alloc_gfp(sizeof(*entry), gfp | __GFP_NOWARN);
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

struct kmend_universe_task *kmend_universe_entry(struct task_struct *task)
{
	return entry_gfp(task, GFP_NOWAIT);
}

bool kmend_universe_entry_patched(const struct kmend_universe_task *entry)
{
	return READ_ONCE(entry->patched);
}

void kmend_universe_entry_set(struct kmend_universe_task *entry, bool patched)
{
	WRITE_ONCE(entry->patched, patched);
}

void kmend_universe_set_idle(bool patched)
{
	this_cpu_write(idle_patched, patched);
}

void kmend_universe_set_offline_idle(unsigned int cpu, bool patched)
{
	if (!WARN_ON_ONCE(cpu_online(cpu)))
		WRITE_ONCE(per_cpu(idle_patched, cpu), patched);
}

unsigned int kmend_universe_births_missed(void)
{
	return atomic_read(&births_missed);
}

static void on_newtask(void *data, struct task_struct *child,
		       unsigned long clone_flags)
{
	bool patched = kmend_universe_patched(current);
	struct kmend_universe_task *entry;

	if (patched == initial) {
		/* an entry left by a dead task whose memory the child reuses */
		entry = lookup(child);
		if (entry)
			WRITE_ONCE(entry->patched, initial);
		return;
	}
	entry = entry_gfp(child, GFP_ATOMIC);
	if (entry)
		WRITE_ONCE(entry->patched, patched);
	else
		atomic_inc(&births_missed);
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

/* The kernel's own tracepoints, found by name: each takes module probes. */
static int find_tracepoints(void)
{
	struct tp_wanted wanted[] = {
		{ "task_newtask", &tp_newtask },
		{ "sys_enter", &tp_sys_enter },
		{ "sys_exit", &tp_sys_exit },
		{ }
	};

	if (tp_newtask && tp_sys_enter && tp_sys_exit)
		return 0;
	for_each_kernel_tracepoint(find_tracepoint, wanted);
	return tp_newtask && tp_sys_enter && tp_sys_exit ? 0 : -ENOENT;
}

static unsigned int count_tasks(void)
{
	struct task_struct *g, *task;
	unsigned int n = 0;

	rcu_read_lock();
	for_each_process_thread(g, task)
		n++;
	rcu_read_unlock();
	return n;
}

int kmend_universe_start(bool initial_patched)
{
	struct rhashtable_params sized = params;
	int cpu, ret;

	ret = find_tracepoints();
	if (ret)
		return ret;
	/* room for every task, so that the table rarely has to grow */
	sized.nelem_hint = min(2 * count_tasks() + 64, (unsigned int)U16_MAX);
	ret = rhashtable_init(&table, &sized);
	if (ret)
		return ret;
	initial = initial_patched;
	for_each_possible_cpu(cpu)
		per_cpu(idle_patched, cpu) = initial_patched;
	ret = tracepoint_probe_register(tp_newtask, on_newtask, NULL);
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
	tracepoint_probe_unregister(tp_newtask, on_newtask, NULL);
	/* no probe runs any more, and no handler has an entry in hand */
	tracepoint_synchronize_unregister();
	kmend_redirect_sync();
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
