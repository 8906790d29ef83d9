/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KMEND_RESOLVE_H
#define _KMEND_RESOLVE_H

#include "core.h"

/*
 * Find every replaced function in its target: its address (telling
 * same-named locals apart by old_sympos), its size, its ftrace site, and the
 * size of its replacement. Takes a reference on each target module. On
 * failure, drops what it took, sets st->cause and returns an error.
 */
int kmend_resolve(struct kmend_state *st);

/*
 * The address of @name in @pack's target (the @sympos-th of that name, from
 * 1, or the only one when @sympos is 0). On failure, logs why, sets
 * st->cause to failed_to_find and returns -ENOENT.
 */
int kmend_resolve_symbol(struct kmend_state *st, struct kmend_pack *pack,
			 const char *name, unsigned long sympos,
			 unsigned long *addr);

/*
 * The address of @name in module @target (NULL: vmlinux): the @sympos-th of
 * that name, or the only one when @sympos is 0. *@count gets how many carry
 * the name. Returns 0 or -ENOENT. Takes module_mutex.
 */
int kmend_lookup(const char *target, const char *name, unsigned long sympos,
		 unsigned long *addr, unsigned long *count);

/* Drop the references kmend_resolve() took on target modules. */
void kmend_resolve_release(struct kmend_state *st);

#endif /* _KMEND_RESOLVE_H */
