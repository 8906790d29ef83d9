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
#include <sys/types.h>

#include "decls.h"
#include "payload.h"
#include "sdk.h"
#include "symvers.h"
#include "unit.h"
#include "updatemod.h"

/* One kmend create: its options, and what the steps found so far. */
struct create {
	const char *source;
	const char *output, *id, *description;
	const char *check_kallsyms, *check_image;	/* run-pre matching now */
	const char *sign_key, *sign_cert;	/* sign the module (sign.c) */
	const char *kernel_version;	/* Debian's, with --kernel: in modinfo */
	bool dry_run, verbose;
	struct symvers exports;		/* of the image, and of the engine */
	struct sdk sdk;
	struct payload *payloads;	/* per unit */
	struct decls *decls;		/* per unit: what its patch declares */
	unsigned int flags;		/* kmend_update.flags */
	const char *model;		/* --model, or NULL */
	enum update_format format;	/* --format */
	char **payload_paths;
	char **patches;
	int nr_patches;
	char **files;		/* touched .c files */
	size_t nr_files;
	char **headers;		/* touched headers */
	size_t nr_headers;
	size_t nr_units;	/* compiled: the touched, then those headers reach */
	size_t max_units;	/* --max-units: 0, no limit */
	size_t nr_same_units;	/* of those headers reach: no code changed */
	size_t nr_next_boot;	/* changed __init/__exit parts, not replaced */
	FILE *out, *err;
	const char *work_dir;	/* patched copies, objects, the module */
	char log[PATH_MAX];
	size_t nr_refusals;	/* changes an update cannot carry */
	char **std_dirs;	/* the tree's standard -I folders, once read */
	size_t nr_std_dirs;
	char **shared;		/* new in one unit, used by another */
	size_t nr_shared;
	char **types_refused;	/* types whose layout change was said */
	size_t nr_types_refused;
	size_t jobs;		/* compiles at once */
};

/* The files @patch touches, added to @c->files; refuses what kmend cannot take. */
int create_collect_files(struct create *c, const char *patch);
/* Copy the touched files to work/src and apply the patches there. */
int create_patch_copies(struct create *c);

/* Where a unit's objects and patched copy live in the work folder. */
struct unit_paths {
	char pre[PATH_MAX];	/* object before the patch */
	char post[PATH_MAX];	/* object after */
	char src[PATH_MAX];	/* the patched copy */
	char prefix[PATH_MAX];	/* the folder of patched copies */
	char pre_crc[PATH_MAX];	/* genksyms' CRCs of the exports, if any */
	char post_crc[PATH_MAX];
	char pre_text[PATH_MAX];	/* the preprocessed text, for a while */
	char post_text[PATH_MAX];
	char pre_digest[PATH_MAX];	/* code_digest.c's of pre_text */
};
int create_unit_paths(const struct create *c, const struct unit *u,
		      struct unit_paths *p);
/* Compile every unit before and after the patch, @c->jobs at a time. */
int create_compile_all(struct create *c, const struct unit *units, size_t n);
/* What create_run_jobs runs: job i's start, end and failure. */
struct create_jobs {
	/* start job i: a pid, 0 when there is nothing to run, or -1 (said) */
	pid_t (*start)(struct create *c, size_t i, void *arg);
	/* after job i exited 0, if set: 0, or -1 (said) to stop */
	int (*finished)(struct create *c, size_t i, void *arg);
	/* say why job i, which exited with @status, failed */
	void (*failed_msg)(struct create *c, size_t i, int status, void *arg);
};
/*
 * Run jobs 0 .. @n - 1, @c->jobs at a time, as @ops says. With @what, a
 * progress line on a terminal ("compiling... 12 of 80").
 * After a failure nothing new starts, the running ones finish. 0 or -1.
 */
int create_run_jobs(struct create *c, size_t n, const char *what,
		    const struct create_jobs *ops, void *arg);
/*
 * Start the shell command @cmd (freed here) in the source tree, its output
 * into the log; a NULL @cmd failed to be made, and @why_not says why.
 * The pid, or -1 with a message.
 */
pid_t create_start_command(struct create *c, char *cmd, const char *why_not);
/* The end of the build log, after a failed build. */
void create_show_log_tail(struct create *c);

/* Compare unit @index before and after; build its payload if it can be. */
int create_compare_unit(struct create *c, const struct unit *u, size_t index);

/* Everything after the work folder exists: patch, compile, compare, emit. */
int create_pipeline(struct create *c);

#endif /* KMEND_PIPELINE_H */
