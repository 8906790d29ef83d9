/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KMEND_TEST_TARGET_H
#define KMEND_TEST_TARGET_H

/* In target_dup.c: calls that unit's static kmend_test_dup(). */
const char *kmend_test_dup_second(void);

#include <linux/delay.h>
#include <linux/kernel.h>

/* Replaced by the tests' per-task updates; see target_main.c. */
const char *kmend_test_step(void);
char *kmend_test_chain(char *buf, size_t size);

/*
 * The body of kmend_test_chain() and of its replacements: @version, then
 * what each of four calls of kmend_test_step(), 20 ms apart, returned.
 * Inlined, so that the calls are made from the chain's own code.
 */
static __always_inline char *chain_steps(char *buf, size_t size,
					 const char *version)
{
	int i, n = scnprintf(buf, size, "%s:", version);

	for (i = 0; i < 4; i++) {
		if (i)
			msleep(20);
		n += scnprintf(buf + n, size - n, "%s%s", i ? "," : "",
			       kmend_test_step());
	}
	return buf;
}

#endif
