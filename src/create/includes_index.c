// SPDX-License-Identifier: GPL-2.0
/*
 * Which C files a header reaches, directly or through other headers.
 *
 * From the #include lines of every .c and .h file of the tree (not tools/,
 * scripts/ or Documentation/), each resolved as the compiler would: a quoted
 * name beside the including file first, then the tree's standard include
 * folders in their order. A name no standard folder holds comes from a
 * unit's own -I folder, which only that unit's command knows: it is linked
 * to every header whose path ends in it. So the answer may hold a few files
 * too many (and conditional includes count as taken), never one too few;
 * the preprocessor settles the rest (header_units.c). One line per include,
 * "INCLUDED<TAB>INCLUDER", cached beside the units index.
 */
#include "includes_index.h"

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "units_index.h"
#include "util.h"

/* An include line as read: the file it is in, the name, quoted or not. */
struct include_line {
	size_t file;
	char *name;
	bool quoted;
};

/* What the tree walk gathers (nftw has no cookie). */
static struct walk {
	size_t root_len;
	char **files;
	size_t nr_files, cap_files;
	struct include_line *lines;
	size_t nr_lines, cap_lines;
	bool nomem;
} walk;

static bool skipped_dir(const char *rel)
{
	static const char *const skip[] = {
		".git", "Documentation", "tools", "scripts", "usr", "LICENSES",
	};

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strcmp(rel, skip[i]))
			return true;
	return false;
}

static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *grown;

	if (n < *cap)
		return true;
	grown = realloc(*v, (*cap = *cap ? *cap * 2 : 4096) * size);
	if (!grown)
		return false;
	*v = grown;
	return true;
}

/* "#include <x>" or "# include "x"": the name and its kind, or NULL. */
static char *include_name(const char *line, bool *quoted)
{
	const char *p = line + strspn(line, " \t"), *end;
	char close;

	if (*p++ != '#')
		return NULL;
	p += strspn(p, " \t");
	if (strncmp(p, "include", 7))
		return NULL;
	p += 7;
	p += strspn(p, " \t");
	if (*p != '<' && *p != '"')
		return NULL;	/* a macro, or #include_next */
	close = *p == '<' ? '>' : '"';
	*quoted = *p == '"';
	end = strchr(p + 1, close);
	return end && end > p + 1 ? strndup(p + 1, (size_t)(end - p - 1)) : NULL;
}

static int read_file(const char *path, const struct stat *st, int type,
		     struct FTW *ftw)
{
	/* the tree's own folder (level 0) has no name inside it */
	const char *rel = ftw->level ? path + walk.root_len : "";
	const char *name = path + ftw->base;
	size_t len = strlen(name), cap = 0;
	char *line = NULL;
	FILE *f;

	(void)st;
	if (type == FTW_D && skipped_dir(rel))
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F || len < 3 || name[len - 2] != '.' ||
	    (name[len - 1] != 'c' && name[len - 1] != 'h'))
		return FTW_CONTINUE;
	if (!grow((void **)&walk.files, &walk.cap_files, walk.nr_files, sizeof(char *)) ||
	    !(walk.files[walk.nr_files] = strdup(rel))) {
		walk.nomem = true;
		return FTW_STOP;
	}
	f = fopen(path, "r");
	while (f && getline(&line, &cap, f) > 0) {
		bool quoted;
		char *inc = strchr(line, '#') ? include_name(line, &quoted) : NULL;

		if (!inc)
			continue;
		if (!grow((void **)&walk.lines, &walk.cap_lines, walk.nr_lines,
			  sizeof(*walk.lines))) {
			free(inc);
			walk.nomem = true;
			break;
		}
		walk.lines[walk.nr_lines++] = (struct include_line){
			.file = walk.nr_files, .name = inc, .quoted = quoted,
		};
	}
	if (f)
		fclose(f);
	free(line);
	walk.nr_files++;
	return walk.nomem ? FTW_STOP : FTW_CONTINUE;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool file_known(char **sorted, size_t n, const char *path)
{
	return bsearch(&path, sorted, n, sizeof(*sorted), compare_strings);
}

/* @a ends in "/" + @name. */
static bool ends_in(const char *a, const char *name)
{
	size_t la = strlen(a), ln = strlen(name);

	return la > ln && a[la - ln - 1] == '/' && !strcmp(a + la - ln, name);
}

/*
 * Write one line per resolved include into @out. @sorted is the files by
 * name; an unresolved name is matched against every file by suffix (rare:
 * a few thousand names, each a pass over the files).
 */
static int write_edges(FILE *out, char **sorted, char *const *std_dirs,
		       size_t nr_std)
{
	for (size_t i = 0; i < walk.nr_lines; i++) {
		const struct include_line *l = &walk.lines[i];
		const char *from = walk.files[l->file];
		const char *slash = strrchr(from, '/');
		char *cand = NULL;
		bool found = false;

		if (l->quoted) {
			cand = str_format("%.*s%s", slash ? (int)(slash - from + 1) : 0,
					  from, l->name);
			if (!cand)
				return -1;
			path_fold(cand);
			found = file_known(sorted, walk.nr_files, cand);
		}
		for (size_t d = 0; !found && d < nr_std; d++) {
			free(cand);
			cand = str_format("%s/%s", std_dirs[d], l->name);
			if (!cand)
				return -1;
			path_fold(cand);
			found = file_known(sorted, walk.nr_files, cand);
		}
		if (found) {
			fprintf(out, "%s\t%s\n", cand, from);
		} else {
			for (size_t k = 0; k < walk.nr_files; k++)
				if (ends_in(sorted[k], l->name))
					fprintf(out, "%s\t%s\n", sorted[k], from);
		}
		free(cand);
	}
	return 0;
}

static void walk_free(void)
{
	strv_free(walk.files, walk.nr_files);
	for (size_t i = 0; i < walk.nr_lines; i++)
		free(walk.lines[i].name);
	free(walk.lines);
	memset(&walk, 0, sizeof(walk));
}

/* Build the index of @source into @index (written whole, then renamed). */
static int build_index(const char *source, char *const *std_dirs, size_t nr_std,
		       const char *index, FILE *progress, char *err, size_t errlen)
{
	char *tmp = str_format("%s.tmp.%d", index, (int)getpid());
	char *dir = strdup(index), **sorted = NULL;
	FILE *out = NULL;
	int ret = -1;

	if (!tmp || !dir) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	*strrchr(dir, '/') = '\0';
	if (make_parent_dirs(dir) || (mkdir(dir, 0755) && errno != EEXIST)) {
		set_error(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	if (progress)
		fprintf(progress, "kmend create: reading the #include lines of %s (once per tree; about ten seconds)\n",
			source);
	walk.root_len = strlen(source) + 1;
	if (nftw(source, read_file, 32, FTW_PHYS | FTW_ACTIONRETVAL) < 0 || walk.nomem) {
		set_error(err, errlen, "cannot read %s: %s", source,
			  walk.nomem ? "out of memory" : strerror(errno));
		goto out;
	}
	sorted = malloc((walk.nr_files ? walk.nr_files : 1) * sizeof(*sorted));
	out = fopen(tmp, "w");
	if (!sorted || !out) {
		set_error(err, errlen, "cannot write %s: %s", tmp,
			  sorted ? strerror(errno) : "out of memory");
		goto out;
	}
	memcpy(sorted, walk.files, walk.nr_files * sizeof(*sorted));
	qsort(sorted, walk.nr_files, sizeof(*sorted), compare_strings);
	if (write_edges(out, sorted, std_dirs, nr_std)) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	if (fclose(out)) {
		out = NULL;
		set_error(err, errlen, "cannot write %s", tmp);
		goto out;
	}
	out = NULL;
	if (rename(tmp, index)) {
		set_error(err, errlen, "cannot write %s: %s", index, strerror(errno));
		goto out;
	}
	prune_indexes(dir);
	if (progress)
		fprintf(progress, "kmend create: %zu #include lines in %zu files\n",
			walk.nr_lines, walk.nr_files);
	ret = 0;
out:
	if (out)
		fclose(out);
	if (ret && tmp)
		unlink(tmp);
	free(sorted);
	walk_free();
	free(tmp);
	free(dir);
	return ret;
}

/* The index in memory: its lines, "INCLUDED\0INCLUDER", sorted. */
struct edges {
	char **lines;
	size_t n;
};

static int edges_load(const char *index, struct edges *e, char *err, size_t errlen)
{
	FILE *f = fopen(index, "r");
	char *line = NULL;
	size_t cap = 0, lines_cap = 0;
	ssize_t len;

	memset(e, 0, sizeof(*e));
	if (!f)
		return set_error(err, errlen, "cannot read %s: %s", index, strerror(errno));
	while ((len = getline(&line, &cap, f)) > 0) {
		char *tab = strchr(line, '\t');

		if (!tab)
			continue;
		*tab = '\0';
		tab[1 + strcspn(tab + 1, "\n")] = '\0';
		if (!grow((void **)&e->lines, &lines_cap, e->n, sizeof(char *)) ||
		    !(e->lines[e->n] = malloc((size_t)len + 1))) {
			fclose(f);
			free(line);
			return set_error(err, errlen, "out of memory");
		}
		memcpy(e->lines[e->n++], line, (size_t)len + 1);
	}
	fclose(f);
	free(line);
	qsort(e->lines, e->n, sizeof(*e->lines), compare_strings);
	return 0;
}

/* The first line whose INCLUDED is @name, or e->n. */
static size_t edges_first(const struct edges *e, const char *name)
{
	size_t lo = 0, hi = e->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(e->lines[mid], name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Distinct names in the order added, with a hash table over them. */
struct names {
	char **v;
	size_t n, cap;
	size_t *slots;		/* index + 1 into v, 0 when free */
	size_t nr_slots;	/* a power of two, at least twice n */
};

static size_t name_hash(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

/* The slot of @name: where it is, or the free one where it would go. */
static size_t *names_slot(const struct names *s, const char *name)
{
	size_t mask = s->nr_slots - 1, i = name_hash(name) & mask;

	while (s->slots[i] && strcmp(s->v[s->slots[i] - 1], name))
		i = (i + 1) & mask;
	return &s->slots[i];
}

static int names_rehash(struct names *s)
{
	size_t nr = s->nr_slots ? s->nr_slots * 2 : 1024;
	size_t *slots = calloc(nr, sizeof(*slots));

	if (!slots)
		return -1;
	free(s->slots);
	s->slots = slots;
	s->nr_slots = nr;
	for (size_t i = 0; i < s->n; i++)
		*names_slot(s, s->v[i]) = i + 1;
	return 0;
}

/* Add @name unless there; 1 if it was there, 0 if added, -1 out of memory. */
static int names_add(struct names *s, const char *name)
{
	size_t *slot;

	if ((s->n + 1) * 2 > s->nr_slots && names_rehash(s))
		return -1;
	slot = names_slot(s, name);
	if (*slot)
		return 1;
	if (!grow((void **)&s->v, &s->cap, s->n, sizeof(char *)) ||
	    !(s->v[s->n] = strdup(name)))
		return -1;
	*slot = ++s->n;
	return 0;
}

static void names_free(struct names *s)
{
	strv_free(s->v, s->n);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

int includes_index_units(const char *source, char *const *std_dirs, size_t nr_std,
			 char *const *headers, size_t nr_headers, FILE *progress,
			 char ***units, size_t *nr_units, char *err, size_t errlen)
{
	char *index = tree_cache_path(source, "includes");
	struct names seen = { 0 }, found = { 0 };
	struct edges e = { 0 };
	int ret = -1;

	*units = NULL;
	*nr_units = 0;
	if (!index)
		return set_error(err, errlen, "%s: no include/config/auto.conf, or no cache folder (HOME)",
				 source);
	if (access(index, R_OK) &&
	    build_index(source, std_dirs, nr_std, index, progress, err, errlen))
		goto out;
	if (edges_load(index, &e, err, errlen))
		goto out;
	for (size_t i = 0; i < nr_headers; i++)
		if (names_add(&seen, headers[i]) < 0)
			goto nomem;
	/* breadth first: seen grows while it is walked */
	for (size_t i = 0; i < seen.n; i++) {
		for (size_t k = edges_first(&e, seen.v[i]);
		     k < e.n && !strcmp(e.lines[k], seen.v[i]); k++) {
			const char *by = e.lines[k] + strlen(e.lines[k]) + 1;
			size_t len = strlen(by);
			int added = names_add(&seen, by);

			if (added < 0 || (!added && by[len - 1] == 'c' &&
					  names_add(&found, by) < 0))
				goto nomem;
		}
	}
	*units = found.v;
	*nr_units = found.n;
	found.v = NULL;
	found.n = 0;	/* names_free frees the table alone */
	ret = 0;
	goto out;
nomem:
	set_error(err, errlen, "out of memory");
out:
	names_free(&seen);
	names_free(&found);
	strv_free(e.lines, e.n);
	free(index);
	return ret;
}
