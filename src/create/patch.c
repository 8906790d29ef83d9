// SPDX-License-Identifier: GPL-2.0
/*
 * The patch: the files it touches (C and assembly units, headers), and the
 * patched copies of them in the work folder's view of the tree (work/src). The
 * source tree is only read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline.h"
#include "run.h"
#include "util.h"

static int add_file(char ***files, size_t *n, const char *path)
{
	char **grown;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*files)[i], path))
			return 0;
	grown = realloc(*files, (*n + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	*files = grown;
	(*files)[*n] = strdup(path);
	return (*files)[(*n)++] ? 0 : -1;
}

/* From lsdiff (patchutils); what is not supported yet is named. */
int create_collect_files(struct create *c, const char *patch)
{
	char *argv[] = { "lsdiff", "-s", "--strip=1", (char *)patch, NULL };
	char *list = NULL, errbuf[256];
	int status = run_program(argv, NULL, &list, NULL, errbuf, sizeof(errbuf));
	int ret = 0, n = 0;

	if (status) {
		fprintf(c->err, "kmend create: %s: %s\n", patch,
			status < 0 ? errbuf : "not a patch lsdiff can read");
		free(list);
		return -1;
	}
	for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
		char kind = line[0];
		const char *path = line + 2;
		size_t len = strlen(path);

		n++;
		if (kind == '+' || kind == '-') {
			fprintf(c->err, "kmend create: %s %s %s: patches that add or delete files are not supported yet\n",
				patch, kind == '+' ? "adds" : "deletes", path);
			ret = -1;
		} else if (len < 3 || (strcmp(path + len - 2, ".c") &&
					strcmp(path + len - 2, ".S") &&
					strcmp(path + len - 2, ".h"))) {
			fprintf(c->err, "kmend create: %s changes %s: only C and assembly (.S) files and headers can be live patched\n",
				patch, path);
			ret = -1;
		} else if (strstr(path, "..") || path[0] == '/') {
			fprintf(c->err, "kmend create: %s names %s, outside the tree\n",
				patch, path);
			ret = -1;
		} else if (path[len - 1] == 'h' ?
			   add_file(&c->headers, &c->nr_headers, path) :
			   add_file(&c->files, &c->nr_files, path)) {
			fprintf(c->err, "kmend create: out of memory\n");
			ret = -1;
		}
	}
	free(list);
	if (!ret && n == 0) {
		fprintf(c->err, "kmend create: %s changes no file\n", patch);
		ret = -1;
	}
	return ret;
}

int create_patch_copies(struct create *c)
{
	char errbuf[256];

	for (size_t i = 0; i < c->nr_files + c->nr_headers; i++) {
		const char *file = i < c->nr_files ? c->files[i] : c->headers[i - c->nr_files];
		char from[PATH_MAX], to[PATH_MAX];

		if (path_printf(from, sizeof(from), "%s/%s", c->source, file) ||
		    path_printf(to, sizeof(to), "%s/src/%s", c->work_dir, file)) {
			fprintf(c->err, "kmend create: path too long: %s\n", file);
			return -1;
		}
		if (access(from, R_OK)) {
			fprintf(c->err, "kmend create: %s is not in the source tree %s\n",
				file, c->source);
			return -1;
		}
		if (make_parent_dirs(to)) {
			fprintf(c->err, "kmend create: cannot create the folder of %s\n", to);
			return -1;
		}
		if (file_copy(from, to, errbuf, sizeof(errbuf))) {
			fprintf(c->err, "kmend create: %s\n", errbuf);
			return -1;
		}
	}
	for (int i = 0; i < c->nr_patches; i++) {
		char dir[PATH_MAX];
		char *argv[] = { "patch", "-p1", "--batch", "--forward", "-d", dir,
				 "-i", c->patches[i], NULL };
		char *output = NULL;
		int status;

		if (path_printf(dir, sizeof(dir), "%s/src", c->work_dir))
			return -1;
		status = run_program(argv, NULL, &output, NULL, errbuf, sizeof(errbuf));
		if (status) {
			fprintf(c->err, "kmend create: %s does not apply to %s:\n%s",
				c->patches[i], c->source, output ? output : errbuf);
			free(output);
			return -1;
		}
		free(output);
	}
	return 0;
}
