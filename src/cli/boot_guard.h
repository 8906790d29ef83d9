/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The crash-loop guard of the updates applied at boot (boot_guard.c): an
 * update that kmend.service applied in a boot that did not reach the healthy
 * mark is held, not applied again at the next boot.
 */
#ifndef KMEND_BOOT_GUARD_H
#define KMEND_BOOT_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define KMEND_BOOT_DIR "/var/lib/kmend/boot"

/*
 * At the start of kmend apply --installed: each update a previous boot
 * applied (pending/ID) without reaching the healthy mark becomes held
 * (held/ID, with why), said on @err (the journal).
 */
void boot_guard_start(FILE *err);

/* Is update @id held? Its reason into @why. */
bool boot_guard_held(const char *id, char *why, size_t len);

/* Before applying @id at boot: pending in this boot (written to disk). */
int boot_guard_pending(const char *id);

/* The boot reached the healthy mark: nothing of it pending any more. */
int boot_guard_healthy(FILE *out, FILE *err);

/* Forget @id's marks (kmend install and uninstall). */
void boot_guard_forget(const char *id);

#endif /* KMEND_BOOT_GUARD_H */
