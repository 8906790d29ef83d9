// SPDX-License-Identifier: GPL-2.0
/*
 * getdents64 into an unmapped buffer must fail with EFAULT, not oops: the
 * user copies in filldir64 rely on their exception-table entries. Prints
 * "EFAULT" and exits 0 when it does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd = open(argc > 1 ? argv[1] : "/", O_RDONLY | O_DIRECTORY);
	long n;

	if (fd < 0) {
		perror("open");
		return 2;
	}
	n = syscall(SYS_getdents64, fd, (void *)0x1000, 4096);
	if (n >= 0 || errno != EFAULT) {
		printf("getdents64 returned %ld (%s), not EFAULT\n", n,
		       n < 0 ? strerror(errno) : "no error");
		return 1;
	}
	printf("EFAULT\n");
	return 0;
}
