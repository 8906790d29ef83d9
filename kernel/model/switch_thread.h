/* SPDX-License-Identifier: GPL-2.0 */
/* switch_thread.h - the per-task models. */
#ifndef _KMEND_SWITCH_THREAD_H
#define _KMEND_SWITCH_THREAD_H

#include "core.h"

/*
 * If @st's per-task transition is running, ask for it to end with the
 * update applied (@applied) or not, reversing it if it goes the other way,
 * and wait until it has ended. Returns -ENOENT if @st has no transition
 * running, else 0 (or -ERESTARTSYS if a signal ended the wait). Called
 * without kmend_mutex, which the transition holds.
 */
int kmend_thread_request(struct kmend_state *st, bool applied);

/* The transition file: "none", or the direction, tasks left and who. */
ssize_t kmend_thread_show(struct kmend_state *st, char *buf);

#endif /* _KMEND_SWITCH_THREAD_H */
