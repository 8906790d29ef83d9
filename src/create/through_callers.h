/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A changed static function without an ftrace call site, reached through
 * its callers (through_callers.c).
 */
#ifndef KMEND_THROUGH_CALLERS_H
#define KMEND_THROUGH_CALLERS_H

#include <stddef.h>

#include "elfobj.h"
#include "objdiff.h"

/*
 * Mark each changed static function of @d without an ftrace call site in
 * @pre, whose address nothing takes, OBJDIFF_COPIED (carried as new code,
 * not redirected), and each of its callers whose code did not change
 * OBJDIFF_CHANGED, saying why; callers without a site in turn, a few
 * levels up. Call before refusals_find(). Returns how many functions.
 */
size_t through_callers_mark(const struct elf_object *pre, const struct elf_object *post,
			    struct objdiff *d);

/*
 * Say for each changed function of @d still without an ftrace call site in
 * @pre (after through_callers_mark()) that a jump at its entry takes its
 * calls: the update carries it with entry_jump set (payload_funcs.c), for
 * models that stop the machine. Returns how many functions.
 */
size_t entry_jump_mark(const struct elf_object *pre, struct objdiff *d);

#endif /* KMEND_THROUGH_CALLERS_H */
