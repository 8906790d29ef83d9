// SPDX-License-Identifier: GPL-2.0
/* Finding the files kmend create needs besides the kernel tree (sdk.h). */
#include "sdk.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* The folder of the running kmend binary. */
static int exe_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	return 0;
}

/*
 * A file kmend needs next to itself: @env if set, else the first of
 * @candidates (relative to the binary's folder) that exists.
 */
static char *find_own_file(const char *env, const char *const *candidates,
			   size_t n, const char *inside)
{
	const char *set = getenv(env);
	char dir[PATH_MAX];

	if (set && *set)
		return strdup(set);
	if (exe_dir(dir, sizeof(dir)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char *path = str_format("%s/%s", dir, candidates[i]);
		char *probe = path ? str_format("%s%s", path, inside) : NULL;
		char resolved[PATH_MAX];

		if (probe && !access(probe, R_OK) && realpath(path, resolved)) {
			free(path);
			free(probe);
			return strdup(resolved);
		}
		free(path);
		free(probe);
	}
	return NULL;
}

static int plain_path(const char *path)
{
	return !path[strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+")];
}

int sdk_find(struct sdk *sdk, char *err, size_t errlen)
{
	/* the build tree (build/bin/..), make install's layout */
	static const char *const includes[] = {
		"../../include", "../include/kmend-sdk",
	};
	static const char *const engines[] = { "../kernel", "../lib/kmend" };

	sdk->include_dir = find_own_file("KMEND_INCLUDE", includes, 2, "/kmend/patch.h");
	sdk->engine_dir = find_own_file("KMEND_ENGINE_DIR", engines, 2, "/Module.symvers");
	if (sdk->include_dir && sdk->engine_dir) {
		/* both go into shell commands and Kbuild flags */
		if (!plain_path(sdk->include_dir) || !plain_path(sdk->engine_dir)) {
			set_error(err, errlen, "%s has characters a shell would read; install kmend under a plain path",
				  plain_path(sdk->include_dir) ? sdk->engine_dir : sdk->include_dir);
			sdk_free(sdk);
			return -1;
		}
		return 0;
	}
	set_error(err, errlen, "cannot find %s next to the kmend binary; set %s",
		  !sdk->include_dir ? "include/kmend/patch.h" :
		  "the engine's Module.symvers (build kmend.ko first: make)",
		  !sdk->include_dir ? "KMEND_INCLUDE to the folder holding kmend/patch.h" :
		  "KMEND_ENGINE_DIR to the folder holding it");
	sdk_free(sdk);
	return -1;
}

char *sdk_find_helper(const char *name)
{
	const char *set = getenv("KMEND_HELPERS");
	char *inside = str_format("/%s", name), *dir, *path = NULL;
	/* the build tree (build/bin/..), make install's layout */
	static const char *const dirs[] = { "../../scripts", "../lib/kmend" };

	if (!inside)
		return NULL;
	if (set && *set) {
		path = str_format("%s%s", set, inside);
	} else {
		dir = find_own_file("KMEND_HELPERS", dirs, 2, inside);
		path = dir ? str_format("%s%s", dir, inside) : NULL;
		free(dir);
	}
	free(inside);
	return path;
}

void sdk_free(struct sdk *sdk)
{
	free(sdk->include_dir);
	free(sdk->engine_dir);
	sdk->include_dir = NULL;
	sdk->engine_dir = NULL;
}
