/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kinds of change kmend create refuses, each with what it means and
 * what the author can do instead (refusal_kinds.c): printed after each
 * refusal ("kmend explain KIND"), and by kmend explain.
 */
#ifndef KMEND_REFUSAL_KINDS_H
#define KMEND_REFUSAL_KINDS_H

#include <stddef.h>

struct refusal_kind {
	const char *name;
	const char *meaning;	/* one sentence */
	const char *advice;	/* what to do instead */
};

#define REFUSE_CHANGED_DATA		"changed_data"
#define REFUSE_EXPORT_CHANGED		"export_changed"
#define REFUSE_LAYOUT_CHANGED		"layout_changed"
#define REFUSE_ENUM_CHANGED		"enum_changed"
#define REFUSE_INIT_ONLY		"init_only"
#define REFUSE_NEW_INIT_CODE		"new_init_code"
#define REFUSE_NEW_PERCPU_DATA		"new_percpu_data"
#define REFUSE_SHARED_SECTION		"shared_section"
#define REFUSE_LOAD_TIME_REFERENCE	"load_time_reference"
#define REFUSE_UNSUPPORTED_REFERENCE	"unsupported_reference"
#define REFUSE_UNSUPPORTED_CODE		"unsupported_code"
#define REFUSE_UNKNOWN_TABLE		"unknown_table"
#define REFUSE_BAD_DECLARATION		"bad_declaration"
#define REFUSE_NOINSTR_CODE		"noinstr_code"
#define REFUSE_ASM_CODE			"asm_code"

/* The kind named @name, or NULL. */
const struct refusal_kind *refusal_kind_find(const char *name);

/* Every kind; @n receives the count. */
const struct refusal_kind *refusal_kinds(size_t *n);

#endif /* KMEND_REFUSAL_KINDS_H */
