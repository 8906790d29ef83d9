/* SPDX-License-Identifier: GPL-2.0 */
/* redirect.h - sending calls of a replaced function to its new version. */
#ifndef _KMEND_REDIRECT_H
#define _KMEND_REDIRECT_H

#include <linux/ftrace.h>
#include <linux/list.h>

#include "core.h"

/*
 * One ftrace_ops per replaced function, shared by every update that replaces
 * it. Its stack holds the updates' kmend_funcs, newest first; calls go to the
 * first one. An empty stack (registered, not yet switched, or switched back)
 * lets calls through to the original.
 */
struct kmend_ops {
	unsigned long old_addr;
	struct list_head node;		/* in the list of all ops */
	struct list_head stack;		/* kmend_func.stack_node, RCU */
	unsigned int users;		/* kmend_funcs pointing here */
	struct ftrace_ops fops;
};

/*
 * Give every function of @pack its ops, registering ftrace for functions
 * not yet redirected. Changes no call: the new entries are not on any stack.
 * On failure, releases what it took, sets st->cause and returns an error.
 */
int kmend_redirect_prepare(struct kmend_state *st, struct kmend_pack *pack);

/*
 * Drop @pack's ops references for functions not switched on; unregister
 * ops nobody uses any more (which waits for handlers still running).
 */
void kmend_redirect_release(struct kmend_pack *pack);

/*
 * Push (on) or pop (off) every function of @pack on its ops' stack, so that
 * calls go to the new code, or back.
 */
void kmend_redirect_switch_pack(struct kmend_pack *pack, bool on);

/*
 * Switch on every prepared pack of @update not yet on, or off every pack
 * that is on. Called with every other CPU stopped, so that all functions
 * switch at the same instant.
 */
void kmend_redirect_switch(struct kmend_update *update, bool on);

/*
 * The code that runs for @func's target apart from @func's own: the
 * replacement below it on the stack if it is switched on, else the top of
 * the stack; NULL when that is the original.
 */
const struct kmend_func *kmend_redirect_other(const struct kmend_func *func);

/*
 * Wait until no ftrace handler can still be running with what it read
 * before: every CPU schedules (its stopper runs), which none can do inside
 * a handler, even where RCU is not watching. Sleeps.
 */
void kmend_redirect_sync(void);

#endif /* _KMEND_REDIRECT_H */
