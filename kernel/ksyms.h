/* SPDX-License-Identifier: GPL-2.0 */
/* ksyms.h - unexported kernel symbols, found in one place (ksyms.c). */
#ifndef _KMEND_KSYMS_H
#define _KMEND_KSYMS_H

#include <linux/ftrace.h>
#include <linux/jump_label.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/freezer.h>
#include <linux/sched.h>
#include <linux/stacktrace.h>
#include <linux/static_call.h>
#include <linux/stop_machine.h>
#include <linux/wait.h>
#include <asm/insn.h>
#include <asm/text-patching.h>

/*
 * Kernel functions and variables the engine needs that the kernel does not
 * export to modules. All are found once, at engine load, by kmend_ksyms_init();
 * a missing one fails the load with its name. Nothing else in the engine
 * looks symbols up for its own use.
 */
struct kmend_ksyms {
	typeof(&kallsyms_lookup_name) lookup_name;
	typeof(&kallsyms_on_each_symbol) on_each_symbol;
	typeof(&module_kallsyms_on_each_symbol) module_on_each_symbol;
	typeof(&kallsyms_lookup_size_offset) lookup_size_offset;
	typeof(&stack_trace_save_tsk_reliable) save_tsk_reliable;
	typeof(&idle_task) idle_task;
	typeof(&task_curr) task_curr;
	typeof(&ftrace_location) ftrace_location;
	/* the module holding an address (an update's tables, validate.c) */
	struct module *(*module_address)(unsigned long addr);
	int *ftrace_enabled;
	/* for the per-task consistency models */
	typeof(&task_call_func) task_call_func;
	typeof(&wake_up_state) wake_up_state;
	typeof(&stop_one_cpu) stop_one_cpu;
	/*
	 * LEAVE_KERNEL: a task asleep on its way back to user space sleeps in
	 * exit_to_user_mode_prepare(), through the scheduler (.sched.text)
	 * or signal delivery (a stop). Start and size of each.
	 */
	struct kmend_text {
		unsigned long start, size;
	} exit_to_user, sched_text, way_out_signal[3];
	/* for LEAVE_KERNEL + SWITCH_KERNEL: user space out of the kernel */
	typeof(&freeze_processes) freeze_processes;
	typeof(&thaw_processes) thaw_processes;
	/* for writing relocations into update code */
	typeof(&text_poke) text_poke;
	struct mutex *text_mutex;
	/* for the direct jumps of redirect/jump.c */
	typeof(&text_poke_bp) text_poke_bp;
	typeof(&text_poke_kgdb) text_poke_stopped;
	typeof(&text_poke_sync) text_poke_sync;
	typeof(&jump_label_text_reserved) jump_label_text_reserved;
	typeof(&static_call_text_reserved) static_call_text_reserved;
	typeof(&alternatives_text_reserved) alternatives_text_reserved;
	typeof(&ftrace_text_reserved) ftrace_text_reserved;
	typeof(&get_kprobe) get_kprobe;
	struct mutex *kprobe_mutex;
	typeof(&insn_decode) insn_decode;
};

extern struct kmend_ksyms kmend_ksyms;

int kmend_ksyms_init(void);

#endif /* _KMEND_KSYMS_H */
