/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run-pre matching at create time: the update's pre code against a kernel
 * image and its symbol addresses, with the engine's own matcher. On the
 * target machine: /proc/kallsyms and /proc/kcore; elsewhere: a kallsyms
 * listing taken from the target and its vmlinux (scripts/extract-vmlinux).
 */
#ifndef KMEND_PRECHECK_H
#define KMEND_PRECHECK_H

#include <stdio.h>

#include "payload.h"

/*
 * Match every vmlinux function of the @nr payloads (@targets[i] names each
 * one's target) against @image, finding it through @kallsyms. Prints one
 * line per function to @out. Returns 0 when all match, 1 when one does not
 * (or is not found), -1 with a message in @err when the files cannot be read.
 */
int precheck_run(const char *kallsyms, const char *image,
		 const struct payload *payloads, const char *const *targets,
		 size_t nr, FILE *out, char *err, size_t errlen);

#endif /* KMEND_PRECHECK_H */
