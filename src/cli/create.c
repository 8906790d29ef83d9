// SPDX-License-Identifier: GPL-2.0
/*
 * kmend create, the command: its options, the checks of its inputs, and the
 * work folder (removed on every exit, a signal included). The steps of the
 * flow are in src/create/, run by create_pipeline() (pipeline.c).
 */
#include "create.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "create_kernels.h"
#include "debian_kernel.h"
#include "decls.h"
#include "emit.h"
#include "pipeline.h"
#include "run.h"
#include "sdk.h"
#include "sign.h"
#include "updatemod.h"
#include "util.h"

static void create_usage(FILE *f)
{
	fprintf(f,
		"Usage: kmend create [--source DIR | --kernel KERNEL...] [-o FILE] [--id ID]\n"
		"                    [--description TEXT]\n"
		"                    [--model MODEL] [--replace] [--require-targets]\n"
		"                    [--format FORMAT]\n"
		"                    [--sign-key KEY --sign-cert CERT] [--dry-run] [-j N]\n"
		"                    [-v] PATCH...\n"
		"\n"
		"Build an update module, kmend-ID.ko, from PATCH (unified diffs, -p1) against\n"
		"a prepared kernel source tree: the source of the running kernel, configured\n"
		"as it was built (for the VM target: SOURCE from scripts/target-kernel).\n"
		"\n"
		"Only the compilation units the patches touch are compiled, before and after\n"
		"the patch, as Kbuild compiles them plus -ffunction-sections -fdata-sections;\n"
		"the objects are compared function by function, and the new code of each\n"
		"changed or new function, with the data only it uses and its entries in the\n"
		"kernel's tables (exception table, bug table, jump labels, alternatives, ORC\n"
		"unwind data), goes into the update. References to the running kernel stay\n"
		"for the module loader when the symbol is exported, and are resolved by the\n"
		"kmend engine through kallsyms otherwise. The source tree is only read: the\n"
		"patched copies, objects and module are built in a temporary folder, removed\n"
		"on exit (Ctrl-C included).\n"
		"\n"
		"For each unit it prints its target (vmlinux or a module) and every function\n"
		"and data object that changed, is new, was deleted, or differs only in\n"
		"__LINE__ (not a change), then each change an update cannot carry, with what\n"
		"to do instead: a changed value of existing data, changed __init or __exit\n"
		"code, entry and noinstr code, a table the kernel reads at load time\n"
		"referring to a symbol only the engine could resolve. A changed function\n"
		"without an ftrace call site is reached through its callers, or by a jump\n"
		"at its entry written while the machine is stopped.\n"
		"\n"
		"A patch may #include <kmend/patch.h> (kmend create puts it on the include\n"
		"path) and declare what the update needs besides new code: callbacks for\n"
		"its target object (KMEND_PRE_PATCH_CALLBACK(fn) and the like), hooks run\n"
		"while the machine is stopped (KMEND_APPLY_HOOK(fn), ...), a changed\n"
		"function not to replace (KMEND_NO_REPLACE(fn)), changes that do not\n"
		"count (KMEND_IGNORE_SYMBOL(\"name\"), KMEND_IGNORE_SECTION(\"name\")) and\n"
		"the consistency model (KMEND_MODEL(\"leave=...,switch=...\")); they are\n"
		"printed as 'declares'. New code may use shadow variables\n"
		"(<kmend/shadow.h>). See docs/writing-updates.md.\n"
		"\n"
		"Options:\n"
		"  --source DIR        the prepared kernel source tree (default: .)\n"
		"  --kernel KERNEL     a Debian kernel instead: running (this machine's),\n"
		"                      a package version (6.1.192-3) or a release\n"
		"                      (6.1.0-57-amd64); kmend fetches its source, headers\n"
		"                      and Module.symvers with apt (checked against the\n"
		"                      archive's signed index), prepares the tree and keeps\n"
		"                      it in ~/.cache/kmend/VERSION for the next call. Given\n"
		"                      more than once: one update per kernel, all at once\n"
		"                      within -j, into the folder -o names (default: here)\n"
		"                      as kmend-ID-RELEASE.ko, then a table of which\n"
		"                      kernels got one and why the others did not; exit\n"
		"                      status 0 only if all did\n"
		"  -o, --output FILE   where to write the module (default: kmend-ID.ko here)\n"
		"  --id ID             the update's id, [A-Za-z0-9_-], at most 49 characters\n"
		"                      (default: the first patch's file name without .patch)\n"
		"  --description TEXT  one line saying what the update fixes\n"
		"  --model MODEL       the consistency model, leave=L,switch=S (L: patched-set,\n"
		"                      function, kernel; S: kernel, function, thread); the\n"
		"                      default leave=patched-set,switch=kernel stops the\n"
		"                      machine; leave=function,switch=function switches each\n"
		"                      function at once (old and new code may run side by\n"
		"                      side); leave=kernel,switch=kernel freezes user space\n"
		"                      first, as suspend does; leave=patched-set,switch=thread\n"
		"                      switches each task once none of the functions is on\n"
		"                      its stack, leave=kernel,switch=thread each task at a\n"
		"                      system call's entry or exit. The engine refuses one\n"
		"                      it does not implement\n"
		"  --replace           a cumulative update: applying it takes over every\n"
		"                      function the updates applied before it replace and\n"
		"                      switches the others back, all in one stop of the\n"
		"                      machine (livepatch's atomic replace); those updates\n"
		"                      are then reversed (their callbacks not run; shadow\n"
		"                      variables stay for the new code) and kmend apply\n"
		"                      unloads them. Needs a switch=kernel model (with\n"
		"                      --format klp: livepatch's own replace)\n"
		"  --require-targets   refuse to apply while a target module is not loaded\n"
		"                      (target_not_loaded); by default such a module is\n"
		"                      patched when it loads\n"
		"  --format FORMAT     kmend (default): a module for kmend's engine (kmend.ko);\n"
		"                      klp: a module for the kernel's own livepatch\n"
		"                      (CONFIG_LIVEPATCH), which loads without kmend.ko: a\n"
		"                      klp_patch with one klp_object per target, references\n"
		"                      to unexported symbols as livepatch relocations,\n"
		"                      callbacks as livepatch's, shadow variables through\n"
		"                      klp_shadow. It has livepatch's one model\n"
		"                      (leave=patched-set,switch=thread) and no run-pre\n"
		"                      matching; hooks, another --model and\n"
		"                      --require-targets are refused. kmend apply, undo,\n"
		"                      list and show handle it through /sys/kernel/livepatch\n"
		"  --sign-key KEY, --sign-cert CERT\n"
		"                      sign the module as the kernel's modules are signed\n"
		"                      (the tree's scripts/sign-file and CONFIG_MODULE_SIG_HASH):\n"
		"                      KEY is the private key (PEM, or a pkcs11: URI), CERT its\n"
		"                      X.509 certificate (PEM or DER). A kernel that enforces\n"
		"                      module signatures (Secure Boot, module.sig_enforce=1)\n"
		"                      loads the update only if it trusts CERT: enroll it\n"
		"                      with 'mokutil --import CERT.der' and confirm at the\n"
		"                      next boot. kmend.ko needs the same ('make install\n"
		"                      SIGN_KEY=KEY SIGN_CERT=CERT')\n"
		"  --dry-run           compare and report; write nothing\n"
		"  --check-kallsyms FILE, --check-image FILE\n"
		"                      run-pre matching now: match each replaced function's\n"
		"                      pre code against the kernel image FILE (an ELF: a\n"
		"                      vmlinux from scripts/extract-vmlinux, or /proc/kcore),\n"
		"                      finding it through the kallsyms listing FILE (on the\n"
		"                      target: /proc/kallsyms, as root); fail if one does not\n"
		"                      match, as the engine would refuse it (no_match)\n"
		"  -j, --jobs N        run N compiles at once (default: the number of CPUs)\n"
		"  --max-units N       refuse when the changed headers reach more than N units\n"
		"                      the configuration builds, before preprocessing them\n"
		"                      (default: no limit)\n"
		"  -v, --verbose       show each step and how long it took\n"
		"  -h, --help          this help\n"
		"\n"
		"The module's modinfo holds kmend_id, kmend_release (the kernel release it is\n"
		"built for; with --kernel, kmend_kernel_version, its Debian package version),\n"
		"kmend_patch_sha256 (of the patches, concatenated in order),\n"
		"kmend_model and a kmend_function (\"<target> <function>\") per replaced\n"
		"function: 'kmend show FILE.ko' reads them.\n"
		"\n"
		"A changed header reaches every unit that includes it, directly or not: those\n"
		"the configuration builds and whose preprocessed text the change alters are\n"
		"compiled before and after too (the first time, the tree's #include lines\n"
		"are indexed, about ten seconds), and only the functions whose code changed\n"
		"are replaced. A change to the layout of a type in use is refused.\n"
		"\n"
		"Assembly (.S files of vmlinux) is taken too: each function of the unit is\n"
		"cut into a section of its own and carried like a C function; code outside\n"
		"SYM_FUNC (SYM_CODE) and short jumps between functions are refused.\n"
		"\n"
		"Refused, with the file named: patches that add, delete or rename files, or\n"
		"touch anything but .c and .S files and headers (Makefiles, Kconfig).\n"
		"\n"
		"Exit status: 0 done, 1 failed or refused (the message says why), 2 bad\n"
		"usage.\n");
}

/* The work folder, removed on every exit, Ctrl-C included. */
static char work_dir[PATH_MAX];

static void remove_work(void)
{
	if (work_dir[0]) {
		char *argv[] = { "rm", "-rf", work_dir, NULL };
		char err[128];

		run_program(argv, NULL, NULL, NULL, err, sizeof(err));
		work_dir[0] = '\0';
	}
}

/* remove_work for a signal handler: fork, execve and waitpid only. */
static void remove_work_from_handler(void)
{
	char *argv[] = { "rm", "-rf", work_dir, NULL };
	char *envp[] = { NULL };
	pid_t pid;

	if (!work_dir[0])
		return;
	pid = fork();
	if (pid == 0) {
		execve("/bin/rm", argv, envp);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	work_dir[0] = '\0';
}

static void on_signal(int sig)
{
	run_stop_all();
	remove_work_from_handler();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Is the configuration Kbuild derived from .config up to date? If not, even
 * make -n would regenerate it inside the tree.
 */
static bool config_is_current(const char *source)
{
	char config[PATH_MAX], auto_conf[PATH_MAX];
	struct stat a, b;

	if (path_printf(config, sizeof(config), "%s/.config", source) ||
	    path_printf(auto_conf, sizeof(auto_conf), "%s/include/config/auto.conf", source) ||
	    stat(config, &a) || stat(auto_conf, &b))
		return false;
	return b.st_mtim.tv_sec > a.st_mtim.tv_sec ||
	       (b.st_mtim.tv_sec == a.st_mtim.tv_sec &&
		b.st_mtim.tv_nsec >= a.st_mtim.tv_nsec);
}

int create_run(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option options[] = {
		{ "source", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "id", required_argument, NULL, 'i' },
		{ "description", required_argument, NULL, 'd' },
		{ "check-kallsyms", required_argument, NULL, 'K' },
		{ "check-image", required_argument, NULL, 'I' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "require-targets", no_argument, NULL, 'R' },
		{ "replace", no_argument, NULL, 'P' },
		{ "model", required_argument, NULL, 'M' },
		{ "format", required_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "max-units", required_argument, NULL, 'U' },
		{ "kernel", required_argument, NULL, 'D' },
		{ "sign-key", required_argument, NULL, 'k' },
		{ "sign-cert", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct create c = { .source = ".", .out = out, .err = err };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char config[PATH_MAX], tmpl[PATH_MAX];
	char *default_id = NULL, *default_output = NULL;
	char **kernels = NULL;
	size_t nr_kernels = 0;
	bool source_given = false;
	struct debian_kernel kernel = { 0 };
	int opt, ret = KMEND_EXIT_FAILURE;
	const char *tmp = getenv("TMPDIR");

	optind = 1;
	opterr = 0;
	c.jobs = cpus > 0 ? (size_t)cpus : 1;
	while ((opt = getopt_long(argc, argv, "+:vhj:o:", options, NULL)) != -1) {
		char *end;
		long n;

		switch (opt) {
		case 'j':
			n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 1024) {
				fprintf(err, "kmend create: -j takes a number of compiles at once (1-1024), not '%s'\n",
					optarg);
				return KMEND_EXIT_USAGE;
			}
			c.jobs = (size_t)n;
			break;
		case 'U':
			n = strtol(optarg, &end, 10);
			if (*end || n < 0) {
				fprintf(err, "kmend create: --max-units takes a number of units (0: no limit), not '%s'\n",
					optarg);
				return KMEND_EXIT_USAGE;
			}
			c.max_units = (size_t)n;
			break;
		case 's': c.source = optarg; source_given = true; break;
		case 'D': {
			char **grown = realloc(kernels, (nr_kernels + 1) * sizeof(*grown));

			if (!grown) {
				fprintf(err, "kmend create: out of memory\n");
				free(kernels);
				return KMEND_EXIT_FAILURE;
			}
			kernels = grown;
			kernels[nr_kernels++] = optarg;
			break;
		}
		case 'o': c.output = optarg; break;
		case 'i': c.id = optarg; break;
		case 'd': c.description = optarg; break;
		case 'K': c.check_kallsyms = optarg; break;
		case 'k': c.sign_key = optarg; break;
		case 'C': c.sign_cert = optarg; break;
		case 'I': c.check_image = optarg; break;
		case 'R': c.flags |= UPDATE_FLAG_REQUIRE_TARGETS; break;
		case 'P': c.flags |= UPDATE_FLAG_REPLACE; break;
		case 'F':
			if (!strcmp(optarg, "kmend")) {
				c.format = UPDATE_FORMAT_KMEND;
			} else if (!strcmp(optarg, "klp")) {
				c.format = UPDATE_FORMAT_KLP;
			} else {
				fprintf(err, "kmend create: --format takes kmend or klp, not '%s'\n",
					optarg);
				return KMEND_EXIT_USAGE;
			}
			break;
		case 'M': {
			unsigned int leave, sw;

			if (decl_model_parse(optarg, &leave, &sw)) {
				fprintf(err, "kmend create: --model takes leave=patched-set|function|kernel,switch=kernel|function|thread, not '%s'\n",
					optarg);
				return KMEND_EXIT_USAGE;
			}
			c.model = optarg;
			break;
		}
		case 'n': c.dry_run = true; break;
		case 'v': c.verbose = true; break;
		case 'h': create_usage(out); return KMEND_EXIT_OK;
		case ':':
			fprintf(err, "kmend create: %s needs a value; see 'kmend create --help'\n",
				argv[optind - 1]);
			return KMEND_EXIT_USAGE;
		default:
			fprintf(err, "kmend create: unknown option '%s'; see 'kmend create --help'\n",
				argv[optind - 1]);
			return KMEND_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(err, "kmend create: no patch given; see 'kmend create --help'\n");
		free(kernels);
		return KMEND_EXIT_USAGE;
	}
	if (nr_kernels && source_given) {
		fprintf(err, "kmend create: --kernel and --source name the tree two ways; give one\n");
		free(kernels);
		return KMEND_EXIT_USAGE;
	}
	if (nr_kernels > 1 && c.check_kallsyms) {
		fprintf(err, "kmend create: --check-kallsyms and --check-image name one kernel's image: use them with one --kernel\n");
		free(kernels);
		return KMEND_EXIT_USAGE;
	}
	if (!c.check_kallsyms != !c.check_image) {
		fprintf(err, "kmend create: --check-kallsyms and --check-image go together (on the target: /proc/kallsyms and /proc/kcore)\n");
		return KMEND_EXIT_USAGE;
	}
	{
		char errbuf[512];

		if (sign_check_inputs(c.sign_key, c.sign_cert, errbuf, sizeof(errbuf))) {
			fprintf(err, "kmend create: %s\n", errbuf);
			return c.sign_key && c.sign_cert ? KMEND_EXIT_FAILURE : KMEND_EXIT_USAGE;
		}
	}
	c.nr_patches = argc - optind;
	/* patch(1) runs in the work folder: absolute paths */
	c.patches = calloc((size_t)c.nr_patches, sizeof(*c.patches));
	if (!c.patches) {
		fprintf(err, "kmend create: out of memory\n");
		return KMEND_EXIT_FAILURE;
	}
	for (int i = 0; i < c.nr_patches; i++) {
		c.patches[i] = realpath(argv[optind + i], NULL);
		if (!c.patches[i]) {
			fprintf(err, "kmend create: %s: %s\n", argv[optind + i], strerror(errno));
			goto free_files;
		}
	}
	if (c.id && !update_id_valid(c.id)) {
		fprintf(err, "kmend create: the id '%s' is not 1 to 49 of A-Z a-z 0-9 _ -\n", c.id);
		ret = KMEND_EXIT_USAGE;
		goto free_files;
	}
	if (c.description && strchr(c.description, '\n')) {
		fprintf(err, "kmend create: the description is one line\n");
		ret = KMEND_EXIT_USAGE;
		goto free_files;
	}
	if (!c.id) {
		default_id = emit_default_id(argv[optind]);
		c.id = default_id;
	}
	if (c.id && !c.output) {
		default_output = str_format("kmend-%s.ko", c.id);
		c.output = default_output;
	}
	if (!c.id || !c.output) {
		fprintf(err, "kmend create: out of memory\n");
		goto free_files;
	}
	if (nr_kernels > 1) {
		struct stat st;

		/* -o names the folder the updates go to */
		if (stat(c.output == default_output ? "." : c.output, &st) || !S_ISDIR(st.st_mode)) {
			fprintf(err, "kmend create: with several --kernel, -o names a folder for kmend-%s-RELEASE.ko; %s is not one\n",
				c.id, c.output);
			ret = KMEND_EXIT_USAGE;
			goto free_files;
		}
		ret = create_for_kernels(&c, kernels, nr_kernels,
					 c.output == default_output ? "." : c.output, out, err);
		goto free_files;
	}
	/* from here on a stop ends what kmend started: the helper, compiles */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGQUIT, on_signal);
	signal(SIGPIPE, on_signal);
	if (nr_kernels) {
		char errbuf[1024];

		if (debian_kernel_get(kernels[0], false, c.jobs, &kernel, errbuf, sizeof(errbuf))) {
			fprintf(err, "kmend create: %s\n", errbuf);
			goto free_files;
		}
		fprintf(out, "kernel %s (%s): %s\n", kernel.version, kernel.release, kernel.source);
		c.source = kernel.source;
		c.kernel_version = kernel.version;
	}

	if (path_printf(config, sizeof(config), "%s/.config", c.source) ||
	    access(config, R_OK)) {
		fprintf(err, "kmend create: %s is not a prepared kernel source tree (no .config); give one with --source\n",
			c.source);
		goto free_files;
	}
	if (!config_is_current(c.source)) {
		fprintf(err, "kmend create: %s/.config is newer than its include/config/auto.conf: run 'make olddefconfig modules_prepare' there first (kmend never writes the tree)\n",
			c.source);
		goto free_files;
	}
	for (int i = 0; i < c.nr_patches; i++)
		if (create_collect_files(&c, c.patches[i]))
			goto free_files;
	{
		char errbuf[512];

		if (sdk_find(&c.sdk, errbuf, sizeof(errbuf))) {
			fprintf(err, "kmend create: %s\n", errbuf);
			goto free_files;
		}
	}

	if (path_printf(tmpl, sizeof(tmpl), "%s/kmend-create.XXXXXX", tmp && *tmp ? tmp : "/tmp") ||
	    !mkdtemp(tmpl)) {
		fprintf(err, "kmend create: cannot create a work folder in %s: %s\n",
			tmp && *tmp ? tmp : "/tmp", strerror(errno));
		goto free_files;
	}
	if (!realpath(tmpl, work_dir)) {
		fprintf(err, "kmend create: %s: %s\n", tmpl, strerror(errno));
		rmdir(tmpl);
		goto free_files;
	}
	atexit(remove_work);
	/* Its path goes into shell commands: keep it to plain characters. */
	if (work_dir[strspn(work_dir, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-")]) {
		fprintf(err, "kmend create: the work folder %s has characters a shell would read; set TMPDIR to a plain path\n",
			work_dir);
		goto remove;
	}
	if (path_printf(c.log, sizeof(c.log), "%s/build.log", work_dir))
		goto remove;
	c.work_dir = work_dir;
	if (!create_pipeline(&c))
		ret = KMEND_EXIT_OK;
remove:
	remove_work();
free_files:
	free(kernels);
	debian_kernel_free(&kernel);
	sdk_free(&c.sdk);
	strv_free(c.files, c.nr_files);
	strv_free(c.headers, c.nr_headers);
	free(default_id);
	free(default_output);
	for (int i = 0; i < c.nr_patches; i++)
		free(c.patches[i]);
	free(c.patches);
	return ret;
}
