/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types whose layout a patch changes, from the DWARF of a unit's objects
 * before and after (layout.c): refused, as the running kernel's data keeps
 * the old layout.
 */
#ifndef KMEND_LAYOUT_H
#define KMEND_LAYOUT_H

#include <stddef.h>

#include "refuse.h"

/*
 * Add to @r a refusal for each named struct or union of @pre_path whose
 * size or members differ in @post_path, naming the first member that
 * differs and the functions of the unit, other than the @replaced ones,
 * whose parameters or variables are of it (or point to it); and for each
 * enum whose constants' values differ (added constants alone pass).
 * Objects without debug information compare as equal. Returns 0, or -1
 * with a message in @err.
 */
int layout_refusals(const char *pre_path, const char *post_path,
		    char *const *replaced, size_t nr_replaced,
		    struct refusals *r, char *err, size_t errlen);

#endif /* KMEND_LAYOUT_H */
