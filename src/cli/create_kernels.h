/* SPDX-License-Identifier: GPL-2.0 */
/* kmend create with several --kernel: an update per kernel (create_kernels.c). */
#ifndef KMEND_CREATE_KERNELS_H
#define KMEND_CREATE_KERNELS_H

#include <stddef.h>
#include <stdio.h>

#include "pipeline.h"

/*
 * Make the update @c describes (its options and patches) for each of the
 * @n Debian kernels @names, into @out_dir/kmend-ID-RELEASE.ko, all at once
 * within @c->jobs compiles, and print a table of the results. Returns
 * kmend's exit status: 0 when every kernel got its update.
 */
int create_for_kernels(const struct create *c, char *const *names, size_t n,
		       const char *out_dir, FILE *out, FILE *err);

#endif /* KMEND_CREATE_KERNELS_H */
