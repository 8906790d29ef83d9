/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The last step of kmend create: build kmend-<id>.ko from the units'
 * payloads with Kbuild, against the prepared source tree and the image's
 * Module.symvers, and put it where the user asked.
 */
#ifndef KMEND_EMIT_H
#define KMEND_EMIT_H

#include <stdbool.h>
#include <stdio.h>

#include "sdk.h"
#include "updatemod.h"

struct emit_options {
	const char *source;		/* the prepared tree */
	const char *work_dir;		/* private; the module is built below it */
	const char *log;		/* build log */
	const char *id;
	const char *description;	/* may be NULL */
	const char *output;		/* the .ko to write */
	char *const *patches;
	int nr_patches;
	bool verbose;
	const struct sdk *sdk;
	unsigned int flags;		/* kmend_update.flags */
	const char *model;		/* --model, or NULL */
	enum update_format format;
	/* the kernel's Debian package version (--kernel), or NULL */
	const char *kernel_version;
	/* --sign-key, --sign-cert: sign the module (sign.c), or NULL */
	const char *sign_key, *sign_cert;
	FILE *err;
};

/*
 * Check that the units' declarations and the options fit one update of
 * @o->format (what --dry-run checks too). 0, or -1 after printing why.
 */
int emit_check(const struct emit_options *o, const struct update_unit *units,
	       size_t nr_units);

/* Returns 0, or -1 after printing why to @o->err. */
int emit_update(const struct emit_options *o, const struct update_unit *units,
		size_t nr_units);

/* A default update id from a patch's file name ("fix-umask.patch" ->
 * "fix-umask"), or NULL when out of memory. */
char *emit_default_id(const char *patch);

#endif /* KMEND_EMIT_H */
