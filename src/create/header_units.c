// SPDX-License-Identifier: GPL-2.0
/*
 * The units a header change reaches: the work folder's view of the tree in
 * which the patched headers shadow the tree's, the units that include them
 * (includes_index.c) and that the configuration builds (units_index.c), and
 * of those, the ones whose preprocessed text the change alters outside the
 * static functions they do not use (code_digest.c). Only those can compile
 * differently; the others are left alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "code_digest.h"
#include "header_units.h"
#include "includes_index.h"
#include "pre_cache.h"
#include "units_index.h"
#include "util.h"

static bool any_name(const char *name)
{
	return strcmp(name, ".") && strcmp(name, "..");
}

/*
 * Link every entry of the tree's folder @dir into work/src/@dir that is not
 * there already (a patched copy, or a folder holding one): a file beside a
 * patched header then includes the patched one, as it would in the tree.
 * Links are only read; nothing is ever written through them.
 */
static int mirror_dir(struct create *c, const char *real_source, const char *dir)
{
	char *from = str_format("%s/%s", c->source, dir), **names = NULL;
	size_t n = 0;
	int ret = -1;

	if (!from || dir_names(from, any_name, &names, &n)) {
		fprintf(c->err, "kmend create: cannot read %s: %s\n", from ? from : dir,
			strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char *target = str_format("%s/%s/%s", real_source, dir, names[i]);
		char *link = str_format("%s/src/%s/%s", c->work_dir, dir, names[i]);
		struct stat st;
		int r = 0;

		if (target && link && lstat(link, &st))
			r = symlink(target, link);
		free(target);
		if (!link || r) {
			fprintf(c->err, "kmend create: cannot link %s into the work folder: %s\n",
				names[i], link ? strerror(errno) : "out of memory");
			free(link);
			goto out;
		}
		free(link);
	}
	ret = 0;
out:
	strv_free(names, n);
	free(from);
	return ret;
}

int header_units_mirror(struct create *c)
{
	char *real_source = realpath(c->source, NULL);
	int ret = -1;

	if (!real_source) {
		fprintf(c->err, "kmend create: %s: %s\n", c->source, strerror(errno));
		return -1;
	}
	/* each folder from the top one down to the header's own */
	for (size_t i = 0; i < c->nr_headers; i++) {
		char *dir = strdup(c->headers[i]), *slash;

		if (!dir) {
			fprintf(c->err, "kmend create: out of memory\n");
			goto out;
		}
		for (slash = strchr(dir, '/'); slash; slash = strchr(slash + 1, '/')) {
			*slash = '\0';
			if (mirror_dir(c, real_source, dir)) {
				free(dir);
				goto out;
			}
			*slash = '/';
		}
		free(dir);
	}
	ret = 0;
out:
	free(real_source);
	return ret;
}

/*
 * The tree's standard include folders, in the compiler's order (into
 * @c->std_dirs, once): the -I options of a unit every configuration builds.
 */
static int std_include_dirs(struct create *c)
{
	char *recipe = NULL, errbuf[512], *save = NULL;
	int status;

	if (c->std_dirs)
		return 0;	/* read already (the units index is large) */
	status = units_index_find(c->source, c->work_dir, "init/main.c", c->err,
				  &recipe, errbuf, sizeof(errbuf));
	if (status) {
		fprintf(c->err, "kmend create: %s\n",
			status < 0 ? errbuf : "init/main.c is not in the units index");
		free(recipe);
		return -1;
	}
	for (char *w = strtok_r(recipe, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char **grown;

		if (strncmp(w, "-I", 2) || !w[2])
			continue;
		grown = realloc(c->std_dirs, (c->nr_std_dirs + 1) * sizeof(*grown));
		if (!grown || !(grown[c->nr_std_dirs] = strdup(w + 2))) {
			c->std_dirs = grown ? grown : c->std_dirs;
			free(recipe);
			fprintf(c->err, "kmend create: out of memory\n");
			return -1;
		}
		c->std_dirs = grown;
		path_fold(grown[c->nr_std_dirs++]);
	}
	free(recipe);
	return 0;
}

int header_units_adopt(struct create *c, size_t index)
{
	char **by = NULL, errbuf[512], **grown;
	size_t nr_by = 0;
	int ret = -1;

	if (std_include_dirs(c))
		return -1;
	if (includes_index_units(c->source, c->std_dirs, c->nr_std_dirs, &c->files[index], 1, c->err,
				 &by, &nr_by, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s\n", errbuf);
		goto out;
	}
	ret = 0;
	if (!nr_by)
		goto out;
	grown = realloc(c->headers, (c->nr_headers + 1) * sizeof(*grown));
	if (!grown) {
		fprintf(c->err, "kmend create: out of memory\n");
		ret = -1;
		goto out;
	}
	c->headers = grown;
	fprintf(c->out, "%s: not a unit of its own; %zu file%s include%s it: taken as a header\n",
		c->files[index], nr_by, nr_by == 1 ? "" : "s", nr_by == 1 ? "s" : "");
	c->headers[c->nr_headers++] = c->files[index];
	memmove(&c->files[index], &c->files[index + 1],
		(c->nr_files - index - 1) * sizeof(*c->files));
	c->nr_files--;
	ret = 1;
out:
	if (by)
		strv_free(by, nr_by);
	return ret;
}

/* Link the unit's source into work/src, unless it is there (or a copy). */
static int link_source(struct create *c, const char *real_source, const struct unit *u)
{
	char *target = str_format("%s/%s", real_source, u->path);
	char *link = str_format("%s/src/%s", c->work_dir, u->path);
	struct stat st;
	int ret = -1;

	if (target && link && !lstat(link, &st))
		ret = 0;
	else if (target && link && !make_parent_dirs(link) && !symlink(target, link))
		ret = 0;
	if (ret)
		fprintf(c->err, "kmend create: cannot link %s into the work folder: %s\n",
			u->path, link ? strerror(errno) : "out of memory");
	free(target);
	free(link);
	return ret;
}

/* The candidate units and the digests of their text before and after. */
struct preprocess_set {
	const struct unit *units;
	struct code_digest *digests;	/* 2i before, 2i + 1 after */
	bool *unread;			/* a digest that could not be made */
	const struct unit *failed;	/* the first that failed to preprocess */
	struct pre_cache cache;		/* digests before the patch, per tree */
	size_t from_cache;
};

/* The cache's name and key of @u's digest before the patch. */
static int digest_entry(const struct unit *u, char **entry, char **key)
{
	char errbuf[64], *cmd;

	*entry = str_format("digest/%s", u->object);
	/* the command with a fixed output: the same text, the same digest */
	cmd = unit_preprocess_command(u, u->kbuild_source, "kmend-pre.i", "kmend-pre.i.d",
				      NULL, NULL, errbuf, sizeof(errbuf));
	*key = cmd ? str_format("%s: %s", CODE_DIGEST_VERSION, cmd) : NULL;
	free(cmd);
	if (*entry && *key)
		return 0;
	free(*entry);
	free(*key);
	return -1;
}

static bool read_digest(const char *path, struct code_digest *d)
{
	FILE *f = fopen(path, "rb");
	bool ok = f && fread(d, sizeof(*d), 1, f) == 1;

	if (f)
		fclose(f);
	return ok;
}

/* Keep the digest of @u's text before the patch, with the files it read. */
static void keep_digest(struct preprocess_set *set, const struct unit_paths *p,
			const struct unit *u, const struct code_digest *d)
{
	char *entry, *key, deps[PATH_MAX + 8], kept_deps[PATH_MAX + 8];
	FILE *f = fopen(p->pre_digest, "wb");
	bool written = f && fwrite(d, sizeof(*d), 1, f) == 1;

	if (f && fclose(f))
		written = false;
	snprintf(deps, sizeof(deps), "%s.d", p->pre_text);
	snprintf(kept_deps, sizeof(kept_deps), "%s.d", p->pre_digest);
	if (written && !rename(deps, kept_deps) && !digest_entry(u, &entry, &key)) {
		pre_cache_put(&set->cache, entry, key, p->pre_digest);
		free(entry);
		free(key);
	}
	unlink(deps);
	unlink(kept_deps);
	unlink(p->pre_digest);
}

/*
 * Job 2i preprocesses candidate i before the patch (or takes its digest
 * from the tree's cache: nothing to run), 2i + 1 after.
 */
static pid_t start_preprocess(struct create *c, size_t job, void *arg)
{
	struct preprocess_set *set = arg;
	const struct unit *u = &set->units[job / 2];
	struct unit_paths p;
	char errbuf[512], deps[PATH_MAX + 8], *entry, *key;

	if (create_unit_paths(c, u, &p)) {
		fprintf(c->err, "kmend create: cannot create %s\n", c->work_dir);
		return -1;
	}
	if (job % 2)
		return create_start_command(c,
			unit_preprocess_command(u, p.src, p.post_text, NULL, p.prefix,
						c->sdk.include_dir, errbuf, sizeof(errbuf)),
			errbuf);
	if (!digest_entry(u, &entry, &key)) {
		bool hit = pre_cache_get(&set->cache, c->source, entry, key, p.pre_digest) &&
			   read_digest(p.pre_digest, &set->digests[job]);

		unlink(p.pre_digest);
		free(entry);
		free(key);
		if (hit) {
			set->from_cache++;
			return 0;
		}
	}
	snprintf(deps, sizeof(deps), "%s.d", p.pre_text);
	return create_start_command(c,
		unit_preprocess_command(u, u->kbuild_source, p.pre_text, deps, NULL, NULL,
					errbuf, sizeof(errbuf)), errbuf);
}

/*
 * Digest the text the job wrote, keep it if it is from before the patch,
 * and remove the text (there may be thousands).
 */
static int digest_preprocessed(struct create *c, size_t job, void *arg)
{
	struct preprocess_set *set = arg;
	const struct unit *u = &set->units[job / 2];
	struct unit_paths p;
	const char *text;

	if (create_unit_paths(c, u, &p))
		return 0;	/* the path was made when the job started */
	text = job % 2 ? p.post_text : p.pre_text;
	/* one that cannot be read counts as changed: compiled, to be safe */
	set->unread[job] = code_digest_file(text, &set->digests[job]) != 0;
	unlink(text);
	if (!(job % 2) && !set->unread[job])
		keep_digest(set, &p, u, &set->digests[job]);
	return 0;
}

static void preprocess_failed(struct create *c, size_t job, int status, void *arg)
{
	struct preprocess_set *set = arg;

	fprintf(c->err, "kmend create: preprocessing %s %s the patch failed (exit %d)\n",
		set->units[job / 2].path, job % 2 ? "after" : "before", status);
	if (!set->failed)
		set->failed = &set->units[job / 2];
}

static const struct create_jobs preprocess_jobs = {
	.start = start_preprocess,
	.finished = digest_preprocessed,
	.failed_msg = preprocess_failed,
};

/* How the change leaves candidate @i's text: the same, or only unused code. */
enum text_change { TEXT_SAME, TEXT_UNUSED_ONLY, TEXT_CODE };

static enum text_change text_change(const struct preprocess_set *set, size_t i)
{
	const struct code_digest *a = &set->digests[2 * i], *b = &set->digests[2 * i + 1];

	if (set->unread[2 * i] || set->unread[2 * i + 1])
		return TEXT_CODE;
	if (!memcmp(a->text, b->text, sizeof(a->text)))
		return TEXT_SAME;
	return memcmp(a->code, b->code, sizeof(a->code)) ? TEXT_CODE : TEXT_UNUSED_ONLY;
}

/* Is @path one of the patch's own .c files? */
static bool touched(const struct create *c, const char *path)
{
	for (size_t i = 0; i < c->nr_files; i++)
		if (!strcmp(c->files[i], path))
			return true;
	return false;
}

int header_units_find(struct create *c, struct unit **units, size_t *nr_units)
{
	char **paths = NULL, **recipes = NULL, errbuf[512];
	char *real_source = NULL;
	size_t nr_paths = 0, kept = 0, built = 0, changed = 0, unused_only = 0;
	struct preprocess_set set = { 0 };
	struct unit *cand = NULL, *grown;
	int ret = -1;

	if (!c->nr_headers)
		return 0;
	if (std_include_dirs(c))
		goto out;
	if (includes_index_units(c->source, c->std_dirs, c->nr_std_dirs, c->headers,
				 c->nr_headers, c->err, &paths, &nr_paths, errbuf,
				 sizeof(errbuf)) < 0) {
		fprintf(c->err, "kmend create: %s\n", errbuf);
		goto out;
	}
	/* the patch's own .c files are compiled anyway */
	for (size_t i = 0; i < nr_paths; i++) {
		if (touched(c, paths[i]))
			free(paths[i]);
		else
			paths[kept++] = paths[i];
	}
	nr_paths = kept;
	recipes = calloc(nr_paths ? nr_paths : 1, sizeof(*recipes));
	cand = calloc(nr_paths ? nr_paths : 1, sizeof(*cand));
	real_source = realpath(c->source, NULL);
	if (!recipes || !cand || !real_source) {
		fprintf(c->err, "kmend create: %s\n", real_source ? "out of memory" : strerror(errno));
		goto out;
	}
	if (units_index_recipes(c->source, c->work_dir, paths, nr_paths, c->err, recipes,
				errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s\n", errbuf);
		goto out;
	}
	for (size_t i = 0; i < nr_paths; i++) {
		if (!recipes[i])
			continue;	/* not built in this configuration */
		if (unit_from_recipe(c->source, paths[i], recipes[i], &cand[built],
				     errbuf, sizeof(errbuf))) {
			fprintf(c->err, "kmend create: %s\n", errbuf);
			goto out;
		}
		if (link_source(c, real_source, &cand[built++]))
			goto out;
	}
	fprintf(c->out, "headers: %zu file%s include%s them, %zu built in this configuration\n",
		nr_paths, nr_paths == 1 ? "" : "s", nr_paths == 1 ? "s" : "", built);
	if (c->max_units && built > c->max_units) {
		fprintf(c->err, "kmend create: the changed headers reach %zu units, more than --max-units %zu; raise it to preprocess them all and compile those that change\n",
			built, c->max_units);
		goto out;
	}
	set.units = cand;
	pre_cache_open(&set.cache, c->source);	/* none: preprocess everything */
	set.digests = calloc(2 * built + 1, sizeof(*set.digests));
	set.unread = calloc(2 * built + 1, sizeof(*set.unread));
	if (!set.digests || !set.unread) {
		fprintf(c->err, "kmend create: out of memory\n");
		goto out;
	}
	if (create_run_jobs(c, 2 * built, "preprocessing", &preprocess_jobs, &set)) {
		create_show_log_tail(c);
		if (set.failed)
			fprintf(c->err, "kmend create: if the log says a file is missing, Kbuild makes it while it builds %s: run 'make -C %s %s' once (or build the tree), then create again\n",
				set.failed->kbuild_object, c->source, set.failed->kbuild_object);
		goto out;
	}
	if (set.from_cache)
		fprintf(c->out, "headers: texts before the patch: %zu of %zu from this tree's cache\n",
			set.from_cache, built);
	for (size_t i = 0; i < built; i++) {
		enum text_change how = text_change(&set, i);

		unused_only += how == TEXT_UNUSED_ONLY;
		if (how == TEXT_CODE) {
			struct unit moved = cand[i];

			/* (the digests stay where they were: not needed again) */
			cand[i] = cand[changed];
			cand[changed++] = moved;
		}
	}
	if (unused_only)
		fprintf(c->out, "headers: %zu unit%s change%s only in static functions %s not use\n",
			unused_only, unused_only == 1 ? "" : "s", unused_only == 1 ? "s" : "",
			unused_only == 1 ? "it does" : "they do");
	fprintf(c->out, "headers: %zu unit%s compile%s differently: compiling %s before and after\n",
		changed, changed == 1 ? "" : "s", changed == 1 ? "s" : "",
		changed == 1 ? "it" : "them");
	/* (realloc to 0 bytes would free the touched units' array) */
	grown = changed ? realloc(*units, (*nr_units + changed) * sizeof(*grown)) : *units;
	if (!grown) {
		fprintf(c->err, "kmend create: out of memory\n");
		goto out;
	}
	*units = grown;
	memcpy(*units + *nr_units, cand, changed * sizeof(*cand));
	*nr_units += changed;
	for (size_t i = 0; i < changed; i++)
		memset(&cand[i], 0, sizeof(cand[i]));
	ret = 0;
out:
	for (size_t i = 0; cand && i < built; i++)
		unit_free(&cand[i]);
	free(cand);
	free(set.digests);
	free(set.unread);
	pre_cache_close(&set.cache);
	if (recipes)
		strv_free(recipes, nr_paths);
	if (paths)
		strv_free(paths, nr_paths);
	free(real_source);
	return ret;
}
