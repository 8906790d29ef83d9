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
 * At the start of kmend apply --installed for kernel @release: each update
 * a previous boot applied (pending/RELEASE/ID) without reaching the healthy
 * mark becomes held (held/RELEASE/ID, with why), said on @err (the journal).
 */
void boot_guard_start(const char *release, FILE *err);

/* Is update @id of @release held? Its reason into @why. */
bool boot_guard_held(const char *release, const char *id, char *why, size_t len);

/* Before applying @id at boot: pending in this boot (written to disk). */
int boot_guard_pending(const char *release, const char *id);

/* The boot reached the healthy mark: nothing of it pending any more. */
int boot_guard_healthy(FILE *out, FILE *err);

/*
 * Forget @id's marks for @release (kmend install, uninstall, apply
 * --release-hold); true if it was held.
 */
bool boot_guard_forget(const char *release, const char *id);

#endif /* KMEND_BOOT_GUARD_H */
