// SPDX-License-Identifier: GPL-2.0
/*
 * The units a prepared tree's configuration builds, and Kbuild's command for
 * each, from one make -n of vmlinux and the modules, cached per tree.
 *
 * A make -n of one object compiles any file, configured or not, and with
 * the flags of the folder the file is in; but Kbuild builds some units from
 * another folder's Makefile (amdgpu's display code is
 * "drivers/gpu/drm/amd/amdgpu/../display/..."), with that folder's flags.
 * Only the whole build says which units exist and how each is compiled.
 */
#include "units_index.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "util.h"

char *kbuild_cmd_unescape(const char *s)
{
	char *cmd = malloc(strlen(s) + 1), *o = cmd;

	if (!cmd)
		return NULL;
	for (const char *i = s; *i; i++) {
		if ((i[0] == '$' && i[1] == '$') || (i[0] == '\\' && i[1] == '#'))
			i++;
		*o++ = *i;
	}
	*o = '\0';
	return cmd;
}

/* Where a tree walk writes the saved commands it finds (nftw has no cookie). */
static FILE *saved_out;

/*
 * A unit built before: make -n does not list it, so its saved command
 * (".X.o.cmd": "[saved]cmd_X.o := ...") goes into the raw output, in the
 * form of make -n's lines.
 */
static int add_saved(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *name = path + ftw->base;
	size_t len = strlen(name), cap = 0;
	char *line = NULL;
	FILE *f;

	(void)st;
	if (type != FTW_F || name[0] != '.' || len < 7 || strcmp(name + len - 6, ".o.cmd"))
		return 0;
	f = fopen(path, "r");
	while (f && getline(&line, &cap, f) > 0) {
		char *at = strstr(line, " := "), *cmd;

		if (!at || (strncmp(line, "cmd_", 4) && strncmp(line, "savedcmd_", 9)))
			continue;
		at[strcspn(at, "\n")] = '\0';
		cmd = kbuild_cmd_unescape(at + 4);
		if (cmd && strstr(cmd, " -c -o "))
			fprintf(saved_out, "' PIPE; %s\n", cmd);
		free(cmd);
		break;
	}
	if (f)
		fclose(f);
	free(line);
	return 0;
}

char *tree_cache_path(const char *source, const char *kind)
{
	char real[PATH_MAX], *conf;
	const char *base = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	uint64_t hash = 1469598103934665603ull;
	struct stat st;

	conf = str_format("%s/include/config/auto.conf", source);
	if (!conf || !realpath(source, real) || stat(conf, &st)) {
		free(conf);
		return NULL;
	}
	free(conf);
	for (const char *c = real; *c; c++)
		hash = (hash ^ (unsigned char)*c) * 1099511628211ull;
	/* $XDG_CACHE_HOME, or ~/.cache */
	if (!(base && *base) && !home)
		return NULL;
	return str_format("%s%s/kmend/%s/%016llx-%lld.%09ld",
			  base && *base ? base : home, base && *base ? "" : "/.cache",
			  kind, (unsigned long long)hash, (long long)st.st_mtim.tv_sec,
			  st.st_mtim.tv_nsec);
}

/*
 * From make -n's output in @raw, one line per C or assembly unit into @index:
 * "SOURCE<TAB>RECIPE", SOURCE folded, RECIPE what follows the last trap.
 */
static int write_index(const char *raw, const char *index, size_t *units,
		       char *err, size_t errlen)
{
	FILE *in = fopen(raw, "r"), *out;
	char *tmp = str_format("%s.tmp.%d", index, (int)getpid()), *line = NULL;
	size_t cap = 0;
	int ret = -1;

	*units = 0;
	out = tmp ? fopen(tmp, "w") : NULL;
	if (!in || !out) {
		set_error(err, errlen, "cannot write %s: %s", tmp ? tmp : index,
			  strerror(errno));
		goto out;
	}
	while (getline(&line, &cap, in) > 0) {
		char *recipe = strstr(line, "' PIPE;"), *c, *src, *end, was;

		if (!recipe)
			continue;
		recipe += strlen("' PIPE;");
		c = strstr(recipe, " -c -o ");
		if (!c)
			continue;
		/* " -c -o OBJECT SOURCE" */
		src = strchr(c + strlen(" -c -o "), ' ');
		if (!src)
			continue;
		src++;
		end = src + strcspn(src, " ;\n");
		if (end - src < 3 || (strncmp(end - 2, ".c", 2) && strncmp(end - 2, ".S", 2)))
			continue;
		was = *end;
		*end = '\0';
		{
			char *folded = strdup(src);

			if (!folded)
				goto nomem;
			path_fold(folded);
			*end = was;
			recipe[strcspn(recipe, "\n")] = '\0';
			fprintf(out, "%s\t%s\n", folded, recipe);
			free(folded);
		}
		(*units)++;
	}
	if (fclose(out)) {
		out = NULL;
		set_error(err, errlen, "cannot write %s", tmp);
		goto out;
	}
	out = NULL;
	if (!*units) {
		set_error(err, errlen, "make -n listed no unit to compile");
		goto out;
	}
	if (rename(tmp, index)) {
		set_error(err, errlen, "cannot write %s: %s", index, strerror(errno));
		goto out;
	}
	ret = 0;
	goto out;
nomem:
	set_error(err, errlen, "out of memory");
out:
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	if (ret && tmp)
		unlink(tmp);
	free(tmp);
	free(line);
	return ret;
}

/* An index, not one being written (NAME.tmp.PID). */
static bool is_index(const char *name)
{
	return !strstr(name, ".tmp.");
}

/* Remove the oldest indexes in @dir beyond INDEXES_KEPT. */
void prune_indexes(const char *dir)
{
	char **names = NULL;
	size_t n = 0;

	if (dir_names(dir, is_index, &names, &n))
		return;
	while (n > INDEXES_KEPT) {
		size_t oldest = SIZE_MAX;
		struct timespec when = { 0 };

		for (size_t i = 0; i < n; i++) {
			char *path = names[i] ? str_format("%s/%s", dir, names[i]) : NULL;
			struct stat st;

			if (path && !stat(path, &st) &&
			    (oldest == SIZE_MAX || st.st_mtim.tv_sec < when.tv_sec ||
			     (st.st_mtim.tv_sec == when.tv_sec &&
			      st.st_mtim.tv_nsec < when.tv_nsec))) {
				oldest = i;
				when = st.st_mtim;
			}
			free(path);
		}
		if (oldest == SIZE_MAX)
			break;
		{
			char *path = str_format("%s/%s", dir, names[oldest]);

			if (path)
				unlink(path);
			free(path);
		}
		free(names[oldest]);
		names[oldest] = names[--n];
	}
	strv_free(names, n);
}

/* Build @index for @source (make -n writes nothing into the tree). */
static int build_index(const char *source, const char *scratch,
		       const char *index, FILE *progress, char *err, size_t errlen)
{
	char *raw = str_format("%s/make-n.out", scratch);
	char *tmpout = str_format("TMPOUT=%s/kbuild-tmp/", scratch);
	char *dir = strdup(index), *slash;
	size_t units = 0;
	int ret = -1, status;

	if (!raw || !tmpout || !dir) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	slash = strrchr(dir, '/');
	*slash = '\0';
	if (make_parent_dirs(dir) || (mkdir(dir, 0755) && errno != EEXIST)) {
		set_error(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	if (progress)
		fprintf(progress, "kmend create: listing the units %s builds (make -n, once per tree; about a minute)\n",
			source);
	{
		/* -k: one folder that cannot build (certs without their key)
		 * must not hide the others; -o: Kbuild's host tools are built
		 * by sub-makes that drop -n, and must not be */
		char *argv[] = { "make", "-n", "-k", "--no-print-directory",
				 "-o", "tools/objtool", "-o", "tools/bpf/resolve_btfids",
				 tmpout, "vmlinux", "modules", NULL };

		unlink(raw);
		status = run_program(argv, source, NULL, raw, err, errlen);
	}
	if (status < 0)
		goto out;
	saved_out = fopen(raw, "a");
	if (!saved_out || nftw(source, add_saved, 32, FTW_PHYS) || fclose(saved_out)) {
		set_error(err, errlen, "cannot read the commands saved in %s: %s", source,
			  strerror(errno));
		goto out;
	}
	if (write_index(raw, index, &units, err, errlen))
		goto out;
	prune_indexes(dir);
	if (progress)
		fprintf(progress, "kmend create: %zu units in %s's configuration\n",
			units, source);
	ret = 0;
out:
	if (raw)
		unlink(raw);
	free(raw);
	free(tmpout);
	free(dir);
	return ret;
}

/* For bsearch over the paths asked for: an index into them, by name. */
struct wanted {
	const char *path;
	size_t slot;
};

static int wanted_cmp(const void *a, const void *b)
{
	return strcmp(((const struct wanted *)a)->path, ((const struct wanted *)b)->path);
}

int units_index_recipes(const char *source, const char *scratch,
			char *const *paths, size_t n, FILE *progress,
			char **recipes, char *err, size_t errlen)
{
	/* "units-2": since assembly units are listed too */
	char *index = tree_cache_path(source, "units-2"), *line = NULL;
	struct wanted *want = calloc(n ? n : 1, sizeof(*want));
	size_t cap = 0;
	FILE *f = NULL;
	int ret = -1;

	for (size_t i = 0; i < n; i++)
		recipes[i] = NULL;
	if (!want) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	if (!index) {
		set_error(err, errlen, "%s: no include/config/auto.conf, or no cache folder (HOME)",
			  source);
		goto out;
	}
	if (access(index, R_OK) &&
	    build_index(source, scratch, index, progress, err, errlen))
		goto out;
	f = fopen(index, "r");
	if (!f) {
		set_error(err, errlen, "cannot read %s: %s", index, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		want[i] = (struct wanted){ .path = paths[i], .slot = i };
	qsort(want, n, sizeof(*want), wanted_cmp);
	while (getline(&line, &cap, f) > 0) {
		char *tab = strchr(line, '\t');
		struct wanted key = { .path = line }, *hit;

		if (!tab)
			continue;
		*tab = '\0';
		hit = bsearch(&key, want, n, sizeof(*want), wanted_cmp);
		if (!hit || recipes[hit->slot])
			continue;
		tab[1 + strcspn(tab + 1, "\n")] = '\0';
		recipes[hit->slot] = strdup(tab + 1);
		if (!recipes[hit->slot]) {
			set_error(err, errlen, "out of memory");
			goto out;
		}
	}
	ret = 0;
out:
	if (ret)
		for (size_t i = 0; i < n; i++) {
			free(recipes[i]);
			recipes[i] = NULL;
		}
	if (f)
		fclose(f);
	free(line);
	free(want);
	free(index);
	return ret;
}

int units_index_find(const char *source, const char *scratch, const char *path,
		     FILE *progress, char **recipe, char *err, size_t errlen)
{
	char *paths[] = { (char *)path };

	if (units_index_recipes(source, scratch, paths, 1, progress, recipe, err, errlen))
		return -1;
	return *recipe ? 0 : 1;
}
