/* SPDX-License-Identifier: GPL-2.0 */
/* module_targets.h - target modules that come and go while updates are applied. */
#ifndef _KMEND_MODULE_TARGETS_H
#define _KMEND_MODULE_TARGETS_H

/*
 * Packs for modules follow their module: a module that loads while updates
 * for it are applied is patched before its init runs; one that unloads is
 * unpatched after its exit. Registers the module notifier that does it.
 */
int kmend_module_targets_init(void);
void kmend_module_targets_exit(void);

struct module;

/*
 * May an apply patch @mod now: live, or coming and already seen by the
 * notifier (else the notifier patches it, in order)? kmend_mutex held.
 */
bool kmend_module_ready(struct module *mod);

/*
 * Are the callbacks running now those of a module coming or going (not of
 * an update's own apply or undo)? kmend_mutex held.
 */
bool kmend_module_event(void);

#endif /* _KMEND_MODULE_TARGETS_H */
