/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pre code of a replaced function, taken from the unit's pre object:
 * its bytes, its relocation fields (by the name kallsyms gives the target),
 * and the sites the kernel rewrites at run time (see include/kmend/pre.h).
 */
#ifndef KMEND_PREFUNC_H
#define KMEND_PREFUNC_H

#include <stddef.h>
#include <stdint.h>

#include "elfobj.h"

struct pre_reloc {
	uint32_t offset, type;
	int64_t addend;
	char *symbol;		/* NULL: an unnamed place (a string) */
};

struct pre_site {
	uint32_t offset, len, kind, target;
	unsigned char *repl, *repl_wild;	/* an alternative's replacement */
	uint32_t repl_len;
};

struct pre_func {
	uint32_t unit;			/* as in kmend_pre_func */
	unsigned char *code;		/* a copy: outlives the pre object */
	uint32_t size;
	struct pre_reloc *relocs;	/* by offset */
	size_t nr_relocs;
	struct pre_site *sites;		/* by offset */
	size_t nr_sites;
	struct pre_func *cold;		/* its cold part's, or NULL */
};

/*
 * Take @func's pre code from @pre, and its cold part's ("<name>.cold" in
 * @pre) when it has one. Returns 0, or -1 with a message in @err.
 */
int pre_func_extract(const struct elf_object *pre, const struct elf_symbol *func,
		     struct pre_func *out, char *err, size_t errlen);
void pre_func_free(struct pre_func *f);

#endif /* KMEND_PREFUNC_H */
