/* SPDX-License-Identifier: GPL-2.0 */
/* pack.h - one target object of an update: vmlinux or a module. */
#ifndef _KMEND_PACK_H
#define _KMEND_PACK_H

#include "core.h"

/*
 * Get @pack ready to switch, its target loaded (pack->mod set for a
 * module): find its functions, match their pre code, write its references,
 * take its ftrace ops. Nothing runs differently yet. On failure, nothing is
 * kept, st->cause says why, and an error is returned.
 */
int kmend_pack_prepare(struct kmend_state *st, struct kmend_pack *pack);

/* Undo kmend_pack_prepare() for a pack switched off (or never on). */
void kmend_pack_release(struct kmend_pack *pack);

/*
 * The callbacks of @pack (kmend/patch.h), each logged, with livepatch's
 * symmetry: pre_unpatch only after post_patch, post_unpatch only after
 * pre_patch. kmend_pre_patch() returns 0, or the callback's refusal with
 * st->cause set to call_failed.
 */
int kmend_pre_patch(struct kmend_state *st, struct kmend_pack *pack);
void kmend_post_patch(struct kmend_state *st, struct kmend_pack *pack);
void kmend_pre_unpatch(struct kmend_state *st, struct kmend_pack *pack);
void kmend_post_unpatch(struct kmend_state *st, struct kmend_pack *pack);

#endif /* _KMEND_PACK_H */
