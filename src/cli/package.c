// SPDX-License-Identifier: GPL-2.0
/*
 * kmend package (updates as Debian packages, src/package/update_package.c)
 * and kmend repo (an apt repository of them, src/package/repo.c): the
 * options, the checks of the inputs, the scratch folder.
 */
#include "package.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "modinfo.h"
#include "repo.h"
#include "run.h"
#include "update_package.h"
#include "util.h"

static void package_usage(FILE *f)
{
	fprintf(f,
		"Usage: kmend package [-o DIR] [--version VERSION] [--maintainer 'NAME <MAIL>']\n"
		"                     [--kernel-version VERSION] UPDATE.ko...\n"
		"\n"
		"Make each update a Debian package for the kernel it was built for:\n"
		"kmend-patch-RELEASE_VERSION_amd64.deb, written to DIR (default: here). One\n"
		"package per kernel, so an update for it is cumulative: a newer version of\n"
		"the package, carrying a newer update, replaces the older (build it with\n"
		"kmend create --replace so that it takes over the older one's functions in\n"
		"one transition).\n"
		"\n"
		"The package depends on that exact kernel, linux-image-RELEASE of the Debian\n"
		"version the update was built from (kmend create --kernel records it; else\n"
		"--kernel-version), on kmend and on kmend-engine-RELEASE (make deb). It\n"
		"carries the module in /usr/lib/kmend/packages/PACKAGE/. Installed, it\n"
		"installs the update with 'kmend install' (kmend.service applies it at every\n"
		"boot of that kernel) and, on a machine running that kernel, applies it; an\n"
		"update the engine refuses now is said and stays installed for the next boot.\n"
		"Upgraded, the older update is undone and uninstalled. Removed, the update\n"
		"is undone first (if that fails, the removal stops, saying so) and\n"
		"uninstalled.\n"
		"\n"
		"Options:\n"
		"  -o DIR                  where the packages go (default: .; created if\n"
		"                          missing)\n"
		"  --version VERSION       the package's version (default: 1); give each\n"
		"                          newer cumulative update a higher one\n"
		"  --maintainer TEXT       'Name <address>' (default: from $DEBFULLNAME and\n"
		"                          $DEBEMAIL, as dch takes them; one is needed)\n"
		"  --kernel-version VER    the kernel's Debian version (6.1.192-3), for an\n"
		"                          update made with --source\n"
		"  -h, --help              this help\n"
		"\n"
		"Exit status: 0 every package written; 1 one was not (the message says why);\n"
		"2 bad usage; 4 a file is not an update.\n");
}

static void repo_usage(FILE *f)
{
	fprintf(f,
		"Usage: kmend repo DIR [--sign-key KEY] [--gnupg-home DIR] [--origin NAME]\n"
		"                  PACKAGE.deb...\n"
		"\n"
		"Add packages (from kmend package, or kmend's own from make deb) to the apt\n"
		"repository DIR, created if missing: a flat repository (\"deb URI ./\"), the\n"
		"packages in DIR/pool/, its indexes (Packages, Packages.gz, Release) written by\n"
		"apt-ftparchive and, with --sign-key, signed by gpg (InRelease, Release.gpg),\n"
		"with the public key in DIR/archive-key.gpg for apt's signed-by. Serve DIR\n"
		"over http(s), or use it as a file: URI; it prints the sources.list line.\n"
		"A package already in the repository must be the same file: a version names\n"
		"one build.\n"
		"\n"
		"Options:\n"
		"  --sign-key KEY     the gpg key to sign with (--local-user)\n"
		"  --gnupg-home DIR   gpg's home folder (default: $GNUPGHOME, ~/.gnupg)\n"
		"  --origin NAME      the repository's Origin and Label (default: kmend)\n"
		"  -h, --help         this help\n"
		"\n"
		"Exit status: 0 done; 1 failed (nothing in the repository changed unless\n"
		"every package was checked); 2 bad usage.\n");
}

/* An empty scratch folder under $TMPDIR, into @buf. */
static int scratch_dir(char *buf, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	if (path_printf(buf, len, "%s/kmend-package.XXXXXX", tmp && *tmp ? tmp : "/tmp") ||
	    !mkdtemp(buf))
		return -1;
	return 0;
}

static void remove_tree(const char *dir)
{
	char *argv[] = { "rm", "-rf", (char *)dir, NULL }, msg[64];

	run_program(argv, NULL, NULL, NULL, msg, sizeof(msg));
}

int package_run(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option options[] = {
		{ "version", required_argument, NULL, 'V' },
		{ "maintainer", required_argument, NULL, 'm' },
		{ "kernel-version", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct update_package_opts o = { .out_dir = ".", .version = "1" };
	char *maintainer = NULL, scratch[PATH_MAX];
	const char *name = getenv("DEBFULLNAME"), *mail = getenv("DEBEMAIL");
	int opt, ret = KMEND_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:ho:", options, NULL)) != -1) {
		switch (opt) {
		case 'o': o.out_dir = optarg; break;
		case 'V': o.version = optarg; break;
		case 'm': o.maintainer = optarg; break;
		case 'k': o.kernel_version = optarg; break;
		case 'h': package_usage(out); return KMEND_EXIT_OK;
		case ':':
			fprintf(err, "kmend package: %s needs a value; see 'kmend package --help'\n",
				argv[optind - 1]);
			return KMEND_EXIT_USAGE;
		default:
			fprintf(err, "kmend package: unknown option '%s'; see 'kmend package --help'\n",
				argv[optind - 1]);
			return KMEND_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(err, "kmend package: no update given; see 'kmend package --help'\n");
		return KMEND_EXIT_USAGE;
	}
	if (!o.maintainer && !(mail && *mail)) {
		fprintf(err, "kmend package: who maintains the packages? Give --maintainer 'Name <address>', or set DEBEMAIL (and DEBFULLNAME) as for dch\n");
		return KMEND_EXIT_USAGE;
	}
	if (!o.maintainer) {
		maintainer = str_format("%s <%s>", name && *name ? name : "kmend live updates", mail);
		o.maintainer = maintainer;
	}
	if (!o.maintainer || !strchr(o.maintainer, '<') || !strchr(o.maintainer, '>')) {
		fprintf(err, "kmend package: the maintainer is 'Name <address>'\n");
		free(maintainer);
		return KMEND_EXIT_USAGE;
	}
	if (mkdir(o.out_dir, 0755) && errno != EEXIST) {
		fprintf(err, "kmend package: cannot create %s: %s\n", o.out_dir, strerror(errno));
		free(maintainer);
		return KMEND_EXIT_FAILURE;
	}
	/* one package per kernel: two updates for one would be two versions of it */
	for (int i = optind; i < argc; i++) {
		struct update_file a, b;
		char msg[512];

		if (update_file_open(&a, argv[i], msg, sizeof(msg))) {
			fprintf(err, "kmend package: %s\n", msg);
			free(maintainer);
			return KMEND_EXIT_BAD_FILE;
		}
		for (int k = optind; k < i; k++) {
			if (update_file_open(&b, argv[k], msg, sizeof(msg)))
				continue;
			if (!strcmp(a.release, b.release)) {
				fprintf(err, "kmend package: %s and %s are both for %s: its package carries one (cumulative) update; make one with kmend create --replace\n",
					argv[k], argv[i], a.release);
				ret = KMEND_EXIT_USAGE;
			}
			update_file_close(&b);
		}
		update_file_close(&a);
		if (ret) {
			free(maintainer);
			return ret;
		}
	}
	for (int i = optind; i < argc; i++) {
		char written[PATH_MAX], msg[1024];

		if (scratch_dir(scratch, sizeof(scratch))) {
			fprintf(err, "kmend package: cannot create a scratch folder: %s\n", strerror(errno));
			ret = KMEND_EXIT_FAILURE;
			break;
		}
		o.scratch = scratch;
		if (update_package_build(argv[i], &o, written, sizeof(written), msg, sizeof(msg))) {
			fprintf(err, "kmend package: %s\n", msg);
			ret = KMEND_EXIT_FAILURE;
		} else {
			fprintf(out, "kmend package: wrote %s\n", written);
		}
		remove_tree(scratch);
	}
	free(maintainer);
	return ret;
}

int repo_run(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option options[] = {
		{ "sign-key", required_argument, NULL, 'k' },
		{ "gnupg-home", required_argument, NULL, 'g' },
		{ "origin", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct repo_opts o = { .origin = "kmend" };
	char msg[1024];
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'k': o.key = optarg; break;
		case 'g': o.gpg_home = optarg; break;
		case 'O': o.origin = optarg; break;
		case 'h': repo_usage(out); return KMEND_EXIT_OK;
		case ':':
			fprintf(err, "kmend repo: %s needs a value; see 'kmend repo --help'\n",
				argv[optind - 1]);
			return KMEND_EXIT_USAGE;
		default:
			fprintf(err, "kmend repo: unknown option '%s'; see 'kmend repo --help'\n",
				argv[optind - 1]);
			return KMEND_EXIT_USAGE;
		}
	}
	if (argc - optind < 2) {
		fprintf(err, "kmend repo: give the repository's folder and at least one package; see 'kmend repo --help'\n");
		return KMEND_EXIT_USAGE;
	}
	o.dir = argv[optind];
	if (strchr(o.origin, '\n')) {
		fprintf(err, "kmend repo: the origin is one line\n");
		return KMEND_EXIT_USAGE;
	}
	if (repo_update(&o, argv + optind + 1, (size_t)(argc - optind - 1), out, msg, sizeof(msg))) {
		fprintf(err, "kmend repo: %s\n", msg);
		return KMEND_EXIT_FAILURE;
	}
	return KMEND_EXIT_OK;
}
