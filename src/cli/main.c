// SPDX-License-Identifier: GPL-2.0
/* The kmend command: main() hands over to the command table (cli.c). */
#include <stdio.h>
#include <sys/stat.h>

#include "cli.h"

/* Do stdout and stderr go to one file (a build log, 2>&1)? */
static int same_file(void)
{
	struct stat out, err;

	return !fstat(1, &out) && !fstat(2, &err) &&
	       out.st_dev == err.st_dev && out.st_ino == err.st_ino;
}

int main(int argc, char **argv)
{
	/*
	 * Whole lines, in order, when both go to one file: stdout would
	 * otherwise be flushed in blocks, between lines of stderr, which is
	 * unbuffered. Not otherwise: a reader of a pipe that stops early
	 * (grep -q) should see the output written at once.
	 */
	if (same_file())
		setvbuf(stdout, NULL, _IOLBF, 0);
	return kmend_main(argc, argv, stdout, stderr);
}
