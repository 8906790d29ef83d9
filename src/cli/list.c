// SPDX-License-Identifier: GPL-2.0
/*
 * kmend list: the loaded updates (from the engine) or the installed ones,
 * as a table or as JSON.
 */
#include "list.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "boot_guard.h"
#include "cli.h"
#include "install.h"
#include "json.h"
#include "modinfo.h"

static void list_usage(FILE *f)
{
	fprintf(f,
		"Usage: kmend list [--json] [--installed [--release RELEASE]]\n"
		"\n"
		"List the updates loaded in the running kernel: id, stage (preparing,\n"
		"applied, reversed), consistency model, when it was applied, the target\n"
		"objects (vmlinux or modules) and the functions it replaces. With\n"
		"--installed, list the updates installed for this kernel release (or\n"
		"RELEASE) instead (kmend install), in the order they are applied at boot.\n"
		"\n"
		"Options:\n"
		"  --json       one JSON object: {\"kernel_release\", \"engine_loaded\",\n"
		"               \"updates\": [{\"id\", \"module\", \"stage\", \"abort_cause\",\n"
		"               \"abort_detail\", \"model\", \"description\", \"applied_at\"\n"
		"               (ISO 8601 UTC or null), \"applied_at_epoch\", \"targets\",\n"
		"               \"functions\": [{\"target\", \"function\", \"replacement\",\n"
		"               \"via\" (\"jump\", \"ftrace\", \"ftrace:WHY\" or \"superseded\";\n"
		"               null: not switched)}],\n"
		"               \"stacked_on\", \"conflicts\": [{\"process\", \"pid\",\n"
		"               \"function\"}]}]}; with --installed, \"installed\": [{\"id\",\n"
		"               \"file\", \"release\", \"description\", \"held\" (why the\n"
		"               crash-loop guard holds it back at boot, or null)}]\n"
		"  --installed  list the installed updates\n"
		"  --release RELEASE  with --installed: those for kernel RELEASE\n"
		"  -h, --help   show this help\n"
		"\n"
		"Exit status: 0, also when nothing is loaded; 3 not root (the engine's files\n"
		"are root only); 1 the engine's files cannot be read.\n");
}

void format_time(long long epoch, char *buf, size_t len)
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (!epoch || !localtime_r(&t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
}

struct join {
	char *buf;
	size_t len;
	bool targets;	/* distinct targets, else function names */
};

static void join_one(const struct live_function *f, void *arg)
{
	const char *target = f->target, *old = f->old;
	struct join *j = arg;
	size_t used = strlen(j->buf);
	char item[330];

	if (j->targets) {
		size_t n = strlen(target);

		for (const char *p = j->buf; (p = strstr(p, target)); p += n)
			if ((p == j->buf || p[-1] == ',') && (!p[n] || p[n] == ','))
				return;
		snprintf(item, sizeof(item), "%s", target);
	} else {
		snprintf(item, sizeof(item), "%s", old);
	}
	snprintf(j->buf + used, j->len - used, "%s%s", used ? "," : "", item);
}

void live_update_targets(const struct live_update *u, char *buf, size_t len)
{
	struct join j = { .buf = buf, .len = len, .targets = true };
	const char *line = u->targets;

	buf[0] = '\0';
	if (!*u->targets) {	/* an engine without the targets file */
		live_functions_each(u->functions, join_one, &j);
		return;
	}
	while (*line) {
		size_t n = strcspn(line, " \n"), used = strlen(buf);

		snprintf(buf + used, len - used, "%s%.*s", used ? "," : "", (int)n, line);
		line += strcspn(line, "\n");
		if (*line)
			line++;
	}
}

struct json_list {
	FILE *f;
	bool first;
};

static void function_json(const struct live_function *f, void *arg)
{
	struct json_list *l = arg;

	fputs(l->first ? "{" : ",{", l->f);
	json_key_string(l->f, "target", f->target, 1);
	json_key_string(l->f, "function", f->old, 0);
	json_key_string(l->f, "replacement", f->repl, 0);
	json_key_string(l->f, "via", *f->via ? f->via : NULL, 0);
	fputc('}', l->f);
	l->first = false;
}

/* A JSON array of the lines of @lines. */
static void lines_json(FILE *f, const char *lines)
{
	const char *p = lines;
	bool first = true;

	fputc('[', f);
	while (p && *p) {
		size_t n = strcspn(p, "\n");
		char *line = strndup(p, n);

		if (!first)
			fputc(',', f);
		json_string(f, line ? line : "");
		free(line);
		first = false;
		p += n;
		if (*p)
			p++;
	}
	fputc(']', f);
}

static void conflict_json(const char *comm, int pid, const char *func,
			  void *arg)
{
	struct json_list *l = arg;

	fputs(l->first ? "{" : ",{", l->f);
	json_key_string(l->f, "process", comm, 1);
	json_key(l->f, "pid", 0);
	fprintf(l->f, "%d", pid);
	json_key_string(l->f, "function", func, 0);
	fputc('}', l->f);
	l->first = false;
}

void live_update_json(FILE *f, const struct live_update *u)
{
	char targets[512], when[32];
	time_t t = (time_t)u->applied_at;
	struct tm tm;

	fputc('{', f);
	json_key_string(f, "id", u->id, 1);
	json_key_string(f, "module", u->module, 0);
	json_key_string(f, "stage", u->stage, 0);
	json_key_string(f, "abort_cause", u->abort_cause, 0);
	json_key_string(f, "abort_detail", *u->abort_detail ? u->abort_detail : NULL, 0);
	json_key_string(f, "model", u->model, 0);
	json_key_string(f, "description", u->description, 0);
	if (u->applied_at && gmtime_r(&t, &tm) &&
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		json_key_string(f, "applied_at", when, 0);
		json_key(f, "applied_at_epoch", 0);
		fprintf(f, "%lld", u->applied_at);
	} else {
		json_key_string(f, "applied_at", NULL, 0);
		json_key_string(f, "applied_at_epoch", NULL, 0);
	}
	live_update_targets(u, targets, sizeof(targets));
	json_key(f, "targets", 0);
	fputc('[', f);
	for (char *p = targets, *next; *p; p = next) {
		next = p + strcspn(p, ",");
		if (*next)
			*next++ = '\0';
		if (p != targets)
			fputc(',', f);
		json_string(f, p);
	}
	fputc(']', f);
	json_key(f, "functions", 0);
	fputc('[', f);
	live_functions_each(u->functions, function_json,
		      &(struct json_list){ .f = f, .first = true });
	fputc(']', f);
	json_key(f, "stacked_on", 0);
	lines_json(f, u->stacked_on);
	json_key(f, "conflicts", 0);
	fputc('[', f);
	live_conflicts_each(u->conflicts, conflict_json,
			    &(struct json_list){ .f = f, .first = true });
	fputc(']', f);
	fputc('}', f);
}

static void live_update_function_names(const struct live_update *u, char *buf,
				       size_t len)
{
	struct join j = { .buf = buf, .len = len };

	buf[0] = '\0';
	live_functions_each(u->functions, join_one, &j);
}

static int list_loaded(FILE *out, FILE *err, bool json)
{
	char **ids, release[128];
	size_t n;
	int status = KMEND_EXIT_OK;
	bool first = true;

	if (update_ids(&ids, &n)) {
		fprintf(err, "kmend list: cannot read %s: %s\n", KMEND_SYSFS_DIR,
			strerror(errno));
		return KMEND_EXIT_FAILURE;
	}
	kernel_release(release, sizeof(release));
	if (json) {
		fputc('{', out);
		json_key_string(out, "kernel_release", release, 1);
		json_key(out, "engine_loaded", 0);
		fputs(engine_loaded() ? "true" : "false", out);
		json_key(out, "updates", 0);
		fputc('[', out);
	} else if (n == 0) {
		fprintf(out, "No updates are loaded%s.\n",
			engine_loaded() ? "" : " (the kmend engine is not loaded)");
	} else {
		fprintf(out, "%-24s %-9s %-19s %-31s %-10s %s\n", "ID", "STAGE",
			"APPLIED", "MODEL", "TARGETS", "FUNCTIONS");
	}
	for (size_t i = 0; i < n; i++) {
		struct live_update u;
		char targets[512], names[1024], when[32];

		if (live_update_read(ids[i], &u)) {
			if (errno == ENOENT)	/* unloaded meanwhile */
				continue;
			fprintf(err, "kmend list: cannot read update %s: %s\n",
				ids[i], strerror(errno));
			status = KMEND_EXIT_FAILURE;
			break;
		}
		if (json) {
			if (!first)
				fputc(',', out);
			live_update_json(out, &u);
		} else {
			live_update_targets(&u, targets, sizeof(targets));
			live_update_function_names(&u, names, sizeof(names));
			format_time(u.applied_at, when, sizeof(when));
			fprintf(out, "%-24s %-9s %-19s %-31s %-10s %s\n", u.id,
				u.stage, when, u.model, targets, names);
		}
		first = false;
		live_update_free(&u);
	}
	if (json)
		fputs("]}\n", out);
	update_ids_free(ids, n);
	return status;
}

static int list_installed(FILE *out, FILE *err, bool json, const char *for_release)
{
	char release[128], **paths, msg[512];
	bool first = true;
	size_t n;

	if (for_release)
		snprintf(release, sizeof(release), "%s", for_release);
	else
		kernel_release(release, sizeof(release));
	if (installed_updates(release, &paths, &n)) {
		fprintf(err, "kmend list: %s/%s: %s\n", KMEND_INSTALL_DIR, release,
			strerror(errno));
		return KMEND_EXIT_FAILURE;
	}
	if (json) {
		fputc('{', out);
		json_key_string(out, "kernel_release", release, 1);
		json_key(out, "installed", 0);
		fputc('[', out);
	} else if (n == 0) {
		fprintf(out, "No updates are installed for %s.\n", release);
	} else {
		fprintf(out, "%-24s %s\n", "ID", "FILE");
	}
	for (size_t i = 0; i < n; i++) {
		struct update_file uf;
		char why[1024];
		bool held;

		if (update_file_open(&uf, paths[i], msg, sizeof(msg))) {
			fprintf(err, "kmend list: warning: %s\n", msg);
			continue;
		}
		held = boot_guard_held(release, uf.id, why, sizeof(why));
		if (json) {
			fputs(first ? "{" : ",{", out);
			json_key_string(out, "id", uf.id, 1);
			json_key_string(out, "file", paths[i], 0);
			json_key_string(out, "release", uf.release, 0);
			json_key_string(out, "description", uf.description, 0);
			json_key_string(out, "held", held ? why : NULL, 0);
			fputc('}', out);
		} else {
			fprintf(out, "%-24s %s\n", uf.id, paths[i]);
			if (held)
				fprintf(out, "%-24s held, not applied at boot: %s\n", "", why);
		}
		first = false;
		update_file_close(&uf);
	}
	if (json)
		fputs("]}\n", out);
	installed_updates_free(paths, n);
	return KMEND_EXIT_OK;
}

int list_run(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "installed", no_argument, NULL, 'I' },
		{ "release", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *release = NULL;
	bool json = false, installed = false;
	int opt, status;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'I':
			installed = true;
			break;
		case 'r':
			release = optarg;
			break;
		case 'h':
			list_usage(out);
			return KMEND_EXIT_OK;
		default:
			return cli_bad_option(err, "list", opt, argv[optind - 1]);
		}
	}
	if (optind != argc) {
		fprintf(err, "kmend list: unexpected argument '%s'; see 'kmend list --help'\n",
			argv[optind]);
		return KMEND_EXIT_USAGE;
	}
	if (release && (!installed || strchr(release, '/') || !*release)) {
		fprintf(err, "kmend list: --release names a kernel release (6.1.0-57-amd64), with --installed\n");
		return KMEND_EXIT_USAGE;
	}
	if (installed)
		return list_installed(out, err, json, release);
	status = cli_need_root(err, "list");
	if (status)
		return status;
	return list_loaded(out, err, json);
}
