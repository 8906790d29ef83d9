// SPDX-License-Identifier: GPL-2.0
/*
 * kmend create: from a source patch to an update module.
 *
 * The units the patch touches are compiled twice outside the source tree,
 * before and after the patch, as Kbuild compiles them plus
 * -ffunction-sections -fdata-sections, and compared function by function;
 * each unit's new code goes into a payload object (payload.c), and Kbuild
 * links the payloads into kmend-<id>.ko (emit.c).
 */
#include "create.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "decls.h"
#include "elfobj.h"
#include "emit.h"
#include "objdiff.h"
#include "payload.h"
#include "precheck.h"
#include "refuse.h"
#include "run.h"
#include "sdk.h"
#include "symvers.h"
#include "unit.h"
#include "updatemod.h"
#include "util.h"

static void create_usage(FILE *f)
{
	fprintf(f,
		"Usage: kmend create [--source DIR] [-o FILE] [--id ID] [--description TEXT]\n"
		"                    [--model MODEL] [--require-targets] [--dry-run] [-j N]\n"
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
		"code, a changed function without an ftrace call site, a table the kernel\n"
		"reads at load time referring to a symbol only the engine could resolve.\n"
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
		"  --require-targets   refuse to apply while a target module is not loaded\n"
		"                      (target_not_loaded); by default such a module is\n"
		"                      patched when it loads\n"
		"  --dry-run           compare and report; write nothing\n"
		"  --check-kallsyms FILE, --check-image FILE\n"
		"                      run-pre matching now: match each replaced function's\n"
		"                      pre code against the kernel image FILE (an ELF: a\n"
		"                      vmlinux from scripts/extract-vmlinux, or /proc/kcore),\n"
		"                      finding it through the kallsyms listing FILE (on the\n"
		"                      target: /proc/kallsyms, as root); fail if one does not\n"
		"                      match, as the engine would refuse it (no_match)\n"
		"  -j, --jobs N        run N compiles at once (default: the number of CPUs)\n"
		"  -v, --verbose       show each step and how long it took\n"
		"  -h, --help          this help\n"
		"\n"
		"The module's modinfo holds kmend_id, kmend_release (the kernel release it is\n"
		"built for), kmend_patch_sha256 (of the patches, concatenated in order),\n"
		"kmend_model and a kmend_function (\"<target> <function>\") per replaced\n"
		"function: 'kmend show FILE.ko' reads them.\n"
		"\n"
		"Refused, with the file named: patches that add, delete or rename files, or\n"
		"touch anything but .c files (headers, assembly, Makefiles).\n"
		"\n"
		"Exit status: 0 done, 1 failed or refused (the message says why), 2 bad\n"
		"usage.\n");
}

/* Format a path into @buf; -1 if it does not fit. */
static int path_printf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -1 : 0;
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

struct create {
	const char *source;
	const char *output, *id, *description;
	const char *check_kallsyms, *check_image;	/* run-pre matching now */
	bool dry_run, verbose;
	struct symvers exports;		/* of the image, and of the engine */
	struct sdk sdk;
	struct payload *payloads;	/* per unit */
	struct decls *decls;		/* per unit: what its patch declares */
	unsigned int flags;		/* kmend_update.flags */
	const char *model;		/* --model, or NULL */
	char **payload_paths;
	char **patches;
	int nr_patches;
	char **files;		/* touched .c files */
	size_t nr_files;
	FILE *out, *err;
	char log[PATH_MAX];
	size_t nr_refusals;	/* changes an update cannot carry */
	size_t jobs;		/* compiles at once */
};

static int add_file(struct create *c, const char *path)
{
	char **grown;

	for (size_t i = 0; i < c->nr_files; i++)
		if (!strcmp(c->files[i], path))
			return 0;
	grown = realloc(c->files, (c->nr_files + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	c->files = grown;
	c->files[c->nr_files] = strdup(path);
	return c->files[c->nr_files++] ? 0 : -1;
}

/* The files a patch touches, from lsdiff (patchutils); refuse what is not
 * yet supported, naming it. */
static int collect_files(struct create *c, const char *patch)
{
	char *argv[] = { "lsdiff", "-s", "--strip=1", (char *)patch, NULL };
	char *list = NULL, errbuf[256];
	int status = run_program(argv, NULL, &list, NULL, errbuf, sizeof(errbuf));
	int ret = 0, n = 0;

	if (status) {
		fprintf(c->err, "kmend create: %s: %s\n", patch,
			status < 0 ? errbuf : "not a patch lsdiff can read");
		free(list);
		return -1;
	}
	for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
		char kind = line[0];
		const char *path = line + 2;
		size_t len = strlen(path);

		n++;
		if (kind == '+' || kind == '-') {
			fprintf(c->err, "kmend create: %s %s %s: patches that add or delete files are not supported yet\n",
				patch, kind == '+' ? "adds" : "deletes", path);
			ret = -1;
		} else if (len > 2 && !strcmp(path + len - 2, ".h")) {
			fprintf(c->err, "kmend create: %s changes the header %s: rebuilding the units that include it is not supported yet; move the change into the .c files that need it\n",
				patch, path);
			ret = -1;
		} else if (len > 2 && !strcmp(path + len - 2, ".S")) {
			fprintf(c->err, "kmend create: %s changes the assembly file %s: assembly is not supported\n",
				patch, path);
			ret = -1;
		} else if (len < 3 || strcmp(path + len - 2, ".c")) {
			fprintf(c->err, "kmend create: %s changes %s: only C files can be live patched\n",
				patch, path);
			ret = -1;
		} else if (strstr(path, "..") || path[0] == '/') {
			fprintf(c->err, "kmend create: %s names %s, outside the tree\n",
				patch, path);
			ret = -1;
		} else if (add_file(c, path)) {
			fprintf(c->err, "kmend create: out of memory\n");
			ret = -1;
		}
	}
	free(list);
	if (!ret && n == 0) {
		fprintf(c->err, "kmend create: %s changes no file\n", patch);
		ret = -1;
	}
	return ret;
}

static int make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* Copy the touched files to work/post and apply the patches there. */
static int patch_copies(struct create *c)
{
	char errbuf[256];

	for (size_t i = 0; i < c->nr_files; i++) {
		char from[PATH_MAX], to[PATH_MAX];

		if (path_printf(from, sizeof(from), "%s/%s", c->source, c->files[i]) ||
		    path_printf(to, sizeof(to), "%s/post/%s", work_dir, c->files[i])) {
			fprintf(c->err, "kmend create: path too long: %s\n", c->files[i]);
			return -1;
		}
		if (access(from, R_OK)) {
			fprintf(c->err, "kmend create: %s is not in the source tree %s\n",
				c->files[i], c->source);
			return -1;
		}
		if (make_dirs(to)) {
			fprintf(c->err, "kmend create: cannot create the folder of %s\n", to);
			return -1;
		}
		if (file_copy(from, to, errbuf, sizeof(errbuf))) {
			fprintf(c->err, "kmend create: %s\n", errbuf);
			return -1;
		}
	}
	for (int i = 0; i < c->nr_patches; i++) {
		char dir[PATH_MAX];
		char *argv[] = { "patch", "-p1", "--batch", "--forward", "-d", dir,
				 "-i", c->patches[i], NULL };
		char *output = NULL;
		int status;

		if (path_printf(dir, sizeof(dir), "%s/post", work_dir))
			return -1;
		status = run_program(argv, NULL, &output, NULL, errbuf, sizeof(errbuf));
		if (status) {
			fprintf(c->err, "kmend create: %s does not apply to %s:\n%s",
				c->patches[i], c->source, output ? output : errbuf);
			free(output);
			return -1;
		}
		free(output);
	}
	return 0;
}

/* @s on one line: string literals in it may hold newlines. */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

static void report_unit(struct create *c, const struct unit *u,
			const struct objdiff *d, const struct decls *decls)
{
	size_t same_funcs = 0, same_data = 0;

	fprintf(c->out, "%s -> %s\n", u->path, u->target);
	for (size_t i = 0; i < decls->nr; i++)
		fprintf(c->out, "  declares  %s %s\n", decl_kind_name(decls->items[i].kind),
			decls->items[i].function ? decls->items[i].function :
			decls->items[i].name);
	for (size_t i = 0; i < d->nr_entries; i++) {
		const struct objdiff_entry *e = &d->entries[i];

		if (e->status == OBJDIFF_IGNORED && e->why &&
		    !strcmp(e->why, "a kmend declaration"))
			continue;
		if (e->status == OBJDIFF_SAME) {
			if (e->kind == OBJDIFF_FUNC)
				same_funcs++;
			else
				same_data++;
			continue;
		}
		fprintf(c->out, "  %-9s %-8s %s", objdiff_status_name(e->status),
			e->kind == OBJDIFF_FUNC ? "function" : "data", e->name);
		if (e->why) {
			fputs(" (", c->out);
			put_escaped(c->out, e->why);
			fputc(')', c->out);
		}
		fputc('\n', c->out);
	}
	fprintf(c->out, "  unchanged: %zu functions, %zu data objects\n",
		same_funcs, same_data);
}

/* Where a unit's objects and patched copy live in the work folder. */
struct unit_paths {
	char pre[PATH_MAX];	/* object before the patch */
	char post[PATH_MAX];	/* object after */
	char src[PATH_MAX];	/* the patched copy */
	char prefix[PATH_MAX];	/* the folder of patched copies */
	char pre_crc[PATH_MAX];	/* genksyms' CRCs of the exports, if any */
	char post_crc[PATH_MAX];
};

static int unit_paths(const struct unit *u, struct unit_paths *p)
{
	return path_printf(p->pre, sizeof(p->pre), "%s/pre/%s", work_dir, u->object) ||
	       path_printf(p->post, sizeof(p->post), "%s/post/%s", work_dir, u->object) ||
	       path_printf(p->src, sizeof(p->src), "%s/post/%s", work_dir, u->path) ||
	       path_printf(p->prefix, sizeof(p->prefix), "%s/post", work_dir) ||
	       path_printf(p->pre_crc, sizeof(p->pre_crc), "%s.crc", p->pre) ||
	       path_printf(p->post_crc, sizeof(p->post_crc), "%s.crc", p->post) ||
	       make_dirs(p->pre) || make_dirs(p->post) ? -1 : 0;
}

/* A compile in progress: its process, unit and side of the patch. */
struct compile_job {
	pid_t pid;
	const struct unit *unit;
	int after;
};

/* Start compiling @u before or after the patch; -1 with a message. */
static pid_t start_compile(struct create *c, const struct unit *u, int after)
{
	struct unit_paths p;
	char errbuf[512], *cmd;
	pid_t pid;

	if (unit_paths(u, &p)) {
		fprintf(c->err, "kmend create: cannot create %s\n", work_dir);
		return -1;
	}
	cmd = after ? unit_compile_command(u, p.src, p.post, p.prefix,
					   c->sdk.include_dir, errbuf, sizeof(errbuf))
		    : unit_compile_command(u, u->path, p.pre, NULL, NULL, errbuf,
					   sizeof(errbuf));
	if (!cmd) {
		fprintf(c->err, "kmend create: %s\n", errbuf);
		return -1;
	}
	if (c->verbose)
		fprintf(c->err, "  CC      %s (%s the patch, for %s)\n", u->path,
			after ? "after" : "before", u->target);
	{
		char *argv[] = { "sh", "-c", cmd, NULL };

		pid = run_start(argv, c->source, c->log, errbuf, sizeof(errbuf));
	}
	if (pid < 0)
		fprintf(c->err, "kmend create: %s\n", errbuf);
	free(cmd);
	return pid;
}

/* Compile every unit before and after the patch, @c->jobs at a time. */
static int compile_all(struct create *c, const struct unit *units, size_t n)
{
	struct compile_job *jobs = calloc(c->jobs, sizeof(*jobs));
	size_t next = 0, total = 2 * n, running = 0;
	bool failed = false;

	if (!jobs) {
		fprintf(c->err, "kmend create: out of memory\n");
		return -1;
	}
	while (running || (next < total && !failed)) {
		int status;
		pid_t pid;
		size_t slot;

		if (!failed && next < total && running < c->jobs) {
			for (slot = 0; jobs[slot].pid; slot++)
				;
			jobs[slot].unit = &units[next / 2];
			jobs[slot].after = (int)(next % 2);
			jobs[slot].pid = start_compile(c, jobs[slot].unit,
						       jobs[slot].after);
			next++;
			if (jobs[slot].pid < 0) {
				jobs[slot].pid = 0;
				failed = true;
			} else {
				running++;
			}
			continue;
		}
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (slot = 0; slot < c->jobs && jobs[slot].pid != pid; slot++)
			;
		if (slot == c->jobs)
			continue;
		run_reaped(pid);
		jobs[slot].pid = 0;
		running--;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(c->err, "kmend create: compiling %s %s the patch failed (exit %d)\n",
				jobs[slot].unit->path,
				jobs[slot].after ? "after" : "before",
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			failed = true;
		}
	}
	free(jobs);
	return failed ? -1 : 0;
}

static void print_refusals(struct create *c, const struct refusals *r)
{
	for (size_t i = 0; i < r->nr; i++)
		fprintf(c->out, "  refused   %s: %s\n", r->items[i].name,
			r->items[i].reason);
	c->nr_refusals += r->nr;
}

/* The unit's payload: the new code and what it needs (see payload.h). */
static int build_payload(struct create *c, const struct unit *u, size_t index,
			 const struct elf_object *pre, const struct elf_object *post,
			 const struct objdiff *d)
{
	char errbuf[512];
	char *prefix = str_format("__kmend_u%zu_", index);
	char *path = str_format("%s/payload-%zu.o", work_dir, index);
	const struct decls *decls = &c->decls[index];
	char **named = calloc(decls->nr + 1, sizeof(*named));
	struct payload_input in = {
		.pre = pre, .post = post, .diff = d, .exports = &c->exports,
		.target = u->target, .prefix = prefix, .unit = (unsigned int)index + 1,
		.named = named,
	};
	struct refusals r;
	struct payload *p = &c->payloads[index];

	for (size_t i = 0; named && i < decls->nr; i++)
		if (decl_names_payload(decls->items[i].kind))
			named[in.nr_named++] = decls->items[i].function;
	if (!prefix || !path || !named) {
		free(named);
		free(prefix);
		free(path);
		fprintf(c->err, "kmend create: out of memory\n");
		return -1;
	}
	c->payload_paths[index] = path;
	if (payload_build(&in, path, p, &r, errbuf, sizeof(errbuf))) {
		free(named);
		free(prefix);
		fprintf(c->err, "kmend create: %s: %s\n", u->path, errbuf);
		return -1;
	}
	free(named);
	free(prefix);
	print_refusals(c, &r);
	refusals_free(&r);
	fprintf(c->out, "  update:   %zu function%s replaced, %zu bytes of code, %zu reference%s for the engine to resolve\n",
		p->nr_funcs, p->nr_funcs == 1 ? "" : "s", p->code_size,
		p->nr_relocs, p->nr_relocs == 1 ? "" : "s");
	if (c->verbose)
		for (size_t i = 0; i < p->nr_relocs; i++)
			fprintf(c->err, "  RELOC   %s+%#llx -> %s%+lld (type %u)\n",
				p->relocs[i].place_symbol,
				(unsigned long long)p->relocs[i].offset,
				p->relocs[i].symbol, (long long)p->relocs[i].addend,
				p->relocs[i].type);
	return 0;
}

static int compare_unit(struct create *c, const struct unit *u, size_t index)
{
	struct unit_paths p;
	char errbuf[512];
	struct elf_object a, b;
	struct objdiff d;
	struct refusals r;
	int ret = -1;

	if (unit_paths(u, &p)) {
		fprintf(c->err, "kmend create: cannot create %s\n", work_dir);
		return -1;
	}
	if (elf_object_open(&a, p.pre, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s\n", errbuf);
		return -1;
	}
	if (elf_object_open(&b, p.post, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s\n", errbuf);
		elf_object_close(&a);
		return -1;
	}
	if (objdiff_compare(&a, &b, &d, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: comparing %s: %s\n", u->path, errbuf);
		goto close;
	}
	if (decls_read(&b, &c->decls[index], errbuf, sizeof(errbuf)) ||
	    decls_apply(&c->decls[index], &b, &d, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s: %s\n", u->path, errbuf);
		objdiff_free(&d);
		goto close;
	}
	report_unit(c, u, &d, &c->decls[index]);
	if (refusals_find(&a, &d, &r)) {
		fprintf(c->err, "kmend create: out of memory\n");
	} else if (refusals_find_crc(p.pre_crc, p.post_crc, &r, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s\n", errbuf);
		refusals_free(&r);
	} else {
		print_refusals(c, &r);
		ret = r.nr ? 0 : build_payload(c, u, index, &a, &b, &d);
		refusals_free(&r);
	}
	objdiff_free(&d);
close:
	elf_object_close(&a);
	elf_object_close(&b);
	return ret;
}

static void show_log_tail(struct create *c)
{
	char *argv[] = { "tail", "-n", "20", c->log, NULL };
	char *text = NULL, errbuf[64];

	if (!run_program(argv, NULL, &text, NULL, errbuf, sizeof(errbuf)) && text && *text)
		fprintf(c->err, "kmend create: last lines of the build log:\n%s", text);
	free(text);
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

/* Seconds since @since, for -v. */
static double seconds_since(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) +
	       (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static void step_done(struct create *c, const char *step, struct timespec *since)
{
	if (c->verbose)
		fprintf(c->err, "kmend create: %s: %.2f s\n", step, seconds_since(since));
	clock_gettime(CLOCK_MONOTONIC, since);
}

/* Everything after the work folder exists: patch, compile, compare, emit. */
static int create_in_work_dir(struct create *c)
{
	struct unit *units = calloc(c->nr_files, sizeof(*units));
	struct update_unit *parts = calloc(c->nr_files, sizeof(*parts));
	struct timespec step;
	char errbuf[512], *symvers = NULL;
	int ret = -1;

	clock_gettime(CLOCK_MONOTONIC, &step);
	c->payloads = calloc(c->nr_files, sizeof(*c->payloads));
	c->decls = calloc(c->nr_files, sizeof(*c->decls));
	c->payload_paths = calloc(c->nr_files, sizeof(*c->payload_paths));
	symvers = str_format("%s/Module.symvers", c->source);
	if (!units || !parts || !c->payloads || !c->decls || !c->payload_paths ||
	    !symvers) {
		fprintf(c->err, "kmend create: out of memory\n");
		goto out;
	}
	if (symvers_load(&c->exports, symvers, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s: the tree needs the Module.symvers of the kernel image it is the source of\n",
			errbuf);
		goto out;
	}
	/* update code may call the engine (kmend/shadow.h): the loader links it */
	free(symvers);
	symvers = str_format("%s/Module.symvers", c->sdk.engine_dir);
	if (!symvers || symvers_add(&c->exports, symvers, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s\n", symvers ? errbuf : "out of memory");
		goto out;
	}
	if (patch_copies(c))
		goto out;
	step_done(c, "patched copies", &step);
	for (size_t i = 0; i < c->nr_files; i++) {
		if (unit_lookup(c->source, c->files[i], work_dir, &units[i],
				errbuf, sizeof(errbuf))) {
			fprintf(c->err, "kmend create: %s\n", errbuf);
			goto out;
		}
	}
	step_done(c, "Kbuild's commands", &step);
	if (compile_all(c, units, c->nr_files)) {
		show_log_tail(c);
		goto out;
	}
	step_done(c, "compiles before and after", &step);
	for (size_t i = 0; i < c->nr_files; i++)
		if (compare_unit(c, &units[i], i))
			goto out;
	step_done(c, "comparison and payloads", &step);
	if (c->nr_refusals) {
		fprintf(c->err, "kmend create: %zu change%s cannot be live patched as written (\"refused\" above)\n",
			c->nr_refusals, c->nr_refusals == 1 ? "" : "s");
		goto out;
	}
	{
		size_t funcs = 0;

		/* a callback or hook is something to apply, too */
		for (size_t i = 0; i < c->nr_files; i++)
			funcs += c->payloads[i].nr_funcs + c->payloads[i].nr_named;
		if (!funcs && c->dry_run) {
			fprintf(c->out, "nothing to replace: the patches change no function the running kernel has\n");
		} else if (!funcs) {
			fprintf(c->err, "kmend create: the patches change no function the running kernel has: nothing to replace\n");
			goto out;
		}
	}
	if (c->check_kallsyms) {
		const char **targets = calloc(c->nr_files, sizeof(*targets));
		int r;

		if (!targets) {
			fprintf(c->err, "kmend create: out of memory\n");
			goto out;
		}
		for (size_t i = 0; i < c->nr_files; i++)
			targets[i] = units[i].target;
		r = precheck_run(c->check_kallsyms, c->check_image, c->payloads,
				 targets, c->nr_files, c->out, errbuf, sizeof(errbuf));
		free(targets);
		if (r < 0) {
			fprintf(c->err, "kmend create: %s\n", errbuf);
			goto out;
		}
		if (r) {
			fprintf(c->err, "kmend create: the pre code does not match %s: the update is built from other source, configuration or compiler options than that kernel; the engine would refuse it (no_match)\n",
				c->check_image);
			goto out;
		}
		step_done(c, "run-pre matching against the image", &step);
	}
	if (c->dry_run) {
		ret = 0;
		goto out;
	}
	for (size_t i = 0; i < c->nr_files; i++) {
		parts[i].target = units[i].target;
		parts[i].payload = &c->payloads[i];
		parts[i].payload_path = c->payload_paths[i];
		parts[i].decls = &c->decls[i];
	}
	{
		struct emit_options o = {
			.source = c->source, .work_dir = work_dir, .log = c->log,
			.id = c->id, .description = c->description,
			.output = c->output, .patches = c->patches,
			.nr_patches = c->nr_patches, .verbose = c->verbose,
			.sdk = &c->sdk, .flags = c->flags, .model = c->model,
			.err = c->err,
		};

		if (emit_update(&o, parts, c->nr_files)) {
			show_log_tail(c);
			goto out;
		}
	}
	step_done(c, "update module", &step);
	fprintf(c->out, "wrote %s (update id %s)\n", c->output, c->id);
	ret = 0;
out:
	for (size_t i = 0; i < c->nr_files; i++) {
		if (units)
			unit_free(&units[i]);
		if (c->payloads)
			payload_free(&c->payloads[i]);
		if (c->payload_paths)
			free(c->payload_paths[i]);
		if (c->decls)
			decls_free(&c->decls[i]);
	}
	free(units);
	free(parts);
	free(c->payloads);
	free(c->decls);
	free(c->payload_paths);
	free(symvers);
	symvers_free(&c->exports);
	return ret;
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
		{ "model", required_argument, NULL, 'M' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct create c = { .source = ".", .out = out, .err = err };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char config[PATH_MAX], tmpl[PATH_MAX];
	char *default_id = NULL, *default_output = NULL;
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
		case 's': c.source = optarg; break;
		case 'o': c.output = optarg; break;
		case 'i': c.id = optarg; break;
		case 'd': c.description = optarg; break;
		case 'K': c.check_kallsyms = optarg; break;
		case 'I': c.check_image = optarg; break;
		case 'R': c.flags |= 0x1; break;	/* KMEND_REQUIRE_TARGETS */
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
		return KMEND_EXIT_USAGE;
	}
	if (!c.check_kallsyms != !c.check_image) {
		fprintf(err, "kmend create: --check-kallsyms and --check-image go together (on the target: /proc/kallsyms and /proc/kcore)\n");
		return KMEND_EXIT_USAGE;
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
		if (collect_files(&c, c.patches[i]))
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
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGQUIT, on_signal);
	signal(SIGPIPE, on_signal);
	/* Its path goes into shell commands: keep it to plain characters. */
	if (work_dir[strspn(work_dir, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-")]) {
		fprintf(err, "kmend create: the work folder %s has characters a shell would read; set TMPDIR to a plain path\n",
			work_dir);
		goto remove;
	}
	if (path_printf(c.log, sizeof(c.log), "%s/build.log", work_dir))
		goto remove;
	if (!create_in_work_dir(&c))
		ret = KMEND_EXIT_OK;
remove:
	remove_work();
free_files:
	sdk_free(&c.sdk);
	for (size_t i = 0; i < c.nr_files; i++)
		free(c.files[i]);
	free(c.files);
	free(default_id);
	free(default_output);
	for (int i = 0; i < c.nr_patches; i++)
		free(c.patches[i]);
	free(c.patches);
	return ret;
}
