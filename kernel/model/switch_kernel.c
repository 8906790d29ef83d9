// SPDX-License-Identifier: GPL-2.0
/*
 * switch_kernel.c - LEAVE_PATCHED_SET + SWITCH_KERNEL, the model of Ksplice
 * and kpatch: stop every CPU, check that no task's stack holds any code of
 * the patched set, and switch all of the update's functions at once, with
 * its TRANSFORM_WORLD hooks in the same stop. If a task is in the way, let
 * the machine run a while and try again; after a few attempts give up with
 * code_busy and name the tasks.
 */
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/stop_machine.h>

#include "ksyms.h"
#include "redirect.h"
#include "replace.h"
#include "stackcheck.h"

#define SWITCH_ATTEMPTS		5
#define SWITCH_RETRY_MS		200

struct stop_ctx {
	struct kmend_transition *t;
	unsigned int tasks;
	bool unexpected_running;
	int hook_refused;	/* what a check hook returned */
	u64 window_ns;
	/*
	 * Every CPU runs the stop's function: the first to arrive does the
	 * work, the others wait in hold_cpu(), which calls nothing an update
	 * could replace, and serialize when it asks (kmend_stop_sync()).
	 */
	atomic_t arrived;
	atomic_t synced;
	unsigned int generation;
	bool done;
};

/* The stop running now, for kmend_stop_sync(); under kmend_mutex. */
static struct stop_ctx *running_stop;

static void notrace hold_cpu(struct stop_ctx *ctx)
{
	unsigned int seen = 0, now;

	while (!READ_ONCE(ctx->done)) {
		now = READ_ONCE(ctx->generation);
		if (now != seen) {
			/* the text written before the new generation */
			sync_core();
			seen = now;
			atomic_inc(&ctx->synced);
		}
		cpu_relax();
	}
	sync_core();
}

void kmend_stop_sync(void)
{
	struct stop_ctx *ctx = running_stop;
	int others = num_online_cpus() - 1;

	if (WARN_ON_ONCE(!ctx))
		return;
	atomic_set(&ctx->synced, 0);
	/* what was written, before the others are asked to look */
	smp_wmb();
	WRITE_ONCE(ctx->generation, ctx->generation + 1);
	while (atomic_read(&ctx->synced) < others)
		cpu_relax();
	sync_core();
}

/*
 * With every task out of the patched set: the update's check hook, then the
 * switch and the apply (reverse) hook, all in this one stop. A refusing
 * check gets its fail hook and nothing switches.
 */
static int switch_with_hooks(struct stop_ctx *ctx)
{
	struct kmend_update *update = ctx->t->st->update;
	const struct kmend_hooks *h = &update->hooks;
	bool revert = ctx->t->revert;
	int (*check)(void) = revert ? h->check_reverse : h->check_apply;
	void (*fail)(void) = revert ? h->fail_reverse : h->fail_apply;
	void (*then)(void) = revert ? h->reverse : h->apply;
	int ret;

	if (check) {
		kmend_call_update_code(ctx->hook_refused = check());
		if (ctx->hook_refused) {
			if (fail)
				kmend_call_update_code(fail());
			return -ECANCELED;
		}
	}
	/* a cumulative update: the ones it replaces go off in this stop */
	if (!revert && kmend_replaces(ctx->t->st))
		ret = kmend_replace_switch(ctx->t->st);
	else
		ret = kmend_redirect_switch(update, !revert, KMEND_JUMP_STOPPED);
	/* -EAGAIN: an entry jump's bytes while a CPU stays in an NMI: not now */
	if (ret) {
		if (check && fail)
			kmend_call_update_code(fail());
		return ret;
	}
	if (then)
		kmend_call_update_code(then());
	return 0;
}

/* Under stop_machine, the only other running tasks are its CPU stoppers. */
static bool is_cpu_stopper(struct task_struct *task)
{
	return (task->flags & PF_KTHREAD) &&
	       !strncmp(task->comm, "migration/", 10);
}

/* Returns true if @task is in the way. */
static bool check_task(struct stop_ctx *ctx, struct task_struct *task)
{
	struct kmend_state *st = ctx->t->st;
	unsigned long hit;

	ctx->tasks++;
	if (task != current && kmend_ksyms.task_curr(task)) {
		if (is_cpu_stopper(task))
			return false;
		ctx->unexpected_running = true;
		kmend_conflict_add(st, task, 0);
		return true;
	}
	if (kmend_stack_check(task, ctx->t, &hit)) {
		kmend_conflict_add(st, task, hit);
		return true;
	}
	return false;
}

static int switch_checked(struct stop_ctx *ctx)
{
	struct task_struct *g, *task;
	u64 start = ktime_get_ns();
	bool busy = false;
	int cpu, ret;

	/* Check every task, not just the first in the way, to name them all. */
	rcu_read_lock();
	for_each_process_thread(g, task)
		busy |= check_task(ctx, task);
	rcu_read_unlock();
	for_each_online_cpu(cpu)
		busy |= check_task(ctx, kmend_ksyms.idle_task(cpu));

	if (busy)
		ret = -EBUSY;
	else if (ctx->t->in_stop)
		ret = ctx->t->in_stop(ctx->t, ctx->t->arg);
	else
		ret = switch_with_hooks(ctx);
	ctx->window_ns = ktime_get_ns() - start;
	return ret;
}

static int switch_stopped(void *data)
{
	struct stop_ctx *ctx = data;
	int ret;

	if (atomic_inc_return(&ctx->arrived) > 1) {
		hold_cpu(ctx);
		return 0;
	}
	ret = switch_checked(ctx);
	/* the switch before the others leave hold_cpu() */
	smp_wmb();
	WRITE_ONCE(ctx->done, true);
	return ret;
}

static void log_conflicts(struct kmend_state *st)
{
	unsigned int i, n = min_t(unsigned int, st->nr_conflicts,
				  KMEND_MAX_CONFLICTS);

	for (i = 0; i < n; i++) {
		struct kmend_conflict *c = &st->conflicts[i];

		if (c->addr)
			kmend_log(st, "  busy: %s (pid %d) in %pS", c->comm,
				  c->pid, (void *)c->addr);
		else
			kmend_log(st, "  busy: %s (pid %d): stack unreliable or task running",
				  c->comm, c->pid);
	}
	if (st->nr_conflicts > n)
		kmend_log(st, "  ... and %u more", st->nr_conflicts - n);
}

int kmend_switch_kernel(struct kmend_transition *t)
{
	struct kmend_state *st = t->st;
	struct stop_ctx ctx = { .t = t };
	const char *what = t->what ? t->what : t->revert ? "undo" : "apply";
	int attempt, ret = -EBUSY;
	u64 start;

	for (attempt = 1; attempt <= SWITCH_ATTEMPTS; attempt++) {
		ret = kmend_transition_refresh(t);
		if (ret)
			return ret;
		ctx.tasks = 0;
		ctx.unexpected_running = false;
		atomic_set(&ctx.arrived, 0);
		ctx.generation = 0;
		ctx.done = false;
		st->nr_conflicts = 0;

		if (t->check_text) {
			/* kmend_mutex, then kprobe_mutex: never across a sleep */
			mutex_lock(kmend_ksyms.kprobe_mutex);
			ret = t->check_text(t);
			if (ret) {
				mutex_unlock(kmend_ksyms.kprobe_mutex);
				return ret;
			}
		}
		start = ktime_get_ns();
		running_stop = &ctx;
		ret = stop_machine(switch_stopped, &ctx, cpu_online_mask);
		running_stop = NULL;
		if (t->check_text) {
			mutex_unlock(kmend_ksyms.kprobe_mutex);
			/* written in the stop: each CPU serializes before running it */
			kmend_ksyms.text_poke_sync();
		}
		kmend_log(st, "%s attempt %d: stopped %u CPUs, checked %u tasks, stop window %llu us (stop_machine %llu us): %s",
			  what, attempt,
			  num_online_cpus(), ctx.tasks,
			  div_u64(ctx.window_ns, NSEC_PER_USEC),
			  div_u64(ktime_get_ns() - start, NSEC_PER_USEC),
			  ret == -ECANCELED ? "a check hook refused" :
			  ret == -EBUSY || ret == -EAGAIN ? "busy" : ret ? "failed" :
			  t->in_stop ? "done" : "switched");
		if (ret != -EBUSY && ret != -EAGAIN)
			break;
		if (ret == -EAGAIN)
			kmend_log(st, "  a CPU stayed in an NMI handler while the entry jumps were to be written");
		log_conflicts(st);
		if (attempt == SWITCH_ATTEMPTS)
			break;
		/* the mutex released meanwhile: module loads go on */
		if (kmend_transition_sleep(t, SWITCH_RETRY_MS)) {
			kmend_log(st, "interrupted by a signal; nothing switched");
			break;
		}
	}

	if (ret == -ECANCELED)
		kmend_abort(st, KMEND_CALL_FAILED,
			    "the update's %s hook refused (%d); nothing switched",
			    t->revert ? "check_reverse" : "check_apply",
			    ctx.hook_refused);
	else if (ret == -EAGAIN)
		kmend_abort(st, KMEND_CODE_BUSY,
			    "a CPU stayed in an NMI handler at each of %d attempts while the entry jumps were to be written; nothing switched",
			    SWITCH_ATTEMPTS);
	else if (ret == -EBUSY)
		kmend_abort(st, ctx.unexpected_running ?
			    KMEND_UNEXPECTED_RUNNING_TASK : KMEND_CODE_BUSY,
			    "%u task%s in the way at attempt %d of %d (see conflicts)",
			    st->nr_conflicts, st->nr_conflicts == 1 ? " was" : "s were",
			    attempt, SWITCH_ATTEMPTS);
	else if (ret)
		st->cause = KMEND_UNEXPECTED;
	return ret;
}

const struct kmend_model_ops kmend_switch_kernel_model = {
	.model = {
		.leave = KMEND_LEAVE_PATCHED_SET,
		.sw = KMEND_SWITCH_KERNEL,
	},
	.switch_update = kmend_switch_kernel,
	.runs_hooks = true,
};
