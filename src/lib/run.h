/* SPDX-License-Identifier: GPL-2.0 */
/* Running helper programs (make, the compiler, patch) from the kmend command. */
#ifndef KMEND_RUN_H
#define KMEND_RUN_H

#include <stddef.h>
#include <signal.h>
#include <sys/types.h>

/*
 * Run @argv (argv[0] looked up in PATH) in @cwd (NULL: here), with standard
 * input from /dev/null. Its standard output is returned in *@out (NUL-
 * terminated, to free) when @out is not NULL; otherwise it goes, with standard
 * error, to @log (appended; NULL: discarded). Returns the exit status, or -1
 * if it could not be run or was killed (a message is in @err).
 */
int run_program(char *const argv[], const char *cwd, char **out,
		const char *log, char *err, size_t errlen);

/*
 * The same with standard output returned in *@out and standard error left
 * as kmend's own: the user sees the program's progress and messages.
 */
int run_program_stderr(char *const argv[], const char *cwd, char **out,
		       char *err, size_t errlen);

/*
 * Start @argv in @cwd with standard input from /dev/null and standard
 * output and error appended to @log (NULL: discarded), without waiting.
 * Returns its pid, or -1 with a message in @err.
 */
pid_t run_start(char *const argv[], const char *cwd, const char *log,
	      char *err, size_t errlen);

/*
 * Block the signals kmend handles (SIGINT, SIGTERM, SIGHUP, SIGQUIT,
 * SIGPIPE), saving the mask in @old: children are started, and the finished
 * module put in place, with them held.
 */
void run_hold_signals(sigset_t *old);

/* Forget @pid, started by run_start, once the caller has reaped it. */
void run_reaped(pid_t pid);

/*
 * Stop every child still running, with all it started (SIGTERM to its
 * process group), and reap it. Safe in a signal handler.
 */
void run_stop_all(void);

#endif /* KMEND_RUN_H */
