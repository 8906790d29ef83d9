/* SPDX-License-Identifier: GPL-2.0 */
/* resolve.h - finding the replaced functions in the running kernel. */
#ifndef _KMEND_RESOLVE_H
#define _KMEND_RESOLVE_H

#include "core.h"

/*
 * Find every function of @pack in its target (loaded: pack->mod is set for
 * a module): its address (telling same-named locals apart by old_sympos or
 * by run-pre matching), its size, its ftrace site, and the size of its
 * replacement. On failure, sets st->cause and returns an error.
 */
int kmend_resolve_pack(struct kmend_state *st, struct kmend_pack *pack);

/* Forget where @pack's functions were (its target is going). */
void kmend_resolve_forget(struct kmend_pack *pack);

/*
 * The loaded module @pack targets, with a reference, into pack->mod.
 * Returns 0, or -ENOENT when it is not loaded (*@going: it is unloading).
 */
int kmend_target_get(struct kmend_pack *pack, bool *going);
void kmend_target_put(struct kmend_pack *pack);

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

#endif /* _KMEND_RESOLVE_H */
