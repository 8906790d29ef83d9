/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sections of a kernel object that the kernel reads as tables of
 * entries about code (x86-64, Linux 6.1): which ones an update carries, and
 * how to find the code each entry is about.
 */
#ifndef KMEND_SPECIAL_H
#define KMEND_SPECIAL_H

#include <stdbool.h>
#include <stddef.h>

enum special_use {
	/* Carry the entries about the update's code. */
	SPECIAL_CARRY,
	/*
	 * Leave out: the code works without them (static call sites keep
	 * calling through their trampoline, which is always current).
	 */
	SPECIAL_LEAVE_OUT,
};

struct special_section {
	const char *name;
	size_t entry_size;
	size_t code_field;	/* offset of the relocated field naming the code */
	enum special_use use;
	/* a table indexed like this one (.orc_unwind for .orc_unwind_ip) */
	const char *companion;
	size_t companion_entry_size;
};

/* The table @name is, or NULL for any other section. */
const struct special_section *special_find(const char *name);

/* A section the kernel never reads from a module (symbol exports, notes,
 * sections objtool or the linker discards). */
bool special_is_ignored(const char *name);

#endif /* KMEND_SPECIAL_H */
