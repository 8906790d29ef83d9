/* SPDX-License-Identifier: GPL-2.0 */
/* Telling the user why the engine refused a transition. */
#ifndef KMEND_REPORT_H
#define KMEND_REPORT_H

#include <stdio.h>

#include "engine.h"

/*
 * Explain @u's last abort to @f: the cause in one sentence, the engine's
 * detail (function and offset, symbol, ...), the conflicts as a table of
 * process, pid and function, and what to do. @action is "apply" or "undo"
 * (NULL: the last transition, whichever it was).
 * Returns the cause's exit status.
 */
int report_abort(FILE *f, const char *action, const struct live_update *u);

/* The conflicts lines ("<comm> <pid> <function>") as an aligned table. */
void report_conflicts(FILE *f, const char *conflicts, const char *indent);

#endif /* KMEND_REPORT_H */
