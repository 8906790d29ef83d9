/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A replacement of do_idle(), the loop every idle CPU runs, for the updates
 * that test idle tasks: it runs the original's body (past its ftrace site,
 * so not redirected again). Idle tasks are inside do_idle() whenever they
 * are off their CPU, so once it is applied, every idle task has the
 * module's code on its stack.
 */
#ifndef KMEND_TEST_IDLE_UPDATE_H
#define KMEND_TEST_IDLE_UPDATE_H

#include <linux/atomic.h>
#include <linux/elf.h>
#include <linux/ftrace.h>
#include <linux/module.h>
#include <kmend/patch.h>

/* do_idle(), written by the engine (a kmend relocation: it is static) */
static unsigned long do_idle_addr;
/*
 * Returns from the new code (idle CPUs ran it), and tasks inside it now:
 * none may be once its undo has returned.
 */
static unsigned long calls;
module_param(calls, ulong, 0400);
MODULE_PARM_DESC(calls, "how many times the new do_idle() returned");
static atomic_t inside = ATOMIC_INIT(0);
module_param_named(inside, inside.counter, int, 0400);
MODULE_PARM_DESC(inside, "how many tasks are inside the new do_idle() now");

static void new_do_idle(void)
{
	const u8 *p = (const u8 *)do_idle_addr;
	void (*body)(void);

	atomic_inc(&inside);
	/* past an endbr64 and the 5-byte ftrace site */
	if (p[0] == 0xf3 && p[1] == 0x0f && p[2] == 0x1e && p[3] == 0xfa)
		p += 4;
	body = (void (*)(void))(p + MCOUNT_INSN_SIZE);
	body();
	/* after the call, so that it is no tail call: this frame stays */
	WRITE_ONCE(calls, READ_ONCE(calls) + 1);	/* racy: only > 0 matters */
	atomic_dec(&inside);
}

static struct kmend_reloc relocs[] = {
	{ .place = &do_idle_addr, .symbol = "do_idle", .type = R_X86_64_64 },
	{ }
};

#endif
