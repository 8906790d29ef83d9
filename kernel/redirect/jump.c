// SPDX-License-Identifier: GPL-2.0
/*
 * jump.c - a direct jump from a replaced function to its replacement, so
 * that once every task runs the new code a call costs a jump instead of a
 * trip through ftrace (Ksplice jumped from the function's entry).
 *
 * The jump goes just after the function's ftrace call site, not over it.
 * ftrace owns those five bytes and checks them before each change it makes
 * (on a mismatch, ftrace_bug() turns ftrace off for the whole kernel), so
 * the site stays a nop that ftrace keeps using: a tracer, a kprobe on the
 * function's entry or the kernel's livepatch attached later still run there,
 * ahead of the jump. The bytes the jump covers are nobody's once the update
 * is switched: no task runs the old body any more (every consistency model
 * but leave=function ensures it; redirect.c keeps those on ftrace), and
 * each write below checks that no kprobe, jump label, static call or
 * alternative lives in them.
 *
 * A function without an ftrace site gets its jump over its first bytes
 * instead, written in the stop of a switch=kernel model, after its pre code
 * shows that no branch lands inside them; an NMI, which the stop does not
 * stop, is kept out of half-written bytes as text_poke_bp() keeps CPUs out
 * (kmend_jump_set_stopped()).
 */
#include <linux/ftrace.h>
#include <linux/kdebug.h>
#include <linux/kprobes.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <asm/insn.h>
#include <asm/preempt.h>

#include "jump.h"
#include "ksyms.h"
#include "model.h"

const char *kmend_jump_place(struct kmend_jump *jump, unsigned long old_addr,
			     unsigned long old_size)
{
	unsigned long site = kmend_ksyms.ftrace_location(old_addr);

	jump->addr = 0;
	jump->target = NULL;
	if (!site)
		return "no_ftrace_site";
	if (site + MCOUNT_INSN_SIZE + JMP32_INSN_SIZE > old_addr + old_size)
		return "too_short";
	if (copy_from_kernel_nofault(jump->saved,
				     (void *)(site + MCOUNT_INSN_SIZE),
				     JMP32_INSN_SIZE))
		return "unreadable";
	jump->addr = site + MCOUNT_INSN_SIZE;
	return NULL;
}

/* Does other code patching own any of the bytes? Both mutexes held. */
static const char *bytes_owner(const struct kmend_jump *jump)
{
	void *start = (void *)jump->addr;
	void *last = start + JMP32_INSN_SIZE - 1;
	unsigned int i;

	lockdep_assert_held(kmend_ksyms.kprobe_mutex);
	for (i = 0; i < JMP32_INSN_SIZE; i++)
		if (kmend_ksyms.get_kprobe(start + i))
			return "kprobe";
	if (kmend_ksyms.jump_label_text_reserved(start, last))
		return "jump_label";
	if (kmend_ksyms.static_call_text_reserved(start, last))
		return "static_call";
	if (kmend_ksyms.alternatives_text_reserved(start, last))
		return "alternative";
	if (kmend_ksyms.ftrace_text_reserved(start, last))
		return "ftrace_site";
	return NULL;
}

static void jump_insn(u8 *insn, const struct kmend_jump *jump, void *target)
{
	__text_gen_insn(insn, JMP32_INSN_OPCODE, (void *)jump->addr, target,
			JMP32_INSN_SIZE);
}

/* Are the bytes what kmend left there: its jump, or the function's own? */
static bool bytes_expected(const struct kmend_jump *jump)
{
	u8 now[JMP32_INSN_SIZE], want[JMP32_INSN_SIZE];

	if (copy_from_kernel_nofault(now, (void *)jump->addr, sizeof(now)))
		return false;
	if (jump->target)
		jump_insn(want, jump, jump->target);
	else
		memcpy(want, jump->saved, sizeof(want));
	return !memcmp(now, want, sizeof(now));
}

const char *kmend_jump_write(struct kmend_jump *jump, void *target)
{
	u8 insn[JMP32_INSN_SIZE];
	const char *why;

	if (!jump->addr)
		return "no_room";
	if (jump->target == target)
		return NULL;
	jump_insn(insn, jump, target);

	/* kprobes arm under kprobe_mutex, then text_mutex: the same order */
	mutex_lock(kmend_ksyms.kprobe_mutex);
	mutex_lock(kmend_ksyms.text_mutex);
	why = bytes_owner(jump);
	if (!why && !bytes_expected(jump))
		why = "changed";
	if (!why) {
		kmend_ksyms.text_poke_bp((void *)jump->addr, insn,
					 JMP32_INSN_SIZE, NULL);
		jump->target = target;
	}
	mutex_unlock(kmend_ksyms.text_mutex);
	mutex_unlock(kmend_ksyms.kprobe_mutex);
	return why;
}

const char *kmend_jump_check(const struct kmend_jump *jump)
{
	const char *why;

	lockdep_assert_held(kmend_ksyms.kprobe_mutex);
	/* alternatives_text_reserved() reads its list under text_mutex */
	mutex_lock(kmend_ksyms.text_mutex);
	why = bytes_owner(jump);
	if (!why && !bytes_expected(jump))
		why = "changed";
	mutex_unlock(kmend_ksyms.text_mutex);
	return why;
}

/* Is there a relocation in @len bytes from @offset of @pre's code? */
static bool relocated(const struct kmend_pre_func *pre, unsigned int offset,
		      unsigned int len)
{
	unsigned int i;

	for (i = 0; i < pre->nr_relocs; i++)
		if (pre->relocs[i].offset >= offset &&
		    pre->relocs[i].offset < offset + len)
			return true;
	return false;
}

/* Where a relative jump, conditional jump or call of @insn at @at goes. */
static bool branch_target(const struct insn *insn, long at, long *target)
{
	u8 op = insn->opcode.bytes[0];

	switch (op) {
	case 0x70 ... 0x7f:	/* Jcc rel8 */
	case 0xe0 ... 0xe3:	/* LOOPcc, JrCXZ */
	case 0xe8:		/* CALL rel32 */
	case 0xe9:		/* JMP rel32 */
	case 0xeb:		/* JMP rel8 */
		break;
	case 0x0f:		/* Jcc rel32 */
		if (insn->opcode.bytes[1] < 0x80 || insn->opcode.bytes[1] > 0x8f)
			return false;
		break;
	default:
		return false;
	}
	*target = at + insn->length + insn->immediate.value;
	return true;
}

/*
 * Does a branch of the pre code, or a jump label's jump, land inside the
 * first @len bytes (past the first)? The pre code, not the running code:
 * a kprobe elsewhere in the function shows there as an int3.
 */
static const char *branch_into(const struct kmend_pre_func *pre,
			       unsigned int len)
{
	struct insn insn;
	long at, target;
	unsigned int i;

	for (at = 0; at < pre->size; at += insn.length) {
		if (kmend_ksyms.insn_decode(&insn, pre->code + at,
					    min_t(long, pre->size - at,
						  MAX_INSN_SIZE),
					    INSN_MODE_KERN) < 0 || !insn.length)
			return "undecodable";
		/* a relocated field goes elsewhere: not this function's */
		if (relocated(pre, at, insn.length))
			continue;
		if (branch_target(&insn, at, &target) && target > 0 &&
		    target < len)
			return "branch_target";
	}
	for (i = 0; i < pre->nr_sites; i++)
		if (pre->sites[i].kind == KMEND_SITE_JUMP_LABEL &&
		    pre->sites[i].target > 0 && pre->sites[i].target < len)
			return "branch_target";
	return NULL;
}

const char *kmend_jump_place_entry(struct kmend_jump *jump,
				   unsigned long old_addr,
				   unsigned long old_size,
				   const struct kmend_pre_func *pre)
{
	const char *why;

	jump->addr = 0;
	jump->target = NULL;
	if (!pre)
		return "no_pre_code";
	if (old_size < JMP32_INSN_SIZE || pre->size < JMP32_INSN_SIZE)
		return "too_short";
	why = branch_into(pre, JMP32_INSN_SIZE);
	if (why)
		return why;
	if (copy_from_kernel_nofault(jump->saved, (void *)old_addr,
				     JMP32_INSN_SIZE))
		return "unreadable";
	jump->addr = old_addr;
	return NULL;
}

/* The entry jumps a stop is writing, for the int3s NMIs may run into. */
static struct kmend_jump *writing[KMEND_MAX_STOP_JUMPS];
static unsigned int nr_writing;

static int int3_notify(struct notifier_block *nb, unsigned long val,
		       void *data)
{
	struct die_args *args = data;
	struct pt_regs *regs = args->regs;
	unsigned int i, n = READ_ONCE(nr_writing);

	if (val != DIE_INT3 || !n || user_mode(regs))
		return NOTIFY_DONE;
	/* the table was filled before nr_writing was set */
	smp_rmb();
	for (i = 0; i < n; i++) {
		if (regs->ip - INT3_INSN_SIZE != writing[i]->addr)
			continue;
		int3_emulate_jmp(regs, (unsigned long)writing[i]->emulate);
		return NOTIFY_STOP;
	}
	return NOTIFY_DONE;
}

static struct notifier_block int3_nb = { .notifier_call = int3_notify };

int kmend_jump_init(void)
{
	return register_die_notifier(&int3_nb);
}

void kmend_jump_exit(void)
{
	unregister_die_notifier(&int3_nb);
}

/* Wait until no other CPU is in an NMI, for 100 ms at most. */
static bool nmis_left(void)
{
	u64 deadline = ktime_get_mono_fast_ns() + 100 * NSEC_PER_MSEC;
	unsigned int cpu, self = smp_processor_id();

	for_each_online_cpu(cpu) {
		if (cpu == self)
			continue;
		while (READ_ONCE(per_cpu(__preempt_count, cpu)) & NMI_MASK) {
			if (ktime_get_mono_fast_ns() > deadline)
				return false;
			cpu_relax();
		}
	}
	return true;
}

/* The bytes @jump is to hold: a jump to @target, or the function's own. */
static const u8 *jump_bytes(const struct kmend_jump *jump, void *target,
			    u8 *insn)
{
	if (!target)
		return jump->saved;
	jump_insn(insn, jump, target);
	return insn;
}

static void poke_stopped(unsigned long addr, const u8 *bytes, size_t len)
{
	kmend_ksyms.text_poke_stopped((void *)addr, bytes, len);
}

int kmend_jump_set_stopped(struct kmend_jump **jumps, unsigned int n)
{
	static const u8 int3 = INT3_INSN_OPCODE;
	u8 insn[JMP32_INSN_SIZE];
	unsigned int i;
	int ret = 0;

	if (!n)
		return 0;
	if (WARN_ON_ONCE(n > ARRAY_SIZE(writing)))
		return -E2BIG;
	for (i = 0; i < n; i++) {
		writing[i] = jumps[i];
		/* where the code goes during the switch: either side is right */
		jumps[i]->emulate = jumps[i]->next ? jumps[i]->next :
						     jumps[i]->target;
	}
	/* the table before its size: int3_notify() reads them the other way */
	smp_wmb();
	WRITE_ONCE(nr_writing, n);

	/*
	 * The other CPUs of the stop wait in its loop and serialize at each
	 * kmend_stop_sync(); an NMI is waited out where text_poke_bp() would
	 * send an IPI.
	 */
	for (i = 0; i < n; i++)
		poke_stopped(jumps[i]->addr, &int3, INT3_INSN_SIZE);
	kmend_stop_sync();
	if (!nmis_left()) {
		for (i = 0; i < n; i++)
			poke_stopped(jumps[i]->addr,
				     jump_bytes(jumps[i], jumps[i]->target, insn),
				     INT3_INSN_SIZE);
		ret = -EAGAIN;
		goto out;
	}
	for (i = 0; i < n; i++)
		poke_stopped(jumps[i]->addr + INT3_INSN_SIZE,
			     jump_bytes(jumps[i], jumps[i]->next, insn) +
			     INT3_INSN_SIZE, JMP32_INSN_SIZE - INT3_INSN_SIZE);
	kmend_stop_sync();
	for (i = 0; i < n; i++) {
		poke_stopped(jumps[i]->addr,
			     jump_bytes(jumps[i], jumps[i]->next, insn),
			     INT3_INSN_SIZE);
		jumps[i]->target = jumps[i]->next;
	}
out:
	kmend_stop_sync();
	/*
	 * An NMI that ran into an int3 may be on its way to int3_notify():
	 * the table stays until no CPU is in an NMI.
	 */
	nmis_left();
	WRITE_ONCE(nr_writing, 0);
	return ret;
}

void kmend_jump_set_unused(struct kmend_jump *jump, void *target)
{
	u8 insn[JMP32_INSN_SIZE];

	if (jump->target == target)
		return;
	mutex_lock(kmend_ksyms.text_mutex);
	kmend_ksyms.text_poke((void *)jump->addr,
			      jump_bytes(jump, target, insn), JMP32_INSN_SIZE);
	mutex_unlock(kmend_ksyms.text_mutex);
	kmend_ksyms.text_poke_sync();
	jump->target = target;
}

unsigned long kmend_kprobe_within(unsigned long start, unsigned long end)
{
	unsigned long at, found = 0;

	mutex_lock(kmend_ksyms.kprobe_mutex);
	for (at = start; at < end && !found; at++)
		if (kmend_ksyms.get_kprobe((void *)at))
			found = at;
	mutex_unlock(kmend_ksyms.kprobe_mutex);
	return found;
}
