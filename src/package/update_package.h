/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmend package: an update module as a Debian package for its kernel
 * (update_package.c), named kmend-patch-RELEASE so that a newer version,
 * carrying a newer cumulative update, replaces the older.
 */
#ifndef KMEND_UPDATE_PACKAGE_H
#define KMEND_UPDATE_PACKAGE_H

#include <stddef.h>

struct update_package_opts {
	const char *out_dir;		/* where the .deb goes */
	const char *version;		/* the package's version */
	const char *maintainer;		/* "Name <address>" */
	const char *kernel_version;	/* else the update's kmend_kernel_version */
	const char *scratch;		/* an empty folder to stage in */
};

/*
 * Package the update @ko. Returns 0 with the .deb's path in @written, or
 * -1 with a message in @err.
 */
int update_package_build(const char *ko, const struct update_package_opts *o,
			 char *written, size_t len, char *err, size_t errlen);

/* The package that carries the updates for kernel @release (to free). */
char *update_package_name(const char *release);

#endif /* KMEND_UPDATE_PACKAGE_H */
