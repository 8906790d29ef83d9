/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which C files of a tree a header reaches, directly or through other
 * headers (includes_index.c), from an index of every #include line, built
 * on first use and cached per tree.
 */
#ifndef KMEND_INCLUDES_INDEX_H
#define KMEND_INCLUDES_INDEX_H

#include <stddef.h>
#include <stdio.h>

/*
 * The .c files (relative to @source, to free with strv_free) that include
 * any of @headers, directly or not. @std_dirs are the tree's standard
 * include folders in the compiler's order ("arch/x86/include", "include",
 * ...). The index is built on first use, with a line on @progress (NULL:
 * quiet). May name a file too many, never one too few. Returns 0, or -1
 * with a message in @err.
 */
int includes_index_units(const char *source, char *const *std_dirs, size_t nr_std,
			 char *const *headers, size_t nr_headers, FILE *progress,
			 char ***units, size_t *nr_units, char *err, size_t errlen);

#endif /* KMEND_INCLUDES_INDEX_H */
