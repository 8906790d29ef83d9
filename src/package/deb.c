// SPDX-License-Identifier: GPL-2.0
/*
 * Debian binary packages, as Debian policy lays them out: the files under
 * the staging root, /usr/share/doc/PACKAGE/copyright and a gzipped
 * changelog.Debian, DEBIAN/control with Installed-Size, DEBIAN/md5sums, the
 * maintainer scripts; dpkg-deb --root-owner-group builds it, so that every
 * file belongs to root whoever builds it.
 */
#include "deb.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "run.h"
#include "util.h"

int deb_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n < 2 || (!islower((unsigned char)name[0]) && !isdigit((unsigned char)name[0])))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) &&
		    !strchr("+-.", name[i]))
			return 0;
	return 1;
}

static int write_text(const char *path, const char *text, unsigned int mode,
		      char *err, size_t errlen)
{
	char *p = strdup(path);
	FILE *f;
	int bad;

	if (!p || make_parent_dirs(p)) {
		free(p);
		return set_error(err, errlen, "cannot create the folder of %s", path);
	}
	free(p);
	f = fopen(path, "w");
	if (!f)
		return set_error(err, errlen, "%s: %s", path, strerror(errno));
	bad = fputs(text, f) < 0;
	bad |= fclose(f) != 0;
	if (bad || chmod(path, mode))
		return set_error(err, errlen, "cannot write %s", path);
	return 0;
}

/* @text with each @KEY@ of @spec replaced; NULL when out of memory. */
static char *substitute(const struct deb_spec *spec, const char *text)
{
	char *out = strdup(text);

	for (size_t k = 0; out && k < spec->nr_keys; k++) {
		char *key = str_format("@%s@", spec->keys[k]), *at;

		while (key && out && (at = strstr(out, key))) {
			char *next = str_format("%.*s%s%s", (int)(at - out), out, spec->values[k],
						at + strlen(key));

			free(out);
			out = next;
		}
		free(key);
		if (!key) {
			free(out);
			return NULL;
		}
	}
	return out;
}

/* What nftw gathers: the staging root, the md5sums lines and the size. */
static struct {
	size_t root_len;
	unsigned long long bytes;
	FILE *md5sums;
	int failed;
} walk;

static int add_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	/* the staging root itself: "" */
	const char *rel = ftw->level ? path + walk.root_len + 1 : "";

	if (type == FTW_D && !strcmp(rel, "DEBIAN"))
		return FTW_SKIP_SUBTREE;
	/* Installed-Size counts files in KiB, each rounded up, and folders */
	walk.bytes += type == FTW_F ? ((unsigned long long)st->st_size + 1023) / 1024 * 1024 : 1024;
	if (type == FTW_F) {
		char *argv[] = { "md5sum", (char *)rel, NULL };
		char *sum = NULL, msg[128];
		char *dir = strndup(path, walk.root_len);

		if (!dir || run_program(argv, dir, &sum, NULL, msg, sizeof(msg)) || !sum)
			walk.failed = 1;
		else
			fputs(sum, walk.md5sums);
		free(sum);
		free(dir);
	}
	return 0;
}

static int write_control(const struct deb_spec *spec, const char *root,
			 char *err, size_t errlen)
{
	char *md5 = str_format("%s/DEBIAN/md5sums", root), *control = NULL, *text = NULL;
	int ret = -1;

	walk.root_len = strlen(root);
	walk.bytes = 0;
	walk.failed = 0;
	walk.md5sums = md5 ? fopen(md5, "w") : NULL;
	if (!walk.md5sums) {
		set_error(err, errlen, "cannot write %s", md5 ? md5 : "md5sums");
		goto out;
	}
	if (nftw(root, add_file, 16, FTW_PHYS | FTW_ACTIONRETVAL) || walk.failed) {
		fclose(walk.md5sums);
		set_error(err, errlen, "cannot list the files of %s for md5sums", spec->package);
		goto out;
	}
	if (fclose(walk.md5sums) || chmod(md5, 0644)) {
		set_error(err, errlen, "cannot write %s", md5);
		goto out;
	}
	control = str_format("%s/DEBIAN/control", root);
	text = str_format("Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: %s\n"
			  "Installed-Size: %llu\n%s%s%sSection: %s\nPriority: %s\n"
			  "Description: %s\n%s",
			  spec->package, spec->version, spec->architecture, spec->maintainer,
			  walk.bytes / 1024,
			  spec->depends ? "Depends: " : "", spec->depends ? spec->depends : "",
			  spec->depends ? "\n" : "", spec->section, spec->priority,
			  spec->summary, spec->description);
	if (!control || !text) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	ret = write_text(control, text, 0644, err, errlen);
out:
	free(md5);
	free(control);
	free(text);
	return ret;
}

/* copyright, and the changelog gzipped with no name or time in it */
static int write_doc(const struct deb_spec *spec, const char *root, char *err, size_t errlen)
{
	char date[64], *doc = str_format("%s/usr/share/doc/%s", root, spec->package);
	char *copyright = doc ? str_format("%s/copyright", doc) : NULL;
	/* a version without a Debian revision is a native package's */
	char *changelog = doc ? str_format("%s/changelog%s", doc,
					   strchr(spec->version, '-') ? ".Debian" : "") : NULL;
	char year[8];
	char *text = NULL, *copy = NULL;
	time_t now = time(NULL);
	int ret = -1;

	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", gmtime(&now));
	strftime(year, sizeof(year), "%Y", gmtime(&now));
	text = str_format("%s (%s) unstable; urgency=medium\n\n%s\n -- %s  %s\n",
			  spec->package, spec->version, spec->changelog, spec->maintainer, date);
	copy = str_format("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
			  "Upstream-Name: kmend\n\n"
			  "Files: *\n"
			  "Copyright: %s the kmend authors and the authors of the Linux kernel\n"
			  "License: GPL-2\n"
			  " On Debian systems, the complete text of the GNU General Public License\n"
			  " version 2 can be found in /usr/share/common-licenses/GPL-2.\n", year);
	if (!copyright || !changelog || !text || !copy) {
		set_error(err, errlen, "out of memory");
		goto out;
	}
	if (write_text(copyright, copy, 0644, err, errlen) ||
	    write_text(changelog, text, 0644, err, errlen))
		goto out;
	{
		char *argv[] = { "gzip", "-9n", changelog, NULL };
		char msg[128];

		if (run_program(argv, NULL, NULL, NULL, msg, sizeof(msg))) {
			set_error(err, errlen, "gzip %s failed", changelog);
			goto out;
		}
	}
	ret = 0;
out:
	free(doc);
	free(copyright);
	free(changelog);
	free(text);
	free(copy);
	return ret;
}

int deb_build(const struct deb_spec *spec, const char *scratch, const char *out,
	      char *err, size_t errlen)
{
	char *root = str_format("%s/%s", scratch, spec->package);
	int ret = -1;

	if (!root)
		return set_error(err, errlen, "out of memory");
	for (size_t i = 0; i < spec->nr_files; i++) {
		char *to = str_format("%s%s", root, spec->files[i].to);

		if (!to || make_parent_dirs(to) ||
		    file_copy(spec->files[i].from, to, err, errlen) ||
		    chmod(to, spec->files[i].mode)) {
			if (to && !*err)
				set_error(err, errlen, "cannot stage %s", spec->files[i].to);
			free(to);
			goto out;
		}
		free(to);
	}
	if (write_doc(spec, root, err, errlen))
		goto out;
	for (size_t i = 0; i < spec->nr_scripts; i++) {
		char *text = file_read_all(spec->scripts[i].template_path), *done;
		char *to = str_format("%s/DEBIAN/%s", root, spec->scripts[i].name);

		done = text ? substitute(spec, text) : NULL;
		if (!done || !to || write_text(to, done, 0755, err, errlen)) {
			if (!text)
				set_error(err, errlen, "cannot read %s", spec->scripts[i].template_path);
			free(text);
			free(done);
			free(to);
			goto out;
		}
		free(text);
		free(done);
		free(to);
	}
	if (write_control(spec, root, err, errlen))
		goto out;
	{
		char *argv[] = { "dpkg-deb", "--root-owner-group", "-Zxz", "--build", root,
				 (char *)out, NULL };
		char *log = NULL, msg[256];

		if (run_program(argv, NULL, &log, NULL, msg, sizeof(msg))) {
			set_error(err, errlen, "dpkg-deb --build %s failed%s%s", spec->package,
				  log ? ": " : "", log ? log : "");
			free(log);
			goto out;
		}
		free(log);
	}
	ret = 0;
out:
	free(root);
	return ret;
}
