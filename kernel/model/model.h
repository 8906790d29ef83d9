/* SPDX-License-Identifier: GPL-2.0 */
/* model.h - the consistency models and the transition they share. */
#ifndef _KMEND_MODEL_H
#define _KMEND_MODEL_H

#include "core.h"

/* An address range of code that must not be on a stack at the switch. */
struct kmend_range {
	unsigned long start;
	unsigned long end;
};

/* Old, other and new code of a function, each with a cold part. */
#define KMEND_RANGES_PER_FUNC	6

/* One switch of an update's functions, on (apply) or off (revert). */
struct kmend_transition {
	struct kmend_state *st;
	bool revert;
	/* The patched set: old, current and new code of every function. */
	struct kmend_range *ranges;
	unsigned int nr_ranges;
	/* makes the ranges again (packs came or went): 0 or -ENOMEM */
	int (*build)(struct kmend_transition *t);
	unsigned int packs_seen;	/* st->packs_changed when built */
	/*
	 * For a stop that is not a switch (kmend_switch_kernel() with no
	 * task in @ranges): what it does, for the log, and the work done
	 * in the stop instead of the switch; 0 or an error.
	 */
	const char *what;
	int (*in_stop)(struct kmend_transition *t, void *arg);
	void *arg;
	/*
	 * The stop writes kernel text (entry jumps, jumps taken back): checked
	 * by this just before each stop, both under kprobe_mutex, so that no
	 * kprobe takes a copy of those bytes in between; 0 or an error with
	 * the cause set. kmend_switch_kernel() syncs every CPU after a stop.
	 */
	int (*check_text)(struct kmend_transition *t);
};

/*
 * Build @t's ranges with @build, and again whenever a module target of the
 * update came or went while kmend_mutex was released; -ENOMEM (cause set)
 * if memory ran out, which leaves the old ranges.
 */
int kmend_transition_build(struct kmend_transition *t,
			   int (*build)(struct kmend_transition *t));
int kmend_transition_refresh(struct kmend_transition *t);

/*
 * Sleep @ms with kmend_mutex released, so that module loads and unloads,
 * updates registering and readers go on while the model waits for tasks
 * (the kernel's livepatch never holds klp_mutex across a transition).
 * The update stays in transition: other stage writes wait for its end.
 * Returns -EINTR, with the mutex held again, if a signal is pending.
 */
int kmend_transition_sleep(struct kmend_transition *t, unsigned int ms);

/*
 * Begin and end @st's transition. While one runs, a stage write waits in
 * kmend_transition_wait_idle() until it ends: called with kmend_mutex, it
 * returns 0 with the mutex held, or -ERESTARTSYS (a signal) without it.
 */
void kmend_transition_begin(struct kmend_state *st);
void kmend_transition_end(struct kmend_state *st);
int kmend_transition_wait_idle(void);
/* The update in transition, or NULL; under kmend_mutex. */
struct kmend_state *kmend_transition_state(void);

/*
 * A consistency model: how the switch of all of an update's functions is
 * made safe. Each model lives in a file of its own and plugs in here.
 */
struct kmend_model_ops {
	struct kmend_model model;
	/*
	 * Switch every function of t->st->update (off when t->revert).
	 * Returns 0 once switched; on failure nothing is switched, and
	 * t->st->cause says why.
	 */
	int (*switch_update)(struct kmend_transition *t);
	/* runs the update's TRANSFORM_WORLD hooks (kmend_hooks) in its stop */
	bool runs_hooks;
};

/*
 * How long a transition may wait for tasks to leave the code it changes
 * (module parameter transition_timeout), in seconds.
 */
unsigned int kmend_transition_timeout(void);

/* The implementation of @model, or NULL if this engine has none. */
const struct kmend_model_ops *kmend_model_ops(const struct kmend_model *model);

/* "leave=patched-set,switch=kernel", as the model file shows it. */
int kmend_model_print(const struct kmend_model *model, char *buf,
		      size_t size);

extern const struct kmend_model_ops kmend_switch_kernel_model;
extern const struct kmend_model_ops kmend_switch_function_model;
extern const struct kmend_model_ops kmend_leave_kernel_model;
extern const struct kmend_model_ops kmend_switch_thread_model;
extern const struct kmend_model_ops kmend_leave_kernel_thread_model;

/*
 * Stop the machine, check every task's stack against the patched set and
 * switch with the update's hooks, retrying while a task is in the way
 * (switch_kernel.c); the models that switch the whole kernel at once use it.
 */
int kmend_switch_kernel(struct kmend_transition *t);

/*
 * From the work of a kmend_switch_kernel() stop: every other CPU, waiting
 * in kmend's own loop, serializes (sync_core()) and says so; returns once
 * all have. What was written before is what they run after the stop.
 */
void kmend_stop_sync(void);

#endif /* _KMEND_MODEL_H */
