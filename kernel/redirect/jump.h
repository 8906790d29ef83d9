/* SPDX-License-Identifier: GPL-2.0 */
/* jump.h - a direct jump from a replaced function to its replacement. */
#ifndef _KMEND_JUMP_H
#define _KMEND_JUMP_H

#include <linux/types.h>
#include <asm/text-patching.h>
#include <kmend/pre.h>

/*
 * The five bytes just after a function's ftrace call site, which a jump to
 * the function's replacement overwrites once every task runs the new code.
 */
struct kmend_jump {
	unsigned long addr;		/* 0: the function has no room */
	void *target;			/* where it jumps; NULL: not written */
	u8 saved[JMP32_INSN_SIZE];	/* the function's own bytes there */
	/* for kmend_jump_set_stopped(): where it is to jump (NULL: back) */
	void *next;
	void *emulate;			/* where an int3 there sends a CPU */
};

/* Entry jumps one stop writes at most. */
#define KMEND_MAX_STOP_JUMPS	64

/*
 * Find where the jump of the function at @old_addr (@old_size bytes) goes
 * and keep the bytes it would cover. Returns NULL, or why the function
 * keeps the ftrace path (one word, for the functions file).
 */
const char *kmend_jump_place(struct kmend_jump *jump, unsigned long old_addr,
			     unsigned long old_size);

/*
 * The same for a function without an ftrace call site: the jump covers its
 * first bytes, so no branch of its pre code @pre may land inside them.
 */
const char *kmend_jump_place_entry(struct kmend_jump *jump,
				   unsigned long old_addr,
				   unsigned long old_size,
				   const struct kmend_pre_func *pre);

/*
 * Can the jump be written, moved or taken back now: do the bytes hold what
 * kmend left there, and does no kprobe, jump label, static call or
 * alternative live in them? NULL, or why not. Called with kprobe_mutex
 * held, kept until the bytes are written, so that no kprobe comes between.
 */
const char *kmend_jump_check(const struct kmend_jump *jump);

/* How the switch of an entry jump may write it. */
enum kmend_jump_write {
	KMEND_JUMP_STOPPED,	/* every other CPU is stopped */
	KMEND_JUMP_UNUSED,	/* nothing runs the code yet (a module coming) */
	KMEND_JUMP_GONE,	/* the code goes away (a module going): no write */
	KMEND_JUMP_NONE,	/* a model that never stops: no entry jump */
};

/*
 * With every other CPU stopped, make each of @n @jumps go to its ->next
 * (NULL: the function's own bytes back), as text_poke_bp() would were IPIs
 * possible: an int3 first (a CPU that runs into it, in an NMI, is sent
 * where the jump goes, by kmend's die notifier), then a wait until no
 * other CPU is in an NMI (one may have been inside the bytes), then the
 * rest of each jump and its first byte. -EAGAIN, with nothing changed, if
 * a CPU stays in an NMI for 100 ms. text_poke_sync() after the stop.
 */
int kmend_jump_set_stopped(struct kmend_jump **jumps, unsigned int n);

/* The same for code nothing runs yet (a module coming), under text_mutex. */
void kmend_jump_set_unused(struct kmend_jump *jump, void *target);

/* kmend's die notifier for those int3s; at engine load and unload. */
int kmend_jump_init(void);
void kmend_jump_exit(void);

/*
 * Write the jump to @target, or move it there, with text_poke_bp() (no CPU
 * stops). Every call must already reach the replacement another way (the
 * ftrace handler) and no task be inside the bytes. Returns NULL, or why the
 * jump is not there (a kprobe, a jump label or the like now owns the bytes,
 * or they are not what kmend left): then nothing was written. Takes
 * kprobe_mutex and text_mutex.
 */
const char *kmend_jump_write(struct kmend_jump *jump, void *target);

/*
 * The first address in [@start, @end) a kprobe is registered at, or 0: its
 * int3, or an optimized probe's jump, stands in the running code there.
 * Takes kprobe_mutex.
 */
unsigned long kmend_kprobe_within(unsigned long start, unsigned long end);

#endif /* _KMEND_JUMP_H */
