// SPDX-License-Identifier: GPL-2.0
/*
 * Running helper programs with fork and exec, capturing their output.
 */
#include "run.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Children still running, each leading its own process group (so that all
 * it starts, a compiler under a shell or make's jobs, can be stopped at
 * once). Read from signal handlers: plain stores only.
 */
#define MAX_CHILDREN 1024
static volatile sig_atomic_t children[MAX_CHILDREN];

void run_hold_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void remember(pid_t pid)
{
	setpgid(pid, pid);	/* in parent and child: whichever runs first */
	for (size_t i = 0; i < MAX_CHILDREN; i++) {
		if (!children[i]) {
			children[i] = pid;
			return;
		}
	}
}

void run_reaped(pid_t pid)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == pid)
			children[i] = 0;
}

void run_stop_all(void)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++) {
		pid_t pid = children[i];

		if (!pid)
			continue;
		kill(-pid, SIGTERM);
		waitpid(pid, NULL, 0);
		children[i] = 0;
	}
}

static int read_all(int fd, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	if (!buf)
		return -1;
	for (;;) {
		ssize_t n;

		if (cap - len < 1024) {
			char *grown = realloc(buf, cap * 2);

			if (!grown) {
				free(buf);
				return -1;
			}
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* In the child: set up its standard streams and run @argv; never returns. */
static void exec_child(char *const argv[], const char *cwd, const int *pipefd,
		       const char *log, bool keep_stderr, const sigset_t *old_mask)
{
	int null = open("/dev/null", O_RDWR);
	int sink = log ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0644) : null;

	if (null < 0 || sink < 0)
		_exit(127);
	setpgid(0, 0);
	/* the parent's handlers are not the program's */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, old_mask, NULL);
	dup2(null, STDIN_FILENO);
	if (pipefd) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		if (!keep_stderr)
			dup2(sink, STDERR_FILENO);
	} else {
		dup2(sink, STDOUT_FILENO);
		dup2(sink, STDERR_FILENO);
	}
	if (cwd && chdir(cwd))
		_exit(127);
	execvp(argv[0], argv);
	_exit(127);
}

pid_t run_start(char *const argv[], const char *cwd, const char *log,
		char *err, size_t errlen)
{
	sigset_t old;
	pid_t pid;

	run_hold_signals(&old);
	pid = fork();
	if (pid < 0)
		snprintf(err, errlen, "fork: %s", strerror(errno));
	else if (pid == 0)
		exec_child(argv, cwd, NULL, log, false, &old);
	else
		remember(pid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return pid;
}

static int run_wait(char *const argv[], const char *cwd, char **out,
		    const char *log, bool keep_stderr, char *err, size_t errlen)
{
	int pipefd[2] = { -1, -1 }, status;
	sigset_t old;
	pid_t pid;

	if (out && pipe(pipefd)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	run_hold_signals(&old);
	pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		snprintf(err, errlen, "fork: %s", strerror(errno));
		if (out) {
			close(pipefd[0]);
			close(pipefd[1]);
		}
		return -1;
	}
	if (pid == 0)
		exec_child(argv, cwd, out ? pipefd : NULL, log, keep_stderr, &old);
	remember(pid);
	sigprocmask(SIG_SETMASK, &old, NULL);

	if (out) {
		close(pipefd[1]);
		if (read_all(pipefd[0], out)) {
			snprintf(err, errlen, "out of memory reading %s", argv[0]);
			*out = NULL;
		}
		close(pipefd[0]);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			run_reaped(pid);
			return -1;
		}
	}
	run_reaped(pid);
	if (out && !*out)
		return -1;
	if (WIFEXITED(status)) {
		if (WEXITSTATUS(status) == 127)
			snprintf(err, errlen, "%s could not be run", argv[0]);
		return WEXITSTATUS(status);
	}
	snprintf(err, errlen, "%s was killed by signal %d", argv[0],
		 WTERMSIG(status));
	return -1;
}

int run_program(char *const argv[], const char *cwd, char **out,
		const char *log, char *err, size_t errlen)
{
	return run_wait(argv, cwd, out, log, false, err, errlen);
}

int run_program_stderr(char *const argv[], const char *cwd, char **out,
		       char *err, size_t errlen)
{
	return run_wait(argv, cwd, out, NULL, true, err, errlen);
}
