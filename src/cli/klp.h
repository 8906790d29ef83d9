/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kmend command's side of the kernel's livepatch: updates made with
 * 'kmend create --format klp' are driven and read through
 * /sys/kernel/livepatch/<module>/ (Documentation/ABI/testing/sysfs-kernel-
 * livepatch), not through kmend's engine. Their module is kmend_<id> ('-'
 * in the id reads as '_', as the kernel names modules).
 */
#ifndef KMEND_KLP_H
#define KMEND_KLP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

#define KLP_SYSFS_DIR "/sys/kernel/livepatch"
/* livepatch's consistency model, in kmend's words */
#define KLP_MODEL "leave=patched-set,switch=thread"

/*
 * How long kmend waits for a livepatch transition, as the engine waits for
 * a per-task one by default (its transition_timeout).
 */
#define KLP_TRANSITION_TIMEOUT 60

/* Is a livepatch of kmend's for update @id loaded (enabled or in transition)? */
bool klp_update_loaded(const char *id);

/* The ids of kmend's livepatches, sorted; 0, or -1 with errno set. */
int klp_update_ids(char ***ids, size_t *n);

/*
 * Update @id as livepatch shows it: stage applied, applying, reversing;
 * model livepatch's; functions and targets from its objects. 0, or -1 with
 * errno set (ENOENT: no such patch).
 */
int klp_update_read(const char *id, struct live_update *u);

/* Write @on to the patch's enabled file: start or reverse a transition. */
int klp_write_enabled(const char *module, bool on);

/*
 * Wait until the transition of @module's patch ends (its transition file
 * reads 0, or the patch is gone), at most @timeout seconds, or until
 * *@interrupted. 0, -ETIMEDOUT or -EINTR.
 */
int klp_wait(const char *module, unsigned int timeout,
	     volatile sig_atomic_t *interrupted);

/*
 * Unload @module, whose livepatch was reversed: livepatch lets go of it
 * from a work item once the transition ends, so it may be busy a moment.
 * 0, or -errno.
 */
int klp_unload(const char *module);

/* Is @module's patch enabled and out of transition? */
bool klp_applied(const char *module);

/* For progress_start(): "applying" or "reversing" for module @arg. */
void klp_progress(void *arg, char *buf, size_t size);

/*
 * The module of update @id: kmend_<id>, '-' as '_'; "-" (no module) for an
 * id that is not 1-64 of [A-Za-z0-9_-].
 */
void klp_module_name(const char *id, char *buf, size_t size);

#endif /* KMEND_KLP_H */
