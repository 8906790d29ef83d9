// SPDX-License-Identifier: GPL-2.0
/* Small helpers shared by the kmend command's files (util.h). */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *str_format(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

int set_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Format a path into @buf; -1 if it does not fit. */
int path_printf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int make_parent_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int file_copy(const char *from, const char *to, char *err, size_t errlen)
{
	FILE *in = fopen(from, "rb"), *out;
	char buf[65536];
	size_t n;
	int bad = 0;

	if (!in)
		return set_error(err, errlen, "%s: %s", from, strerror(errno));
	out = fopen(to, "wb");
	if (!out) {
		fclose(in);
		return set_error(err, errlen, "%s: %s", to, strerror(errno));
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			bad = 1;
	bad |= ferror(in);
	fclose(in);
	if (fclose(out) || bad)
		return set_error(err, errlen, "copying %s to %s failed", from, to);
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(char **v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(*v), compare_names);
}

int dir_names(const char *path, bool (*want)(const char *name),
	      char ***names, size_t *n)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	char **list = NULL;
	size_t count = 0;

	*names = NULL;
	*n = 0;
	if (!dir)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(dir))) {
		char **more;

		if (de->d_name[0] == '.' || !want(de->d_name))
			continue;
		more = realloc(list, (count + 1) * sizeof(*list));
		if (more)
			list = more;
		if (!more || !(list[count] = strdup(de->d_name))) {
			strv_free(list, count);
			closedir(dir);
			errno = ENOMEM;
			return -1;
		}
		count++;
	}
	closedir(dir);
	strv_sort(list, count);
	*names = list;
	*n = count;
	return 0;
}

void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* @path with "dir/../" folded away, in place. */
void path_fold(char *path)
{
	char *at;

	while ((at = strstr(path, "/./")))
		memmove(at, at + 2, strlen(at + 2) + 1);
	while ((at = strstr(path, "/../"))) {
		char *prev = at;

		while (prev > path && prev[-1] != '/')
			prev--;
		if (prev == at || !strncmp(prev, "../", 3))
			break;
		memmove(prev, at + 4, strlen(at + 4) + 1);
	}
	while (!strncmp(path, "./", 2))
		memmove(path, path + 2, strlen(path + 2) + 1);
}

char *file_read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	if (getdelim(&text, &cap, '\0', f) < 0) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}
