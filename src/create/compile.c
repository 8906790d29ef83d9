// SPDX-License-Identifier: GPL-2.0
/*
 * Compiling the touched units before and after the patch, in parallel, with
 * the commands Kbuild would use (unit.c), into the work folder.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "function_sections.h"
#include "pipeline.h"
#include "pre_cache.h"
#include "progress.h"
#include "run.h"
#include "util.h"

int create_unit_paths(const struct create *c, const struct unit *u,
		      struct unit_paths *p)
{
	return path_printf(p->pre, sizeof(p->pre), "%s/pre/%s", c->work_dir, u->object) ||
	       path_printf(p->post, sizeof(p->post), "%s/post/%s", c->work_dir, u->object) ||
	       path_printf(p->src, sizeof(p->src), "%s/src/%s", c->work_dir, u->kbuild_source) ||
	       path_printf(p->prefix, sizeof(p->prefix), "%s/src", c->work_dir) ||
	       path_printf(p->pre_crc, sizeof(p->pre_crc), "%s.crc", p->pre) ||
	       path_printf(p->post_crc, sizeof(p->post_crc), "%s.crc", p->post) ||
	       path_printf(p->pre_text, sizeof(p->pre_text), "%s.i", p->pre) ||
	       path_printf(p->post_text, sizeof(p->post_text), "%s.i", p->post) ||
	       path_printf(p->pre_digest, sizeof(p->pre_digest), "%s.digest", p->pre) ||
	       make_parent_dirs(p->pre) || make_parent_dirs(p->post) ||
	       /* Kbuild's path may go through another folder: "a/../b/x.c" */
	       make_parent_dirs(p->src) ? -1 : 0;
}

/* A job in progress: its process and its number. */
struct job {
	pid_t pid;
	size_t index;
};

/* The progress line's detail: jobs done of all. */
struct jobs_count {
	size_t done, total;
};

static void jobs_detail(void *arg, char *buf, size_t size)
{
	const struct jobs_count *n = arg;

	snprintf(buf, size, "%zu of %zu", n->done, n->total);
}

int create_run_jobs(struct create *c, size_t n, const char *what,
		    const struct create_jobs *ops, void *arg)
{
	struct job *jobs = calloc(c->jobs, sizeof(*jobs));
	struct jobs_count count = { .total = n };
	struct progress *bar = NULL;
	size_t next = 0, running = 0;
	bool failed = false;

	if (!jobs) {
		fprintf(c->err, "kmend create: out of memory\n");
		return -1;
	}
	if (what && !c->verbose)
		bar = progress_start(c->err, what, jobs_detail, &count);
	while (running || (next < n && !failed)) {
		int status;
		pid_t pid;
		size_t slot;

		if (!failed && next < n && running < c->jobs) {
			for (slot = 0; jobs[slot].pid; slot++)
				;
			jobs[slot].index = next;
			jobs[slot].pid = ops->start(c, next, arg);
			next++;
			if (jobs[slot].pid < 0) {
				jobs[slot].pid = 0;
				failed = true;
			} else if (!jobs[slot].pid) {
				count.done++;	/* nothing to run */
			} else {
				running++;
			}
			continue;
		}
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (slot = 0; slot < c->jobs && jobs[slot].pid != pid; slot++)
			;
		if (slot == c->jobs)
			continue;
		run_reaped(pid);
		jobs[slot].pid = 0;
		running--;
		count.done++;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			progress_stop(bar);
			bar = NULL;
			ops->failed_msg(c, jobs[slot].index,
					WIFEXITED(status) ? WEXITSTATUS(status) : -1, arg);
			failed = true;
		} else if (ops->finished && ops->finished(c, jobs[slot].index, arg)) {
			failed = true;
		}
	}
	progress_stop(bar);
	free(jobs);
	return failed ? -1 : 0;
}

pid_t create_start_command(struct create *c, char *cmd, const char *why_not)
{
	char *argv[] = { "sh", "-c", cmd, NULL };
	char errbuf[512];
	pid_t pid;

	if (!cmd) {
		fprintf(c->err, "kmend create: %s\n", why_not);
		return -1;
	}
	pid = run_start(argv, c->source, c->log, errbuf, sizeof(errbuf));
	if (pid < 0)
		fprintf(c->err, "kmend create: %s\n", errbuf);
	free(cmd);
	return pid;
}

/* The units being compiled, and which came from the cache of pre objects. */
struct compile_set {
	const struct unit *units;
	struct pre_cache cache;
	bool *cached;
};

/* The command of @u before the patch as the cache knows it: a fixed output. */
static char *cache_key(const struct unit *u)
{
	char errbuf[64];

	return unit_compile_command(u, u->kbuild_source, "kmend-pre.o", NULL, NULL,
				    errbuf, sizeof(errbuf));
}

/*
 * Job 2i compiles unit i before the patch (or takes it from the cache:
 * nothing to run), job 2i + 1 after.
 */
static pid_t start_compile(struct create *c, size_t job, void *arg)
{
	struct compile_set *set = arg;
	const struct unit *u = &set->units[job / 2];
	bool after = job % 2;
	struct unit_paths p;
	char errbuf[512], *key;

	if (create_unit_paths(c, u, &p)) {
		fprintf(c->err, "kmend create: cannot create %s\n", c->work_dir);
		return -1;
	}
	if (!after && (key = cache_key(u))) {
		set->cached[job / 2] = pre_cache_get(&set->cache, c->source, u->object,
						     key, p.pre);
		free(key);
		if (set->cached[job / 2])
			return 0;
	}
	if (c->verbose)
		fprintf(c->err, "  CC      %s (%s the patch, for %s)\n", u->path,
			after ? "after" : "before", u->target);
	return create_start_command(c, after ?
		unit_compile_command(u, p.src, p.post, p.prefix, c->sdk.include_dir,
				     errbuf, sizeof(errbuf)) :
		unit_compile_command(u, u->kbuild_source, p.pre, NULL, NULL,
				     errbuf, sizeof(errbuf)), errbuf);
}

static void compile_failed(struct create *c, size_t job, int status, void *arg)
{
	const struct compile_set *set = arg;

	fprintf(c->err, "kmend create: compiling %s %s the patch failed (exit %d)\n",
		set->units[job / 2].path, job % 2 ? "after" : "before", status);
}

static const struct create_jobs compile_jobs = {
	.start = start_compile,
	.failed_msg = compile_failed,
};

/*
 * An assembly unit's objects, before and after, with each function in a
 * section of its own, as the other steps expect (function_sections.c).
 */
static int cut_functions(struct create *c, const struct unit *u)
{
	struct unit_paths p;
	char errbuf[512];
	bool cut;

	if (create_unit_paths(c, u, &p)) {
		fprintf(c->err, "kmend create: cannot create %s\n", c->work_dir);
		return -1;
	}
	if (function_sections_split(p.pre, &cut, errbuf, sizeof(errbuf)) ||
	    function_sections_split(p.post, &cut, errbuf, sizeof(errbuf))) {
		fprintf(c->err, "kmend create: %s: %s\n", u->path, errbuf);
		return -1;
	}
	if (c->verbose && cut)
		fprintf(c->err, "  CUT     %s (assembly: a section per function)\n", u->path);
	return 0;
}

int create_compile_all(struct create *c, const struct unit *units, size_t n)
{
	struct compile_set set = { .units = units };
	size_t from_cache = 0;
	int ret;

	set.cached = calloc(n ? n : 1, sizeof(*set.cached));
	if (!set.cached) {
		fprintf(c->err, "kmend create: out of memory\n");
		return -1;
	}
	pre_cache_open(&set.cache, c->source);	/* none: compile everything */
	ret = create_run_jobs(c, 2 * n, n > 4 ? "compiling" : NULL, &compile_jobs, &set);
	for (size_t i = 0; !ret && i < n; i++) {
		struct unit_paths p;
		char *key;

		if (set.cached[i]) {
			from_cache++;
			continue;
		}
		if (create_unit_paths(c, &units[i], &p) || !(key = cache_key(&units[i])))
			continue;
		pre_cache_put(&set.cache, units[i].object, key, p.pre);
		free(key);
	}
	for (size_t i = 0; !ret && i < n; i++)
		if (units[i].assembly && cut_functions(c, &units[i]))
			ret = -1;
	if (!ret && from_cache)
		fprintf(c->out, "pre objects: %zu of %zu from this tree's cache: %zu compile%s after the patch, %zu before\n",
			from_cache, n, n, n == 1 ? "" : "s", n - from_cache);
	pre_cache_trim(&set.cache);
	pre_cache_close(&set.cache);
	free(set.cached);
	return ret;
}

void create_show_log_tail(struct create *c)
{
	char *argv[] = { "tail", "-n", "20", c->log, NULL };
	char *text = NULL, errbuf[64];

	if (!run_program(argv, NULL, &text, NULL, errbuf, sizeof(errbuf)) && text && *text)
		fprintf(c->err, "kmend create: last lines of the build log:\n%s", text);
	free(text);
}
