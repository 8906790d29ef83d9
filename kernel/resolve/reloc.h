/* SPDX-License-Identifier: GPL-2.0 */
/* reloc.h - writing references to unexported target symbols. */
#ifndef _KMEND_RELOC_H
#define _KMEND_RELOC_H

#include "core.h"

/*
 * Write every kmend_reloc of @pack: find each symbol in the pack's target
 * and write the reference into the update module (with text_poke, since its
 * text and read-only data are no longer writable). Called after
 * kmend_resolve_pack() and before the pack switches; nothing runs its new
 * code yet, so a failure half way leaves nothing reachable. Sets st->cause
 * on failure. (A module target loaded again gets its references again.)
 */
int kmend_relocs_write(struct kmend_state *st, struct kmend_pack *pack);

/* Are the @len bytes at @place all in @mod's memory? */
bool kmend_within_module(struct module *mod, const void *place, size_t len);

/*
 * The bytes an x86-64 relocation of @type at @place writes for the symbol
 * value @sym (R_X86_64_64, _PC64, _32S, _PC32, _PLT32). Returns 0, -ERANGE
 * when the value does not fit the field, or -EINVAL for another type.
 */
int kmend_reloc_encode(unsigned int type, void *place, unsigned long sym,
		       long addend, u8 *buf, size_t *len);

#endif /* _KMEND_RELOC_H */
