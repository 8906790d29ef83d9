/* SPDX-License-Identifier: GPL-2.0 */
/* update.h - applying and undoing an update. */
#ifndef _KMEND_UPDATE_H
#define _KMEND_UPDATE_H

#include "core.h"

/*
 * Apply or undo an update (writing "applied" or "reversed" to its stage).
 * Called with kmend_mutex held. On failure the kernel is as it was, the
 * stage unchanged, and st->cause says why.
 */
int kmend_apply(struct kmend_state *st);
int kmend_revert(struct kmend_state *st);

/*
 * Is @upper stacked on @lower: both applied, @upper later, replacing some of
 * the same functions (so @lower cannot be undone first)? kmend_mutex held.
 */
bool kmend_stacked_on(struct kmend_state *upper, struct kmend_state *lower);

/*
 * Soon, once no transition runs, let calls of every switched function jump
 * straight to its replacement (kmend_redirect_settle(), from a work item;
 * the ftrace handlers go a second later); kmend_settle_wait() waits until
 * that is done (the engine unloading; not with kmend_mutex held).
 */
void kmend_settle_all(void);
void kmend_settle_wait(void);

#endif /* _KMEND_UPDATE_H */
