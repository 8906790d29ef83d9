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
 * ensures it), and each write below checks that no kprobe, jump label,
 * static call or alternative lives in them.
 */
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/string.h>
#include <asm/insn.h>

#include "jump.h"
#include "ksyms.h"

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

/* Does other code patching own any of the bytes? Under text_mutex. */
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

void kmend_jump_set(struct kmend_jump *jump, void *target,
		    enum kmend_jump_write how)
{
	u8 insn[JMP32_INSN_SIZE];
	const u8 *bytes = jump->saved;

	if (jump->target == target)
		return;
	if (target) {
		jump_insn(insn, jump, target);
		bytes = insn;
	}
	switch (how) {
	case KMEND_JUMP_STOPPED:
		kmend_ksyms.text_poke_stopped((void *)jump->addr, bytes,
					      JMP32_INSN_SIZE);
		break;
	case KMEND_JUMP_UNUSED:
		mutex_lock(kmend_ksyms.text_mutex);
		kmend_ksyms.text_poke((void *)jump->addr, bytes,
				      JMP32_INSN_SIZE);
		mutex_unlock(kmend_ksyms.text_mutex);
		kmend_ksyms.text_poke_sync();
		break;
	case KMEND_JUMP_GONE:
		break;
	case KMEND_JUMP_NONE:
		/* resolve.c gives entry jumps to switch=kernel updates only */
		WARN_ON_ONCE(1);
		return;
	}
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
