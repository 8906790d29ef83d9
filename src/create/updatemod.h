/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The update module's sources: a C file (kmend_tables.c; no id can make
 * kmend-<id> clash with it) registering the update with the
 * engine (its packs, functions and kmend relocations), the units' payload
 * objects, and the Kbuild file that links them into kmend-<id>.ko.
 */
#ifndef KMEND_UPDATEMOD_H
#define KMEND_UPDATEMOD_H

#include <stddef.h>
#include <stdio.h>

#include "decls.h"
#include "payload.h"

struct update_unit {
	const char *target;		/* "vmlinux" or a module's name */
	const struct payload *payload;
	const char *payload_path;	/* its object */
	/*
	 * Its declarations (kmend/patch.h); the k-th one that names code is
	 * payload->named[k]. May be NULL.
	 */
	const struct decls *decls;
};

/* What the update module is for: kmend's engine, or the kernel's livepatch. */
enum update_format {
	UPDATE_FORMAT_KMEND,
	UPDATE_FORMAT_KLP,
};

struct update_module {
	enum update_format format;
	const char *id;
	const char *description;	/* may be NULL */
	const char *release;		/* the target kernel release */
	/* its Debian package version (kmend create --kernel), or NULL */
	const char *kernel_version;
	const char *patch_sha256;
	const char *include_dir;	/* holds kmend/patch.h */
	const struct update_unit *units;
	size_t nr_units;
	const char *model;		/* "leave=...,switch=..."; NULL: default */
	unsigned int leave, sw;		/* the engine's values for it */
	unsigned int flags;		/* kmend_update.flags */
};

/* kmend_update.flags (kmend/patch.h) */
#define UPDATE_FLAG_REQUIRE_TARGETS	0x1	/* KMEND_REQUIRE_TARGETS */
#define UPDATE_FLAG_REPLACE		0x2	/* KMEND_REPLACE */

/*
 * Check what the units declare fits one update: one of each callback per
 * target object, one of each hook, at most one model (also fills
 * @m->model, leave and sw). Returns 0, or -1 with a message in @err.
 */
int update_module_check_decls(struct update_module *m, char *err, size_t errlen);

/*
 * Check the declared hooks fit the model (once the model is final): hooks
 * need a model that stops the machine. Returns 0, or -1 with a message.
 */
int update_module_check_model(const struct update_module *m, char *err,
			      size_t errlen);

/*
 * Write the module's sources into @dir, ready for "make -C <tree> M=@dir
 * modules". Returns 0, or -1 with a message in @err.
 */
int update_module_write(const struct update_module *m, const char *dir,
			char *err, size_t errlen);

/* Helpers the writers of both formats share (updatemod.c). */

/* @s as a C string literal. */
void update_put_string(FILE *f, const char *s);
int update_same_target(const char *a, const char *b);
/* Is unit @i the first of its target? Packs (objects) are numbered by it. */
int update_first_of_target(const struct update_module *m, size_t i);
/*
 * Calls @fn for each declaration of unit @u the update's tables name
 * (callbacks, hooks, the on_access flag) with its global name.
 */
/*
 * Call @fn for each system state the units declare (KMEND_STATE), once per
 * id (update_module_check_decls() checked each id has one version).
 */
void update_each_state(const struct update_module *m,
		       void (*fn)(void *arg, const struct decl *state), void *arg);

/* The states table: "static struct @type @name[] = { ..., { } };" */
void update_put_states(FILE *f, const struct update_module *m,
		       const char *type, const char *name);

void update_each_code_decl(const struct update_unit *u,
			   void (*fn)(void *arg, enum kmend_decl_kind kind,
				      const char *global),
			   void *arg);
/* The extern declaration of a declared callback, hook or flag (@arg: a FILE). */
void update_put_decl_extern(void *arg, enum kmend_decl_kind kind, const char *global);
/*
 * The functions of the target of unit @first (itself the first of it), as
 * "static struct @type @name_@first[]" of { .old_name, .new_func }, ending
 * with an empty entry: kmend_func or klp_func.
 */
void update_put_funcs(FILE *f, const struct update_module *m, size_t first,
		      const char *type, const char *name);
/* The modinfo kmend show and apply read: id, release, patch hash, model, functions. */
void update_put_modinfo(FILE *f, const struct update_module *m);

/*
 * The longest id kmend create gives an update: its module, kmend-<id>,
 * must have a name shorter than the kernel's MODULE_NAME_LEN (56).
 */
#define UPDATE_ID_MAX 49

/* Is @id a valid update id ([A-Za-z0-9_-], 1 to UPDATE_ID_MAX characters)? */
int update_id_valid(const char *id);

#endif /* KMEND_UPDATEMOD_H */
