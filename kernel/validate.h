/* SPDX-License-Identifier: GPL-2.0 */
/* validate.h - checking an update module's tables before reading them. */
#ifndef _KMEND_VALIDATE_H
#define _KMEND_VALIDATE_H

#include <kmend/patch.h>

/*
 * Check that every pointer of @update's tables leads into the module that
 * holds it (see validate.c), before anything else reads them. Returns 0,
 * or -EINVAL with the reason in the kernel log.
 */
int kmend_validate_update(struct kmend_update *update);

/* [@p, @p + @len) lies wholly in @mod's core memory (kept after init). */
bool kmend_in_module(const struct module *mod, const void *p, size_t len);
/* The same, or wholly in its init memory. */
bool kmend_in_module_or_init(const struct module *mod, const void *p,
			     size_t len);
/* A NUL-terminated string of at most @max bytes, all of it in @mod's core. */
bool kmend_string_in_module(const struct module *mod, const char *s,
			    size_t max);
/* The start of a function of @mod's code (not its init code). */
bool kmend_function_in_module(const struct module *mod, const void *fn);

#endif
