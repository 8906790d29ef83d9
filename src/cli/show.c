// SPDX-License-Identifier: GPL-2.0
/*
 * kmend show: everything about one update, from the engine (a loaded id) or
 * from its file before loading; kmend explain: abort causes in words.
 */
#include "list.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "causes.h"
#include "cli.h"
#include "json.h"
#include "klp.h"
#include "modinfo.h"
#include "refusal_kinds.h"
#include "report.h"

static void show_usage(FILE *f)
{
	fprintf(f,
		"Usage: kmend show [--json] ID|FILE.ko\n"
		"\n"
		"Show everything about one update. For ID, a loaded update, the engine's\n"
		"account: module, stage and when it was applied, model, the last abort\n"
		"cause with its detail, the updates it is stacked on, each function and\n"
		"its replacement, the tasks that were in the way. For FILE.ko (an argument\n"
		"naming a file), what the file says before it is loaded: id, module, the\n"
		"kernel release it was built for, model, the sha256 of its source patch,\n"
		"the functions it replaces, and whether it is loaded now.\n"
		"\n"
		"Options:\n"
		"  --json      one JSON object (for ID, as an element of 'kmend list --json')\n"
		"  -h, --help  show this help\n"
		"\n"
		"Exit status: 0; 3 not root (for ID); 4 FILE is not an update or is\n"
		"unreadable; 8 no update ID is loaded.\n");
}

/* The next system state in the kmend_state modinfo ("ID:VERSION"), or false. */
static bool next_state(const struct modinfo *mi, size_t *pos, unsigned long *id,
		       unsigned int *version)
{
	const char *s;

	while ((s = modinfo_next(mi, "kmend_state", pos)))
		if (sscanf(s, "%lu:%u", id, version) == 2)
			return true;
	return false;
}

static int show_file(FILE *out, FILE *err, const char *path, bool json)
{
	struct update_file uf;
	char msg[512], release[128], *stage = NULL;
	const char *fn;
	size_t pos = 0;
	unsigned long id;
	unsigned int version;

	if (update_file_open(&uf, path, msg, sizeof(msg))) {
		fprintf(err, "kmend show: %s\n", msg);
		return KMEND_EXIT_BAD_FILE;
	}
	kernel_release(release, sizeof(release));
	/* the directory is world-readable, its stage root's only */
	if (update_loaded(uf.id))
		stage = geteuid() == 0 ? update_attr(uf.id, "stage") :
					 strdup("unknown (run as root to see it)");
	else if (uf.klp && klp_update_loaded(uf.id))
		stage = strdup(klp_applied(uf.module) ? "applied (livepatch)" :
			       "in transition (livepatch)");
	if (json) {
		fputc('{', out);
		json_key_string(out, "file", path, 1);
		json_key_string(out, "id", uf.id, 0);
		json_key_string(out, "module", uf.module, 0);
		json_key_string(out, "description", uf.description, 0);
		json_key_string(out, "release", uf.release, 0);
		json_key_string(out, "kernel_version", uf.kernel_version, 0);
		json_key(out, "for_running_kernel", 0);
		fputs(strcmp(uf.release, release) ? "false" : "true", out);
		json_key_string(out, "vermagic", uf.vermagic, 0);
		json_key_string(out, "model", uf.model, 0);
		json_key_string(out, "format", uf.klp ? "klp" : "kmend", 0);
		json_key_string(out, "patch_sha256", uf.patch_sha256, 0);
		json_key(out, "replace", 0);
		fputs(uf.replace ? "true" : "false", out);
		json_key(out, "functions", 0);
		fputc('[', out);
		bool first = true;

		while ((fn = modinfo_next(&uf.mi, "kmend_function", &pos))) {
			char target[64], name[256];

			if (sscanf(fn, "%63s %255s", target, name) != 2)
				continue;
			fputs(first ? "{" : ",{", out);
			json_key_string(out, "target", target, 1);
			json_key_string(out, "function", name, 0);
			fputc('}', out);
			first = false;
		}
		fputc(']', out);
		json_key(out, "states", 0);
		fputc('[', out);
		first = true;
		pos = 0;
		while (next_state(&uf.mi, &pos, &id, &version)) {
			fprintf(out, "%s{\"id\":%lu,\"version\":%u}", first ? "" : ",",
				id, version);
			first = false;
		}
		fputc(']', out);
		json_key_string(out, "loaded_stage", stage, 0);
		fputs("}\n", out);
	} else {
		fprintf(out, "File:          %s\n", path);
		fprintf(out, "Update id:     %s\n", uf.id);
		fprintf(out, "Module:        %s\n", uf.module);
		if (uf.description && *uf.description)
			fprintf(out, "Description:   %s\n", uf.description);
		fprintf(out, "Built for:     %s (%s)\n", uf.release,
			strcmp(uf.release, release) ? "not this kernel" : "this kernel");
		if (uf.kernel_version)
			fprintf(out, "Kernel package: %s (Debian's version of %s)\n",
				uf.kernel_version, uf.release);
		fprintf(out, "Vermagic:      %s\n", uf.vermagic);
		fprintf(out, "Model:         %s\n", uf.model ? uf.model : "the update's own (hand-written)");
		fprintf(out, "Format:        %s\n", uf.klp ?
			"klp: a livepatch, for the kernel's own livepatch (no kmend.ko)" :
			"kmend: for kmend's engine (kmend.ko)");
		if (uf.patch_sha256)
			fprintf(out, "Patch sha256:  %s\n", uf.patch_sha256);
		if (uf.replace)
			fprintf(out, "Replace:       yes: applying it replaces every update applied before it\n");
		fprintf(out, "Functions:\n");
		bool any = false;

		while ((fn = modinfo_next(&uf.mi, "kmend_function", &pos))) {
			fprintf(out, "  %s\n", fn);
			any = true;
		}
		if (!any)
			fprintf(out, "  (not listed: a hand-written update)\n");
		pos = 0;
		for (any = false; next_state(&uf.mi, &pos, &id, &version); any = true)
			fprintf(out, "%sid %lu, version %u\n",
				any ? "               " : "System states: ", id, version);
		fprintf(out, "Loaded now:    %s%s\n", stage ? "yes, stage " : "no",
			stage ? stage : "");
	}
	free(stage);
	update_file_close(&uf);
	return KMEND_EXIT_OK;
}

static int show_loaded(FILE *out, FILE *err, const char *id, bool json)
{
	struct live_update u;
	char when[32], *line;
	int status = cli_need_root(err, "show");

	if (status)
		return status;
	if (live_update_read(id, &u)) {
		if (errno != ENOENT) {
			fprintf(err, "kmend show: cannot read update %s: %s\n", id,
				strerror(errno));
			return KMEND_EXIT_FAILURE;
		}
		fprintf(err, "kmend show: no update %s is loaded, and there is no file of that name; 'kmend list' shows the loaded ones\n",
			id);
		return KMEND_EXIT_UNKNOWN_ID;
	}
	if (json) {
		live_update_json(out, &u);
		fputc('\n', out);
		live_update_free(&u);
		return KMEND_EXIT_OK;
	}
	format_time(u.applied_at, when, sizeof(when));
	fprintf(out, "Update id:     %s\n", u.id);
	fprintf(out, "Module:        %s\n", u.module);
	if (*u.description)
		fprintf(out, "Description:   %s\n", u.description);
	fprintf(out, "Stage:         %s\n", u.stage);
	fprintf(out, "Applied at:    %s\n", when);
	fprintf(out, "Model:         %s\n", u.model);
	fprintf(out, "Last abort:    %s%s%s\n", u.abort_cause,
		*u.abort_detail ? ": " : "", u.abort_detail);
	fprintf(out, "Stacked on:    ");
	for (line = u.stacked_on; *line; line++)
		fputc(*line == '\n' ? ' ' : *line, out);
	fprintf(out, "%s\n", *u.stacked_on ? "" : "-");
	if (*u.targets) {
		fprintf(out, "Targets:\n");
		for (line = u.targets; *line;) {
			size_t n = strcspn(line, "\n"), w = strcspn(line, " ");

			if (w < n)
				fprintf(out, "  %-24.*s %.*s\n", (int)w, line,
					(int)(n - w - 1), line + w + 1);
			else
				fprintf(out, "  %.*s\n", (int)n, line);
			line += n + (line[n] != '\0');
		}
	}
	fprintf(out, "Functions:\n");
	for (line = u.functions; *line;) {
		size_t n = strcspn(line, "\n");

		fprintf(out, "  %.*s\n", (int)n, line);
		line += n + (line[n] != '\0');
	}
	if (*u.conflicts) {
		fprintf(out, "In the way at the last attempt:\n");
		report_conflicts(out, u.conflicts, "  ");
	}
	if (u.klp)
		fprintf(out, "Livepatch:     %s/%s\n", KLP_SYSFS_DIR, u.module);
	else
		fprintf(out, "Engine log:    %s/%s\n", KMEND_DEBUGFS_DIR, u.id);
	live_update_free(&u);
	return KMEND_EXIT_OK;
}

int show_run(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool json = false;
	const char *arg;
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			show_usage(out);
			return KMEND_EXIT_OK;
		default:
			return cli_bad_option(err, "show", opt, argv[optind - 1]);
		}
	}
	if (optind != argc - 1) {
		fprintf(err, "kmend show: give one update id or file; see 'kmend show --help'\n");
		return KMEND_EXIT_USAGE;
	}
	arg = argv[optind];
	/* a path, or a name that is a file: the file */
	if (strchr(arg, '/') || access(arg, F_OK) == 0)
		return show_file(out, err, arg, json);
	return show_loaded(out, err, arg, json);
}

static void explain_usage(FILE *f)
{
	fprintf(f,
		"Usage: kmend explain [CAUSE|STATUS|KIND|ID]\n"
		"\n"
		"Explain an abort cause of the engine (as abort_cause names it, e.g.\n"
		"code_busy), the exit status kmend gave for it (10-24), a kind of change\n"
		"kmend create refuses (as its refusals name it, e.g. layout_changed), or\n"
		"the last abort of the loaded update ID. Without an argument, list every\n"
		"cause with its exit status, then every kind of refusal.\n"
		"\n"
		"Exit status: 0; 2 unknown cause or status; 3 not root (for ID); 8 no\n"
		"update ID is loaded.\n");
}

static void explain_refusal(FILE *out, const struct refusal_kind *k)
{
	fprintf(out, "%s (kmend create refuses): %s.\n  What to do: %s.\n", k->name,
		k->meaning, k->advice);
}

static void explain_cause(FILE *out, const struct abort_cause *c)
{
	fprintf(out, "%s (exit status %d): %s.\n  What to do: %s.\n", c->name,
		c->exit_status, c->meaning, c->advice);
}

int explain_run(int argc, char **argv, FILE *out, FILE *err)
{
	const struct abort_cause *all;
	struct live_update u;
	size_t n;
	char *end;
	long status;
	int ret;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		explain_usage(out);
		return KMEND_EXIT_OK;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(err, "kmend explain: give one cause, status or id; see 'kmend explain --help'\n");
		return KMEND_EXIT_USAGE;
	}
	all = abort_causes(&n);
	if (argc == 1) {
		const struct refusal_kind *kinds;
		size_t nr_kinds;

		for (size_t i = 0; i < n; i++)
			explain_cause(out, &all[i]);
		kinds = refusal_kinds(&nr_kinds);
		fprintf(out, "\nWhat kmend create refuses (exit status 1):\n");
		for (size_t i = 0; i < nr_kinds; i++)
			explain_refusal(out, &kinds[i]);
		return KMEND_EXIT_OK;
	}
	status = strtol(argv[1], &end, 10);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(all[i].name, argv[1]) ||
		    (!*end && end != argv[1] && status == all[i].exit_status)) {
			explain_cause(out, &all[i]);
			return KMEND_EXIT_OK;
		}
	}
	if (refusal_kind_find(argv[1])) {
		explain_refusal(out, refusal_kind_find(argv[1]));
		return KMEND_EXIT_OK;
	}
	if (!*end || !update_id_like(argv[1])) {
		fprintf(err, "kmend explain: '%s' is no abort cause, kmend exit status or kind of refusal; 'kmend explain' lists them\n",
			argv[1]);
		return KMEND_EXIT_USAGE;
	}
	ret = cli_need_root(err, "explain");
	if (ret)
		return ret;
	if (live_update_read(argv[1], &u)) {
		fprintf(err, "kmend explain: '%s' is no abort cause, and no update of that id is loaded\n",
			argv[1]);
		return KMEND_EXIT_UNKNOWN_ID;
	}
	if (!strcmp(u.abort_cause, "ok"))
		fprintf(out, "%s: stage %s; its last transition did not abort\n",
			u.id, u.stage);
	else
		report_abort(out, NULL, &u);
	live_update_free(&u);
	return KMEND_EXIT_OK;
}
