/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an update built by replacing functions cannot do, found in the
 * comparison of a unit's pre and post objects.
 */
#ifndef KMEND_REFUSE_H
#define KMEND_REFUSE_H

#include <stddef.h>

#include "elfobj.h"
#include "objdiff.h"

struct refusal {
	char *name;	/* the function or data object */
	char *reason;	/* why, and what to do instead */
};

struct refusals {
	struct refusal *items;
	size_t nr;
};

/*
 * Refuse, for each entry of @diff: a data object whose value changes (the
 * running kernel keeps the old one), a changed function in __init or __exit
 * code (gone, or never run again, once the kernel or module is up), and a
 * changed function without an ftrace call site in @pre (nothing to redirect
 * calls with). Returns 0, or -1 when out of memory.
 */
int refusals_find(const struct elf_object *pre, const struct objdiff *diff,
		  struct refusals *out);
void refusals_free(struct refusals *r);

/* Add a refusal of @name; takes @reason (NULL: out of memory). 0 or -1. */
int refusals_add(struct refusals *r, const char *name, char *reason);

#endif /* KMEND_REFUSE_H */
