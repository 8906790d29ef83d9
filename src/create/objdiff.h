/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Comparing two builds of one compilation unit, before and after a patch,
 * function by function and data object by data object, with relocations
 * compared by what they refer to rather than by where it landed.
 */
#ifndef KMEND_OBJDIFF_H
#define KMEND_OBJDIFF_H

#include <stddef.h>

#include "elfobj.h"

enum objdiff_kind {
	OBJDIFF_FUNC,
	OBJDIFF_DATA,
};

enum objdiff_status {
	OBJDIFF_SAME,
	OBJDIFF_CHANGED,
	/* differs only in __LINE__ arguments of might_sleep() and the like */
	OBJDIFF_LINE_ONLY,
	OBJDIFF_NEW,
	OBJDIFF_DELETED,
	/* left out by a declaration of the patch (decls.c); why says which */
	OBJDIFF_IGNORED,
	/* __init or __exit code or data that changed: not replaced, as the
	 * running kernel has run it (or runs it only at unload); it takes
	 * effect when a new build starts (compare.c) */
	OBJDIFF_NEXT_BOOT,
	/* a changed read-only table the update carries its own copy of,
	 * every reader replaced (table_copy.c) */
	OBJDIFF_COPIED,
};

struct objdiff_entry {
	char *name;		/* as in the post object (pre, if deleted) */
	enum objdiff_kind kind;
	enum objdiff_status status;
	int local;		/* a static symbol */
	char *why;		/* the first difference, when changed */
	size_t pre_index;	/* its symbol in the pre object, or SIZE_MAX if new */
	size_t post_index;	/* in the post object, or SIZE_MAX if deleted */
};

struct objdiff {
	struct objdiff_entry *entries;	/* in post-object symbol order, then deleted ones */
	size_t nr_entries;
};

/*
 * Compare every function and data object of @pre and @post. Static locals
 * that the compiler numbered (counter.3) are paired by name without the
 * number and by the first function that uses them.
 * Returns 0, or -1 with a message in @err.
 */
int objdiff_compare(const struct elf_object *pre, const struct elf_object *post,
		    struct objdiff *out, char *err, size_t errlen);
void objdiff_free(struct objdiff *diff);

/* The entry about symbol @index of the post object, or NULL. */
struct objdiff_entry *objdiff_entry_of(struct objdiff *diff, size_t index);

const char *objdiff_status_name(enum objdiff_status status);

/* "counter.3" -> length of "counter"; other names: their whole length. */
size_t objdiff_base_name_len(const char *name);

/*
 * The same, and for __UNIQUE_ID() names the length without the counter the
 * macro appends: "__UNIQUE_ID_ddebug615.31" -> length of "__UNIQUE_ID_ddebug".
 */
size_t objdiff_counter_free_len(const char *name);

#endif /* KMEND_OBJDIFF_H */
