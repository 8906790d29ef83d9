/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The symbols a kernel exports to modules, from the Module.symvers its build
 * wrote: the ones the module loader can resolve in an update by itself.
 */
#ifndef KMEND_SYMVERS_H
#define KMEND_SYMVERS_H

#include <stddef.h>

struct export {
	char *name;
	char *owner;		/* "vmlinux" or the exporting module */
	char *namespace;	/* "" when none */
};

struct symvers {
	struct export *exports;	/* sorted by name */
	size_t nr;
};

/* Load @path. Returns 0, or -1 with a message in @err. */
int symvers_load(struct symvers *sv, const char *path, char *err, size_t errlen);
void symvers_free(struct symvers *sv);

/* Load @path's exports into @sv too. Returns 0, or -1 with a message. */
int symvers_add(struct symvers *sv, const char *path, char *err, size_t errlen);

/* The export of @name, or NULL when nothing exports it. */
const struct export *symvers_find(const struct symvers *sv, const char *name);

#endif /* KMEND_SYMVERS_H */
