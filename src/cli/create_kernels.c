// SPDX-License-Identifier: GPL-2.0
/*
 * kmend create with several --kernel: one update per kernel from the same
 * patches, made by one kmend create --kernel per kernel, all at once with the
 * job limit shared out between them; their output interleaved line by line,
 * each line headed by its kernel; then a table of which kernels got an
 * update and which did not, and why.
 */
#include "create_kernels.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "debian_kernel.h"
#include "util.h"

struct kernel_job {
	const char *name;		/* as the user gave it */
	struct debian_kernel k;		/* resolved; release NULL if not */
	char *output;			/* the update it writes */
	pid_t pid;
	int fd;				/* its output, -1 once closed */
	char line[1024];		/* a line being read */
	size_t len;
	char why[512];			/* its last "kmend create: " line */
	int status;			/* exit status, -1 killed */
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* This kmend binary (not /proc/self/exe: under valgrind, that is valgrind). */
static const char *self_path(void)
{
	static char path[PATH_MAX];
	ssize_t n;

	if (!path[0]) {
		n = readlink("/proc/self/exe", path, sizeof(path) - 1);
		if (n <= 0)
			return "/proc/self/exe";
		path[n] = '\0';
	}
	return path;
}

/* kmend create --kernel VERSION for one kernel, as the user asked for all. */
static char **child_argv(const struct create *c, const struct kernel_job *j,
			 size_t jobs)
{
	char **argv = calloc(32 + (size_t)c->nr_patches, sizeof(*argv));
	char *jobs_s = str_format("%zu", jobs), *units = str_format("%zu", c->max_units);
	size_t n = 0;

	if (!argv || !jobs_s || !units) {
		free(argv);
		free(jobs_s);
		free(units);
		return NULL;
	}
	argv[n++] = (char *)self_path();
	argv[n++] = "create";
	/* as the user named it: a version alone would lose a flavour (cloud-amd64) */
	argv[n++] = "--kernel";
	argv[n++] = (char *)j->name;
	argv[n++] = "-o";
	argv[n++] = j->output;
	argv[n++] = "--id";
	argv[n++] = (char *)c->id;
	argv[n++] = "-j";
	argv[n++] = jobs_s;
	argv[n++] = "--max-units";
	argv[n++] = units;
	if (c->description) {
		argv[n++] = "--description";
		argv[n++] = (char *)c->description;
	}
	if (c->model) {
		argv[n++] = "--model";
		argv[n++] = (char *)c->model;
	}
	if (c->format == UPDATE_FORMAT_KLP) {
		argv[n++] = "--format";
		argv[n++] = "klp";
	}
	if (c->flags & UPDATE_FLAG_REQUIRE_TARGETS)
		argv[n++] = "--require-targets";
	if (c->flags & UPDATE_FLAG_REPLACE)
		argv[n++] = "--replace";
	if (c->sign_key) {
		argv[n++] = "--sign-key";
		argv[n++] = (char *)c->sign_key;
		argv[n++] = "--sign-cert";
		argv[n++] = (char *)c->sign_cert;
	}
	if (c->dry_run)
		argv[n++] = "--dry-run";
	if (c->verbose)
		argv[n++] = "-v";
	argv[n++] = "--";
	for (int i = 0; i < c->nr_patches; i++)
		argv[n++] = c->patches[i];
	return argv;
}

static void free_child_argv(char **argv)
{
	if (!argv)
		return;
	free(argv[9]);		/* -j's */
	free(argv[11]);		/* --max-units' */
	free(argv);
}

static int start(const struct create *c, struct kernel_job *j, size_t jobs, FILE *err)
{
	char **argv = child_argv(c, j, jobs);
	int fds[2];

	/* not inherited by the other kernels' children */
	if (!argv || pipe2(fds, O_CLOEXEC)) {
		fprintf(err, "kmend create: %s\n", argv ? strerror(errno) : "out of memory");
		free_child_argv(argv);
		return -1;
	}
	fflush(NULL);
	j->pid = fork();
	if (j->pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	free_child_argv(argv);
	if (j->pid < 0) {
		close(fds[0]);
		fprintf(err, "kmend create: fork: %s\n", strerror(errno));
		return -1;
	}
	j->fd = fds[0];
	return 0;
}

/* One whole line of @j's output: headed by its kernel, kept if a reason. */
static void put_line(struct kernel_job *j, const char *line, FILE *out)
{
	fprintf(out, "%s: %s\n", j->k.version, line);
	if (!strncmp(line, "kmend create: ", 14))
		snprintf(j->why, sizeof(j->why), "%s", line + 14);
}

/* Read what @j wrote; 0 at its end. */
static int read_output(struct kernel_job *j, FILE *out)
{
	char buf[4096];
	ssize_t got = read(j->fd, buf, sizeof(buf));

	if (got < 0)
		return errno == EINTR ? 1 : 0;
	for (ssize_t i = 0; i < got; i++) {
		if (buf[i] == '\n' || j->len == sizeof(j->line) - 1) {
			j->line[j->len] = '\0';
			put_line(j, j->line, out);
			j->len = 0;
			if (buf[i] == '\n')
				continue;
		}
		if (buf[i] != '\r')
			j->line[j->len++] = buf[i];
	}
	if (!got && j->len) {
		j->line[j->len] = '\0';
		put_line(j, j->line, out);
		j->len = 0;
	}
	fflush(out);
	return got > 0;
}

/* Follow every job's output until all have ended; pass a stop on. */
static void follow(struct kernel_job *jobs, size_t n, FILE *out)
{
	struct pollfd *p = calloc(n, sizeof(*p));
	int forwarded = 0;

	for (;;) {
		size_t open_fds = 0;

		if (stop_signal && !forwarded) {
			for (size_t i = 0; i < n; i++)
				if (jobs[i].pid > 0)
					kill(jobs[i].pid, SIGTERM);
			forwarded = 1;
		}
		for (size_t i = 0; i < n; i++) {
			if (p)
				p[i] = (struct pollfd){ .fd = jobs[i].fd, .events = POLLIN };
			open_fds += jobs[i].fd >= 0;
		}
		if (!open_fds)
			break;
		if (!p) {		/* no memory to poll: one at a time */
			for (size_t i = 0; i < n; i++)
				while (jobs[i].fd >= 0 && read_output(&jobs[i], out))
					;
			for (size_t i = 0; i < n; i++)
				if (jobs[i].fd >= 0) {
					close(jobs[i].fd);
					jobs[i].fd = -1;
				}
			break;
		}
		/* a second at most: a stop that comes just before is passed on */
		if (poll(p, n, 1000) < 0)
			continue;	/* EINTR: a stop to pass on */
		for (size_t i = 0; i < n; i++)
			if (jobs[i].fd >= 0 && p[i].revents && !read_output(&jobs[i], out)) {
				close(jobs[i].fd);
				jobs[i].fd = -1;
			}
	}
	free(p);
	for (size_t i = 0; i < n; i++) {
		int status;

		if (jobs[i].pid <= 0)
			continue;
		while (waitpid(jobs[i].pid, &status, 0) < 0 && errno == EINTR)
			;
		jobs[i].status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	}
}

static void print_table(const struct create *c, const struct kernel_job *jobs, size_t n,
			FILE *out)
{
	fprintf(out, "\n%-14s %-22s %s\n", "kernel", "release", "update");
	for (size_t i = 0; i < n; i++) {
		const struct kernel_job *j = &jobs[i];
		const char *result;

		if (!j->k.release)
			result = j->why[0] ? j->why : "not available (above)";
		else if (j->status == 0)
			result = c->dry_run ? "can be made (--dry-run: not written)" : j->output;
		else
			result = j->why[0] ? j->why : "failed (above)";
		fprintf(out, "%-14s %-22s %s%s\n", j->k.version ? j->k.version : j->name,
			j->k.release ? j->k.release : "-",
			j->k.release && j->status ? "no update: " : "", result);
	}
}

int create_for_kernels(const struct create *c, char *const *names, size_t n,
		       const char *out_dir, FILE *out, FILE *err)
{
	struct kernel_job *jobs = calloc(n, sizeof(*jobs));
	struct sigaction sa = { .sa_handler = on_stop }, old_int, old_term;
	size_t started = 0, ok = 0, per_job;
	int ret = KMEND_EXIT_FAILURE;

	if (!jobs) {
		fprintf(err, "kmend create: out of memory\n");
		return KMEND_EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++) {
		struct kernel_job *j = &jobs[i];
		char msg[512];

		j->name = names[i];
		j->fd = -1;
		if (debian_kernel_get(names[i], true, 1, &j->k, msg, sizeof(msg))) {
			snprintf(j->why, sizeof(j->why), "%s", msg);
			continue;
		}
		/* not started yet: not done either */
		j->status = -1;
		for (size_t k = 0; k < i; k++)
			if (jobs[k].k.version && !strcmp(jobs[k].k.version, j->k.version) &&
			    !strcmp(jobs[k].k.release, j->k.release)) {
				fprintf(err, "kmend create: --kernel %s is %s again: one update for it\n",
					names[i], j->k.version);
				debian_kernel_free(&j->k);
				j->name = NULL;
				break;
			}
		if (j->k.release &&
		    !(j->output = str_format("%s/kmend-%s-%s.ko", out_dir, c->id, j->k.release))) {
			fprintf(err, "kmend create: out of memory\n");
			goto out;
		}
		started += j->k.release != NULL;
	}
	per_job = started ? c->jobs / started : 1;
	if (per_job < 1)
		per_job = 1;
	if (started)
		fprintf(out, "kmend create: %zu kernels, %zu compile%s at once each (-j %zu in all)\n",
			started, per_job, per_job == 1 ? "" : "s", c->jobs);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	for (size_t i = 0; i < n && !stop_signal; i++)
		if (jobs[i].k.release && start(c, &jobs[i], per_job, err))
			jobs[i].status = -1;
	follow(jobs, n, out);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	{
		/* the table lists each kernel once, as given */
		size_t listed = 0;

		for (size_t i = 0; i < n; i++)
			if (jobs[i].name)
				jobs[listed++] = jobs[i];
		print_table(c, jobs, listed, out);
		for (size_t i = 0; i < listed; i++)
			ok += jobs[i].k.release && jobs[i].status == 0;
		fprintf(out, "%zu of %zu kernels got an update%s\n", ok, listed,
			c->dry_run ? " (--dry-run: none written)" : "");
		n = listed;
	}
	if (stop_signal)
		ret = 128 + stop_signal;
	else if (ok == n)
		ret = KMEND_EXIT_OK;
out:
	for (size_t i = 0; i < n; i++) {
		debian_kernel_free(&jobs[i].k);
		free(jobs[i].output);
	}
	free(jobs);
	return ret;
}
