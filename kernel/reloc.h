/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KMEND_RELOC_H
#define _KMEND_RELOC_H

#include "core.h"

/*
 * Write every kmend_reloc of the update: find each symbol in its pack's
 * target and write the reference into the update module (with text_poke,
 * since its text and read-only data are no longer writable). Called after
 * kmend_resolve() and before any switch; nothing runs the update's code yet,
 * so a failure half way leaves nothing reachable. Sets st->cause on failure.
 */
int kmend_relocs_write(struct kmend_state *st);

#endif /* _KMEND_RELOC_H */
