// SPDX-License-Identifier: GPL-2.0
/*
 * The kmend command line. Each subcommand is one entry of the table below;
 * a subcommand appears here only once it works.
 */
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "create.h"
#include "install.h"
#include "list.h"
#include "package.h"

#ifndef KMEND_VERSION
#error "KMEND_VERSION must be defined by the build"
#endif

struct subcommand {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv, FILE *out, FILE *err);
};

static int help_run(int argc, char **argv, FILE *out, FILE *err);

static const struct subcommand subcommands[] = {
	{ "create", "build an update module from a source patch", create_run },
	{ "apply", "load an update and apply it to the running kernel", apply_run },
	{ "undo", "reverse applied updates and unload them", undo_run },
	{ "list", "list the loaded (or installed) updates; --json", list_run },
	{ "show", "everything about one update, loaded or in a file", show_run },
	{ "explain", "what an abort cause or exit status means", explain_run },
	{ "install", "keep an update to apply at every boot", install_run },
	{ "uninstall", "stop applying an installed update at boot", uninstall_run },
	{ "package", "make updates Debian packages, one per kernel", package_run },
	{ "repo", "add packages to an apt repository for a fleet", repo_run },
	{ "help", "show this help, or a subcommand's", help_run },
};

int cli_bad_option(FILE *err, const char *cmd, int opt, const char *word)
{
	char shortopt[3] = { '-', (char)optopt, '\0' };

	/* in a cluster (-qx) getopt names the letter; a long option, the word */
	if (optopt > 0 && optopt < 128 && isalnum(optopt) && strncmp(word, "--", 2))
		word = shortopt;
	if (opt == ':')
		fprintf(err, "kmend %s: %s needs a value; see 'kmend %s --help'\n",
			cmd, word, cmd);
	else
		fprintf(err, "kmend %s: unknown option '%s' (or one that takes no value); see 'kmend %s --help'\n",
			cmd, word, cmd);
	return KMEND_EXIT_USAGE;
}

int cli_need_root(FILE *err, const char *cmd)
{
	if (geteuid() == 0)
		return KMEND_EXIT_OK;
	fprintf(err, "kmend %s: must be run as root: it loads kernel modules and uses root-only files of the engine\n",
		cmd);
	return KMEND_EXIT_NOT_ROOT;
}

bool update_id_like(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '-' && s[n] != '_')
			return false;
	return n > 0 && n <= 64;
}

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static const struct subcommand *find_subcommand(const char *name)
{
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		if (strcmp(subcommands[i].name, name) == 0)
			return &subcommands[i];
	return NULL;
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"Usage: kmend [--help] [--version] COMMAND [ARGS...]\n"
		"\n"
		"kmend applies fixes to the running Linux kernel without a reboot: an\n"
		"update built from a source patch is checked against the running code,\n"
		"switched in under a consistency model, and can be undone.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -h, --help     show this help and exit\n"
		"  -V, --version  show the version and exit\n"
		"\n"
		"Exit status (each command's --help says which it uses):\n"
		"  0      success\n"
		"  1      the command failed (the message says why)\n"
		"  2      bad usage: unknown command or option\n"
		"  3      not root\n"
		"  4      not an update file, unreadable or corrupt\n"
		"  5      the update was built for another kernel release\n"
		"  6      the kmend engine is missing or did not load\n"
		"  7      the update (or a module of its name) is loaded or installed already\n"
		"  8      no update of that id\n"
		"  9      another update is stacked on it: undo that one first\n"
		"  10-24  the engine refused: one status per abort cause ('kmend explain')\n"
		"\n"
		"Run 'kmend COMMAND --help' for a command's options, and see kmend(8).\n"
		"\n"		"The engine's interface is /sys/kernel/kmend/<id>/; see docs/ in the\n"
		"kmend source for the design and the sysfs ABI.\n");
}

static int help_run(int argc, char **argv, FILE *out, FILE *err)
{
	const struct subcommand *cmd = argc > 1 ? find_subcommand(argv[1]) : NULL;
	char *help[] = { argc > 1 ? argv[1] : NULL, "--help", NULL };

	if (argc > 1 && !cmd) {
		fprintf(err, "kmend: no such command '%s'; see 'kmend --help'\n",
			argv[1]);
		return KMEND_EXIT_USAGE;
	}
	if (!cmd || cmd->run == help_run) {
		print_usage(out);
		return KMEND_EXIT_OK;
	}
	return cmd->run(2, help, out, err);
}

int kmend_main(int argc, char **argv, FILE *out, FILE *err)
{
	if (argc < 2) {
		print_usage(err);
		return KMEND_EXIT_USAGE;
	}

	const char *arg = argv[1];

	if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
		print_usage(out);
		return KMEND_EXIT_OK;
	}
	if (strcmp(arg, "-V") == 0 || strcmp(arg, "--version") == 0) {
		fprintf(out, "kmend %s\n", KMEND_VERSION);
		return KMEND_EXIT_OK;
	}
	if (arg[0] == '-') {
		fprintf(err, "kmend: unknown option '%s'; see 'kmend --help'\n",
			arg);
		return KMEND_EXIT_USAGE;
	}

	const struct subcommand *cmd = find_subcommand(arg);

	if (!cmd) {
		fprintf(err, "kmend: no such command '%s'; see 'kmend --help'\n",
			arg);
		return KMEND_EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1, out, err);
}
