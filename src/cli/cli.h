/* SPDX-License-Identifier: GPL-2.0 */
/* The kmend command line: subcommand dispatch, --help and --version. */
#ifndef KMEND_CLI_H
#define KMEND_CLI_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Exit statuses shared by every subcommand (documented in kmend --help and
 * kmend(8)). 10 and up: the engine refused a transition, one per abort
 * cause (causes.c).
 */
enum kmend_exit {
	KMEND_EXIT_OK = 0,
	KMEND_EXIT_FAILURE = 1,
	KMEND_EXIT_USAGE = 2,
	KMEND_EXIT_NOT_ROOT = 3,
	KMEND_EXIT_BAD_FILE = 4,	/* not an update, unreadable, corrupt */
	KMEND_EXIT_WRONG_RELEASE = 5,
	KMEND_EXIT_NO_ENGINE = 6,
	KMEND_EXIT_ALREADY_LOADED = 7,
	KMEND_EXIT_UNKNOWN_ID = 8,
	KMEND_EXIT_DEPENDED_ON = 9,	/* another update is stacked on it */
	KMEND_EXIT_CAUSE_BASE = 10,
	/* the kernel enforces module signatures and refused the module's */
	KMEND_EXIT_NOT_TRUSTED = 30,
};

/*
 * Run the kmend command line with the given arguments, writing normal output
 * to @out and diagnostics to @err. Returns the process exit status.
 */
int kmend_main(int argc, char **argv, FILE *out, FILE *err);

/*
 * Say what is wrong with an option, from getopt's ':' or '?' and the word
 * it was in (argv[optind - 1]); returns the usage status.
 */
int cli_bad_option(FILE *err, const char *cmd, int opt, const char *word);

/* 0 as root; else say so and return KMEND_EXIT_NOT_ROOT. */
int cli_need_root(FILE *err, const char *cmd);

/* Could @s be an update id (1-64 of [A-Za-z0-9_-])? */
bool update_id_like(const char *s);

#endif /* KMEND_CLI_H */
