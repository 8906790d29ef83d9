// SPDX-License-Identifier: GPL-2.0
/*
 * Shows the bug fixed by "fanotify: report full event length for FIONREAD"
 * (Linux 6.1.188): on a fanotify group that reports extra information with
 * each event (here the pid as a pidfd, FAN_REPORT_PIDFD), ioctl(FIONREAD)
 * must say how many bytes the next read() returns. Before the fix it counts
 * only each event's 24-byte header, so a program that sizes its buffer with
 * FIONREAD reads events cut short.
 *
 * Prints both numbers; exits 0 when they agree, 1 when they do not, 2 when
 * it cannot run.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef FAN_REPORT_PIDFD
#define FAN_REPORT_PIDFD 0x00000080
#endif

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/tmp/fanotify-fionread";
	char buf[4096];
	int fd, file, ready = -1;
	ssize_t got;

	file = open(path, O_CREAT | O_WRONLY, 0644);
	if (file < 0) {
		perror(path);
		return 2;
	}
	close(file);
	fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_PIDFD, O_RDONLY);
	if (fd < 0) {
		perror("fanotify_init");
		return 2;
	}
	if (fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, path)) {
		perror("fanotify_mark");
		return 2;
	}
	file = open(path, O_RDONLY);	/* one FAN_OPEN event */
	if (file >= 0)
		close(file);
	if (ioctl(fd, FIONREAD, &ready)) {
		perror("ioctl(FIONREAD)");
		return 2;
	}
	got = read(fd, buf, sizeof(buf));
	if (got < 0) {
		perror("read");
		return 2;
	}
	printf("FIONREAD says %d bytes are ready; read() returns %zd bytes: %s\n",
	       ready, got, ready == got ? "they agree" : "WRONG, FIONREAD undercounts");
	return ready == got ? 0 : 1;
}
