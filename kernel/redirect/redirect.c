// SPDX-License-Identifier: GPL-2.0
/*
 * redirect.c - sending calls of a replaced function to its new version,
 * through an ftrace_ops with FTRACE_OPS_FL_IPMODIFY on the function's
 * __fentry__ call site (the mechanism of the kernel's livepatch).
 */
#include <linux/cpu.h>
#include <linux/moduleparam.h>
#include <linux/rculist.h>

#include "alloc.h"
#include "model.h"
#include "ksyms.h"
#include "redirect.h"
#include "universe.h"

static bool jumps = true;
module_param(jumps, bool, 0644);
MODULE_PARM_DESC(jumps,
		 "once an update is switched, calls jump straight to its functions (N: they keep going through ftrace)");

/* Every registered ops; protected by kmend_mutex. */
static LIST_HEAD(kmend_ops_list);
/* Whether each ops' fops is registered; taken after kmend_mutex. */
static DEFINE_MUTEX(ops_mutex);
/* Ops whose handler settle turns off later; protected by kmend_mutex. */
static LIST_HEAD(off_list);

static void notrace kmend_ftrace_handler(unsigned long ip,
					 unsigned long parent_ip,
					 struct ftrace_ops *fops,
					 struct ftrace_regs *fregs)
{
	struct kmend_ops *ops = container_of(fops, struct kmend_ops, fops);
	struct kmend_func *func;
	int bit;

	/* Also disables preemption: switches happen under stop_machine. */
	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (WARN_ON_ONCE(bit < 0))
		return;

	func = list_first_or_null_rcu(&ops->stack, struct kmend_func,
				      stack_node);
	/*
	 * In a per-task transition, a task not (or no longer) in the new
	 * universe runs what was there before: the next one down, or the
	 * original.
	 */
	if (func && unlikely(READ_ONCE(func->transition))) {
		/* the universe was set up before the flag was */
		smp_rmb();
		if (!kmend_universe_patched(current)) {
			func = list_entry_rcu(func->stack_node.next,
					      struct kmend_func, stack_node);
			if (&func->stack_node == &ops->stack)
				func = NULL;
		}
	}
	if (func)
		ftrace_instruction_pointer_set(fregs,
					       (unsigned long)func->new_func);

	ftrace_test_recursion_unlock(bit);
}

static struct kmend_func *stack_top(struct kmend_ops *ops)
{
	return list_first_entry_or_null(&ops->stack, struct kmend_func,
					stack_node);
}

static struct kmend_ops *find_ops(unsigned long old_addr)
{
	struct kmend_ops *ops;

	list_for_each_entry(ops, &kmend_ops_list, node)
		if (ops->old_addr == old_addr)
			return ops;
	return NULL;
}

/* A function without an ftrace site: an entry jump, and no ftrace_ops. */
static int entry_ops(struct kmend_state *st, struct kmend_func *func,
		     struct kmend_ops *ops)
{
	const char *why;

	why = kmend_jump_place_entry(&ops->jump, func->old_addr,
				     func->old_size, func->pre_copy);
	if (why) {
		kmend_abort(st, KMEND_NO_FTRACE_SITE,
			    "%s has no ftrace call site, and a jump at its entry is not safe: %s",
			    func->old_name,
			    !strcmp(why, "branch_target") ?
			    "a branch of its code lands in the first five bytes" :
			    !strcmp(why, "too_short") ?
			    "it is shorter than a jump" :
			    !strcmp(why, "no_pre_code") ?
			    "the update carries no pre code to check its branches against" :
			    why);
		kmend_free(ops);
		return -EINVAL;
	}
	ops->entry = true;
	ops->users = 1;
	list_add(&ops->node, &kmend_ops_list);
	kmend_log(st, "%s: no ftrace call site; a jump at %pS takes its calls once switched",
		  func->old_name, (void *)func->old_addr);
	return 0;
}

static int register_ops(struct kmend_state *st, struct kmend_func *func,
			struct kmend_ops **out)
{
	struct kmend_ops *ops;
	int ret;

	ops = kmend_alloc(sizeof(*ops));
	if (!ops) {
		st->cause = KMEND_OUT_OF_MEMORY;
		return -ENOMEM;
	}
	ops->old_addr = func->old_addr;
	INIT_LIST_HEAD(&ops->stack);
	INIT_LIST_HEAD(&ops->off_node);
	if (!kmend_ksyms.ftrace_location(func->old_addr)) {
		ret = entry_ops(st, func, ops);
		if (!ret)
			*out = ops;
		return ret;
	}
	ops->fops.func = kmend_ftrace_handler;
	ops->fops.flags = FTRACE_OPS_FL_DYNAMIC | FTRACE_OPS_FL_IPMODIFY |
			  FTRACE_OPS_FL_PERMANENT;
#ifndef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
	ops->fops.flags |= FTRACE_OPS_FL_SAVE_REGS;
#endif

	ret = ftrace_set_filter_ip(&ops->fops, func->old_addr, 0, 0);
	if (ret) {
		kmend_log(st, "ftrace cannot filter %s (%pS): error %d",
			  func->old_name, (void *)func->old_addr, ret);
		st->cause = ret == -ENOMEM ? KMEND_OUT_OF_MEMORY :
					     KMEND_FTRACE_UNAVAILABLE;
		goto free;
	}

	ret = register_ftrace_function(&ops->fops);
	if (ret) {
		kmend_abort(st, ret == -ENOMEM ? KMEND_OUT_OF_MEMORY :
					     KMEND_FTRACE_UNAVAILABLE,
			    "ftrace refused to redirect %s: error %d (%s)",
			    func->old_name, ret,
			    ret == -EBUSY ? "another live patch or tracer already modifies it, or ftrace is disabled" :
			    "see the kernel log");
		ftrace_set_filter_ip(&ops->fops, func->old_addr, 1, 0);
		goto free;
	}

	ops->users = 1;
	ops->registered = true;
	ops->why_ftrace = kmend_jump_place(&ops->jump, func->old_addr,
					   func->old_size);
	list_add(&ops->node, &kmend_ops_list);
	*out = ops;
	return 0;

free:
	ftrace_free_filter(&ops->fops);
	kmend_free(ops);
	return ret;
}

static void ops_put(struct kmend_ops *ops)
{
	/* only a turn-off left for later pins it: none is needed now */
	if (--ops->users == 1 && ops->off_queued) {
		if (!ops->off_taken) {
			list_del(&ops->off_node);
			ops->off_queued = false;
			ops->users--;
		} else {
			/*
			 * The work frees it: no function may find it meanwhile
			 * (its module target may load again at the same place).
			 */
			list_del_init(&ops->node);
			ops->jump.target = NULL;
		}
	}
	if (ops->users)
		return;
	WARN_ON_ONCE(!list_empty(&ops->stack));
	/*
	 * Still jumping with nothing on the stack: only a module target going
	 * away unpatches without kmend_redirect_unjump(); its text goes too.
	 */
	ops->jump.target = NULL;
	if (!ops->entry) {
		/* Waits until no CPU can be in the handler any more. */
		if (ops->registered)
			unregister_ftrace_function(&ops->fops);
		ftrace_set_filter_ip(&ops->fops, ops->old_addr, 1, 0);
		ftrace_free_filter(&ops->fops);
	}
	list_del_init(&ops->node);
	kmend_free(ops);
}

static void put_ops(struct kmend_func *func)
{
	struct kmend_ops *ops = func->ops;

	func->ops = NULL;
	ops_put(ops);
}

/* Functions of @update with an entry jump, in its prepared packs. */
static unsigned int entry_count(struct kmend_update *update)
{
	struct kmend_pack *pack;
	struct kmend_func *func;
	unsigned int n = 0;

	kmend_for_each_pack(update, pack)
		kmend_for_each_func(pack, func)
			n += func->ops && func->ops->entry;
	return n;
}

int kmend_redirect_prepare(struct kmend_state *st, struct kmend_pack *pack)
{
	struct kmend_func *func;
	int ret;

	lockdep_assert_held(&kmend_mutex);

	if (!READ_ONCE(*kmend_ksyms.ftrace_enabled)) {
		kmend_abort(st, KMEND_FTRACE_UNAVAILABLE,
			    "ftrace is disabled (sysctl kernel.ftrace_enabled = 0); enable it to apply updates");
		return -EBUSY;
	}

	kmend_for_each_func(pack, func) {
		struct kmend_ops *ops = find_ops(func->old_addr);

		if (ops) {
			ops->users++;
			func->ops = ops;
		} else {
			ret = register_ops(st, func, &func->ops);
			if (ret) {
				kmend_redirect_release(pack);
				return ret;
			}
		}
		if (st->update->model.leave == KMEND_LEAVE_FUNCTION)
			func->ops->old_body_live = true;
	}
	if (entry_count(st->update) > KMEND_MAX_STOP_JUMPS) {
		kmend_abort(st, KMEND_NO_FTRACE_SITE,
			    "more than %u functions without an ftrace call site in one update: make it two updates",
			    KMEND_MAX_STOP_JUMPS);
		kmend_redirect_release(pack);
		return -E2BIG;
	}
	ret = kmend_redirect_unsettle(st, pack);
	if (ret)
		kmend_redirect_release(pack);
	return ret;
}

void kmend_redirect_release(struct kmend_pack *pack)
{
	struct kmend_func *func;

	lockdep_assert_held(&kmend_mutex);

	kmend_for_each_func(pack, func)
		if (func->ops && !func->patched)
			put_ops(func);
}

void kmend_redirect_switch_pack(struct kmend_pack *pack, bool on,
				enum kmend_jump_write how)
{
	struct kmend_func *func, *top;

	kmend_for_each_func(pack, func) {
		if (on)
			list_add_rcu(&func->stack_node, &func->ops->stack);
		else
			list_del_rcu(&func->stack_node);
		func->patched = on;
		if (!func->ops->entry)
			continue;
		top = stack_top(func->ops);
		switch (how) {
		case KMEND_JUMP_STOPPED:	/* written: kmend_redirect_switch() */
			break;
		case KMEND_JUMP_UNUSED:
			kmend_jump_set_unused(&func->ops->jump,
					      top ? top->new_func : NULL);
			break;
		case KMEND_JUMP_GONE:
			func->ops->jump.target = top ? top->new_func : NULL;
			break;
		case KMEND_JUMP_NONE:
			/* resolve.c gives entry jumps to switch=kernel only */
			WARN_ON_ONCE(1);
			break;
		}
	}
	pack->patched = on;
}

/* Where @func's entry jump goes once @func is switched @on. */
static void *entry_next(struct kmend_func *func, bool on)
{
	struct list_head *below;

	if (on)
		return func->new_func;
	/* undone: only the first on the stack may be (update.c) */
	below = func->stack_node.next;
	if (below == &func->ops->stack)
		return NULL;
	return list_entry(below, struct kmend_func, stack_node)->new_func;
}

/* The entry jumps of one stop; only one runs at a time (kmend_mutex). */
static struct kmend_jump *stop_jumps[KMEND_MAX_STOP_JUMPS];
static unsigned int nr_stop_jumps;

static bool switched_now(const struct kmend_pack *pack, bool on)
{
	return on ? pack->prepared && !pack->patched : pack->patched;
}

/* The first queued for a jump wins: a replacing update's, above all others. */
static int queue_jump(struct kmend_jump *jump, void *next)
{
	unsigned int i;

	for (i = 0; i < nr_stop_jumps; i++)
		if (stop_jumps[i] == jump)
			return 0;
	/* kmend_redirect_prepare() counted them, replace.c by a dry run */
	if (nr_stop_jumps == ARRAY_SIZE(stop_jumps))
		return -E2BIG;
	jump->next = next;
	stop_jumps[nr_stop_jumps++] = jump;
	return 0;
}

int kmend_redirect_queue(struct kmend_update *update, bool on, bool original)
{
	struct kmend_pack *pack;
	struct kmend_func *func;
	int ret;

	kmend_for_each_pack(update, pack) {
		if (!switched_now(pack, on))
			continue;
		kmend_for_each_func(pack, func) {
			if (!func->ops->entry)
				continue;
			ret = queue_jump(&func->ops->jump,
					 original ? NULL : entry_next(func, on));
			if (ret) {
				nr_stop_jumps = 0;
				return ret;
			}
		}
	}
	return 0;
}

void kmend_redirect_queue_drop(void)
{
	nr_stop_jumps = 0;
}

int kmend_redirect_write_queued(void)
{
	int ret = kmend_jump_set_stopped(stop_jumps, nr_stop_jumps);

	nr_stop_jumps = 0;
	return ret;
}

void kmend_redirect_switch_packs(struct kmend_update *update, bool on,
				 enum kmend_jump_write how)
{
	struct kmend_pack *pack;

	kmend_for_each_pack(update, pack)
		if (switched_now(pack, on))
			kmend_redirect_switch_pack(pack, on, how);
}

int kmend_redirect_switch(struct kmend_update *update, bool on,
			  enum kmend_jump_write how)
{
	int ret;

	if (how == KMEND_JUMP_STOPPED) {
		ret = kmend_redirect_queue(update, on, false);
		if (!ret)
			ret = kmend_redirect_write_queued();
		if (ret)
			return ret;
	}
	kmend_redirect_switch_packs(update, on, how);
	return 0;
}

int kmend_redirect_check_entries(struct kmend_state *st,
				 struct kmend_update *update,
				 struct kmend_pack *only)
{
	struct kmend_pack *pack;
	struct kmend_func *func;
	const char *why;

	lockdep_assert_held(kmend_ksyms.kprobe_mutex);

	kmend_for_each_pack(update, pack) {
		if (only && pack != only)
			continue;
		kmend_for_each_func(pack, func) {
			if (!func->ops || !func->ops->entry ||
			    (update != st->update && !func->patched))
				continue;
			why = kmend_jump_check(&func->ops->jump);
			if (!why)
				continue;
			kmend_abort(st, !strcmp(why, "kprobe") ? KMEND_CODE_BUSY :
				    KMEND_NO_FTRACE_SITE,
				    "the entry jump of %s at %pS cannot be written: %s%s",
				    func->old_name, (void *)func->ops->jump.addr,
				    why, !strcmp(why, "kprobe") ?
				    " there; remove that kprobe first" : "");
			return -EBUSY;
		}
	}
	return 0;
}

void kmend_redirect_own_bytes(unsigned long addr, u8 *buf, size_t size)
{
	struct kmend_ops *ops;

	lockdep_assert_held(&kmend_mutex);

	list_for_each_entry(ops, &kmend_ops_list, node) {
		unsigned long at = ops->jump.addr;

		if (ops->jump.target && at >= addr &&
		    at + JMP32_INSN_SIZE <= addr + size)
			memcpy(buf + (at - addr), ops->jump.saved,
			       JMP32_INSN_SIZE);
	}
}

const struct kmend_func *kmend_redirect_other(const struct kmend_func *func)
{
	struct kmend_ops *ops = find_ops(func->old_addr);
	struct list_head *next;

	if (!ops)
		return NULL;
	next = func->patched ? func->stack_node.next : ops->stack.next;
	if (next == &ops->stack)
		return NULL;
	return list_entry(next, struct kmend_func, stack_node);
}

static int sync_cpu(void *unused)
{
	return 0;
}

void kmend_redirect_sync(void)
{
	unsigned int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		kmend_ksyms.stop_one_cpu(cpu, sync_cpu, NULL);
	cpus_read_unlock();
	synchronize_rcu();
}

static int handler_on(struct kmend_state *st, struct kmend_ops *ops,
		      const char *name)
{
	int ret = 0;

	if (ops->entry)
		return 0;
	/* a turn-off settle left for later is cancelled, and unqueued */
	if (ops->off_queued && !ops->off_taken) {
		list_del(&ops->off_node);
		ops->off_queued = false;
		ops->users--;	/* the caller's function holds it too */
	}
	mutex_lock(&ops_mutex);
	ops->off_wanted = false;
	if (!ops->registered) {
		ret = register_ftrace_function(&ops->fops);
		ops->registered = !ret;
	}
	mutex_unlock(&ops_mutex);
	if (ret) {
		kmend_abort(st, ret == -ENOMEM ? KMEND_OUT_OF_MEMORY :
					     KMEND_FTRACE_UNAVAILABLE,
			    "ftrace refused to take %s back from its jump: error %d (%s)",
			    name, ret,
			    ret == -EBUSY ? "another live patch or a kprobe with a post handler modifies it now; remove it first" :
			    "see the kernel log");
		return ret;
	}
	return 0;
}

/* Settle: turn @ops' handler off soon (kmend_redirect_handlers_off()). */
static void handler_off_later(struct kmend_ops *ops)
{
	bool registered;

	mutex_lock(&ops_mutex);
	registered = ops->registered;
	ops->off_wanted = registered;
	mutex_unlock(&ops_mutex);
	if (!registered || ops->off_queued)
		return;
	ops->off_queued = true;
	ops->users++;
	list_add_tail(&ops->off_node, &off_list);
}

bool kmend_redirect_handlers_off(void)
{
	struct kmend_ops *ops, *next;
	bool again = false;
	LIST_HEAD(list);

	mutex_lock(&kmend_mutex);
	list_for_each_entry(ops, &off_list, off_node)
		ops->off_taken = true;
	list_splice_init(&off_list, &list);
	mutex_unlock(&kmend_mutex);

	list_for_each_entry(ops, &list, off_node) {
		mutex_lock(&ops_mutex);
		if (ops->off_wanted && ops->registered) {
			/* waits until no CPU can be in the handler any more */
			unregister_ftrace_function(&ops->fops);
			ops->registered = false;
		}
		ops->off_wanted = false;
		mutex_unlock(&ops_mutex);
	}

	mutex_lock(&kmend_mutex);
	list_for_each_entry_safe(ops, next, &list, off_node) {
		bool requeue;

		mutex_lock(&ops_mutex);
		requeue = ops->off_wanted;
		mutex_unlock(&ops_mutex);
		ops->off_taken = false;
		if (requeue) {
			/* wanted off again since its turn: stays queued, pinned */
			list_move_tail(&ops->off_node, &off_list);
			again = true;
			continue;
		}
		list_del(&ops->off_node);
		ops->off_queued = false;
		ops_put(ops);
	}
	mutex_unlock(&kmend_mutex);
	return again;
}

/* A reason of kmend_jump_*() or settle, in words for the log. */
static const char *why_no_jump(const char *why)
{
	static const struct {
		const char *why, *words;
	} reasons[] = {
		{ "kprobe", "a kprobe is registered on the bytes the jump would cover" },
		{ "jump_label", "a jump label's site is in the bytes the jump would cover" },
		{ "static_call", "a static call's site is in the bytes the jump would cover" },
		{ "alternative", "an alternative's lock prefix is in the bytes the jump would cover" },
		{ "ftrace_site", "another ftrace site is in the bytes the jump would cover" },
		{ "changed", "the bytes the jump would cover are not what kmend left there" },
		{ "too_short", "the function is too short for a jump past its ftrace site" },
		{ "no_room", "the function is too short for a jump past its ftrace site" },
		{ "unreadable", "its bytes cannot be read" },
		{ "jumps_off", "kmend.ko's parameter jumps is off" },
		{ "leave_function", "a leave=function update of it may have tasks left in its old body" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reasons); i++)
		if (!strcmp(why, reasons[i].why))
			return reasons[i].words;
	return why;
}

void kmend_redirect_settle(struct kmend_state *st)
{
	struct kmend_pack *pack;
	struct kmend_func *func;
	const char *why;

	lockdep_assert_held(&kmend_mutex);

	kmend_for_each_pack(st->update, pack)
		kmend_for_each_func(pack, func) {
			struct kmend_ops *ops = func->ops;

			if (!func->patched || func->transition ||
			    ops->entry || stack_top(ops) != func)
				continue;
			if (ops->jump.target == func->new_func &&
			    (!ops->registered || ops->off_queued))
				continue;
			if (!READ_ONCE(jumps))
				why = "jumps_off";
			else if (ops->old_body_live)
				why = "leave_function";
			else
				why = kmend_jump_write(&ops->jump, func->new_func);
			if (why) {
				if (ops->why_ftrace != why)
					kmend_log(st, "%s keeps the ftrace path (%s): %s",
						  func->old_name, why,
						  why_no_jump(why));
				ops->why_ftrace = why;
				continue;
			}
			ops->why_ftrace = NULL;
			handler_off_later(ops);
			kmend_log(st, "%s: calls jump to %ps at %pS; its ftrace handler goes",
				  func->old_name, func->new_func,
				  (void *)ops->jump.addr);
		}
}

int kmend_redirect_unsettle(struct kmend_state *st, struct kmend_pack *pack)
{
	struct kmend_func *func;
	int ret;

	lockdep_assert_held(&kmend_mutex);

	kmend_for_each_func(pack, func) {
		ret = handler_on(st, func->ops, func->old_name);
		if (ret) {
			/* the others' jumps still go where they went */
			kmend_redirect_settle(st);
			return ret;
		}
	}
	return 0;
}

/* Every jump of the update whose function's own bytes come back. */
static bool restored_by(const struct kmend_func *func)
{
	const struct kmend_ops *ops = func->ops;

	return func->patched && !ops->entry && ops->jump.target &&
	       list_is_last(&func->stack_node, &ops->stack);
}

static int build_jump_ranges(struct kmend_transition *t)
{
	struct kmend_pack *pack;
	struct kmend_func *func;
	unsigned int n = 0;

	kmend_for_each_pack(t->st->update, pack)
		kmend_for_each_func(pack, func)
			n += restored_by(func);
	t->ranges = NULL;
	t->nr_ranges = 0;
	if (!n)
		return 0;
	t->ranges = kmend_alloc(n * sizeof(*t->ranges));
	if (!t->ranges) {
		t->st->cause = KMEND_OUT_OF_MEMORY;
		return -ENOMEM;
	}
	kmend_for_each_pack(t->st->update, pack)
		kmend_for_each_func(pack, func) {
			if (!restored_by(func))
				continue;
			t->ranges[t->nr_ranges].start = func->ops->jump.addr;
			t->ranges[t->nr_ranges].end = func->ops->jump.addr +
						      JMP32_INSN_SIZE;
			t->nr_ranges++;
		}
	return 0;
}

static int restore_stopped(struct kmend_transition *t, void *unused)
{
	struct kmend_pack *pack;
	struct kmend_func *func;
	unsigned int n = 0;
	int ret;

	/* in batches: every handler is on, so each may go back on its own */
	kmend_for_each_pack(t->st->update, pack)
		kmend_for_each_func(pack, func) {
			if (!restored_by(func))
				continue;
			func->ops->jump.next = NULL;
			stop_jumps[n++] = &func->ops->jump;
			if (n < ARRAY_SIZE(stop_jumps))
				continue;
			ret = kmend_jump_set_stopped(stop_jumps, n);
			if (ret)
				return ret;
			n = 0;
		}
	return kmend_jump_set_stopped(stop_jumps, n);
}

/* Under kprobe_mutex: may each jump be taken back? */
static int check_restore(struct kmend_transition *t)
{
	struct kmend_state *st = t->st;
	struct kmend_pack *pack;
	struct kmend_func *func;
	const char *why;

	kmend_for_each_pack(st->update, pack)
		kmend_for_each_func(pack, func) {
			if (!restored_by(func))
				continue;
			why = kmend_jump_check(&func->ops->jump);
			if (why) {
				kmend_abort(st, KMEND_CODE_BUSY,
					    "undo: the jump of %s at %pS cannot be taken back: %s%s",
					    func->old_name,
					    (void *)func->ops->jump.addr, why,
					    !strcmp(why, "kprobe") ?
					    " there now; remove that kprobe first" : "");
				return -EBUSY;
			}
		}
	return 0;
}

int kmend_redirect_unjump(struct kmend_state *st)
{
	struct kmend_transition t = {
		.st = st, .revert = true, .what = "jump removal",
		.in_stop = restore_stopped, .check_text = check_restore,
	};
	struct kmend_pack *pack;
	int ret;

	lockdep_assert_held(&kmend_mutex);

	/* registered then, the handlers would never be called */
	if (!READ_ONCE(*kmend_ksyms.ftrace_enabled)) {
		kmend_abort(st, KMEND_FTRACE_UNAVAILABLE,
			    "undo: ftrace is disabled (sysctl kernel.ftrace_enabled = 0) and the transition needs it; enable it to undo");
		return -EBUSY;
	}
	kmend_for_each_pack(st->update, pack) {
		if (!pack->patched)
			continue;
		ret = kmend_redirect_unsettle(st, pack);
		if (ret)
			return ret;
	}
	ret = kmend_transition_build(&t, build_jump_ranges);
	if (ret || !t.nr_ranges)
		goto out;
	/* a module notifier meanwhile must not settle these functions */
	kmend_transition_begin(st);
	ret = kmend_switch_kernel(&t);
	kmend_transition_end(st);
	if (!ret) {
		kmend_log(st, "undo: %u jump%s taken back; calls go through ftrace",
			  t.nr_ranges, t.nr_ranges == 1 ? "" : "s");
	}
out:
	kmend_free(t.ranges);
	return ret;
}

const char *kmend_redirect_path(const struct kmend_func *func)
{
	const struct kmend_ops *ops = func->ops;

	if (!ops || !func->patched)
		return NULL;
	if (stack_top((struct kmend_ops *)ops) != func)
		return "superseded";
	if (ops->entry)
		return "entry_jump";
	if (ops->jump.target == func->new_func && !READ_ONCE(ops->registered))
		return "jump";
	if (ops->why_ftrace)
		return ops->why_ftrace;
	return "ftrace";
}
