/* SPDX-License-Identifier: GPL-2.0 */
/* The kmend command line: subcommand dispatch, --help and --version. */
#ifndef KMEND_CLI_H
#define KMEND_CLI_H

#include <stdio.h>

/* Exit statuses shared by every subcommand (documented in kmend --help). */
enum kmend_exit {
	KMEND_EXIT_OK = 0,
	KMEND_EXIT_FAILURE = 1,
	KMEND_EXIT_USAGE = 2,
};

/*
 * Run the kmend command line with the given arguments, writing normal output
 * to @out and diagnostics to @err. Returns the process exit status.
 */
int kmend_main(int argc, char **argv, FILE *out, FILE *err);

#endif /* KMEND_CLI_H */
