/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KMEND_MODULE_TARGETS_H
#define _KMEND_MODULE_TARGETS_H

/*
 * Packs for modules follow their module: a module that loads while updates
 * for it are applied is patched before its init runs; one that unloads is
 * unpatched after its exit. Registers the module notifier that does it.
 */
int kmend_module_targets_init(void);
void kmend_module_targets_exit(void);

#endif /* _KMEND_MODULE_TARGETS_H */
