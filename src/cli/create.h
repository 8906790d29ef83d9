/* SPDX-License-Identifier: GPL-2.0 */
/* kmend create's entry point for the command table (cli.c). */
#ifndef KMEND_CREATE_H
#define KMEND_CREATE_H

#include <stdio.h>

/* kmend create: see create_usage() in create.c. */
int create_run(int argc, char **argv, FILE *out, FILE *err);

#endif /* KMEND_CREATE_H */
