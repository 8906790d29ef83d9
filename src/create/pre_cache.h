/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Objects compiled before the patch, kept per tree (pre_cache.c), so that a
 * later create on the same tree compiles only its units after the patch.
 */
#ifndef KMEND_PRE_CACHE_H
#define KMEND_PRE_CACHE_H

#include <stdbool.h>

struct pre_cache {
	char *dir;	/* the tree's folder; NULL: no cache (nothing kept) */
};

/*
 * The cache of @source's tree in $XDG_CACHE_HOME/kmend/pre/ (or
 * ~/.cache/kmend/pre/). 0, or -1 when there is none to be had (no cache
 * folder): then nothing is taken or kept, which is no error.
 */
int pre_cache_open(struct pre_cache *pc, const char *source);
void pre_cache_close(struct pre_cache *pc);

/*
 * Copy @object's cached object (and CRCs) to @out if it was compiled with
 * @cmd (the command with a fixed output name) and no file it was compiled
 * from is newer. True if it was.
 */
bool pre_cache_get(const struct pre_cache *pc, const char *source, const char *object,
		   const char *cmd, const char *out);

/* Keep @built (with @built.d and @built.crc beside it) as @object's entry. */
void pre_cache_put(const struct pre_cache *pc, const char *object, const char *cmd,
		   const char *built);

/* Bring the tree's folder under its size, the least recently used first. */
void pre_cache_trim(const struct pre_cache *pc);

#endif /* KMEND_PRE_CACHE_H */
