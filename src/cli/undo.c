// SPDX-License-Identifier: GPL-2.0
/*
 * kmend undo: reverse applied updates and unload them, in stacking order.
 */
#include "apply.h"

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "causes.h"
#include "engine.h"
#include "klp.h"
#include "progress.h"
#include "report.h"

static void undo_usage(FILE *f)
{
	fprintf(f,
		"Usage: kmend undo [-q] ID...\n"
		"       kmend undo [-q] --all\n"
		"\n"
		"Reverse the applied update ID (its callers go back to the running kernel's\n"
		"own functions, under the update's consistency model) and unload its module.\n"
		"An update that is loaded but not applied is just unloaded.\n"
		"\n"
		"Updates stack: when an update applied later replaces some of the same\n"
		"functions, it must be undone first, and kmend says which. --all undoes\n"
		"every loaded update, latest first. The engine stays loaded.\n"
		"\n"
		"If the engine refuses (for example code_busy: a task sleeps in a replaced\n"
		"function), the update stays applied and kmend says why, as 'kmend apply'\n"
		"does.\n"
		"\n"
		"Options:\n"
		"  --all        undo every loaded update\n"
		"  -q, --quiet  print nothing on success\n"
		"  -h, --help   show this help\n"
		"\n"
		"Exit status: 0 undone; 3 not root; 8 no update of that id is loaded; 9\n"
		"another update is stacked on it; 10-24 the engine refused (one status per\n"
		"abort_cause, see kmend(8)); 1 the module could not be unloaded.\n");
}

/* A livepatch: reverse its transition (enabled 0), wait, unload it. */
static int undo_klp(FILE *out, FILE *err, const struct live_update *u, bool quiet)
{
	static volatile sig_atomic_t never;
	struct progress *progress;
	struct timespec t0, t1;
	char what[160];
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (strcmp(u->stage, "applied") && strcmp(u->stage, "applying")) {
		fprintf(err, "kmend undo: %s is %s already; wait for it to end, then 'rmmod %s'\n",
			u->id, u->stage, u->module);
		return KMEND_EXIT_FAILURE;
	}
	ret = klp_write_enabled(u->module, false);
	if (ret) {
		fprintf(err, "kmend undo: cannot reverse %s (%s/%s/enabled): %s; it stays applied\n",
			u->id, KLP_SYSFS_DIR, u->module, strerror(-ret));
		return KMEND_EXIT_FAILURE;
	}
	snprintf(what, sizeof(what), "undoing %s", u->id);
	progress = quiet ? NULL : progress_start(err, what, klp_progress,
						 (void *)u->module);
	ret = klp_wait(u->module, KLP_TRANSITION_TIMEOUT, &never);
	progress_stop(progress);
	if (ret) {
		/* switch the tasks that went back forward again */
		klp_write_enabled(u->module, true);
		fprintf(err, "kmend undo: cannot undo %s: code_busy\n"
			"  Livepatch did not switch every task back to the old code in %d s: a\n"
			"  task stays inside a function the update replaces.\n"
			"  What to do: retry when that work is done; 'kmend explain code_busy'.\n"
			"  The update was switched forward again and stays applied.\n",
			u->id, KLP_TRANSITION_TIMEOUT);
		return abort_cause_find("code_busy")->exit_status;
	}
	ret = klp_unload(u->module);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ret) {
		fprintf(err, "kmend undo: %s is reversed, but its module %s did not unload: %s; try 'rmmod %s'\n",
			u->id, u->module, strerror(-ret), u->module);
		return KMEND_EXIT_FAILURE;
	}
	if (!quiet)
		fprintf(out, "kmend: undid %s in %.2f s and unloaded %s\n", u->id,
			(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
			u->module);
	return KMEND_EXIT_OK;
}

static int undo_one(FILE *out, FILE *err, const char *id, bool quiet)
{
	struct live_update u;
	struct timespec t0, t1;
	struct progress *progress;
	char *above, what[160];
	int ret, status = KMEND_EXIT_OK;
	bool was_applied;

	if (live_update_read(id, &u)) {
		if (errno != ENOENT) {
			fprintf(err, "kmend undo: cannot read update %s: %s\n", id,
				strerror(errno));
			return KMEND_EXIT_FAILURE;
		}
		fprintf(err, "kmend undo: no update %s is loaded; 'kmend list' shows the loaded ones\n",
			id);
		return KMEND_EXIT_UNKNOWN_ID;
	}
	if (u.klp) {
		status = undo_klp(out, err, &u, quiet);
		live_update_free(&u);
		return status;
	}
	above = update_stacked_above(id);
	if (above) {
		fprintf(err, "kmend undo: update %s was applied after %s and replaces some of the same functions; undo %s first, or both with 'kmend undo --all'\n",
			above, id, above);
		free(above);
		live_update_free(&u);
		return KMEND_EXIT_DEPENDED_ON;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	was_applied = strcmp(u.stage, "applied") == 0;
	if (was_applied) {
		snprintf(what, sizeof(what), "undoing %s", id);
		progress = quiet ? NULL :
			   progress_start(err, what, transition_progress,
					  (void *)id);
		ret = update_write_stage(id, "reversed");
		progress_stop(progress);
		live_update_free(&u);
		if (live_update_read(id, &u)) {
			fprintf(err, "kmend undo: cannot read update %s: %s\n", id,
				strerror(errno));
			return KMEND_EXIT_FAILURE;
		}
		if (strcmp(u.stage, "applied") == 0 && ret &&
		    strcmp(u.abort_cause, "ok") == 0) {
			fprintf(err, "kmend undo: writing %s's stage failed: %s; it stays applied\n",
				id, strerror(-ret));
			live_update_free(&u);
			return KMEND_EXIT_FAILURE;
		}
		if (strcmp(u.stage, "applied") == 0) {
			status = report_abort(err, "undo", &u);
			if (!ret)
				status = KMEND_EXIT_FAILURE;
			fprintf(err, "  The update stays applied.\n");
			live_update_free(&u);
			return status;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!*u.module) {
		fprintf(err, "kmend undo: %s is %s; this engine does not say which module holds it: rmmod it yourself (lsmod lists it)\n",
			id, u.stage);
		live_update_free(&u);
		return KMEND_EXIT_FAILURE;
	}
	ret = module_remove(u.module);
	if (ret) {
		fprintf(err, "kmend undo: %s is %s, but its module %s did not unload: %s; try 'rmmod %s'\n",
			id, u.stage, u.module, strerror(-ret), u.module);
		status = KMEND_EXIT_FAILURE;
	} else if (!quiet) {
		if (was_applied)
			fprintf(out, "kmend: undid %s in %.2f s and unloaded %s\n", id,
				(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
				u.module);
		else
			fprintf(out, "kmend: %s was not applied (stage %s); unloaded %s\n",
				id, u.stage, u.module);
	}
	live_update_free(&u);
	return status;
}

/* When @id was applied (0: not applied, or unknown). */
static long long applied_at(const char *id)
{
	char *s = update_attr(id, "applied_at");
	long long t = s ? strtoll(s, NULL, 10) : 0;

	free(s);
	return t;
}

/*
 * Latest first: each time, of the updates no applied update is stacked on,
 * the one applied last (those not applied, first of all).
 */
static int undo_all(FILE *out, FILE *err, bool quiet)
{
	for (size_t done = 0;; done++) {
		char **ids, *pick = NULL;
		long long pick_at = -1;
		size_t n;
		int status;

		if (update_ids(&ids, &n)) {
			fprintf(err, "kmend undo: cannot list the updates: %s\n",
				strerror(errno));
			return KMEND_EXIT_FAILURE;
		}
		for (size_t i = 0; i < n; i++) {
			char *above = update_stacked_above(ids[i]);
			long long at = applied_at(ids[i]);

			if (!above && (pick_at < 0 || (at ? at : LLONG_MAX) > pick_at)) {
				free(pick);
				pick = strdup(ids[i]);
				pick_at = at ? at : LLONG_MAX;
			}
			free(above);
		}
		update_ids_free(ids, n);
		if (n == 0) {
			if (!quiet && !done)
				fprintf(out, "kmend: no updates are loaded\n");
			return KMEND_EXIT_OK;
		}
		if (!pick) {
			fprintf(err, "kmend undo: out of memory\n");
			return KMEND_EXIT_FAILURE;
		}
		status = undo_one(out, err, pick, quiet);
		free(pick);
		if (status)
			return status;
	}
}

int undo_run(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool all = false, quiet = false;
	int opt, status;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:qh", options, NULL)) != -1) {
		switch (opt) {
		case 'a':
			all = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			undo_usage(out);
			return KMEND_EXIT_OK;
		default:
			return cli_bad_option(err, "undo", opt, argv[optind - 1]);
		}
	}
	if (all == (optind < argc)) {
		fprintf(err, "kmend undo: give update ids or --all, not %s; see 'kmend undo --help'\n",
			all ? "both" : "neither");
		return KMEND_EXIT_USAGE;
	}
	status = cli_need_root(err, "undo");
	if (status)
		return status;
	if (all)
		return undo_all(out, err, quiet);
	for (int i = optind; i < argc; i++) {
		status = undo_one(out, err, argv[i], quiet);
		if (status)
			return status;
	}
	return KMEND_EXIT_OK;
}
