// SPDX-License-Identifier: GPL-2.0
/*
 * Compiling the touched units before and after the patch, in parallel, with
 * the commands Kbuild would use (unit.c), into the work folder.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "pipeline.h"
#include "run.h"
#include "util.h"

int create_unit_paths(const struct create *c, const struct unit *u,
		      struct unit_paths *p)
{
	return path_printf(p->pre, sizeof(p->pre), "%s/pre/%s", c->work_dir, u->object) ||
	       path_printf(p->post, sizeof(p->post), "%s/post/%s", c->work_dir, u->object) ||
	       path_printf(p->src, sizeof(p->src), "%s/post/%s", c->work_dir, u->kbuild_source) ||
	       path_printf(p->prefix, sizeof(p->prefix), "%s/post", c->work_dir) ||
	       path_printf(p->pre_crc, sizeof(p->pre_crc), "%s.crc", p->pre) ||
	       path_printf(p->post_crc, sizeof(p->post_crc), "%s.crc", p->post) ||
	       make_parent_dirs(p->pre) || make_parent_dirs(p->post) ||
	       /* Kbuild's path may go through another folder: "a/../b/x.c" */
	       make_parent_dirs(p->src) ? -1 : 0;
}

/* A compile in progress: its process, unit and side of the patch. */
struct compile_job {
	pid_t pid;
	const struct unit *unit;
	int after;
};

/* Start compiling @u before or after the patch; -1 with a message. */
static pid_t start_compile(struct create *c, const struct unit *u, int after)
{
	struct unit_paths p;
	char errbuf[512], *cmd;
	pid_t pid;

	if (create_unit_paths(c, u, &p)) {
		fprintf(c->err, "kmend create: cannot create %s\n", c->work_dir);
		return -1;
	}
	cmd = after ? unit_compile_command(u, p.src, p.post, p.prefix,
					   c->sdk.include_dir, errbuf, sizeof(errbuf))
		    : unit_compile_command(u, u->kbuild_source, p.pre, NULL, NULL, errbuf,
					   sizeof(errbuf));
	if (!cmd) {
		fprintf(c->err, "kmend create: %s\n", errbuf);
		return -1;
	}
	if (c->verbose)
		fprintf(c->err, "  CC      %s (%s the patch, for %s)\n", u->path,
			after ? "after" : "before", u->target);
	{
		char *argv[] = { "sh", "-c", cmd, NULL };

		pid = run_start(argv, c->source, c->log, errbuf, sizeof(errbuf));
	}
	if (pid < 0)
		fprintf(c->err, "kmend create: %s\n", errbuf);
	free(cmd);
	return pid;
}

int create_compile_all(struct create *c, const struct unit *units, size_t n)
{
	struct compile_job *jobs = calloc(c->jobs, sizeof(*jobs));
	size_t next = 0, total = 2 * n, running = 0;
	bool failed = false;

	if (!jobs) {
		fprintf(c->err, "kmend create: out of memory\n");
		return -1;
	}
	while (running || (next < total && !failed)) {
		int status;
		pid_t pid;
		size_t slot;

		if (!failed && next < total && running < c->jobs) {
			for (slot = 0; jobs[slot].pid; slot++)
				;
			jobs[slot].unit = &units[next / 2];
			jobs[slot].after = (int)(next % 2);
			jobs[slot].pid = start_compile(c, jobs[slot].unit,
						       jobs[slot].after);
			next++;
			if (jobs[slot].pid < 0) {
				jobs[slot].pid = 0;
				failed = true;
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
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(c->err, "kmend create: compiling %s %s the patch failed (exit %d)\n",
				jobs[slot].unit->path,
				jobs[slot].after ? "after" : "before",
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			failed = true;
		}
	}
	free(jobs);
	return failed ? -1 : 0;
}

void create_show_log_tail(struct create *c)
{
	char *argv[] = { "tail", "-n", "20", c->log, NULL };
	char *text = NULL, errbuf[64];

	if (!run_program(argv, NULL, &text, NULL, errbuf, sizeof(errbuf)) && text && *text)
		fprintf(c->err, "kmend create: last lines of the build log:\n%s", text);
	free(text);
}
