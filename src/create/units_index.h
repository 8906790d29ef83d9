/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The units a prepared tree's configuration builds, with Kbuild's command
 * for each (units_index.c), cached per tree under $XDG_CACHE_HOME/kmend/units-2
 * (or ~/.cache/kmend/units-2).
 */
#ifndef KMEND_UNITS_INDEX_H
#define KMEND_UNITS_INDEX_H

#include <stdio.h>

/*
 * Kbuild's recipe for the C or assembly unit @path (relative to @source, without "..")
 * in *@recipe (to free): what make -n prints after the last trap. The index
 * is built on first use, with a line on @progress (NULL: quiet); make's
 * temporary files go to @scratch. Returns 0, 1 if the configuration builds
 * no such unit, or -1 with a message in @err.
 */
int units_index_find(const char *source, const char *scratch, const char *path,
		     FILE *progress, char **recipe, char *err, size_t errlen);

/*
 * The same for @n paths at once, in one pass over the index: @recipes[i]
 * (to free) is @paths[i]'s, or NULL if the configuration builds no such
 * unit. Returns 0, or -1 with a message in @err.
 */
int units_index_recipes(const char *source, const char *scratch,
			char *const *paths, size_t n, FILE *progress,
			char **recipes, char *err, size_t errlen);

/*
 * The cache file of an index of kind @kind ("units-2", "includes") for
 * @source: named for its real path and its configuration's time, in
 * $XDG_CACHE_HOME/kmend/KIND/ (or ~/.cache/kmend/KIND/); NULL without
 * include/config/auto.conf or a cache folder, or out of memory.
 */
char *tree_cache_path(const char *source, const char *kind);

/* Indexes kept per kind: one per tree and configuration. */
#define INDEXES_KEPT	4

/* Remove the oldest indexes in the folder @dir beyond INDEXES_KEPT. */
void prune_indexes(const char *dir);

/* A command Kbuild saved in a .cmd file, with make's $$ and \\# undone. */
char *kbuild_cmd_unescape(const char *s);

#endif /* KMEND_UNITS_INDEX_H */
