// SPDX-License-Identifier: GPL-2.0
/*
 * Running kmend's debian-kernel helper and reading what it prints: one
 * KEY=VALUE per line on standard output; its progress and its refusals go to
 * standard error, where the user sees them as they come.
 */
#include "debian_kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "sdk.h"
#include "util.h"

/* The value of "KEY=" in @out, or NULL. */
static char *value_of(const char *out, const char *key)
{
	size_t len = strlen(key);

	for (const char *line = out; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (!strncmp(line, key, len) && line[len] == '=')
			return strndup(line + len + 1, strcspn(line + len + 1, "\n"));
	return NULL;
}

int debian_kernel_get(const char *name, bool resolve_only, size_t jobs,
		      struct debian_kernel *k, char *err, size_t errlen)
{
	char *helper = sdk_find_helper("debian-kernel"), *out = NULL;
	char *jobs_env = str_format("%zu", jobs), msg[256];
	char *resolve[] = { helper, "--resolve", (char *)name, NULL };
	char *prepare[] = { helper, (char *)name, NULL };
	int status, ret = -1;

	memset(k, 0, sizeof(*k));
	if (!helper || !jobs_env) {
		set_error(err, errlen, helper ? "out of memory" :
			  "kmend's debian-kernel helper is not next to the kmend binary (scripts/ of the source, or LIBDIR of make install); set KMEND_HELPERS to its folder");
		goto out;
	}
	setenv("JOBS", jobs_env, 1);
	status = run_program_stderr(resolve_only ? resolve : prepare, NULL, &out, msg,
				    sizeof(msg));
	if (status) {
		set_error(err, errlen, "kernel %s: %s", name,
			  status < 0 ? msg : "not available (the reason is above)");
		goto out;
	}
	k->release = value_of(out, "KVER");
	k->version = value_of(out, "PKGVER");
	k->source = resolve_only ? NULL : value_of(out, "SOURCE");
	if (!k->release || !k->version || (!resolve_only && !k->source)) {
		set_error(err, errlen, "kernel %s: %s printed no %s", name, helper,
			  !k->release ? "KVER" : !k->version ? "PKGVER" : "SOURCE");
		debian_kernel_free(k);
		goto out;
	}
	ret = 0;
out:
	free(helper);
	free(jobs_env);
	free(out);
	return ret;
}

void debian_kernel_free(struct debian_kernel *k)
{
	free(k->release);
	free(k->version);
	free(k->source);
	memset(k, 0, sizeof(*k));
}
