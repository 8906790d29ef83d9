// SPDX-License-Identifier: GPL-2.0
/*
 * The second unit of kmend_test_target: its own static kmend_test_dup, so
 * that kallsyms holds the name twice in the module (updates must say which
 * with old_sympos).
 */
#include <linux/compiler.h>

#include "target.h"

static noinline __attribute__((__noipa__)) const char *kmend_test_dup(void)
{
	return "dup2";
}

const char *kmend_test_dup_second(void)
{
	return kmend_test_dup();
}
