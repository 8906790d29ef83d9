/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The declarations a source patch makes through kmend/patch.h (callbacks,
 * hooks, functions not to replace, ignored sections and symbols, the
 * model, system states), read from the post object's .discard.kmend_decl section.
 */
#ifndef KMEND_DECLS_H
#define KMEND_DECLS_H

#include <stdbool.h>
#include <stddef.h>

#include <kmend/decl.h>

#include "elfobj.h"
#include "objdiff.h"

struct decl {
	enum kmend_decl_kind kind;
	char *function;		/* the function (ON_ACCESS: variable) it names */
	char *name;		/* its string (section, symbol, model), or NULL */
	unsigned long state_id;	/* KMEND_STATE: nonzero */
	unsigned int state_version;
};

struct decls {
	struct decl *items;
	size_t nr;
};

/* Read @post's declarations. Returns 0, or -1 with a message in @err. */
int decls_read(const struct elf_object *post, struct decls *out, char *err,
	       size_t errlen);
void decls_free(struct decls *d);

/* "pre_patch callback", "check_apply hook", "KMEND_NO_REPLACE", ... */
const char *decl_kind_name(enum kmend_decl_kind kind);

/* Callbacks and hooks: functions the update module must hold and name. */
bool decl_names_code(enum kmend_decl_kind kind);

/* Those and the TRANSFORM_ON_ACCESS flag: what the update's tables name. */
bool decl_names_payload(enum kmend_decl_kind kind);

/*
 * Mark what the declarations ignore in @diff (KMEND_NO_REPLACE,
 * KMEND_IGNORE_SECTION, KMEND_IGNORE_SYMBOL), and the declarations
 * themselves, OBJDIFF_IGNORED. Returns 0, or -1 with a message in @err
 * when one names nothing in the unit.
 */
int decls_apply(const struct decls *d, const struct elf_object *post,
		struct objdiff *diff, char *err, size_t errlen);

/*
 * Parse "leave=patched-set|function|kernel,switch=kernel|function|thread"
 * into the engine's enum values (kmend/patch.h). Returns 0 or -1.
 */
int decl_model_parse(const char *model, unsigned int *leave, unsigned int *sw);

#endif /* KMEND_DECLS_H */
