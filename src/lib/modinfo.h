/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kernel module file's .modinfo ("key=value" strings) and what kmend
 * reads from it about an update: its id, module name, kernel release,
 * functions and model, known before the module is loaded.
 */
#ifndef KMEND_MODINFO_H
#define KMEND_MODINFO_H

#include <stdbool.h>
#include <stddef.h>

struct modinfo {
	char *data;		/* a copy of the section */
	size_t size;
};

enum modinfo_error {
	MODINFO_OK = 0,
	MODINFO_UNREADABLE,	/* cannot open or read the file */
	MODINFO_NOT_MODULE,	/* not an x86-64 relocatable ELF with .modinfo */
	MODINFO_CORRUPT,	/* ELF whose headers or sections are broken */
};

/*
 * Read @path's .modinfo. Returns MODINFO_OK, or an error with a message in
 * @err naming the file and what is wrong.
 */
enum modinfo_error modinfo_read(struct modinfo *mi, const char *path,
				char *err, size_t errlen);
void modinfo_free(struct modinfo *mi);

/*
 * The value of the first @key at or after *@pos, or NULL; *@pos moves past
 * it, so that repeated calls give every value of a repeated key.
 */
const char *modinfo_next(const struct modinfo *mi, const char *key,
			 size_t *pos);
/* The first value of @key, or NULL. */
const char *modinfo_get(const struct modinfo *mi, const char *key);

/* An update module file, as kmend apply, show and install see it. */
struct update_file {
	const char *path;
	struct modinfo mi;
	const char *id;		/* kmend_id */
	const char *module;	/* the module's name (name=) */
	const char *release;	/* kmend_release, else vermagic's first word */
	const char *vermagic;
	const char *description;	/* may be NULL */
	const char *model;	/* kmend_model; NULL for hand-written updates */
	const char *patch_sha256;	/* NULL for hand-written updates */
	/* kmend_kernel_version: the kernel's Debian package version, or NULL */
	const char *kernel_version;
	bool klp;		/* for the kernel's livepatch (--format klp) */
	bool replace;		/* kmend_replace: a cumulative update (--replace) */
	char release_buf[128];
};

/*
 * Open @path as an update: a module whose .modinfo names a kmend_id and
 * depends on kmend. Returns MODINFO_OK, or an error (MODINFO_NOT_MODULE
 * also for a module that is no update) with a message in @err.
 */
enum modinfo_error update_file_open(struct update_file *uf, const char *path,
				    char *err, size_t errlen);
void update_file_close(struct update_file *uf);

/* Is @id one the engine takes (1-64 of [A-Za-z0-9_-]), safe in a path? */
bool update_id_is_safe(const char *id);

/* Can @release name a folder (not empty, ".", ".." or with a '/')? */
bool release_is_safe(const char *release);

#endif /* KMEND_MODINFO_H */
