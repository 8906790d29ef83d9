// SPDX-License-Identifier: GPL-2.0
/*
 * stackcheck.c - whether a task's stack holds code being replaced, from a
 * reliable stack trace (ORC), as every consistency model needs to know.
 */
#include <linux/string.h>

#include "ksyms.h"
#include "stackcheck.h"

#define MAX_STACK_ENTRIES 128

static unsigned long entries[MAX_STACK_ENTRIES];

static bool in_patched_set(const struct kmend_transition *t, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < t->nr_ranges; i++)
		if (addr >= t->ranges[i].start && addr < t->ranges[i].end)
			return true;
	return false;
}

static bool in_text(const struct kmend_text *text, unsigned long addr)
{
	return addr - text->start < text->size;
}

/* Where a task may sleep on its way back to user space, below the exit. */
static bool sleeps_on_way_out(unsigned long addr)
{
	int i;

	if (in_text(&kmend_ksyms.sched_text, addr))
		return true;
	for (i = 0; i < ARRAY_SIZE(kmend_ksyms.way_out_signal); i++)
		if (in_text(&kmend_ksyms.way_out_signal[i], addr))
			return true;
	return false;
}

/*
 * The stack check; *boundary says whether the task sleeps on its way back
 * to user space: a frame of exit_to_user_mode_prepare() with nothing but
 * the scheduler or signal delivery above it (a task that has finished its
 * work in the kernel, not one doing more from there, like a final fput).
 */
static int walk(struct task_struct *task, const struct kmend_transition *t,
		unsigned long *hit, bool *boundary)
{
	bool searching = true;	/* only sleeping frames so far, no exit yet */
	int nr, i;

	*hit = 0;
	*boundary = false;
	nr = kmend_ksyms.save_tsk_reliable(task, entries, ARRAY_SIZE(entries));
	if (nr < 0)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		if (in_patched_set(t, entries[i])) {
			*hit = entries[i];
			*boundary = false;
			return -EADDRINUSE;
		}
		if (!searching)
			continue;
		if (in_text(&kmend_ksyms.exit_to_user, entries[i])) {
			*boundary = true;
			searching = false;
		} else if (!sleeps_on_way_out(entries[i])) {
			searching = false;
		}
	}
	return 0;
}

int kmend_stack_check(struct task_struct *task,
		      const struct kmend_transition *t, unsigned long *hit)
{
	bool boundary;

	return walk(task, t, hit, &boundary);
}

int kmend_stack_check_boundary(struct task_struct *task,
			       const struct kmend_transition *t,
			       unsigned long *hit)
{
	bool boundary;
	int ret = walk(task, t, hit, &boundary);

	return ret ? ret : boundary ? 0 : -EAGAIN;
}

struct pinned_check {
	const struct kmend_transition *t;
	unsigned long *hit;
};

static int check_pinned(struct task_struct *task, void *arg)
{
	struct pinned_check *c = arg;

	*c->hit = 0;
	if (task != current && kmend_ksyms.task_curr(task))
		return -EBUSY;
	return kmend_stack_check(task, c->t, c->hit);
}

int kmend_stack_check_pinned(struct task_struct *task,
			     const struct kmend_transition *t,
			     unsigned long *hit)
{
	struct pinned_check c = { .t = t, .hit = hit };

	return kmend_ksyms.task_call_func(task, check_pinned, &c);
}

struct off_cpu_call {
	struct task_struct *task;
	int (*fn)(struct task_struct *task, void *arg);
	void *arg;
	int ret;
};

static int call_in_stopper(void *data)
{
	struct off_cpu_call *c = data;

	if (c->task)
		c->ret = kmend_ksyms.task_call_func(c->task, c->fn, c->arg);
	else	/* this CPU's idle task is off it while its stopper runs */
		c->ret = c->fn(kmend_ksyms.idle_task(smp_processor_id()),
			       c->arg);
	return 0;
}

int kmend_call_off_cpu(unsigned int cpu, struct task_struct *task,
		       int (*fn)(struct task_struct *task, void *arg),
		       void *arg)
{
	struct off_cpu_call c = { .task = task, .fn = fn, .arg = arg };
	int ret = kmend_ksyms.stop_one_cpu(cpu, call_in_stopper, &c);

	return ret ? ret : c.ret;
}

int kmend_stack_check_off_cpu(unsigned int cpu, struct task_struct *task,
			      const struct kmend_transition *t,
			      unsigned long *hit)
{
	struct pinned_check c = { .t = t, .hit = hit };

	*hit = 0;
	return kmend_call_off_cpu(cpu, task, check_pinned, &c);
}

void kmend_conflict_add(struct kmend_state *st, struct task_struct *task,
			unsigned long addr)
{
	struct kmend_conflict *c;

	if (st->nr_conflicts++ >= KMEND_MAX_CONFLICTS)
		return;
	c = &st->conflicts[st->nr_conflicts - 1];
	/*
	 * Other CPUs are stopped or the task is pinned, or (a per-task pass)
	 * it is read as it is: a rename racing with it shows a mix, no more.
	 */
	memcpy(c->comm, task->comm, sizeof(c->comm));
	c->comm[sizeof(c->comm) - 1] = '\0';
	c->pid = task->pid;
	c->addr = addr;
}
