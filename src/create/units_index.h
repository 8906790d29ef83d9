/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The units a prepared tree's configuration builds, with Kbuild's command
 * for each (units_index.c), cached per tree under $XDG_CACHE_HOME/kmend/units
 * (or ~/.cache/kmend/units).
 */
#ifndef KMEND_UNITS_INDEX_H
#define KMEND_UNITS_INDEX_H

#include <stdio.h>

/*
 * Kbuild's recipe for the C unit @path (relative to @source, without "..")
 * in *@recipe (to free): what make -n prints after the last trap. The index
 * is built on first use, with a line on @progress (NULL: quiet); make's
 * temporary files go to @scratch. Returns 0, 1 if the configuration builds
 * no such unit, or -1 with a message in @err.
 */
int units_index_find(const char *source, const char *scratch, const char *path,
		     FILE *progress, char **recipe, char *err, size_t errlen);

/* A command Kbuild saved in a .cmd file, with make's $$ and \\# undone. */
char *kbuild_cmd_unescape(const char *s);

#endif /* KMEND_UNITS_INDEX_H */
