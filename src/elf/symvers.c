// SPDX-License-Identifier: GPL-2.0
/*
 * Module.symvers: one export per line, "crc<TAB>name<TAB>owner<TAB>
 * EXPORT_SYMBOL[_GPL]<TAB>namespace".
 */
#include "symvers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int cmp_export(const void *a, const void *b)
{
	return strcmp(((const struct export *)a)->name,
		      ((const struct export *)b)->name);
}

/* The next tab-separated field of *@line, or NULL. */
static char *next_field(char **line)
{
	char *field = *line, *tab;

	if (!field)
		return NULL;
	tab = strchr(field, '\t');
	if (tab) {
		*tab = '\0';
		*line = tab + 1;
	} else {
		*line = NULL;
	}
	return field;
}

static int add_line(struct symvers *sv, size_t *cap, char *line)
{
	char *crc = next_field(&line), *name = next_field(&line);
	char *owner = next_field(&line), *kind = next_field(&line);
	char *ns = next_field(&line);
	struct export *e;

	if (!crc || !name || !owner || !kind || !*name)
		return 1;
	if (sv->nr == *cap) {
		size_t n = *cap ? 2 * *cap : 4096;
		struct export *grown = realloc(sv->exports, n * sizeof(*grown));

		if (!grown)
			return -1;
		sv->exports = grown;
		*cap = n;
	}
	e = &sv->exports[sv->nr];
	e->name = strdup(name);
	e->owner = strdup(owner);
	e->namespace = strdup(ns ? ns : "");
	if (!e->name || !e->owner || !e->namespace) {
		free(e->name);
		free(e->owner);
		free(e->namespace);
		return -1;
	}
	sv->nr++;
	return 0;
}

int symvers_load(struct symvers *sv, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t linecap = 0, cap = 0, lineno = 0;
	ssize_t len;
	int ret = 0;

	memset(sv, 0, sizeof(*sv));
	if (!f)
		return set_error(err, errlen, "%s: %s", path, strerror(errno));
	while (!ret && (len = getline(&line, &linecap, f)) >= 0) {
		lineno++;
		if (len && line[len - 1] == '\n')
			line[len - 1] = '\0';
		switch (add_line(sv, &cap, line)) {
		case -1:
			ret = set_error(err, errlen, "%s: out of memory", path);
			break;
		case 1:
			ret = set_error(err, errlen, "%s:%zu: not a Module.symvers line",
					path, lineno);
			break;
		}
	}
	free(line);
	fclose(f);
	if (ret) {
		symvers_free(sv);
		return ret;
	}
	if (sv->nr)
		qsort(sv->exports, sv->nr, sizeof(*sv->exports), cmp_export);
	return 0;
}

int symvers_add(struct symvers *sv, const char *path, char *err, size_t errlen)
{
	struct symvers more;
	struct export *all;

	if (symvers_load(&more, path, err, errlen))
		return -1;
	all = realloc(sv->exports, (sv->nr + more.nr + 1) * sizeof(*all));
	if (!all) {
		symvers_free(&more);
		return set_error(err, errlen, "%s: out of memory", path);
	}
	memcpy(all + sv->nr, more.exports, more.nr * sizeof(*all));
	sv->exports = all;
	sv->nr += more.nr;
	free(more.exports);	/* its strings now belong to @sv */
	qsort(sv->exports, sv->nr, sizeof(*sv->exports), cmp_export);
	return 0;
}

void symvers_free(struct symvers *sv)
{
	for (size_t i = 0; i < sv->nr; i++) {
		free(sv->exports[i].name);
		free(sv->exports[i].owner);
		free(sv->exports[i].namespace);
	}
	free(sv->exports);
	sv->exports = NULL;
	sv->nr = 0;
}

const struct export *symvers_find(const struct symvers *sv, const char *name)
{
	struct export key = { .name = (char *)name };

	if (!sv->nr)
		return NULL;
	return bsearch(&key, sv->exports, sv->nr, sizeof(*sv->exports),
		       cmp_export);
}
