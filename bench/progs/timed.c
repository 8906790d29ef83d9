// SPDX-License-Identifier: GPL-2.0
/*
 * timed COMMAND [ARG...]: run COMMAND, then print "timed US STATUS" (the
 * microseconds it took, CLOCK_MONOTONIC, and its exit status) on stderr.
 * Static, for the bench's busybox guest.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: timed COMMAND [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("timed: fork");
		return 2;
	}
	if (!pid) {
		execvp(argv[1], argv + 1);
		perror("timed: exec");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("timed: waitpid");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(stderr, "timed %lld %d\n",
		(long long)(t1.tv_sec - t0.tv_sec) * 1000000 +
		(t1.tv_nsec - t0.tv_nsec) / 1000, status);
	return status;
}
