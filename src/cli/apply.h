/* SPDX-License-Identifier: GPL-2.0 */
/* kmend apply and kmend undo: loading, applying, undoing, unloading. */
#ifndef KMEND_APPLY_H
#define KMEND_APPLY_H

#include <stdio.h>

int apply_run(int argc, char **argv, FILE *out, FILE *err);
int undo_run(int argc, char **argv, FILE *out, FILE *err);

#endif /* KMEND_APPLY_H */
