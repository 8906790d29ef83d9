/* SPDX-License-Identifier: GPL-2.0 */
/*
 * match_core.h - comparing pre code with running code (run-pre matching).
 * Shared by the engine and the kmend command: no kernel or libc calls.
 */
#ifndef _KMEND_MATCH_CORE_H
#define _KMEND_MATCH_CORE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#endif

#include <kmend/pre.h>

/* Where and why the running code differs. */
struct kmend_mismatch {
	unsigned int offset;	/* in the function */
	const char *why;
};

/*
 * Called for each named relocation field outside the rewritten sites, with
 * the symbol's value as the running code uses it. Returns 0, or nonzero
 * when that value contradicts an earlier one (a mismatch).
 */
typedef int (*kmend_learn_fn)(void *ctx, const char *symbol,
			      unsigned long value, unsigned int offset);

/*
 * Match @pre against @running, the first @running_size bytes of the running
 * function at @addr. Returns true, or false with *@mm saying where.
 */
bool kmend_match(const struct kmend_pre_func *pre, const unsigned char *running,
		 unsigned long running_size, unsigned long addr,
		 kmend_learn_fn learn, void *ctx, struct kmend_mismatch *mm);

/* The bytes an x86-64 relocation of @type fills: 8 for 64-bit ones, else 4. */
unsigned int kmend_reloc_width(unsigned int type);

/* The length of the x86-64 nop instruction at @p (at most @left bytes), or 0. */
unsigned int kmend_nop_len(const unsigned char *p, unsigned int left);

#endif /* _KMEND_MATCH_CORE_H */
