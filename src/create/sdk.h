/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The files kmend create needs besides the kernel tree: the headers update
 * code includes (kmend/patch.h, kmend/shadow.h) and the engine's
 * Module.symvers (its exports, with their CRCs), found next to the kmend
 * binary, in the build tree or where make install put them.
 */
#ifndef KMEND_SDK_H
#define KMEND_SDK_H

#include <stddef.h>

struct sdk {
	char *include_dir;	/* holds kmend/patch.h */
	char *engine_dir;	/* holds the engine's Module.symvers */
};

/*
 * Find both ($KMEND_INCLUDE and $KMEND_ENGINE_DIR first). Returns 0, or -1
 * with a message in @err saying what is missing and how to point at it.
 */
int sdk_find(struct sdk *sdk, char *err, size_t errlen);
void sdk_free(struct sdk *sdk);

/*
 * A helper program of kmend's, @name: $KMEND_HELPERS/@name if set, else
 * scripts/@name of the build tree, or LIBDIR/@name where make install put
 * it. NULL if there is none (or out of memory).
 */
char *sdk_find_helper(const char *name);

#endif /* KMEND_SDK_H */
