/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KMEND_TEST_TARGET_H
#define KMEND_TEST_TARGET_H

/* In target_dup.c: calls that unit's static kmend_test_dup(). */
const char *kmend_test_dup_second(void);

#endif
