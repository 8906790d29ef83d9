/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Changed read-only tables whose every reader the update can replace:
 * carried as the update's own copy, the readers replaced (table_copy.c).
 */
#ifndef KMEND_TABLE_COPY_H
#define KMEND_TABLE_COPY_H

#include <stddef.h>

#include "elfobj.h"
#include "objdiff.h"

/*
 * Mark each changed static read-only object of @post that only functions
 * of the unit refer to OBJDIFF_COPIED, and each of those functions whose
 * code did not change OBJDIFF_CHANGED, saying why. Call before
 * refusals_find(). Returns how many tables.
 */
size_t table_copy_mark(const struct elf_object *post, struct objdiff *d);

#endif /* KMEND_TABLE_COPY_H */
