/*
 * write-once FILE TEXT: one write(2) of TEXT to FILE, and what it returned:
 * "wrote N" or "error ERRNO-NAME". A shell's echo retries a short write,
 * which hides what the kernel answered.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: write-once FILE TEXT\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	n = write(fd, argv[2], strlen(argv[2]));
	if (n < 0)
		printf("error %s\n", strerrorname_np(errno));
	else
		printf("wrote %zd\n", n);
	close(fd);
	return n == (ssize_t)strlen(argv[2]) ? 0 : 1;
}
