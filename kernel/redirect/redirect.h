/* SPDX-License-Identifier: GPL-2.0 */
/* redirect.h - sending calls of a replaced function to its new version. */
#ifndef _KMEND_REDIRECT_H
#define _KMEND_REDIRECT_H

#include <linux/ftrace.h>
#include <linux/list.h>

#include "core.h"
#include "jump.h"

/*
 * One ftrace_ops per replaced function, shared by every update that replaces
 * it. Its stack holds the updates' kmend_funcs, newest first; calls go to the
 * first one. An empty stack (registered, not yet switched, or switched back)
 * lets calls through to the original.
 *
 * Once the first on the stack is switched for every task, a jump to it
 * replaces the ftrace handler (jump.c), and the ops is unregistered; it is
 * registered again before any transition of the function. Invariant: the
 * ops is registered, or the jump goes to the first on the stack.
 */
struct kmend_ops {
	unsigned long old_addr;
	struct list_head node;		/* in the list of all ops */
	struct list_head stack;		/* kmend_func.stack_node, RCU */
	unsigned int users;		/* kmend_funcs pointing here */
	bool registered;		/* fops is registered with ftrace */
	/*
	 * No ftrace site: the jump covers the function's first bytes, is
	 * written and moved in the stop of each switch, and fops is unused.
	 */
	bool entry;
	/*
	 * A leave=function update replaced it: tasks may still run its old
	 * body, which a jump past the ftrace site would cover; no such jump
	 * while this ops lives.
	 */
	bool old_body_live;
	/*
	 * Settle wants the handler off (cancelled by a transition that needs
	 * it); under ops_mutex. The ops is then queued, and pinned (users),
	 * until the work that unregisters it is done; under kmend_mutex.
	 */
	bool off_wanted;
	bool off_queued;
	bool off_taken;			/* the work has it, off off_list */
	struct list_head off_node;
	struct kmend_jump jump;
	const char *why_ftrace;		/* why no jump (one word), or NULL */
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
 * calls go to the new code, or back; an entry jump is written as @how says.
 */
void kmend_redirect_switch_pack(struct kmend_pack *pack, bool on,
				enum kmend_jump_write how);

/*
 * Switch on every prepared pack of @update not yet on, or off every pack
 * that is on. Called with every other CPU stopped (@how
 * KMEND_JUMP_STOPPED), so that all functions switch at the same instant,
 * or by a model that never stops (KMEND_JUMP_NONE: its updates have no
 * entry jumps). In a stop, the entry jumps are written first; if a CPU
 * stays in an NMI meanwhile, nothing switches: -EAGAIN.
 */
int kmend_redirect_switch(struct kmend_update *update, bool on,
			  enum kmend_jump_write how);

/*
 * The same in steps, for a stop that switches several updates at once (an
 * atomic replace): queue the entry jumps of @update switching @on (to
 * where its functions' stacks then lead, or, @original, back to the
 * functions' own bytes); the first queued for a function wins, so the
 * update switching on is queued first. Then write every queued jump at
 * once (-EAGAIN: nothing written, as kmend_redirect_switch()), and only
 * then switch each update's packs, @how KMEND_JUMP_STOPPED. A failure
 * empties the queue; more than KMEND_MAX_STOP_JUMPS jumps is -E2BIG.
 */
int kmend_redirect_queue(struct kmend_update *update, bool on, bool original);
int kmend_redirect_write_queued(void);
/* Empty the queue without writing (after a dry run that counted them). */
void kmend_redirect_queue_drop(void);
void kmend_redirect_switch_packs(struct kmend_update *update, bool on,
				 enum kmend_jump_write how);

/*
 * With kprobe_mutex held until the switch is done: can every entry jump of
 * @update (of @only, if not NULL) be written, moved or taken back? @update
 * is @st's, or one @st replaces (its functions switched on). 0, or -EBUSY
 * with @st's cause set (a kprobe there: code_busy).
 */
int kmend_redirect_check_entries(struct kmend_state *st,
				 struct kmend_update *update,
				 struct kmend_pack *only);

/*
 * In @buf, a copy of the running code at [@addr, +@size): put the
 * function's own bytes back where a jump of kmend's stands (past an ftrace
 * site, or at an entry), so that what is compared is the kernel's code.
 */
void kmend_redirect_own_bytes(unsigned long addr, u8 *buf, size_t size);

/*
 * The code that runs for @func's target apart from @func's own: the
 * replacement below it on the stack if it is switched on, else the top of
 * the stack; NULL when that is the original.
 */
const struct kmend_func *kmend_redirect_other(const struct kmend_func *func);

/*
 * Once @st's functions are switched for every task: jump from each function
 * whose replacement in @st is the first on its stack, and release its ftrace
 * handler. A function that cannot have the jump keeps the handler (its
 * reason is in the functions file). Called with no transition running.
 */
void kmend_redirect_settle(struct kmend_state *st);

/*
 * Unregister the ftrace ops settle left for later (unregistering waits for
 * an RCU-tasks grace period: kmend_mutex is not held meanwhile, and
 * readers of sysfs go on). Called by the settle work without kmend_mutex;
 * returns true if an ops came due meanwhile: run again.
 */
bool kmend_redirect_handlers_off(void);

/*
 * Before a transition of @pack's functions: the ftrace handler back on for
 * every function that jumps; 0, or an error with st->cause set (and every
 * handler that was off is off again).
 */
int kmend_redirect_unsettle(struct kmend_state *st, struct kmend_pack *pack);

/*
 * Before undoing @st: the handler back on for each of its functions (as
 * kmend_redirect_unsettle()), and the function's own bytes back where @st's
 * replacement is the last on the stack, in a stop of the machine with no
 * task in them. 0, or an error with st->cause set: then nothing changed
 * that kmend_redirect_settle() does not set again.
 */
int kmend_redirect_unjump(struct kmend_state *st);

/*
 * How calls reach @func: "jump", "entry_jump", "ftrace", the reason it has
 * no jump (shown as "ftrace:<reason>"), or "superseded" (a later update's
 * replacement runs instead); NULL when it is not switched on.
 */
const char *kmend_redirect_path(const struct kmend_func *func);

/*
 * Wait until no ftrace handler can still be running with what it read
 * before: every CPU schedules (its stopper runs), which none can do inside
 * a handler, even where RCU is not watching. Sleeps.
 */
void kmend_redirect_sync(void);

#endif /* _KMEND_REDIRECT_H */
