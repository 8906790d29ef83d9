/* SPDX-License-Identifier: GPL-2.0 */
/* kmend package and kmend repo, the commands (package.c). */
#ifndef KMEND_CLI_PACKAGE_H
#define KMEND_CLI_PACKAGE_H

#include <stdio.h>

int package_run(int argc, char **argv, FILE *out, FILE *err);
int repo_run(int argc, char **argv, FILE *out, FILE *err);

#endif /* KMEND_CLI_PACKAGE_H */
