/* SPDX-License-Identifier: GPL-2.0 */
/* kmend list, show and explain: what is loaded, installed or in a file. */
#ifndef KMEND_LIST_H
#define KMEND_LIST_H

#include <stdio.h>

#include "engine.h"

int list_run(int argc, char **argv, FILE *out, FILE *err);
int show_run(int argc, char **argv, FILE *out, FILE *err);
int explain_run(int argc, char **argv, FILE *out, FILE *err);

/* One loaded update as a JSON object. */
void live_update_json(FILE *f, const struct live_update *u);

/* The distinct targets of @u's functions, comma-separated, into @buf. */
void live_update_targets(const struct live_update *u, char *buf, size_t len);

/* "2026-11-25 23:59:01" (local time) or "-" for 0. */
void format_time(long long epoch, char *buf, size_t len);

#endif /* KMEND_LIST_H */
