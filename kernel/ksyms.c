// SPDX-License-Identifier: GPL-2.0
/*
 * ksyms.c - the one place where unexported kernel symbols are found.
 *
 * kallsyms_lookup_name() itself is unexported since 5.7; a kprobe registered
 * on it by name reports its address. Every other symbol comes from it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>

#include "ksyms.h"

struct kmend_ksyms kmend_ksyms;

#define KSYM(field, symbol) { #symbol, (void **)&kmend_ksyms.field }

static const struct {
	const char *name;
	void **slot;
} wanted[] = {
	KSYM(on_each_symbol, kallsyms_on_each_symbol),
	KSYM(module_on_each_symbol, module_kallsyms_on_each_symbol),
	KSYM(lookup_size_offset, kallsyms_lookup_size_offset),
	KSYM(save_tsk_reliable, stack_trace_save_tsk_reliable),
	KSYM(idle_task, idle_task),
	KSYM(task_curr, task_curr),
	KSYM(ftrace_location, ftrace_location),
	KSYM(module_address, __module_address),
	KSYM(ftrace_enabled, ftrace_enabled),
	KSYM(task_call_func, task_call_func),
	KSYM(wake_up_state, wake_up_state),
	KSYM(stop_one_cpu, stop_one_cpu),
	KSYM(exit_to_user.start, exit_to_user_mode_prepare),
	KSYM(sched_text.start, __sched_text_start),
	KSYM(sched_text.size, __sched_text_end),
	KSYM(way_out_signal[0].start, arch_do_signal_or_restart),
	KSYM(way_out_signal[1].start, get_signal),
	KSYM(way_out_signal[2].start, do_signal_stop),
	KSYM(freeze_processes, freeze_processes),
	KSYM(thaw_processes, thaw_processes),
	KSYM(text_poke, text_poke),
	KSYM(text_mutex, text_mutex),
	KSYM(text_poke_bp, text_poke_bp),
	/* the kernel's writer for a machine whose other CPUs are stopped */
	KSYM(text_poke_stopped, text_poke_kgdb),
	KSYM(text_poke_sync, text_poke_sync),
	KSYM(jump_label_text_reserved, jump_label_text_reserved),
	KSYM(static_call_text_reserved, static_call_text_reserved),
	KSYM(alternatives_text_reserved, alternatives_text_reserved),
	KSYM(ftrace_text_reserved, ftrace_text_reserved),
	KSYM(get_kprobe, get_kprobe),
	KSYM(kprobe_mutex, kprobe_mutex),
	KSYM(insn_decode, insn_decode),
};

/* Lets the tests see the refusal that a kernel lacking a symbol causes. */
static char *require_symbol;
module_param(require_symbol, charp, 0400);
MODULE_PARM_DESC(require_symbol,
		 "also require this kernel symbol at load (to test the refusal)");

static int lookup(const char *name, void **slot)
{
	unsigned long addr = kmend_ksyms.lookup_name(name);

	if (!addr) {
		pr_err("required kernel symbol %s not found\n", name);
		return -ENOENT;
	}
	*slot = (void *)addr;
	return 0;
}

/* The functions found above whose extent is needed, not just their start. */
static int text_sizes(void)
{
	struct kmend_text *texts[] = {
		&kmend_ksyms.exit_to_user,
		&kmend_ksyms.way_out_signal[0],
		&kmend_ksyms.way_out_signal[1],
		&kmend_ksyms.way_out_signal[2],
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		if (!kmend_ksyms.lookup_size_offset(texts[i]->start,
						    &texts[i]->size, NULL)) {
			pr_err("no size for kernel function %pS\n",
			       (void *)texts[i]->start);
			return -ENOENT;
		}
	}
	/* found as __sched_text_end: make it a size */
	kmend_ksyms.sched_text.size -= kmend_ksyms.sched_text.start;
	return 0;
}

static unsigned long find_kallsyms_lookup_name(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long addr;

	if (register_kprobe(&kp) < 0)
		return 0;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return addr;
}

int kmend_ksyms_init(void)
{
	unsigned long addr;
	int i, ret;

	addr = find_kallsyms_lookup_name();
	if (!addr) {
		pr_err("cannot find kallsyms_lookup_name (needs CONFIG_KPROBES and CONFIG_KALLSYMS)\n");
		return -ENOENT;
	}
	kmend_ksyms.lookup_name = (void *)addr;

	for (i = 0; i < ARRAY_SIZE(wanted); i++) {
		ret = lookup(wanted[i].name, wanted[i].slot);
		if (ret)
			return ret;
	}
	ret = text_sizes();
	if (ret)
		return ret;
	if (require_symbol) {
		void *unused;

		return lookup(require_symbol, &unused);
	}
	return 0;
}
