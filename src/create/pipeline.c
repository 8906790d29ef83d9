// SPDX-License-Identifier: GPL-2.0
/*
 * kmend create's pipeline: patched copies, compiles before and after,
 * comparison and payloads per unit, the check against a running image
 * (precheck.c), and the update module (emit.c), each step timed for -v.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cross_unit.h"
#include "emit.h"
#include "header_units.h"
#include "pipeline.h"
#include "precheck.h"
#include "refusal_kinds.h"
#include "util.h"

/* Seconds since @since, for -v. */
static double seconds_since(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) +
	       (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static void step_done(struct create *c, const char *step, struct timespec *since)
{
	if (c->verbose)
		fprintf(c->err, "kmend create: %s: %.2f s\n", step, seconds_since(since));
	clock_gettime(CLOCK_MONOTONIC, since);
}

/*
 * The touched units, then those the changed headers reach. A touched .c
 * file that is not a unit but is included by one is a header here.
 */
static int find_units(struct create *c, struct unit **units)
{
	char errbuf[512];

	*units = calloc(c->nr_files ? c->nr_files : 1, sizeof(**units));
	if (!*units) {
		fprintf(c->err, "kmend create: out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < c->nr_files;) {
		int r = unit_lookup(c->source, c->files[i], c->work_dir, c->err,
				    &(*units)[c->nr_units], errbuf, sizeof(errbuf));

		if (!r) {
			c->nr_units++;
			i++;
			continue;
		}
		if (r == 1) {
			r = header_units_adopt(c, i);
			if (r == 1)
				continue;	/* c->files[i] is the next one now */
		}
		if (!r)
			fprintf(c->err, "kmend create: %s\n", errbuf);
		return -1;
	}
	if (header_units_mirror(c))
		return -1;
	return header_units_find(c, units, &c->nr_units);
}

/* What the patch adds in one unit and uses from another (cross_unit.c). */
static int find_shared(struct create *c, const struct unit *units, size_t n)
{
	char **pre = calloc(n ? n : 1, sizeof(*pre)), **post = calloc(n ? n : 1, sizeof(*post));
	char errbuf[512];
	int ret = -1;

	if (!pre || !post) {
		fprintf(c->err, "kmend create: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct unit_paths p;

		if (create_unit_paths(c, &units[i], &p) || !(pre[i] = strdup(p.pre)) ||
		    !(post[i] = strdup(p.post))) {
			fprintf(c->err, "kmend create: out of memory\n");
			goto out;
		}
	}
	if (cross_unit_symbols(pre, post, n, &c->shared, &c->nr_shared, errbuf,
			       sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s\n", errbuf);
		goto out;
	}
	for (size_t i = 0; i < c->nr_shared; i++)
		fprintf(c->out, "across units: %s, new in one unit and used by another, is the update's own\n",
			c->shared[i]);
	ret = 0;
out:
	for (size_t i = 0; i < n; i++) {
		if (pre)
			free(pre[i]);
		if (post)
			free(post[i]);
	}
	free(pre);
	free(post);
	return ret;
}

int create_pipeline(struct create *c)
{
	struct unit *units = NULL;
	struct update_unit *parts = NULL;
	struct timespec step;
	char errbuf[512], *symvers = NULL;
	size_t n = 0, nr_parts = 0;
	int ret = -1;

	clock_gettime(CLOCK_MONOTONIC, &step);
	symvers = str_format("%s/Module.symvers", c->source);
	if (!symvers) {
		fprintf(c->err, "kmend create: out of memory\n");
		goto out;
	}
	if (symvers_load(&c->exports, symvers, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s: the tree needs the Module.symvers of the kernel image it is the source of\n",
			errbuf);
		goto out;
	}
	/* update code may call the engine (kmend/shadow.h): the loader links it */
	free(symvers);
	symvers = str_format("%s/Module.symvers", c->sdk.engine_dir);
	if (!symvers || symvers_add(&c->exports, symvers, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s\n", symvers ? errbuf : "out of memory");
		goto out;
	}
	if (create_patch_copies(c))
		goto out;
	step_done(c, "patched copies", &step);
	if (find_units(c, &units))
		goto out;
	n = c->nr_units;
	step_done(c, "Kbuild's commands", &step);
	parts = calloc(n ? n : 1, sizeof(*parts));
	c->payloads = calloc(n ? n : 1, sizeof(*c->payloads));
	c->decls = calloc(n ? n : 1, sizeof(*c->decls));
	c->payload_paths = calloc(n ? n : 1, sizeof(*c->payload_paths));
	if (!parts || !c->payloads || !c->decls || !c->payload_paths) {
		fprintf(c->err, "kmend create: out of memory\n");
		goto out;
	}
	if (create_compile_all(c, units, n)) {
		create_show_log_tail(c);
		goto out;
	}
	step_done(c, "compiles before and after", &step);
	if (find_shared(c, units, n))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (create_compare_unit(c, &units[i], i))
			goto out;
	if (c->nr_same_units)
		fprintf(c->out, "headers: %zu of the units they reach compile to the same code\n",
			c->nr_same_units);
	step_done(c, "comparison and payloads", &step);
	if (c->nr_refusals) {
		fprintf(c->err, "kmend create: %zu change%s cannot be live patched as written (\"refused\" above)\n",
			c->nr_refusals, c->nr_refusals == 1 ? "" : "s");
		goto out;
	}
	{
		size_t funcs = 0;

		/* a callback or hook is something to apply, too */
		for (size_t i = 0; i < n; i++)
			funcs += c->payloads[i].nr_funcs + c->payloads[i].nr_named;
		if (!funcs && c->nr_next_boot) {
			/* nothing else: no update can do anything for it */
			fprintf(c->err, "kmend create: the patches change only __init or __exit parts (\"next boot\" above), which the running kernel has already run or runs only at unload: a live update cannot carry them; they take effect with a reboot into a new build (or a module loaded from one) (kmend explain " REFUSE_INIT_ONLY ")\n");
			goto out;
		}
		if (funcs && c->nr_next_boot)
			fprintf(c->out, "next boot: %zu __init or __exit part%s of the change %s not carried; the update carries the rest\n",
				c->nr_next_boot, c->nr_next_boot == 1 ? "" : "s",
				c->nr_next_boot == 1 ? "is" : "are");
		if (!funcs && c->dry_run) {
			fprintf(c->out, "nothing to replace: the patches change no function the running kernel has\n");
		} else if (!funcs) {
			fprintf(c->err, "kmend create: the patches change no function the running kernel has: nothing to replace\n");
			goto out;
		}
	}
	if (c->check_kallsyms) {
		const char **targets = calloc(n, sizeof(*targets));
		int r;

		if (!targets) {
			fprintf(c->err, "kmend create: out of memory\n");
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			targets[i] = units[i].target;
		r = precheck_run(c->check_kallsyms, c->check_image, c->payloads,
				 targets, n, c->out, errbuf, sizeof(errbuf));
		free(targets);
		if (r < 0) {
			fprintf(c->err, "kmend create: %s\n", errbuf);
			goto out;
		}
		if (r) {
			fprintf(c->err, "kmend create: the pre code does not match %s: the update is built from other source, configuration or compiler options than that kernel; the engine would refuse it (no_match)\n",
				c->check_image);
			goto out;
		}
		step_done(c, "run-pre matching against the image", &step);
	}
	for (size_t i = 0; i < n; i++) {
		/* the units headers reach: those with something to carry */
		if (i >= c->nr_files && !c->payloads[i].nr_funcs &&
		    !c->payloads[i].nr_named && !c->decls[i].nr)
			continue;
		parts[nr_parts].target = units[i].target;
		parts[nr_parts].payload = &c->payloads[i];
		parts[nr_parts].payload_path = c->payload_paths[i];
		parts[nr_parts++].decls = &c->decls[i];
	}
	{
		struct emit_options o = {
			.source = c->source, .work_dir = c->work_dir, .log = c->log,
			.id = c->id, .description = c->description,
			.output = c->output, .patches = c->patches,
			.nr_patches = c->nr_patches, .verbose = c->verbose,
			.sdk = &c->sdk, .flags = c->flags, .model = c->model,
			.format = c->format,
			.sign_key = c->sign_key, .sign_cert = c->sign_cert,
			.kernel_version = c->kernel_version,
			.err = c->err,
		};

		if (c->dry_run) {
			ret = emit_check(&o, parts, nr_parts) ? -1 : 0;
			goto out;
		}
		if (emit_update(&o, parts, nr_parts)) {
			create_show_log_tail(c);
			goto out;
		}
	}
	step_done(c, "update module", &step);
	fprintf(c->out, "wrote %s (update id %s)\n", c->output, c->id);
	ret = 0;
out:
	for (size_t i = 0; i < c->nr_units; i++) {
		if (units)
			unit_free(&units[i]);
		if (c->payloads)
			payload_free(&c->payloads[i]);
		if (c->payload_paths)
			free(c->payload_paths[i]);
		if (c->decls)
			decls_free(&c->decls[i]);
	}
	free(units);
	free(parts);
	free(c->payloads);
	free(c->decls);
	free(c->payload_paths);
	free(symvers);
	symvers_free(&c->exports);
	strv_free(c->types_refused, c->nr_types_refused);
	strv_free(c->shared, c->nr_shared);
	strv_free(c->std_dirs, c->nr_std_dirs);
	return ret;
}
