// SPDX-License-Identifier: GPL-2.0
/*
 * switch_thread.c - the per-task models (SWITCH_THREAD): each task has a
 * universe (universe.c), old or new code, and the ftrace handler sends its
 * calls accordingly while the update is in transition. A task switches on
 * its own once it is safe for it, so one busy task no longer holds back the
 * rest:
 *
 * - LEAVE_PATCHED_SET (the kernel's livepatch): when no code of the patched
 *   set is on its stack, checked with the task held off its CPU, or at a
 *   system call's entry or exit, where nothing of it can be;
 * - LEAVE_KERNEL (kGraft): only at the kernel's boundary: a system call's
 *   entry or exit, or asleep on its way back to user space. Tasks that
 *   never return to user space (kernel threads, idle tasks, io_uring
 *   workers, exiting tasks) switch by stack check.
 *
 * The task writing stage switches by stack check in both: its system call
 * is the engine's own. After a second, the tasks left are woken as the
 * kernel's livepatch does (a fake signal for user tasks, a wakeup for
 * kernel threads), and a task found running at every look is checked from
 * its CPU's stopper, which takes it off the CPU; then again every second.
 * A transition that runs out of time, is asked to go the other way, or
 * whose writer gets a signal, is reversed: every task switched goes back,
 * under the same rule, and nothing stays changed.
 */
#include <linux/cpu.h>
#include <linux/ctype.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>
#include <linux/stop_machine.h>
#include <linux/sysfs.h>
#include <linux/wait.h>

#include "ksyms.h"
#include "model.h"
#include "redirect.h"
#include "stackcheck.h"
#include "switch_thread.h"
#include "universe.h"

#define ATTEMPT_MS	100
#define WAKE_AFTER_MS	1000
#define WAKE_EVERY_MS	1000

struct left_task {
	pid_t pid;
	char comm[TASK_COMM_LEN];
};

/* The running per-task transition, as the transition file shows it. */
static struct {
	spinlock_t lock;
	struct kmend_state *st;		/* NULL: none running */
	bool target;			/* where tasks go: the patched universe? */
	bool reversing;
	bool reverse_wanted;		/* by a write of stage */
	unsigned int left;
	unsigned int nr_shown;
	struct left_task shown[KMEND_MAX_CONFLICTS];
	u64 ended;			/* transitions ended so far */
} tr = { .lock = __SPIN_LOCK_UNLOCKED(tr.lock) };

/* Wakes the transition (a reversal asked for) and those waiting for its end. */
static DECLARE_WAIT_QUEUE_HEAD(tr_wq);

/* The target, for the system call probes. */
static bool boundary_target;

/* One pass over every task; under kmend_mutex. */
struct attempt {
	struct kmend_transition *t;
	bool leave_kernel;
	bool target;
	bool wake;
	bool reversing;		/* keep the conflicts that made it reverse */
	bool no_memory;
	unsigned int left;
	unsigned int nr_shown;
	struct left_task shown[KMEND_MAX_CONFLICTS];
	/* tasks found running, to check from their CPU's stopper */
	unsigned int nr_running;
	struct task_struct *running[KMEND_MAX_CONFLICTS];
};

struct pin_ctx {
	struct attempt *a;
	struct kmend_universe_task *entry;	/* NULL: an idle task */
	unsigned long hit;
};

/*
 * Tasks that never return to user space: kernel threads, idle tasks,
 * io_uring workers, tasks on their way out; and the task writing stage,
 * whose system call is the engine's own.
 */
static bool kernel_side(struct task_struct *task)
{
	return (task->flags & (PF_KTHREAD | PF_IDLE | PF_IO_WORKER |
			       PF_EXITING)) ||
	       task == current || task->exit_state;
}

/* Runs with @task off every CPU (or current, or an idle task under a stop). */
static int switch_pinned(struct task_struct *task, void *arg)
{
	struct pin_ctx *c = arg;
	int ret;

	c->hit = 0;
	if (task != current && kmend_ksyms.task_curr(task))
		return -EBUSY;
	if (c->a->leave_kernel && !kernel_side(task))
		ret = kmend_stack_check_boundary(task, c->a->t, &c->hit);
	else
		ret = kmend_stack_check(task, c->a->t, &c->hit);
	if (ret)
		return ret;
	if (c->entry)
		kmend_universe_entry_set(c->entry, c->a->target);
	else
		kmend_universe_set_idle(c->a->target);
	return 0;
}

static void note_left(struct attempt *a, struct task_struct *task,
		      unsigned long hit)
{
	struct left_task *l;
	int i;

	a->left++;
	if (!a->reversing)
		kmend_conflict_add(a->t->st, task, hit);
	if (a->nr_shown >= ARRAY_SIZE(a->shown))
		return;
	l = &a->shown[a->nr_shown++];
	l->pid = task->pid;
	/* as in conflicts: a task's name must not forge a line of the file */
	for (i = 0; i < TASK_COMM_LEN - 1 && task->comm[i]; i++)
		l->comm[i] = isgraph(task->comm[i]) ? task->comm[i] : '_';
	if (!i)
		l->comm[i++] = '?';
	l->comm[i] = '\0';
}

/* Make a task left go through a point where it can switch. */
static void wake(struct task_struct *task)
{
	if (task->flags & PF_KTHREAD)
		kmend_ksyms.wake_up_state(task, TASK_INTERRUPTIBLE);
	else if (!test_and_set_tsk_thread_flag(task, TIF_NOTIFY_SIGNAL) &&
		 !kmend_ksyms.wake_up_state(task, TASK_INTERRUPTIBLE))
		kick_process(task);
}

/* Under rcu_read_lock(). */
static void try_switch(struct attempt *a, struct task_struct *task)
{
	struct pin_ctx c = { .a = a };
	int ret;

	if (kmend_universe_patched(task) == a->target)
		return;
	c.entry = kmend_universe_entry(task);
	if (!c.entry) {
		a->no_memory = true;
		note_left(a, task, 0);
		return;
	}
	if (task == current)
		ret = switch_pinned(task, &c);
	else
		ret = kmend_ksyms.task_call_func(task, switch_pinned, &c);
	if (!ret)
		return;
	if (ret == -EBUSY && a->wake &&
	    a->nr_running < ARRAY_SIZE(a->running)) {
		get_task_struct(task);
		a->running[a->nr_running++] = task;
		return;
	}
	note_left(a, task, c.hit);
	if (a->wake && task != current)
		wake(task);
}

static void try_switch_idle(struct attempt *a, unsigned int cpu)
{
	struct task_struct *idle = kmend_ksyms.idle_task(cpu);
	struct pin_ctx c = { .a = a };

	if (kmend_universe_patched(idle) == a->target)
		return;
	if (kmend_call_off_cpu(cpu, NULL, switch_pinned, &c))
		note_left(a, idle, c.hit);
}

/*
 * A task that was running at every look, checked from its CPU's stopper:
 * a user task that was running is then asleep on its way back to user
 * space, its stack still while it is pinned.
 */
static void try_switch_running(struct attempt *a, struct task_struct *task)
{
	struct pin_ctx c = { .a = a };

	rcu_read_lock();
	c.entry = kmend_universe_entry(task);
	rcu_read_unlock();
	if (!c.entry) {
		a->no_memory = true;
		note_left(a, task, 0);
	} else if (kmend_call_off_cpu(task_cpu(task), task, switch_pinned, &c)) {
		note_left(a, task, c.hit);
		wake(task);
	}
	put_task_struct(task);
}

static unsigned int attempt(struct attempt *a)
{
	struct task_struct *g, *task;
	unsigned int cpu, i;

	a->left = 0;
	a->nr_shown = 0;
	a->nr_running = 0;
	a->no_memory = false;
	if (!a->reversing)
		a->t->st->nr_conflicts = 0;
	/* a module target came or went: its code joins the patched set first */
	if (kmend_transition_refresh(a->t)) {
		a->no_memory = true;
		a->left = 1;
		return a->left;
	}
	rcu_read_lock();
	for_each_process_thread(g, task)
		try_switch(a, task);
	rcu_read_unlock();
	for (i = 0; i < a->nr_running; i++)
		try_switch_running(a, a->running[i]);
	/* no CPU comes or goes until every idle task is in the target */
	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		if (cpu_online(cpu))
			try_switch_idle(a, cpu);
		else
			kmend_universe_set_offline_idle(cpu, a->target);
	}
	cpus_read_unlock();

	spin_lock(&tr.lock);
	tr.left = a->left;
	tr.nr_shown = a->nr_shown;
	memcpy(tr.shown, a->shown, a->nr_shown * sizeof(a->shown[0]));
	spin_unlock(&tr.lock);
	return a->left;
}

/* At a system call's entry or exit: nothing of the kernel is on the stack. */
static void switch_at_boundary(void)
{
	bool target = READ_ONCE(boundary_target);
	struct kmend_universe_task *entry;

	if (kmend_universe_patched(current) == target)
		return;
	entry = kmend_universe_entry(current);
	if (entry)
		kmend_universe_entry_set(entry, target);
}

static void set_in_transition(struct kmend_update *update, bool on)
{
	struct kmend_pack *pack;
	struct kmend_func *func;

	kmend_for_each_pack(update, pack)
		kmend_for_each_func(pack, func)
			WRITE_ONCE(func->transition, on);
}

static void publish(struct kmend_state *st, bool target)
{
	spin_lock(&tr.lock);
	tr.st = st;
	tr.target = target;
	tr.reversing = false;
	tr.reverse_wanted = false;
	tr.left = 0;
	tr.nr_shown = 0;
	spin_unlock(&tr.lock);
	WRITE_ONCE(boundary_target, target);
}

static void reverse(struct attempt *a)
{
	spin_lock(&tr.lock);
	tr.reversing = true;
	tr.target = !tr.target;
	a->target = tr.target;
	a->reversing = true;
	spin_unlock(&tr.lock);
	WRITE_ONCE(boundary_target, a->target);
}

static void unpublish(void)
{
	spin_lock(&tr.lock);
	tr.st = NULL;
	tr.ended++;
	spin_unlock(&tr.lock);
	wake_up_all(&tr_wq);
}

static bool reverse_wanted(void)
{
	bool wanted;

	spin_lock(&tr.lock);
	wanted = tr.reverse_wanted;
	spin_unlock(&tr.lock);
	return wanted;
}

/* Why a forward transition stops: 0 if it goes on. */
static int should_reverse(struct kmend_state *st, unsigned long deadline,
			  unsigned int timeout, bool no_memory)
{
	long waited;

	if (reverse_wanted()) {
		kmend_abort(st, KMEND_INTERRUPTED,
			    "reversed while in transition: its stage was written back");
		return -ECANCELED;
	}
	if (time_after(jiffies, deadline) && no_memory) {
		kmend_abort(st, KMEND_OUT_OF_MEMORY,
			    "tasks could not switch within %u s: no memory for their universe; reversed",
			    timeout);
		return -ENOMEM;
	}
	if (time_after(jiffies, deadline)) {
		kmend_abort(st, KMEND_CODE_BUSY,
			    "%u task%s could not switch within %u s (see conflicts); reversed",
			    st->nr_conflicts, st->nr_conflicts == 1 ? "" : "s",
			    timeout);
		return -EBUSY;
	}
	/* not holding the mutex, which a task left may need to go on */
	mutex_unlock(&kmend_mutex);
	waited = wait_event_interruptible_timeout(tr_wq, reverse_wanted(),
						  msecs_to_jiffies(ATTEMPT_MS));
	mutex_lock(&kmend_mutex);
	if (waited < 0) {
		/* restarted, if the signal's handler asks for it, from scratch */
		kmend_abort(st, KMEND_INTERRUPTED,
			    "interrupted by a signal while in transition; reversed");
		return -ERESTARTSYS;
	}
	return 0;
}

/* Every task to the target, until none is left (or reversed, back). */
static int run_attempts(struct kmend_state *st, struct attempt *a,
			const char *what, int result)
{
	unsigned int timeout = kmend_transition_timeout();
	unsigned long start = jiffies, next_wake, deadline;
	unsigned int nr = 0, missed;

	next_wake = start + msecs_to_jiffies(WAKE_AFTER_MS);
	deadline = start + timeout * HZ;
	for (;;) {
		a->wake = time_after(jiffies, next_wake);
		if (a->wake)
			next_wake = jiffies + msecs_to_jiffies(WAKE_EVERY_MS);
		/* a task born without its parent's universe needs a pass */
		missed = kmend_universe_births_missed();
		nr++;
		if (!attempt(a) && kmend_universe_births_missed() == missed)
			break;
		if (nr == 1 || a->wake)
			kmend_log(st, "%s attempt %u: %u task%s left%s%s", what, nr,
				  a->left, a->left == 1 ? "" : "s",
				  a->wake ? "; woken" : "",
				  a->no_memory ? "; out of memory for some" : "");
		if (result) {
			/*
			 * reversing: every switched task must come back, and
			 * one may first need the mutex (a module load, say)
			 */
			mutex_unlock(&kmend_mutex);
			schedule_timeout_idle(msecs_to_jiffies(ATTEMPT_MS));
			mutex_lock(&kmend_mutex);
			continue;
		}
		result = should_reverse(st, deadline, timeout, a->no_memory);
		if (result) {
			reverse(a);
			kmend_log(st, "%s: reversing: every task switched goes back",
				  what);
			next_wake = jiffies + msecs_to_jiffies(WAKE_AFTER_MS);
		}
	}
	kmend_log(st, "%s: %s after %u attempt%s, %u ms", what,
		  result ? "reversed; every task is back" : "every task switched",
		  nr, nr == 1 ? "" : "s", jiffies_to_msecs(jiffies - start));
	return result;
}

static int switch_thread(struct kmend_transition *t, bool leave_kernel)
{
	struct kmend_state *st = t->st;
	struct kmend_update *update = st->update;
	const char *what = t->revert ? "undo" : "apply";
	struct attempt a = { .t = t, .leave_kernel = leave_kernel,
			     .target = !t->revert };
	int ret, result = 0;
	bool watching;

	ret = kmend_universe_start(t->revert);
	if (ret) {
		kmend_abort(st, ret == -ENOMEM ? KMEND_OUT_OF_MEMORY : KMEND_UNEXPECTED,
			    "%s: cannot start a per-task transition (error %d)",
			    what, ret);
		return ret;
	}
	/* the universe is in place before any handler can ask it */
	smp_wmb();
	set_in_transition(update, true);
	if (!t->revert)
		kmend_redirect_switch(update, true, KMEND_JUMP_NONE);
	/* from here, every handler that sees the functions asks the universe */
	kmend_redirect_sync();
	publish(st, a.target);
	ret = kmend_universe_watch_syscalls(switch_at_boundary);
	watching = !ret;
	if (ret) {
		/* tasks may have switched at a system call entry: bring them back */
		kmend_abort(st, ret == -ENOMEM ? KMEND_OUT_OF_MEMORY : KMEND_UNEXPECTED,
			    "%s: cannot watch system calls (error %d)", what, ret);
		reverse(&a);
		result = ret;
	} else {
		kmend_log(st, "%s: per-task transition (%s): each task switches %s",
			  what, leave_kernel ? "leave=kernel" : "leave=patched-set",
			  leave_kernel ? "at the kernel's boundary" :
					 "once nothing of the patched set is on its stack");
	}
	result = run_attempts(st, &a, what, result);
	if (watching)
		kmend_universe_unwatch_syscalls();

	if (a.target) {
		set_in_transition(update, false);
		kmend_universe_stop();
	} else {
		kmend_redirect_switch(update, false, KMEND_JUMP_NONE);
		kmend_universe_stop();
		set_in_transition(update, false);
	}
	unpublish();
	if (!result)
		st->nr_conflicts = 0;
	return result;
}

int kmend_thread_request(struct kmend_state *st, bool applied)
{
	u64 ended;

	spin_lock(&tr.lock);
	if (tr.st != st) {
		spin_unlock(&tr.lock);
		return -ENOENT;
	}
	ended = tr.ended;
	if (applied != tr.target && !tr.reversing)
		tr.reverse_wanted = true;
	spin_unlock(&tr.lock);
	wake_up_all(&tr_wq);
	return wait_event_interruptible(tr_wq, READ_ONCE(tr.ended) != ended);
}

ssize_t kmend_thread_show(struct kmend_state *st, char *buf)
{
	unsigned int i;
	int n;

	spin_lock(&tr.lock);
	if (tr.st != st) {
		spin_unlock(&tr.lock);
		return sysfs_emit(buf, "none\n");
	}
	n = sysfs_emit(buf, "%s %u\n", tr.reversing ? "reversing" :
		       tr.target ? "applying" : "undoing", tr.left);
	for (i = 0; i < tr.nr_shown; i++)
		n += sysfs_emit_at(buf, n, "%d %s\n", tr.shown[i].pid,
				   tr.shown[i].comm);
	if (tr.left > tr.nr_shown)
		n += sysfs_emit_at(buf, n, "...\n");
	spin_unlock(&tr.lock);
	return n;
}

static int switch_patched_set(struct kmend_transition *t)
{
	return switch_thread(t, false);
}

static int switch_leave_kernel(struct kmend_transition *t)
{
	return switch_thread(t, true);
}

const struct kmend_model_ops kmend_switch_thread_model = {
	.model = {
		.leave = KMEND_LEAVE_PATCHED_SET,
		.sw = KMEND_SWITCH_THREAD,
	},
	.switch_update = switch_patched_set,
};

const struct kmend_model_ops kmend_leave_kernel_thread_model = {
	.model = {
		.leave = KMEND_LEAVE_KERNEL,
		.sw = KMEND_SWITCH_THREAD,
	},
	.switch_update = switch_leave_kernel,
};
