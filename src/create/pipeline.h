/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The steps of kmend create, in the order of the flow: the patch (patch.c),
 * compiling before and after (compile.c), comparing and building payloads
 * (compare.c), and the pipeline that runs them and emits the module
 * (pipeline.c). The command line is src/cli/create.c.
 */
#ifndef KMEND_PIPELINE_H
#define KMEND_PIPELINE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "decls.h"
#include "payload.h"
#include "sdk.h"
#include "symvers.h"
#include "unit.h"

/* One kmend create: its options, and what the steps found so far. */
struct create {
	const char *source;
	const char *output, *id, *description;
	const char *check_kallsyms, *check_image;	/* run-pre matching now */
	bool dry_run, verbose;
	struct symvers exports;		/* of the image, and of the engine */
	struct sdk sdk;
	struct payload *payloads;	/* per unit */
	struct decls *decls;		/* per unit: what its patch declares */
	unsigned int flags;		/* kmend_update.flags */
	const char *model;		/* --model, or NULL */
	char **payload_paths;
	char **patches;
	int nr_patches;
	char **files;		/* touched .c files */
	size_t nr_files;
	FILE *out, *err;
	const char *work_dir;	/* patched copies, objects, the module */
	char log[PATH_MAX];
	size_t nr_refusals;	/* changes an update cannot carry */
	size_t jobs;		/* compiles at once */
};

/* The files @patch touches, added to @c->files; refuses what kmend cannot take. */
int create_collect_files(struct create *c, const char *patch);
/* Copy the touched files to work/post and apply the patches there. */
int create_patch_copies(struct create *c);

/* Where a unit's objects and patched copy live in the work folder. */
struct unit_paths {
	char pre[PATH_MAX];	/* object before the patch */
	char post[PATH_MAX];	/* object after */
	char src[PATH_MAX];	/* the patched copy */
	char prefix[PATH_MAX];	/* the folder of patched copies */
	char pre_crc[PATH_MAX];	/* genksyms' CRCs of the exports, if any */
	char post_crc[PATH_MAX];
};
int create_unit_paths(const struct create *c, const struct unit *u,
		      struct unit_paths *p);
/* Compile every unit before and after the patch, @c->jobs at a time. */
int create_compile_all(struct create *c, const struct unit *units, size_t n);
/* The end of the build log, after a failed build. */
void create_show_log_tail(struct create *c);

/* Compare unit @index before and after; build its payload if it can be. */
int create_compare_unit(struct create *c, const struct unit *u, size_t index);

/* Everything after the work folder exists: patch, compile, compare, emit. */
int create_pipeline(struct create *c);

#endif /* KMEND_PIPELINE_H */
