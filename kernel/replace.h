/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replace.h - atomic replace: an update flagged KMEND_REPLACE takes over
 * every function the updates applied before it replace, and switches the
 * others back to the original, in the one stop of its switch; those
 * updates are then reversed, for kmend apply to unload.
 */
#ifndef _KMEND_REPLACE_H
#define _KMEND_REPLACE_H

#include "core.h"
#include "model.h"

/* Does @st replace the updates applied before it? */
static inline bool kmend_replaces(const struct kmend_state *st)
{
	return st->update->flags & KMEND_REPLACE;
}

/*
 * Before @st's packs are prepared: refuse a model that does not stop the
 * machine, and take back the jumps past the ftrace sites of every update it
 * replaces, so that their functions go through ftrace for the switch (entry
 * jumps stay: the stop rewrites them). 0, or an error with st->cause set;
 * the updates it replaces stay applied either way.
 */
int kmend_replace_prepare(struct kmend_state *st);

/*
 * Can the stop write every entry jump of @st and of the updates it
 * replaces (no kprobe or other code patcher in their bytes, at most
 * KMEND_MAX_STOP_JUMPS distinct ones)? Checked when the replace starts and
 * again just before each stop, with kprobe_mutex held (a module target of
 * theirs may have loaded meanwhile). 0, or an error with st->cause set.
 */
int kmend_replace_check_entries(struct kmend_state *st);

/*
 * A pack of @changed was switched on or off by a module target coming or
 * going: the replacing update in transition, if any, builds its patched
 * set again, which holds the replaced updates' code.
 */
void kmend_replace_packs_changed(struct kmend_state *changed);

/* Code ranges of the replaced updates, for the patched set: how many, or add them. */
unsigned int kmend_replace_count_ranges(const struct kmend_state *st);
void kmend_replace_add_ranges(const struct kmend_state *st, struct kmend_transition *t,
			      void (*add)(struct kmend_transition *t,
					  unsigned long start, unsigned long size));

/*
 * In @st's stop: its functions on and every pack of the replaced updates
 * off, their entry jumps written at once (a function @st carries jumps to
 * @st's code, one it does not gets its own bytes back). 0, or -EAGAIN with
 * nothing switched (a CPU stayed in an NMI; -E2BIG: more jumps than
 * kmend_replace_check_entries() counted, which cannot happen).
 */
int kmend_replace_switch(struct kmend_state *st);

/*
 * Once @st is applied: each replaced update reversed (its callbacks are not
 * run, as with livepatch's atomic replace; its shadow variables stay for
 * @st's code), its packs and its module reference released.
 */
void kmend_replace_finish(struct kmend_state *st);

/*
 * Once @st's post_patch callbacks have run: the updates it replaced are no
 * longer its previous ones (kmend_get_prev_state()).
 */
void kmend_replace_forget(struct kmend_state *st);

#endif /* _KMEND_REPLACE_H */
