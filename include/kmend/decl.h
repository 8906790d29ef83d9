/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmend/decl.h - the declarations a source patch makes for kmend create
 * (kmend/patch.h has the macros): their kinds, shared by the macros and by
 * kmend create, which reads them from the compiled unit.
 *
 * Each is a 24-byte record in section .discard.kmend_decl: the kind (8
 * bytes), a pointer to the function it names (callbacks, hooks,
 * KMEND_NO_REPLACE), and a pointer to a string (a section or symbol name,
 * or the model); a state (KMEND_STATE) has its id and version there
 * instead, as plain integers. A kernel build discards .discard.* sections.
 */
#ifndef _KMEND_DECL_H
#define _KMEND_DECL_H

#define KMEND_DECL_SECTION ".discard.kmend_decl"
#define KMEND_DECL_SIZE 24

enum kmend_decl_kind {
	KMEND_DECL_PRE_PATCH = 1,
	KMEND_DECL_POST_PATCH,
	KMEND_DECL_PRE_UNPATCH,
	KMEND_DECL_POST_UNPATCH,
	KMEND_DECL_CHECK_APPLY,
	KMEND_DECL_APPLY,
	KMEND_DECL_FAIL_APPLY,
	KMEND_DECL_CHECK_REVERSE,
	KMEND_DECL_REVERSE,
	KMEND_DECL_FAIL_REVERSE,
	KMEND_DECL_NO_REPLACE,
	KMEND_DECL_IGNORE_SECTION,
	KMEND_DECL_IGNORE_SYMBOL,
	KMEND_DECL_MODEL,
	KMEND_DECL_ON_ACCESS,
	KMEND_DECL_STATE,
	KMEND_DECL_MAX
};

#endif /* _KMEND_DECL_H */
