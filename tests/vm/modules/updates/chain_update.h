/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replacements of kmend_test_target's step and chain, for the per-task
 * models' tests: the new chain says "N:" and what each call of
 * kmend_test_step() returned (through the engine: old or new code, as the
 * task's universe says), so a chain that mixed old and new shows it.
 */
#ifndef KMEND_TEST_CHAIN_UPDATE_H
#define KMEND_TEST_CHAIN_UPDATE_H

#include "../target/target.h"

static const char *new_step(void)
{
	return "new";
}

static char *new_chain(char *buf, size_t size)
{
	return chain_steps(buf, size, "N");
}

#endif
