/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbols a patch adds in one unit and uses from another (cross_unit.c),
 * resolved inside the update module, never in the running kernel.
 */
#ifndef KMEND_CROSS_UNIT_H
#define KMEND_CROSS_UNIT_H

#include <stddef.h>

/*
 * The names of the global functions and variables that unit i's object
 * after the patch (@post_paths[i]) defines, its object before
 * (@pre_paths[i]) does not, and another unit's object after the patch
 * uses: *@names (to free with strv_free). 0, or -1 with a message.
 */
int cross_unit_symbols(char *const *pre_paths, char *const *post_paths, size_t n,
		       char ***names, size_t *nr_names, char *err, size_t errlen);

#endif /* KMEND_CROSS_UNIT_H */
