/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmend create --format klp: the update as a module of the kernel's own
 * livepatch (CONFIG_LIVEPATCH), loaded without kmend's engine. The payloads
 * are the same; klp_tables.c writes the klp_patch around them, and
 * klp_relocs.c turns the references kmend's engine would resolve into
 * livepatch relocations in the linked module.
 */
#ifndef KMEND_KLP_TABLES_H
#define KMEND_KLP_TABLES_H

#include <stdio.h>

#include "updatemod.h"

/* The kmend model livepatch implements (its only one). */
extern const char *const klp_model;

/*
 * What livepatch cannot express, refused before anything is built: another
 * model, hooks (it never stops the machine), --require-targets. Returns 0,
 * or -1 with the reason in @err.
 */
int klp_check(const struct update_module *m, char *err, size_t errlen);

/* The module's C file: a klp_patch of one klp_object per target. */
int klp_tables_write(const struct update_module *m, FILE *f);

/*
 * Write the kmend relocations of @m's payloads into the linked module @ko
 * as livepatch relocations. Returns 0, or -1 with a message in @err.
 */
int klp_relocs_write(const char *ko, const struct update_module *m, char *err,
		     size_t errlen);

#endif /* KMEND_KLP_TABLES_H */
