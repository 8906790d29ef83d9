/* SPDX-License-Identifier: GPL-2.0 */
/* Writing JSON for scripts (kmend list --json, kmend show --json). */
#ifndef KMEND_JSON_H
#define KMEND_JSON_H

#include <stdio.h>

/* @s as a JSON string, quoted and escaped; NULL as null. */
void json_string(FILE *f, const char *s);

/* "@key": @value, with a comma first unless @first. */
void json_key(FILE *f, const char *key, int first);
void json_key_string(FILE *f, const char *key, const char *value, int first);

#endif /* KMEND_JSON_H */
