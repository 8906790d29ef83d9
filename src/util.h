/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the kmend command's files. */
#ifndef KMEND_UTIL_H
#define KMEND_UTIL_H

#include <stddef.h>

/* A newly allocated formatted string, or NULL when out of memory. */
char *str_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write a message into @err and return -1, for "return set_error(...)". */
int set_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copy the file @from to @to. Returns 0, or -1 with a message in @err. */
int file_copy(const char *from, const char *to, char *err, size_t errlen);

#endif /* KMEND_UTIL_H */
