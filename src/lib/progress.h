/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A progress line on a terminal while the engine works: a thread prints the
 * elapsed time, so that the main thread can sit in a blocking write.
 */
#ifndef KMEND_PROGRESS_H
#define KMEND_PROGRESS_H

#include <stdio.h>

struct progress;

/*
 * Show "@what... N.N s" on @f, from half a second on, when @f is a
 * terminal; NULL (nothing shown) otherwise or on failure. With @detail, each
 * redraw appends what it writes in its buffer (say "3 tasks left"), if not
 * empty. The thread blocks every signal, so that a Ctrl-C reaches the main
 * thread.
 */
struct progress *progress_start(FILE *f, const char *what,
				void (*detail)(void *arg, char *buf, size_t size),
				void *arg);
/* Stop and clear the line; NULL is fine. */
void progress_stop(struct progress *p);

#endif /* KMEND_PROGRESS_H */
