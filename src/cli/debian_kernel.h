/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Debian kernel named by the user (running, a package version, a release)
 * found, fetched and prepared by kmend's debian-kernel helper
 * (scripts/debian-kernel), for kmend create --kernel.
 */
#ifndef KMEND_DEBIAN_KERNEL_H
#define KMEND_DEBIAN_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

struct debian_kernel {
	char *release;		/* KVER: 6.1.0-57-amd64 */
	char *version;		/* PKGVER: 6.1.192-3 */
	char *source;		/* SOURCE: the prepared tree, NULL if only resolved */
};

/*
 * Run the helper for @name: only to say which kernel it is (@resolve_only),
 * or to fetch and prepare its source with make -j @jobs, its progress on
 * standard error. Returns 0, or -1 with a message in @err (the helper's
 * own says what is missing and what to do).
 */
int debian_kernel_get(const char *name, bool resolve_only, size_t jobs,
		      struct debian_kernel *k, char *err, size_t errlen);
void debian_kernel_free(struct debian_kernel *k);

#endif /* KMEND_DEBIAN_KERNEL_H */
