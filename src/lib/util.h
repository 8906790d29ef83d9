/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the kmend command's files. */
#ifndef KMEND_UTIL_H
#define KMEND_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* A newly allocated formatted string, or NULL when out of memory. */
char *str_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write a message into @err and return -1, for "return set_error(...)". */
int set_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Format a path into @buf; -1 if it does not fit. */
int path_printf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Create the folders leading to @path (not @path itself); -1 with errno. */
int make_parent_dirs(char *path);

/* Copy the file @from to @to. Returns 0, or -1 with a message in @err. */
int file_copy(const char *from, const char *to, char *err, size_t errlen);

/*
 * The names in folder @path for which @want is true, sorted, newly
 * allocated. Returns 0 (a missing folder has no names), or -1 with errno
 * set.
 */
int dir_names(const char *path, bool (*want)(const char *name),
	      char ***names, size_t *n);
/* The whole of the file @path, NUL-terminated (to free), or NULL. */
char *file_read_all(const char *path);

/* @path with "dir/../" and leading "./" folded away, in place. */
void path_fold(char *path);

/* Sort @n strings of @v by strcmp. */
void strv_sort(char **v, size_t n);

/* Free @n strings of @v and @v. */
void strv_free(char **v, size_t n);

#endif /* KMEND_UTIL_H */
