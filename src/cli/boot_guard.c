// SPDX-License-Identifier: GPL-2.0
/*
 * The crash-loop guard. kmend.service applies the installed updates at
 * boot; an update that makes the machine crash or hang then would be applied
 * again at every boot. So, before applying one at boot, kmend writes
 * KMEND_BOOT_DIR/pending/RELEASE/ID holding this boot's id
 * (/proc/sys/kernel/random/boot_id) and flushes it to disk;
 * kmend-healthy.timer (some minutes after boot), and an orderly shutdown,
 * run kmend apply --boot-healthy, which removes the pending marks of this
 * boot. A pending mark of another boot found at the next boot means that
 * boot ended without reaching the mark: the update is held
 * (held/RELEASE/ID, with why), and kmend apply --installed skips it until
 * it is released (kmend apply --release-hold) or installed again. Marks are
 * kept per kernel release: the same update id built for two kernels is two
 * builds.
 */
#include "boot_guard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

static int make_dir(const char *sub)
{
	char *path = str_format("%s/%s/x", KMEND_BOOT_DIR, sub);
	int ret = path ? make_parent_dirs(path) : -1;

	free(path);
	return ret;
}

/* Write @text to KMEND_BOOT_DIR/@sub/@id through a flushed temporary file. */
static int write_mark(const char *sub, const char *id, const char *text)
{
	char *path = str_format("%s/%s/%s", KMEND_BOOT_DIR, sub, id);
	char *tmp = str_format("%s/%s/.%s.tmp", KMEND_BOOT_DIR, sub, id);
	char *dir = str_format("%s/%s", KMEND_BOOT_DIR, sub);
	int fd = -1, ret = -1;
	size_t len = strlen(text);

	if (!path || !tmp || !dir || make_dir(sub))
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd))
		goto out;
	close(fd);
	fd = -1;
	if (rename(tmp, path))
		goto out;
	fd = open(dir, O_RDONLY | O_CLOEXEC);
	ret = fd >= 0 && !fsync(fd) ? 0 : -1;
out:
	if (fd >= 0)
		close(fd);
	if (ret && tmp)
		unlink(tmp);
	free(path);
	free(tmp);
	free(dir);
	return ret;
}

static char *read_mark(const char *sub, const char *id)
{
	char *path = str_format("%s/%s/%s", KMEND_BOOT_DIR, sub, id);
	char *text = path ? file_read_all(path) : NULL;

	free(path);
	if (text)
		text[strcspn(text, "\n")] = '\0';
	return text;
}

static int remove_mark(const char *sub, const char *id)
{
	char *path = str_format("%s/%s/%s", KMEND_BOOT_DIR, sub, id);
	int ret = path ? unlink(path) : -1;

	free(path);
	return ret;
}

static bool is_mark(const char *name)
{
	return name[0] != '.';
}

/* "pending/RELEASE" or "held/RELEASE", to free */
static char *sub_of(const char *kind, const char *release)
{
	return str_format("%s/%s", kind, release);
}

void boot_guard_start(const char *release, FILE *err)
{
	char *pending = sub_of("pending", release), *held = sub_of("held", release);
	char *dir = pending ? str_format("%s/%s", KMEND_BOOT_DIR, pending) : NULL;
	char **ids = NULL, now[64], id_now[64];
	size_t n = 0;

	boot_id(id_now, sizeof(id_now));
	if (!dir || !held || dir_names(dir, is_mark, &ids, &n))
		goto out;	/* none pending */
	for (size_t i = 0; i < n; i++) {
		char *mark = read_mark(pending, ids[i]), *why;
		time_t t = time(NULL);

		if (!mark || !strcmp(mark, id_now)) {
			free(mark);
			continue;
		}
		strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		why = str_format("the boot that applied it (boot id %s) ended before it was marked healthy (kmend-healthy.timer, or an orderly shutdown); held since %s; 'kmend apply --release-hold %s' lets the next boot apply it again",
				 mark, now, ids[i]);
		if (why && !write_mark(held, ids[i], why)) {
			remove_mark(pending, ids[i]);
			fprintf(err, "kmend: not applying %s at boot: %s\n", ids[i], why);
		}
		free(why);
		free(mark);
	}
	strv_free(ids, n);
out:
	free(dir);
	free(pending);
	free(held);
}

bool boot_guard_held(const char *release, const char *id, char *why, size_t len)
{
	char *held = sub_of("held", release);
	char *mark = held ? read_mark(held, id) : NULL;

	free(held);
	if (!mark)
		return false;
	snprintf(why, len, "%s", mark);
	free(mark);
	return true;
}

int boot_guard_pending(const char *release, const char *id)
{
	char *pending = sub_of("pending", release), id_now[64];
	int ret;

	if (!pending)
		return -1;
	boot_id(id_now, sizeof(id_now));
	ret = write_mark(pending, id, id_now);
	free(pending);
	return ret;
}

int boot_guard_healthy(FILE *out, FILE *err)
{
	char *dir = str_format("%s/pending", KMEND_BOOT_DIR), **releases = NULL, id_now[64];
	size_t nr = 0, cleared = 0;

	boot_id(id_now, sizeof(id_now));
	if (!dir) {
		fprintf(err, "kmend apply: out of memory\n");
		return -1;
	}
	if (dir_names(dir, is_mark, &releases, &nr)) {
		free(dir);
		return errno == ENOENT ? 0 : -1;
	}
	for (size_t r = 0; r < nr; r++) {
		char *sub = sub_of("pending", releases[r]);
		char *path = sub ? str_format("%s/%s", KMEND_BOOT_DIR, sub) : NULL, **ids = NULL;
		size_t n = 0;

		if (path && !dir_names(path, is_mark, &ids, &n))
			for (size_t i = 0; i < n; i++) {
				char *mark = read_mark(sub, ids[i]);

				if (mark && !strcmp(mark, id_now) && !remove_mark(sub, ids[i]))
					cleared++;
				free(mark);
			}
		strv_free(ids, n);
		free(path);
		free(sub);
	}
	if (cleared)
		fprintf(out, "kmend: this boot is healthy: %zu update%s applied at boot no longer pending\n",
			cleared, cleared == 1 ? "" : "s");
	strv_free(releases, nr);
	free(dir);
	return 0;
}

bool boot_guard_forget(const char *release, const char *id)
{
	char *pending = sub_of("pending", release), *held = sub_of("held", release);
	bool was_held = false;

	if (pending)
		remove_mark(pending, id);
	if (held)
		was_held = !remove_mark(held, id);
	free(pending);
	free(held);
	return was_held;
}
