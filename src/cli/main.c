// SPDX-License-Identifier: GPL-2.0
/* The kmend command: main() hands over to the command table (cli.c). */
#include "cli.h"

int main(int argc, char **argv)
{
	return kmend_main(argc, argv, stdout, stderr);
}
