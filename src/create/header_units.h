/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The units a header change reaches (header_units.c): compiled before and
 * after beside the patch's own .c files.
 */
#ifndef KMEND_HEADER_UNITS_H
#define KMEND_HEADER_UNITS_H

#include "pipeline.h"

/*
 * Make work/src a view of the tree around each patched header: every
 * folder from the top one down to the header's own gets links to the
 * tree's entries beside the patched copies. 0, or -1 with a message.
 */
int header_units_mirror(struct create *c);

/*
 * The touched .c file @c->files[@index], which the configuration does not
 * build as a unit: if units include it (kernel/sched/build_policy.c
 * includes idle.c), move it to @c->headers, saying so, and return 1; 0 if
 * none does; -1 with a message.
 */
int header_units_adopt(struct create *c, size_t index);

/*
 * Append to *@units the units the configuration builds that include a
 * patched header and whose preprocessed text it changes (not the patch's
 * own .c files, already there), saying how many on @c->out; refuse past
 * @c->max_units. 0, or -1 with a message.
 */
int header_units_find(struct create *c, struct unit **units, size_t *nr_units);

#endif /* KMEND_HEADER_UNITS_H */
