/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The engine's abort causes (abort_cause in /sys/kernel/kmend/<id>) in
 * words: what happened, what to do, and the exit status kmend gives it.
 */
#ifndef KMEND_CAUSES_H
#define KMEND_CAUSES_H

#include <stddef.h>

struct abort_cause {
	const char *name;	/* as the engine writes it */
	int exit_status;
	const char *meaning;	/* one sentence */
	const char *advice;	/* what to do */
};

/* The cause named @name, or the entry for "unexpected" when unknown. */
const struct abort_cause *abort_cause_find(const char *name);

/* Every cause but "ok", in exit-status order; @n receives the count. */
const struct abort_cause *abort_causes(size_t *n);

#endif /* KMEND_CAUSES_H */
