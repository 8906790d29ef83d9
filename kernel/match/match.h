/* SPDX-License-Identifier: GPL-2.0 */
/* match.h - run-pre matching in the engine. */
#ifndef _KMEND_MATCH_H
#define _KMEND_MATCH_H

#include "core.h"

/* A symbol value read from the running code. */
struct kmend_learned {
	const struct kmend_pack *pack;
	unsigned int unit;
	const char *name;
	unsigned long value;
};

/*
 * Run-pre matching: compare the pre code of every function of @pack with
 * the running function kmend_resolve_pack() found, learning the values of
 * the symbols its relocations refer to. Sets st->cause to no_match and logs
 * the function, offset and bytes on a mismatch. Changes nothing.
 */
int kmend_match_pack(struct kmend_state *st, struct kmend_pack *pack);

/*
 * Of the @count functions named like @func in @pack's target, the one its
 * pre code matches. Returns 0 with *@addr, or an error with st->cause set
 * (no_match when none does, failed_to_find when several do).
 */
int kmend_match_pick(struct kmend_state *st, struct kmend_pack *pack,
		     struct kmend_func *func, unsigned long count,
		     unsigned long *addr);

/* The value matching learned for @name from @unit's code in @pack's target. */
bool kmend_learned_value(struct kmend_state *st, const struct kmend_pack *pack,
			 unsigned int unit, const char *name,
			 unsigned long *value);

void kmend_learned_free(struct kmend_state *st);

#endif
