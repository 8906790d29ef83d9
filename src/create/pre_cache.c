// SPDX-License-Identifier: GPL-2.0
/*
 * Objects compiled before the patch, kept per tree. A unit compiled with the
 * same command from the same files gives the same object, so a later create
 * on the tree takes it from here instead of compiling it again: a second
 * update on the tree compiles only its units after the patch.
 *
 * An entry is the object, its genksyms CRCs (when it exports), the
 * dependency file the compiler wrote (the source and every header it read)
 * and the command. It is taken only when the command is the same and no
 * file the dependency file names is newer than the object. The folder of
 * a tree is kept to PRE_CACHE_BYTES, the least recently used objects going
 * first; the folders of the INDEXES_KEPT most recent trees are kept.
 */
#include "pre_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "units_index.h"
#include "util.h"

/* The bytes of one tree's folder, about a thousand objects with DWARF. */
#define PRE_CACHE_BYTES (2ull << 30)

static bool any_entry(const char *name)
{
	return strcmp(name, ".") && strcmp(name, "..");
}

/* Remove the folders of trees beyond the INDEXES_KEPT most recent. */
static void prune_trees(const char *top)
{
	char **names = NULL;
	size_t n = 0;

	if (dir_names(top, any_entry, &names, &n))
		return;
	while (n > INDEXES_KEPT) {
		size_t oldest = 0;
		struct timespec when = { 0 };

		for (size_t i = 0; i < n; i++) {
			char *path = str_format("%s/%s", top, names[i]);
			struct stat st;

			if (path && !stat(path, &st) &&
			    (!i || st.st_mtim.tv_sec < when.tv_sec)) {
				oldest = i;
				when = st.st_mtim;
			}
			free(path);
		}
		{
			char *path = str_format("%s/%s", top, names[oldest]);
			char *argv[] = { "rm", "-rf", path, NULL }, err[64];

			if (path)
				run_program(argv, NULL, NULL, NULL, err, sizeof(err));
			free(path);
		}
		free(names[oldest]);
		names[oldest] = names[--n];
	}
	strv_free(names, n);
}

int pre_cache_open(struct pre_cache *pc, const char *source)
{
	char *top;

	pc->dir = tree_cache_path(source, "pre");
	if (!pc->dir)
		return -1;
	top = strdup(pc->dir);
	if (!top || make_parent_dirs(pc->dir) ||
	    (mkdir(pc->dir, 0755) && errno != EEXIST)) {
		free(top);
		free(pc->dir);
		pc->dir = NULL;
		return -1;
	}
	/* the tree in use is the most recent */
	utimensat(AT_FDCWD, pc->dir, NULL, 0);
	*strrchr(top, '/') = '\0';
	prune_trees(top);
	free(top);
	return 0;
}

void pre_cache_close(struct pre_cache *pc)
{
	free(pc->dir);
	pc->dir = NULL;
}

/*
 * Is every file the dependency file @deps names (make's syntax: "obj: a b
 * \<newline> c") no newer than @when, relative to @source?
 */
static bool deps_older(const char *deps, const char *source, const struct timespec *when)
{
	char *text = file_read_all(deps), *save = NULL;
	bool ok = text && strchr(text, ':');

	if (!ok) {
		free(text);
		return false;
	}
	for (char *w = strtok_r(strchr(text, ':') + 1, " \t\n\\", &save); w && ok;
	     w = strtok_r(NULL, " \t\n\\", &save)) {
		char *path = w[0] == '/' ? strdup(w) : str_format("%s/%s", source, w);
		struct stat st;

		ok = path && !stat(path, &st) &&
		     (st.st_mtim.tv_sec < when->tv_sec ||
		      (st.st_mtim.tv_sec == when->tv_sec && st.st_mtim.tv_nsec <= when->tv_nsec));
		free(path);
	}
	free(text);
	return ok;
}

/* The entry of @object with @suffix: "", ".cmd", ".d" or ".crc". */
static char *entry_path(const struct pre_cache *pc, const char *object, const char *suffix)
{
	return str_format("%s/%s%s", pc->dir, object, suffix);
}

bool pre_cache_get(const struct pre_cache *pc, const char *source, const char *object,
		   const char *cmd, const char *out)
{
	char *obj = NULL, *cmd_file = NULL, *deps = NULL, *crc = NULL, *saved = NULL;
	char *out_crc = NULL, err[256];
	struct stat st;
	bool hit = false;

	if (!pc->dir)
		return false;
	obj = entry_path(pc, object, "");
	cmd_file = entry_path(pc, object, ".cmd");
	deps = entry_path(pc, object, ".d");
	crc = entry_path(pc, object, ".crc");
	out_crc = str_format("%s.crc", out);
	if (!obj || !cmd_file || !deps || !crc || !out_crc || stat(obj, &st))
		goto out;
	saved = file_read_all(cmd_file);
	if (!saved || strcmp(saved, cmd) || !deps_older(deps, source, &st.st_mtim))
		goto out;
	unlink(out_crc);
	if (file_copy(obj, out, err, sizeof(err)) ||
	    (!access(crc, R_OK) && file_copy(crc, out_crc, err, sizeof(err))))
		goto out;
	/* used now: the last to go when the folder is trimmed */
	utimensat(AT_FDCWD, obj, NULL, 0);
	hit = true;
out:
	free(obj);
	free(cmd_file);
	free(deps);
	free(crc);
	free(saved);
	free(out_crc);
	return hit;
}

/* Copy @from to @to through a temporary file beside it. */
static int put_file(const char *from, const char *to)
{
	char *tmp = str_format("%s.tmp.%d", to, (int)getpid()), err[256];
	int ret = -1;

	if (tmp && !file_copy(from, tmp, err, sizeof(err)) && !rename(tmp, to))
		ret = 0;
	if (ret && tmp)
		unlink(tmp);
	free(tmp);
	return ret;
}

static int put_text(const char *text, const char *to)
{
	char *tmp = str_format("%s.tmp.%d", to, (int)getpid());
	FILE *f = tmp ? fopen(tmp, "w") : NULL;
	int ret = -1;

	if (f) {
		fputs(text, f);
		if (!fclose(f) && !rename(tmp, to))
			ret = 0;
	}
	if (ret && tmp)
		unlink(tmp);
	free(tmp);
	return ret;
}

void pre_cache_put(const struct pre_cache *pc, const char *object, const char *cmd,
		   const char *built)
{
	char *obj = NULL, *cmd_file = NULL, *deps = NULL, *crc = NULL;
	char *built_deps = NULL, *built_crc = NULL;

	if (!pc->dir || !(obj = entry_path(pc, object, "")))
		goto out;
	cmd_file = entry_path(pc, object, ".cmd");
	deps = entry_path(pc, object, ".d");
	crc = entry_path(pc, object, ".crc");
	built_deps = str_format("%s.d", built);
	built_crc = str_format("%s.crc", built);
	if (!cmd_file || !deps || !crc || !built_deps || !built_crc ||
	    access(built_deps, R_OK) || make_parent_dirs(obj))
		goto out;
	/* the command last: an entry without it is never taken */
	unlink(cmd_file);
	if (put_file(built, obj) || put_file(built_deps, deps))
		goto out;
	if (!access(built_crc, R_OK) ? put_file(built_crc, crc) : (unlink(crc), 0))
		goto out;
	put_text(cmd, cmd_file);
out:
	free(obj);
	free(cmd_file);
	free(deps);
	free(crc);
	free(built_deps);
	free(built_crc);
}

/* What a walk of the folder finds: each object, its size and last use. */
static struct {
	struct cached { char *path; off_t size; struct timespec used; } *v;
	size_t n, cap;
	unsigned long long bytes;
	bool nomem;
} found;

static int add_found(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t len = strlen(path);

	(void)ftw;
	if (type != FTW_F)
		return 0;
	found.bytes += (unsigned long long)st->st_size;
	if (len < 2 || strcmp(path + len - 2, ".o"))
		return 0;
	if (found.n == found.cap) {
		size_t cap = found.cap ? found.cap * 2 : 256;
		struct cached *grown = realloc(found.v, cap * sizeof(*grown));

		if (!grown) {
			found.nomem = true;
			return 1;
		}
		found.v = grown;
		found.cap = cap;
	}
	found.v[found.n].path = strdup(path);
	if (!found.v[found.n].path) {
		found.nomem = true;
		return 1;
	}
	found.v[found.n].size = st->st_size;
	found.v[found.n++].used = st->st_mtim;
	return 0;
}

static int by_use(const void *a, const void *b)
{
	const struct cached *x = a, *y = b;

	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
	return (x->used.tv_nsec > y->used.tv_nsec) - (x->used.tv_nsec < y->used.tv_nsec);
}

void pre_cache_trim(const struct pre_cache *pc)
{
	static const char *const suffixes[] = { "", ".cmd", ".d", ".crc" };

	if (!pc->dir)
		return;
	memset(&found, 0, sizeof(found));
	if (!nftw(pc->dir, add_found, 32, FTW_PHYS) && !found.nomem &&
	    found.bytes > PRE_CACHE_BYTES) {
		qsort(found.v, found.n, sizeof(*found.v), by_use);
		for (size_t i = 0; i < found.n && found.bytes > PRE_CACHE_BYTES; i++) {
			for (size_t s = 0; s < sizeof(suffixes) / sizeof(*suffixes); s++) {
				char *path = str_format("%s%s", found.v[i].path, suffixes[s]);

				if (path)
					unlink(path);
				free(path);
			}
			found.bytes -= (unsigned long long)found.v[i].size;
		}
	}
	for (size_t i = 0; i < found.n; i++)
		free(found.v[i].path);
	free(found.v);
	memset(&found, 0, sizeof(found));
}
