// SPDX-License-Identifier: GPL-2.0
/*
 * kmend apply: check an update file, load the engine and the update, write
 * "applied" to its stage and say how it went. A refused update is unloaded
 * again (and the engine too, when this run loaded it and nothing else uses
 * it), so that a failure leaves the kernel as it was.
 */
#include "apply.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "causes.h"
#include "cli.h"
#include "boot_guard.h"
#include "engine.h"
#include "module_sig.h"
#include "install.h"
#include "klp.h"
#include "modinfo.h"
#include "progress.h"
#include "report.h"

struct apply_opts {
	const char *engine;	/* --engine, or NULL */
	bool quiet;
	bool installed;		/* already applied is fine */
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

/*
 * Ctrl-C or SIGTERM interrupts the engine's retries (it sleeps
 * interruptibly) instead of killing kmend: the handler has no SA_RESTART,
 * and kmend then unloads what it loaded.
 */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void apply_usage(FILE *f)
{
	fprintf(f,
		"Usage: kmend apply [--engine FILE] [-q] FILE.ko\n"
		"       kmend apply --installed [--engine FILE] [-q]\n"
		"       kmend apply --boot-healthy\n"
		"       kmend apply --release-hold ID\n"
		"\n"
		"Apply the update in FILE.ko (made by 'kmend create') to the running kernel.\n"
		"\n"
		"Before anything is loaded, the file is checked: it must be a kmend update\n"
		"built for the running kernel release, not loaded already. The kmend engine\n"
		"(kmend.ko) is loaded when it is not; then the update is loaded, and the\n"
		"engine checks its pre code against the running code (run-pre matching),\n"
		"resolves its symbols and switches callers to the new functions under the\n"
		"update's consistency model. A module the update changes that is not loaded\n"
		"is patched when it loads, before its init runs, and unpatched when it\n"
		"unloads. On a terminal the elapsed time is shown while the engine works.\n"
		"\n"
		"If the engine refuses, kmend says why in words, with the engine's detail\n"
		"(the function and offset that differ, the tasks in the way as a table of\n"
		"process, pid and function) and what to do, then unloads the update again\n"
		"(and the engine, when this command loaded it and no other update is\n"
		"loaded): the kernel is left as it was. Ctrl-C stops the engine's retries\n"
		"the same way.\n"
		"\n"
		"Options:\n"
		"  --engine FILE  the engine to load when it is not loaded (default:\n"
		"                 $KMEND_ENGINE, else /lib/modules/RELEASE/extra/kmend.ko)\n"
		"  --installed    apply every update installed for the running kernel\n"
		"                 release (kmend install), oldest first; updates already\n"
		"                 applied are skipped (run at boot by kmend.service).\n"
		"                 Each is marked pending in this boot first; one that a\n"
		"                 previous boot applied and that boot never reached\n"
		"                 the healthy mark is held: not applied, and said\n"
		"                 (kmend list --installed says why) until released\n"
		"  --release-hold ID  apply the held update ID at boot again\n"
		"  --boot-healthy this boot is healthy: clear its pending marks (run by\n"
		"                 kmend-healthy.timer some minutes after boot, and by\n"
		"                 kmend.service at an orderly shutdown)\n"
		"  -q, --quiet    print nothing on success\n"
		"  -h, --help     show this help\n"
		"\n"
		"Exit status: 0 applied (or already applied, with --installed); 3 not root;\n"
		"4 not an update, unreadable or corrupt; 5 built for another kernel release;\n"
		"6 the engine is missing or did not load; 7 the update (or a module of its\n"
		"name) is loaded already; 10-24 the engine refused, one status per\n"
		"abort_cause (see 'kmend explain' and kmend(8)); 128+N interrupted by\n"
		"signal N (130 Ctrl-C, 143 SIGTERM), the update unloaded again.\n");
}

/* Unload what this run loaded, after a refusal. */
static void unload(FILE *err, const char *module, bool engine_too)
{
	int ret = module_remove(module);
	char **ids;
	size_t n;

	if (ret)
		fprintf(err, "kmend: warning: could not unload %s: %s; run 'rmmod %s'\n",
			module, strerror(-ret), module);
	if (!engine_too || engine_update_ids(&ids, &n))
		return;
	update_ids_free(ids, n);
	if (n == 0)
		module_remove("kmend");
}

static void count_function(const struct live_function *f, void *arg)
{
	(void)f;
	(*(unsigned int *)arg)++;
}

static void print_function(const struct live_function *f, void *arg)
{
	if (*f->via)
		fprintf(arg, "  %s %s (calls reach it by %s)\n", f->target,
			f->old, f->via);
	else
		fprintf(arg, "  %s %s\n", f->target, f->old);
}

static void print_applied(FILE *out, const struct live_update *u, double secs)
{
	unsigned int n = 0;

	live_functions_each(u->functions, count_function, &n);
	fprintf(out, "kmend: applied %s in %.2f s: %u function%s replaced, model %s\n",
		u->id, secs, n, n == 1 ? "" : "s", u->model);
	live_functions_each(u->functions, print_function, out);
}

/*
 * After a replacing update applied: each update @before lists (applied
 * then) that is reversed now was replaced in its stop; unload its module.
 */
static void unload_replaced(FILE *out, FILE *err, char **before, size_t n,
			    const char *id, bool quiet)
{
	for (size_t i = 0; i < n; i++) {
		char *stage, *module;
		int ret;

		if (!strcmp(before[i], id))
			continue;
		stage = update_attr(before[i], "stage");
		module = update_attr(before[i], "module");
		if (stage && module && *module && !strcmp(stage, "reversed")) {
			ret = module_remove(module);
			if (ret)
				fprintf(err, "kmend apply: %s was replaced, but its module %s did not unload: %s; 'rmmod %s' later\n",
					before[i], module, strerror(-ret), module);
			else if (!quiet)
				fprintf(out, "kmend: replaced %s (switched off in the same stop) and unloaded it\n",
					before[i]);
		}
		free(stage);
		free(module);
	}
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Is the update already loaded? Says so unless @o->installed and applied. */
static int check_not_loaded(FILE *err, const struct update_file *uf,
			    const struct apply_opts *o, bool *skip)
{
	char *stage;
	int ret = KMEND_EXIT_ALREADY_LOADED;

	*skip = false;
	if (!update_loaded(uf->id))
		return KMEND_EXIT_OK;
	stage = update_attr(uf->id, "stage");
	if (stage && strcmp(stage, "applied") == 0) {
		if (o->installed) {
			*skip = true;
			ret = KMEND_EXIT_OK;
		} else {
			fprintf(err, "kmend apply: update %s is already applied; 'kmend show %s' tells more\n",
				uf->id, uf->id);
		}
	} else {
		fprintf(err, "kmend apply: update %s is loaded already (stage %s); 'kmend undo %s' unloads it, then apply it again\n",
			uf->id, stage ? stage : "unknown", uf->id);
	}
	free(stage);
	return ret;
}

/* Why the kernel would not load @uf; the exit status. */
static int refused_load(FILE *err, const struct update_file *uf, int ret)
{
	char msg[1024];

	if (module_sig_refused(ret, uf->path, "create it with 'kmend create --sign-key KEY --sign-cert CERT'",
			       msg, sizeof(msg))) {
		fprintf(err, "kmend apply: %s\n", msg);
		return KMEND_EXIT_NOT_TRUSTED;
	}
	if (ret == -EEXIST)
		fprintf(err, "kmend apply: a module named %s is loaded already; 'rmmod %s' first if it is an old copy\n",
			uf->module, uf->module);
	else if (ret == -ENOEXEC)
		fprintf(err, "kmend apply: the kernel refused %s as malformed (%s): the file is corrupt, or not built for this kernel; 'dmesg' says more\n",
			uf->path, strerror(-ret));
	else if (uf->klp)
		fprintf(err, "kmend apply: the kernel's livepatch refused %s: %s; 'dmesg' says why (a symbol it did not find, or another livepatch in transition)\n",
			uf->path, strerror(-ret));
	else
		fprintf(err, "kmend apply: the kernel refused to load %s: %s; 'dmesg' says why\n",
			uf->path, strerror(-ret));
	return ret == -EEXIST ? KMEND_EXIT_ALREADY_LOADED :
	       ret == -ENOEXEC ? KMEND_EXIT_BAD_FILE : KMEND_EXIT_FAILURE;
}

static int load_update(FILE *err, const struct update_file *uf,
		       const struct apply_opts *o, bool *loaded_engine)
{
	char msg[512];
	int ret;

	*loaded_engine = false;
	if (!engine_loaded()) {
		char *path = engine_path(o->engine);

		if (!path) {
			fprintf(err, "kmend apply: out of memory\n");
			return KMEND_EXIT_FAILURE;
		}
		ret = engine_load(path, msg, sizeof(msg));
		free(path);
		if (ret) {
			fprintf(err, "kmend apply: %s\n", msg);
			return ret == -EKEYREJECTED ? KMEND_EXIT_NOT_TRUSTED : KMEND_EXIT_NO_ENGINE;
		}
		*loaded_engine = true;
	}
	if (engine_check_version(msg, sizeof(msg))) {
		fprintf(err, "kmend apply: %s\n", msg);
		if (*loaded_engine)
			unload(err, "kmend", false);
		return KMEND_EXIT_NO_ENGINE;
	}
	ret = module_insert(uf->path);
	if (ret == 0 && update_loaded(uf->id))
		return KMEND_EXIT_OK;
	if (ret == 0) {
		fprintf(err, "kmend apply: %s loaded but registered no update %s with the engine; unloaded it\n",
			uf->path, uf->id);
		unload(err, uf->module, *loaded_engine);
		return KMEND_EXIT_BAD_FILE;
	}
	if (*loaded_engine)
		unload(err, "kmend", false);
	return refused_load(err, uf, ret);
}

/*
 * A livepatch (kmend create --format klp): loading it starts its transition
 * (klp_enable_patch in its init). Wait for every task to switch; when they
 * do not in time, or on Ctrl-C, reverse it and unload it.
 */
static int apply_klp(FILE *out, FILE *err, const struct update_file *uf,
		     const struct apply_opts *o)
{
	static volatile sig_atomic_t never;
	struct progress *progress;
	struct live_update u;
	struct timespec t0;
	char what[160];
	int ret, status;

	if (klp_update_loaded(uf->id)) {
		if (o->installed && klp_applied(uf->module))
			return KMEND_EXIT_OK;
		fprintf(err, "kmend apply: update %s is loaded already as a livepatch; 'kmend show %s' tells more\n",
			uf->id, uf->id);
		return KMEND_EXIT_ALREADY_LOADED;
	}
	if (access(KLP_SYSFS_DIR, F_OK)) {
		fprintf(err, "kmend apply: %s is a livepatch, and this kernel has no livepatch (%s: %s; CONFIG_LIVEPATCH); create the update for kmend's engine instead\n",
			uf->path, KLP_SYSFS_DIR, strerror(errno));
		return KMEND_EXIT_FAILURE;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(what, sizeof(what), "applying %s", uf->id);
	progress = o->quiet ? NULL : progress_start(err, what, klp_progress,
						    (void *)uf->module);
	ret = module_insert(uf->path);
	if (ret) {
		progress_stop(progress);
		return refused_load(err, uf, ret);
	}
	ret = klp_wait(uf->module, KLP_TRANSITION_TIMEOUT, &interrupted);
	progress_stop(progress);
	if (ret) {
		/* livepatch takes the switched tasks back, then lets the module go */
		klp_write_enabled(uf->module, false);
		if (klp_wait(uf->module, KLP_TRANSITION_TIMEOUT, &never)) {
			fprintf(err, "kmend apply: %s did not switch back in %d s either; it stays loaded, in transition (%s/%s)\n",
				uf->id, KLP_TRANSITION_TIMEOUT, KLP_SYSFS_DIR, uf->module);
			return KMEND_EXIT_FAILURE;
		}
		if (klp_unload(uf->module))
			fprintf(err, "kmend: warning: could not unload %s; run 'rmmod %s'\n",
				uf->module, uf->module);
		if (ret == -EINTR) {
			fprintf(err, "kmend apply: interrupted; %s was reversed and unloaded again\n",
				uf->id);
			return 128 + interrupted;
		}
		fprintf(err, "kmend apply: cannot apply %s: code_busy\n"
			"  Livepatch did not switch every task to the new code in %d s: a task\n"
			"  stays inside a function the update replaces (a long sleep there).\n"
			"  What to do: retry when that work is done; 'kmend explain code_busy'.\n"
			"  The update was reversed and unloaded again; nothing in the kernel changed.\n",
			uf->id, KLP_TRANSITION_TIMEOUT);
		return abort_cause_find("code_busy")->exit_status;
	}
	if (klp_update_read(uf->id, &u)) {
		fprintf(err, "kmend apply: cannot read the state of %s: %s\n", uf->id,
			strerror(errno));
		return KMEND_EXIT_FAILURE;
	}
	status = strcmp(u.stage, "applied") ? KMEND_EXIT_FAILURE : KMEND_EXIT_OK;
	if (status)
		fprintf(err, "kmend apply: %s is %s, not applied\n", uf->id, u.stage);
	else if (!o->quiet)
		print_applied(out, &u, seconds_since(&t0));
	live_update_free(&u);
	return status;
}

static int apply_file(FILE *out, FILE *err, const char *path,
		      const struct apply_opts *o)
{
	struct update_file uf;
	struct live_update u;
	struct progress *progress;
	struct timespec t0;
	char release[128], msg[512], what[160], **before = NULL;
	size_t nr_before = 0;
	bool loaded_engine, skip;
	int ret, status;

	if (update_file_open(&uf, path, msg, sizeof(msg))) {
		fprintf(err, "kmend apply: %s\n", msg);
		return KMEND_EXIT_BAD_FILE;
	}
	kernel_release(release, sizeof(release));
	if (strcmp(uf.release, release) != 0) {
		fprintf(err, "kmend apply: %s was built for kernel %s, but this kernel is %s; create the update from this kernel's source\n",
			path, uf.release, release);
		status = KMEND_EXIT_WRONG_RELEASE;
		goto close;
	}
	if (uf.klp) {
		status = apply_klp(out, err, &uf, o);
		goto close;
	}
	status = check_not_loaded(err, &uf, o, &skip);
	if (status || skip)
		goto close;
	/* what a replacing update replaces: the engine's updates applied now */
	if (uf.replace && !uf.klp && engine_loaded() &&
	    engine_update_ids(&before, &nr_before)) {
		before = NULL;
		nr_before = 0;
	}
	for (size_t i = 0; i < nr_before; i++) {
		char *stage = update_attr(before[i], "stage");

		if (!stage || strcmp(stage, "applied")) {
			free(before[i]);
			before[i] = before[--nr_before];
			i--;
		}
		free(stage);
	}
	status = load_update(err, &uf, o, &loaded_engine);
	if (status)
		goto close;

	if (interrupted) {	/* while loading: nothing applied yet */
		fprintf(err, "kmend apply: interrupted; %s was not applied and is unloaded again\n",
			uf.id);
		unload(err, uf.module, loaded_engine);
		status = 128 + interrupted;
		goto close;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(what, sizeof(what), "applying %s", uf.id);
	progress = o->quiet ? NULL :
		   progress_start(err, what, transition_progress,
				  (void *)uf.id);
	ret = update_write_stage(uf.id, "applied");
	progress_stop(progress);

	if (live_update_read(uf.id, &u)) {
		char *stage = update_attr(uf.id, "stage");

		fprintf(err, "kmend apply: cannot read the state of %s: %s\n",
			uf.id, strerror(errno));
		/* an applied update holds its module: unloading only undoes a load */
		if (!stage || strcmp(stage, "applied") != 0)
			unload(err, uf.module, loaded_engine);
		free(stage);
		status = KMEND_EXIT_FAILURE;
		goto close;
	}
	if (strcmp(u.stage, "applied") == 0) {
		if (!o->quiet)
			print_applied(out, &u, seconds_since(&t0));
		unload_replaced(out, err, before, nr_before, uf.id, o->quiet);
		status = KMEND_EXIT_OK;
	} else if (interrupted) {
		fprintf(err, "kmend apply: interrupted; %s was not applied and is unloaded again\n",
			uf.id);
		unload(err, uf.module, loaded_engine);
		status = 128 + interrupted;
	} else if (ret && strcmp(u.abort_cause, "ok") == 0) {
		/* refused before the engine started a transition */
		fprintf(err, "kmend apply: writing %s's stage failed: %s\n", uf.id,
			strerror(-ret));
		unload(err, uf.module, loaded_engine);
		status = KMEND_EXIT_FAILURE;
	} else {
		status = report_abort(err, "apply", &u);
		if (!ret)	/* the engine said nothing went wrong */
			status = KMEND_EXIT_FAILURE;
		unload(err, uf.module, loaded_engine);
		fprintf(err, "  The update was unloaded again; nothing in the kernel changed.\n");
	}
	live_update_free(&u);
close:
	update_ids_free(before, nr_before);
	update_file_close(&uf);
	return status;
}

static int apply_installed(FILE *out, FILE *err, const struct apply_opts *o)
{
	char release[128], **paths;
	size_t n;
	int status = KMEND_EXIT_OK;

	kernel_release(release, sizeof(release));
	boot_guard_start(release, err);
	if (installed_updates(release, &paths, &n)) {
		fprintf(err, "kmend apply: %s/%s: %s\n", KMEND_INSTALL_DIR, release,
			strerror(errno));
		return KMEND_EXIT_FAILURE;
	}
	if (n == 0 && !o->quiet)
		fprintf(out, "kmend: no updates are installed for %s\n", release);
	/* one refusal does not keep the others out */
	for (size_t i = 0; i < n && !interrupted; i++) {
		struct update_file uf;
		char why[1024];
		int ret;

		if (update_file_open(&uf, paths[i], why, sizeof(why)) == 0) {
			bool held = boot_guard_held(release, uf.id, why, sizeof(why));

			if (held)
				fprintf(err, "kmend: %s is held, not applied: %s\n", uf.id, why);
			else if (boot_guard_pending(release, uf.id))
				fprintf(err, "kmend: warning: cannot mark %s pending in %s: %s\n",
					uf.id, KMEND_BOOT_DIR, strerror(errno));
			update_file_close(&uf);
			if (held)
				continue;
		}
		ret = apply_file(out, err, paths[i], o);
		if (ret && !status)
			status = ret;
	}
	installed_updates_free(paths, n);
	return status;
}

int apply_run(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option options[] = {
		{ "engine", required_argument, NULL, 'e' },
		{ "installed", no_argument, NULL, 'I' },
		{ "boot-healthy", no_argument, NULL, 'H' },
		{ "release-hold", required_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct apply_opts o = { 0 };
	const char *release_hold = NULL;
	bool healthy = false;
	int opt, status;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:qh", options, NULL)) != -1) {
		switch (opt) {
		case 'e':
			o.engine = optarg;
			break;
		case 'I':
			o.installed = true;
			break;
		case 'H':
			healthy = true;
			break;
		case 'L':
			release_hold = optarg;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			apply_usage(out);
			return KMEND_EXIT_OK;
		default:
			return cli_bad_option(err, "apply", opt, argv[optind - 1]);
		}
	}
	if (release_hold) {
		char release[128];

		if (optind != argc || o.installed || healthy || strchr(release_hold, '/')) {
			fprintf(err, "kmend apply: --release-hold takes an update id, alone; see 'kmend apply --help'\n");
			return KMEND_EXIT_USAGE;
		}
		status = cli_need_root(err, "apply");
		if (status)
			return status;
		kernel_release(release, sizeof(release));
		if (!boot_guard_forget(release, release_hold)) {
			fprintf(err, "kmend apply: no update %s is held for %s\n", release_hold, release);
			return KMEND_EXIT_UNKNOWN_ID;
		}
		fprintf(out, "kmend: %s is no longer held: kmend.service applies it at the next boot (or 'kmend apply --installed' now)\n",
			release_hold);
		return KMEND_EXIT_OK;
	}
	if (healthy) {
		if (optind != argc || o.installed) {
			fprintf(err, "kmend apply: --boot-healthy stands alone; see 'kmend apply --help'\n");
			return KMEND_EXIT_USAGE;
		}
		status = cli_need_root(err, "apply");
		return status ? status :
		       boot_guard_healthy(out, err) ? KMEND_EXIT_FAILURE : KMEND_EXIT_OK;
	}
	if (o.installed ? optind != argc : optind != argc - 1) {
		fprintf(err, "kmend apply: %s; see 'kmend apply --help'\n",
			o.installed ? "--installed takes no file" :
			"give one update file (FILE.ko)");
		return KMEND_EXIT_USAGE;
	}
	status = cli_need_root(err, "apply");
	if (status)
		return status;
	interrupted = 0;
	catch_signals();
	return o.installed ? apply_installed(out, err, &o) :
			     apply_file(out, err, argv[optind], &o);
}
