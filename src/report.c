// SPDX-License-Identifier: GPL-2.0
/*
 * The words for a refused transition: cause, detail, conflicts, advice.
 */
#include "report.h"

#include <string.h>

#include "causes.h"

void report_conflicts(FILE *f, const char *conflicts, const char *indent)
{
	const char *line = conflicts;

	fprintf(f, "%s%-16s %7s  %s\n", indent, "PROCESS", "PID", "FUNCTION");
	while (line && *line) {
		char comm[64], func[256];
		int pid, used = 0;
		size_t len = strcspn(line, "\n");

		if (sscanf(line, "%63s %d %255s%n", comm, &pid, func, &used) == 3 &&
		    (size_t)used <= len) {
			if (strcmp(func, "unreliable_stack") == 0)
				strcpy(func, "(stack unreliable, or running)");
			fprintf(f, "%s%-16s %7d  %s\n", indent, comm, pid, func);
		}
		line += len;
		if (*line)
			line++;
	}
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
