// SPDX-License-Identifier: GPL-2.0
/*
 * redirect.c - sending calls of a replaced function to its new version,
 * through an ftrace_ops with FTRACE_OPS_FL_IPMODIFY on the function's
 * __fentry__ call site (the mechanism of the kernel's livepatch).
 */
#include <linux/cpu.h>
#include <linux/rculist.h>

#include "alloc.h"
#include "ksyms.h"
#include "redirect.h"
#include "universe.h"

/* Every registered ops; protected by kmend_mutex. */
static LIST_HEAD(kmend_ops_list);

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

static struct kmend_ops *find_ops(unsigned long old_addr)
{
	struct kmend_ops *ops;

	list_for_each_entry(ops, &kmend_ops_list, node)
		if (ops->old_addr == old_addr)
			return ops;
	return NULL;
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
	list_add(&ops->node, &kmend_ops_list);
	*out = ops;
	return 0;

free:
	ftrace_free_filter(&ops->fops);
	kmend_free(ops);
	return ret;
}

static void put_ops(struct kmend_func *func)
{
	struct kmend_ops *ops = func->ops;

	func->ops = NULL;
	if (--ops->users)
		return;
	WARN_ON_ONCE(!list_empty(&ops->stack));
	/* Waits until no CPU can be in the handler any more. */
	unregister_ftrace_function(&ops->fops);
	ftrace_set_filter_ip(&ops->fops, ops->old_addr, 1, 0);
	ftrace_free_filter(&ops->fops);
	list_del(&ops->node);
	kmend_free(ops);
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
			continue;
		}
		ret = register_ops(st, func, &func->ops);
		if (ret) {
			kmend_redirect_release(pack);
			return ret;
		}
	}
	return 0;
}

void kmend_redirect_release(struct kmend_pack *pack)
{
	struct kmend_func *func;

	lockdep_assert_held(&kmend_mutex);

	kmend_for_each_func(pack, func)
		if (func->ops && !func->patched)
			put_ops(func);
}

void kmend_redirect_switch_pack(struct kmend_pack *pack, bool on)
{
	struct kmend_func *func;

	kmend_for_each_func(pack, func) {
		if (on)
			list_add_rcu(&func->stack_node, &func->ops->stack);
		else
			list_del_rcu(&func->stack_node);
		func->patched = on;
	}
	pack->patched = on;
}

void kmend_redirect_switch(struct kmend_update *update, bool on)
{
	struct kmend_pack *pack;

	kmend_for_each_pack(update, pack)
		if (on ? pack->prepared && !pack->patched : pack->patched)
			kmend_redirect_switch_pack(pack, on);
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
