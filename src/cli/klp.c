// SPDX-License-Identifier: GPL-2.0
/*
 * Updates in the kernel's livepatch format (kmend create --format klp), as
 * the kmend command drives and reads them: /sys/kernel/livepatch/<module>/
 * has enabled (1: patching or patched; writing 0 reverses), transition
 * (1 while tasks switch), and per object a folder with one folder per
 * function ("<name>,<sympos>") and patched.
 */
#include "klp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "modinfo.h"
#include "util.h"

#define KLP_PREFIX "kmend_"

void klp_module_name(const char *id, char *buf, size_t size)
{
	/* an id is a part of a path: anything else names no module */
	if (!update_id_is_safe(id)) {
		snprintf(buf, size, "%s", "-");
		return;
	}
	snprintf(buf, size, KLP_PREFIX "%s", id);
	for (char *p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
}

/* The first line of /sys/kernel/livepatch/@module/@file, or -1. */
static int read_flag(const char *module, const char *file)
{
	char *path = str_format("%s/%s/%s", KLP_SYSFS_DIR, module, file);
	char *text = path ? file_read_all(path) : NULL;
	int v = text ? atoi(text) : -1;

	free(text);
	free(path);
	return v;
}

static bool is_kmend_patch(const char *name)
{
	return !strncmp(name, KLP_PREFIX, strlen(KLP_PREFIX)) &&
	       name[strlen(KLP_PREFIX)] && read_flag(name, "enabled") >= 0;
}

bool klp_update_loaded(const char *id)
{
	char module[128];

	klp_module_name(id, module, sizeof(module));
	return read_flag(module, "enabled") >= 0;
}

int klp_update_ids(char ***ids, size_t *n)
{
	if (dir_names(KLP_SYSFS_DIR, is_kmend_patch, ids, n))
		return -1;
	for (size_t i = 0; i < *n; i++)
		memmove((*ids)[i], (*ids)[i] + strlen(KLP_PREFIX),
			strlen((*ids)[i]) - strlen(KLP_PREFIX) + 1);
	return 0;
}

int klp_write_enabled(const char *module, bool on)
{
	char *path = str_format("%s/%s/enabled", KLP_SYSFS_DIR, module);
	int ret = sysfs_write(path, on ? "1" : "0");

	free(path);
	return ret;
}

int klp_unload(const char *module)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	int ret = -EBUSY;

	for (int i = 0; i < 100 && (ret == -EBUSY || ret == -EAGAIN); i++) {
		if (i)
			nanosleep(&tick, NULL);
		ret = module_remove(module);
	}
	return ret;
}

bool klp_applied(const char *module)
{
	return read_flag(module, "enabled") == 1 &&
	       read_flag(module, "transition") == 0;
}

int klp_wait(const char *module, unsigned int timeout,
	     volatile sig_atomic_t *interrupted)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };

	for (unsigned int waited = 0; waited < timeout * 20; waited++) {
		if (read_flag(module, "transition") != 1)
			return 0;
		if (*interrupted)
			return -EINTR;
		nanosleep(&tick, NULL);
	}
	return read_flag(module, "transition") == 1 ? -ETIMEDOUT : 0;
}

void klp_progress(void *arg, char *buf, size_t size)
{
	int enabled = read_flag(arg, "enabled");

	snprintf(buf, size, "%s", read_flag(arg, "transition") != 1 ? "" :
		 enabled == 1 ? "livepatch: tasks switching" :
		 "livepatch: tasks switching back");
}

/* Append "@line\n" to *@text (of length *@len); -1 when out of memory. */
static int add_line(char **text, size_t *len, const char *line)
{
	size_t n = strlen(line);
	char *grown = realloc(*text, *len + n + 2);

	if (!grown)
		return -1;
	memcpy(grown + *len, line, n);
	grown[*len + n] = '\n';
	grown[*len + n + 1] = '\0';
	*text = grown;
	*len += n + 1;
	return 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The functions and targets of @module's patch, from its object folders. */
static int read_objects(const char *module, struct live_update *u)
{
	char *path = str_format("%s/%s", KLP_SYSFS_DIR, module);
	size_t flen = 0, tlen = 0;
	DIR *d = path ? opendir(path) : NULL;
	struct dirent *e;
	int ret = 0;

	if (!d) {
		free(path);
		return -1;
	}
	while (!ret && (e = readdir(d))) {
		char *obj = str_format("%s/%s", path, e->d_name), *line;
		struct dirent *f;
		DIR *od;
		int patched;

		if (!obj) {
			ret = -1;
			break;
		}
		if (e->d_name[0] == '.' || !is_dir(obj) || !(od = opendir(obj))) {
			free(obj);
			continue;
		}
		while (!ret && (f = readdir(od))) {
			size_t n = strcspn(f->d_name, ",");

			if (f->d_name[0] == '.' || !f->d_name[n])
				continue;
			line = str_format("%s %.*s -> %s", e->d_name, (int)n, f->d_name,
					  module);
			ret = !line || add_line(&u->functions, &flen, line) ? -1 : 0;
			free(line);
		}
		closedir(od);
		line = str_format("%s/patched", e->d_name);
		patched = line && read_flag(module, line) == 1;
		free(line);
		line = str_format("%s %s", e->d_name, patched ? "patched" : "not loaded");
		ret = ret || !line || add_line(&u->targets, &tlen, line) ? -1 : 0;
		free(line);
		free(obj);
	}
	closedir(d);
	free(path);
	return ret;
}

int klp_update_read(const char *id, struct live_update *u)
{
	char module[128];
	int enabled, transition;

	memset(u, 0, sizeof(*u));
	klp_module_name(id, module, sizeof(module));
	enabled = read_flag(module, "enabled");
	transition = read_flag(module, "transition");
	if (enabled < 0) {
		errno = ENOENT;
		return -1;
	}
	u->klp = true;
	u->id = strdup(id);
	u->module = strdup(module);
	u->stage = strdup(transition == 1 ? (enabled ? "applying" : "reversing") :
			  enabled ? "applied" : "reversed");
	u->abort_cause = strdup("ok");
	u->abort_detail = strdup("");
	u->model = strdup(KLP_MODEL);
	u->description = strdup("");
	u->conflicts = strdup("");
	u->stacked_on = strdup("");
	u->functions = strdup("");
	u->targets = strdup("");
	if (!u->id || !u->module || !u->stage || !u->abort_cause || !u->abort_detail ||
	    !u->model || !u->description || !u->conflicts || !u->stacked_on ||
	    !u->functions || !u->targets || read_objects(module, u)) {
		live_update_free(u);
		if (!klp_update_loaded(id))
			errno = ENOENT;
		return -1;
	}
	return 0;
}
