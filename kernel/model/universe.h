/* SPDX-License-Identifier: GPL-2.0 */
/* universe.h - which code each task runs during a per-task transition. */
#ifndef _KMEND_UNIVERSE_H
#define _KMEND_UNIVERSE_H

#include <linux/sched.h>

/*
 * The per-task "universe" of a per-task (SWITCH_THREAD) transition: for
 * each task, whether calls it makes go to the transitioning update's code
 * (patched) or not. One transition at a time; tasks with no entry are in
 * the universe they all had when it started.
 */
struct kmend_universe_task;

/*
 * Start a universe in which every task is @initial_patched; new tasks get
 * their parent's universe from here on. Sleeps; called with kmend_mutex.
 * Returns 0 or an error (-ENOMEM, or -ENOENT: a tracepoint is missing).
 */
int kmend_universe_start(bool initial_patched);

/* End it: no task is looked up any more once this returns. Sleeps. */
void kmend_universe_stop(void);

/* In the ftrace handler: is @task in the patched universe? */
bool kmend_universe_patched(struct task_struct *task);

/*
 * The entry of @task, made if it has none (in the initial universe), so
 * that its universe can be set where nothing may allocate. NULL if memory
 * ran out. Call under rcu_read_lock(): entries live until the stop.
 */
struct kmend_universe_task *kmend_universe_entry(struct task_struct *task);

bool kmend_universe_entry_patched(const struct kmend_universe_task *entry);
void kmend_universe_entry_set(struct kmend_universe_task *entry, bool patched);

/* Idle tasks: the universe of this CPU's, set from its CPU (a stopper). */
void kmend_universe_set_idle(bool patched);

/*
 * The idle task of an offline CPU, under cpus_read_lock(): it starts
 * afresh from the CPU's entry code when the CPU comes up, with nothing of
 * the patched set on its stack, so it may take any universe at once (as
 * the kernel's livepatch switches offline idle tasks).
 */
void kmend_universe_set_offline_idle(unsigned int cpu, bool patched);

/* New tasks that did not get their parent's universe (memory), so far. */
unsigned int kmend_universe_births_missed(void);

/*
 * Call @fn for the current task at each system call entry and exit while
 * on (LEAVE_KERNEL: a task at the kernel's boundary). Sleeps.
 */
int kmend_universe_watch_syscalls(void (*fn)(void));
void kmend_universe_unwatch_syscalls(void);

#endif /* _KMEND_UNIVERSE_H */
