// SPDX-License-Identifier: GPL-2.0
/*
 * The words for a refused transition: cause, detail, conflicts, advice.
 */
#include "report.h"

#include <string.h>

#include "causes.h"

struct conflict_row {
	FILE *f;
	const char *indent;
};

static void conflict_row(const char *comm, int pid, const char *func, void *arg)
{
	struct conflict_row *r = arg;

	if (strcmp(func, "unreliable_stack") == 0)
		func = "(stack unreliable, or running)";
	fprintf(r->f, "%s%-16s %7d  %s\n", r->indent, comm, pid, func);
}

void report_conflicts(FILE *f, const char *conflicts, const char *indent)
{
	fprintf(f, "%s%-16s %7s  %s\n", indent, "PROCESS", "PID", "FUNCTION");
	live_conflicts_each(conflicts, conflict_row,
			    &(struct conflict_row){ .f = f, .indent = indent });
}

int report_abort(FILE *f, const char *action, const struct live_update *u)
{
	const struct abort_cause *c = abort_cause_find(u->abort_cause);
	char advice[512];
	const char *id_at = strstr(c->advice, "ID");

	if (action)
		fprintf(f, "kmend: cannot %s %s: %s\n", action, u->id, u->abort_cause);
	else
		fprintf(f, "%s: its last transition stopped: %s\n", u->id,
			u->abort_cause);
	fprintf(f, "  The engine says %s.\n", c->meaning);
	if (u->abort_detail && *u->abort_detail)
		fprintf(f, "  Detail: %s\n", u->abort_detail);
	if (u->conflicts && *u->conflicts) {
		fputs("  In the way:\n", f);
		report_conflicts(f, u->conflicts, "    ");
	}
	/* advice naming "ID" is for this update */
	if (id_at)
		snprintf(advice, sizeof(advice), "%.*s%s%s",
			 (int)(id_at - c->advice), c->advice, u->id, id_at + 2);
	else
		snprintf(advice, sizeof(advice), "%s", c->advice);
	fprintf(f, "  What to do: %s.\n", advice);
	return c->exit_status;
}
