/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KMEND_CODE_DIGEST_H
#define KMEND_CODE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#define CODE_DIGEST_LEN 32	/* SHA-256 */
/* Changes with what the digests take in: kept digests of another are not used. */
#define CODE_DIGEST_VERSION "code-digest-3"

/*
 * Two digests of a preprocessed unit (cc -E -P output), over its tokens so
 * that spacing does not count: @text of every token, and @code of the
 * tokens left once the definitions of static functions that nothing else
 * in the unit names are taken out (again, until none is left). The
 * compiler emits nothing for such a function, so two texts whose @code
 * digests match compile to the same code: a header change that only edits
 * or adds static inline functions a unit does not call leaves it alone.
 * @dropped counts the definitions taken out. 0, or -1 when out of memory.
 */
struct code_digest {
	unsigned char text[CODE_DIGEST_LEN];
	unsigned char code[CODE_DIGEST_LEN];
	size_t dropped;
};

/* @source: @len bytes and a NUL after them */
int code_digest(const char *source, size_t len, struct code_digest *d);

/* The same of the file @path; -1 with errno set when it cannot be read. */
int code_digest_file(const char *path, struct code_digest *d);

#endif
