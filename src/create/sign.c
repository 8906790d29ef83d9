// SPDX-License-Identifier: GPL-2.0
/*
 * Module signatures: the kernel's scripts/sign-file appends a PKCS#7
 * signature and the "~Module signature appended~" marker, which the module
 * loader checks against its trusted keys (builtin, secondary and, with
 * Secure Boot, the machine owner's keys that mokutil enrolls).
 */
#include "sign.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "util.h"

int sign_check_inputs(const char *key, const char *cert, char *err, size_t errlen)
{
	if (!key != !cert)
		return set_error(err, errlen, "--sign-key and --sign-cert go together: the private key signs, the certificate names it in the signature");
	if (!key)
		return 0;
	if (strncmp(key, "pkcs11:", 7) && access(key, R_OK))
		return set_error(err, errlen, "--sign-key %s: %s", key, strerror(errno));
	if (access(cert, R_OK))
		return set_error(err, errlen, "--sign-cert %s: %s", cert, strerror(errno));
	return 0;
}

/* CONFIG_MODULE_SIG_HASH of @source, or "sha256" (Debian's) without one. */
static char *sig_hash(const char *source)
{
	char *path = str_format("%s/include/config/auto.conf", source);
	FILE *f = path ? fopen(path, "r") : NULL;
	char line[256], *hash = NULL;

	while (f && !hash && fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, "CONFIG_MODULE_SIG_HASH=", 23))
			continue;
		v = line + 23;
		v[strcspn(v, "\n")] = '\0';
		if (*v == '"')
			v++;
		v[strcspn(v, "\"")] = '\0';
		hash = strdup(v);
	}
	if (f)
		fclose(f);
	free(path);
	return hash ? hash : strdup("sha256");
}

/* The tree's sign-file, or linux-kbuild's; NULL if there is none. */
static char *sign_file(const char *source)
{
	char *path = str_format("%s/scripts/sign-file", source);
	glob_t g;

	if (path && !access(path, X_OK))
		return path;
	free(path);
	path = NULL;
	if (!glob("/usr/lib/linux-kbuild-*/scripts/sign-file", 0, NULL, &g)) {
		for (size_t i = g.gl_pathc; i-- > 0 && !path;)
			if (!access(g.gl_pathv[i], X_OK))
				path = strdup(g.gl_pathv[i]);
		globfree(&g);
	}
	return path;
}

int sign_module(const char *source, const char *key, const char *cert,
		const char *module, const char *log, char *err, size_t errlen)
{
	char *tool = sign_file(source), *hash = sig_hash(source);
	int ret = -1, status;

	if (!hash) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	if (!tool) {
		set_error(err, errlen, "no sign-file to sign with: %s/scripts/sign-file is not built (make scripts in the tree), and no linux-kbuild package has one",
			  source);
		goto out;
	}
	{
		char *argv[] = { tool, hash, (char *)key, (char *)cert, (char *)module, NULL };
		char msg[256];

		status = run_program(argv, NULL, NULL, log, msg, sizeof(msg));
		if (status) {
			set_error(err, errlen, "signing with %s failed (%s); is %s the private key of %s?",
				  tool, status < 0 ? msg : "see the build log", key, cert);
			goto out;
		}
	}
	ret = 0;
out:
	free(tool);
	free(hash);
	return ret;
}
