/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an update built by replacing functions cannot do, found in the
 * comparison of a unit's pre and post objects.
 */
#ifndef KMEND_REFUSE_H
#define KMEND_REFUSE_H

#include <stdbool.h>
#include <stddef.h>

#include "elfobj.h"
#include "objdiff.h"
#include "refusal_kinds.h"

struct refusal {
	const char *kind;	/* REFUSE_*: kmend explain KIND */
	char *name;	/* the function, data object or type */
	char *reason;	/* why, and what to do instead */
	char *here;	/* what is particular to this unit, or NULL */
};

struct refusals {
	struct refusal *items;
	size_t nr;
};

/*
 * Refuse, for each entry of @diff: a data object whose value changes (the
 * running kernel keeps the old one; not one the new code has its own copy
 * of, payload_private_copy()), and a changed function without an ftrace
 * call site in @pre (nothing to redirect calls with). Changed __init and
 * __exit parts are no longer "changed" here: compare.c marks them "next
 * boot". Returns 0, or -1 when out of memory.
 */
int refusals_find(const struct elf_object *pre, const struct elf_object *post,
		  const struct objdiff *diff, struct refusals *out);
void refusals_free(struct refusals *r);

/*
 * Mark each changed __init and __exit function and data object of @d
 * OBJDIFF_NEXT_BOOT, saying why: the running kernel (or @module) has run
 * its __init part and runs its __exit part only at unload, so the update
 * carries the rest of the change, and these parts take effect when a new
 * build starts. Call before refusals_find(). Returns how many.
 */
size_t refusals_mark_next_boot(const struct elf_object *pre, struct objdiff *d,
			       bool module);

/*
 * Refuse each export whose modversions CRC differs between @pre_crc and
 * @post_crc (genksyms output, "#SYMVER name 0xcrc" lines; a missing file:
 * the unit exports nothing), or that the patch adds or removes. Returns 0,
 * or -1 with a message in @err.
 */
int refusals_find_crc(const char *pre_crc, const char *post_crc,
		      struct refusals *out, char *err, size_t errlen);

/* Does @func of @obj have an ftrace call site (an __mcount_loc entry)? */
/*
 * The section of @func if it is entry or noinstr code (.entry.text,
 * .noinstr.text), which no update may replace, else NULL.
 */
const char *refusals_noinstr_section(const struct elf_object *obj,
				     const struct elf_symbol *func);

bool refusals_has_ftrace_site(const struct elf_object *obj,
			      const struct elf_symbol *func);

/*
 * Add a refusal of @name, of kind @kind (REFUSE_*, refusal_kinds.h); takes
 * @reason (NULL: out of memory). 0 or -1.
 */
int refusals_add(struct refusals *r, const char *kind, const char *name, char *reason);

#endif /* KMEND_REFUSE_H */
