// SPDX-License-Identifier: GPL-2.0
/*
 * Talking to the engine: module loading through finit_module() and
 * delete_module(), and the update directories below /sys/kernel/kmend.
 */
#include "engine.h"
#include "module_sig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "klp.h"
#include "modinfo.h"
#include "util.h"

void kernel_release(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) == 0)
		snprintf(buf, len, "%s", u.release);
	else
		snprintf(buf, len, "unknown");
}

bool engine_loaded(void)
{
	return access(KMEND_SYSFS_DIR, F_OK) == 0;
}

int engine_check_version(char *err, size_t errlen)
{
	char buf[64] = "";
	FILE *f = fopen("/sys/module/kmend/version", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
		buf[strcspn(buf, "\n")] = '\0';
	}
	if (strcmp(buf, KMEND_VERSION) == 0)
		return 0;
	return set_error(err, errlen,
			 "the loaded kmend engine is version %s, this command %s; undo its updates ('kmend undo --all'), unload it ('rmmod kmend') and try again",
			 *buf ? buf : "unknown (older)", KMEND_VERSION);
}

char *engine_path(const char *explicit)
{
	const char *env = getenv("KMEND_ENGINE");
	char release[128];

	if (explicit)
		return strdup(explicit);
	if (env && *env)
		return strdup(env);
	kernel_release(release, sizeof(release));
	return str_format("/lib/modules/%s/extra/kmend.ko", release);
}

int module_insert(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0) != 0)
		ret = -errno;
	close(fd);
	return ret;
}

int module_remove(const char *name)
{
	if (syscall(SYS_delete_module, name, O_NONBLOCK) != 0)
		return -errno;
	return 0;
}

int engine_load(const char *path, char *err, size_t errlen)
{
	struct modinfo mi;
	char msg[256];
	const char *name;
	int ret;

	if (access(path, R_OK) != 0)
		return set_error(err, errlen,
				 "the kmend engine is not loaded, and %s: %s; install it ('make install' in the kmend source) or name it with --engine FILE or $KMEND_ENGINE",
				 path, strerror(errno));
	if (modinfo_read(&mi, path, msg, sizeof(msg)))
		return set_error(err, errlen, "the kmend engine is not loaded, and %s", msg);
	name = modinfo_get(&mi, "name");
	if (!name || strcmp(name, "kmend") != 0) {
		set_error(err, errlen, "%s is not the kmend engine (its module is named %s)",
			  path, name ? name : "nothing");
		modinfo_free(&mi);
		return -1;
	}
	modinfo_free(&mi);
	ret = module_insert(path);
	if (ret == 0 || ret == -EEXIST) {
		if (engine_loaded())
			return 0;
		if (ret == 0)
			module_remove("kmend");
		return set_error(err, errlen,
				 "%s: a module named kmend %s, but %s did not appear: it is not the kmend engine",
				 path, ret ? "is loaded" : "loaded", KMEND_SYSFS_DIR);
	}
	if (module_sig_refused(ret, path, "install it with 'make install SIGN_KEY=KEY SIGN_CERT=CERT' in the kmend source",
			       err, errlen))
		return -EKEYREJECTED;
	return set_error(err, errlen,
			 "the kmend engine %s did not load: %s%s", path,
			 strerror(-ret),
			 ret == -ENOEXEC || ret == -EINVAL ?
			 " (was it built for another kernel? 'dmesg' says why)" :
			 " ('dmesg' says why)");
}

static char *attr_path(const char *id, const char *attr)
{
	return str_format("%s/%s/%s", KMEND_SYSFS_DIR, id, attr);
}

void transition_left(const char *text, char *buf, size_t size)
{
	char what[16];
	unsigned int left;

	if (!size)
		return;
	*buf = '\0';
	if (!text || sscanf(text, "%15s %u", what, &left) != 2)
		return;
	if (strcmp(what, "applying") && strcmp(what, "undoing") &&
	    strcmp(what, "reversing"))
		return;
	snprintf(buf, size, "%s%u task%s left",
		 strcmp(what, "reversing") ? "" : "reversing, ", left,
		 left == 1 ? "" : "s");
}

void transition_progress(void *arg, char *buf, size_t size)
{
	char *text = update_attr(arg, "transition");

	transition_left(text, buf, size);
	free(text);
}

bool update_loaded(const char *id)
{
	char *path = attr_path(id, "stage");
	bool ret = path && access(path, F_OK) == 0;

	free(path);
	return ret;
}

char *update_attr(const char *id, const char *attr)
{
	char *path = attr_path(id, attr), *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, saved;
	ssize_t n;

	if (!path)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	saved = errno;
	free(path);
	if (fd < 0) {
		errno = saved;
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *more = realloc(buf, cap + 4096 + 1);

			if (!more) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return NULL;
			}
			buf = more;
			cap += 4096;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	saved = errno;
	close(fd);
	if (n < 0) {
		free(buf);
		errno = saved;
		return NULL;
	}
	if (len && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	return buf;
}

int sysfs_write(const char *path, const char *text)
{
	int fd, ret = 0;

	if (!path)
		return -ENOMEM;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int update_write_stage(const char *id, const char *stage)
{
	char *path = attr_path(id, "stage");
	int ret;

	/* the engine's retries sleep interruptibly: a signal aborts them */
	ret = sysfs_write(path, stage);
	free(path);
	return ret;
}

int engine_update_ids(char ***ids, size_t *n)
{
	/* no engine, no updates */
	return dir_names(KMEND_SYSFS_DIR, update_loaded, ids, n);
}

int update_ids(char ***ids, size_t *n)
{
	char **klp, **all;
	size_t nklp;

	if (engine_update_ids(ids, n))
		return -1;
	if (klp_update_ids(&klp, &nklp)) {
		strv_free(*ids, *n);
		return -1;
	}
	if (!nklp) {
		free(klp);
		return 0;
	}
	all = realloc(*ids, (*n + nklp) * sizeof(*all));
	if (!all) {
		strv_free(*ids, *n);
		strv_free(klp, nklp);
		errno = ENOMEM;
		return -1;
	}
	memcpy(all + *n, klp, nklp * sizeof(*klp));
	free(klp);
	*ids = all;
	*n += nklp;
	strv_sort(all, *n);
	return 0;
}

void update_ids_free(char **ids, size_t n)
{
	strv_free(ids, n);
}

int live_update_read(const char *id, struct live_update *u)
{
	/* optional: files an engine older than this command lacks */
	struct { const char *name; char **field; bool optional; } attrs[] = {
		{ "module", &u->module, true },
		{ "stage", &u->stage, false },
		{ "abort_cause", &u->abort_cause, false },
		{ "abort_detail", &u->abort_detail, true },
		{ "model", &u->model, false },
		{ "description", &u->description, false },
		{ "functions", &u->functions, false },
		{ "conflicts", &u->conflicts, false },
		{ "stacked_on", &u->stacked_on, true },
		{ "targets", &u->targets, true },
	};
	char *applied_at;

	memset(u, 0, sizeof(*u));
	if (!update_loaded(id))
		return klp_update_read(id, u);
	u->id = strdup(id);
	if (!u->id)
		goto fail;
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		*attrs[i].field = update_attr(id, attrs[i].name);
		if (!*attrs[i].field && errno == ENOENT && attrs[i].optional &&
		    update_loaded(id))
			*attrs[i].field = strdup("");
		if (!*attrs[i].field)
			goto fail;
	}
	applied_at = update_attr(id, "applied_at");
	u->applied_at = applied_at ? strtoll(applied_at, NULL, 10) : 0;
	free(applied_at);
	return 0;
fail:
	/* an update unloaded while reading is gone */
	live_update_free(u);
	if (!update_loaded(id))
		errno = ENOENT;
	return -1;
}

void live_update_free(struct live_update *u)
{
	free(u->id);
	free(u->module);
	free(u->stage);
	free(u->abort_cause);
	free(u->abort_detail);
	free(u->model);
	free(u->description);
	free(u->functions);
	free(u->conflicts);
	free(u->stacked_on);
	free(u->targets);
	memset(u, 0, sizeof(*u));
}

/*
 * The next line of @*lines into @buf (cut to fit), moving past it; false
 * at the end. A field read from @buf cannot run into the next line.
 */
static bool next_line(const char **lines, char *buf, size_t size)
{
	const char *p = *lines;
	size_t len;

	if (!p || !*p)
		return false;
	len = strcspn(p, "\n");
	snprintf(buf, size, "%.*s", (int)len, p);
	*lines = p + len + (p[len] != '\0');
	return true;
}

void live_functions_each(const char *functions,
			 void (*fn)(const struct live_function *f, void *arg),
			 void *arg)
{
	char line[1024], target[64], old[256], repl[256], via[64];

	while (next_line(&functions, line, sizeof(line))) {
		const char *v = strstr(line, " via=");

		if (sscanf(line, "%63s %255s -> %255s", target, old, repl) != 3)
			continue;
		via[0] = '\0';
		if (v)
			sscanf(v + 5, "%63s", via);
		fn(&(struct live_function){ target, old, repl, via }, arg);
	}
}

void live_conflicts_each(const char *conflicts,
			 void (*fn)(const char *comm, int pid, const char *func,
				    void *arg),
			 void *arg)
{
	char line[1024], comm[64], func[256];
	int pid;

	while (next_line(&conflicts, line, sizeof(line)))
		if (sscanf(line, "%63s %d %255s", comm, &pid, func) == 3)
			fn(comm, pid, func, arg);
}

/* Is @id one of the lines of @lines? */
static bool has_line(const char *lines, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = lines; p && *p; p += strcspn(p, "\n")) {
		if (*p == '\n')
			p++;
		if (strncmp(p, id, n) == 0 && (p[n] == '\n' || !p[n]))
			return true;
	}
	return false;
}

char *update_stacked_above(const char *id)
{
	char **ids, *found = NULL;
	size_t n;

	if (update_ids(&ids, &n))
		return NULL;
	for (size_t i = 0; i < n && !found; i++) {
		char *on = update_attr(ids[i], "stacked_on");

		if (on && has_line(on, id))
			found = strdup(ids[i]);
		free(on);
	}
	update_ids_free(ids, n);
	return found;
}
