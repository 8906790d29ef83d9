// SPDX-License-Identifier: GPL-2.0
/* The kmend command: main() hands over to the command table (cli.c). */
#include <stdio.h>

#include "cli.h"

int main(int argc, char **argv)
{
	/*
	 * Whole lines even when stdout and stderr go to one file (a build
	 * log): stdout would otherwise be flushed in blocks, between lines
	 * of stderr, which is unbuffered.
	 */
	setvbuf(stdout, NULL, _IOLBF, 0);
	return kmend_main(argc, argv, stdout, stderr);
}
