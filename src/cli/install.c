// SPDX-License-Identifier: GPL-2.0
/*
 * kmend install and uninstall: updates kept under
 * /var/lib/kmend/updates/<release>/NNNN-<id>.ko, applied at boot by
 * kmend.service (kmend apply --installed) in the order of NNNN.
 */
#include "install.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot_guard.h"
#include "cli.h"
#include "engine.h"
#include "modinfo.h"
#include "run.h"
#include "util.h"

static bool is_update_name(const char *name)
{
	size_t n = strlen(name);

	return n > 8 && strspn(name, "0123456789") == 4 && name[4] == '-' &&
	       strcmp(name + n - 3, ".ko") == 0;
}

int installed_updates(const char *release, char ***paths, size_t *n)
{
	char *dir = str_format("%s/%s", KMEND_INSTALL_DIR, release);
	int ret;

	if (!dir) {
		errno = ENOMEM;
		return -1;
	}
	ret = dir_names(dir, is_update_name, paths, n);
	for (size_t i = 0; ret == 0 && i < *n; i++) {
		char *path = str_format("%s/%s", dir, (*paths)[i]);

		if (!path) {
			strv_free(*paths, *n);
			*paths = NULL;
			*n = 0;
			errno = ENOMEM;
			ret = -1;
			break;
		}
		free((*paths)[i]);
		(*paths)[i] = path;
	}
	free(dir);
	return ret;
}

void installed_updates_free(char **paths, size_t n)
{
	strv_free(paths, n);
}

/* The installed file of update @id for @release, or NULL. */
static char *find_installed(const char *release, const char *id)
{
	char **paths, *found = NULL, msg[512];
	size_t n;

	if (installed_updates(release, &paths, &n))
		return NULL;
	for (size_t i = 0; i < n && !found; i++) {
		struct update_file uf;

		if (update_file_open(&uf, paths[i], msg, sizeof(msg)))
			continue;
		if (strcmp(uf.id, id) == 0)
			found = strdup(paths[i]);
		update_file_close(&uf);
	}
	installed_updates_free(paths, n);
	return found;
}

static int make_dirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

static void install_usage(FILE *f)
{
	fprintf(f,
		"Usage: kmend install FILE.ko\n"
		"\n"
		"Keep the update in FILE.ko so that it is applied at every boot of the kernel\n"
		"release it was built for: it is copied to\n"
		"%s/RELEASE/NNNN-ID.ko, and kmend.service (enable it with\n"
		"'systemctl enable kmend') runs 'kmend apply --installed' at boot, which\n"
		"applies the updates installed for the running release only, in the order\n"
		"they were installed. Installing does not apply the update now: use\n"
		"'kmend apply FILE.ko' for that.\n"
		"\n"
		"Exit status: 0 installed; 3 not root; 4 not an update or unreadable; 7 an\n"
		"update of that id is installed already for that release (uninstall it\n"
		"first); 1 the copy failed (nothing is left half-written).\n",
		KMEND_INSTALL_DIR);
}

static void uninstall_usage(FILE *f)
{
	fprintf(f,
		"Usage: kmend uninstall [--release RELEASE] ID\n"
		"\n"
		"Stop applying update ID at boot: its installed file for the running kernel\n"
		"release (or RELEASE) is removed. A loaded update stays loaded: 'kmend undo\n"
		"ID' undoes it now.\n"
		"\n"
		"Exit status: 0 removed; 3 not root; 8 no update ID is installed for that\n"
		"release.\n");
}

/* Flush @path (a file, or a folder after a rename) to disk: a crash
 * leaves the update installed whole or not at all. */
static int sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

static int next_number(const char *release)
{
	char **paths;
	size_t n;
	int next = 1;

	if (installed_updates(release, &paths, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(paths[i], '/') + 1;
		int nr = atoi(base);

		if (nr >= next)
			next = nr + 1;
	}
	installed_updates_free(paths, n);
	return next;
}

static int install_file(FILE *out, FILE *err, const char *path)
{
	struct update_file uf;
	char msg[512], *dir = NULL, *dest = NULL, *tmp = NULL, *have;
	sigset_t held;
	int status = KMEND_EXIT_FAILURE, nr;

	if (update_file_open(&uf, path, msg, sizeof(msg))) {
		fprintf(err, "kmend install: %s\n", msg);
		return KMEND_EXIT_BAD_FILE;
	}
	have = find_installed(uf.release, uf.id);
	if (have) {
		fprintf(err, "kmend install: update %s is installed already for %s (%s); 'kmend uninstall --release %s %s' first\n",
			uf.id, uf.release, have, uf.release, uf.id);
		free(have);
		update_file_close(&uf);
		return KMEND_EXIT_ALREADY_LOADED;
	}
	dir = str_format("%s/%s", KMEND_INSTALL_DIR, uf.release);
	if (!dir || make_dirs(dir)) {
		fprintf(err, "kmend install: cannot create %s: %s\n",
			dir ? dir : KMEND_INSTALL_DIR, strerror(errno));
		goto out;
	}
	nr = next_number(uf.release);
	if (nr < 0 || nr > 9999) {
		fprintf(err, "kmend install: cannot number the update in %s\n", dir);
		goto out;
	}
	dest = str_format("%s/%04d-%s.ko", dir, nr, uf.id);
	tmp = str_format("%s/.%04d-%s.ko.tmp", dir, nr, uf.id);
	if (!dest || !tmp) {
		fprintf(err, "kmend install: out of memory\n");
		goto out;
	}
	/* a copy is complete or absent, even on Ctrl-C */
	run_hold_signals(&held);
	msg[0] = '\0';
	if (file_copy(path, tmp, msg, sizeof(msg)) == 0 && sync_path(tmp) == 0 &&
	    rename(tmp, dest) == 0 && sync_path(dir) == 0) {
		status = KMEND_EXIT_OK;
	} else {
		if (!*msg)
			snprintf(msg, sizeof(msg), "%s: %s", dest, strerror(errno));
		unlink(tmp);
	}
	sigprocmask(SIG_SETMASK, &held, NULL);
	if (status)
		fprintf(err, "kmend install: %s\n", msg);
	else
		boot_guard_forget(uf.release, uf.id);
	if (!status)
		fprintf(out, "kmend: installed %s as %s; it is applied at boot of %s by kmend.service\n",
			uf.id, dest, uf.release);
out:
	free(dir);
	free(dest);
	free(tmp);
	update_file_close(&uf);
	return status;
}

int install_run(int argc, char **argv, FILE *out, FILE *err)
{
	int status;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		install_usage(out);
		return KMEND_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(err, "kmend install: give one update file; see 'kmend install --help'\n");
		return KMEND_EXIT_USAGE;
	}
	status = cli_need_root(err, "install");
	return status ? status : install_file(out, err, argv[1]);
}

int uninstall_run(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option options[] = {
		{ "release", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	char release[128], *path;
	int opt, status;

	kernel_release(release, sizeof(release));
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		switch (opt) {
		case 'r':
			if (!release_is_safe(optarg)) {
				fprintf(err, "kmend uninstall: '%s' is no kernel release\n", optarg);
				return KMEND_EXIT_USAGE;
			}
			snprintf(release, sizeof(release), "%s", optarg);
			break;
		case 'h':
			uninstall_usage(out);
			return KMEND_EXIT_OK;
		default:
			return cli_bad_option(err, "uninstall", opt, argv[optind - 1]);
		}
	}
	if (optind != argc - 1) {
		fprintf(err, "kmend uninstall: give one update id; see 'kmend uninstall --help'\n");
		return KMEND_EXIT_USAGE;
	}
	status = cli_need_root(err, "uninstall");
	if (status)
		return status;
	path = find_installed(release, argv[optind]);
	if (!path) {
		fprintf(err, "kmend uninstall: no update %s is installed for %s; 'kmend list --installed' shows them\n",
			argv[optind], release);
		return KMEND_EXIT_UNKNOWN_ID;
	}
	if (unlink(path)) {
		fprintf(err, "kmend uninstall: %s: %s\n", path, strerror(errno));
		free(path);
		return KMEND_EXIT_FAILURE;
	}
	boot_guard_forget(release, argv[optind]);
	fprintf(out, "kmend: uninstalled %s (%s)\n", argv[optind], path);
	free(path);
	return KMEND_EXIT_OK;
}
